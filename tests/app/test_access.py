"""Every page checks its own role: reached directly (without the router), it refuses whoever may not use it."""

from __future__ import annotations

import pytest

from hero_app.navigation import PAGES
from tests.app.conftest import ALLOWED, EMAIL, ROLES, assert_clean, direct_page, errors

RESTRICTED = [p.url_path for p in PAGES if p.permission is not None]
REFUSED = [(page, role) for page in RESTRICTED for role in ROLES if role not in ALLOWED[page]]
PERMITTED = [(page, min(ALLOWED[page])) for page in RESTRICTED]
TITLES = {"review": "Review queue", "it-board": "IT board", "impact": "Impact", "admin": "Administration",
          "scorecard": "Compact scorecard", "ecoach": "E-coach queue", "roadblocks": "Recurring roadblocks",
          "help-catalog": "Help catalog and e-coaches",
          "erosion": "Erosion board",
          "touchpoints": "Touch-point plan",
          "adoption": "Adoption"}


def _user_id(org, role: str) -> int:
    return {"frontline": org.frontline, "manager": org.manager, "it_champion": org.it, "executive": org.executive,
            "admin": org.admin}[role]


@pytest.mark.parametrize(("page", "role"), REFUSED)
def test_a_restricted_page_run_directly_refuses_a_role_that_may_not_use_it(org, page, role):
    at = direct_page(org.db, page, _user_id(org, role))
    assert_clean(at)
    assert len(errors(at)) == 1
    assert "only for" in errors(at)[0] and EMAIL[role] in errors(at)[0]
    assert not at.title, "nothing of the page itself may be drawn"
    assert not at.dataframe


@pytest.mark.parametrize(("page", "role"), PERMITTED)
def test_a_restricted_page_run_directly_works_for_a_role_that_may_use_it(org, page, role):
    at = direct_page(org.db, page, _user_id(org, role))
    assert_clean(at)
    assert at.title[0].value == TITLES[page]
    assert not errors(at)


@pytest.mark.parametrize("page", [p.url_path for p in PAGES])
def test_every_page_run_directly_asks_a_visitor_to_log_in(org, page):
    at = direct_page(org.db, page, None)
    assert_clean(at)
    assert [w.value for w in at.warning] == ["Please log in to use this page."]
    assert not at.title
