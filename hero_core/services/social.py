"""The conversation around an idea: comments with @mentions, support ("I hit this too / I'd use this"), follows.

Who may talk about an idea is who may see it (the permission matrix: "comment", "support", "follow"). A comment
can be edited or deleted by its author for 15 minutes after posting (measured on the database clock); every
edit and delete keeps the earlier text in the audit trail. A duplicate that was merged into another idea takes
no new conversation: people are pointed to the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hero_core import audit, permissions
from hero_core.db import Database
from hero_core.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from hero_core.models import Comment, Idea, IdeaFollow, IdeaMerge, IdeaSupport, User
from hero_core.permissions import Actor
from hero_core.services import notifications, visibility
from hero_core.services.common import actor_ref, clean_text, idea_row, is_id, load_actor
from hero_core.vocab import State

#: How long the author may still edit or delete a comment after posting it.
EDIT_WINDOW = timedelta(minutes=15)
MAX_COMMENT = 5_000
MAX_MENTIONS = 20
# "@" followed by an email address: "@priya.raman@hero.example". The look-behind keeps a plain address
# ("write to priya.raman@hero.example") from counting as a mention.
MENTION = re.compile(r"(?<![\w.+@-])@([A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


# ---- values out --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentView:
    id: int
    idea_id: int
    author_id: int
    author_email: str
    author_name: str
    body: str  # empty once deleted
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    editable_until: datetime | None  # set while the reader is the author and the window is open


@dataclass(frozen=True)
class Credit:
    user_id: int
    email: str
    name: str


@dataclass(frozen=True)
class ConversationView:
    """What the idea page shows around the conversation, for one reader."""

    idea_id: int
    supports: int
    supported: bool
    may_support: bool  # False for the idea's own submitter and for merged duplicates
    following: bool
    followers: int
    merged_into: tuple[int, str] | None  # (id, title) of the original when this idea is a merged duplicate
    merged_from: tuple[tuple[int, str], ...]  # duplicates merged into this idea
    credited: tuple[Credit, ...]
    comments: tuple[CommentView, ...] = ()  # oldest first, as `comments` returns them
    may_merge: bool = False  # as `duplicates.may_merge` answers it


# ---- helpers -----------------------------------------------------------------------------------------------


# Who may see an idea has one home (services/visibility.py, applying permissions "view_idea"); the old names stay.
idea_facts = visibility.facts
load_visible = visibility.load_visible


def refuse_if_merged(idea: Idea, doing: str) -> None:
    if idea.merged_into_id is not None:
        raise TransitionNotAllowed(
            f"Idea #{idea.id} was merged into idea #{idea.merged_into_id} as a duplicate; {doing} there instead."
        )


def _audit(s: Session, db: Database, actor: Actor, action: str, entity_type: str, entity_id: object,
           before=None, after=None, reason: str = "") -> None:
    aid, aemail = actor_ref(actor)
    audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action=action, entity_type=entity_type,
                 entity_id=entity_id, before=before, after=after, reason=reason)


def notify_followers(s: Session, db: Database, *, actor_id: int | None, idea: Idea, message: str,
                     skip: Iterable[int] = ()) -> None:
    """Tell the idea's followers (not the person acting, not those in `skip`) that it changed."""
    skipped = {actor_id, *skip}
    followers = [u for u in s.execute(
        select(IdeaFollow.user_id).join(User, User.id == IdeaFollow.user_id)
        .where(IdeaFollow.idea_id == idea.id, User.active.is_(True))
    ).scalars() if u not in skipped]
    if followers:
        notifications.notify(s, db, user_ids=followers, idea_id=idea.id, kind="followed", message=message)


def notify_state_change(s: Session, db: Database, *, actor_id: int | None, idea: Idea, what: str) -> None:
    """The hook services/ideas.py calls on every state change: followers hear of it (the submitter is told
    by ideas.py itself, so is skipped here). The submitter's thanks ("is scaled: thank you, HERO") is theirs:
    a follower reads only what happened."""
    what = what.split(": thank you", 1)[0]
    notify_followers(s, db, actor_id=actor_id, idea=idea, skip=[idea.submitter_id],
                     message=f"Idea #{idea.id} “{idea.title}” that you follow {what}.")


#: "@" and a name as people type it: "@Priya Raman", "@priya". Up to four words are read after the @; the
#: longest run of them that is (part of) the name of someone who may see the idea is the mention, so
#: "@Priya could you look" mentions Priya Raman when she is the only Priya.
NAME_MENTION = re.compile(r"(?<![\w.+@-])@(?=[^\W\d_])")
NAME_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
MAX_NAME_WORDS = 4


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in NAME_WORD.findall(text))


def _typed_words(body: str, start: int) -> list[str]:
    """The words right after an "@" (at `start`), each separated from the next by one space, at most four."""
    words: list[str] = []
    pos = start
    while len(words) < MAX_NAME_WORDS:
        m = NAME_WORD.match(body, pos)
        if m is None:
            break
        words.append(m.group(0))
        pos = m.end()
        if body[pos:pos + 1] != " ":
            break
        pos += 1
    return words


def _name_matches(people: Sequence[tuple[int, str, str]], phrase: Sequence[str]) -> list[tuple[int, str, str]]:
    """Everyone whose name holds these words, in this order, next to each other."""
    wanted = tuple(w.casefold() for w in phrase)
    n = len(wanted)
    out = []
    for person in people:
        words = _words(person[2])
        if any(words[i:i + n] == wanted for i in range(len(words) - n + 1)):
            out.append(person)
    return out


def _list_names(people: Sequence[tuple[int, str, str]]) -> str:
    names = [f"{name} ({email})" for _, email, name in people[:5]]
    more = f" and {len(people) - 5} more" if len(people) > 5 else ""
    if len(names) == 1:
        return names[0] + more
    return (", ".join(names[:-1]) + (", " if more else " and ") + names[-1]) + more


def find_mentions(s: Session, idea: Idea, body: str) -> tuple[list[User], list[str]]:
    """Every person the text mentions, by "@email" or by "@Name" as people type it, and the problems of the
    mentions that match nobody, several people, or someone who cannot see the idea (in the order written)."""
    email_spans = [(m.start(), m.end(), m.group(1).rstrip(".").lower()) for m in MENTION.finditer(body)]
    email_starts = {start for start, _, _ in email_spans}
    name_starts = [m.start() for m in NAME_MENTION.finditer(body) if m.start() not in email_starts]
    # (kind, key) per mention in the order written: ("email", email) or ("name", typed words)
    mentions: list[tuple[int, str, object]] = [(start, "email", email) for start, _, email in email_spans]
    mentions.extend((start, "name", _typed_words(body, start + 1)) for start in name_starts)
    mentions.sort(key=lambda m: m[0])
    distinct = {(kind, tuple(key) if kind == "name" else key) for _, kind, key in mentions}
    if len(distinct) > MAX_MENTIONS:
        raise InvalidInput(f"a comment may mention at most {MAX_MENTIONS} people (it mentions {len(distinct)})",
                           fields={"body": "too many mentions"})
    if not mentions:
        return [], []
    draft = idea.state == State.DRAFT.value
    problems: list[str] = []
    ids: list[int] = []
    emails = sorted({key for _, kind, key in mentions if kind == "email"})
    found = {u.email.lower(): u for u in s.execute(select(User).where(func.lower(User.email).in_(emails))).scalars()
             } if emails else {}
    active: list[tuple[int, str, str]] = []
    if name_starts:  # everyone active, by name: the people a name may mean
        active = [tuple(r) for r in s.execute(select(User.id, User.email, User.name).where(User.active.is_(True))
                                              .order_by(User.name, User.email)).all()]
    may_see = [p for p in active if visibility.sees(p[0], idea)]  # permissions "view_idea"
    for _, kind, key in mentions:
        if kind == "email":
            user = found.get(key)
            if user is None:
                problems.append(f"@{key}: nobody in the compact has this email; check the spelling, or remove the @ "
                                "to write it as plain text")
            elif not user.active:
                problems.append(f"@{key}: this account is deactivated, so they would never see the mention")
            elif not visibility.sees(user.id, idea):
                problems.append(f"@{key}: this idea is still a draft that only you can see; submit it first")
            elif user.id not in ids:
                ids.append(user.id)
            continue
        words = list(key)
        matched: list[tuple[int, str, str]] = []
        typed = words[:1]
        for n in range(len(words), 0, -1):
            matched = _name_matches(may_see, words[:n])
            if matched:
                typed = words[:n]
                break
        shown = "@" + " ".join(typed)
        if len(matched) == 1:
            if matched[0][0] not in ids:
                ids.append(matched[0][0])
        elif matched:
            problems.append(f"{shown} matches {_list_names(matched)}: write @ and their email, or more of the name")
        elif draft and _name_matches(active, words[:1]):
            problems.append(f"{shown}: this idea is still a draft that only you can see; submit it first")
        else:
            problems.append(f"{shown} matches nobody who can see this idea: check the spelling, write @ and their "
                            "email, or remove the @ to write it as plain text")
    users = [s.get(User, i) for i in ids]
    return users, problems


def _mentioned_users(s: Session, actor: Actor, idea: Idea, body: str) -> list[User]:
    """Resolve every mention in the text; refuse the comment, naming each problem, if any cannot be notified."""
    users, problems = find_mentions(s, idea, body)
    if problems:
        raise InvalidInput(problems, fields={"body": "; ".join(problems)})
    return users


def _clean_body(body: object) -> str:
    text, problem = clean_text(body, "comment", max_len=MAX_COMMENT)
    if problem:
        raise InvalidInput(problem, fields={"body": problem})
    return text


def _notify_mentions(s: Session, db: Database, actor: Actor, idea: Idea, users: Sequence[User]) -> None:
    targets = [u.id for u in users if u.id != actor.id]
    if targets:
        notifications.notify(s, db, user_ids=targets, idea_id=idea.id, kind="mention",
                             message=f"{actor.name} mentioned you in a comment on idea #{idea.id} “{idea.title}”.")


# ---- comments ----------------------------------------------------------------------------------------------


def add_comment(db: Database, *, actor_id: int, idea_id: int, body: str) -> int:
    """Post a comment. Mentioned colleagues (@their.email, or @Their Name as long as it is one person) get an
    inbox notification; so do followers."""
    text = _clean_body(body)
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = load_visible(s, actor, idea_id)
        permissions.require(actor, "comment", idea_facts(idea))
        refuse_if_merged(idea, "comment")
        mentioned = _mentioned_users(s, actor, idea, text)
        now = db.now()
        row = Comment(idea_id=idea.id, author_id=actor.id, body=text, created_at=now)
        s.add(row)
        s.flush()
        _audit(s, db, actor, "comment_added", "comment", row.id, None,
               {"idea_id": idea.id, "body": text, "mentions": [u.email for u in mentioned]})
        _notify_mentions(s, db, actor, idea, mentioned)
        mentioned_ids = [u.id for u in mentioned]
        if idea.submitter_id != actor.id and idea.submitter_id not in mentioned_ids:
            notifications.notify(s, db, user_ids=[idea.submitter_id], idea_id=idea.id, kind="comment",
                                 message=f"{actor.name} commented on your idea #{idea.id} “{idea.title}”.")
        notify_followers(s, db, actor_id=actor.id, idea=idea, skip=[idea.submitter_id, *mentioned_ids],
                         message=f"{actor.name} commented on idea #{idea.id} “{idea.title}” that you follow.")
        return row.id


def _own_comment_in_window(s: Session, db: Database, actor: Actor, comment_id: object, doing: str) -> Comment:
    if not is_id(comment_id):
        raise NotFound(f"There is no comment #{comment_id}.")
    row = s.get(Comment, comment_id)
    if row is None:
        raise NotFound(f"There is no comment #{comment_id}.")
    idea = load_visible(s, actor, row.idea_id)
    permissions.require(actor, "comment", idea_facts(idea))
    if row.author_id != actor.id:
        raise PermissionDenied(f"Only the author of comment #{row.id} may {doing} it; {actor.email} may not.")
    if row.deleted_at is not None:
        raise TransitionNotAllowed(f"Comment #{row.id} was deleted; there is nothing left to {doing}.")
    closes = row.created_at + EDIT_WINDOW
    if db.now() > closes:
        minutes = int(EDIT_WINDOW.total_seconds() // 60)
        raise PermissionDenied(
            f"Comment #{row.id} can no longer be {doing.rstrip('e')}ed: comments may be changed for {minutes} "
            f"minutes after posting, and that window closed at {closes:%Y-%m-%d %H:%M} UTC. Add a new comment instead."
        )
    return row


def edit_comment(db: Database, *, actor_id: int, comment_id: int, body: str) -> None:
    """The author corrects their comment within the window; the earlier text stays in the audit trail."""
    text = _clean_body(body)
    with db.write() as s:
        actor = load_actor(s, actor_id)
        row = _own_comment_in_window(s, db, actor, comment_id, "edit")
        idea = s.get(Idea, row.idea_id)
        if text == row.body:
            return
        old_mentions = {u.id for u in find_mentions(s, idea, row.body)[0]}
        mentioned = _mentioned_users(s, actor, idea, text)
        before = row.body
        row.body = text
        row.edited_at = db.now()
        s.flush()
        _audit(s, db, actor, "comment_edited", "comment", row.id, {"idea_id": idea.id, "body": before},
               {"idea_id": idea.id, "body": text, "mentions": [u.email for u in mentioned]})
        # Only people newly mentioned hear of it: the others were told when they were first mentioned.
        _notify_mentions(s, db, actor, idea, [u for u in mentioned if u.id not in old_mentions])


def delete_comment(db: Database, *, actor_id: int, comment_id: int) -> None:
    """The author withdraws their comment within the window; the text stays in the audit trail."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        row = _own_comment_in_window(s, db, actor, comment_id, "delete")
        row.deleted_at = db.now()
        s.flush()
        _audit(s, db, actor, "comment_deleted", "comment", row.id, {"idea_id": row.idea_id, "body": row.body},
               {"idea_id": row.idea_id, "deleted": True})


def comments(db: Database, *, actor_id: int, idea_id: int) -> list[CommentView]:
    """The idea's comments, oldest first; deleted ones keep their place with no text."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        idea = load_visible(s, actor, idea_id)
        return _comment_views(s, db, actor, idea.id)


def _comment_views(s: Session, db: Database, actor: Actor, idea_id: int) -> list[CommentView]:
    now = db.now()
    rows = s.execute(
        select(Comment.id, Comment.author_id, Comment.body, Comment.created_at, Comment.edited_at, Comment.deleted_at,
               User.email, User.name)
        .join(User, User.id == Comment.author_id)
        .where(Comment.idea_id == idea_id).order_by(Comment.created_at, Comment.id)
    ).all()
    out = []
    for comment_id, author_id, body, created_at, edited_at, deleted_at, email, name in rows:
        closes = created_at + EDIT_WINDOW
        mine_open = author_id == actor.id and deleted_at is None and now <= closes and actor.active
        out.append(CommentView(
            id=comment_id, idea_id=idea_id, author_id=author_id, author_email=email, author_name=name,
            body="" if deleted_at else body, created_at=created_at, edited_at=edited_at,
            deleted=deleted_at is not None, editable_until=closes if mine_open else None,
        ))
    return out


# ---- support and follow ------------------------------------------------------------------------------------


def set_support(db: Database, *, actor_id: int, idea_id: int, supported: bool) -> bool:
    """Add or withdraw this person's support (one per person per idea). Returns True when something changed."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = load_visible(s, actor, idea_id)
        permissions.require(actor, "support", idea_facts(idea))
        refuse_if_merged(idea, "support it")
        if supported and idea.submitter_id == actor.id:
            raise PermissionDenied(
                f"Idea #{idea.id} is your own: support is how colleagues say they hit the roadblock too.")
        existing = s.get(IdeaSupport, (idea.id, actor.id))
        if bool(existing) == bool(supported):
            return False
        if supported:
            s.add(IdeaSupport(idea_id=idea.id, user_id=actor.id, created_at=db.now()))
        else:
            s.delete(existing)
        s.flush()
        _audit(s, db, actor, "support" if supported else "support_withdrawn", "idea", idea.id, None,
               {"supporter": actor.email})
        return True


def toggle_support(db: Database, *, actor_id: int, idea_id: int) -> bool:
    """Support the idea, or withdraw support if given already. Returns whether the person now supports it."""
    with db.read() as s:
        now_supported = s.get(IdeaSupport, (idea_id, actor_id)) is not None if is_id(idea_id) else False
    set_support(db, actor_id=actor_id, idea_id=idea_id, supported=not now_supported)
    return not now_supported


def set_follow(db: Database, *, actor_id: int, idea_id: int, following: bool) -> bool:
    """Follow (or stop following) an idea to hear of its changes. Returns True when something changed."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = load_visible(s, actor, idea_id)
        permissions.require(actor, "follow", idea_facts(idea))
        if following:
            refuse_if_merged(idea, "follow it")
        existing = s.get(IdeaFollow, (idea.id, actor.id))
        if bool(existing) == bool(following):
            return False
        if following:
            s.add(IdeaFollow(idea_id=idea.id, user_id=actor.id, created_at=db.now()))
        else:
            s.delete(existing)
        s.flush()
        _audit(s, db, actor, "follow" if following else "unfollow", "follow", idea.id, None, {"user": actor.email})
        return True


def support_counts(db: Database, idea_ids: Iterable[int]) -> dict[int, int]:
    """idea id -> number of supporters (ideas without support are left out)."""
    ids = sorted({int(i) for i in idea_ids})
    if not ids:
        return {}
    with db.read() as s:
        return dict(s.execute(select(IdeaSupport.idea_id, func.count()).where(IdeaSupport.idea_id.in_(ids))
                              .group_by(IdeaSupport.idea_id)).all())


# ---- credits -------------------------------------------------------------------------------------------------


def live_merges_into(s: Session, idea_id: int) -> list[IdeaMerge]:
    return list(s.execute(select(IdeaMerge).where(IdeaMerge.original_id == idea_id, IdeaMerge.undone_at.is_(None))
                          .order_by(IdeaMerge.merged_at, IdeaMerge.id)).scalars())


def credited(s: Session, idea_id: int) -> list[Credit]:
    """The people behind an idea: its submitter, then the submitters of duplicates merged into it (at any
    depth), each once. Recognition (Hall of HEROs) should credit all of them."""
    idea = idea_row(s, idea_id)
    if idea is None:
        return []
    out: list[Credit] = []
    seen_users: set[int] = set()
    seen_ideas: set[int] = set()
    queue = [idea]
    while queue:
        current = queue.pop(0)
        if current.id in seen_ideas:
            continue
        seen_ideas.add(current.id)
        if current.submitter_id not in seen_users:
            seen_users.add(current.submitter_id)
            email, name = s.execute(select(User.email, User.name).where(User.id == current.submitter_id)).one()
            out.append(Credit(current.submitter_id, email, name))
        queue.extend(idea_row(s, m.duplicate_id) for m in live_merges_into(s, current.id))
    return out


def may_merge_idea(actor: Actor, idea: Idea) -> bool:
    """True when this person may merge this idea into another as a duplicate."""
    return (idea.merged_into_id is None and idea.state != State.DRAFT.value
            and permissions.allowed(actor, "merge_duplicate", idea_facts(idea)))


def conversation(db: Database, *, actor_id: int, idea_id: int) -> ConversationView:
    """Support, follow, merge and credit facts of one idea and its comments, for one reader, in one transaction
    (the idea page draws them on every run)."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        idea = load_visible(s, actor, idea_id)
        # The four counts in one round trip: everyone's and this reader's support and follow.
        supports, supported, followers, following = s.execute(select(
            select(func.count()).where(IdeaSupport.idea_id == idea.id).scalar_subquery(),
            select(func.count()).where(IdeaSupport.idea_id == idea.id, IdeaSupport.user_id == actor.id)
            .scalar_subquery(),
            select(func.count()).where(IdeaFollow.idea_id == idea.id).scalar_subquery(),
            select(func.count()).where(IdeaFollow.idea_id == idea.id, IdeaFollow.user_id == actor.id)
            .scalar_subquery(),
        )).one()
        merged_into = None
        if idea.merged_into_id is not None:
            original = idea_row(s, idea.merged_into_id)
            merged_into = (original.id, original.title)
        merged_from = tuple((m.duplicate_id, idea_row(s, m.duplicate_id).title) for m in live_merges_into(s, idea.id))
        return ConversationView(
            idea_id=idea.id, supports=supports or 0, supported=bool(supported),
            may_support=(idea.submitter_id != actor.id and idea.merged_into_id is None
                         and permissions.allowed(actor, "support", idea_facts(idea))),
            following=bool(following), followers=followers or 0,
            merged_into=merged_into, merged_from=merged_from, credited=tuple(credited(s, idea.id)),
            comments=tuple(_comment_views(s, db, actor, idea.id)), may_merge=may_merge_idea(actor, idea),
        )
