"""Contract: the review queue's SQL holds exactly the ideas on which the permission matrix lets a person act.

The queue (hero_core/services/ideas.review_queue, with the SQL of hero_core/services/approvals.py) restates in
SQL who reviews an idea: a manager of its team who did not propose it, an admin when the team has no other
manager, any manager or admin but the first approver and the submitter when a second approval is awaited, with
the highest risk of the current review round deciding. Hypothesis builds random organisations and histories —
stale team-manager rows without the role, deactivated managers, several review rounds, approvals on older
assessments, merged duplicates — and for every manager and admin compares the queue with the Python rules
(approvals.review_facts + permissions.allowed), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from hero_core import audit, permissions
from hero_core.models import Approval, Idea, RiskAssessment, Team, TeamManager, User, UserRole
from hero_core.services import approvals, ideas
from hero_core.services.common import load_actor
from hero_core.vocab import Role, State

STATES = [State.DRAFT, State.SUBMITTED, State.IN_REVIEW, State.NEEDS_CHANGES, State.APPROVED]
SCORES = [1, 4, 6, 9, 12, 15, 16, 20, 25]
_unique = count(1)

person = st.fixed_dictionaries({
    "roles": st.sets(st.sampled_from([Role.FRONTLINE, Role.MANAGER, Role.ADMIN]), min_size=1),
    "active": st.sampled_from([True, True, False]),
    "team": st.integers(0, 1),
    "manages": st.sets(st.integers(0, 1), max_size=2),  # rows kept even without the manager role (stale)
})
assessment = st.fixed_dictionaries({
    "earlier_round": st.booleans(),
    "overall": st.sampled_from(SCORES),
    "approvers": st.lists(st.integers(0, 5), max_size=2, unique=True),
})
idea = st.fixed_dictionaries({
    "team": st.integers(0, 1),
    "submitter": st.integers(0, 5),
    "state": st.sampled_from(STATES),
    "round": st.integers(1, 3),
    "merged": st.booleans(),
    "assessments": st.lists(assessment, max_size=3),
})
world = st.fixed_dictionaries({"people": st.lists(person, min_size=6, max_size=6),
                               "ideas": st.lists(idea, min_size=2, max_size=8)})


def _build(db, w) -> list[int]:
    """Store the world as rows (with one audit entry, so cached reads see the change); return the people's ids."""
    tag = next(_unique)
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with db.write() as s:
        teams = []
        for k in range(2):
            team = Team(code=f"W{tag}T{k}", name=f"World {tag} team {k}", created_at=now)
            s.add(team)
            teams.append(team)
        s.flush()
        users = []
        for k, p in enumerate(w["people"]):
            user = User(email=f"w{tag}p{k}@example.com", name=f"Person {k}", team_id=teams[p["team"]].id,
                        active=p["active"], failed_logins=0, created_at=now)
            s.add(user)
            users.append(user)
        s.flush()
        for user, p in zip(users, w["people"], strict=True):
            s.add_all(UserRole(user_id=user.id, role=r.value) for r in p["roles"])
            s.add_all(TeamManager(team_id=teams[t].id, user_id=user.id) for t in p["manages"])
        first_idea = None
        for k, spec in enumerate(w["ideas"]):
            row = Idea(title=f"World {tag} idea {k}", roadblock="A roadblock.", proposal="A proposal.",
                       touchpoint="website", category="complex_form", submitter_id=users[spec["submitter"]].id,
                       team_id=teams[spec["team"]].id, state=spec["state"].value, created_at=now, updated_at=now,
                       submitted_at=now, review_round=spec["round"], it_plan="", it_blockers="", last_reason="")
            s.add(row)
            s.flush()
            if spec["merged"] and first_idea is not None:
                row.merged_into_id = first_idea
            first_idea = first_idea or row.id
            for j, a in enumerate(spec["assessments"]):
                made = RiskAssessment(
                    idea_id=row.id, assessor_id=users[0].id, created_at=now + timedelta(minutes=j),
                    overall=a["overall"], needs_it=False, needs_legal=False, budget="none",
                    people_systems_touched=1, customers_reached="one_team", expected_change="clear",
                    strategic_fit="strong", ev_category="quick_win", notes="",
                    review_round=spec["round"] - 1 if a["earlier_round"] else spec["round"])
                s.add(made)
                s.flush()
                s.add_all(Approval(idea_id=row.id, assessment_id=made.id, approver_id=users[u].id,
                                   at=now + timedelta(minutes=j, seconds=i)) for i, u in enumerate(a["approvers"]))
        s.flush()
        audit.record(s, at=now, actor_id=None, actor_email="system", action="test_world", entity_type="test",
                     entity_id=tag)
        return [u.id for u in users]


def _expected(db, actor_id: int) -> set[int]:
    """The ideas on which the matrix lets this person take a review action, by the Python rules."""
    out = set()
    with db.read() as s:
        actor = load_actor(s, actor_id)
        for row in s.execute(select(Idea).where(Idea.state.in_([State.SUBMITTED.value, State.IN_REVIEW.value]),
                                                Idea.merged_into_id.is_(None))).scalars():
            facts = approvals.review_facts(s, row)
            if any(permissions.allowed(actor, action, facts) for action in approvals.REVIEW_ACTIONS):
                out.add(row.id)
    return out


@given(w=world)
def test_the_review_queue_holds_exactly_the_ideas_the_rules_let_each_person_review(db, w):
    user_ids = _build(db, w)
    for uid in user_ids:
        with db.read() as s:
            actor = load_actor(s, uid)
        if not permissions.allowed(actor, "view_review_queue"):
            continue
        queue = ideas.review_queue(db, actor_id=uid)
        assert {q.idea.id for q in queue} == _expected(db, uid), (uid, actor.roles, w)
        for q in queue:  # the queue's "waits for a second approver" is the rules' first approval pending
            with db.read() as s:
                facts = approvals.review_facts(s, s.get(Idea, q.idea.id))
            assert q.needs_second_approver == (facts.first_approver_id is not None)
