"""Who hears about what: submitters about decisions, managers about submissions, IT about technology ideas."""

from __future__ import annotations

import pytest

from hero_core.services import ideas, notifications, people
from tests.integration.factories import assessment, idea_in_state, idea_input, new_idea


def inbox(org, user_id, kind=None):
    return [n for n in notifications.inbox(org.db, actor_id=user_id) if kind is None or n.kind == kind]


def messages(org, user_id, kind=None):
    return sorted(n.message for n in inbox(org, user_id, kind))


def test_team_managers_hear_of_a_new_submission_and_no_one_else(org):
    idea_id = ideas.create_idea(org.db, actor_id=org.frontline, data=idea_input(), submit=True)
    assert messages(org, org.manager, "submitted") == [
        f"New idea #{idea_id} “Shorter returns form” from Fran waits for your review."
    ]
    for other in (org.other_manager, org.frontline, org.it, org.executive, org.admin):
        assert inbox(org, other) == []


def test_resubmission_notifies_the_team_managers_again(org):
    idea_id = idea_in_state(org, "needs_changes")
    ideas.resubmit(org.db, actor_id=org.frontline, idea_id=idea_id)
    assert len(inbox(org, org.manager, "submitted")) == 2


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        ("approve", "was approved."),
        ("decline", "was declined. Reason: Not this quarter."),
        ("request_changes", "needs changes. Reason: Not this quarter."),
    ],
)
def test_submitter_gets_exactly_one_notification_per_decision(org, decision, expected):
    db = org.db
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())
    before = {n.id for n in inbox(org, org.frontline)}
    if decision == "approve":
        ideas.approve(db, actor_id=org.manager, idea_id=idea_id)
    else:
        getattr(ideas, decision)(db, actor_id=org.manager, idea_id=idea_id, reason="Not this quarter.")
    new = [n for n in inbox(org, org.frontline) if n.id not in before]
    assert [(n.kind, n.idea_id, n.message) for n in new] == [
        ("decision", idea_id, f"Your idea #{idea_id} “Shorter returns form” {expected}")
    ]
    assert all(not n.read for n in new)


def test_it_champions_hear_when_a_technology_idea_is_approved(org):
    db = org.db
    retired_it = people.add_user(
        db, actor_id=None, email="old-it@example.com", name="Old It", roles=["it_champion"], team_code="ST"
    )
    people.set_active(db, actor_id=None, email="old-it@example.com", active=False)
    idea_id = idea_in_state(org, "awaiting_it")
    assert messages(org, org.it, "awaiting_it") == [
        f"Approved technology idea #{idea_id} “Shorter returns form” waits for an IT champion to claim it."
    ]
    assert inbox(org, retired_it) == []  # deactivated people are not notified


def test_it_champions_do_not_hear_of_non_technology_approvals(org):
    idea_in_state(org, "approved")
    assert inbox(org, org.it) == []


def test_second_approvers_hear_of_a_high_risk_first_approval_but_the_first_approver_does_not(org):
    db = org.db
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=assessment(high=True))
    ideas.approve(db, actor_id=org.manager, idea_id=idea_id)
    assert len(inbox(org, org.other_manager, "second_approval")) == 1
    assert len(inbox(org, org.admin, "second_approval")) == 1
    assert inbox(org, org.manager, "second_approval") == []
    assert inbox(org, org.it) == []


def test_nobody_is_notified_of_their_own_action(org):
    # A manager who proposes an idea gets no inbox row for it; the team has no other manager, so the admin
    # reviews it, and is not told of the review they started themselves.
    db = org.db
    idea_id = ideas.create_idea(db, actor_id=org.manager, data=idea_input(), submit=True)
    assert inbox(org, org.manager) == []
    ideas.start_review(db, actor_id=org.admin, idea_id=idea_id)
    assert [n.kind for n in inbox(org, org.admin)] == ["submitted"]
    assert [n.kind for n in inbox(org, org.manager)] == ["decision"]


def test_marking_read_touches_only_the_readers_own_notifications(org):
    idea_in_state(org, "declined")
    assert notifications.unread_count(org.db, actor_id=org.frontline) == 2  # review started, declined
    assert notifications.mark_read(org.db, actor_id=org.manager) == 1  # the submission notice
    assert notifications.unread_count(org.db, actor_id=org.frontline) == 2
    ids = [n.id for n in inbox(org, org.frontline)]
    assert notifications.mark_read(org.db, actor_id=org.frontline, notification_ids=ids[:1]) == 1
    assert notifications.unread_count(org.db, actor_id=org.frontline) == 1


def test_a_draft_notifies_no_one(org):
    new_idea(org)
    assert all(inbox(org, u) == [] for u in (org.manager, org.other_manager, org.admin))
