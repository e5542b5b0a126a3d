"""Table rows open the idea, in a real browser: clicking a row of Browse ideas opens /idea?id=N (the grid is the
list; no second list of links), and the download holds every matching idea in the import format (issue 21).

The real server on a throw-away SQLite database and Debian's headless Chromium.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from hero_core.services import campaigns, ideas, ideas_io
from tests.app.conftest import idea_input
from tests.browser.conftest import served_org
from tests.browser.test_walk import go, open_as, settle, shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_rows_open")]

GRID = '[data-testid="stDataFrame"]'
HEADER_PX = 35  # the grid's header row and each data row are 35 px high (Streamlit's default row height)
ROW_PX = 35


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "rows_open")


def click_row(page: Page, row: int, *, x: float = 15) -> None:
    """Click a grid's data row (0 = the first): by default on its row marker, the box left of the cells."""
    grid = page.locator(GRID).first
    expect(grid).to_be_visible()
    settle(page)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + HEADER_PX + ROW_PX * row + ROW_PX / 2)


def test_clicking_a_row_of_browse_ideas_opens_that_idea(browser, walk):
    org, db = walk.org, walk.org.db
    made = [ideas.create_idea(db, actor_id=org.frontline, data=idea_input(f"Row test idea {n:02d}"),
                              submit=True) for n in range(27)]
    newest, second = made[-1], made[-2]

    mia = open_as(browser, walk, "mia@example.com")
    go(mia, "Browse ideas")
    expect(mia.get_by_text("Click a row to open the idea.")).to_be_visible()
    expect(mia.locator('[data-testid="stPageLink"]', has_text="Row test idea")).to_have_count(0)
    shot(mia, "rows-open-browse")

    click_row(mia, 1)  # the second row: the list is newest first
    expect(mia).to_have_url(re.compile(rf"/idea\?id={second}$"))
    expect(mia.locator("h1").first).to_contain_text(f"#{second} ·")
    shot(mia, "rows-open-idea-page")

    # Back to the list: it is the list again, and a click on a cell of the first row opens that idea.
    mia.go_back()
    expect(mia.locator("h1").first).to_contain_text("Browse ideas")
    click_row(mia, 0, x=300)
    expect(mia).to_have_url(re.compile(rf"/idea\?id={newest}$"))

    # The download holds every matching idea (two pages' worth), in the import format, made on the click.
    go(mia, "Browse ideas")
    with mia.expect_download() as download:
        mia.get_by_role("button", name="Download CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 27 and list(rows[0]) == list(ideas_io.EXPORT_COLUMNS)
    assert {int(r["id"]) for r in rows} == set(made)


def test_clicking_a_campaign_row_opens_the_campaign_then_an_idea_row_opens_the_idea(browser, walk):
    org, db = walk.org, walk.org.db
    cid = campaigns.create_campaign(db, actor_id=org.executive, title="Fewer repeat calls about bills",
                                    description="Why do customers call twice?")
    answering = ideas.create_idea(db, actor_id=org.frontline, submit=True,
                                  data=idea_input("Explain the first bill on the phone", campaign_id=cid))

    fran = open_as(browser, walk, "fran@example.com")
    go(fran, "Campaigns")
    click_row(fran, 0)
    expect(fran).to_have_url(re.compile(rf"/campaigns\?id={cid}$"))
    expect(fran.locator("h1").first).to_contain_text("Fewer repeat calls about bills")
    shot(fran, "rows-open-campaign")
    click_row(fran, 0)
    expect(fran).to_have_url(re.compile(rf"/idea\?id={answering}$"))
    expect(fran.locator("h1").first).to_contain_text(f"#{answering} ·")
