"""HERO compact — the entry script and router.

It is the frame around every page: it finds the database, decides who is logged in (or shows the log-in
form), builds the navigation from that person's roles (hero_app/navigation.py), and runs the chosen page.
No `pages/` folder may sit beside this file (see docs: AppTest would bypass this gate).
"""

from __future__ import annotations

import functools
import logging
import time
from pathlib import Path

import streamlit as st

from hero_app import auth, session_cookie, startup, ui
from hero_app.navigation import HOME, PAGES, pages_for
from hero_core.errors import HeroError
from hero_core.services import notifications

# The icon is a file of the app's own, served by this server: a ":material/…:" or emoji icon is fetched from a
# font or emoji service on the internet, which an offline company network never reaches.
ICON = Path(__file__).resolve().parent / "hero_app" / "static" / "hero-icon.png"
st.set_page_config(page_title="HERO compact", page_icon=str(ICON), layout="wide")
startup.freeze_long_lived_objects()  # once per process: keeps full garbage collections short


def sidebar(user: ui.CurrentUser) -> None:
    with st.sidebar:
        # One caption, not four elements: the sidebar is sent and drawn again on every run of every page.
        unread = notifications.unread_count(ui.get_db(), actor_id=user.id)
        lines = ["Logged in as", f"**{ui.md(user.name)}**", ui.md(user.email),
                 f"{ui.md(user.roles_text)} · team {ui.md(user.team_name or user.team_code or 'none')}"]
        if unread:
            lines.append(f"{unread} unread notification{'s' if unread != 1 else ''}")
        st.caption("  \n".join(lines))
        if st.button("Log out", key="logout", icon=":material/logout:"):
            auth.logout(st.session_state.get(ui.TOKEN_KEY))
            st.rerun()


def main() -> None:
    try:
        db = ui.get_db()
    except Exception:  # the traceback goes to the server log; people get a calm message
        logging.getLogger("hero_app").exception("cannot open the database")
        st.error("The HERO database cannot be reached right now. Please try again in a few minutes.")
        st.stop()
    user = ui.current_user(db)
    if user is None:
        # Every page's URL shows the log-in form while logged out, so a bookmark or a link from a colleague
        # leads to the log-in form and then, after logging in, to the page it names (if the role may use it).
        login = [st.Page(auth.login_page, title="Log in", url_path="login", icon=":material/login:", default=True)]
        login += [st.Page(auth.login_page, title="Log in", url_path=spec.url_path, visibility="hidden")
                  for spec in PAGES]
        session_cookie.sync(None, now=time.time())  # delete a refused or logged-out cookie
        st.navigation(login, position="hidden").run()
        return

    sections: dict[str, list[st.Page]] = {}
    offered = pages_for(user.actor)
    for spec in offered:
        sections.setdefault(spec.section, []).append(st.Page(
            spec.file, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=spec.url_path == HOME,
            visibility="visible" if spec.in_menu else "hidden",
        ))
    # A page this role may not use keeps its URL, hidden, so a bookmark or a typed address says why it is
    # refused (the page's own gate draws the message) instead of silently showing another page.
    sections[offered[0].section] += [
        st.Page(functools.partial(ui.require_page, spec.url_path), title=spec.title, url_path=spec.url_path,
                visibility="hidden")
        for spec in PAGES if spec not in offered
    ]
    # Every page in view: folded under "View N more", an executive's Impact page or a manager's review queue was
    # one click further away than the pages they rarely use.
    page = st.navigation(sections, expanded=True)
    sidebar(user)
    with st.sidebar:  # write the session cookie after a log-in; keep its Max-Age in step with the server
        session_cookie.sync(st.session_state.get(ui.TOKEN_KEY), now=time.time())
    ui.page_opened(page.url_path or HOME)
    ui.apply_resets()
    ui.show_flash()
    loaded = ui.RUN_USER.set(user)  # the page's gate checks these roles, read at the start of this run
    try:
        page.run()
    except HeroError as exc:  # e.g. a role removed while the page was open: the service says why
        ui.show_error(exc)
    except Exception:  # noqa: BLE001
        ui.show_unexpected(f"page {page.url_path or HOME}")
    finally:
        ui.RUN_USER.reset(loaded)  # never carried into another run: each loads the roles afresh


main()
