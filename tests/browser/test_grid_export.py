"""In a real browser, a grid's toolbar offers no "Download as CSV" of what people typed.

The same page is opened on two servers: the project's (its .streamlit/config.toml turns the grids' export off)
and one started with the export on (as a server started without that file would be), where the toolbar does
offer the download: so the check can fail, and the page's cells are then neutralised instead.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from hero_core.db import Database
from hero_core.services import catalog, ideas
from tests.app.conftest import idea_input
from tests.browser.conftest import SCREENSHOTS, start_server
from tests.conftest import PASSWORD, build_org, fresh_sqlite

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_grid_export")]

WAIT_MS = 30_000
FORMULA_TITLE = '=HYPERLINK("http://evil.example","Open me")'
GRID = '[data-testid="stDataFrame"]'
DOWNLOAD = 'button[aria-label="Download as CSV"]'


@pytest.fixture(scope="module")
def database(sqlite_template, tmp_path_factory):
    db: Database = fresh_sqlite(sqlite_template, tmp_path_factory.mktemp("grid_export"))
    catalog.ensure_defaults(db)
    org = build_org(db)
    ideas.create_idea(db, actor_id=org.frontline, data=idea_input(FORMULA_TITLE), submit=True)
    yield db
    db.dispose()


def browse_ideas(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(url)
    page.get_by_label("Email", exact=True).fill("mia@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_contain_text("Hello")
    page.locator('[data-testid="stSidebarNav"] a', has_text="Browse ideas").click()
    expect(page.locator("h1")).to_contain_text("Browse ideas")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(GRID).first.hover()  # the toolbar shows on hover
    expect(page.locator('[data-testid="stElementToolbar"]').first).to_be_visible()
    return page


def toolbar_labels(page: Page, screenshot: str) -> list[str]:
    toolbar = page.locator('[data-testid="stElementToolbar"]').first
    toolbar.hover()
    page.wait_for_timeout(400)  # the toolbar fades in
    box = page.locator(GRID).first.bounding_box()
    page.screenshot(path=str(SCREENSHOTS / screenshot),
                    clip={"x": box["x"] - 10, "y": box["y"] - 50, "width": box["width"] + 20, "height": 130})
    buttons = toolbar.locator("button")
    return [buttons.nth(i).get_attribute("aria-label") or "" for i in range(buttons.count())]


def test_the_grid_toolbar_has_no_download_on_the_projects_server(browser, database, tmp_path):
    server = start_server(database.url, tmp_path)
    try:
        page = browse_ideas(browser, server.url)
        labels = toolbar_labels(page, "grid-toolbar-without-download.png")
        assert "Search" in labels, labels  # the toolbar was really there, and read
        assert "Download as CSV" not in labels, labels
        assert page.locator(DOWNLOAD).count() == 0
    finally:
        server.stop()


def test_with_the_export_on_the_toolbar_offers_the_download(browser, database, tmp_path, monkeypatch):
    monkeypatch.setenv("STREAMLIT_CLIENT_DISABLE_DATA_EXPORT", "false")
    server = start_server(database.url, tmp_path)
    try:
        page = browse_ideas(browser, server.url)
        labels = toolbar_labels(page, "grid-toolbar-with-download.png")
        assert "Download as CSV" in labels, labels
    finally:
        server.stop()
