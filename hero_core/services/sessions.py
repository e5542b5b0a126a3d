"""Server-side log-in sessions: a random token for the browser, only its hash in the database.

A session ends after IDLE_LIMIT without activity, on log-out (every tab at once, since they share it), and
when the account is deactivated or its password changes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hero_core import audit
from hero_core.db import Database
from hero_core.models import LoginSession, User

IDLE_LIMIT = timedelta(hours=8)
# Touch last_seen at most this often, so page runs do not each write to the database.
TOUCH_EVERY = timedelta(minutes=1)
#: A person's sessions whose expiry passed longer ago than this are deleted at their next log-in (a revoked
#: session's expiry is at most IDLE_LIMIT after its log-out).
KEEP_ENDED = timedelta(days=30)


def hash_token(token: str) -> str:
    """SHA-256 of the token: a database leak gives no usable tokens (256 random bits need no slow hash)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(db: Database, *, user_id: int) -> str:
    """Start a session for a user who just proved who they are; return the token for the browser.

    Every log-in gets a fresh random token (never one the browser offered), so a token planted before the
    log-in is worthless after it.
    """
    token = secrets.token_urlsafe(32)
    now = db.now()
    with db.write() as s:
        user = s.get(User, user_id)
        row = LoginSession(user_id=user_id, token_hash=hash_token(token), created_at=now, last_seen=now,
                           expires_at=now + IDLE_LIMIT)
        s.add(row)
        s.flush()
        # Housekeeping in the same transaction: this person's sessions that ended long ago are deleted (their
        # hashes are worthless; the audit trail keeps every log-in and log-out).
        purged = s.execute(delete(LoginSession).where(
            LoginSession.user_id == user_id, LoginSession.expires_at < now - KEEP_ENDED,
        ).execution_options(synchronize_session=False)).rowcount or 0
        audit.record(s, at=now, actor_id=user_id, actor_email=user.email if user else "", action="logged_in",
                     entity_type="login_session", entity_id=row.id,
                     after={"expires_at": row.expires_at.isoformat(), "old_sessions_deleted": purged})
    return token


def resolve(db: Database, token: str | None) -> int | None:
    """The user id a token belongs to, if its session is live; touches the session (sliding idle limit)."""
    if not token or len(token) > 200:
        return None
    now = db.now()
    with db.read() as s:
        row = s.execute(
            select(LoginSession, User.active)
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token_hash == hash_token(token))
        ).first()
    if row is None:
        return None
    session, active = row
    if session.revoked_at is not None or session.expires_at <= now or not active:
        return None
    if now - session.last_seen >= TOUCH_EVERY:
        with db.write() as s:
            s.execute(
                update(LoginSession)
                .where(LoginSession.id == session.id, LoginSession.revoked_at.is_(None))
                .values(last_seen=now, expires_at=now + IDLE_LIMIT)
            )
    return session.user_id


def revoke(db: Database, token: str | None) -> None:
    """Log out: end this session on the server, for every tab and browser window that shares it."""
    if not token:
        return
    now = db.now()
    with db.write() as s:
        row = s.execute(
            select(LoginSession, User.email)
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token_hash == hash_token(token), LoginSession.revoked_at.is_(None))
        ).first()
        if row is None:
            return
        session, email = row
        session.revoked_at = now
        audit.record(s, at=now, actor_id=session.user_id, actor_email=email, action="logged_out",
                     entity_type="login_session", entity_id=session.id)


def revoke_all_for_user(session: Session, user_id: int, *, now: datetime) -> int:
    """End every live session of a user inside the caller's transaction (whose audit entry says why)."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount
