"""Similar-idea suggestions and merging a duplicate into its original (and undoing it) — SQLite and PostgreSQL."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from rapidfuzz import fuzz
from sqlalchemy import select

from hero_core.errors import InvalidInput, NotFound, PermissionDenied, StaleIdea, TransitionNotAllowed
from hero_core.models import AuditEntry, Comment, Idea, IdeaFollow, IdeaSupport, Team
from hero_core.services import duplicates, ideas, notifications, social
from hero_core.services.ideas import IdeaFilter, IdeaInput
from hero_core.vocab import State
from tests.integration.factories import audit_actions, idea_in_state, version_of

SAME = "It is the same roadblock, with the same fix."  # why a test merges


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
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=dup, original_id=corpus["billing"],
                               reason=SAME)
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


def test_a_suggestion_shows_the_idea_as_it_is_now(org, corpus):
    text = "Customers confused by pro-rata charges on their first bill"
    duplicates.suggest_similar(org.db, text)
    index = duplicates.index_for(org.db)
    ideas.start_review(org.db, actor_id=org.manager, idea_id=corpus["billing"])
    ideas.request_changes(org.db, actor_id=org.manager, idea_id=corpus["billing"], reason="Say what the letter says")
    ideas.edit_idea(org.db, actor_id=org.frontline, idea_id=corpus["billing"], expected_version=None, data=IdeaInput(
        title="A letter on pro-rata with the first bill", roadblock="Customers call about charges on their first bill "
        "they do not understand, the pro-rata part confuses them.", proposal="Send a short letter explaining "
        "pro-rata charges with the first bill.", touchpoint="call_centre", category="complex_form"))
    # The index keeps no titles: even before it has looked again, a search shows the title and state of now.
    with org.db.read() as s:
        found = index.search(s, text, limit=5, exclude=set())
    assert (found[0].id, found[0].title, found[0].state) == (
        corpus["billing"], "A letter on pro-rata with the first bill", "needs_changes")
    found = duplicates.suggest_similar(org.db, text)
    assert (found[0].id, found[0].title, found[0].state) == (
        corpus["billing"], "A letter on pro-rata with the first bill", "needs_changes")


# A corpus like a real one: a few roadblocks, each proposed several times in other words by people of two teams,
# an exact repeat, drafts and a merged duplicate. At most 30 visible ideas, so every one is a re-ranking candidate.
TOPICS = [
    ("Direct debit form asks twice",
     "The direct debit form asks customers for their account number twice and many give up.",
     "Ask for the account number once and check it while they type."),
    ("Explain the first bill",
     "Customers call about pro-rata charges on their first bill that they do not understand.",
     "Send a short letter that explains pro-rata charges with the first bill."),
    ("Shorter returns form",
     "The online returns form has twelve fields and customers abandon it halfway.",
     "Cut the returns form to four fields and prefill the rest from the order."),
    ("Guided router reset",
     "Customers wait on hold for twenty minutes only to be told to restart their router.",
     "Put a guided router reset in the app before the call queue."),
    ("Queue time screen in stores",
     "Shoppers do not know how long the queue at the returns desk will take.",
     "Show the waiting time on a screen at the store entrance."),
    ("Goodwill credit without sign-off",
     "Agents need a manager to approve even a five pound goodwill credit for a late engineer.",
     "Let billing agents give goodwill credits up to fifteen pounds without sign-off."),
    ("Contract end date on the first screen",
     "Retention agents cannot see when a contract ends without opening three screens.",
     "Show the contract end date on the first CRM screen."),
    ("Parking signs at Northgate",
     "Shoppers cannot find the car park entrance at Northgate.",
     "Put two clear signs at the roundabout."),
]
VARIANTS = ["", " for new customers", " at weekends", " in the mobile app"]
QUERIES = [
    "The direct debit form asks for the account number twice",
    "customers confused by pro-rata charges on the first bill",
    "returns form too long",
    "restart the router in the app instead of waiting on hold",
    "how long is the queue at the store",
    "goodwill credit needs sign-off from a manager",
    "contract end date for retention agents",
    "first bill letter for new customers at weekends",
    "car park",
]


def reference(db, text, *, limit=5, exclude=()):
    """Suggestions worked out plainly, in float64, as the module docstring describes them: TF-IDF cosine over
    title (three times), roadblock and proposal of the visible ideas, the best max(6 x limit, 30) re-ranked by
    0.75 cosine + 0.25 token-set ratio of the query's terms to those of title and roadblock start, 0-100."""
    with db.read() as s:
        rows = s.execute(select(Idea.id, Idea.title, Idea.roadblock, Idea.proposal, Idea.state, Team.code)
                         .join(Team, Team.id == Idea.team_id)
                         .where(Idea.state != "draft", Idea.merged_into_id.is_(None))).all()
    terms = duplicates.terms
    counts = {r.id: Counter(terms(r.roadblock) + terms(r.proposal) + terms(r.title) * 3) for r in rows}
    df = Counter(t for c in counts.values() for t in c)
    idf = {t: math.log((1 + len(rows)) / (1 + k)) + 1 for t, k in df.items()}

    def unit(c):
        w = {t: (1 + math.log(k)) * idf[t] for t, k in c.items() if t in idf}
        norm = math.sqrt(sum(v * v for v in w.values())) or 1.0
        return {t: v / norm for t, v in w.items()}

    query = unit(Counter(terms(text)))
    cosine = {i: sum(query.get(t, 0.0) * v for t, v in unit(c).items()) for i, c in counts.items()}
    pool = sorted(((round(x, 9), i) for i, x in cosine.items() if x > 0), reverse=True)[:max(limit * 6, 30)]
    by_id = {r.id: r for r in rows}
    query_text = " ".join(Counter(terms(text)))
    ranked = sorted(((round(0.75 * x + 0.25 * fuzz.token_set_ratio(
        query_text, " ".join(terms(f"{by_id[i].title} {by_id[i].roadblock[:300]}"))) / 100, 9), i)
        for x, i in pool if i not in exclude), reverse=True)
    out = []
    for score, i in ranked:
        if round(score * 100) < duplicates.MIN_SCORE or len(out) >= limit:
            break
        # float32 arithmetic in the index is exact to ~1e-6: the expectations must not hinge on less.
        assert abs(score * 100 - math.floor(score * 100) - 0.5) > 1e-3, "a score on a rounding edge"
        assert all(score == other or abs(score - other) > 1e-5 for other, _ in ranked), "a near tie"
        r = by_id[i]
        out.append((i, r.title, r.state, r.code, min(100, round(score * 100))))
    return out


def found(db, text, *, limit=5, exclude=()):
    return [(f.id, f.title, f.state, f.team_code, f.score)
            for f in duplicates.suggest_similar(db, text, limit=limit, exclude_ids=exclude)]


def test_suggestions_rank_exactly_as_plain_tf_idf_then_wording_through_builds_and_rebuilds(org, monkeypatch):
    people = [org.frontline, org.frontline_b, org.other_frontline]
    made = []
    for n, (title, roadblock, proposal) in enumerate(TOPICS):
        for v in VARIANTS[: 4 if n < 2 else 3]:
            made.append(propose(org, title + v, f"{roadblock} It happens most{v or ' often'}.", proposal,
                                submitter=people[len(made) % 3]))
    made.append(propose(org, *TOPICS[2]))  # the very same words again
    propose(org, TOPICS[0][0] + " for older customers", TOPICS[0][1], TOPICS[0][2], submit=False)  # drafts
    propose(org, TOPICS[3][0], TOPICS[3][1], TOPICS[3][2], submit=False)
    dup = propose(org, TOPICS[1][0] + " please", TOPICS[1][1], TOPICS[1][2], submitter=org.frontline_b)
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=dup, original_id=made[4],
                               reason=SAME)
    ideas.start_review(org.db, actor_id=org.manager, idea_id=made[0])
    assert len(made) == 27

    def check():
        for text in QUERIES:
            expected = reference(org.db, text)
            assert expected and found(org.db, text) == expected, text
            assert found(org.db, text, limit=50) == reference(org.db, text, limit=50), text
            assert found(org.db, text, exclude=[expected[0][0]]) == reference(org.db, text, exclude=[expected[0][0]])

    check()  # the first build, all at once
    index = duplicates.index_for(org.db)
    assert index.rebuilds == 1 and not index.fresh
    # Rebuilt at every change now: the matrix is put together again from its own counts (rows gone, rows
    # changed, new ones among them in id order), and must still rank exactly as worked out from scratch.
    monkeypatch.setattr(duplicates, "REBUILD_AFTER", 0)
    propose(org, "Returns form in the mobile app", "The returns form in the app has twelve fields at weekends.",
            "Cut the returns form to four fields.", submitter=org.other_frontline)
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=made[9], original_id=made[8],
                               reason=SAME)
    ideas.request_changes(org.db, actor_id=org.manager, idea_id=made[0], reason="Which form?")
    ideas.edit_idea(org.db, actor_id=org.frontline, idea_id=made[0], expected_version=None, data=IdeaInput(
        title="Account number asked twice on the direct debit form", roadblock=TOPICS[0][1], proposal=TOPICS[0][2],
        touchpoint="call_centre", category="complex_form"))
    check()
    assert index.rebuilds == 2 and not index.fresh
    # And a plain full build of the same database agrees.
    duplicates._INDEXES.pop(org.db)
    check()


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
                                          reason=f"Same roadblock as #{original}")
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
    assert m.merged_by_name == "Mia"
    merged_note = [n.message for n in notifications.inbox(org.db, actor_id=org.frontline_b) if n.kind == "merge"]
    assert merged_note and "You are credited on the original" in merged_note[0]


def test_a_merged_duplicate_leaves_the_live_queues_and_takes_no_more_actions(org, pair):
    original, duplicate = pair
    assert duplicate in [q.idea.id for q in ideas.review_queue(org.db, actor_id=org.manager)]
    duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                               reason=SAME)
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
    merge_id = duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                                          reason=SAME)
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
    again = duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                                       reason=SAME)
    duplicates.undo_merge(org.db, actor_id=org.admin, merge_id=again)
    assert snapshot(org.db, original, duplicate) == before


def test_comments_added_to_the_original_after_the_merge_stay_there_on_undo(org, pair):
    original, duplicate = pair
    merge_id = duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                                          reason=SAME)
    later = social.add_comment(org.db, actor_id=org.executive, idea_id=original, body="Good to see these joined")
    duplicates.undo_merge(org.db, actor_id=org.admin, merge_id=merge_id)
    assert [c.id for c in social.comments(org.db, actor_id=org.admin, idea_id=original)] == [later]
    assert [c.body for c in social.comments(org.db, actor_id=org.admin, idea_id=duplicate)] == [
        "Could be done in the CMS"]


def test_only_a_manager_of_the_duplicates_team_may_merge(org, pair):
    original, duplicate = pair
    for who in (org.other_manager, org.frontline, org.it, org.executive, org.admin):
        with pytest.raises(PermissionDenied, match="Only a manager of the duplicate idea's team may merge duplicate"):
            duplicates.merge_duplicate(org.db, actor_id=who, duplicate_id=duplicate, original_id=original,
                                       reason=SAME)
    assert audit_actions(org.db, duplicate)[-1] != "merged_into"
    assert duplicates.may_merge(org.db, actor_id=org.manager, idea_id=duplicate)
    assert not duplicates.may_merge(org.db, actor_id=org.other_manager, idea_id=duplicate)


def test_only_an_admin_may_undo_a_merge(org, pair):
    original, duplicate = pair
    merge_id = duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                                          reason=SAME)
    for who in (org.manager, org.executive, org.frontline):
        with pytest.raises(PermissionDenied, match="Only admins may undo merge"):
            duplicates.undo_merge(org.db, actor_id=who, merge_id=merge_id)
    with pytest.raises(NotFound):
        duplicates.undo_merge(org.db, actor_id=org.admin, merge_id=merge_id + 100)


def test_merges_that_make_no_sense_are_refused_with_the_reason(org, pair):
    original, duplicate = pair
    db = org.db
    with pytest.raises(InvalidInput, match="cannot be merged into itself"):
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=duplicate,
                                   reason=SAME)
    with pytest.raises(NotFound):
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=9999,
                                   reason=SAME)
    draft = propose(org, "A draft of mine", "Something customers trip over daily.", "Fix it quickly please.",
                    submitter=org.frontline_b, submit=False)
    with pytest.raises(NotFound):  # a draft is its author's business
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=draft,
                                   reason=SAME)
    with pytest.raises(StaleIdea):
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                                   expected_version=version_of(db, duplicate) - 1, reason=SAME)
    duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                               reason=SAME)
    with pytest.raises(TransitionNotAllowed, match="already merged"):
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                                   reason=SAME)
    third = propose(org, "Yet another returns form idea", "Returns form too long for customers.", "Shorten it now.",
                    submitter=org.frontline_b)
    with pytest.raises(TransitionNotAllowed, match=f"merge into #{original} instead"):
        duplicates.merge_duplicate(db, actor_id=org.manager, duplicate_id=third, original_id=duplicate,
                                   reason=SAME)


def test_a_merge_and_its_undo_are_each_one_transaction_with_their_audit_entries(org, pair):
    original, duplicate = pair
    with org.db.read() as s:
        seq_before = s.execute(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).scalar()
    merge_id = duplicates.merge_duplicate(org.db, actor_id=org.manager, duplicate_id=duplicate, original_id=original,
                                          reason=SAME)
    duplicates.undo_merge(org.db, actor_id=org.admin, merge_id=merge_id)
    with org.db.read() as s:
        new = s.execute(select(AuditEntry).where(AuditEntry.seq > seq_before).order_by(AuditEntry.seq)).scalars().all()
    assert [(e.action, e.entity_id, e.actor_email) for e in new] == [
        ("merged_into", str(duplicate), "mia@example.com"), ("absorbed_duplicate", str(original), "mia@example.com"),
        ("merge_undone", str(duplicate), "ada@example.com"), ("duplicate_restored", str(original), "ada@example.com"),
    ]
