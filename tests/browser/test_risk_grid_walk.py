"""Rating risk with the keyboard alone (issue 21): each category's likelihood and impact on the 5 × 5 grid are
groups of radio buttons named after the category and axis, reached with Tab and moved through with the arrow
keys, and the heat map beside them shows the category where it was put.

The real server on a throw-away SQLite database and Debian's headless Chromium.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hero_core.services import ideas
from tests.browser.conftest import served_org
from tests.browser.test_walk import go, open_as, settle, shot
from tests.integration.factories import idea_input

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_risk_grid")]


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "risk-grid")


def test_a_manager_rates_a_category_with_the_keyboard_and_the_heat_map_follows(browser, walk):
    org = walk.org
    idea_id = ideas.create_idea(org.db, actor_id=org.frontline, data=idea_input(title="Keyboard idea"), submit=True)
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    mia = open_as(browser, walk, "mia@example.com")
    go(mia, "Review queue")
    mia.get_by_text("Assess risk and effort-value", exact=False).first.click()
    settle(mia)
    heat_map = mia.get_by_test_id("stVegaLiteChart").first
    expect(heat_map).to_be_visible()

    likelihood = mia.get_by_role("radiogroup", name="Financial: likelihood")
    impact = mia.get_by_role("radiogroup", name="Financial: impact")
    expect(likelihood.get_by_role("radio")).to_have_count(5)
    likelihood.get_by_role("radio", name="1", exact=True).focus()  # where Tab lands in the group
    mia.keyboard.press("ArrowRight")
    mia.keyboard.press("ArrowRight")
    mia.keyboard.press("Space")
    expect(likelihood.get_by_role("radio", name="3", exact=True)).to_be_checked()
    settle(mia)
    impact.get_by_role("radio", name="1", exact=True).focus()
    for _ in range(3):
        mia.keyboard.press("ArrowRight")
    mia.keyboard.press("Enter")
    expect(impact.get_by_role("radio", name="4", exact=True)).to_be_checked()
    settle(mia)
    expect(mia.get_by_text("Possible × major = 12 · medium")).to_be_visible()
    expect(mia.get_by_text("1 of 5 categories rated.")).to_be_visible()
    expect(heat_map).to_contain_text("Financial")
    expect(heat_map).to_be_in_viewport()
    heat_map.scroll_into_view_if_needed()
    shot(mia, "risk-grid-keyboard")
