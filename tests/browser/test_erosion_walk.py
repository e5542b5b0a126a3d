"""The erosion board in a real browser (issue 23): an IT champion opens the board, sees the alarm of an idea whose
effect faded, and closes it with what was done.

The real server on a throw-away SQLite database and Debian's headless Chromium.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hero_core.services import erosion
from tests.browser.conftest import served_org
from tests.browser.test_walk import choose, go, open_as, said, settle, shot
from tests.erosion import world

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_erosion")]


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "erosion")


def test_the_it_champion_closes_an_alarm_with_what_was_done(browser, walk):
    org = walk.org
    world.build(org, later_effect=-5.0)
    (alarm_id,) = erosion.refresh_alarms(org.db).opened

    ivan = open_as(browser, walk, "ivan@example.com")
    go(ivan, "Erosion board")
    expect(ivan.get_by_text("Effect fading · Average handle time · Contact centre")).to_be_visible()
    ivan.get_by_text("The metric week by week").click()
    settle(ivan)
    expect(ivan.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    shot(ivan, "erosion-board")
    ivan.get_by_role("button", name="Close with what was done").click()
    choose(ivan, "What was done", "Job aid refreshed", rerun=False)
    ivan.get_by_label("Note", exact=True).fill("New job aid for the wrap-up form sent to Contact centre.")
    ivan.get_by_role("button", name="Close the alarm").click()
    said(ivan, "closed")
    assert erosion.open_alarms(org.db, actor_id=org.it) == []
    (closed,) = erosion.closed_alarms(org.db, actor_id=org.it)
    assert (closed.id, closed.action_taken) == (alarm_id, "job_aid_refreshed")
