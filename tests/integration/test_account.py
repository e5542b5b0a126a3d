"""A person's own account, on SQLite and PostgreSQL: changing the password (the current one required, the rules,
every other session ended, this one kept), seeing one's sessions and ending the others — only one's own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hero_core import audit
from hero_core.errors import AuthenticationFailed, InvalidInput, NotFound, PermissionDenied
from hero_core.models import AuditEntry
from hero_core.services import login_throttle, people, sessions
from tests.conftest import PASSWORD, Clock

NEW = "a fresh and long passphrase"




def actions(db) -> list[str]:
    with db.read() as s:
        return list(s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(org):
    db = org.db
    here = sessions.create(db, user_id=org.frontline)
    phone = sessions.create(db, user_id=org.frontline)
    colleague = sessions.create(db, user_id=org.frontline_b)
    ended = people.change_own_password(db, actor_id=org.frontline, current_password=PASSWORD, new_password=NEW,
                                       keep_token=here)
    assert ended == 1
    assert sessions.resolve(db, here) == org.frontline
    assert sessions.resolve(db, phone) is None
    assert sessions.resolve(db, colleague) == org.frontline_b
    assert people.authenticate(db, email="fran@example.com", password=NEW) == org.frontline
    with pytest.raises(AuthenticationFailed):
        people.authenticate(db, email="fran@example.com", password=PASSWORD)
    with db.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "password_changed")).scalar_one()
        assert entry.actor_id == int(entry.entity_id) == org.frontline
        assert audit.verify(s).ok


@pytest.mark.parametrize(("current", "new", "problem"), [
    ("not my password at all", NEW, "current password is not right"),
    (PASSWORD, "too short", "at least 12 characters"),
    (PASSWORD, "FRAN@example.com", "must not be the email address"),
    (PASSWORD, PASSWORD, "must differ from the current one"),
])
def test_a_refused_password_change_changes_nothing(org, current, new, problem):
    db = org.db
    here = sessions.create(db, user_id=org.frontline)
    phone = sessions.create(db, user_id=org.frontline)
    before = actions(db)
    with pytest.raises(InvalidInput, match=problem):
        people.change_own_password(db, actor_id=org.frontline, current_password=current, new_password=new,
                                   keep_token=here)
    assert {sessions.resolve(db, t) for t in (here, phone)} == {org.frontline}
    assert actions(db) == before
    assert people.authenticate(db, email="fran@example.com", password=PASSWORD) == org.frontline


def test_a_borrowed_session_cannot_guess_the_password_on_the_change_form(org):
    db = org.db
    clock = Clock(db)
    here = sessions.create(db, user_id=org.frontline)
    for i in range(login_throttle.CHANGE_MAX_FAILURES):
        with pytest.raises(InvalidInput, match="not right"):
            people.change_own_password(db, actor_id=org.frontline, current_password=f"guess number {i}",
                                       new_password=NEW, keep_token=here)
    with pytest.raises(InvalidInput, match="not right"):  # now even the right one waits
        people.change_own_password(db, actor_id=org.frontline, current_password=PASSWORD, new_password=NEW,
                                   keep_token=here)
    clock.advance(minutes=16)
    assert people.change_own_password(db, actor_id=org.frontline, current_password=PASSWORD, new_password=NEW,
                                      keep_token=here) == 0


def test_a_person_sees_their_own_live_sessions_with_this_one_marked(org):
    db = org.db
    clock = Clock(db)
    old = sessions.create(db, user_id=org.manager)
    sessions.revoke(db, sessions.create(db, user_id=org.manager))  # logged out: not listed
    sessions.create(db, user_id=org.frontline)  # someone else's: not listed
    clock.advance(minutes=5)
    here = sessions.create(db, user_id=org.manager)
    listed = sessions.list_own(db, actor_id=org.manager, current_token=here)
    assert [v.current for v in listed] == [True, False]
    assert listed[0].created_at == clock.now and listed[1].created_at == clock.now - timedelta(minutes=5)
    assert old not in repr(listed) and sessions.hash_token(old) not in repr(listed)


def test_ending_another_session_ends_only_that_one_and_only_ones_own(org):
    db = org.db
    here = sessions.create(db, user_id=org.manager)
    laptop = sessions.create(db, user_id=org.manager)
    tablet = sessions.create(db, user_id=org.manager)
    colleague = sessions.create(db, user_id=org.frontline)
    ids = {v.id: v for v in sessions.list_own(db, actor_id=org.manager, current_token=here)}
    laptop_id = next(i for i, v in ids.items() if not v.current)
    colleague_id = sessions.list_own(db, actor_id=org.frontline, current_token=colleague)[0].id
    with pytest.raises(NotFound):
        sessions.end_own(db, actor_id=org.manager, current_token=here, session_id=colleague_id)
    with pytest.raises(InvalidInput, match="Log out"):
        sessions.end_own(db, actor_id=org.manager, current_token=here, session_id=next(
            i for i, v in ids.items() if v.current))
    with pytest.raises(NotFound):  # a token of someone else's does not make their sessions mine
        sessions.end_own(db, actor_id=org.manager, current_token=colleague, session_id=colleague_id)
    sessions.end_own(db, actor_id=org.manager, current_token=here, session_id=laptop_id)
    assert sessions.resolve(db, colleague) == org.frontline
    assert sessions.resolve(db, here) == org.manager
    assert [sessions.resolve(db, t) for t in (laptop, tablet)].count(None) == 1
    assert sessions.end_other_own(db, actor_id=org.manager, current_token=here) == 1
    assert sessions.resolve(db, laptop) is None and sessions.resolve(db, tablet) is None
    assert sessions.resolve(db, here) == org.manager
    assert sessions.end_other_own(db, actor_id=org.manager, current_token=here) == 0
    assert actions(db)[-2:] == ["session_ended", "other_sessions_ended"]
    with db.read() as s:
        assert audit.verify(s).ok


def test_a_deactivated_person_or_an_ended_session_manages_nothing(org):
    db = org.db
    here = sessions.create(db, user_id=org.it)
    other = sessions.create(db, user_id=org.it)
    sessions.revoke(db, here)
    with pytest.raises(NotFound):
        sessions.end_other_own(db, actor_id=org.it, current_token=here)
    assert sessions.resolve(db, other) == org.it
    here = sessions.create(db, user_id=org.it)
    people.set_active(db, actor_id=org.admin, email="ivan@example.com", active=False)
    with pytest.raises((PermissionDenied, NotFound)):
        sessions.list_own(db, actor_id=org.it, current_token=here)
    with pytest.raises((PermissionDenied, NotFound)):
        people.change_own_password(db, actor_id=org.it, current_password=PASSWORD, new_password=NEW,
                                   keep_token=here)
