"""The Account page: change your own password (this session stays, the others end), see where you are logged in
and end the other sessions. No token or hash ever appears on it."""

from __future__ import annotations

from hero_app import ui
from hero_app.navigation import BY_PATH
from hero_core.services import people, sessions
from tests.app.conftest import (
    EMAIL,
    ROLES,
    all_text,
    as_role,
    assert_clean,
    button,
    errors,
    login,
    open_page,
    successes,
)
from tests.conftest import PASSWORD

NEW = "a fresh and long passphrase"


def change_password(at, current: str, new: str, again: str | None = None):
    at.text_input(key="account_current_password").input(current)
    at.text_input(key="account_new_password").input(new)
    at.text_input(key="account_new_password_again").input(new if again is None else again)
    button_ = next(b for b in at.form_submit_button if b.label == "Change password")
    button_.click().run()
    return at


def test_every_role_has_an_account_page_in_the_menu(org):
    for role in ROLES:
        at = open_page(as_role(role), "account")
        assert_clean(at)
        assert at.title[0].value == "Your account"
    account = BY_PATH["account"]
    assert account.in_menu and account.section == "Start" and account.permission is None


def test_the_page_lists_this_browser_and_the_others_without_any_token(org):
    elsewhere = sessions.create(org.db, user_id=org.frontline)
    at = open_page(as_role("frontline"), "account")
    assert_clean(at)
    token = at.session_state[ui.TOKEN_KEY]
    text = all_text(at)
    assert text.count("This browser") == 1
    assert text.count("logged in 20") == 2  # this one and the other, each with its log-in time
    for secret in (token, elsewhere, sessions.hash_token(token), sessions.hash_token(elsewhere)):
        assert secret not in text
    assert [b.label for b in at.button if b.label.startswith("End")] == ["End this session",
                                                                         "End all other sessions"]


def test_changing_the_password_keeps_this_session_and_ends_the_others(org):
    phone = sessions.create(org.db, user_id=org.manager)
    at = open_page(as_role("manager"), "account")
    change_password(at, PASSWORD, NEW)
    assert_clean(at)
    assert successes(at) == ["Your password was changed. You were logged out everywhere else (1 other session)."]
    assert sessions.resolve(org.db, phone) is None
    at.run()
    assert ui.TOKEN_KEY in at.session_state and at.title[0].value == "Your account"  # still logged in here
    assert ui.TOKEN_KEY in login(EMAIL["manager"], NEW).session_state
    assert errors(login(EMAIL["manager"], PASSWORD)) == [people.LOGIN_REFUSED]


def test_a_wrong_current_password_a_weak_one_or_a_mismatch_is_refused_in_words_and_changes_nothing(org):
    at = open_page(as_role("frontline"), "account")
    change_password(at, "not my password at all", NEW)
    assert errors(at) == [people.CURRENT_PASSWORD_WRONG]
    change_password(at, PASSWORD, "short")
    assert errors(at) == ["password must be at least 12 characters long"]
    change_password(at, PASSWORD, NEW, again=NEW + " typo")
    assert errors(at) == ["The two new passwords are not the same. Nothing was changed."]
    assert_clean(at)
    for message in errors(at):
        assert "None" not in message and "_" not in message
    assert ui.TOKEN_KEY in login(EMAIL["frontline"], PASSWORD).session_state


def test_ending_one_other_session_and_then_all_others(org):
    laptop = sessions.create(org.db, user_id=org.it)
    tablet = sessions.create(org.db, user_id=org.it)
    colleague = sessions.create(org.db, user_id=org.manager)
    at = open_page(as_role("it_champion"), "account")
    next(b for b in at.button if b.label == "End this session").click().run()
    assert_clean(at)
    assert successes(at) == ["That session was ended."]
    assert [sessions.resolve(org.db, t) for t in (laptop, tablet)].count(None) == 1
    button(at, "End all other sessions").click().run()
    assert successes(at) == ["Ended 1 other session: you are logged in only here now."]
    assert sessions.resolve(org.db, laptop) is None and sessions.resolve(org.db, tablet) is None
    assert sessions.resolve(org.db, colleague) == org.manager
    at.run()
    assert "You are logged in only here." in all_text(at)
    assert ui.TOKEN_KEY in at.session_state
