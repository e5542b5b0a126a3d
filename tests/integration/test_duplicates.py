"""Similar-idea suggestions and merging a duplicate into its original (and undoing it) — SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hero_core.errors import InvalidInput, NotFound, PermissionDenied, StaleIdea, TransitionNotAllowed
from hero_core.models import AuditEntry, Comment, IdeaFollow, IdeaSupport
from hero_core.services import duplicates, ideas, notifications, social
from hero_core.services.ideas import IdeaFilter, IdeaInput
from hero_core.vocab import State
from tests.integration.factories import audit_actions, idea_in_state, version_of


def propose(org, title, roadblock, proposal, *, submitter=None, submit=True):
    return ideas.create_idea(org.db, actor_id=submitter or org.frontline, submit=submit, data=IdeaInput(
        title=title, roadblock=roadblock, proposal=proposal, touchpoint="call_centre", category="complex_form"))


@pytest.fixture
def corpus(org):
    """A handful of ideas on different roadblocks."""
    return {
        "billing": propose(org, "Explain the first bill", "Customers call about charges on their first bill they do "
                           "not understand, the pro-rata part confuses them.",
                           "Send a short letter explaining pro-rata charges with the first bill."),
        "returns": propose(org, "Shorter returns form", "The online returns form has twelve fields and customers "
                           "give up halfway.", "Cut the returns form to four fields and prefill from the order."),
        "parking": propose(org, "Parking signs at Northgate", "Shoppers cannot find the car park entrance.",
                           "Put two clear signs at the roundabout.", submitter=org.other_frontline),
    }


# ---- suggestions ---------------------------------------------------------------------------------------------


def test_similar_ideas_are_suggested_best_first(org, corpus):
    found = duplicates.suggest_similar(org.db, "Customers confused by pro-rata charges on their first bill")
    assert found[0].id == corpus["billing"]
    assert found[0].title == "Explain the first bill" and found[0].team_code == "CC" and found[0].state == "submitted"
    assert 0 < found[0].score <= 100
    assert corpus["parking"] not in [f.id for f in found]


def test_typed_words_in_other_forms_still_match(org, corpus):
    found = duplicates.suggest_similar(org.db, "returning items: the form is too long")
    assert found and found[0].id == corpus["returns"]


def test_suggestions_leave_out_drafts_and_merged_duplicates_and_follow_changes(org, corpus):
    draft = propose(org, "Explain the first bill better", "Customers call about their first bill charges.",
                    "A letter about the first bill.", submit=False)
    assert draft not in [f.id for f in duplicates.suggest_similar(org.db, "first bill charges letter")]
    # Text edited after indexing: the index follows (incrementally).
    dup = propose(org, "Letter for first bills", "First bill charges confuse customers who then call us.",
                  "Explain charges in a letter with the first bill.", submitter=org.frontline_b)
    assert dup in [f.id for f in duplicates.suggest_similar(org.db, "first bill charges letter")]
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=dup, original_id=corpus["billing"])
    assert dup not in [f.id for f in duplicates.suggest_similar(org.db, "first bill charges letter")]


def test_an_index_refresh_is_incremental_until_it_must_rebuild(org, corpus):
    duplicates.suggest_similar(org.db, "first bill")
    index = duplicates.index_for(org.db)
    rebuilds = index.rebuilds
    new = propose(org, "Queue display in stores", "Shoppers do not know how long the queue for returns is.",
                  "Show the waiting time on a screen at the desk.")
    found = duplicates.suggest_similar(org.db, "waiting time queue screen")
    assert found[0].id == new
    assert index.rebuilds == rebuilds  # taken in without rebuilding the matrix
    # A clock that went backwards hides a change from the watermark: the periodic full check of every idea's
    # version notices and rebuilds (here due at every look).
    index.reconcile_seconds = 0
    org.db.clock = lambda: datetime(2020, 1, 1, tzinfo=UTC)
    ideas.start_review(org.db, actor_id=org.manager, idea_id=new)
    found = duplicates.suggest_similar(org.db, "waiting time queue screen")
    assert found[0].state == "in_review"
    assert index.rebuilds == rebuilds + 1


def test_empty_text_suggests_nothing(org, corpus):
    assert duplicates.suggest_similar(org.db, "   ") == []
    assert duplicates.suggest_similar(org.db, "the and of") == []


# ---- merging -------------------------------------------------------------------------------------------------


def snapshot(db, *idea_ids):
    with db.read() as s:
        return {
            "supports": sorted((r.idea_id, r.user_id, r.created_at) for r in s.execute(
                select(IdeaSupport).where(IdeaSupport.idea_id.in_(idea_ids))).scalars()),
            "follows": sorted((r.idea_id, r.user_id, r.created_at) for r in s.execute(
                select(IdeaFollow).where(IdeaFollow.idea_id.in_(idea_ids))).scalars()),
            "comments": sorted((r.id, r.idea_id, r.body) for r in s.execute(
                select(Comment).where(Comment.idea_id.in_(idea_ids))).scalars()),
        }


@pytest.fixture
def pair(org):
    """An original by Fran (team CC) and a duplicate by Frank (team CC) with supporters, followers, comments."""
    original = idea_in_state(org, State.SUBMITTED)
    duplicate = propose(org, "Returns form is too long", "Customers abandon the long returns form.",
                        "Make the returns form shorter.", submitter=org.frontline_b)
    db = org.db
    social.set_support(db, actor_id=org.other_frontline, idea_id=original, supported=True)  # both: one stays
    social.set_support(db, actor_id=org.other_frontline, idea_id=duplicate, supported=True)
    social.set_support(db, actor_id=org.it, idea_id=duplicate, supported=True)  # moves
    social.set_support(db, actor_id=org.frontline, idea_id=duplicate, supported=True)  # original's author: dropped
    social.set_follow(db, actor_id=org.executive, idea_id=duplicate, following=True)
    social.add_comment(db, actor_id=org.it, idea_id=duplicate, body="Could be done in the CMS")
    return original, duplicate


def test_a_manager_merges_a_duplicate_and_everything_moves_over_without_double_supports(org, pair):
    original, duplicate = pair
    merge_id = duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                                          reason="Same roadblock as #%d" % original)
    after = snapshot(org.db, original, duplicate)
    assert {(i, u) for i, u, _ in after["supports"]} == {
        (original, org.other_frontline), (original, org.it), (original, org.frontline_b)}
    assert {(i, u) for i, u, _ in after["follows"]} == {(original, org.executive), (original, org.frontline_b)}
    assert [(i, b) for _, i, b in after["comments"]] == [(original, "Could be done in the CMS")]
    view = social.conversation(org.db, actor_id=org.frontline, idea_id=original)
    assert view.supports == 3
    assert [c.email for c in view.credited] == ["fran@example.com", "frank@example.com"]
    assert view.merged_from == ((duplicate, "Returns form is too long"),)
    dup_view = social.conversation(org.db, actor_id=org.frontline_b, idea_id=duplicate)
    assert dup_view.merged_into == (original, "Shorter returns form")
    assert audit_actions(org.db, duplicate)[-1] == "merged_into"
    assert audit_actions(org.db, original)[-1] == "absorbed_duplicate"
    [m] = duplicates.merges(org.db, actor_id=org.frontline, idea_id=original)
    assert m.id == merge_id and m.reason == f"Same roadblock as #{original}" and m.merged_by_email == "mia@example.com"
    merged_note = [n.message for n in notifications.inbox(org.db, actor_id=org.frontline_b) if n.kind == "merge"]
    assert merged_note and "You are credited on the original" in merged_note[0]


def test_a_merged_duplicate_leaves_the_live_queues_and_takes_no_more_actions(org, pair):
    original, duplicate = pair
    assert duplicate in [q.idea.id for q in ideas.review_queue(org.db, actor_id=org.manager)]
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original)
    assert duplicate not in [q.idea.id for q in ideas.review_queue(org.db, actor_id=org.manager)]
    rows, _ = ideas.list_ideas(org.db, actor_id=org.frontline)
    assert duplicate not in [r.id for r in rows]
    rows, _ = ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(include_merged=True))
    assert duplicate in [r.id for r in rows]
    with pytest.raises(TransitionNotAllowed, match=f"was merged into idea #{original}"):
        ideas.start_review(org.db, actor_id=org.manager, idea_id=duplicate)
    with pytest.raises(TransitionNotAllowed, match="comment there instead"):
        social.add_comment(org.db, actor_id=org.it, idea_id=duplicate, body="still here?")
    with pytest.raises(TransitionNotAllowed):
        social.set_support(org.db, actor_id=org.executive, idea_id=duplicate, supported=True)
    assert all(i.idea_id != duplicate for i in ideas.overdue(org.db, now=datetime.now(UTC) + timedelta(days=60)))


def test_an_admin_undoes_a_merge_exactly(org, pair):
    original, duplicate = pair
    before = snapshot(org.db, original, duplicate)
    merge_id = duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original)
    duplicates.undo_merge(org.db, actor_id=org.admin, merge_id=merge_id, reason="Different forms after all")
    assert snapshot(org.db, original, duplicate) == before
    assert social.conversation(org.db, actor_id=org.frontline, idea_id=duplicate).merged_into is None
    view = social.conversation(org.db, actor_id=org.frontline, idea_id=original)
    assert [c.email for c in view.credited] == ["fran@example.com"] and view.merged_from == ()
    assert audit_actions(org.db, duplicate)[-1] == "merge_undone"
    assert audit_actions(org.db, original)[-1] == "duplicate_restored"
    assert duplicate in [q.idea.id for q in ideas.review_queue(org.db, actor_id=org.manager)]
    [m] = duplicates.merges(org.db, actor_id=org.admin, idea_id=duplicate)
    assert m.undone_at is not None
    with pytest.raises(TransitionNotAllowed, match="undone already"):
        duplicates.undo_merge(org.db, actor_id=org.admin, merge_id=merge_id)
    # It can be merged again, and undone again.
    again = duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original)
    duplicates.undo_merge(org.db, actor_id=org.admin, merge_id=again)
    assert snapshot(org.db, original, duplicate) == before


def test_comments_added_to_the_original_after_the_merge_stay_there_on_undo(org, pair):
    original, duplicate = pair
    merge_id = duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original)
    later = social.add_comment(org.db, actor_id=org.executive, idea_id=original, body="Good to see these joined")
    duplicates.undo_merge(org.db, actor_id=org.admin, merge_id=merge_id)
    assert [c.id for c in social.comments(org.db, actor_id=org.admin, idea_id=original)] == [later]
    assert [c.body for c in social.comments(org.db, actor_id=org.admin, idea_id=duplicate)] == [
        "Could be done in the CMS"]


def test_only_a_manager_of_the_duplicates_team_may_merge(org, pair):
    original, duplicate = pair
    for who in (org.other_manager, org.frontline, org.it, org.executive, org.admin):
        with pytest.raises(PermissionDenied, match="Only a manager of the duplicate idea's team may merge duplicate"):
            duplicates.merge_duplicate(org.db, actor_id=who, duplicate_id=duplicate, original_id=original)
    assert audit_actions(org.db, duplicate)[-1] != "merged_into"
    assert duplicates.may_merge(org.db, actor_id=org.manager, idea_id=duplicate)
    assert not duplicates.may_merge(org.db, actor_id=org.other_manager, idea_id=duplicate)


def test_only_an_admin_may_undo_a_merge(org, pair):
    original, duplicate = pair
    merge_id = duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original)
    for who in (org.manager, org.executive, org.frontline):
        with pytest.raises(PermissionDenied, match="Only admins may undo merge"):
            duplicates.undo_merge(org.db, actor_id=who, merge_id=merge_id)
    with pytest.raises(NotFound):
        duplicates.undo_merge(org.db, actor_id=org.admin, merge_id=merge_id + 100)


def test_merges_that_make_no_sense_are_refused_with_the_reason(org, pair):
    original, duplicate = pair
    db = org.db
    with pytest.raises(InvalidInput, match="cannot be merged into itself"):
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=duplicate)
    with pytest.raises(NotFound):
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=9999)
    draft = propose(org, "A draft of mine", "Something customers trip over daily.", "Fix it quickly please.",
                    submitter=org.frontline_b, submit=False)
    with pytest.raises(NotFound):  # a draft is its author's business
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=draft)
    with pytest.raises(StaleIdea):
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                                   expected_version=version_of(db, duplicate) - 1)
    duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=original)
    with pytest.raises(TransitionNotAllowed, match="already merged"):
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=original)
    third = propose(org, "Yet another returns form idea", "Returns form too long for customers.", "Shorten it now.",
                    submitter=org.frontline_b)
    with pytest.raises(TransitionNotAllowed, match=f"merge into #{original} instead"):
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=third, original_id=duplicate)


def test_a_merge_and_its_undo_are_each_one_transaction_with_their_audit_entries(org, pair):
    original, duplicate = pair
    with org.db.read() as s:
        seq_before = s.execute(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).scalar()
    merge_id = duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original)
    duplicates.undo_merge(org.db, actor_id=org.admin, merge_id=merge_id)
    with org.db.read() as s:
        new = s.execute(select(AuditEntry).where(AuditEntry.seq > seq_before).order_by(AuditEntry.seq)).scalars().all()
    assert [(e.action, e.entity_id, e.actor_email) for e in new] == [
        ("merged_into", str(duplicate), "mia@example.com"), ("absorbed_duplicate", str(original), "mia@example.com"),
        ("merge_undone", str(duplicate), "ada@example.com"), ("duplicate_restored", str(original), "ada@example.com"),
    ]
