"""Through the UI: every restricted page, reached directly by its address, by every role.

The router builds each person's navigation from the permission matrix; a page it does not offer cannot be
switched to (AppTest raises ValueError, as the browser would show the home page). Who may use what comes from
the independently written rules in test_authorization.EXPECTED. Pages run without the router are covered by
tests/app/test_access.py.
"""

from __future__ import annotations

import pytest

from hero_app.navigation import PAGES
from tests.app.conftest import (
    NOT_IN_NAVIGATION,
    ROLES,
    as_role,
    assert_clean,
    open_page,
    org,  # noqa: F401 - the app's fixture, used by name
    org_template,  # noqa: F401 - the fixture org builds from, used by name
)
from tests.trust.test_authorization import EXPECTED

#: Each role's persona in the one permission table (tests/permission_table.py).
PERSONA = {"frontline": "author", "manager": "team_manager", "it_champion": "it_champion", "executive": "executive",
           "admin": "admin"}
RESTRICTED = [p for p in PAGES if p.permission is not None]


@pytest.mark.parametrize("role", ROLES)
def test_every_restricted_page_reached_directly_opens_only_for_the_roles_that_may_use_it(org, role):  # noqa: F811
    at = as_role(role)
    refused = opened = 0
    for spec in RESTRICTED:
        may = PERSONA[role] in EXPECTED[spec.permission]
        if may:
            open_page(at, spec.url_path)
            assert_clean(at)
            assert at.title and at.title[0].value, spec.url_path
            opened += 1
        else:
            with pytest.raises(ValueError, match=NOT_IN_NAVIGATION):
                open_page(at, spec.url_path)
            refused += 1
    assert refused + opened == len(RESTRICTED)
    assert role != "frontline" or opened == 0
