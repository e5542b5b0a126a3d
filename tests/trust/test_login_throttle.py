"""A stranger at the log-in form, on SQLite and PostgreSQL: the answer never tells which accounts exist, a client
that keeps failing is held by itself, and hammering an account cannot keep its owner out for long.

Time is the database's clock, moved by hand (an hour of attack runs in seconds)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hero_core import audit, security
from hero_core.errors import AccountLocked, AuthenticationFailed
from hero_core.models import AuditEntry, LoginThrottle, Notification
from hero_core.services import login_throttle, people
from tests.conftest import PASSWORD, Clock
from tests.integration import smtp_sink

OWNER = "fran@example.com"
STRANGER = "ip:203.0.113.7"
OWNER_LAPTOP = "ip:198.51.100.20"
OWNER_NEW_PHONE = "ip:192.0.2.55"


@pytest.fixture(autouse=True)
def cheap_dummy_hash(request, monkeypatch):
    """The unknown-account check at the cheap test cost too: an hour of attack is thousands of attempts."""
    request.getfixturevalue("cheap_password_hashing")  # first, so that the dummy is hashed the cheap way
    monkeypatch.setattr(security, "_DUMMY_HASH", security.HASHER.hash("not-a-real-password-just-for-timing"))




def answer(db, email: str, password: str, client: str | None) -> str | int:
    """What the log-in form would say: the person's id, or the refusal's text."""
    try:
        return people.authenticate(db, email=email, password=password, client=client)
    except (AuthenticationFailed, AccountLocked) as exc:
        return str(exc)


def count(db, model, *where) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar()


@pytest.mark.parametrize("client", [None, STRANGER], ids=["no-client", "one-client"])
def test_every_attempt_on_a_real_account_reads_like_the_same_attempt_on_an_unknown_one(org, client):
    """Before: the fifth wrong password on a real account said 'locked until HH:MM', an unknown email never did."""
    Clock(org.db)
    attempts = login_throttle.CLIENT_MAX_FAILURES + 3  # through the account lock and the client block
    real, unknown = [], []
    for _ in range(attempts):
        real.append(answer(org.db, OWNER, "wrong password!!", client))
        # The unknown email comes from its own client, so the two series meet the same limits at the same count.
        unknown.append(answer(org.db, "nobody@example.com", "wrong password!!", client and "ip:203.0.113.8"))
    assert real == unknown
    assert set(real) == {people.LOGIN_REFUSED}
    # Even the right password, while locked, gets the very same words.
    assert answer(org.db, OWNER, PASSWORD, client) == people.LOGIN_REFUSED
    assert "locked" not in people.LOGIN_REFUSED and "UTC" not in people.LOGIN_REFUSED


def test_a_client_that_keeps_failing_is_blocked_on_every_account_and_others_are_not(org):
    Clock(org.db)
    for i in range(login_throttle.CLIENT_MAX_FAILURES):  # spraying unknown emails locks no account
        answer(org.db, f"guess{i}@example.com", "wrong password!!", STRANGER)
    # Blocked: even a right password of a real account is refused from this client...
    assert answer(org.db, "sam@example.com", PASSWORD, STRANGER) == people.LOGIN_REFUSED
    # ...and nowhere else: the account was never locked.
    assert answer(org.db, "sam@example.com", PASSWORD, OWNER_LAPTOP) == org.other_frontline


#: Two lock periods, plus the minutes the stranger needs to fail ten times and the owner's next try.
BOUND = 2 * people.LOCKOUT + timedelta(minutes=3)


def test_a_stranger_hammering_for_an_hour_keeps_the_owner_out_for_at_most_two_lock_periods(org):
    """Before: the first guesses after a lock expired locked the account again, for as long as the stranger kept
    going. Now the stranger's client blocks itself within two lock periods; the owner, trying once a minute from
    a browser never used before, gets in within BOUND."""
    db = org.db
    clock = Clock(db)
    start = clock.now
    owner_in_at = None
    owner_tries = 0
    for step in range(360):  # the stranger: a burst of five guesses every ten seconds, all hour long
        for _ in range(people.MAX_FAILED_LOGINS):
            assert answer(db, OWNER, "guess the password", STRANGER) == people.LOGIN_REFUSED
        clock.advance(seconds=5)
        if step % 6 == 5 and owner_in_at is None:  # the owner: once a minute, between two bursts
            owner_tries += 1
            if answer(db, OWNER, PASSWORD, OWNER_NEW_PHONE) == org.frontline:
                owner_in_at = clock.now
        clock.advance(seconds=5)
    assert owner_in_at is not None, "the owner never got in during an hour of attack"
    waited = owner_in_at - start
    print(f"\nowner got in after {waited} ({owner_tries} tries), bound {BOUND}")
    assert waited <= BOUND
    # The owner's own tries during the lock did not block the owner's browser.
    with db.read() as s:
        assert not login_throttle.blocked(s, login_throttle.client_key(OWNER_NEW_PHONE), clock.now)
    # At most two lock periods, each audited and each told to the owner once.
    locks = count(db, AuditEntry, AuditEntry.action == "account_locked")
    assert 1 <= locks <= 2
    assert count(db, Notification, Notification.user_id == org.frontline,
                 Notification.kind == "account_locked") == locks
    with db.read() as s:
        assert audit.verify(s).ok


def test_the_owners_own_browser_is_not_held_by_a_lock_a_stranger_caused(org):
    db = org.db
    clock = Clock(db)
    assert answer(db, OWNER, PASSWORD, OWNER_LAPTOP) == org.frontline  # the owner's usual browser
    clock.advance(days=3)
    for _ in range(people.MAX_FAILED_LOGINS):
        answer(db, OWNER, "guess the password", STRANGER)
    assert answer(db, OWNER, PASSWORD, OWNER_NEW_PHONE) == people.LOGIN_REFUSED  # locked for new browsers
    assert answer(db, OWNER, PASSWORD, OWNER_LAPTOP) == org.frontline  # not for the owner's own
    assert answer(db, OWNER, PASSWORD, STRANGER) == people.LOGIN_REFUSED  # and still for the stranger
    # The known browser must still know the password: a wrong one is refused and counted against it.
    assert answer(db, OWNER, "guess the password", OWNER_LAPTOP) == people.LOGIN_REFUSED
    clock.advance(days=31)
    for _ in range(people.MAX_FAILED_LOGINS):
        answer(db, OWNER, "guess the password", "ip:203.0.113.99")
    assert answer(db, OWNER, PASSWORD, OWNER_LAPTOP) == people.LOGIN_REFUSED  # a month later it is a stranger too


def test_throttle_rows_keep_no_address_or_email_and_are_deleted_once_they_no_longer_matter(org):
    db = org.db
    clock = Clock(db)
    for _ in range(3):
        answer(db, OWNER, "guess the password", STRANGER)
    answer(db, OWNER, PASSWORD, OWNER_LAPTOP)
    with db.read() as s:
        stored = " ".join(str(v) for r in s.execute(select(LoginThrottle.__table__)) for v in r)
    for secret in ("203.0.113.7", "198.51.100.20", OWNER):
        assert secret not in stored
    assert count(db, LoginThrottle) == 2  # the stranger's failures, the owner's known browser
    clock.advance(hours=2)
    answer(db, "nobody@example.com", "x", None)  # any attempt prunes
    assert count(db, LoginThrottle) == 1  # the owner's known browser, kept for KNOWN_CLIENT_FOR
    clock.advance(days=31)
    answer(db, "nobody@example.com", "x", None)
    assert count(db, LoginThrottle) == 0


def test_the_lock_is_mailed_to_the_owner_once_when_mail_is_on(org, monkeypatch):
    server = smtp_sink.SmtpSink()
    controller, port = smtp_sink.start(server)
    try:
        monkeypatch.setenv("HERO_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("HERO_SMTP_PORT", str(port))
        monkeypatch.setenv("HERO_SMTP_TIMEOUT", "5")
        Clock(org.db)
        for _ in range(people.MAX_FAILED_LOGINS + 4):  # attempts during the lock tell nobody again
            answer(org.db, OWNER, "guess the password", STRANGER)
        mails = server.wait_for(2, timeout=3)
        assert len(mails) == 1 and mails[0].rcpt_tos == [OWNER]
        assert "locked until" in mails[0].body and "change your password" in mails[0].body
    finally:
        controller.stop()
