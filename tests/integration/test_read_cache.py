"""The read cache (hero_core/cache.py) never shows an answer older than the last change a person made."""

from __future__ import annotations

from datetime import timedelta

from hero_core import cache
from hero_core.errors import PermissionDenied
from hero_core.services import ideas, people
from hero_core.vocab import State
from tests.integration.factories import idea_in_state, new_idea


def test_a_submission_appears_in_the_managers_cached_queue_at_once(org):
    assert ideas.review_queue(org.db, actor_id=org.manager) == []
    hits = cache.stats()["hits"]
    assert ideas.review_queue(org.db, actor_id=org.manager) == []
    assert cache.stats()["hits"] == hits + 1  # the rerun was served from the cache
    idea_id = new_idea(org)
    ideas.submit(org.db, actor_id=org.frontline, idea_id=idea_id)
    queue = ideas.review_queue(org.db, actor_id=org.manager)
    assert [q.idea.id for q in queue] == [idea_id] and queue[0].idea.state == State.SUBMITTED
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    assert ideas.review_queue(org.db, actor_id=org.manager)[0].idea.state == State.IN_REVIEW


def test_the_total_on_browse_ideas_follows_every_new_idea(org):
    before = ideas.list_ideas(org.db, actor_id=org.frontline)[1]
    assert ideas.list_ideas(org.db, actor_id=org.frontline)[1] == before
    idea_in_state(org, State.SUBMITTED)
    assert ideas.list_ideas(org.db, actor_id=org.frontline)[1] == before + 1
    assert ideas.list_ideas(org.db, actor_id=org.other_frontline)[1] == before + 1


def test_it_board_counts_and_cards_follow_a_claim(org):
    idea_id = idea_in_state(org, State.AWAITING_IT, tech=True)
    counts = ideas.it_board_counts(org.db, actor_id=org.it)
    assert (counts["awaiting_it"].total, counts["in_build"].total) == (1, 0)
    assert [c.idea.id for c in ideas.it_board(org.db, actor_id=org.it, limit=5)["awaiting_it"]] == [idea_id]
    ideas.claim(org.db, actor_id=org.it, idea_id=idea_id)
    counts = ideas.it_board_counts(org.db, actor_id=org.it)
    assert (counts["awaiting_it"].total, counts["in_build"].total) == (0, 1)
    assert ideas.it_board(org.db, actor_id=org.it, limit=5)["in_build"][0].idea.id == idea_id


def test_overdue_follows_the_clock_even_when_nothing_was_written(org):
    idea_in_state(org, State.SUBMITTED)
    assert ideas.review_queue(org.db, actor_id=org.manager)[0].sla_status != "overdue"
    real = org.db.clock
    org.db.clock = lambda: real() + timedelta(days=30)
    try:
        assert ideas.review_queue(org.db, actor_id=org.manager)[0].sla_status == "overdue"
    finally:
        org.db.clock = real


def test_a_cached_answer_still_checks_who_asks(org):
    ideas.review_queue(org.db, actor_id=org.manager)
    people.list_users(org.db, actor_id=org.admin)
    for call in (lambda: ideas.review_queue(org.db, actor_id=org.frontline),
                 lambda: people.list_users(org.db, actor_id=org.manager),
                 lambda: ideas.it_board_counts(org.db, actor_id=org.frontline)):
        try:
            call()
        except PermissionDenied:
            continue
        raise AssertionError("a cached answer was handed to someone without the permission")


def test_a_role_change_shows_in_the_cached_user_list(org):
    before = {u.email: u.roles for u in people.list_users(org.db, actor_id=org.admin)}
    assert before["fran@example.com"] == ("frontline",)
    people.set_roles(org.db, actor_id=org.admin, email="fran@example.com", roles=["frontline", "it_champion"])
    after = {u.email: u.roles for u in people.list_users(org.db, actor_id=org.admin)}
    assert after["fran@example.com"] == ("frontline", "it_champion")
