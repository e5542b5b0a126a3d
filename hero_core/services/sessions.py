"""Server-side log-in sessions: a random token for the browser, only its hash in the database.

A session ends after IDLE_LIMIT without activity, and max_age() (HERO_SESSION_MAX_DAYS, 7 days) after its log-in
however active it is; on log-out (every tab at once, since they share it); when the account is deactivated or its
password changes; and when its owner ends it from another session on the Account page.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hero_core import audit, config
from hero_core.db import Database
from hero_core.errors import InvalidInput, NotFound
from hero_core.models import LoginSession, User
from hero_core.services.common import load_actor

IDLE_LIMIT = timedelta(hours=8)
# Touch last_seen at most this often, so page runs do not each write to the database.
TOUCH_EVERY = timedelta(minutes=1)
#: A person's sessions whose expiry passed longer ago than this are deleted at their next log-in (a revoked
#: session's expiry is at most IDLE_LIMIT after its log-out).
KEEP_ENDED = timedelta(days=30)


def max_age() -> timedelta:
    """How long a session may last after its log-in, however active (HERO_SESSION_MAX_DAYS)."""
    return timedelta(days=config.session_max_days())


def _expiry(created_at: datetime, now: datetime) -> datetime:
    """The idle limit slides on with use, never past the absolute one."""
    return min(now + IDLE_LIMIT, created_at + max_age())


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
                           expires_at=_expiry(now, now))
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
    if (session.revoked_at is not None or session.expires_at <= now or not active
            or session.created_at + max_age() <= now):  # the absolute limit, also for rows from before it
        return None
    if now - session.last_seen >= TOUCH_EVERY:
        with db.write() as s:
            s.execute(
                update(LoginSession)
                .where(LoginSession.id == session.id, LoginSession.revoked_at.is_(None))
                .values(last_seen=now, expires_at=_expiry(session.created_at, now))
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


def revoke_all_for_user(session: Session, user_id: int, *, now: datetime, keep_token: str | None = None) -> int:
    """End every live session of a user inside the caller's transaction (whose audit entry says why); with
    `keep_token`, all but that one."""
    stmt = update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None),
                                      LoginSession.expires_at > now)
    if keep_token:
        stmt = stmt.where(LoginSession.token_hash != hash_token(keep_token))
    return session.execute(stmt.values(revoked_at=now)).rowcount or 0


# ---- a person's own sessions (the Account page) ----------------------------------------------------------------


@dataclass(frozen=True)
class SessionView:
    """A live session as its owner sees it (never its token or hash)."""

    id: int
    created_at: datetime
    last_seen: datetime
    expires_at: datetime
    current: bool


def _live(now: datetime):
    return (LoginSession.revoked_at.is_(None), LoginSession.expires_at > now,
            LoginSession.created_at > now - max_age())


def _own_current(s: Session, actor_id: int, token: str | None, now: datetime) -> LoginSession:
    """The live session `token` names, which must be the actor's own: the Account page acts from it."""
    actor = load_actor(s, actor_id)
    if actor_id is None or not actor.active:  # the system actor has no sessions; a deactivated person none left
        raise NotFound("Your session has ended. Please log in again.")
    row = None
    if token and len(token) <= 200:
        row = s.execute(select(LoginSession).where(LoginSession.token_hash == hash_token(token), *_live(now))).scalar()
    if row is None or row.user_id != actor.id:
        raise NotFound("Your session has ended. Please log in again.")
    return row


def list_own(db: Database, *, actor_id: int, current_token: str | None) -> list[SessionView]:
    """The person's live sessions, newest log-in first, the one in `current_token` marked."""
    now = db.now()
    with db.read() as s:
        current = _own_current(s, actor_id, current_token, now)
        rows = s.execute(select(LoginSession).where(LoginSession.user_id == current.user_id, *_live(now))
                         .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())).scalars()
        return [SessionView(r.id, r.created_at, r.last_seen, r.expires_at, r.id == current.id) for r in rows]


def end_own(db: Database, *, actor_id: int, current_token: str | None, session_id: int) -> None:
    """End one of the person's other sessions (a browser left logged in elsewhere)."""
    now = db.now()
    with db.write() as s:
        current = _own_current(s, actor_id, current_token, now)
        if not isinstance(session_id, int) or isinstance(session_id, bool):
            raise NotFound("That session does not exist (any more).")
        if session_id == current.id:
            raise InvalidInput("That is the session you are using: to end it, use Log out.")
        row = s.execute(select(LoginSession).where(LoginSession.id == session_id, *_live(now))).scalar()
        if row is None or row.user_id != current.user_id:
            raise NotFound("That session does not exist (any more).")
        row.revoked_at = now
        user = s.get(User, current.user_id)
        audit.record(s, at=now, actor_id=user.id, actor_email=user.email, action="session_ended",
                     entity_type="login_session", entity_id=row.id, reason="ended by its owner from another session")


def end_other_own(db: Database, *, actor_id: int, current_token: str | None) -> int:
    """End every session of the person but this one; returns how many ended."""
    now = db.now()
    with db.write() as s:
        current = _own_current(s, actor_id, current_token, now)
        ended = revoke_all_for_user(s, current.user_id, now=now, keep_token=current_token)
        if ended:
            user = s.get(User, current.user_id)
            audit.record(s, at=now, actor_id=user.id, actor_email=user.email, action="other_sessions_ended",
                         entity_type="user", entity_id=user.id, after={"sessions_ended": ended},
                         reason="ended by their owner from another session")
        return ended
