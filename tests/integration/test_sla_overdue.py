"""Service-level promises on real ideas: overdue() lists the broken ones that are still open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hero_core.services import ideas
from tests.integration.factories import assessment, idea_input


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in January 2026 (5 Jan is a Monday)."""
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def clock(org, monkeypatch):
    """Set `clock.now` to move the database's time."""
    for name in ("HERO_SLA_REVIEW_START_DAYS", "HERO_SLA_DECISION_DAYS", "HERO_SLA_IT_CLAIM_DAYS"):
        monkeypatch.delenv(name, raising=False)

    class Clock:
        now = at(5)

    org.db.clock = lambda: Clock.now
    return Clock


def broken(org):
    return [(o.idea_id, o.promise, o.due, o.waiting_on) for o in ideas.overdue(org.db)]


def submit(org, title="Shorter returns form", tech=False):
    return ideas.create_idea(
        org.db, actor_id=org.frontline, data=idea_input(title=title, tech=tech), submit=True
    )


def test_review_start_promise_breaks_five_business_days_after_submission(org, clock):
    idea_id = submit(org)  # Monday 09:00
    clock.now = at(12)  # next Monday 09:00: due exactly now, not yet broken
    assert broken(org) == []
    clock.now = at(12, 9, 1)
    assert broken(org) == [(idea_id, "start review", at(12), "the team's managers")]


def test_weekends_do_not_count_against_the_promise(org, clock):
    clock.now = at(9, 16)  # Friday afternoon
    submit(org)
    clock.now = at(15, 16)  # Thursday: six calendar days, four business days
    assert broken(org) == []
    clock.now = at(16, 16, 1)
    assert [o.promise for o in ideas.overdue(org.db)] == ["start review"]


def test_starting_the_review_keeps_the_decision_promise_open_until_a_decision(org, clock):
    idea_id = submit(org)
    clock.now = at(13)  # late start: that promise was missed, but it is no longer open
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    assert broken(org) == []
    view = ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id)
    assert view.sla["start review"] == (at(12), "missed")
    assert view.sla["decide"] == (at(19), "on time")
    clock.now = at(19, 9, 1)
    assert broken(org) == [(idea_id, "decide", at(19), "the team's managers")]
    ideas.assess_risk(org.db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())
    ideas.approve(org.db, actor_id=org.manager, idea_id=idea_id)
    assert broken(org) == []
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).sla["decide"] == (at(19), "missed")


def test_an_unreviewed_idea_breaks_both_its_review_and_its_decision_promises(org, clock):
    idea_id = submit(org)
    clock.now = at(20)
    assert broken(org) == [
        (idea_id, "start review", at(12), "the team's managers"),
        (idea_id, "decide", at(19), "the team's managers"),
    ]


def test_it_claim_promise_breaks_ten_business_days_after_approval(org, clock):
    idea_id = submit(org, tech=True)
    clock.now = at(6)  # Tuesday
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    ideas.assess_risk(org.db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())
    ideas.approve(org.db, actor_id=org.manager, idea_id=idea_id)
    clock.now = at(20)
    assert broken(org) == []
    clock.now = at(20, 9, 1)
    assert broken(org) == [(idea_id, "IT claims", at(20), "IT champions")]
    board = ideas.it_board(org.db, actor_id=org.it)
    assert [(c.idea.id, c.overdue) for c in board["awaiting_it"]] == [(idea_id, True)]
    ideas.claim(org.db, actor_id=org.it, idea_id=idea_id)
    assert broken(org) == []


def test_overdue_lists_most_overdue_first_and_ignores_drafts_and_closed_ideas(org, clock):
    old = submit(org, "Old roadblock here")
    clock.now = at(7)
    newer = submit(org, "Newer roadblock here")
    ideas.create_idea(org.db, actor_id=org.frontline, data=idea_input(title="Just a draft"))
    closed = submit(org, "Closed roadblock")
    ideas.start_review(org.db, actor_id=org.manager, idea_id=closed)
    ideas.decline(org.db, actor_id=org.manager, idea_id=closed, reason="Duplicate.")
    clock.now = at(16)
    assert [(o.idea_id, o.promise) for o in ideas.overdue(org.db)] == [
        (old, "start review"),
        (newer, "start review"),
    ]


def test_promise_lengths_come_from_settings(org, clock, monkeypatch):
    monkeypatch.setenv("HERO_SLA_REVIEW_START_DAYS", "1")
    idea_id = submit(org)
    clock.now = at(6) + timedelta(minutes=1)
    assert broken(org) == [(idea_id, "start review", at(6), "the team's managers")]
