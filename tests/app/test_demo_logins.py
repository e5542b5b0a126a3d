"""Every demo login the README lists works on the demo organisation, and opens that role's workspace."""

from __future__ import annotations

import os
import re

import pytest
import streamlit as st

from hero_app import ui
from hero_core import demo
from hero_core.services import catalog, people
from tests.app.conftest import ROOT, assert_clean, errors, login, open_page
from tests.conftest import fresh_sqlite

# Building the demo takes seconds: keep these tests on one xdist worker so it is built once.
pytestmark = pytest.mark.xdist_group("demo_logins")

README = (ROOT / "README.md").read_text()
SECTION = README.split("## Demo logins", 1)[1].split("\n## ", 1)[0]
PASSWORD = re.search(r"password \*\*`([^`]+)`\*\*", SECTION).group(1)
LOGINS = re.findall(r"^\| ([^|`]+?) \| `([^`]+@[^`]+)`", SECTION, flags=re.MULTILINE)
#: The workspace each role of the README's table works in (the README's "where in the app").
WORKSPACES = {"frontline": ("submit", "Propose an idea"), "manager": ("review", "Review queue"),
              "IT champion": ("it-board", "IT board"), "executive": ("impact", "Impact"),
              "admin": ("admin", "Administration"), "e-coach": ("ecoach", "E-coach queue")}


def test_the_readme_lists_a_demo_login_for_every_role():
    roles = {part.strip() for role, _ in LOGINS for part in role.split("+")}
    assert roles == set(WORKSPACES), LOGINS
    assert len(LOGINS) >= 7


@pytest.fixture(scope="module")
def demo_db(sqlite_template, tmp_path_factory):
    db = fresh_sqlite(sqlite_template, tmp_path_factory.mktemp("demo"))
    catalog.ensure_defaults(db)
    demo.build_demo(db)
    before = os.environ.get("HERO_DATABASE_URL")
    os.environ["HERO_DATABASE_URL"] = db.url
    yield db
    if before is None:
        os.environ.pop("HERO_DATABASE_URL", None)
    else:
        os.environ["HERO_DATABASE_URL"] = before
    st.cache_resource.clear()
    db.dispose()


@pytest.mark.parametrize(("role", "email"), LOGINS, ids=[email for _, email in LOGINS])
def test_each_readme_demo_login_works_and_opens_its_workspace(demo_db, role, email):
    assert PASSWORD == demo.DEMO_PASSWORD
    at = login(email, PASSWORD)
    assert_clean(at)
    assert ui.TOKEN_KEY in at.session_state, errors(at)
    name = people.get_user(demo_db, people.user_id_for(demo_db, email)).name
    assert at.title[0].value == f"Hello, {name}"
    for part in role.split("+"):
        url_path, title = WORKSPACES[part.strip()]
        open_page(at, url_path)
        assert_clean(at)
        assert at.title[0].value == title, (email, url_path)
        assert not errors(at), errors(at)
