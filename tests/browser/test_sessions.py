"""Sessions in a real browser: the real server on a throw-away SQLite database and Debian's headless Chromium.

A log-in survives a reload and a new tab, a link opened while logged out leads through the log-in form to
the page it names, a log-out in one tab reaches every tab, and a deactivated account's cookie is refused and
deleted.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from hero_app import ui
from hero_core.db import Database
from hero_core.services import catalog, ideas, people, sessions
from tests.browser.conftest import start_server
from tests.conftest import PASSWORD, Org, build_org, fresh_sqlite
from tests.integration.factories import idea_input

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_sessions")]

WAIT_MS = 30_000  # the longest any single step may take on a busy 2-core machine
NAV_LINK = '[data-testid="stSidebarNav"] a'
COOKIE = "hero_session"


@dataclass
class Site:
    org: Org
    url: str
    idea_id: int
    idea_title: str


@pytest.fixture(scope="module")
def site(sqlite_template, tmp_path_factory, request):
    """The small organisation with one submitted idea, served by the real Streamlit server."""
    directory = tmp_path_factory.mktemp("sessions")
    db: Database = fresh_sqlite(sqlite_template, directory)
    catalog.ensure_defaults(db)
    org = build_org(db)
    data = idea_input(title="Returns form in four fields")
    idea_id = ideas.create_idea(db, actor_id=org.frontline, data=data, submit=True)
    server = start_server(db.url, directory)
    expect.set_options(timeout=WAIT_MS)  # for this module only
    try:
        yield Site(org=org, url=server.url, idea_id=idea_id, idea_title=data.title)
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default, for the other modules
        server.stop()
        if request.session.testsfailed:
            print(f"streamlit log ({server.log_path}):\n{server.log_path.read_text()[-4000:]}")
        db.dispose()


@pytest.fixture
def context(browser: Browser):
    """A fresh browser (its own cookies), as a person opening the tracker for the first time."""
    ctx = browser.new_context(viewport={"width": 1360, "height": 900})
    ctx.set_default_timeout(WAIT_MS)
    yield ctx
    ctx.close()


def login_form(page: Page):
    return page.get_by_role("button", name="Log in")


def log_in(page: Page, email: str) -> None:
    expect(login_form(page)).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    login_form(page).click()


def logged_in_home(page: Page) -> None:
    expect(page.locator("h1").first).to_contain_text("Hello")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def session_cookie(ctx: BrowserContext) -> dict | None:
    return next((c for c in ctx.cookies() if c["name"] == COOKIE), None)


def wait_for_cookie(page: Page, *, present: bool) -> None:
    page.wait_for_function(
        f"() => document.cookie.split('; ').some((c) => c.startsWith('{COOKIE}=')) === {str(present).lower()}"
    )


def test_a_reload_keeps_the_person_logged_in(site, context):
    page = context.new_page()
    page.goto(site.url)
    log_in(page, "mia@example.com")
    logged_in_home(page)
    wait_for_cookie(page, present=True)
    cookie = session_cookie(context)
    # What a script-written cookie can be: SameSite=Strict, whole site, eight hours; never HttpOnly.
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and cookie["httpOnly"] is False
    assert abs(cookie["expires"] - (time.time() + 8 * 3600)) < 300
    assert sessions.resolve(site.org.db, cookie["value"]) == site.org.manager
    assert cookie["value"] not in page.url
    page.reload()
    logged_in_home(page)
    expect(login_form(page)).to_have_count(0)


def test_a_link_to_an_idea_opened_in_a_new_tab_shows_the_idea(site, context):
    first = context.new_page()
    first.goto(site.url)
    log_in(first, "fran@example.com")
    logged_in_home(first)
    wait_for_cookie(first, present=True)
    second = context.new_page()
    second.goto(f"{site.url}/idea?id={site.idea_id}")
    expect(second.locator("h1").first).to_contain_text(site.idea_title)
    expect(login_form(second)).to_have_count(0)


def test_a_link_in_an_email_on_another_site_opens_the_idea_logged_in(site, context):
    # SameSite=Strict keeps the cookie off the cross-site navigation itself, but Streamlit reads cookies from
    # its own same-site WebSocket request, which carries it.
    page = context.new_page()
    page.goto(site.url)
    log_in(page, "mia@example.com")
    logged_in_home(page)
    wait_for_cookie(page, present=True)
    mail = context.new_page()
    mail.set_content(f'<p>New idea to review: <a href="{site.url}/idea?id={site.idea_id}">open it</a></p>')
    mail.get_by_role("link", name="open it").click()
    expect(mail.locator("h1").first).to_contain_text(site.idea_title)
    expect(login_form(mail)).to_have_count(0)


def test_logging_out_in_one_tab_asks_the_other_tab_for_the_password(site, context):
    first = context.new_page()
    first.goto(site.url)
    log_in(first, "ivan@example.com")
    logged_in_home(first)
    wait_for_cookie(first, present=True)
    second = context.new_page()
    second.goto(site.url)
    logged_in_home(second)
    first.get_by_role("button", name="Log out").click()
    expect(login_form(first)).to_be_visible()
    expect(first.get_by_text("You are logged out.")).to_be_visible()
    wait_for_cookie(first, present=False)
    second.locator(NAV_LINK, has_text="My ideas").click()  # the other tab's next action
    expect(login_form(second)).to_be_visible()
    expect(second.get_by_text(ui.SESSION_ENDED)).to_be_visible()
    second.reload()
    expect(login_form(second)).to_be_visible()


def test_a_link_opened_while_logged_out_leads_through_the_login_to_the_page_it_names(site, context):
    page = context.new_page()
    page.goto(f"{site.url}/idea?id={site.idea_id}")
    log_in(page, "mia@example.com")
    expect(page.locator("h1").first).to_contain_text(site.idea_title)
    assert re.search(rf"/idea\?id={site.idea_id}$", page.url), page.url


def test_a_frontline_person_opening_the_review_queue_directly_is_refused(site, context):
    page = context.new_page()
    page.goto(site.url)
    log_in(page, "sam@example.com")
    logged_in_home(page)
    wait_for_cookie(page, present=True)
    page.goto(f"{site.url}/review")  # a typed address: a new connection, logged in from the cookie
    expect(page.get_by_text(re.compile("This page is only for managers"))).to_be_visible()
    expect(page.get_by_role("heading", name="Review queue")).to_have_count(0)
    expect(page.locator(NAV_LINK, has_text="Review queue")).to_have_count(0)


def test_a_deactivated_persons_cookie_is_refused_and_deleted(site, context):
    page = context.new_page()
    page.goto(site.url)
    log_in(page, "frank@example.com")
    logged_in_home(page)
    wait_for_cookie(page, present=True)
    people.set_active(site.org.db, actor_id=site.org.admin, email="frank@example.com", active=False)
    page.reload()
    expect(login_form(page)).to_be_visible()
    expect(page.get_by_text(ui.SESSION_ENDED)).to_be_visible()
    wait_for_cookie(page, present=False)


def test_the_account_page_ends_the_other_browsers_session_and_changes_the_password_keeping_this_one(site, browser):
    laptop_ctx = browser.new_context(viewport={"width": 1360, "height": 900})
    phone_ctx = browser.new_context(viewport={"width": 1360, "height": 900})
    try:
        for ctx in (laptop_ctx, phone_ctx):
            ctx.set_default_timeout(WAIT_MS)
        laptop, phone = laptop_ctx.new_page(), phone_ctx.new_page()
        for page in (laptop, phone):
            page.goto(site.url)
            log_in(page, "eve@example.com")
            logged_in_home(page)
            wait_for_cookie(page, present=True)
        laptop.locator(NAV_LINK, has_text="Your account").click()
        expect(laptop.get_by_role("heading", name="Your account")).to_be_visible()
        expect(laptop.get_by_text("This browser")).to_have_count(1)
        token = session_cookie(laptop_ctx)["value"]
        expect(laptop.get_by_text(token)).to_have_count(0)
        laptop.get_by_role("button", name="End all other sessions").click()
        expect(laptop.get_by_text("Ended 1 other session: you are logged in only here now.")).to_be_visible()
        phone.locator(NAV_LINK, has_text="My ideas").click()  # the other browser's next action
        expect(login_form(phone)).to_be_visible()
        expect(phone.get_by_text(ui.SESSION_ENDED)).to_be_visible()

        laptop.get_by_label("Current password", exact=True).fill(PASSWORD)
        laptop.get_by_label("New password", exact=True).fill("a new password for eve")
        laptop.get_by_label("New password again", exact=True).fill("a new password for eve")
        laptop.get_by_role("button", name="Change password").click()
        expect(laptop.get_by_text("Your password was changed. You were not logged in anywhere else.")).to_be_visible()
        laptop.reload()
        expect(laptop.get_by_role("heading", name="Your account")).to_be_visible()  # this browser stays in
        # The old password is refused in the same words as any failure.
        phone.get_by_label("Email", exact=True).fill("eve@example.com")
        phone.get_by_label("Password", exact=True).fill(PASSWORD)
        login_form(phone).click()
        expect(phone.get_by_text(people.LOGIN_REFUSED)).to_be_visible()
    finally:
        laptop_ctx.close()
        phone_ctx.close()
