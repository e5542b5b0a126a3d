"""Who may try a password now: failed log-ins counted per client, so a stranger slows down only themself.

The rules, read top to bottom (docs/reliability.md tells the attacks they answer):

* A client (the browser's address; without one, its browser session) that fails CLIENT_MAX_FAILURES times,
  with no gap of CLIENT_WINDOW between failures, is blocked for CLIENT_BLOCK. A blocked client's attempts are
  refused without looking at the account or the password, and they do not count against the account.
* An account locks for people.LOCKOUT after people.MAX_FAILED_LOGINS failed passwords from clients that are not
  blocked. Attempts while it is locked never extend the lock and count against nobody. So one client can lock an
  account for at most two lock periods in a row (5 + 5 failures reach its own block); then the owner gets in.
* The lock does not hold a client that logged in to this account within KNOWN_CLIENT_FOR: the owner's own
  browser is not kept out by a stranger, and is still held to its own client limit.
* A person's password-change form allows CHANGE_MAX_FAILURES wrong current passwords, then refuses for
  CHANGE_BLOCK: a borrowed session cannot be used to guess the password.

Rows are keyed by a SHA-256 of what they count (no address or email is stored) and deleted once their
expires_at has passed, at the next attempt by anyone. They live in the database, so every app server agrees.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hero_core.models import LoginThrottle

CLIENT_MAX_FAILURES = 10
CLIENT_WINDOW = timedelta(hours=1)
CLIENT_BLOCK = timedelta(hours=1)
KNOWN_CLIENT_FOR = timedelta(days=30)
CHANGE_MAX_FAILURES = 5
CHANGE_BLOCK = timedelta(minutes=15)


def _key(*parts: object) -> str:
    return hashlib.sha256("\x00".join(str(p) for p in parts).encode("utf-8", "surrogatepass")).hexdigest()


def client_key(client: str) -> str:
    return _key("client", client)


def known_key(user_id: int, client: str) -> str:
    return _key("known", user_id, client)


def change_key(user_id: int) -> str:
    return _key("password-change", user_id)


def prune(session: Session, now: datetime) -> int:
    """Delete the rows that no longer matter."""
    return session.execute(
        delete(LoginThrottle).where(LoginThrottle.expires_at < now).execution_options(synchronize_session=False)
    ).rowcount or 0


def _read(session: Session, key: str) -> LoginThrottle | None:
    return session.execute(select(LoginThrottle).where(LoginThrottle.key == key)).scalar()


def _for_update(session: Session, key: str, now: datetime) -> LoginThrottle:
    """The row for `key`, created if missing and locked for this transaction (two app servers counting the same
    client at once both count)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(LoginThrottle).values(key=key, failures=0, expires_at=now)
                    .on_conflict_do_nothing(index_elements=["key"]))
    return session.execute(
        select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def blocked(session: Session, key: str, now: datetime) -> bool:
    row = _read(session, key)
    return row is not None and row.blocked_until is not None and row.blocked_until > now


def known(session: Session, user_id: int, client: str | None, now: datetime) -> bool:
    """True when this client logged in to this account within KNOWN_CLIENT_FOR."""
    if not client:
        return False
    row = _read(session, known_key(user_id, client))
    return row is not None and row.last_success_at is not None and row.last_success_at > now - KNOWN_CLIENT_FOR


def failed(session: Session, key: str, now: datetime, *, limit: int | None = None, block: timedelta | None = None,
           window: timedelta | None = None) -> bool:
    """Count one failure; True when it blocks the key (from now for `block`). The defaults are the client's."""
    limit = CLIENT_MAX_FAILURES if limit is None else limit
    block = CLIENT_BLOCK if block is None else block
    window = CLIENT_WINDOW if window is None else window
    row = _for_update(session, key, now)
    if row.last_failure_at is None or now - row.last_failure_at >= window:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    newly = row.failures >= limit and not (row.blocked_until is not None and row.blocked_until > now)
    if row.failures >= limit:
        row.blocked_until = now + block
        row.failures = 0
    row.expires_at = max(row.expires_at, now + window, row.blocked_until or now)
    return newly


def seen(session: Session, key: str, now: datetime) -> None:
    """An attempt refused without a password check: counted nowhere, but written like a failure, so that a
    refusal takes as long as a failure."""
    row = _for_update(session, key, now)
    row.expires_at = max(row.expires_at, now + CLIENT_WINDOW)


def succeeded(session: Session, user_id: int, client: str, now: datetime) -> None:
    """Remember that this client logged in to this account (its own failures are not forgiven)."""
    row = _for_update(session, known_key(user_id, client), now)
    row.last_success_at = now
    row.expires_at = now + KNOWN_CLIENT_FOR
