"""Facts that feed the impact figures (issue 21): a pilot's launch date lies between its approval and a year from
today, scaling needs data in the pilot's measurement window and no open blocker (or an override with a reason in
the audit trail), scaled cards stop counting days, and observations dated after today are refused by row."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from hero_core.errors import InvalidInput, MissingInformation
from hero_core.models import AuditEntry, Idea
from hero_core.services import ideas, metrics_io
from hero_core.services.ideas import ScalingNotReady
from hero_core.vocab import State
from tests.integration.factories import audit_actions, idea_in_state, state_of, version_of


def today(org) -> date:
    return org.db.now().date()


def pilot(org, idea_id: int, launch: date, teams=("CC",)) -> None:
    ideas.start_pilot(org.db, actor_id=org.manager, idea_id=idea_id, pilot_team_codes=list(teams),
                      launch_date=launch)


def observations(org, *rows: tuple[str, str, date, float]) -> None:
    text = "metric,team,date,value\n" + "".join(f"{m},{t},{d.isoformat()},{v}\n" for m, t, d, v in rows)
    metrics_io.import_metrics(org.db, source=io.BytesIO(text.encode()), file_name="pilot.csv", actor_id=org.admin)


def last_audit(org, idea_id: int) -> AuditEntry:
    with org.db.read() as s:
        return s.execute(select(AuditEntry).where(AuditEntry.entity_type == "idea",
                                                  AuditEntry.entity_id == str(idea_id))
                         .order_by(AuditEntry.seq.desc()).limit(1)).scalar()


# ---- the launch date --------------------------------------------------------------------------------------


def test_a_launch_date_before_the_approval_is_refused_naming_both_days(org):
    idea_id = idea_in_state(org, State.APPROVED)
    approved_on = today(org)
    version = version_of(org.db, idea_id)
    with pytest.raises(InvalidInput) as refused:
        pilot(org, idea_id, date(2019, 5, 1))
    assert str(refused.value) == (f"The launch date 2019-05-01 is before idea #{idea_id} was approved on "
                                  f"{approved_on.isoformat()}: a pilot launches on or after that day.")
    assert refused.value.fields == {"launch_date": "before the approval"}
    assert (state_of(org.db, idea_id), version_of(org.db, idea_id)) == ("approved", version)
    assert "start_pilot" not in audit_actions(org.db, idea_id)


def test_a_launch_date_more_than_a_year_ahead_is_refused_and_a_year_ahead_is_taken(org):
    idea_id = idea_in_state(org, State.APPROVED)
    latest = today(org).replace(year=today(org).year + 1)
    with pytest.raises(InvalidInput) as refused:
        pilot(org, idea_id, date(2099, 1, 1))
    assert str(refused.value) == (f"The launch date 2099-01-01 is more than a year ahead: choose a day up to "
                                  f"{latest.isoformat()}.")
    with pytest.raises(InvalidInput, match="more than a year ahead"):
        pilot(org, idea_id, latest + timedelta(days=1))
    pilot(org, idea_id, latest)
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).launch_date == latest


def test_an_idea_without_an_approval_date_is_bounded_by_its_submission(org):
    idea_id = idea_in_state(org, State.APPROVED)
    with org.db.write() as s:
        s.execute(update(Idea).where(Idea.id == idea_id).values(approved_at=None))
    submitted = today(org)
    with pytest.raises(InvalidInput, match=f"before idea #{idea_id} was submitted on {submitted.isoformat()}"):
        pilot(org, idea_id, submitted - timedelta(days=1))
    pilot(org, idea_id, submitted)
    assert state_of(org.db, idea_id) == "piloting"


# ---- scaling ----------------------------------------------------------------------------------------------


def test_scaling_without_data_in_the_measurement_window_is_refused_then_taken_once_data_is_there(org):
    idea_id = idea_in_state(org, State.APPROVED)
    launch = today(org)
    pilot(org, idea_id, launch, teams=("CC", "ST"))
    observations(org, ("csat", "CC", launch - timedelta(days=3), 4.1))  # baseline only: not the window
    with pytest.raises(ScalingNotReady) as refused:
        ideas.start_scaling(org.db, actor_id=org.manager, idea_id=idea_id)
    assert refused.value.problems == [
        (f"its measurement window (from {launch.isoformat()} to {(launch + timedelta(days=89)).isoformat()}) "
         "holds no data yet for csat from team CC, ST")]
    assert ideas.scaling_problems(org.db, actor_id=org.manager, idea_id=idea_id) == refused.value.problems
    assert state_of(org.db, idea_id) == "piloting"

    observations(org, ("csat", "CC", launch, 4.4))
    with pytest.raises(ScalingNotReady, match="csat from team ST"):  # every pilot team needs data
        ideas.start_scaling(org.db, actor_id=org.manager, idea_id=idea_id)
    observations(org, ("csat", "ST", launch, 4.2))
    assert ideas.scaling_problems(org.db, actor_id=org.manager, idea_id=idea_id) == []
    ideas.start_scaling(org.db, actor_id=org.manager, idea_id=idea_id)
    assert state_of(org.db, idea_id) == "scaling"
    entry = last_audit(org, idea_id)
    assert entry.action == "start_scaling" and "checks_overridden" not in json.loads(entry.after_json)


def test_an_open_blocker_stops_scaling_and_an_override_needs_a_reason_which_the_audit_keeps(org):
    idea_id = idea_in_state(org, State.IN_BUILD)
    ideas.plan_it(org.db, actor_id=org.it, idea_id=idea_id, plan="Reuse the CRM API.", effort_days=2,
                  blockers="Waiting for the API key")
    launch = today(org)
    pilot(org, idea_id, launch)
    observations(org, ("csat", "CC", launch, 4.4))
    with pytest.raises(ScalingNotReady) as refused:
        ideas.start_scaling(org.db, actor_id=org.it, idea_id=idea_id)
    assert refused.value.problems == ["IT recorded an open blocker: “Waiting for the API key”"]
    assert "scale it anyway and say why" in str(refused.value)
    with pytest.raises(MissingInformation, match="A reason is required to scale anyway"):
        ideas.start_scaling(org.db, actor_id=org.it, idea_id=idea_id, override_reason="   ")
    assert state_of(org.db, idea_id) == "piloting"

    reason = "The key arrives on Monday; the roll-out starts with the teams that need no key."
    ideas.start_scaling(org.db, actor_id=org.it, idea_id=idea_id, override_reason=reason)
    assert state_of(org.db, idea_id) == "scaling"
    entry = last_audit(org, idea_id)
    assert (entry.action, entry.reason) == ("start_scaling", reason)
    after = json.loads(entry.after_json)
    assert after["checks_overridden"] == ["IT recorded an open blocker: “Waiting for the API key”"]
    assert after["override_reason"] == reason


def test_an_idea_without_target_metrics_cannot_show_its_pilot_worked(org):
    idea_id = idea_in_state(org, State.APPROVED)
    pilot(org, idea_id, today(org))
    with org.db.write() as s:
        s.get(Idea, idea_id).metric_rows = []
    with pytest.raises(ScalingNotReady, match="names no target metric"):
        ideas.start_scaling(org.db, actor_id=org.manager, idea_id=idea_id)


def test_scaled_cards_stop_counting_days_on_the_it_board(org):
    idea_id = idea_in_state(org, State.SCALED, tech=True)
    with org.db.write() as s:  # scaled long ago: a running clock would show weeks
        s.execute(update(Idea).where(Idea.id == idea_id).values(scaled_at=org.db.now() - timedelta(days=60)))
    building = idea_in_state(org, State.IN_BUILD)
    board = ideas.it_board(org.db, actor_id=org.it)
    (scaled,) = board["scaled"]
    assert (scaled.idea.id, scaled.days_in_column) == (idea_id, None)
    assert [c.days_in_column for c in board["in_build"] if c.idea.id == building] == [0]


# ---- observations dated after today ------------------------------------------------------------------------


def test_observations_dated_after_today_are_refused_by_row_and_nothing_is_stored(org):
    now = today(org)
    text = ("metric,team,date,value\n"
            f"csat,CC,{now.isoformat()},4.1\n"
            f"csat,CC,{(now + timedelta(days=1)).isoformat()},4.2\n"
            "csat,ST,2099-01-05,4.3\n")
    with pytest.raises(metrics_io.ObservationsRejected) as refused:
        metrics_io.import_metrics(org.db, source=io.BytesIO(text.encode()), file_name="f.csv", actor_id=org.admin)
    assert refused.value.problems == [
        (f"row 3, column date, value '{(now + timedelta(days=1)).isoformat()}': is after today "
         f"({now.isoformat()}): observations are of days that have already happened"),
        (f"row 4, column date, value '2099-01-05': is after today ({now.isoformat()}): observations are of days "
         "that have already happened"),
    ]
    assert metrics_io.stored_summary(org.db, actor_id=org.admin).empty
