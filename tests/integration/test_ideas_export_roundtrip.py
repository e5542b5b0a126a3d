"""The ideas export is in the import format: a file downloaded from Browse ideas (every idea matching the filter,
on every page) or Administration, or written by `hero ideas export`, imports back through `hero ideas import`
into a fresh database as the same ideas (issue 21)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from hero_app import ui
from hero_core.cli import main
from hero_core.errors import PermissionDenied
from hero_core.services import catalog, ideas, ideas_io
from hero_core.services.ideas import IdeaFilter
from hero_core.vocab import State
from tests.conftest import build_org, fresh_sqlite
from tests.integration.factories import idea_in_state, idea_input

FORMULA = '=HYPERLINK("http://evil.example","Open me")'


def portfolio(org) -> dict[str, int]:
    """Ideas in many states, in both teams, one with a formula for a title, one draft."""
    made = {state.value: idea_in_state(org, state) for state in (
        State.SUBMITTED, State.IN_REVIEW, State.DECLINED, State.AWAITING_IT, State.PILOTING, State.SCALED)}
    made["formula"] = ideas.create_idea(org.db, actor_id=org.frontline, submit=True,
                                        data=idea_input(title=FORMULA))
    made["stores"] = ideas.create_idea(org.db, actor_id=org.other_frontline, submit=True,
                                       data=idea_input(title="Stores: one queue for returns", tech=True))
    made["draft"] = ideas.create_idea(org.db, actor_id=org.manager, data=idea_input(title="The manager's draft"))
    return made


def downloaded(org, flt: IdeaFilter | None, actor: int) -> bytes:
    """The CSV file Browse ideas and Administration hand out (ui.csv_bytes of the export rows)."""
    return ui.csv_bytes(pd.DataFrame(ideas_io.export_rows(org.db, actor_id=actor, flt=flt),
                                     columns=ideas_io.EXPORT_COLUMNS))


def import_into_fresh_database(tmp_path, sqlite_template, file_bytes: bytes) -> list[dict]:
    """`hero ideas import` of the file into a fresh database with the same people and teams; its export."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    target = fresh_sqlite(sqlite_template, folder)
    catalog.ensure_defaults(target)
    target_org = build_org(target)
    path = tmp_path / "ideas.csv"
    path.write_bytes(file_bytes)
    result = CliRunner().invoke(main, ["ideas", "import", str(path)], env={"HERO_DATABASE_URL": target.url})
    assert result.exit_code == 0, result.output
    rows = ideas_io.export_rows(target, actor_id=target_org.admin)
    target.dispose()
    return rows


def without_ids(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("id", "merged_into")} for r in rows]


def test_a_browse_download_holds_every_matching_idea_and_round_trips_through_hero_ideas_import(
        org, tmp_path, sqlite_template):
    made = portfolio(org)
    flt = IdeaFilter(team_codes=("CC",))

    exported = ideas_io.export_rows(org.db, actor_id=org.manager, flt=flt)

    # Every idea Browse ideas lists for the filter, on every page (not one page), drafts excepted.
    listed, total = ideas.list_ideas(org.db, actor_id=org.manager, flt=flt, page_size=500)
    assert total == len(listed) == 8  # the manager's own draft is listed to them ...
    assert [r["id"] for r in exported] == sorted(i.id for i in listed if i.id != made["draft"])  # ... not exported
    assert made["stores"] not in {r["id"] for r in exported}
    assert list(exported[0]) == list(ideas_io.EXPORT_COLUMNS)
    by_id = {r["id"]: r for r in exported}
    assert by_id[made["piloting"]]["pilot_teams"] == "CC" and by_id[made["piloting"]]["launch_date"]
    assert by_id[made["scaled"]]["state"] == "scaled" and by_id[made["declined"]]["state"] == "declined"
    assert by_id[made["submitted"]]["target_metrics"] == "csat"

    file_bytes = downloaded(org, flt, org.manager)
    assert f"'{FORMULA}".replace('"', '""') in file_bytes.decode("utf-8-sig")  # formula-safe in the file

    imported = import_into_fresh_database(tmp_path, sqlite_template, file_bytes)

    assert without_ids(imported) == without_ids(exported)
    assert any(r["title"] == FORMULA for r in imported)  # the quote the export added is taken off again


def test_the_whole_export_round_trips_too(org, tmp_path, sqlite_template):
    portfolio(org)
    everything = ideas_io.export_rows(org.db, actor_id=org.admin)
    assert {r["team"] for r in everything} == {"CC", "ST"} and len(everything) == 8  # no draft
    imported = import_into_fresh_database(tmp_path, sqlite_template, downloaded(org, None, org.admin))
    assert without_ids(imported) == without_ids(everything)


def test_a_search_narrows_the_export_as_it_narrows_the_list(org):
    made = portfolio(org)
    rows = ideas_io.export_rows(org.db, actor_id=org.executive, flt=IdeaFilter(search="one queue"))
    assert [r["id"] for r in rows] == [made["stores"]]
    rows = ideas_io.export_rows(org.db, actor_id=org.executive, flt=IdeaFilter(states=("piloting", "scaled")))
    assert [r["id"] for r in rows] == sorted([made["piloting"], made["scaled"]])


@pytest.mark.parametrize("who", ["frontline", "it"])
def test_only_people_allowed_to_export_ideas_get_the_file(org, who):
    portfolio(org)
    with pytest.raises(PermissionDenied):
        ideas_io.export_rows(org.db, actor_id=getattr(org, who), flt=IdeaFilter())
