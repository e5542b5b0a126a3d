"""The conversation in a real browser: a colleague finds an idea on Browse ideas, supports it and comments with an
@mention; the mentioned manager reads the mention in the inbox. The real server on a throw-away SQLite database,
Debian's headless Chromium, one browser context per person."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from hero_core.services import ideas, notifications, social
from tests.browser.conftest import served_org
from tests.browser.test_rows_open_walk import click_row
from tests.browser.test_walk import NAV_LINK, WAIT_MS, go, open_as, said, settle, shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_conversation")]


@pytest.fixture(scope="module")
def talk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "conversation_walk")


def test_a_colleague_supports_an_idea_and_mentions_the_manager_who_reads_it_in_the_inbox(browser: Browser, talk):
    org = talk.org
    idea_id = ideas.create_idea(org.db, actor_id=org.frontline, submit=True, data=ideas.IdeaInput(
        title="Pre-filled direct debit form", roadblock="Customers ring three times to finish the direct debit form.",
        proposal="Send a pre-filled form after the first call so they only sign it.", touchpoint="call_centre",
        category="complex_form"))

    page = open_as(browser, talk, "frank@example.com")
    go(page, "Browse ideas")
    click_row(page, 0)  # the table's row opens the idea (issue 21)
    expect(page.locator("h1").first).to_contain_text(f"#{idea_id}")
    settle(page)
    page.get_by_role("button", name="Support: I hit this too / I'd use this").click()
    said(page, f"You support idea #{idea_id}")
    expect(page.get_by_role("button", name="Withdraw my support")).to_be_visible()
    page.get_by_role("textbox", name="Add a comment").fill("@mia@example.com we had three of these calls this morning.")
    page.get_by_role("button", name="Post comment").click()
    said(page, "Comment posted.")
    expect(page.get_by_text("@mia@example.com we had three of these calls this morning.", exact=True)
           .and_(page.locator("span"))).to_be_visible()
    expect(page.get_by_role("textbox", name="Add a comment")).to_have_value("")  # emptied for the next one
    shot(page, "11-conversation-support-and-mention")
    # What the services hold.
    view = social.conversation(org.db, actor_id=org.frontline_b, idea_id=idea_id)
    assert (view.supports, view.supported) == (1, True)
    [comment] = social.comments(org.db, actor_id=org.manager, idea_id=idea_id)
    assert comment.author_email == "frank@example.com"

    manager = open_as(browser, talk, "mia@example.com")
    manager.locator(NAV_LINK, has_text="Notifications").click()
    settle(manager)
    mention = manager.get_by_text(re.compile(rf"Frank mentioned you in a comment on idea #{idea_id}")).first
    expect(mention).to_be_visible(timeout=WAIT_MS)
    assert "mention" in [n.kind for n in notifications.inbox(org.db, actor_id=org.manager)]
