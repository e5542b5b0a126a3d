"""Everything a page needs comes from the app's own server (issue 21): companies run the compact on networks that
reach no font service or CDN on the internet.

Each role logs in and opens every page its navigation offers (and one idea's page, and the assessment form with
its heat map); every request the browser makes is logged, and any request to another origin is a finding. The
page icon is the app's own file (hero_app/static/hero-icon.png, served under /media) and the fonts are the ones
Streamlit ships (served under /static).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from hero_core.services import ideas
from tests.browser.conftest import served_org
from tests.browser.test_walk import log_in, settle, wait_for_session_cookie
from tests.integration.factories import idea_input

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_offline")]

ROLES = ("fran@example.com", "mia@example.com", "ivan@example.com", "eve@example.com", "ada@example.com")


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "offline")


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url.removeprefix("blob:"))
    return {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme), parts.netloc


def test_no_page_of_any_role_asks_anything_of_another_server(browser, walk):
    org = walk.org
    idea_id = ideas.create_idea(org.db, actor_id=org.frontline, data=idea_input(title="Offline idea"), submit=True)
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    server = origin(walk.url)
    requests: list[tuple[str, str, str]] = []  # (who, url, resource type)
    opened: list[str] = []
    for email in ROLES:
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        context.on("request", lambda r, email=email: requests.append((email, r.url, r.resource_type)))
        page = context.new_page()
        walk.pages.append(page)
        page.goto(walk.url)
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        settle(page)
        log_in(page, email)
        expect(page.locator("h1")).to_contain_text("Hello")
        wait_for_session_cookie(page)
        settle(page)
        paths = [href.rstrip("/").rsplit("/", 1)[-1] for href in page.locator(
            '[data-testid="stSidebarNav"] a').evaluate_all("links => links.map(a => a.getAttribute('href'))")]
        for path in [*paths, f"idea?id={idea_id}"]:
            page.goto(f"{walk.url}/{path}")  # a full load: the page's HTML, scripts, fonts and icon again
            expect(page.get_by_test_id("stApp")).to_be_visible()
            settle(page)
            opened.append(f"{email} {path}")
        if email == "mia@example.com":  # the assessment form draws the heat map while she rates
            page.goto(f"{walk.url}/review")
            settle(page)
            page.get_by_text("Assess risk and effort-value", exact=False).first.click()
            expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
            settle(page)
        context.close()

    assert len(opened) >= 5 * 6, opened
    outside = sorted({f"{who}: {url}" for who, url, _ in requests
                      if not url.startswith("data:") and origin(url) != server})
    assert not outside, outside
    fonts = {url for _, url, kind in requests if kind == "font"}
    assert fonts and all(origin(u) == server for u in fonts), fonts  # Streamlit's own fonts, from this server
    icons = [url for _, url, _ in requests if "/media/" in url and url.endswith(".png")]
    assert icons, "the page icon is the app's own file, served by the app"
