"""The server-side session store on SQLite and PostgreSQL: tokens, the sliding idle limit on the database's
clock, log-out, and the account changes that end every session of a person."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hero_core import audit
from hero_core.errors import InvalidInput, PermissionDenied
from hero_core.models import AuditEntry, LoginSession
from hero_core.services import people, sessions
from tests.conftest import PASSWORD, Clock


def rows(db) -> list[LoginSession]:
    with db.read() as s:
        return list(s.execute(select(LoginSession).order_by(LoginSession.id)).scalars())


def actions(db) -> list[str]:
    with db.read() as s:
        return list(s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def test_a_new_session_gives_a_random_token_and_stores_only_its_hash(org):
    token = sessions.create(org.db, user_id=org.frontline)
    other = sessions.create(org.db, user_id=org.frontline)
    assert token != other
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 random bytes, safe in a cookie
    stored = rows(org.db)
    assert [r.token_hash for r in stored] == [hashlib.sha256(t.encode()).hexdigest() for t in (token, other)]
    for row in stored:
        assert token not in repr(vars(row)) and other not in repr(vars(row))
        assert row.user_id == org.frontline and row.revoked_at is None
        assert row.expires_at - row.created_at == sessions.IDLE_LIMIT


def test_a_live_token_resolves_to_its_person(org):
    token = sessions.create(org.db, user_id=org.manager)
    assert sessions.resolve(org.db, token) == org.manager


def test_unknown_empty_and_oversized_tokens_resolve_to_nobody(org):
    sessions.create(org.db, user_id=org.manager)
    assert sessions.resolve(org.db, None) is None
    assert sessions.resolve(org.db, "") is None
    assert sessions.resolve(org.db, "x" * 43) is None
    assert sessions.resolve(org.db, "y" * 5000) is None


def test_the_stored_hash_itself_is_not_a_token(org):
    token = sessions.create(org.db, user_id=org.manager)
    assert sessions.resolve(org.db, sessions.hash_token(token)) is None


def test_use_slides_the_idle_limit_on_at_most_once_a_minute(org):
    clock = Clock(org.db)
    token = sessions.create(org.db, user_id=org.frontline)
    created = rows(org.db)[0]
    clock.advance(seconds=30)
    assert sessions.resolve(org.db, token) == org.frontline
    assert rows(org.db)[0].last_seen == created.last_seen  # no write for every page run
    clock.advance(minutes=5)
    assert sessions.resolve(org.db, token) == org.frontline
    touched = rows(org.db)[0]
    assert touched.last_seen == clock.now
    assert touched.expires_at == clock.now + sessions.IDLE_LIMIT


def test_a_session_ends_after_eight_hours_without_use(org):
    clock = Clock(org.db)
    token = sessions.create(org.db, user_id=org.frontline)
    clock.advance(hours=7, minutes=59)
    assert sessions.resolve(org.db, token) == org.frontline  # used just in time: the limit slides on
    clock.advance(hours=7, minutes=59)
    assert sessions.resolve(org.db, token) == org.frontline
    clock.advance(hours=8)
    assert sessions.resolve(org.db, token) is None
    assert sessions.resolve(org.db, token) is None  # and it stays ended


def test_log_out_ends_that_session_only(org):
    laptop = sessions.create(org.db, user_id=org.manager)
    phone = sessions.create(org.db, user_id=org.manager)
    sessions.revoke(org.db, laptop)
    assert sessions.resolve(org.db, laptop) is None
    assert sessions.resolve(org.db, phone) == org.manager
    revoked = [r for r in rows(org.db) if r.revoked_at is not None]
    assert len(revoked) == 1 and revoked[0].token_hash == sessions.hash_token(laptop)


def test_log_in_and_log_out_are_in_the_audit_trail_and_the_chain_holds(org):
    token = sessions.create(org.db, user_id=org.executive)
    sessions.revoke(org.db, token)
    sessions.revoke(org.db, token)  # a second log-out (another tab) changes nothing
    sessions.revoke(org.db, "not a token at all")
    assert actions(org.db)[-2:] == ["logged_in", "logged_out"]
    assert actions(org.db).count("logged_out") == 1
    with org.db.read() as s:
        assert audit.verify(s).ok


def test_deactivating_a_person_ends_all_their_sessions_and_reactivating_revives_none(org):
    clock = Clock(org.db)
    first = sessions.create(org.db, user_id=org.it)
    second = sessions.create(org.db, user_id=org.it)
    colleague = sessions.create(org.db, user_id=org.manager)
    clock.advance(minutes=3)
    people.set_active(org.db, actor_id=org.admin, email="ivan@example.com", active=False)
    assert sessions.resolve(org.db, first) is None
    assert sessions.resolve(org.db, second) is None
    assert sessions.resolve(org.db, colleague) == org.manager
    revoked = {r.user_id: r.revoked_at for r in rows(org.db) if r.revoked_at is not None}
    assert revoked == {org.it: clock.now}  # on the database's clock, in the deactivation's transaction
    people.set_active(org.db, actor_id=org.admin, email="ivan@example.com", active=True)
    assert sessions.resolve(org.db, first) is None
    assert people.authenticate(org.db, email="ivan@example.com", password=PASSWORD) == org.it


def test_a_new_password_ends_all_sessions_of_that_person(org):
    mine = sessions.create(org.db, user_id=org.frontline)
    elsewhere = sessions.create(org.db, user_id=org.frontline)
    colleague = sessions.create(org.db, user_id=org.frontline_b)
    people.set_password(org.db, actor_id=None, email="fran@example.com",  # `hero users set-password`
                        password="a brand new long passphrase")
    assert sessions.resolve(org.db, mine) is None
    assert sessions.resolve(org.db, elsewhere) is None
    assert sessions.resolve(org.db, colleague) == org.frontline_b


def test_nobody_sets_their_own_password_without_the_current_one(org):
    # Someone at an unlocked screen (a live session, not the password) must not be able to take the account over
    # by calling the service that admins use for resets: one's own password changes with the current one.
    token = sessions.create(org.db, user_id=org.frontline)
    with pytest.raises(PermissionDenied) as refused:
        people.set_password(org.db, actor_id=org.frontline, email="fran@example.com",
                            password="taken over by a passer-by")
    assert "current password" in str(refused.value) and "Your account" in str(refused.value)
    assert sessions.resolve(org.db, token) == org.frontline
    assert people.authenticate(org.db, email="fran@example.com", password=PASSWORD) == org.frontline


def test_an_admin_password_reset_ends_the_persons_sessions(org):
    token = sessions.create(org.db, user_id=org.manager)
    people.set_password(org.db, actor_id=org.admin, email="mia@example.com",
                        password="reset by the admin today")
    assert sessions.resolve(org.db, token) is None


def test_a_refused_password_change_keeps_the_sessions(org):
    token = sessions.create(org.db, user_id=org.manager)
    with pytest.raises(InvalidInput):
        people.set_password(org.db, actor_id=org.admin, email="mia@example.com", password="short")
    assert sessions.resolve(org.db, token) == org.manager


def test_a_log_in_deletes_that_persons_sessions_that_ended_a_month_ago_and_keeps_the_rest(org):
    clock = Clock(org.db)
    old = sessions.create(org.db, user_id=org.frontline)
    sessions.revoke(org.db, sessions.create(org.db, user_id=org.frontline))
    someone_else = sessions.create(org.db, user_id=org.manager)
    clock.advance(days=30, hours=7)  # the expiry (8 hours after the log-in) of both passed 29 days 23 hours ago
    recent = sessions.create(org.db, user_id=org.frontline)
    assert len(rows(org.db)) == 4  # not yet a month: kept

    clock.advance(hours=2)
    newest = sessions.create(org.db, user_id=org.frontline)

    left = {(r.user_id, r.id) for r in rows(org.db)}
    assert len(left) == 3 and all(uid in (org.frontline, org.manager) for uid, _ in left)
    assert sessions.resolve(org.db, old) is None
    assert sessions.resolve(org.db, someone_else) is None  # expired, but not this person's to delete
    assert {sessions.resolve(org.db, t) for t in (recent, newest)} == {org.frontline}
    with org.db.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "logged_in")
                          .order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
    assert json.loads(entry.after_json)["old_sessions_deleted"] == 2
    with org.db.read() as s:
        assert audit.verify(s).ok


def test_a_session_ends_seven_days_after_log_in_however_active(org):
    """Before: a session used at least every 8 hours lived for ever (a stolen cookie too)."""
    clock = Clock(org.db)
    token = sessions.create(org.db, user_id=org.frontline)
    start = clock.now
    while clock.now < start + timedelta(days=7) - timedelta(hours=2):
        clock.advance(hours=2)  # used every two hours, day and night
        assert sessions.resolve(org.db, token) == org.frontline
        assert rows(org.db)[0].expires_at <= start + timedelta(days=7)  # the idle limit slides, never past it
    clock.advance(hours=2)
    assert clock.now == start + timedelta(days=7)
    assert sessions.resolve(org.db, token) is None
    assert sessions.resolve(org.db, sessions.create(org.db, user_id=org.frontline)) == org.frontline


def test_the_absolute_session_limit_is_a_setting_and_holds_for_sessions_made_before_it(org, monkeypatch):
    clock = Clock(org.db)
    token = sessions.create(org.db, user_id=org.manager)
    for _ in range(4):
        clock.advance(hours=7)
        assert sessions.resolve(org.db, token) == org.manager  # 28 hours after the log-in, still in use
    monkeypatch.setenv("HERO_SESSION_MAX_DAYS", "1")  # lowered while the session lives (its expiry is later)
    assert sessions.resolve(org.db, token) is None
    monkeypatch.setenv("HERO_SESSION_MAX_DAYS", "2")
    fresh = sessions.create(org.db, user_id=org.manager)
    assert rows(org.db)[-1].expires_at == clock.now + sessions.IDLE_LIMIT
    for _ in range(6):
        clock.advance(hours=7)
        assert sessions.resolve(org.db, fresh) == org.manager
    clock.advance(hours=6)  # 48 hours after the log-in
    assert sessions.resolve(org.db, fresh) is None
