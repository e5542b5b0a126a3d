"""The in-app inbox: one row for each person a change concerns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hero_core.db import Database
from hero_core.models import Notification
from hero_core.services import mailer

#: What each kind of notification is called where people read it (the inbox); the kind itself is a code.
KIND_LABELS = {
    "account_locked": "account locked",
    "awaiting_it": "waiting for IT",
    "comment": "comment",
    "decision": "your idea",
    "erosion_alarm": "erosion alarm",
    "followed": "an idea you follow",
    "help_answer": "an answer to a call for help",
    "help_request": "a call for help",
    "help_solved": "your answer solved a roadblock",
    "job_aid": "job aid",
    "mention": "you were mentioned",
    "merge": "duplicate merged",
    "second_approval": "second approval needed",
    "submitted": "new idea to review",
    "withdrawn": "idea withdrawn",
}


def kind_label(kind: str) -> str:
    """The kind of a notification in words (an unknown kind as its code, spaced)."""
    return KIND_LABELS.get(kind, kind.replace("_", " "))


@dataclass(frozen=True)
class NotificationView:
    id: int
    idea_id: int | None
    kind: str
    message: str
    created_at: datetime
    read: bool
    help_request_id: int | None = None  # the call for help it is about, when it is not about an idea


def notify(session: Session, db: Database, *, user_ids: Iterable[int], idea_id: int | None, kind: str,
           message: str, help_request_id: int | None = None) -> None:
    """Add inbox rows inside the caller's transaction (they appear only if the change commits; then they are
    also mailed to whoever asked for it, see hero_core/services/mailer.py)."""
    now = db.now()
    ids = sorted(set(user_ids))
    for user_id in ids:
        session.add(Notification(user_id=user_id, idea_id=idea_id, help_request_id=help_request_id, kind=kind,
                                 message=message, created_at=now))
    mailer.mail_after_commit(session, db, ids)


def inbox(db: Database, *, actor_id: int, unread_only: bool = False, limit: int = 200) -> list[NotificationView]:
    with db.read() as s:
        stmt = select(Notification).where(Notification.user_id == actor_id)
        if unread_only:
            stmt = stmt.where(Notification.read_at.is_(None))
        stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
        return [NotificationView(n.id, n.idea_id, n.kind, n.message, n.created_at, n.read_at is not None,
                                 n.help_request_id)
                for n in s.execute(stmt).scalars()]


def unread_count(db: Database, *, actor_id: int) -> int:
    with db.read() as s:
        return s.execute(select(func.count(Notification.id)).where(
            Notification.user_id == actor_id, Notification.read_at.is_(None))).scalar() or 0


def mark_read(db: Database, *, actor_id: int, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of the person's own notifications read; returns how many changed.

    Reading one's inbox is personal bookkeeping, not a step of the compact, so it is not audited.
    """
    with db.write() as s:
        stmt = update(Notification).where(Notification.user_id == actor_id, Notification.read_at.is_(None))
        if notification_ids is not None:
            ids = [int(i) for i in notification_ids]
            if not ids:
                return 0
            stmt = stmt.where(Notification.id.in_(ids))
        return s.execute(stmt.values(read_at=db.now())).rowcount or 0
