"""Logging in and out with local accounts (argon2id passwords, lockout and sessions live in hero_core)."""

from __future__ import annotations

import ipaddress

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from hero_app import session_cookie, ui
from hero_core import config
from hero_core.errors import AccountLocked, AuthenticationFailed, HeroError
from hero_core.services import people, sessions


def client_id() -> str:
    """Where this log-in attempt comes from, for counting failures per client (login_throttle).

    The browser's address: from HERO_CLIENT_IP_HEADER when a proxy in front sets it, else the connection's
    (st.context.ip_address; Streamlit gives None for a browser on this machine). Without an address, the browser
    session: a reload starts a new one, so on a machine's own loopback the account lock is what holds.
    """
    header = config.client_ip_header()
    candidates = []
    if header:
        raw = st.context.headers.get(header)
        candidates.append(raw.split(",")[0].strip() if isinstance(raw, str) else None)
    else:
        candidates.append(st.context.ip_address)
    for value in candidates:
        if isinstance(value, str):
            try:
                address = ipaddress.ip_address(value)
            except ValueError:
                continue
            if address.version == 6:  # one home network holds a whole /64: count it as one client
                return f"ip:{ipaddress.ip_network(f'{address}/64', strict=False)}"
            return f"ip:{address}"
    ctx = get_script_run_ctx()
    return f"browser:{ctx.session_id if ctx else 'unknown'}"


def login_page() -> None:
    """The log-in form: Email, Password, Log in."""
    st.title("HERO compact")
    st.caption("Frontline ideas, manager risk review, IT support to scale them — and honest measurement.")
    notice = st.session_state.pop(ui.LOGIN_NOTICE_KEY, None)
    if notice:
        st.info(notice)
    with st.form("login"):
        email = st.text_input("Email", key="login_email", autocomplete="username")
        password = st.text_input("Password", type="password", key="login_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Log in", type="primary")
    if not submitted:
        return
    db = ui.get_db()
    try:
        user_id = people.authenticate(db, email=email, password=password, client=client_id())
        token = sessions.create(db, user_id=user_id)
    except (AuthenticationFailed, AccountLocked) as exc:
        st.error(str(exc))
        return
    except HeroError as exc:
        ui.show_error(exc)
        return
    except Exception:  # noqa: BLE001
        ui.show_unexpected("log-in")
        return
    st.session_state[ui.TOKEN_KEY] = token
    session_cookie.remember(token)  # a reload, a new tab or a link stays logged in
    # The same URL (path and ?query) now runs the page it names: a link lands where it pointed.
    st.rerun()


def logout(token: str | None) -> None:
    """End the session on the server (every tab and window sharing it) and delete the browser's cookie."""
    try:
        sessions.revoke(ui.get_db(), token)
    finally:
        # Nothing of this person's work stays behind in the browser session.
        st.session_state.clear()
        st.session_state[ui.LOGIN_NOTICE_KEY] = "You are logged out."
        if token:
            # The request that opened this page still carries the token: never try it again here.
            st.session_state[ui.REFUSED_KEY] = sessions.hash_token(token)
        session_cookie.forget(dead_token=token)
