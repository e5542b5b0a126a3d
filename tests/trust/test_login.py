"""Log-in under attack: lockout, equal cost for unknown accounts, idle expiry, password rules, rehash when the
hashing parameters change, and no password or hash ever written to a log."""

from __future__ import annotations

import logging
from datetime import timedelta

import argon2
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from hero_core import security
from hero_core.errors import AccountLocked, AuthenticationFailed, InvalidInput
from hero_core.models import AuditEntry, User
from hero_core.services import people, sessions
from tests.conftest import PASSWORD


class Clock:
    def __init__(self, db):
        self.now = db.clock()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(org):
    c = Clock(org.db)
    org.db.clock = c
    return c


def _hash_of(db, email: str) -> str:
    with db.read() as s:
        return s.execute(select(User.password_hash).where(User.email == email)).scalar()


def test_five_wrong_passwords_lock_the_account_until_the_lockout_passes(org, clock):
    db = org.db
    for _ in range(people.MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationFailed, match="Wrong email or password, or too many attempts"):
            people.authenticate(db, email="fran@example.com", password="wrong password!!")
    with pytest.raises(AccountLocked, match=r"^Wrong email or password, or too many attempts"):
        people.authenticate(db, email="fran@example.com", password="wrong password!!")
    with pytest.raises(AccountLocked):  # even the right password, while locked
        people.authenticate(db, email="fran@example.com", password=PASSWORD)
    with db.read() as s:
        assert s.execute(select(AuditEntry.action).order_by(AuditEntry.seq.desc()).limit(1)).scalar() == \
            "account_locked"
    clock.now += people.LOCKOUT + timedelta(seconds=1)
    assert people.authenticate(db, email="FRAN@example.com ", password=PASSWORD) == org.frontline


@pytest.mark.real_hashing
def test_an_unknown_email_costs_the_same_argon2_check_as_a_wrong_password(org, monkeypatch):
    """Counted, not timed: each refusal runs exactly one argon2 verification, and against hashes of the same
    parameters (time, memory, parallelism), so an unknown account costs what a wrong password costs; a skipped
    check (about 20x cheaper) would show as no verification at all."""
    db = org.db
    people.set_password(db, actor_id=None, email="fran@example.com", password=PASSWORD)  # a real-cost hash
    real = security.HASHER
    checks: list[argon2.Parameters] = []

    class RecordingHasher:
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, stored, password):
            checks.append(argon2.extract_parameters(stored))
            return real.verify(stored, password)

    monkeypatch.setattr(security, "HASHER", RecordingHasher())

    def verifications_when_refused(email: str) -> list[argon2.Parameters]:
        checks.clear()
        with pytest.raises((AuthenticationFailed, AccountLocked)):
            people.authenticate(db, email=email, password="wrong password!!")
        return list(checks)

    unknown = verifications_when_refused("nobody@example.com")
    wrong = verifications_when_refused("fran@example.com")
    assert len(unknown) == 1, "an unknown account must still pay for a full argon2 check"
    assert len(wrong) == 1
    assert unknown == wrong
    assert (unknown[0].time_cost, unknown[0].memory_cost, unknown[0].parallelism) == (
        real.time_cost, real.memory_cost, real.parallelism)


def test_an_idle_session_ends_after_the_idle_limit_and_activity_keeps_it_alive(org, clock):
    db = org.db
    token = sessions.create(db, user_id=org.manager)
    clock.now += sessions.IDLE_LIMIT - timedelta(minutes=1)
    assert sessions.resolve(db, token) == org.manager  # activity slides the limit on
    clock.now += sessions.IDLE_LIMIT - timedelta(minutes=1)
    assert sessions.resolve(db, token) == org.manager
    clock.now += sessions.IDLE_LIMIT + timedelta(seconds=1)
    assert sessions.resolve(db, token) is None
    assert sessions.resolve(db, token + "x") is None and sessions.resolve(db, "") is None


@pytest.mark.parametrize(("password", "problem"), [
    ("short pass", "at least 12 characters"),
    ("elevenchars", "at least 12 characters"),
    ("newbie@example.com", "must not be the email address"),
    ("  NEWBIE@Example.com ", "must not be the email address"),
    ("twelve chars\x00", "NUL"),
])
def test_password_rules_are_enforced_when_accounts_are_made_and_passwords_changed(org, password, problem):
    with pytest.raises(InvalidInput, match=problem) as info:
        people.add_user(org.db, actor_id=org.admin, email="newbie@example.com", name="Newbie",
                        roles=["frontline"], team_code="CC", password=password)
    assert "password" in info.value.fields
    with pytest.raises(InvalidInput, match=problem.replace("the email address", "")):
        people.change_own_password(org.db, actor_id=org.frontline, current_password=PASSWORD, keep_token=None,
                                   new_password=password.replace("newbie", "fran").replace("NEWBIE", "FRAN"))
    with pytest.raises(InvalidInput, match=problem.replace("the email address", "")):  # an admin's reset too
        people.set_password(org.db, actor_id=org.admin, email="fran@example.com",
                            password=password.replace("newbie", "fran").replace("NEWBIE", "FRAN"))
    assert people.authenticate(org.db, email="fran@example.com", password=PASSWORD) == org.frontline
    ok = people.add_user(org.db, actor_id=org.admin, email="newbie@example.com", name="Newbie",
                         roles=["frontline"], team_code="CC", password="twelve chars")
    assert people.authenticate(org.db, email="newbie@example.com", password="twelve chars") == ok


def test_a_successful_login_rehashes_a_password_stored_with_older_parameters(org, monkeypatch):
    db = org.db
    old = _hash_of(db, "fran@example.com")
    assert "m=64,t=1,p=1" in old  # stored with the cheap test parameters
    monkeypatch.setattr(security, "HASHER", PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1))
    with pytest.raises(AuthenticationFailed):
        people.authenticate(db, email="fran@example.com", password="not the password")
    assert _hash_of(db, "fran@example.com") == old, "only a successful login may rehash"
    assert people.authenticate(db, email="fran@example.com", password=PASSWORD) == org.frontline
    new = _hash_of(db, "fran@example.com")
    assert new.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and new != old
    assert people.authenticate(db, email="fran@example.com", password=PASSWORD) == org.frontline
    assert _hash_of(db, "fran@example.com") == new, "an up-to-date hash is left alone"


def test_no_password_or_hash_is_ever_logged_even_with_debug_logging(org, caplog, clock):
    db = org.db
    secret = "correct horse battery staple"
    caplog.set_level(logging.DEBUG)  # an operator turns everything up to DEBUG...
    for name in ("hero", "hero_app", "argon2", "sqlalchemy.pool"):
        caplog.set_level(logging.DEBUG, logger=name)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # ...and asks for the SQL too (echo)
    db.engine.dispose()  # new connections pick the log level up
    people.add_user(db, actor_id=org.admin, email="logs@example.com", name="Logs", roles=["frontline"],
                    team_code="CC", password=secret)
    uid = people.authenticate(db, email="logs@example.com", password=secret)
    token = sessions.create(db, user_id=uid)
    sessions.resolve(db, token)
    people.change_own_password(db, actor_id=uid, current_password=secret, new_password=secret + " 2",
                               keep_token=token)
    for _ in range(people.MAX_FAILED_LOGINS):
        with pytest.raises((AuthenticationFailed, AccountLocked)):
            people.authenticate(db, email="logs@example.com", password=secret)
    text = caplog.text
    assert "SELECT" in text or "INSERT" in text, "the capture must really include the database log"
    stored = _hash_of(db, "logs@example.com")
    for needle in (secret, "$argon2", stored, stored.split("$")[-1], token):
        assert needle not in text, f"{needle[:12]}... appeared in the log"
