"""Ideas through the whole compact via the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from hero_core.errors import InvalidInput, MissingInformation, NotFound, StaleIdea, TransitionNotAllowed
from hero_core.services import ideas
from tests.integration.factories import assessment, audit_actions, idea_input, new_idea, state_of, version_of


def test_technology_idea_goes_from_draft_to_scaled_through_it(org):
    db = org.db
    idea_id = new_idea(org, tech=True)
    assert state_of(db, idea_id) == "draft"
    ideas.submit(db, actor_id=org.frontline, idea_id=idea_id, expected_version=version_of(db, idea_id))
    assert state_of(db, idea_id) == "submitted"
    ideas.start_review(db, actor_id=org.manager, idea_id=idea_id, expected_version=version_of(db, idea_id))
    assert state_of(db, idea_id) == "in_review"
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())
    assert (
        ideas.approve(db, actor_id=org.manager, idea_id=idea_id, expected_version=version_of(db, idea_id))
        == "approved"
    )
    assert state_of(db, idea_id) == "awaiting_it"  # handed to IT automatically
    ideas.claim(db, actor_id=org.it, idea_id=idea_id)
    assert state_of(db, idea_id) == "in_build"
    ideas.plan_it(
        db,
        actor_id=org.it,
        idea_id=idea_id,
        plan="Prefill from the order API",
        effort_days=4.5,
        blockers="API key",
    )
    ideas.start_pilot(
        db, actor_id=org.it, idea_id=idea_id, pilot_team_codes=["CC", "st"], launch_date=db.now().date()
    )
    assert state_of(db, idea_id) == "piloting"
    # The blocker recorded above stands in the way: scaling anyway needs a reason (tests/integration/
    # test_pilot_facts.py covers the checks themselves).
    ideas.start_scaling(db, actor_id=org.manager, idea_id=idea_id,
                        override_reason="The API key came; the blocker note was not cleared yet.")
    assert state_of(db, idea_id) == "scaling"
    ideas.complete_scaling(db, actor_id=org.it, idea_id=idea_id)

    view = ideas.get_idea(db, actor_id=org.frontline, idea_id=idea_id)
    assert view.state == "scaled"
    assert view.it_champion_email == "ivan@example.com"
    assert (view.it_plan, view.it_effort_days, view.it_blockers) == (
        "Prefill from the order API",
        4.5,
        "API key",
    )
    assert view.pilot_team_codes == ("CC", "ST")
    assert view.launch_date == db.now().date()
    assert all(
        view.milestones[m] is not None
        for m in (
            "submitted_at",
            "review_started_at",
            "decided_at",
            "approved_at",
            "claimed_at",
            "piloted_at",
            "scaling_at",
            "scaled_at",
        )
    )
    assert view.milestones["retired_at"] is None
    # Exactly one audit entry per change, in order.
    assert audit_actions(db, idea_id) == [
        "created",
        "submit",
        "start_review",
        "assess_risk",
        "approve",
        "route_to_it",
        "claim",
        "it_plan",
        "start_pilot",
        "start_scaling",
        "complete_scaling",
    ]
    assert [e.action for e in ideas.timeline(db, actor_id=org.frontline, idea_id=idea_id)] == audit_actions(
        db, idea_id
    )


def test_non_technology_idea_pilots_straight_after_approval(org):
    db = org.db
    idea_id = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(), submit=True)
    ideas.start_review(db, actor_id=org.manager, idea_id=idea_id)
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())
    assert ideas.approve(db, actor_id=org.manager, idea_id=idea_id) == "approved"
    assert state_of(db, idea_id) == "approved"
    with pytest.raises(TransitionNotAllowed, match="Cannot claim for it an idea that is approved"):
        ideas.claim(db, actor_id=org.it, idea_id=idea_id)
    ideas.start_pilot(
        db, actor_id=org.manager, idea_id=idea_id, pilot_team_codes=["CC"], launch_date=db.now().date()
    )
    assert state_of(db, idea_id) == "piloting"
    assert "route_to_it" not in audit_actions(db, idea_id)


def test_approval_needs_a_risk_assessment(org):
    db = org.db
    idea_id = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(), submit=True)
    ideas.start_review(db, actor_id=org.manager, idea_id=idea_id)
    with pytest.raises(MissingInformation, match="needs a risk assessment"):
        ideas.approve(db, actor_id=org.manager, idea_id=idea_id)
    assert state_of(db, idea_id) == "in_review"


def test_risk_is_assessed_only_while_in_review(org):
    db = org.db
    idea_id = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(), submit=True)
    with pytest.raises(TransitionNotAllowed, match="Start the review first"):
        ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())


def test_requesting_changes_then_resubmitting_starts_a_new_review(org):
    db = org.db
    idea_id = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(), submit=True)
    ideas.start_review(db, actor_id=org.manager, idea_id=idea_id)
    with pytest.raises(MissingInformation, match="reason is required to ask for changes"):
        ideas.request_changes(db, actor_id=org.manager, idea_id=idea_id, reason="   ")
    ideas.request_changes(db, actor_id=org.manager, idea_id=idea_id, reason="Which form? Add its name.")
    assert state_of(db, idea_id) == "needs_changes"
    assert (
        ideas.get_idea(db, actor_id=org.frontline, idea_id=idea_id).last_reason == "Which form? Add its name."
    )

    edited = ideas.IdeaInput(**{**idea_input().__dict__, "title": "Shorter online returns form"})
    version = ideas.edit_idea(
        db, actor_id=org.frontline, idea_id=idea_id, expected_version=version_of(db, idea_id), data=edited
    )
    ideas.resubmit(db, actor_id=org.frontline, idea_id=idea_id, expected_version=version)
    view = ideas.get_idea(db, actor_id=org.manager, idea_id=idea_id)
    assert (view.state, view.title) == ("submitted", "Shorter online returns form")
    assert view.milestones["review_started_at"] is None
    assert audit_actions(db, idea_id) == [
        "created",
        "submit",
        "start_review",
        "request_changes",
        "edited",
        "resubmit",
    ]


def test_decline_needs_a_reason_and_closes_the_idea(org):
    db = org.db
    idea_id = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(), submit=True)
    ideas.start_review(db, actor_id=org.manager, idea_id=idea_id)
    with pytest.raises(MissingInformation):
        ideas.decline(db, actor_id=org.manager, idea_id=idea_id, reason="")
    ideas.decline(db, actor_id=org.manager, idea_id=idea_id, reason="The form is being replaced anyway.")
    assert state_of(db, idea_id) == "declined"
    with pytest.raises(TransitionNotAllowed, match="nothing more can happen to it"):
        ideas.retire(db, actor_id=org.manager, idea_id=idea_id, reason="tidy up")


def test_retiring_a_live_idea_records_the_reason(org):
    db = org.db
    idea_id = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(), submit=True)
    with pytest.raises(MissingInformation, match="reason is required to retire"):
        ideas.retire(db, actor_id=org.admin, idea_id=idea_id, reason="")
    ideas.retire(db, actor_id=org.admin, idea_id=idea_id, reason="Duplicate of #1")
    view = ideas.get_idea(db, actor_id=org.frontline, idea_id=idea_id)
    assert (view.state, view.last_reason) == ("retired", "Duplicate of #1")
    assert view.milestones["retired_at"] is not None
    timeline = ideas.timeline(db, actor_id=org.frontline, idea_id=idea_id)
    assert (timeline[-1].action, timeline[-1].reason, timeline[-1].actor_email) == (
        "retire",
        "Duplicate of #1",
        "ada@example.com",
    )


def test_a_draft_is_invisible_even_to_an_admin_who_would_retire_it(org):
    idea_id = new_idea(org)
    with pytest.raises(NotFound, match=f"no idea #{idea_id} that you can see"):
        ideas.retire(org.db, actor_id=org.admin, idea_id=idea_id, reason="no")
    assert state_of(org.db, idea_id) == "draft"


def test_acting_on_an_old_version_is_refused_as_stale(org):
    db = org.db
    idea_id = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(), submit=True)
    opened = version_of(db, idea_id)
    ideas.start_review(db, actor_id=org.manager, idea_id=idea_id, expected_version=opened)
    with pytest.raises(StaleIdea, match="changed since you opened it"):
        ideas.decline(db, actor_id=org.manager, idea_id=idea_id, reason="too late", expected_version=opened)
    assert state_of(db, idea_id) == "in_review"


def test_invalid_idea_input_names_every_problem_and_stores_nothing(org):
    bad = ideas.IdeaInput(
        title="abc",
        roadblock="short",
        proposal="x" * 20,
        touchpoint="fax",
        category="complex_form",
        target_metrics=("happiness",),
    )
    with pytest.raises(InvalidInput) as refused:
        ideas.create_idea(org.db, actor_id=org.frontline, data=bad, submit=True)
    assert set(refused.value.fields) == {"title", "roadblock", "touchpoint", "target_metrics"}
    with pytest.raises(InvalidInput) as refused:  # a draft may be short of text, not wrong in what it has
        ideas.create_idea(org.db, actor_id=org.frontline, data=bad)
    assert set(refused.value.fields) == {"title", "touchpoint", "target_metrics"}
    assert ideas.list_ideas(org.db, actor_id=org.frontline)[1] == 0


def test_pilot_needs_teams_and_a_launch_date(org):
    db = org.db
    idea_id = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(), submit=True)
    ideas.start_review(db, actor_id=org.manager, idea_id=idea_id)
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())
    ideas.approve(db, actor_id=org.manager, idea_id=idea_id)
    with pytest.raises(MissingInformation, match="at least one pilot team and a launch date"):
        ideas.start_pilot(db, actor_id=org.manager, idea_id=idea_id, pilot_team_codes=[], launch_date=None)
    with pytest.raises(InvalidInput, match="pilot team 'XX' does not exist"):
        ideas.start_pilot(
            db, actor_id=org.manager, idea_id=idea_id, pilot_team_codes=["XX"], launch_date=date(2026, 3, 2)
        )
    assert state_of(db, idea_id) == "approved"
