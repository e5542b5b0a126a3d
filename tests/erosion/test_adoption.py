"""Adoption per team: imported all rows or none with row-numbered problems; falling adoption raises an alarm."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from hero_core import erosion
from hero_core.errors import ImportRejected, InvalidInput, PermissionDenied
from hero_core.models import AuditEntry, IdeaAdoption
from hero_core.services import adoption, scorecard
from hero_core.services import erosion as service
from tests.erosion import world


def _csv(rows) -> io.BytesIO:
    lines = ["idea_id,team,date,adopted_share", *(",".join(map(str, r)) for r in rows)]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def _stored(org) -> int:
    with org.db.read() as s:
        return s.execute(select(func.count()).select_from(IdeaAdoption)).scalar_one()


def test_adoption_imports_every_row_with_shares_or_percentages_and_is_audited(org):
    idea_id = world.build(org, later_effect=-30.0)
    summary = adoption.import_adoption(org.db, actor_id=org.it, source=_csv([
        (idea_id, "CC", "2025-04-07", "0.4"), (idea_id, "CC", "2025-05-05", "65%"),
        (idea_id, "Stores", "14/04/2025", "0.1")]))
    assert (summary.rows, summary.ideas, summary.teams) == (3, 1, 2)
    series = adoption.adoption_series(org.db, actor_id=org.manager, idea_id=idea_id)
    assert list(series["adopted_share"]) == [0.4, 0.1, 0.65]
    assert set(series["team"]) == {"Contact centre", "Stores"}
    with org.db.read() as s:
        assert s.execute(select(AuditEntry.action).where(AuditEntry.action == "adoption_imported")).scalar_one()
    # The same idea, team and day again replaces the figure.
    adoption.import_adoption(org.db, actor_id=org.admin, source=_csv([(idea_id, "CC", "2025-04-07", "0.5")]))
    assert _stored(org) == 3


def test_a_bad_file_stores_nothing_and_names_each_row_column_and_value(org):
    idea_id = world.build(org, later_effect=-30.0)
    with pytest.raises(ImportRejected) as refused:
        adoption.import_adoption(org.db, actor_id=org.admin, source=_csv([
            (idea_id, "CC", "2025-04-07", "0.4"),
            (999, "CC", "2025-04-07", "0.4"),
            (idea_id, "XX", "2025-04-07", "0.4"),
            (idea_id, "CC", "2025-02-30", "0.4"),
            (idea_id, "CC", "2025-04-14", "1.4"),
            (idea_id, "CC", "2025-04-07", "0.3"),
        ]))
    problems = refused.value.problems
    assert problems[0] == "row 3, column idea_id “999”: no idea has this number"
    assert problems[1] == "row 4, column team “XX”: not a team's code or name"
    assert problems[2].startswith("row 5, column date “2025-02-30”:")
    assert problems[3] == "row 6, column adopted_share “1.4”: must be a share from 0 to 1 (0.45) or a percentage (45%)"
    assert problems[4] == "row 7: the same idea, team and date as row 2; keep one of them"
    assert _stored(org) == 0


def test_only_it_champions_and_admins_import_adoption(org):
    idea_id = world.build(org, later_effect=-30.0)
    with pytest.raises(PermissionDenied, match="IT champions and admins"):
        adoption.import_adoption(org.db, actor_id=org.manager, source=_csv([(idea_id, "CC", "2025-04-07", "0.4")]))


def test_adoption_falling_on_the_ideas_teams_raises_an_alarm(org):
    idea_id = world.build(org, later_effect=-30.0)
    rng = np.random.default_rng(5)
    last_monday = world.NOW.date() - timedelta(days=world.NOW.weekday() + 7)
    rows = []
    for w in range(16):
        day = last_monday - timedelta(weeks=15 - w)
        for team in ("CC", "ST", "T2"):
            share = (0.8 if w < 8 else 0.55) + rng.normal(0, 0.03)
            rows.append((idea_id, team, day.isoformat(), f"{share:.3f}"))
    adoption.import_adoption(org.db, actor_id=org.admin, source=_csv(rows))
    service.refresh_alarms(org.db)
    (alarm,) = service.open_alarms(org.db, actor_id=org.manager)
    assert (alarm.kind, alarm.metric) == (erosion.ADOPTION_FALLING, None)
    assert re.match(r"Adoption fell from 7\d% to 5\d% of the people in 3 team\(s\) in the 8 weeks from 2025-07-07 "
                    r"against the 8 weeks before \(one-sided p < 0.001\)\.", alarm.detail), alarm.detail


def test_steady_adoption_raises_none(org):
    idea_id = world.build(org, later_effect=-30.0)
    rng = np.random.default_rng(6)
    last_monday = world.NOW.date() - timedelta(days=world.NOW.weekday() + 7)
    rows = [(idea_id, team, (last_monday - timedelta(weeks=15 - w)).isoformat(), f"{0.7 + rng.normal(0, 0.05):.3f}")
            for w in range(16) for team in ("CC", "ST")]
    adoption.import_adoption(org.db, actor_id=org.admin, source=_csv(rows))
    assert service.refresh_alarms(org.db).opened == ()


def test_a_manager_records_adoption_only_for_a_team_they_manage(org):
    idea_id = world.build(org, later_effect=-30.0)
    day = world.NOW.date()
    adoption.record_adoption(org.db, actor_id=org.manager, idea_id=idea_id, team_code="CC", day=day,
                             adopted_share=0.5)
    adoption.record_adoption(org.db, actor_id=org.manager, idea_id=idea_id, team_code="CC", day=day,
                             adopted_share=0.55)  # the same day again: replaced
    assert _stored(org) == 1
    with pytest.raises(PermissionDenied, match="does not manage “ST”"):
        adoption.record_adoption(org.db, actor_id=org.manager, idea_id=idea_id, team_code="ST", day=day,
                                 adopted_share=0.5)
    with pytest.raises(PermissionDenied, match="managers"):
        adoption.record_adoption(org.db, actor_id=org.it, idea_id=idea_id, team_code="CC", day=day, adopted_share=0.5)
    with pytest.raises(InvalidInput, match="from 0% to 100%"):
        adoption.record_adoption(org.db, actor_id=org.manager, idea_id=idea_id, team_code="CC", day=day,
                                 adopted_share=1.5)
    with org.db.read() as s:
        assert s.execute(select(IdeaAdoption.adopted_share)).scalar_one() == 0.55


def test_adoption_beside_the_gain_needs_four_teams_to_say_anything(org):
    idea_id = world.build(org, later_effect=-30.0)  # Contact centre gained about 30 s of handle time
    adoption.import_adoption(org.db, actor_id=org.admin, source=_csv([(idea_id, "CC", "2025-04-07", "0.8")]))
    (found,) = adoption.adoption_vs_gain(org.db, actor_id=org.executive, idea_id=idea_id)
    assert found.metric == "aht" and list(found.table["team"]) == ["Contact centre"]
    assert 20 < found.table["gain"].iloc[0] < 40  # lower is better: the gain is on the good side
    assert found.reading.startswith("1 team(s) with adoption figures and data: too few to say")


def test_adoption_beside_the_gain_reads_a_rank_correlation_from_four_teams(org):
    idea_id = world.build(org, later_effect=-30.0)
    rows = [(idea_id, t, "2025-04-07", share) for t, share in (("CC", "0.9"), ("ST", "0.2"), ("T2", "0.3"),
                                                                  ("T3", "0.1"))]
    adoption.import_adoption(org.db, actor_id=org.admin, source=_csv(rows))
    (found,) = adoption.adoption_vs_gain(org.db, actor_id=org.executive, idea_id=idea_id)
    assert len(found.table) == 4
    assert found.reading.startswith("Across 4 teams, those that adopted more gained")
    assert "not proof" in found.reading


def test_a_rollout_plan_shows_which_teams_were_reached_on_time(org):
    idea_id = world.build(org, later_effect=-30.0)  # scaled; the clock is 2025-09-01
    adoption.plan_rollout(org.db, actor_id=org.it, idea_id=idea_id, team_code="CC", due=date(2025, 5, 1))
    adoption.plan_rollout(org.db, actor_id=org.manager, idea_id=idea_id, team_code="ST", due=date(2025, 6, 1))
    adoption.plan_rollout(org.db, actor_id=org.it, idea_id=idea_id, team_code="T2", due=date(2025, 7, 1))
    adoption.plan_rollout(org.db, actor_id=org.it, idea_id=idea_id, team_code="T3", due=date(2025, 12, 1))
    adoption.import_adoption(org.db, actor_id=org.admin, source=_csv([
        (idea_id, "CC", "2025-04-07", "0.3"), (idea_id, "CC", "2025-04-21", "0.6"),  # reached 21 April: on time
        (idea_id, "ST", "2025-06-16", "0.7")]))  # reached after 1 June: late
    plan = adoption.rollout_status(org.db, actor_id=org.executive, idea_id=idea_id).set_index("team")
    assert plan.loc["Contact centre", "status"] == adoption.ON_TIME
    assert plan.loc["Contact centre", "reached"] == date(2025, 4, 21)
    assert plan.loc["Stores", "status"] == adoption.LATE_REACHED
    assert plan.loc["Team T2", "status"] == adoption.LATE
    assert plan.loc["Team T3", "status"] == adoption.DUE
    promise = adoption.rollout_promise(org.db, actor_id=org.executive)
    assert promise.to_dict("records") == [{"quarter": "2025Q2", "due": 2, "kept": 1, "share": 0.5},
                                          {"quarter": "2025Q3", "due": 1, "kept": 0, "share": 0.0}]
    # The compact scorecard's IT row counts the same promises, per team to reach and in all.
    card = scorecard.scorecard(org.db, actor_id=org.executive).set_index(["quarter", "team"])
    assert card.loc[("2025Q2", scorecard.ALL_TEAMS), "share_rollouts_on_time"] == 0.5
    assert card.loc[("2025Q2", "CC"), "share_rollouts_on_time"] == 1.0
    assert card.loc[("2025Q2", "ST"), "share_rollouts_on_time"] == 0.0
    assert card.loc[("2025Q3", "T2"), "share_rollouts_on_time"] == 0.0
    with pytest.raises(PermissionDenied, match="an IT champion or a manager of the idea's team"):
        adoption.plan_rollout(org.db, actor_id=org.other_manager, idea_id=idea_id, team_code="CC",
                              due=date(2025, 5, 1))
    with pytest.raises(InvalidInput, match="“XX” is not a team's code"):
        adoption.plan_rollout(org.db, actor_id=org.it, idea_id=idea_id, team_code="XX", due=date(2025, 5, 1))
