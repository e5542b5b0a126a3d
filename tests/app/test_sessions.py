"""Sessions in the app: the cookie written at log-in and deleted at log-out, and a page opened with a cookie.

AppTest has no browser: its `st.context.cookies` cannot be seeded (streamlit/testing/v1/app_test.py says
so), so a page opened with a cookie is tested through `ui.current_user(cookie=...)` (the seam where the
request's cookie comes in), run inside AppTest by a small script. tests/browser/test_sessions.py covers the
real cookie in Chromium.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from hero_app import session_cookie, ui
from hero_core.models import LoginSession
from hero_core.services import people, sessions
from tests.app.conftest import EMAIL, all_text, as_role, assert_clean, new_app


def cookie_writes(at: AppTest) -> list[dict]:
    """What the page asks the browser to do with the session cookie on this run."""
    return [json.loads(e.proto.json) for e in at.get("bidi_component")
            if e.proto.component_name == "hero_session_cookie"]


def opened_with_cookie(cookie: str | None) -> AppTest:
    """A page run whose request carried `cookie` as the session cookie (None: no cookie)."""

    def script(cookie):
        import time

        import streamlit as st

        from hero_app import session_cookie, ui

        user = ui.current_user(cookie=cookie)
        st.text(f"user: {user.email if user else 'nobody'}")
        st.text(f"roles: {user.roles_text if user else ''}")
        st.text(f"notice: {st.session_state.get(ui.LOGIN_NOTICE_KEY, '')}")
        session_cookie.sync(st.session_state.get(ui.TOKEN_KEY), now=time.time())

    return AppTest.from_function(script, args=(cookie,), default_timeout=30).run()


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


# ---- the real app: log in, log out ---------------------------------------------------------------------

def test_logging_in_writes_the_new_token_into_a_strict_cookie_for_eight_hours(org):
    at = as_role("manager")
    assert_clean(at)
    token = at.session_state[ui.TOKEN_KEY]
    assert sessions.resolve(org.db, token) == org.manager
    [write] = cookie_writes(at)
    assert write["name"] == session_cookie.COOKIE_NAME == "hero_session"
    assert write["value"] == token and "onlyIf" not in write
    assert write["maxAge"] == 8 * 3600
    script = at.get("bidi_component")[0].proto.js_content
    assert "SameSite=Strict" in script and "Path=/" in script
    assert 'protocol === "https:" ? "; Secure"' in script
    at.run()
    assert cookie_writes(at) == []  # written once, not on every run


def test_each_log_in_gets_a_fresh_token(org):
    first = as_role("frontline").session_state[ui.TOKEN_KEY]
    second = as_role("frontline").session_state[ui.TOKEN_KEY]
    assert first != second
    assert sessions.resolve(org.db, first) == sessions.resolve(org.db, second) == org.frontline


def test_the_token_is_not_in_the_url_or_on_the_page(org):
    at = as_role("executive")
    token = at.session_state[ui.TOKEN_KEY]
    assert token not in json.dumps(dict(at.query_params))
    assert token not in all_text(at)


def test_logging_out_deletes_the_cookie_that_still_holds_the_ended_session(org):
    at = as_role("frontline")
    token = at.session_state[ui.TOKEN_KEY]
    at.sidebar.button(key="logout").click().run()
    assert_clean(at)
    assert sessions.resolve(org.db, token) is None
    assert cookie_writes(at) == [{"name": "hero_session", "value": "", "maxAge": 0, "onlyIf": token,
                                  "at": cookie_writes(at)[0]["at"]}]
    assert "You are logged out." in all_text(at)


def test_a_role_change_applies_on_the_next_run_of_a_page_opened_from_the_cookie(org):
    token = sessions.create(org.db, user_id=org.manager)
    at = opened_with_cookie(token)
    assert "roles: manager" in texts(at)
    people.set_roles(org.db, actor_id=org.admin, email=EMAIL["manager"], roles=["frontline", "it_champion"])
    at.run()
    assert at.session_state[ui.TOKEN_KEY] == token
    assert "roles: frontline, IT champion" in texts(at)


# ---- a page opened with (or without) the cookie ----------------------------------------------------------

def test_a_page_opened_with_a_live_cookie_is_logged_in_and_renews_the_cookie(org):
    token = sessions.create(org.db, user_id=org.executive)
    at = opened_with_cookie(token)
    assert_clean(at)
    assert "user: eve@example.com" in texts(at)
    assert at.session_state[ui.TOKEN_KEY] == token
    [write] = cookie_writes(at)
    assert write["value"] == token and write["onlyIf"] == token and write["maxAge"] == 8 * 3600


def test_a_page_opened_without_a_cookie_shows_nobody_and_writes_no_cookie(org):
    at = opened_with_cookie(None)
    assert "user: nobody" in texts(at)
    assert ui.TOKEN_KEY not in at.session_state
    assert cookie_writes(at) == []


def test_a_revoked_cookie_is_refused_deleted_and_never_retried(org):
    token = sessions.create(org.db, user_id=org.it)
    sessions.revoke(org.db, token)
    at = opened_with_cookie(token)
    assert "user: nobody" in texts(at)
    assert ui.TOKEN_KEY not in at.session_state
    assert f"notice: {ui.SESSION_ENDED}" in texts(at)
    [write] = cookie_writes(at)
    assert write["maxAge"] == 0 and write["value"] == "" and write["onlyIf"] == token
    at.session_state[ui.LOGIN_NOTICE_KEY] = ""
    at.run()  # the request still carries the refused cookie: it is not tried again
    assert "user: nobody" in texts(at) and "notice:" in texts(at)  # not refused (and announced) again
    assert cookie_writes(at) == []


def test_an_expired_cookie_is_refused(org):
    token = sessions.create(org.db, user_id=org.manager)
    with org.db.write() as s:
        s.execute(update(LoginSession).values(expires_at=org.db.now() - timedelta(seconds=1)))
    at = opened_with_cookie(token)
    assert "user: nobody" in texts(at)
    assert cookie_writes(at)[0]["maxAge"] == 0


def test_a_cookie_of_a_deactivated_person_is_refused(org):
    token = sessions.create(org.db, user_id=org.frontline)
    people.set_active(org.db, actor_id=org.admin, email=EMAIL["frontline"], active=False)
    assert "user: nobody" in texts(opened_with_cookie(token))


def test_a_made_up_cookie_is_refused(org):
    at = opened_with_cookie("A" * 43)
    assert "user: nobody" in texts(at)
    assert cookie_writes(at)[0]["maxAge"] == 0


def test_a_session_ended_in_another_tab_sends_this_tab_to_the_login_form(org):
    at = as_role("admin")
    other_tab = opened_with_cookie(at.session_state[ui.TOKEN_KEY])
    assert "user: ada@example.com" in texts(other_tab)
    at.sidebar.button(key="logout").click().run()
    other_tab.run()
    assert "user: nobody" in texts(other_tab)
    assert f"notice: {ui.SESSION_ENDED}" in texts(other_tab)


def test_the_app_without_a_cookie_shows_the_login_form(org):
    at = new_app().run()
    assert [b.label for b in at.form_submit_button] == ["Log in"]
    assert cookie_writes(at) == []


def test_a_logged_in_tab_renews_the_cookie_at_most_once_a_minute(org):
    def script(token, now):
        from hero_app import session_cookie

        session_cookie.sync(token, now=now)

    token = sessions.create(org.db, user_id=org.manager)
    at = AppTest.from_function(script, args=(token, 1000.0), default_timeout=30).run()
    assert [w["value"] for w in cookie_writes(at)] == [token]
    at.args = (token, 1059.0)
    at.run()
    assert cookie_writes(at) == []  # within TOUCH_EVERY of the last write: nothing to renew
    at.args = (token, 1061.0)
    at.run()
    [write] = cookie_writes(at)
    assert write["onlyIf"] == token and write["maxAge"] == 8 * 3600  # renews, never overwrites another log-in
