"""The compact scorecard: every party's promises, per team and quarter, from the ideas' milestones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hero_core.errors import PermissionDenied
from hero_core.services import help, ideas, people, scorecard
from tests.conftest import Clock
from tests.impact.factories import AHT_TEAMS, add_teams, launched_idea, store_daily, synthetic_daily
from tests.integration.factories import assessment, idea_input

MON = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday in 2026Q1


def at(db, moment: datetime) -> None:
    db.clock = lambda: moment


def submit(org, when: datetime, *, tech=False, submitter=None, title="Shorter returns form") -> int:
    at(org.db, when)
    return ideas.create_idea(
        org.db, actor_id=submitter or org.frontline, data=idea_input(tech=tech, title=title), submit=True
    )


def review(org, idea_id: int, when: datetime, manager=None) -> None:
    at(org.db, when)
    ideas.start_review(org.db, actor_id=manager or org.manager, idea_id=idea_id)


def approve(org, idea_id: int, when: datetime, *, high=False, manager=None) -> None:
    at(org.db, when)
    ideas.assess_risk(
        org.db, actor_id=manager or org.manager, idea_id=idea_id, assessment=assessment(high=high)
    )
    ideas.approve(org.db, actor_id=manager or org.manager, idea_id=idea_id)


def row(frame, quarter: str, team: str) -> dict:
    match = frame[(frame["quarter"] == quarter) & (frame["team"] == team)]
    assert len(match) == 1, frame[["quarter", "team"]].values.tolist()
    return match.iloc[0].to_dict()


@pytest.mark.parametrize("who", ["frontline", "it", "admin"])
def test_only_executives_and_managers_see_the_scorecard(org, who):
    with pytest.raises(PermissionDenied) as refused:
        scorecard.scorecard(org.db, actor_id=getattr(org, who))
    assert "executives and managers" in str(refused.value)


def test_an_organisation_without_ideas_has_an_empty_scorecard_with_every_column(org):
    frame = scorecard.scorecard(org.db, actor_id=org.executive)
    assert frame.empty and list(frame.columns) == list(scorecard.COLUMNS)


def test_frontline_measures_ideas_per_100_staff_and_the_share_reaching_approval(org):
    a = submit(org, MON)
    submit(org, MON + timedelta(hours=1), title="Second")
    review(org, a, MON + timedelta(days=1))
    approve(org, a, MON + timedelta(days=2))
    submit(org, datetime(2026, 4, 7, 9, tzinfo=UTC), submitter=org.other_frontline, title="In Q2, other team")
    at(org.db, datetime(2026, 6, 30, tzinfo=UTC))
    frame = scorecard.scorecard(org.db, actor_id=org.manager)
    cc = row(frame, "2026Q1", "CC")
    assert cc["staff"] == 6 and cc["ideas"] == 2
    assert cc["ideas_per_100_staff"] == round(100 * 2 / 6, 1)
    assert cc["share_approved"] == 0.5
    st = row(frame, "2026Q2", "ST")
    assert (st["staff"], st["ideas"], st["ideas_per_100_staff"], st["share_approved"]) == (2, 1, 50.0, 0.0)
    whole = row(frame, "2026Q1", scorecard.ALL_TEAMS)
    assert (whole["staff"], whole["ideas"]) == (8, 2)
    assert list(frame["quarter"].drop_duplicates()) == ["2026Q1", "2026Q2"]


def test_manager_measures_medians_and_the_share_decided_within_the_sla(org):
    fast = submit(org, MON)
    slow = submit(org, MON, title="Slow one")
    waiting = submit(org, MON, title="Never decided")
    review(org, fast, MON + timedelta(days=1))
    review(org, slow, MON + timedelta(days=3))
    approve(org, fast, MON + timedelta(days=2))
    at(org.db, MON + timedelta(days=30))  # past every 10-business-day decision promise
    ideas.decline(org.db, actor_id=org.manager, idea_id=slow, reason="Not now.")
    frame = scorecard.scorecard(org.db, actor_id=org.executive)
    cc = row(frame, "2026Q1", "CC")
    assert cc["median_days_to_review"] == pytest.approx(2.0)  # 1 and 3 days; the third has not started
    assert cc["median_days_to_decision"] == pytest.approx((2 + 30) / 2)
    # fast: decided on time; slow: decided late; waiting: past its due date with no decision.
    assert cc["share_decided_in_sla"] == round(1 / 3, 4)
    assert waiting  # (named for the reader)


def test_an_undecided_idea_within_its_promise_is_not_counted_yet(org):
    submit(org, MON)
    at(org.db, MON + timedelta(days=2))
    cc = row(scorecard.scorecard(org.db, actor_id=org.manager), "2026Q1", "CC")
    assert cc["share_decided_in_sla"] is None or cc["share_decided_in_sla"] != cc["share_decided_in_sla"]


def test_high_risk_ideas_count_the_share_with_a_second_approver(org):
    both = submit(org, MON)
    one = submit(org, MON, title="Waits for a second")
    for idea_id in (both, one):
        review(org, idea_id, MON + timedelta(days=1))
        approve(org, idea_id, MON + timedelta(days=2), high=True)
    at(org.db, MON + timedelta(days=3))
    ideas.approve(org.db, actor_id=org.admin, idea_id=both, reason="Mitigated.")
    cc = row(scorecard.scorecard(org.db, actor_id=org.manager), "2026Q1", "CC")
    assert cc["high_risk_ideas"] == 2
    assert cc["share_high_risk_second_approver"] == 0.5


def test_a_high_risk_idea_whose_ratings_were_lowered_in_review_still_counts_as_high_risk(org):
    # The same rule as the approvals: the round's highest assessment governs, not the latest one.
    both = submit(org, MON)
    one = submit(org, MON, title="Waits for a second")
    for idea_id in (both, one):
        review(org, idea_id, MON + timedelta(days=1))
        approve(org, idea_id, MON + timedelta(days=2), high=True)
        ideas.assess_risk(org.db, actor_id=org.manager, idea_id=idea_id, assessment=assessment(high=False))
        assert ideas.approve(org.db, actor_id=org.manager, idea_id=idea_id) == "awaiting second approver"
    at(org.db, MON + timedelta(days=3))
    ideas.approve(org.db, actor_id=org.admin, idea_id=both, reason="Mitigated.")
    cc = row(scorecard.scorecard(org.db, actor_id=org.manager), "2026Q1", "CC")
    assert cc["high_risk_ideas"] == 2
    assert cc["share_high_risk_second_approver"] == 0.5


def test_it_measures_claim_time_and_share_claimed_within_the_sla_by_approval_quarter(org):
    quick = submit(org, MON, tech=True)
    late = submit(org, MON, tech=True, title="Claimed late")
    for idea_id in (quick, late):
        review(org, idea_id, MON + timedelta(days=1))
        approve(org, idea_id, MON + timedelta(days=2))
    at(org.db, MON + timedelta(days=4))
    ideas.claim(org.db, actor_id=org.it, idea_id=quick)
    at(org.db, MON + timedelta(days=40))
    ideas.claim(org.db, actor_id=org.it, idea_id=late)
    cc = row(scorecard.scorecard(org.db, actor_id=org.manager), "2026Q1", "CC")
    assert cc["median_days_to_claim"] == pytest.approx((2 + 38) / 2)
    assert cc["share_claimed_in_sla"] == 0.5


def test_pilots_that_scaled_are_counted_by_the_quarter_the_pilot_started(org):
    ids = []
    for n in range(2):
        idea_id = submit(org, MON, title=f"Pilot {n}")
        review(org, idea_id, MON + timedelta(days=1))
        approve(org, idea_id, MON + timedelta(days=2))
        at(org.db, datetime(2026, 4, 6, 9, tzinfo=UTC))
        ideas.start_pilot(
            org.db,
            actor_id=org.manager,
            idea_id=idea_id,
            pilot_team_codes=["CC"],
            launch_date=date(2026, 4, 13),
        )
        ids.append(idea_id)
    at(org.db, datetime(2026, 8, 3, 9, tzinfo=UTC))
    ideas.start_scaling(org.db, actor_id=org.manager, idea_id=ids[0],
                        override_reason="The pilot's data is not what the scorecard counts.")
    ideas.complete_scaling(org.db, actor_id=org.manager, idea_id=ids[0])
    frame = scorecard.scorecard(org.db, actor_id=org.executive)
    cc = row(frame, "2026Q2", "CC")
    assert (cc["pilots"], cc["share_pilots_scaled"]) == (2, 0.5)
    assert row(frame, "2026Q1", "CC")["pilots"] == 0


def test_measured_wins_count_launched_ideas_the_estimator_found_improved(org):
    add_teams(org.db, AHT_TEAMS)
    store_daily(org.db, synthetic_daily(effect=-25.0))  # launch 2025-03-05: 2025Q1
    launched_idea(org.db, submitter_id=org.frontline, team_code="T0", pilots=("T0", "T1"), metrics=("aht",))
    frame = scorecard.scorecard(org.db, actor_id=org.executive)
    assert row(frame, "2025Q1", "T0")["measured_wins"] == 1
    assert row(frame, "2025Q1", scorecard.ALL_TEAMS)["measured_wins"] == 1


def test_last_quarters_keeps_only_the_newest(org):
    submit(org, MON)
    submit(org, datetime(2026, 4, 7, 9, tzinfo=UTC), title="Second quarter")
    submit(org, datetime(2026, 7, 7, 9, tzinfo=UTC), title="Third quarter")
    frame = scorecard.scorecard(org.db, actor_id=org.executive, last_quarters=2)
    assert sorted(frame["quarter"].unique()) == ["2026Q2", "2026Q3"]


def test_every_measure_has_a_party_words_and_a_column():
    assert {m.party for m in scorecard.MEASURES} == {"frontline", "managers", "IT", "e-coaches", "everyone"}
    assert all(m.column in scorecard.COLUMNS and m.definition for m in scorecard.MEASURES)
    assert len(scorecard.measures_table()) == len(scorecard.MEASURES)


def test_a_resubmitted_idea_waiting_for_its_decision_is_not_counted_as_decided(org):
    # Changes were asked for (a decision of round 1), the idea came back (round 2) and waits: the idea page says
    # "on time" for its fresh decision promise, and so must the scorecard — not "decided within the SLA" with a
    # median of -0.0 days to decide.
    idea_id = submit(org, MON)
    review(org, idea_id, MON + timedelta(days=1))
    at(org.db, MON + timedelta(days=2))
    ideas.request_changes(org.db, actor_id=org.manager, idea_id=idea_id, reason="Say which form.")
    at(org.db, MON + timedelta(days=3))
    ideas.resubmit(org.db, actor_id=org.frontline, idea_id=idea_id)
    at(org.db, MON + timedelta(days=4))
    view = ideas.get_idea(org.db, actor_id=org.frontline, idea_id=idea_id)
    assert view.sla["decide"][1] == "on time"
    cc = row(scorecard.scorecard(org.db, actor_id=org.executive), "2026Q1", "CC")
    assert cc["share_decided_in_sla"] is None or cc["share_decided_in_sla"] != cc["share_decided_in_sla"]
    assert cc["median_days_to_decision"] is None or cc["median_days_to_decision"] != cc["median_days_to_decision"]
    # Decided in round 2, on time: counted once, from the last submission.
    at(org.db, MON + timedelta(days=5))
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    approve(org, idea_id, MON + timedelta(days=7))
    cc = row(scorecard.scorecard(org.db, actor_id=org.executive), "2026Q1", "CC")
    assert cc["share_decided_in_sla"] == 1.0
    assert cc["median_days_to_decision"] == pytest.approx(4.0)


def test_a_high_risk_idea_resubmitted_then_approved_twice_is_decided(org):
    # Round 1 ended in "needs changes"; round 2 is high risk and needs two approvers. The second approval is the
    # decision of round 2: the idea must not keep round 1's decision moment and read as undecided.
    idea_id = submit(org, MON)
    review(org, idea_id, MON + timedelta(days=1))
    at(org.db, MON + timedelta(days=2))
    ideas.request_changes(org.db, actor_id=org.manager, idea_id=idea_id, reason="Say which form.")
    at(org.db, MON + timedelta(days=3))
    ideas.resubmit(org.db, actor_id=org.frontline, idea_id=idea_id)
    review(org, idea_id, MON + timedelta(days=4))
    approve(org, idea_id, MON + timedelta(days=5), high=True)
    at(org.db, MON + timedelta(days=6))
    assert ideas.approve(org.db, actor_id=org.admin, idea_id=idea_id, reason="Mitigated.") == "approved"
    view = ideas.get_idea(org.db, actor_id=org.frontline, idea_id=idea_id)
    assert view.sla["decide"][1] == "met"
    assert view.milestones["decided_at"] == MON + timedelta(days=6)
    cc = row(scorecard.scorecard(org.db, actor_id=org.executive), "2026Q1", "CC")
    assert cc["share_decided_in_sla"] == 1.0
    assert cc["median_days_to_decision"] == pytest.approx(3.0)


def test_retiring_an_idea_before_its_promises_fall_due_stops_them(org):
    # A manager retires an idea in review: nobody can decide it any more, so its open promise neither counts as
    # broken later nor shows as overdue on the idea page.
    idea_id = submit(org, MON)
    review(org, idea_id, MON + timedelta(days=1))
    at(org.db, MON + timedelta(days=2))
    ideas.retire(org.db, actor_id=org.manager, idea_id=idea_id, reason="The form is being replaced.")
    at(org.db, MON + timedelta(days=40))
    view = ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id)
    assert "decide" not in view.sla
    cc = row(scorecard.scorecard(org.db, actor_id=org.executive), "2026Q1", "CC")
    assert cc["share_decided_in_sla"] is None or cc["share_decided_in_sla"] != cc["share_decided_in_sla"]


def test_the_ecoaches_promise_row_counts_help_answered_within_the_sla_by_team_and_quarter(org):

    coach = people.add_user(org.db, actor_id=None, email="grace@example.com", name="Grace", roles=["ecoach"],
                            team_code="CC", password="a long enough password")
    help.add_system(org.db, actor_id=None, code="crm", name="CRM")
    help.assign_ecoach(org.db, actor_id=None, email="grace@example.com", system="crm")
    clock = Clock(org.db)
    clock.now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a Monday morning in 2026Q4

    def ask(who, question):
        return help.ask(org.db, actor_id=who, data=help.HelpInput(
            question=question, touchpoint="call_centre", system="crm", details="Changing a customer's address."))

    kept = ask(org.frontline, "Where is the address field in the CRM?")
    late = ask(org.other_frontline, "The CRM login keeps timing out")
    ask(org.frontline, "CRM search finds nobody by phone")  # never answered: broken once past due
    clock.advance(hours=1)
    help.answer(org.db, actor_id=coach, request_id=kept, body="Edit, then Address.")
    clock.advance(hours=30)
    help.answer(org.db, actor_id=coach, request_id=late, body="Clear the browser's cache.")
    frame = scorecard.scorecard(org.db, actor_id=org.executive)
    # Each request's page says met / missed / overdue; the scorecard counts exactly those.
    statuses = {r: help.get_request(org.db, actor_id=org.admin, request_id=r).sla_status for r in (kept, late)}
    assert statuses == {kept: "met", late: "missed"}
    assert row(frame, "2026Q4", "CC")["share_help_answered_in_sla"] == 0.5
    assert row(frame, "2026Q4", "ST")["share_help_answered_in_sla"] == 0.0
    assert row(frame, "2026Q4", scorecard.ALL_TEAMS)["share_help_answered_in_sla"] == round(1 / 3, 4)
    assert "e-coaches" in {m.party for m in scorecard.MEASURES}
