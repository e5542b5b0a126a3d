"""AppTest helpers: a fresh SQLite database per test with the small organisation, and logging in."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from hero_app import ui
from hero_app.navigation import BY_PATH
from hero_core import risk
from hero_core.services import catalog, ideas, sessions
from tests.conftest import PASSWORD, Org, build_org, fresh_sqlite

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"
ROOT = APP.parent

EMAIL = {
    "frontline": "fran@example.com",
    "manager": "mia@example.com",
    "it_champion": "ivan@example.com",
    "executive": "eve@example.com",
    "admin": "ada@example.com",
}
ROLES = tuple(EMAIL)
#: Who may use each restricted page, as the issue states it (written out here, not read from the app).
ALLOWED = {
    "review": {"manager", "admin"},
    "it-board": {"it_champion"},
    "impact": {"executive", "manager", "admin"},
    "admin": {"admin"},
    "scorecard": {"executive", "manager"},
    # Help (issue 22): the queue and recurring roadblocks for e-coaches, managers and admins; the catalog for admins.
    "ecoach": {"manager", "admin"},
    "roadblocks": {"manager", "admin"},
    "help-catalog": {"admin"},
    # Erosion alarms (issue 23): managers, IT champions, executives and admins.
    "erosion": {"manager", "it_champion", "executive", "admin"},
    "touchpoints": {"manager", "executive"},
    "adoption": {"manager", "it_champion", "executive", "admin"},
}


@pytest.fixture(scope="session")
def org_template(sqlite_template, tmp_path_factory) -> tuple[Path, Org]:
    """The small organisation built once (hashing eight passwords is the slow part), copied for each test."""
    directory = tmp_path_factory.mktemp("org_template")
    db = fresh_sqlite(sqlite_template, directory)
    catalog.ensure_defaults(db)
    organisation = build_org(db)
    db.dispose()
    with contextlib.closing(sqlite3.connect(directory / "hero.db")) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, so a plain copy is whole
    return directory / "hero.db", organisation


@pytest.fixture
def org(org_template, tmp_path, monkeypatch) -> Org:
    """A fresh SQLite database per test (a copy of the template) with the small organisation; the app uses it."""
    path, template = org_template
    db = fresh_sqlite(path, tmp_path)
    organisation = dataclasses.replace(template, db=db)
    monkeypatch.setenv("HERO_DATABASE_URL", db.url)
    yield organisation
    st.cache_resource.clear()
    db.dispose()


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=30)


def login(email: str, password: str = PASSWORD) -> AppTest:
    """Open the app and log in through the real form."""
    at = new_app().run()
    at.text_input(key="login_email").input(email)
    at.text_input(key="login_password").input(password)
    at.form_submit_button[0].click().run()
    return at


def as_role(role: str) -> AppTest:
    at = login(EMAIL[role])
    assert ui.TOKEN_KEY in at.session_state, f"{role} could not log in"
    return at


#: What AppTest's ValueError says when the navigation does not offer a page (`pytest.raises(..., match=)`).
NOT_IN_NAVIGATION = "Could not find a navigation page"


def open_page(at: AppTest, url_path: str, **query: object) -> AppTest:
    """Switch to a page by its URL path (raises ValueError, NOT_IN_NAVIGATION, when the navigation does not
    offer it)."""
    at.query_params.clear()
    at.query_params.update({k: str(v) for k, v in query.items()})
    at.switch_page(BY_PATH[url_path].file)
    return at.run()


def open_tab(at: AppTest, label: str, key: str = "idea_tab") -> AppTest:
    """Open a tab of a lazy st.tabs (on_change="rerun": only the open tab runs), as clicking it does."""
    at.session_state[key] = label
    return at.run()


def page_file(url_path: str) -> str:
    return str(ROOT / BY_PATH[url_path].file)


def direct_page(db, url_path: str, user_id: int | None) -> AppTest:
    """Run a page file on its own (not through the router), as a logged-in user, to test its own gate."""
    at = AppTest.from_file(page_file(url_path), default_timeout=30)
    if user_id is not None:
        at.session_state[ui.TOKEN_KEY] = sessions.create(db, user_id=user_id)
    return at.run()


def all_text(at: AppTest) -> str:
    """Every piece of text on the page, to search in."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "success", "info", "warning",
                 "error", "metric"):
        for element in at.get(kind):
            value = getattr(element, "value", None)
            label = getattr(element, "label", None)
            parts.extend(str(v) for v in (label, value) if v is not None)
    return "\n".join(parts)


def plain(markdown: str) -> str:
    """Roughly what a person reads: without the escapes and invisible link-breakers ui.md adds."""
    return markdown.replace("\\", "").replace("\u200b", "")


def errors(at: AppTest) -> list[str]:
    """The error messages on the page, as a person reads them."""
    return [plain(e.value) for e in at.error]


def successes(at: AppTest) -> list[str]:
    """The success messages on the page, as a person reads them."""
    return [plain(e.value) for e in at.success]


def assert_clean(at: AppTest) -> None:
    """No traceback and no 'something went wrong on our side'."""
    assert not at.exception, [e.value for e in at.exception]
    assert not any(ui.UNEXPECTED in e for e in errors(at)), errors(at)


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return matches[0]


# ---- ideas in a given state, made through the services ------------------------------------------------------

def idea_input(title: str = "Pre-filled direct debit form", *, tech: bool = False, **extra) -> ideas.IdeaInput:
    return ideas.IdeaInput(
        title=title,
        roadblock=extra.pop("roadblock", "Customers ring us three times to finish the direct debit form."),
        proposal=extra.pop("proposal", "Send a pre-filled form after the first call so they only sign it."),
        touchpoint=extra.pop("touchpoint", "call_centre"), category=extra.pop("category", "complex_form"),
        involves_technology=tech, **extra,
    )


def make_idea(org: Org, *, submitter: int | None = None, submit: bool = True, tech: bool = False,
              title: str = "Pre-filled direct debit form", **extra) -> int:
    return ideas.create_idea(org.db, actor_id=submitter or org.frontline, data=idea_input(title, tech=tech, **extra),
                             submit=submit)


def ratings(likelihood: int, impact: int):
    return [risk.Rating(code, likelihood, impact, "watch it") for code in risk.CATEGORIES]


def effort_value():
    return risk.EffortValue(needs_it=False, needs_legal=False, budget="none", people_systems_touched=2,
                            customers_reached="many_teams", expected_change="clear", strategic_fit="strong")


def in_review(org: Org, idea_id: int, *, assessed: int | None = None) -> None:
    """Start the review (as the team's manager) and, with `assessed`=L, rate every category L x L."""
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    if assessed:
        ideas.assess_risk(org.db, actor_id=org.manager, idea_id=idea_id, assessment=ideas.AssessmentInput(
            ratings=ratings(assessed, assessed), effort_value=effort_value()))


def approved(org: Org, *, tech: bool = True, title: str = "Self-service address change") -> int:
    idea_id = make_idea(org, tech=tech, title=title)
    in_review(org, idea_id, assessed=2)
    ideas.approve(org.db, actor_id=org.manager, idea_id=idea_id)
    return idea_id


def md_table(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first Markdown table (ui.md_table) on the page that has all these columns, its cells unescaped."""
    def cells(line: str) -> list[str]:
        parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        return [re.sub(r"\\(.)", r"\1", c.strip()).replace("\u200b", "") for c in parts]

    found = []
    for element in at.markdown:
        lines = element.value.splitlines()
        if len(lines) >= 2 and lines[0].startswith("| ") and set(lines[1]) <= {"|", "-"}:
            head = cells(lines[0])
            found.append(head)
            if all(c in head for c in columns):
                return pd.DataFrame([cells(line) for line in lines[2:]], columns=head)
    raise AssertionError(f"no Markdown table with columns {columns}; tables: {found}")


def table(at: AppTest, *columns: str):
    """The first table on the page that has all these columns (a dataframe's key is not visible to AppTest)."""
    for frame in at.dataframe:
        value = frame.value
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no table with columns {columns}; tables: {[list(f.value.columns) for f in at.dataframe]}")
