"""Merging a duplicate in a real browser: Enter in "Original idea #" merges nothing; the merge needs a reason,
a tick that it was checked, and the "Merge into #N" button; the merged idea then reads as merged (issue 21).

The real server on a throw-away SQLite database and Debian's headless Chromium.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hero_core.services import duplicates, ideas
from tests.app.conftest import make_idea
from tests.browser.conftest import served_org
from tests.browser.test_walk import ERROR, open_as, said, settle, shot, tick

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_merge")]


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "merge")


def test_enter_merges_nothing_and_a_merge_needs_a_reason_and_a_confirmation(browser, walk):
    org, db = walk.org, walk.org.db
    original = make_idea(org, title="Pre-filled direct debit form")
    duplicate = make_idea(org, title="Direct debit form prefilled")

    mia = open_as(browser, walk, "mia@example.com")
    mia.goto(f"{walk.url}/idea?id={duplicate}")
    expect(mia.locator("h1").first).to_contain_text("Direct debit form prefilled")
    settle(mia)
    mia.get_by_text("Merge as a duplicate").click()
    number = mia.get_by_label("Original idea #", exact=True)
    number.fill(str(original))
    number.press("Enter")
    settle(mia)
    assert duplicates.merges(db, actor_id=org.admin, idea_id=duplicate) == []
    merge = mia.get_by_role("button", name=f"Merge into #{original}")
    expect(merge).to_be_disabled()

    tick(mia, f"I have checked that this idea repeats #{original}")
    settle(mia)
    merge.click()
    expect(mia.locator(ERROR).filter(has_text=f"A reason is required to merge idea #{duplicate} into idea "
                                              f"#{original}")).to_be_visible()
    assert duplicates.merges(db, actor_id=org.admin, idea_id=duplicate) == []

    reason = "Same form, same fix: prefill it from the CRM."
    mia.get_by_label("Why it is a duplicate (required: both submitters and the merge history read it)",
                     exact=True).fill(reason)
    shot(mia, "merge-needs-reason-and-confirmation")
    mia.get_by_role("button", name=f"Merge into #{original}").click()
    said(mia, f"Idea #{duplicate} was merged into idea #{original}.")
    settle(mia)
    (done,) = duplicates.merges(db, actor_id=org.admin, idea_id=duplicate)
    assert done.reason == reason
    expect(mia.get_by_text(f"Merged into idea #{original}", exact=False).first).to_be_visible()
    expect(mia.get_by_text("What you can do now")).to_have_count(0)
    expect(mia.get_by_role("button", name="Start review", exact=True)).to_have_count(0)
    assert ideas.get_idea(db, actor_id=org.manager, idea_id=duplicate).available_actions == ()
