"""Proposing an idea in a real browser (issue 21): a pasted over-long title is cut to the limit, the draft saves
itself, closing the tab with unsaved text asks first, a double click makes one idea and the form empties after.

The real server on a throw-away SQLite database and Debian's headless Chromium.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hero_core.services import ideas
from hero_core.services.ideas import IdeaFilter
from tests.browser.conftest import served_org
from tests.browser.test_walk import ERROR, choose, go, open_as, said, settle, shot, tick
from tests.integration.factories import idea_input

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_propose")]

ROADBLOCK = "Customers ring three times to finish the direct debit form: it asks for details we already hold."
PROPOSAL = "After the first call, post a pre-filled form so the customer only checks and signs it."


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "propose")


def mine(org) -> list[ideas.IdeaSummary]:
    return ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(submitter_id=org.frontline))[0]


def test_a_long_paste_an_autosaved_draft_a_warning_on_leaving_and_one_idea_per_double_click(browser, walk):
    org = walk.org
    fran = open_as(browser, walk, "fran@example.com")
    fran.context.grant_permissions(["clipboard-read", "clipboard-write"])
    go(fran, "Propose an idea")

    # A 260-character title pasted: cut to the 200 the service allows, not dropped.
    limit = ideas.FIELD_LIMITS["title"]
    long_title = ("Pre-filled direct debit form for every customer who calls about a missed payment " * 4)[:260]
    fran.evaluate("text => navigator.clipboard.writeText(text)", long_title)
    title = fran.get_by_label("Title", exact=True)
    title.click()
    fran.keyboard.press("Control+V")
    expect(title).to_have_value(long_title[:limit])
    expect(fran.get_by_text(f"{limit}/{limit}")).to_be_visible()  # the field's counter: full

    # Leaving the title saves the idea as a private draft; more text goes into the same draft.
    fran.get_by_label("The customer roadblock", exact=True).fill(ROADBLOCK)
    fran.get_by_label("Your proposed fix", exact=True).click()  # leaves the roadblock: its text is sent
    settle(fran)
    expect(fran.get_by_text("Saved as draft #")).to_be_visible()
    [draft] = mine(org)
    assert draft.state == "draft" and draft.title == long_title[:limit].strip()
    assert ideas.get_idea(org.db, actor_id=org.frontline, idea_id=draft.id).roadblock == ROADBLOCK
    expect(fran.get_by_text(f"0/{ideas.FIELD_LIMITS['proposal']}").first).to_be_visible()  # counters shown
    shot(fran, "propose-draft-saved-as-you-type")

    # Text typed and not yet sent: closing the tab asks first.
    fran.keyboard.type("After the first call, post a pre-filled form")
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # "stay on the page"

    fran.on("dialog", answer)
    fran.close(run_before_unload=True)
    for _ in range(50):
        if dialogs:
            break
        fran.wait_for_timeout(100)
    assert dialogs == ["beforeunload"], dialogs
    assert not fran.is_closed(), "the person chose to stay"
    fran.remove_listener("dialog", answer)

    # Complete it and double-click Submit: one idea, sent; then the form is empty for the next one.
    proposal = fran.get_by_label("Your proposed fix", exact=True)
    proposal.fill(PROPOSAL)
    choose(fran, "Touch point", "Call centre")
    choose(fran, "Kind of problem", "Complex form")
    tick(fran, "I have read the safe framework and this idea keeps to it")
    settle(fran)
    fran.get_by_role("button", name="Submit for review").dblclick()
    said(fran, f"Idea #{draft.id} submitted")
    settle(fran)
    assert [(m.id, m.state) for m in mine(org)] == [(draft.id, "submitted")], "the draft itself, once"
    expect(fran.get_by_label("Title", exact=True)).to_have_value("")
    expect(fran.get_by_label("The customer roadblock", exact=True)).to_have_value("")
    expect(fran.get_by_label("Your proposed fix", exact=True)).to_have_value("")
    expect(fran.get_by_role("link", name=f"#{draft.id} · Pre-filled direct debit form")).to_be_visible()
    shot(fran, "propose-after-submit-form-empty")

    # The empty form sends nothing more, and nothing unsaved is left to warn about.
    fran.get_by_role("button", name="Submit for review").click()
    expect(fran.locator(ERROR).first).to_be_visible()
    assert len(mine(org)) == 1
    dialogs.clear()
    fran.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    with fran.expect_event("close", timeout=10_000):  # a dialog would be dismissed and the page stay open
        fran.close(run_before_unload=True)
    assert dialogs == [] and fran.is_closed(), "the page closes without asking"


def test_the_submitter_withdraws_an_idea_in_review_from_my_ideas(browser, walk):
    org = walk.org
    idea_id = ideas.create_idea(org.db, actor_id=org.frontline, data=idea_input(title="Callback slots by text"),
                                submit=True)
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    fran = open_as(browser, walk, "fran@example.com")
    go(fran, "My ideas")
    fran.get_by_text(f"#{idea_id} · Callback slots by text — In review").click()
    fran.get_by_text("Withdraw this idea").click()
    settle(fran)
    fran.get_by_label("Why are you withdrawing it? (optional)", exact=True).fill("The new app offers it already.")
    shot(fran, "my-ideas-withdraw")
    fran.get_by_role("button", name="Withdraw", exact=True).click()
    said(fran, f"Idea #{idea_id} was withdrawn.")
    view = ideas.get_idea(org.db, actor_id=org.frontline, idea_id=idea_id)
    assert (view.state, view.last_reason) == ("retired", "Withdrawn by its submitter: The new app offers it already.")
    expect(fran.get_by_text(f"#{idea_id} · Callback slots by text — Retired")).to_be_visible()
