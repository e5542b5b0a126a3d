"""The services enforce the permission matrix themselves, whatever a UI shows or hides."""

from __future__ import annotations

from datetime import date

import pytest

from hero_core.errors import NotFound, PermissionDenied
from hero_core.services import ideas, people
from tests.integration.factories import (
    assessment,
    audit_actions,
    idea_in_state,
    idea_input,
    new_idea,
    state_of,
    version_of,
)


def test_manager_of_another_team_cannot_start_the_review(org):
    idea_id = idea_in_state(org, "submitted")
    with pytest.raises(PermissionDenied, match=r"Only a manager of the idea's team who did not propose it \(an admin "
                                               r"when the team has no other manager\) may start review; max@"):
        ideas.start_review(org.db, actor_id=org.other_manager, idea_id=idea_id)
    assert state_of(org.db, idea_id) == "submitted"


@pytest.mark.parametrize("decision", ["approve", "decline", "request_changes", "assess_risk"])
def test_manager_of_another_team_cannot_decide_or_assess(org, decision):
    db = org.db
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())
    calls = {
        "approve": lambda: ideas.approve(db, actor_id=org.other_manager, idea_id=idea_id),
        "decline": lambda: ideas.decline(db, actor_id=org.other_manager, idea_id=idea_id, reason="No."),
        "request_changes": lambda: ideas.request_changes(
            db, actor_id=org.other_manager, idea_id=idea_id, reason="More."
        ),
        "assess_risk": lambda: ideas.assess_risk(
            db, actor_id=org.other_manager, idea_id=idea_id, assessment=assessment(high=True)
        ),
    }
    before = audit_actions(db, idea_id)
    with pytest.raises(PermissionDenied, match="Only a manager of the idea's team"):
        calls[decision]()
    assert state_of(db, idea_id) == "in_review"
    assert audit_actions(db, idea_id) == before


def test_frontline_cannot_see_someone_elses_draft(org):
    db = org.db
    idea_id = new_idea(org)
    for call in (
        lambda: ideas.get_idea(db, actor_id=org.frontline_b, idea_id=idea_id),
        lambda: ideas.timeline(db, actor_id=org.frontline_b, idea_id=idea_id),
        lambda: ideas.submit(db, actor_id=org.frontline_b, idea_id=idea_id),
    ):
        with pytest.raises(NotFound, match=f"no idea #{idea_id}"):
            call()
    assert ideas.list_ideas(db, actor_id=org.frontline_b) == ([], 0)
    assert [i.id for i in ideas.list_ideas(db, actor_id=org.frontline)[0]] == [idea_id]


def test_frontline_cannot_edit_someone_elses_draft(org):
    db = org.db
    idea_id = new_idea(org)
    with pytest.raises(NotFound):
        ideas.edit_idea(
            db,
            actor_id=org.frontline_b,
            idea_id=idea_id,
            expected_version=None,
            data=idea_input(title="Hijacked title"),
        )
    assert ideas.get_idea(db, actor_id=org.frontline, idea_id=idea_id).title == "Shorter returns form"


def test_frontline_may_see_but_not_edit_or_resubmit_someone_elses_submitted_idea(org):
    db = org.db
    idea_id = idea_in_state(org, "needs_changes")
    assert ideas.get_idea(db, actor_id=org.frontline_b, idea_id=idea_id).state == "needs_changes"
    with pytest.raises(PermissionDenied, match="Only the submitter"):
        ideas.edit_idea(
            db,
            actor_id=org.frontline_b,
            idea_id=idea_id,
            expected_version=None,
            data=idea_input(title="Hijacked title"),
        )
    with pytest.raises(PermissionDenied, match="Only the submitter may resubmit"):
        ideas.resubmit(db, actor_id=org.frontline_b, idea_id=idea_id)


def test_submitter_cannot_edit_an_idea_under_review(org):
    idea_id = idea_in_state(org, "in_review")
    with pytest.raises(PermissionDenied, match="while the idea is a draft or needs changes"):
        ideas.edit_idea(
            org.db,
            actor_id=org.frontline,
            idea_id=idea_id,
            expected_version=None,
            data=idea_input(title="Quietly changed"),
        )


def test_frontline_cannot_claim_or_pilot(org):
    db = org.db
    idea_id = idea_in_state(org, "awaiting_it")
    with pytest.raises(PermissionDenied, match="Only an IT champion may claim"):
        ideas.claim(db, actor_id=org.frontline, idea_id=idea_id)
    approved = idea_in_state(org, "approved")
    with pytest.raises(PermissionDenied, match="Only an IT champion or a manager of the idea's team"):
        ideas.start_pilot(
            db,
            actor_id=org.frontline,
            idea_id=approved,
            pilot_team_codes=["CC"],
            launch_date=date(2026, 3, 2),
        )


def test_deactivated_manager_is_refused(org):
    db = org.db
    idea_id = idea_in_state(org, "submitted")
    people.set_active(db, actor_id=org.admin, email="mia@example.com", active=False)
    with pytest.raises(PermissionDenied, match=r"mia@example\.com is deactivated"):
        ideas.start_review(db, actor_id=org.manager, idea_id=idea_id)
    with pytest.raises(PermissionDenied, match="is deactivated"):
        ideas.create_idea(db, actor_id=org.manager, data=idea_input())
    with pytest.raises(PermissionDenied, match="is deactivated"):
        ideas.review_queue(db, actor_id=org.manager)
    assert state_of(db, idea_id) == "submitted"


def test_deactivated_submitter_cannot_submit_their_own_draft(org):
    db = org.db
    idea_id = new_idea(org)
    people.set_active(db, actor_id=org.admin, email="fran@example.com", active=False)
    with pytest.raises(PermissionDenied, match=r"fran@example\.com is deactivated"):
        ideas.submit(db, actor_id=org.frontline, idea_id=idea_id)
    with pytest.raises(PermissionDenied, match="is deactivated"):
        ideas.get_idea(db, actor_id=org.frontline, idea_id=idea_id)
    assert state_of(db, idea_id) == "draft"


def test_deactivated_admin_cannot_manage_users(org):
    db = org.db
    people.set_active(db, actor_id=None, email="ada@example.com", active=False)
    with pytest.raises(PermissionDenied, match="is deactivated"):
        people.add_user(
            db, actor_id=org.admin, email="new@example.com", name="New", roles=["frontline"], team_code="CC"
        )


def test_granting_a_role_takes_effect_on_the_next_call(org):
    db = org.db
    idea_id = idea_in_state(org, "awaiting_it")
    with pytest.raises(PermissionDenied):
        ideas.claim(db, actor_id=org.frontline_b, idea_id=idea_id)
    people.set_roles(db, actor_id=org.admin, email="frank@example.com", roles=["frontline", "it_champion"])
    ideas.claim(db, actor_id=org.frontline_b, idea_id=idea_id)
    assert state_of(db, idea_id) == "in_build"


def test_removing_a_role_takes_effect_on_the_next_call(org):
    db = org.db
    first = idea_in_state(org, "submitted")
    second = idea_in_state(org, "submitted")
    ideas.start_review(db, actor_id=org.manager, idea_id=first)
    people.set_roles(db, actor_id=org.admin, email="mia@example.com", roles=["frontline"])
    with pytest.raises(PermissionDenied):
        ideas.start_review(db, actor_id=org.manager, idea_id=second)
    with pytest.raises(PermissionDenied):
        ideas.review_queue(db, actor_id=org.manager)
    assert state_of(db, second) == "submitted"


def test_only_admins_manage_people(org):
    for actor in (org.manager, org.executive, org.it, org.frontline):
        with pytest.raises(PermissionDenied, match="Only admins may manage users"):
            people.set_roles(org.db, actor_id=actor, email="frank@example.com", roles=["admin"])
    assert people.get_user(org.db, org.frontline_b).roles == ("frontline",)


def test_unknown_actor_is_refused(org):
    idea_id = idea_in_state(org, "submitted")
    with pytest.raises(PermissionDenied, match="Your account could not be found"):
        ideas.start_review(org.db, actor_id=9999, idea_id=idea_id)


def test_stale_version_is_checked_only_after_the_person_may_see_the_idea(org):
    # Someone who cannot see a draft learns nothing from a version mismatch either.
    idea_id = new_idea(org)
    with pytest.raises(NotFound):
        ideas.submit(
            org.db,
            actor_id=org.frontline_b,
            idea_id=idea_id,
            expected_version=version_of(org.db, idea_id) + 5,
        )
