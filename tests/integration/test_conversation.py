"""Comments with @mentions, the 15-minute edit window, support and follow — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hero_core.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from hero_core.models import AuditEntry, IdeaFollow, IdeaSupport
from hero_core.services import ideas, notifications, people, social
from hero_core.services.ideas import IdeaFilter
from hero_core.vocab import State
from tests.integration.factories import idea_in_state, new_idea

SAME = "It is the same roadblock, with the same fix."  # why a test merges


def entries(db, entity_type: str, entity_id) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.execute(select(AuditEntry).where(AuditEntry.entity_type == entity_type,
                                                       AuditEntry.entity_id == str(entity_id))
                              .order_by(AuditEntry.seq)).scalars())


def kinds(db, user_id: int) -> list[tuple[str, str]]:
    return [(n.kind, n.message) for n in notifications.inbox(db, actor_id=user_id)]


@pytest.fixture
def clock(org):
    class Clock:
        now = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

    org.db.clock = lambda: Clock.now
    return Clock


# ---- comments ----------------------------------------------------------------------------------------------


def test_a_comment_is_stored_audited_and_shown_to_everyone_who_sees_the_idea(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    cid = social.add_comment(org.db, actor_id=org.other_frontline, idea_id=idea_id,
                             body="We see the same thing in the stores.")
    for reader in (org.frontline, org.other_manager, org.executive):
        shown = social.comments(org.db, actor_id=reader, idea_id=idea_id)
        assert [(c.id, c.body, c.author_email) for c in shown] == [
            (cid, "We see the same thing in the stores.", "sam@example.com")]
    [entry] = entries(org.db, "comment", cid)
    assert entry.action == "comment_added" and entry.actor_email == "sam@example.com"
    assert "We see the same thing in the stores." in entry.after_json
    # The submitter hears of it.
    assert any(k == "comment" and "commented on your idea" in m for k, m in kinds(org.db, org.frontline))


def test_a_mentioned_colleague_gets_an_inbox_notification(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id,
                       body="@ivan@example.com could the CRM prefill this? cc @MAX@example.com.")
    for user in (org.it, org.other_manager):
        mentions = [m for k, m in kinds(org.db, user) if k == "mention"]
        assert mentions == [f"Fran mentioned you in a comment on idea #{idea_id} “Shorter returns form”."]
    assert not [k for k, _ in kinds(org.db, org.frontline) if k == "mention"]  # not oneself


def test_a_plain_email_address_is_not_a_mention(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body="write to ivan@example.com about it")
    assert not [k for k, _ in kinds(org.db, org.it) if k == "mention"]


def test_unknown_or_deactivated_mentions_are_named_and_nothing_is_stored(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    people.set_active(org.db, actor_id=org.admin, email="ivan@example.com", active=False)
    with pytest.raises(InvalidInput) as refused:
        social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id,
                           body="@nobody@example.com and @ivan@example.com please look")
    text = str(refused.value)
    assert "@nobody@example.com: nobody in the compact has this email" in text
    assert "@ivan@example.com: this account is deactivated" in text
    assert "body" in refused.value.fields
    assert social.comments(org.db, actor_id=org.frontline, idea_id=idea_id) == []


def test_who_may_comment_is_who_may_see_the_idea(org):
    draft = new_idea(org)
    with pytest.raises(NotFound):
        social.add_comment(org.db, actor_id=org.manager, idea_id=draft, body="Looks good")
    with pytest.raises(NotFound):
        social.comments(org.db, actor_id=org.manager, idea_id=draft)
    # Its author may note things on the draft, but cannot mention anyone who cannot see it.
    social.add_comment(org.db, actor_id=org.frontline, idea_id=draft, body="note to self: add numbers")
    with pytest.raises(InvalidInput, match="still a draft that only you can see"):
        social.add_comment(org.db, actor_id=org.frontline, idea_id=draft, body="@mia@example.com thoughts?")


def test_a_deactivated_person_may_not_comment(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    people.set_active(org.db, actor_id=org.admin, email="sam@example.com", active=False)
    with pytest.raises(PermissionDenied, match="deactivated"):
        social.add_comment(org.db, actor_id=org.other_frontline, idea_id=idea_id, body="hello there")


def test_empty_or_oversized_comments_are_refused_with_the_reason(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    with pytest.raises(InvalidInput, match="comment is required"):
        social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body="   ")
    with pytest.raises(InvalidInput, match="at most 5000 characters"):
        social.add_comment(org.db, actor_id=org.frontline, idea_id=idea_id, body="x" * 5001)


def test_the_author_edits_within_15_minutes_and_the_original_stays_in_the_audit_trail(org, clock):
    idea_id = idea_in_state(org, State.SUBMITTED)
    cid = social.add_comment(org.db, actor_id=org.frontline_b, idea_id=idea_id, body="It hapens twice a day")
    clock.now += timedelta(minutes=14, seconds=59)
    social.edit_comment(org.db, actor_id=org.frontline_b, comment_id=cid, body="It happens twice a day")
    [shown] = social.comments(org.db, actor_id=org.frontline, idea_id=idea_id)
    assert shown.body == "It happens twice a day" and shown.edited_at == clock.now
    _added, edited = entries(org.db, "comment", cid)
    assert edited.action == "comment_edited"
    assert "It hapens twice a day" in edited.before_json and "It happens twice a day" in edited.after_json


def test_editing_or_deleting_after_15_minutes_is_refused(org, clock):
    idea_id = idea_in_state(org, State.SUBMITTED)
    cid = social.add_comment(org.db, actor_id=org.frontline_b, idea_id=idea_id, body="first thoughts")
    clock.now += timedelta(minutes=15, seconds=1)
    with pytest.raises(PermissionDenied, match=r"can no longer be edited: .* 15 minutes .* closed at 2026-05-04 09:15"):
        social.edit_comment(org.db, actor_id=org.frontline_b, comment_id=cid, body="second thoughts")
    with pytest.raises(PermissionDenied, match="can no longer be deleted"):
        social.delete_comment(org.db, actor_id=org.frontline_b, comment_id=cid)
    [shown] = social.comments(org.db, actor_id=org.frontline_b, idea_id=idea_id)
    assert shown.body == "first thoughts" and shown.editable_until is None
    assert [e.action for e in entries(org.db, "comment", cid)] == ["comment_added"]


def test_only_the_author_may_edit_or_delete_a_comment(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    cid = social.add_comment(org.db, actor_id=org.frontline_b, idea_id=idea_id, body="mine, not yours")
    for other in (org.frontline, org.manager, org.admin):
        with pytest.raises(PermissionDenied, match=f"Only the author of comment #{cid}"):
            social.edit_comment(org.db, actor_id=other, comment_id=cid, body="changed")
        with pytest.raises(PermissionDenied, match=f"Only the author of comment #{cid}"):
            social.delete_comment(org.db, actor_id=other, comment_id=cid)
    with pytest.raises(NotFound):
        social.edit_comment(org.db, actor_id=org.frontline_b, comment_id=999, body="changed")


def test_a_deleted_comment_keeps_its_place_loses_its_text_and_is_audited(org, clock):
    idea_id = idea_in_state(org, State.SUBMITTED)
    cid = social.add_comment(org.db, actor_id=org.frontline_b, idea_id=idea_id, body="oops, wrong idea")
    clock.now += timedelta(minutes=3)
    social.delete_comment(org.db, actor_id=org.frontline_b, comment_id=cid)
    [shown] = social.comments(org.db, actor_id=org.frontline, idea_id=idea_id)
    assert shown.deleted and shown.body == ""
    deleted = entries(org.db, "comment", cid)[-1]
    assert deleted.action == "comment_deleted" and "oops, wrong idea" in deleted.before_json
    with pytest.raises(TransitionNotAllowed, match="was deleted"):
        social.edit_comment(org.db, actor_id=org.frontline_b, comment_id=cid, body="back again")


def test_an_edit_notifies_only_people_newly_mentioned(org, clock):
    idea_id = idea_in_state(org, State.SUBMITTED)
    cid = social.add_comment(org.db, actor_id=org.frontline_b, idea_id=idea_id, body="@ivan@example.com see this")
    social.edit_comment(org.db, actor_id=org.frontline_b, comment_id=cid,
                        body="@ivan@example.com and @eve@example.com see this")
    assert len([k for k, _ in kinds(org.db, org.it) if k == "mention"]) == 1
    assert len([k for k, _ in kinds(org.db, org.executive) if k == "mention"]) == 1


# ---- support -------------------------------------------------------------------------------------------------


def test_support_is_one_per_person_and_toggles(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    assert social.toggle_support(org.db, actor_id=org.frontline_b, idea_id=idea_id) is True
    assert social.set_support(org.db, actor_id=org.frontline_b, idea_id=idea_id, supported=True) is False
    social.set_support(org.db, actor_id=org.other_frontline, idea_id=idea_id, supported=True)
    view = social.conversation(org.db, actor_id=org.frontline_b, idea_id=idea_id)
    assert (view.supports, view.supported) == (2, True)
    assert social.toggle_support(org.db, actor_id=org.frontline_b, idea_id=idea_id) is False
    assert social.support_counts(org.db, [idea_id]) == {idea_id: 1}
    actions = [e.action for e in entries(org.db, "idea", idea_id)]
    assert actions.count("support") == 2 and actions.count("support_withdrawn") == 1


def test_the_submitter_cannot_support_their_own_idea(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    with pytest.raises(PermissionDenied, match="is your own"):
        social.set_support(org.db, actor_id=org.frontline, idea_id=idea_id, supported=True)
    assert social.conversation(org.db, actor_id=org.frontline, idea_id=idea_id).may_support is False


def test_nobody_supports_or_follows_a_draft_they_cannot_see(org):
    draft = new_idea(org)
    with pytest.raises(NotFound):
        social.set_support(org.db, actor_id=org.frontline_b, idea_id=draft, supported=True)
    with pytest.raises(NotFound):
        social.set_follow(org.db, actor_id=org.manager, idea_id=draft, following=True)


def test_browse_sorts_by_supports(org):
    quiet = idea_in_state(org, State.SUBMITTED)
    loud = idea_in_state(org, State.SUBMITTED)
    middling = idea_in_state(org, State.SUBMITTED)
    for user in (org.frontline_b, org.other_frontline, org.manager):
        social.set_support(org.db, actor_id=user, idea_id=loud, supported=True)
    social.set_support(org.db, actor_id=org.frontline_b, idea_id=middling, supported=True)
    rows, total = ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(sort="supports"))
    assert [r.id for r in rows] == [loud, middling, quiet] and total == 3
    with org.db.read() as s:
        assert len(s.execute(select(IdeaSupport)).all()) == 4


# ---- follow --------------------------------------------------------------------------------------------------


def test_followers_and_the_submitter_hear_of_state_changes(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    assert social.set_follow(org.db, actor_id=org.other_frontline, idea_id=idea_id, following=True) is True
    assert social.set_follow(org.db, actor_id=org.other_frontline, idea_id=idea_id, following=True) is False
    social.set_follow(org.db, actor_id=org.manager, idea_id=idea_id, following=True)  # the actor: not told
    social.set_follow(org.db, actor_id=org.frontline, idea_id=idea_id, following=True)  # submitter: told once
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    follower = [m for k, m in kinds(org.db, org.other_frontline) if k == "followed"]
    assert follower == [f"Idea #{idea_id} “Shorter returns form” that you follow is now being reviewed."]
    assert not [k for k, _ in kinds(org.db, org.manager) if k == "followed"]
    submitter = [m for _, m in kinds(org.db, org.frontline) if "being reviewed" in m]
    assert len(submitter) == 1
    assert [e.action for e in entries(org.db, "follow", idea_id)] == ["follow", "follow", "follow"]


def test_unfollowing_stops_the_notifications(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    social.set_follow(org.db, actor_id=org.other_frontline, idea_id=idea_id, following=True)
    social.set_follow(org.db, actor_id=org.other_frontline, idea_id=idea_id, following=False)
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    assert not [k for k, _ in kinds(org.db, org.other_frontline) if k == "followed"]
    assert not social.conversation(org.db, actor_id=org.other_frontline, idea_id=idea_id).following


def test_followers_hear_of_new_comments(org):
    idea_id = idea_in_state(org, State.SUBMITTED)
    social.set_follow(org.db, actor_id=org.other_frontline, idea_id=idea_id, following=True)
    social.add_comment(org.db, actor_id=org.manager, idea_id=idea_id, body="Starting on this next week")
    assert [k for k, _ in kinds(org.db, org.other_frontline)] == ["followed"]


@pytest.mark.parametrize("bad", [2**31, 2**63, 0, -1, True, "7"])
def test_ids_no_database_can_hold_are_not_found_rather_than_a_database_error(org, bad):
    for call in (lambda: social.add_comment(org.db, actor_id=org.frontline, idea_id=bad, body="Hello"),
                 lambda: social.toggle_support(org.db, actor_id=org.frontline, idea_id=bad),
                 lambda: social.conversation(org.db, actor_id=org.frontline, idea_id=bad),
                 lambda: social.edit_comment(org.db, actor_id=org.frontline, comment_id=bad, body="Hi"),
                 lambda: social.delete_comment(org.db, actor_id=org.frontline, comment_id=bad)):
        with pytest.raises(NotFound):
            call()


def test_the_conversation_read_in_one_transaction_agrees_with_each_separate_read(org):
    """The idea page reads support, follow, credits, comments and the merge permission with one call
    (`social.conversation`); each part must say what its own service says, for every role."""
    from hero_core.services import duplicates

    original = idea_in_state(org, State.SUBMITTED)
    duplicate = idea_in_state(org, State.SUBMITTED)
    social.add_comment(org.db, actor_id=org.other_frontline, idea_id=duplicate, body="Same here, twice a day.")
    social.set_support(org.db, actor_id=org.frontline_b, idea_id=original, supported=True)
    social.set_follow(org.db, actor_id=org.frontline_b, idea_id=original, following=True)
    social.add_comment(org.db, actor_id=org.frontline_b, idea_id=original, body="@mia@example.com have a look")
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                               reason=SAME)
    readers = (org.frontline, org.frontline_b, org.other_frontline, org.manager, org.other_manager, org.it,
               org.executive, org.admin)
    for idea_id in (original, duplicate):
        for reader in readers:
            view = social.conversation(org.db, actor_id=reader, idea_id=idea_id)
            assert list(view.comments) == social.comments(org.db, actor_id=reader, idea_id=idea_id), reader
            assert view.may_merge == duplicates.may_merge(org.db, actor_id=reader, idea_id=idea_id), reader
    view = social.conversation(org.db, actor_id=org.frontline_b, idea_id=original)
    # The comments moved with the merge; the counts are everyone's, `supported`/`following` the reader's own.
    assert [c.body for c in view.comments] == ["Same here, twice a day.", "@mia@example.com have a look"]
    with org.db.read() as s:
        followers = set(s.execute(select(IdeaFollow.user_id).where(IdeaFollow.idea_id == original)).scalars())
    assert org.frontline_b in followers
    assert (view.supports, view.supported, view.followers, view.following) == (1, True, len(followers), True)
    assert [c.user_id for c in view.credited] == [org.frontline]  # both ideas are Fran's: credited once
    assert view.merged_from == ((duplicate, ideas.get_idea(org.db, actor_id=org.admin, idea_id=duplicate).title),)
    assert social.conversation(org.db, actor_id=org.manager, idea_id=original).may_merge is True
    assert social.conversation(org.db, actor_id=org.frontline, idea_id=original).may_merge is False
    stranger = social.conversation(org.db, actor_id=org.other_frontline, idea_id=original)
    assert (stranger.supported, stranger.following) == (False, False)
