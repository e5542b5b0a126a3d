"""Two managers decide the same idea at the same moment: one wins, no lost update, no "database is locked"."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from hero_core import audit
from hero_core.errors import StaleIdea, TransitionNotAllowed
from hero_core.models import AuditEntry
from hero_core.services import ideas, people
from tests.integration.factories import (
    assessment,
    audit_actions,
    idea_in_state,
    idea_input,
    state_of,
    version_of,
)

ROUNDS = 3


@pytest.fixture
def second_manager(org):
    """Another manager of team CC, so two people may legitimately decide the same idea."""
    return people.add_user(
        org.db, actor_id=None, email="mo@example.com", name="Mo", roles=["manager"], team_code="CC"
    )


def race(*calls):
    """Run the calls in threads released together by a barrier; return each outcome (None or an error)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racing call hung"
    return outcomes


def ready_for_decision(org) -> int:
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(org.db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())
    return idea_id


DECISIONS = ("approve", "decline")


def approve_and_decline_at_once(org, manager_b, idea_id, expected_version):
    """One team manager approves as another declines; returns (winning decisions, the losers' errors)."""
    outcomes = race(
        lambda: ideas.approve(
            org.db, actor_id=org.manager, idea_id=idea_id, expected_version=expected_version
        ),
        lambda: ideas.decline(
            org.db, actor_id=manager_b, idea_id=idea_id, reason="Not now.", expected_version=expected_version
        ),
    )
    winners = [d for d, o in zip(DECISIONS, outcomes, strict=True) if o is None]
    return winners, [o for o in outcomes if o is not None]


def test_concurrent_approve_and_decline_with_the_same_version_one_wins_the_other_is_told_it_is_stale(
    org, second_manager
):
    db = org.db
    for _ in range(ROUNDS):
        idea_id = ready_for_decision(org)
        winners, losers = approve_and_decline_at_once(org, second_manager, idea_id, version_of(db, idea_id))
        assert len(winners) == 1, losers
        assert len(losers) == 1 and type(losers[0]) is StaleIdea, losers
        assert "changed since you opened it" in str(losers[0])
        assert state_of(db, idea_id) == {"approve": "approved", "decline": "declined"}[winners[0]]
        assert [a for a in audit_actions(db, idea_id) if a in DECISIONS] == winners


def test_concurrent_decisions_without_a_version_still_lose_no_update(org, second_manager):
    db = org.db
    for _ in range(ROUNDS):
        idea_id = ready_for_decision(org)
        winners, losers = approve_and_decline_at_once(org, second_manager, idea_id, None)
        assert len(winners) == 1, losers
        assert len(losers) == 1 and type(losers[0]) in (TransitionNotAllowed, StaleIdea), losers
        assert state_of(db, idea_id) == {"approve": "approved", "decline": "declined"}[winners[0]]
        assert [a for a in audit_actions(db, idea_id) if a in DECISIONS] == winners


def test_many_concurrent_claims_leave_exactly_one_champion(org):
    db = org.db
    champions = [
        people.add_user(
            db,
            actor_id=None,
            email=f"it{i}@example.com",
            name=f"It {i}",
            roles=["it_champion"],
            team_code="CC",
        )
        for i in range(4)
    ]
    idea_id = idea_in_state(org, "awaiting_it")
    outcomes = race(*[lambda uid=uid: ideas.claim(db, actor_id=uid, idea_id=idea_id) for uid in champions])
    assert sum(o is None for o in outcomes) == 1, outcomes
    assert all(type(o) in (TransitionNotAllowed, StaleIdea) for o in outcomes if o is not None), outcomes
    winner = champions[outcomes.index(None)]
    view = ideas.get_idea(db, actor_id=winner, idea_id=idea_id)
    assert view.it_champion_email == people.get_user(db, winner).email
    assert audit_actions(db, idea_id).count("claim") == 1


def test_two_second_approvers_at_once_approve_the_idea_exactly_once(org):
    db = org.db
    idea_id = idea_in_state(org, "in_review")
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=assessment(high=True))
    assert ideas.approve(db, actor_id=org.manager, idea_id=idea_id) == "awaiting second approver"
    outcomes = race(
        lambda: ideas.approve(db, actor_id=org.other_manager, idea_id=idea_id, reason="Mitigated."),
        lambda: ideas.approve(db, actor_id=org.admin, idea_id=idea_id, reason="Mitigated."),
    )
    assert sum(o is None for o in outcomes) == 1, outcomes
    assert all(type(o) in (TransitionNotAllowed, StaleIdea) for o in outcomes if o is not None), outcomes
    assert state_of(db, idea_id) == "approved"
    assert audit_actions(db, idea_id)[-2:] == ["approve_first_of_two", "approve"]
    assert len(ideas.get_idea(db, actor_id=org.manager, idea_id=idea_id).assessment.approver_emails) == 2


def test_concurrent_changes_to_different_ideas_keep_one_unbroken_audit_chain(org):
    db = org.db
    drafts = [
        ideas.create_idea(db, actor_id=org.frontline, data=idea_input(title=f"Roadblock number {i}"))
        for i in range(6)
    ]
    outcomes = race(*[lambda i=i: ideas.submit(db, actor_id=org.frontline, idea_id=i) for i in drafts])
    assert outcomes == [None] * len(drafts)
    with db.read() as s:
        result = audit.verify(s)
        seqs = list(s.execute(select(AuditEntry.seq).order_by(AuditEntry.seq)).scalars())
    assert result.ok, result.message
    assert seqs == list(range(1, len(seqs) + 1))
    assert all(audit_actions(db, i) == ["created", "submit"] for i in drafts)
