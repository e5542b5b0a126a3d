"""The browser's half of a log-in session: one cookie holding the session token.

Streamlit 1.67 reads cookies (`st.context.cookies`, from the request that opened the page) but cannot write
one. Why a few lines of `st.components.v2` and not a package:

- extra-streamlit-components' CookieManager and streamlit-cookies-controller are v1 iframe components with a
  bundled React build; their trackers report an extra rerun on every page, cookies missed after a reload and
  duplicate-key errors. A v2 component is part of Streamlit itself, runs in the page's own document (no
  iframe, so `document.cookie` is this site's), and adds no dependency.
- Streamlit's st.App (custom Starlette routes) could set a real HttpOnly cookie from the server; it changes
  how the app is started, so it is left as a follow-up (README, "Sessions").

A cookie written by JavaScript cannot be HttpOnly: a script injected into the page could read it. To make
up for that: no user text ever reaches st.html/unsafe_allow_html (hero_app/ui.md); SameSite=Strict (other
sites' requests never carry it; a link from a webmail still works, because Streamlit reads the cookie on its
own same-site WebSocket request); Secure on https; Path=/; Max-Age = the idle limit; a fresh token at every
log-in; only its hash in the database; and every page run checks it on the server, where log-out,
deactivation and a new password revoke it. The token is never put in a URL and never logged.
"""

from __future__ import annotations

import re

import streamlit as st

from hero_core.services import sessions

COOKIE_NAME = "hero_session"
MAX_AGE_SECONDS = int(sessions.IDLE_LIMIT.total_seconds())
# Pending cookie change for the next run (set on log-in, log-out and refusal; rendered by the router).
PENDING_KEY = "hero_cookie_pending"
# When this browser session last (re)wrote the cookie: refreshed with the server's sliding idle limit.
WRITTEN_KEY = "hero_cookie_written"
# secrets.token_urlsafe output: nothing else is ever written into the cookie or read from it.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,200}")

_JS = """
export default function ({ data }) {
  if (!data || !data.name) return;
  const current = document.cookie.split("; ").find((c) => c.startsWith(data.name + "="));
  const value = current ? current.slice(data.name.length + 1) : null;
  // Clearing a refused token must not wipe a newer one another tab has written since.
  if (data.onlyIf && value !== data.onlyIf) return;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${data.name}=${data.value}; Path=/; Max-Age=${data.maxAge}; SameSite=Strict${secure}`;
}
"""

_cookie_writer = st.components.v2.component("hero_session_cookie", js=_JS)


def read() -> str | None:
    """The session token the browser sent when it opened this page, if it looks like one."""
    value = st.context.cookies.get(COOKIE_NAME)
    # (AppTest has no browser: its st.context.cookies is a stand-in object, not a mapping of strings.)
    return value if isinstance(value, str) and _TOKEN_SHAPE.fullmatch(value) else None


def remember(token: str, *, refresh: bool = False) -> None:
    """Write the token into the cookie when the page is next drawn (after a log-in).

    `refresh` only renews Max-Age, and only while the cookie still holds this token: a tab never overwrites a
    newer log-in made in another tab.
    """
    if not _TOKEN_SHAPE.fullmatch(token):
        raise ValueError("not a session token")
    change = {"name": COOKIE_NAME, "value": token, "maxAge": MAX_AGE_SECONDS}
    if refresh:
        change["onlyIf"] = token
    st.session_state[PENDING_KEY] = change


def forget(dead_token: str | None = None) -> None:
    """Delete the cookie when the page is next drawn; with `dead_token`, only while it still holds that
    (revoked) token."""
    pending = {"name": COOKIE_NAME, "value": "", "maxAge": 0}
    if dead_token and _TOKEN_SHAPE.fullmatch(dead_token):
        pending["onlyIf"] = dead_token
    st.session_state[PENDING_KEY] = pending


def sync(token: str | None, *, now: float) -> None:
    """Draw the waiting cookie change; for a logged-in tab, renew the cookie's Max-Age as the server's idle
    limit slides on (at most every TOUCH_EVERY, like the server's own touch)."""
    if token and PENDING_KEY not in st.session_state:
        written = st.session_state.get(WRITTEN_KEY)
        if written is None or now - written >= sessions.TOUCH_EVERY.total_seconds():
            remember(token, refresh=True)
    change = st.session_state.pop(PENDING_KEY, None)
    if change is None:
        return
    st.session_state[WRITTEN_KEY] = now if change["maxAge"] else None
    # An empty element (no HTML); `at` makes each write new data, so the browser runs the script again.
    _cookie_writer(key="hero_cookie", data={**change, "at": now})
