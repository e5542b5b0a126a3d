"""An import's problems name the fix in the words of where the file came from: the command line's flags and
commands, or the Administration page's checkbox and tabs (issue 21)."""

from __future__ import annotations

import pytest

from hero_core.errors import ImportRejected
from hero_core.services import ideas_io, metrics_io
from hero_core.services.metrics_io import ObservationsRejected

ROW = "csat,CC,2025-03-31,4.2,118\n"
HEADER = "metric,team,date,value,sample_size\n"


@pytest.mark.parametrize(("via", "words"), [
    ("cli", "use --replace to overwrite"),
    ("web", "tick “Replace stored values for the same metric, team and date” to overwrite"),
])
def test_a_clash_with_stored_metrics_names_the_way_to_replace_them(org, tmp_path, via, words):
    path = tmp_path / "csat.csv"
    path.write_text(HEADER + ROW)
    metrics_io.import_metrics(org.db, source=path, actor_id=org.admin)
    with pytest.raises(ObservationsRejected) as refused:
        metrics_io.import_metrics(org.db, source=path, actor_id=org.admin, via=via)
    assert refused.value.details[0].reason == f"is already stored for this metric, team and date; {words}"


@pytest.mark.parametrize(("via", "person", "team"), [
    ("cli", "add the person first (hero users add)", "add it first (hero teams add)"),
    ("web", "add the person first (Administration, Users tab)", "add it first (Administration, Teams tab)"),
])
def test_an_unknown_person_or_team_names_where_to_add_them(org, tmp_path, via, person, team):
    path = tmp_path / "ideas.csv"
    path.write_text(",".join(ideas_io.COLUMNS) + "\n" + (
        "Shorter hold music,Callers hang up during the long hold message.,Cut the message to ten seconds.,"
        "nobody@example.com,NOPE,call_centre,other,no,2025-03-31,submitted,,,\n"))
    with pytest.raises(ImportRejected) as refused:
        ideas_io.import_ideas_csv(org.db, path=path, actor_id=org.admin, via=via)
    problems = refused.value.problems
    assert any(p.endswith(f"no user with this email; {person}") for p in problems), problems
    assert any(p.endswith(f"unknown team; {team}") for p in problems), problems
