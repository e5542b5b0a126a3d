"""Shared UI helpers: the database handle, who is logged in, page gates, messages, tables and downloads.

Nothing mutable lives at module level: per-person state is in `st.session_state` (keys start with "hero_"),
and the only cached object is the Database, which holds no user data.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import logging
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from hero_app import session_cookie
from hero_app.navigation import BY_PATH, may_open, who_may_open
from hero_core import config, permissions
from hero_core.db import Database, migrate
from hero_core.errors import HeroError, InvalidInput, NotFound, StaleIdea
from hero_core.permissions import Actor, IdeaFacts
from hero_core.services import catalog, people, sessions
from hero_core.services.ideas_io import neutralise
from hero_core.vocab import (
    PROBLEM_KIND_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
    TOUCHPOINT_LABELS,
    ProblemKind,
    State,
    Touchpoint,
)

log = logging.getLogger("hero_app")

TOKEN_KEY = "hero_token"
REFUSED_KEY = "hero_refused_token"  # hash of a token refused in this browser session: never retried
LOGIN_NOTICE_KEY = "hero_login_notice"
FLASH_KEY = "hero_flash"
PINS_KEY = "hero_opened_versions"
STALE_KEY = "hero_stale"
ACTION_ERRORS_KEY = "hero_action_errors"
PAGE_KEY = "hero_page"
RESET_KEY = "hero_reset"

UNEXPECTED = (
    "Something went wrong on our side and nothing was changed. Please try again; if it keeps happening, "
    "tell an admin the time it happened."
)
IDEA_PAGE = "hero_app/pages/idea.py"

T = TypeVar("T")


# ---- the database ------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _database(url: str) -> Database:
    # Shared by every session: it holds an engine and a clock, never anyone's data or identity.
    db = Database(url)
    migrate(db)
    catalog.ensure_defaults(db)
    return db


def get_db() -> Database:
    """The database named by HERO_DATABASE_URL, migrated and with the default metric catalog."""
    return _database(config.database_url())


# ---- who is logged in --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    name: str
    roles: tuple[str, ...]
    team_code: str | None
    managed_team_codes: tuple[str, ...]
    actor: Actor
    team_name: str | None = None  # what people read

    def may(self, action: str, idea: IdeaFacts | None = None) -> bool:
        return permissions.allowed(self.actor, action, idea)

    @property
    def roles_text(self) -> str:
        return ", ".join(ROLE_LABELS.get(r, r) for r in self.roles) or "no role"


SESSION_ENDED = ("Your session has ended (8 hours without activity, the longest a log-in may last, a log-out, or a "
                 "change to your account). Please log in again.")


def current_user(db: Database | None = None, *, cookie: str | bool | None = True) -> CurrentUser | None:
    """The person whose session token this browser session holds, loaded fresh; None when not logged in.

    Roles are read from the database on every run, so a role change or a deactivation takes effect at once.
    With no token yet (a reload, a new tab, a link), the browser's session cookie is tried: the server decides
    whether it is still live. `cookie` is the cookie's value; True (the default) reads it from the request.
    """
    db = db or get_db()
    token = st.session_state.get(TOKEN_KEY)
    if not token:
        offered = session_cookie.read() if cookie is True else cookie or None
        if not offered or sessions.hash_token(offered) == st.session_state.get(REFUSED_KEY):
            return None  # no cookie, or the one this page was opened with was already refused once
        token = offered
        st.session_state[TOKEN_KEY] = token
    user_id = sessions.resolve(db, token)
    if user_id is None:
        # Expired, revoked (a log-out in another tab, a deactivation, a new password) or unknown: refuse it,
        # remember it was refused (the page's request still carries it) and delete it from the browser.
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state[REFUSED_KEY] = sessions.hash_token(token)
        session_cookie.forget(dead_token=token)
        st.session_state[LOGIN_NOTICE_KEY] = SESSION_ENDED
        return None
    try:
        view, actor = people.signed_in(db, user_id)
    except NotFound:
        st.session_state.pop(TOKEN_KEY, None)
        return None
    return CurrentUser(id=view.id, email=view.email, name=view.name, roles=view.roles, team_code=view.team_code,
                       managed_team_codes=view.managed_team_codes, actor=actor, team_name=view.team_name)


#: The person the router loaded at the start of this run, so that the page's gate checks the same fresh roles
#: without loading them again. A context variable of the script's thread, not session state: streamlit_app.py
#: sets it around the page's run and resets it however the run ends (session state cannot be touched any more
#: once a page has called st.stop()).
RUN_USER: contextvars.ContextVar[CurrentUser | None] = contextvars.ContextVar("hero_run_user", default=None)


def require_page(url_path: str) -> tuple[Database, CurrentUser]:
    """Gate a page: stop with a message unless the logged-in person may use it (defence in depth)."""
    db = get_db()
    user = RUN_USER.get() or current_user(db)
    if user is None:
        st.warning("Please log in to use this page.")
        st.stop()
    spec = BY_PATH[url_path]
    if not may_open(user.actor, spec):
        st.error(
            f"This page is only for {who_may_open(spec)}. You are logged in as {md(user.email)} "
            f"({md(user.roles_text)}), so it is not available to you."
        )
        st.stop()
    return db, user


def page_opened(url_path: str) -> None:
    """Forget the idea versions pinned on the previous page: opening a page starts from what it shows now."""
    if st.session_state.get(PAGE_KEY) != url_path:
        st.session_state[PAGE_KEY] = url_path
        st.session_state[PINS_KEY] = {}
        st.session_state[STALE_KEY] = {}


# ---- messages ----------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'^@%])")
# GitHub-flavoured Markdown turns bare URLs and e-mail addresses into links after escapes are resolved; an
# invisible zero-width space breaks those patterns so typed text never becomes a link.
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")


def md(text: object) -> str:
    """Escape a person's text so Markdown shows it literally, never as formatting or a link."""
    plain = _AUTOLINK.sub(lambda m: m.group(1)[0] + "\u200b" + m.group(1)[1:], str(text if text is not None else ""))
    return _MD_SPECIAL.sub(r"\\\1", plain).replace("\n", " ")


def md_table(frame: pd.DataFrame) -> str:
    """A small table as Markdown, every cell escaped (`md`): a page draws it as plain HTML, far cheaper in the
    browser than a data grid (measured: docs/measurements.md). For a few dozen rows at most; large tables stay
    st.dataframe."""
    head = "| " + " | ".join(md(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(md(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def show_error(exc: BaseException) -> None:
    """Show a domain error's own message; list each problem when there are several."""
    if isinstance(exc, InvalidInput) and len(exc.problems) > 1:
        st.error("Please fix these problems:\n\n" + "\n".join(f"- {md(p)}" for p in exc.problems))
    else:
        st.error(md(str(exc)))


def show_unexpected(where: str) -> None:
    """Log the exception being handled, with its traceback, and show a person the calm UNEXPECTED message.
    Called from `except` blocks."""
    log.error("unexpected error in %s", where, exc_info=sys.exception())
    st.error(UNEXPECTED)


def flash(message: str) -> None:
    """A success message shown at the top of the next run (after st.rerun, or the run a callback precedes)."""
    st.session_state.setdefault(FLASH_KEY, []).append(message)


def show_flash() -> None:
    for message in st.session_state.pop(FLASH_KEY, []):
        st.success(md(message))  # messages may quote what someone typed (an email, a team code)


def attempt(action: Callable[[], T], *, success: str | Callable[[T], str], idea_id: int | None = None,
            where: str = "", clear: Sequence[str] = ()) -> None:
    """Run one service call for a button: on success rerun with a message; on a domain error show it here.

    A stale idea (someone else acted first) is remembered so the idea's panel shows a Reload button.
    `clear` names widget keys to empty after a success (a form ready for the next entry).
    """
    try:
        result = action()
    except StaleIdea as exc:
        st.session_state.setdefault(STALE_KEY, {})[idea_id or exc.idea_id] = str(exc)
        st.rerun()
    except HeroError as exc:
        show_error(exc)
        return
    except Exception:  # noqa: BLE001 - a person sees a calm message; the traceback goes to the log
        show_unexpected(where or "an action")
        return
    _succeeded(result, success, idea_id, clear)
    st.rerun()


def _succeeded(result: Any, success: str | Callable[[Any], str], idea_id: int | None,
               clear: Sequence[str]) -> None:
    """After an action succeeded: forget the idea's pinned version, empty the widgets asked for, say so."""
    if idea_id is not None:
        unpin(idea_id)
    if clear:
        st.session_state[RESET_KEY] = list(clear)
    flash(success(result) if callable(success) else success)


def _attempt_in_callback(action: Callable[[], Any], success: str | Callable[[Any], str], idea_id: int | None,
                         where: str, clear: Sequence[str], key: str) -> None:
    """`attempt` as a button's on_click callback: it runs before the script, so the run the click causes already
    shows the outcome (no second run, as st.rerun would cost). A refusal is kept for `action_button` to show."""
    try:
        result = action()
    except StaleIdea as exc:
        st.session_state.setdefault(STALE_KEY, {})[idea_id or exc.idea_id] = str(exc)
        return
    except HeroError as exc:
        st.session_state.setdefault(ACTION_ERRORS_KEY, {})[key] = exc
        return
    except Exception:  # a person sees a calm message; the traceback goes to the log
        log.exception("unexpected error in %s", where or "an action")
        st.session_state.setdefault(ACTION_ERRORS_KEY, {})[key] = None
        return
    _succeeded(result, success, idea_id, clear)


def action_button(label: str, action: Callable[[], Any], *, key: str, success: str | Callable[[Any], str],
                  idea_id: int | None = None, where: str = "", clear: Sequence[str] = (), container: Any = None,
                  **button: Any) -> None:
    """A button that runs one service call when clicked, like `attempt`, but as an on_click callback, so one run
    shows the result. `action` runs at the click, so it must read what the person typed from st.session_state
    (a value captured while drawing is the previous run's). A refusal is shown below the button."""
    (container or st).button(label, key=key, on_click=_attempt_in_callback,
                             args=(action, success, idea_id, where, clear, key), **button)
    errors = st.session_state.get(ACTION_ERRORS_KEY, {})
    if key in errors:
        exc = errors.pop(key)
        if exc is None:
            st.error(UNEXPECTED)
        else:
            show_error(exc)


def apply_resets() -> None:
    """Empty the widgets a successful action asked to clear (before any widget of this run is drawn)."""
    for key in st.session_state.pop(RESET_KEY, []):
        st.session_state.pop(key, None)


# ---- concurrent edits: the version a person saw when they opened the idea -----------------------------------


def opened_version(idea_id: int, current_version: int) -> int:
    """The idea's version when this page first showed it; every action passes it as expected_version."""
    pins = st.session_state.setdefault(PINS_KEY, {})
    return pins.setdefault(idea_id, current_version)


def unpin(idea_id: int) -> None:
    st.session_state.setdefault(PINS_KEY, {}).pop(idea_id, None)
    st.session_state.setdefault(STALE_KEY, {}).pop(idea_id, None)


def lazy_expander(label: str, *, key: str, expanded: bool = False, **kwargs: Any) -> Any:
    """An expander whose content runs only while it is open (on_change="rerun"): use `if box.open: with box: …`.
    A closed expander then costs nothing on the server or in the browser; opening it reruns the page."""
    return st.expander(label, expanded=expanded, key=key, on_change="rerun", **kwargs)


def on_demand(enabled: bool, label: str, *, key: str, **kwargs: Any) -> Any:
    """Where to draw a heavy part: with `enabled`, a lazy expander (None while it is closed, so nothing is drawn);
    otherwise the page itself. Use `if (area := on_demand(...)) is not None: with area: …`."""
    if not enabled:
        return contextlib.nullcontext()
    box = lazy_expander(label, key=key, **kwargs)
    return box if box.open else None


def stale_banner(idea_id: int, current_version: int, *, where: str) -> bool:
    """When the idea changed since it was opened, say so and offer Reload. True while it is stale."""
    message = st.session_state.get(STALE_KEY, {}).get(idea_id)
    pinned = st.session_state.get(PINS_KEY, {}).get(idea_id)
    if message is None and (pinned is None or pinned == current_version):
        return False
    st.warning(md(message or (
        f"Idea #{idea_id} changed since you opened it (someone else acted on it). "
        "Reload it to see the latest version, then try again.")))
    if st.button("Reload", key=f"reload_{where}_{idea_id}", type="primary", icon=":material/refresh:"):
        unpin(idea_id)
        st.rerun()
    return True


# ---- formatting --------------------------------------------------------------------------------------------


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 idea', '2 ideas', '1,200 observations': a number with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def fmt_dt(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def state_label(state: str) -> str:
    try:
        return STATE_LABELS[State(state)]
    except ValueError:
        return state


def touchpoint_label(value: str) -> str:
    try:
        return TOUCHPOINT_LABELS[Touchpoint(value)]
    except ValueError:
        return value


def category_label(value: str) -> str:
    try:
        return PROBLEM_KIND_LABELS[ProblemKind(value)]
    except ValueError:
        return value


SLA_MARKS = {"overdue": "OVERDUE", "missed": "missed", "due soon": "due soon", "on time": "on time", "met": "met",
             "n/a": ""}


def sla_label(status: str) -> str:
    return SLA_MARKS.get(status, status)


def idea_link(idea_id: int, title: str) -> None:
    """A link to the idea's own page (?id=N); the title is shown literally."""
    st.page_link(IDEA_PAGE, label=f"#{idea_id} · {md(title)}", query_params={"id": str(idea_id)},
                 icon=":material/description:")


def summary_frame(items: Sequence[Any]) -> pd.DataFrame:
    """A table of IdeaSummary rows for st.dataframe and downloads."""
    return pd.DataFrame([{
        "#": i.id, "Title": i.title, "State": state_label(i.state), "Team": i.team_name,
        "Submitter": i.submitter_name, "Touch point": touchpoint_label(i.touchpoint),
        "Problem": category_label(i.category), "Technology": "yes" if i.involves_technology else "no",
        "Submitted": fmt_dt(i.submitted_at), "Updated": fmt_dt(i.updated_at),
    } for i in items], columns=["#", "Title", "State", "Team", "Submitter", "Touch point", "Problem", "Technology",
                                "Submitted", "Updated"])


# ---- paging ------------------------------------------------------------------------------------------------


def page_number(total: int, page_size: int, *, key: str) -> int:
    """A pager under a list; returns the 1-based page to show."""
    pages = max(1, math.ceil(total / page_size))
    if st.session_state.get(key, 1) > pages:
        st.session_state[key] = pages
    if pages == 1:
        return 1
    page = st.pagination(pages, key=key)
    st.caption(f"Page {page} of {pages} · {total} in all")
    return page


def paged(items: Sequence[T], *, key: str, page_size: int = 20) -> Sequence[T]:
    """The slice of an in-memory list on the chosen page (the pager is drawn where this is called)."""
    page = page_number(len(items), page_size, key=key)
    return items[(page - 1) * page_size: page * page_size]


# ---- downloads ---------------------------------------------------------------------------------------------

_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise spreadsheet formula injection: text starting with = + - @ tab or CR gets a leading quote."""
    return df.map(neutralise)


def grid(data: pd.DataFrame, *, opens: str | None = None, id_column: str = "#", **kwargs: Any) -> Any:
    """st.dataframe for every table the app shows (same arguments, same return value).

    A grid's own toolbar download and copy would export what people typed as typed, so that `=HYPERLINK(...)`
    runs in whoever opens the file. They are off for the whole app (client.disableDataExport in
    .streamlit/config.toml); a server started without that file still shows the grid, with the cells
    neutralised as the app's own downloads are.

    With `opens` (a page file, e.g. IDEA_PAGE) a click on a row, its box or any of its cells, opens that page for
    the row's `id_column` value (?id=N): the table is the list of links (needs a `key`)."""
    if not st.get_option("client.disableDataExport"):
        data = safe_frame(data)
    if opens is None:
        return st.dataframe(data, **kwargs)
    event = st.dataframe(data, on_select="rerun", selection_mode=["single-row", "single-cell"], **kwargs)
    chosen = selected_id(data, event, id_column)
    if chosen is not None:
        st.switch_page(opens, query_params={"id": str(chosen)})
    return event


def selected_id(data: pd.DataFrame, event: Any, id_column: str = "#") -> int | None:
    """The `id_column` value of the row selected in a grid (its selection event: a row, or a cell of the row),
    or None when none is. Positions are the data's own, however the person sorted the grid."""
    selection = getattr(event, "selection", None)
    rows = [*(getattr(selection, "rows", None) or []), *(cell[0] for cell in getattr(selection, "cells", None) or [])]
    if not rows or not 0 <= rows[0] < len(data):
        return None  # nothing selected, or a selection from before the table changed under it
    return int(data[id_column].iloc[rows[0]])


def csv_bytes(df: pd.DataFrame) -> bytes:
    return safe_frame(df).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(df: pd.DataFrame, sheet: str = "Sheet1") -> bytes:
    clean = safe_frame(df).map(lambda v: _XLSX_ILLEGAL.sub("", v) if isinstance(v, str) else v)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        clean.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def import_progress(bar: Any, *, ceiling: float = 1.0) -> Callable[[float, str], None]:
    """An importer's progress callback drawing on `bar` (up to `ceiling`, leaving the rest for later steps)."""
    return lambda fraction, message: bar.progress(min(max(fraction, 0.0), ceiling),
                                                  text=message[:1].upper() + message[1:])


def import_not_stored(bar: Any, status: Any, exc: BaseException) -> None:
    """Fill the bar and close the status box of an import that stored nothing (refused or failed)."""
    bar.progress(1.0, text="Checked: nothing was stored")
    status.update(label="Import refused: nothing was stored" if isinstance(exc, HeroError)
                  else "Import failed: nothing was stored", state="error", expanded=False)


def download_buttons(df: pd.DataFrame | Callable[[], pd.DataFrame], *, name: str, key: str) -> None:
    """'Download CSV' and 'Download Excel' for a table, formula-safe.

    The files are made when a button is clicked (deferred data), not on every run: building an Excel file of
    a large table on each rerun cost more than the rest of the page (measured: docs/measurements.md). `df` may
    be a function that makes the table, so a large one is read only when someone asks for it."""
    frame = df if callable(df) else (lambda: df)
    with st.container(horizontal=True):
        st.download_button("Download CSV", lambda: csv_bytes(frame()), file_name=f"{name}.csv", mime="text/csv",
                           key=f"{key}_csv", on_click="ignore", icon=":material/download:")
        st.download_button(
            "Download Excel", lambda: xlsx_bytes(frame(), name), file_name=f"{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx", on_click="ignore", icon=":material/download:",
        )
