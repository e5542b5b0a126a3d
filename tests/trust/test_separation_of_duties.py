"""The safe framework against one person: separation of duties, attacked as a careful manager would (issue 18).

SOD below is written from the issue's rules, not read from hero_core.permissions: nobody starts the review of,
assesses, approves (first or second), asks for changes on or declines an idea they proposed; it goes to another
manager of the team, or to an admin when there is none. A high-risk idea needs two different approvers, neither
an author; the second approver may also ask for changes or decline. Then each bypass found in the product is
played through the services on SQLite and PostgreSQL: it must be refused and leave the database unchanged.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hero_core import permissions, risk
from hero_core.errors import MissingInformation, PermissionDenied
from hero_core.models import Approval, AuditEntry, Idea, Notification, RiskAssessment
from hero_core.permissions import Actor, IdeaFacts
from hero_core.services import ideas, people, social
from hero_core.vocab import Role, State
from tests.integration.factories import assessment, idea_in_state, idea_input, state_of

R = Role
TEAM, OTHER = 1, 2

PERSONAS: dict[str, Actor] = {
    "author": Actor(1, "author@x", "Author", frozenset({R.FRONTLINE}), TEAM),
    "teammate": Actor(2, "teammate@x", "Teammate", frozenset({R.FRONTLINE}), TEAM),
    "manager": Actor(4, "manager@x", "Manager", frozenset({R.MANAGER}), TEAM, frozenset({TEAM})),
    "co_manager": Actor(10, "co@x", "Co-manager", frozenset({R.MANAGER}), TEAM, frozenset({TEAM})),
    "other_manager": Actor(5, "om@x", "Other manager", frozenset({R.MANAGER}), OTHER, frozenset({OTHER})),
    "it": Actor(6, "it@x", "IT", frozenset({R.IT_CHAMPION}), TEAM),
    "admin": Actor(8, "admin@x", "Admin", frozenset({R.ADMIN}), TEAM),
}
ID = {name: actor.id for name, actor in PERSONAS.items()}
REVIEW = ("start_review", "assess_risk", "approve", "second_approve", "request_changes", "decline")
APPROVERS = {"manager", "co_manager", "other_manager", "admin"}

#: situation -> (facts of an idea of TEAM in review, {action: who may}).
SOD: dict[str, tuple[IdeaFacts, dict[str, set[str]]]] = {
    "a frontline person's idea": (
        IdeaFacts(ID["author"], TEAM, State.IN_REVIEW, team_manager_ids=frozenset({4, 10})),
        {"start_review": {"manager", "co_manager"}, "assess_risk": {"manager", "co_manager"},
         "approve": {"manager", "co_manager"}, "second_approve": set(),
         "request_changes": {"manager", "co_manager"}, "decline": {"manager", "co_manager"}},
    ),
    "the sole manager's own idea": (
        IdeaFacts(ID["other_manager"], OTHER, State.IN_REVIEW, team_manager_ids=frozenset({5})),
        {a: set() for a in ("second_approve",)} | {a: {"admin"} for a in REVIEW if a != "second_approve"},
    ),
    "a co-manager's own idea": (
        IdeaFacts(ID["manager"], TEAM, State.IN_REVIEW, team_manager_ids=frozenset({4, 10})),
        {a: set() for a in ("second_approve",)} | {a: {"co_manager"} for a in REVIEW if a != "second_approve"},
    ),
    "high risk, first approved by the manager": (
        IdeaFacts(ID["author"], TEAM, State.IN_REVIEW, team_manager_ids=frozenset({4, 10}), first_approver_id=4),
        {"start_review": {"manager", "co_manager"}, "assess_risk": {"manager", "co_manager"},
         "approve": set(), "second_approve": {"co_manager", "other_manager", "admin"},
         "request_changes": APPROVERS, "decline": APPROVERS},
    ),
    "a co-manager's own high-risk idea, first approved by the other co-manager": (
        IdeaFacts(ID["manager"], TEAM, State.IN_REVIEW, team_manager_ids=frozenset({4, 10}), first_approver_id=10),
        {"start_review": {"co_manager"}, "assess_risk": {"co_manager"}, "approve": set(),
         "second_approve": {"other_manager", "admin"},
         "request_changes": {"co_manager", "other_manager", "admin"},
         "decline": {"co_manager", "other_manager", "admin"}},
    ),
    "the team's managers not known (no admin stands in)": (
        IdeaFacts(ID["manager"], TEAM, State.IN_REVIEW),
        {a: set() for a in ("second_approve",)} | {a: {"co_manager"} for a in REVIEW if a != "second_approve"},
    ),
}


def test_every_review_cell_of_every_situation_matches_the_separation_of_duties():
    wrong, cells = [], 0
    for situation, (facts, expected) in SOD.items():
        for action in REVIEW:
            for name, actor in PERSONAS.items():
                cells += 1
                if permissions.allowed(actor, action, facts) != (name in expected[action]):
                    wrong.append((situation, action, name))
    assert not wrong, wrong
    assert cells == len(SOD) * len(REVIEW) * len(PERSONAS)


def test_the_round_s_highest_assessment_decides_how_many_approvers_are_needed():
    assert risk.approvals_needed([]) == 1
    assert risk.approvals_needed([6, 12]) == 1
    assert risk.approvals_needed([25, 1]) == 2  # lowered after a high assessment: still two
    assert risk.approvals_needed([1, 15]) == 2


# ---- the bypasses, through the services on both databases ------------------------------------------------------


def snapshot(db, idea_id: int) -> tuple:
    """Everything a refused attempt must leave as it was."""
    with db.read() as s:
        idea = s.get(Idea, idea_id)
        return (
            idea.state, idea.version, idea.review_round,
            s.execute(select(func.count()).select_from(AuditEntry)).scalar(),
            s.execute(select(func.count()).select_from(Approval).where(Approval.idea_id == idea_id)).scalar(),
            s.execute(select(func.count()).select_from(RiskAssessment)
                      .where(RiskAssessment.idea_id == idea_id)).scalar(),
            s.execute(select(func.count()).select_from(Notification)).scalar(),
        )


def refused(db, idea_id: int, call, match: str, error=PermissionDenied) -> None:
    before = snapshot(db, idea_id)
    with pytest.raises(error, match=match):
        call()
    assert snapshot(db, idea_id) == before, "a refused attempt changed the database"


def rated(score: int) -> ideas.AssessmentInput:
    """Every category rated likelihood x impact = score (1, 4, 9, 16 or 25)."""
    side = int(score ** 0.5)
    base = assessment()
    return ideas.AssessmentInput(
        ratings=[risk.Rating(r.category, side, side, "watch it") for r in base.ratings],
        effort_value=base.effort_value, notes="")


def test_bypass_1_a_manager_cannot_review_her_own_idea_and_an_admin_reviews_it_instead(org):
    db = org.db
    idea_id = ideas.create_idea(db, actor_id=org.manager, data=idea_input(), submit=True)  # mia manages CC alone
    refused(db, idea_id, lambda: ideas.start_review(db, actor_id=org.manager, idea_id=idea_id),
            "did not propose it")
    view = ideas.get_idea(db, actor_id=org.manager, idea_id=idea_id)
    assert view.available_actions == ("retire", "withdraw")  # as a team manager, and as its submitter (issue 21)
    assert view.review_note == ("You proposed this idea, so someone else reviews it: an admin, since Contact centre "
                                "has no other manager.")
    assert view.waiting_on == "an admin to start the review"
    assert idea_id not in {q.idea.id for q in ideas.review_queue(db, actor_id=org.manager)}
    assert idea_id in {q.idea.id for q in ideas.review_queue(db, actor_id=org.admin)}
    ideas.start_review(db, actor_id=org.admin, idea_id=idea_id)
    assert ideas.get_idea(db, actor_id=org.manager, idea_id=idea_id).waiting_on == "an admin's decision"
    for attempt in (
        lambda: ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=rated(1)),
        lambda: ideas.decline(db, actor_id=org.manager, idea_id=idea_id, reason="Not needed after all."),
        lambda: ideas.request_changes(db, actor_id=org.manager, idea_id=idea_id, reason="Say more."),
    ):
        refused(db, idea_id, attempt, "did not propose it")
    ideas.assess_risk(db, actor_id=org.admin, idea_id=idea_id, assessment=rated(1))
    refused(db, idea_id, lambda: ideas.approve(db, actor_id=org.manager, idea_id=idea_id), "did not propose it")
    assert ideas.approve(db, actor_id=org.admin, idea_id=idea_id) == "approved"


def test_bypass_1_with_a_second_manager_goes_to_that_manager_not_to_an_admin(org):
    db = org.db
    people.set_team_managers(db, actor_id=None, team_code="CC", manager_emails=["mia@example.com", "max@example.com"])
    idea_id = ideas.create_idea(db, actor_id=org.manager, data=idea_input(), submit=True)
    refused(db, idea_id, lambda: ideas.start_review(db, actor_id=org.admin, idea_id=idea_id), "did not propose it")
    assert ideas.get_idea(db, actor_id=org.manager, idea_id=idea_id).review_note.endswith(
        "another manager of Contact centre.")
    ideas.start_review(db, actor_id=org.other_manager, idea_id=idea_id)


def test_bypass_2_lowering_the_ratings_after_a_first_approval_never_approves_alone(org):
    db = org.db
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=rated(25))
    assert ideas.approve(db, actor_id=org.manager, idea_id=idea_id) == "awaiting second approver"
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=rated(1))
    # The approval does not carry over to the new assessment, and the round's 25 still governs.
    assert ideas.approve(db, actor_id=org.manager, idea_id=idea_id) == "awaiting second approver"
    assert state_of(db, idea_id) == "in_review"
    refused(db, idea_id, lambda: ideas.approve(db, actor_id=org.manager, idea_id=idea_id), "approved it already")
    queue = {q.idea.id: q for q in ideas.review_queue(db, actor_id=org.other_manager)}
    assert queue[idea_id].needs_second_approver and queue[idea_id].overall_risk == 25
    assert ideas.approve(db, actor_id=org.other_manager, idea_id=idea_id, reason="Checked the mitigations.") == (
        "approved")
    with db.read() as s:
        approvers = s.execute(select(Approval.approver_id).where(Approval.idea_id == idea_id)
                              .order_by(Approval.id)).scalars().all()
    assert approvers == [org.manager, org.manager, org.other_manager]  # one on each assessment, two on the last


def test_bypass_3_a_co_manager_cannot_give_the_second_approval_of_her_own_high_risk_idea(org):
    db = org.db
    people.set_team_managers(db, actor_id=None, team_code="CC", manager_emails=["mia@example.com", "max@example.com"])
    idea_id = ideas.create_idea(db, actor_id=org.manager, data=idea_input(), submit=True)
    ideas.start_review(db, actor_id=org.other_manager, idea_id=idea_id)
    ideas.assess_risk(db, actor_id=org.other_manager, idea_id=idea_id, assessment=rated(16))
    assert ideas.approve(db, actor_id=org.other_manager, idea_id=idea_id) == "awaiting second approver"
    refused(db, idea_id, lambda: ideas.approve(db, actor_id=org.manager, idea_id=idea_id, reason="Mine, fine."),
            "neither proposed the idea nor gave its first approval")
    assert idea_id not in {q.idea.id for q in ideas.review_queue(db, actor_id=org.manager)}
    assert "approve" not in ideas.get_idea(db, actor_id=org.manager, idea_id=idea_id).available_actions
    assert ideas.approve(db, actor_id=org.admin, idea_id=idea_id, reason="Legal checked it.") == "approved"


@pytest.mark.parametrize("decision", ["request_changes", "decline"])
def test_the_second_approver_may_ask_for_changes_or_decline_with_a_reason(org, decision):
    db = org.db
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=rated(16))
    ideas.approve(db, actor_id=org.manager, idea_id=idea_id)
    view = ideas.get_idea(db, actor_id=org.other_manager, idea_id=idea_id)
    assert {"approve", "request_changes", "decline"} <= set(view.available_actions)
    call = getattr(ideas, decision)
    refused(db, idea_id, lambda: call(db, actor_id=org.other_manager, idea_id=idea_id, reason=""),
            "A reason is required", MissingInformation)
    call(db, actor_id=org.other_manager, idea_id=idea_id, reason="The customer data risk is not mitigated.")
    assert state_of(db, idea_id) == {"request_changes": "needs_changes", "decline": "declined"}[decision]


def test_the_second_approval_needs_a_reason(org):
    db = org.db
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=rated(16))
    ideas.approve(db, actor_id=org.manager, idea_id=idea_id)
    refused(db, idea_id, lambda: ideas.approve(db, actor_id=org.admin, idea_id=idea_id),
            "A reason is required to approve as second approver", MissingInformation)


def test_an_admin_finds_what_waits_for_a_second_approver_in_their_queue(org):
    db = org.db
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=rated(16))
    assert idea_id not in {q.idea.id for q in ideas.review_queue(db, actor_id=org.admin)}
    ideas.approve(db, actor_id=org.manager, idea_id=idea_id)
    queue = {q.idea.id: q for q in ideas.review_queue(db, actor_id=org.admin)}
    assert queue[idea_id].needs_second_approver and queue[idea_id].first_approver_email == "mia@example.com"


def test_people_who_may_not_see_the_assessment_do_not_learn_its_band(org):
    db = org.db
    idea_id = idea_in_state(org, "in_review")
    social.set_follow(db, actor_id=org.frontline_b, idea_id=idea_id, following=True)
    before = {n.id for n in _inbox(org, org.frontline_b)}
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=rated(16))
    ideas.approve(db, actor_id=org.manager, idea_id=idea_id)
    assert [n.message for n in _inbox(org, org.frontline_b) if n.id not in before] == []
    ideas.approve(db, actor_id=org.admin, idea_id=idea_id, reason="Checked.")
    teammate = org.frontline_b  # follows the idea, may not see its assessment
    assert ideas.get_idea(db, actor_id=teammate, idea_id=idea_id).assessment is None
    told = " ".join(n.message for n in _inbox(org, teammate)).lower()
    assert "risk" not in told and "second approver" not in told
    shown = ideas.timeline(db, actor_id=teammate, idea_id=idea_id)
    assert "approve_first_of_two" not in [e.action for e in shown]
    text = " ".join(e.before + e.after for e in shown)
    for secret in ('"overall"', '"band"', '"ratings"', '"approvers"', '"highest_in_round"', "high"):
        assert secret not in text, secret
    # The author and the managers still read the whole history.
    full = ideas.timeline(db, actor_id=org.frontline, idea_id=idea_id)
    assert "approve_first_of_two" in [e.action for e in full]
    assert '"overall":16' in " ".join(e.after for e in full)


def _inbox(org, user_id):
    from hero_core.services import notifications
    return notifications.inbox(org.db, actor_id=user_id)
