"""High risk (overall >= 15) needs a second, different approver; a new assessment resets the approvals."""

from __future__ import annotations

import pytest

from hero_core.errors import MissingInformation, PermissionDenied, StaleIdea
from hero_core.services import ideas
from tests.integration.factories import assessment, audit_actions, idea_in_state, state_of, version_of


@pytest.fixture
def high_risk_idea(org) -> int:
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(org.db, actor_id=org.manager, idea_id=idea_id, assessment=assessment(high=True))
    return idea_id


def test_first_approval_of_a_high_risk_idea_leaves_it_in_review(org, high_risk_idea):
    db = org.db
    assert ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea) == "awaiting second approver"
    assert state_of(db, high_risk_idea) == "in_review"
    assert audit_actions(db, high_risk_idea)[-1] == "approve_first_of_two"
    view = ideas.get_idea(db, actor_id=org.manager, idea_id=high_risk_idea)
    assert view.assessment.overall == 16 and view.assessment.needs_second_approver
    assert view.assessment.approver_emails == ("mia@example.com",)
    assert "approve" not in view.available_actions  # the first approver is not offered a second go


def test_second_approver_must_differ_from_first(org, high_risk_idea):
    db = org.db
    ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea)
    with pytest.raises(PermissionDenied, match="you approved it already"):
        ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea)
    assert state_of(db, high_risk_idea) == "in_review"
    assert audit_actions(db, high_risk_idea).count("approve") == 0


def test_frontline_person_cannot_give_the_second_approval(org, high_risk_idea):
    db = org.db
    ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea)
    with pytest.raises(PermissionDenied, match="Only a manager or an admin"):
        ideas.approve(db, actor_id=org.frontline_b, idea_id=high_risk_idea)
    assert state_of(db, high_risk_idea) == "in_review"


@pytest.mark.parametrize("second", ["other_manager", "admin"])
def test_manager_of_another_team_or_an_admin_gives_the_second_approval(org, high_risk_idea, second):
    db = org.db
    ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea)
    second_id = getattr(org, second)
    assert ideas.approve(db, actor_id=second_id, idea_id=high_risk_idea, reason="Mitigated.") == "approved"
    assert state_of(db, high_risk_idea) == "approved"
    assert audit_actions(db, high_risk_idea)[-2:] == ["approve_first_of_two", "approve"]
    view = ideas.get_idea(db, actor_id=org.manager, idea_id=high_risk_idea)
    assert len(view.assessment.approver_emails) == 2


def test_manager_of_another_team_sees_the_idea_waiting_for_a_second_approval_in_their_queue(
    org, high_risk_idea
):
    db = org.db
    assert [q.idea.id for q in ideas.review_queue(db, actor_id=org.other_manager)] == []
    ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea)
    queue = ideas.review_queue(db, actor_id=org.other_manager)
    assert [(q.idea.id, q.needs_second_approver, q.first_approver_email) for q in queue] == [
        (high_risk_idea, True, "mia@example.com")
    ]


def test_another_teams_manager_cannot_give_the_first_approval(org, high_risk_idea):
    with pytest.raises(PermissionDenied, match="Only a manager of the idea's team who did not propose it"):
        ideas.approve(org.db, actor_id=org.other_manager, idea_id=high_risk_idea)


def test_a_new_assessment_after_the_first_approval_resets_the_approvals(org, high_risk_idea):
    db = org.db
    ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea)
    ideas.assess_risk(db, actor_id=org.manager, idea_id=high_risk_idea, assessment=assessment(high=True))
    # The earlier approval counted for the old assessment only: another team's manager is no second approver
    # now, and the team's manager gives a fresh first approval instead of being told they approved already.
    with pytest.raises(PermissionDenied, match="Only a manager of the idea's team who did not propose it"):
        ideas.approve(db, actor_id=org.other_manager, idea_id=high_risk_idea)
    assert ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea) == "awaiting second approver"
    assert ideas.approve(db, actor_id=org.admin, idea_id=high_risk_idea, reason="Mitigated.") == "approved"


def test_a_lower_assessment_in_the_same_round_still_needs_a_second_approver(org, high_risk_idea):
    db = org.db
    ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea)
    ideas.assess_risk(db, actor_id=org.manager, idea_id=high_risk_idea, assessment=assessment(high=False))
    # The round's highest band governs: the new, low assessment needs its own first approval, then a second.
    assert ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea) == "awaiting second approver"
    assert state_of(db, high_risk_idea) == "in_review"
    assert ideas.approve(db, actor_id=org.admin, idea_id=high_risk_idea, reason="Checked.") == "approved"


def test_a_new_review_round_after_changes_is_judged_on_its_own_assessments(org, high_risk_idea):
    db = org.db
    ideas.request_changes(db, actor_id=org.manager, idea_id=high_risk_idea, reason="Remove the legal risk.")
    ideas.resubmit(db, actor_id=org.frontline, idea_id=high_risk_idea)
    ideas.start_review(db, actor_id=org.manager, idea_id=high_risk_idea)
    with pytest.raises(MissingInformation, match="assess its risk again"):
        ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea)
    ideas.assess_risk(db, actor_id=org.manager, idea_id=high_risk_idea, assessment=assessment(high=False))
    assert ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea) == "approved"


def test_a_second_approver_who_opened_the_idea_before_a_reassessment_is_told_it_is_stale(org, high_risk_idea):
    db = org.db
    ideas.approve(db, actor_id=org.manager, idea_id=high_risk_idea)
    opened = version_of(db, high_risk_idea)
    ideas.assess_risk(db, actor_id=org.manager, idea_id=high_risk_idea, assessment=assessment(high=True))
    with pytest.raises(StaleIdea):
        ideas.approve(db, actor_id=org.admin, idea_id=high_risk_idea, expected_version=opened)


def test_assessing_and_first_approving_change_the_version_even_when_the_clock_stands_still(org):
    db = org.db
    frozen = db.now()
    db.clock = lambda: frozen
    idea_id = idea_in_state(org, "in_review")
    v0 = version_of(db, idea_id)
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=assessment(high=True))
    v1 = version_of(db, idea_id)
    ideas.approve(db, actor_id=org.manager, idea_id=idea_id, expected_version=v1)
    v2 = version_of(db, idea_id)
    assert v0 < v1 < v2
    with pytest.raises(StaleIdea):
        ideas.approve(db, actor_id=org.admin, idea_id=idea_id, expected_version=v1)
