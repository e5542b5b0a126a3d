"""Rating risk on the 5 × 5 grid in Chromium (issue 21): each category has a grid of 25 cells coloured by band
(rows: likelihood 5 at the top … 1; columns: impact 1 … 5), one click on a cell sets both numbers and marks it,
the keyboard reaches and picks a cell, each cell has words for a screen reader, and the heat map beside the grids
shows every category where it was put and stays in view while the grids scroll past.

The real server on a throw-away SQLite database and Debian's headless Chromium.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hero_core import risk
from hero_core.charts import BAND_COLOURS
from hero_core.services import ideas
from tests.browser.conftest import served_org
from tests.browser.test_walk import open_as, settle, shot
from tests.integration.factories import idea_input

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_risk_grid")]


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "risk-grid")


def re_start(text: str) -> re.Pattern:
    return re.compile("^" + re.escape(text))


def rgb(hex_colour: str) -> str:
    """"#cfe8d5" as the browser reports a computed colour: "rgb(207, 232, 213)"."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_a_manager_rates_each_category_with_one_click_and_the_heat_map_follows(browser, walk):
    org = walk.org
    idea_id = ideas.create_idea(org.db, actor_id=org.frontline, data=idea_input(title="Grid idea"), submit=True)
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    mia = open_as(browser, walk, "mia@example.com")
    mia.goto(f"{walk.url}/review")  # by its address: the menu may fold its later links under "View more"
    expect(mia.locator("h1").first).to_contain_text("Review queue")
    settle(mia)
    mia.get_by_text("Assess risk and effort-value", exact=False).first.click()
    settle(mia)
    heat_map = mia.get_by_test_id("stVegaLiteChart").first
    expect(heat_map).to_be_visible()

    financial = mia.get_by_role("radiogroup", name="Financial: risk")
    cells = financial.get_by_role("radio")
    expect(cells).to_have_count(25)
    # Reading order: the top row is likelihood 5, impact 1 … 5; each cell names itself for a screen reader and
    # shows its score, on its band's colour.
    expect(cells.nth(0)).to_have_accessible_name("5 likelihood 5 Almost certain, impact 1 Negligible: score 5, low")
    expect(cells.nth(24)).to_have_accessible_name("5 likelihood 1 Rare, impact 5 Severe: score 5, low")
    expect(cells.nth(4)).to_have_css("background-color", rgb(BAND_COLOURS["high"]))  # 5 × 5 = 25
    expect(cells.nth(12)).to_have_css("background-color", rgb(BAND_COLOURS["medium"]))  # 3 × 3 = 9
    expect(cells.nth(20)).to_have_css("background-color", rgb(BAND_COLOURS["low"]))  # 1 × 1
    expect(cells.nth(4)).to_have_text(re_start("25 likelihood 5"))
    words = cells.nth(4).locator("em").bounding_box()
    assert words is not None and words["width"] <= 1 and words["height"] <= 1, "the words are for screen readers"

    for code, label in risk.CATEGORIES.items():  # one click per category sets both of its numbers
        likelihood, impact = (3, 4) if code == "financial" else (2, 2)
        name = f"likelihood {likelihood} {risk.LIKELIHOOD_LABELS[likelihood]}, impact {impact}"
        cell = mia.get_by_role("radiogroup", name=f"{label}: risk").get_by_role("radio", name=name)
        cell.click()
        expect(cell).to_be_checked()
        settle(mia)
    expect(financial.get_by_role("radio", checked=True)).to_have_count(1)
    expect(mia.get_by_text("Possible × major = 12 · medium")).to_be_visible()
    expect(mia.get_by_text("Preview: overall risk 12 (medium)")).to_be_visible()
    expect(heat_map).to_contain_text("Financial")
    # The last grid is far below the first: the heat map stays in view beside it.
    financial.scroll_into_view_if_needed()
    expect(heat_map).to_be_in_viewport()
    shot(mia, "manager-review-risk-grid")

    # The keyboard: Tab reaches a cell, the arrow keys move through the grid in reading order, Space picks.
    operational = mia.get_by_role("radiogroup", name="Operational: risk")
    operational.get_by_role("radio", name="likelihood 2 Unlikely, impact 2").focus()
    mia.keyboard.press("ArrowRight")
    mia.keyboard.press("Space")
    picked = operational.get_by_role("radio", name="likelihood 2 Unlikely, impact 3 Moderate")
    expect(picked).to_be_checked()
    settle(mia)
    expect(mia.get_by_text("Unlikely × moderate = 6 · low")).to_be_visible()
    sheets = mia.evaluate("""() => [...document.querySelectorAll('style')]
                                  .filter(s => s.textContent.includes('_risk_cell')).length""")
    assert sheets == 1, f"each click reruns the form, and must not add another copy of the style sheet: {sheets}"
