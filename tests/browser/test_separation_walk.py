"""Separation of duties in a real browser: a manager's own idea goes to an admin, and a high-risk idea's second
approval comes from the admin's review queue with a reason (issue 18).

The real server on a throw-away SQLite database and Debian's headless Chromium, one browser context per person.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hero_core import risk
from hero_core.services import ideas
from tests.browser.conftest import served_org
from tests.browser.test_walk import ERROR, choose, go, nav_titles, open_as, said, settle, shot
from tests.integration.factories import idea_input

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_separation")]


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "separation")


def high_risk(org) -> ideas.AssessmentInput:
    return ideas.AssessmentInput(
        ratings=[risk.Rating(code, 4, 4, "legal review first") for code in risk.CATEGORIES],
        effort_value=risk.EffortValue(False, True, "none", 1, "many_teams", "clear", "strong"))


def test_a_managers_own_idea_goes_to_the_admin_who_also_gives_the_second_approval(browser, walk):
    org, db = walk.org, walk.org.db
    own = ideas.create_idea(db, actor_id=org.manager, data=idea_input(title="Shorter hold music for callers"),
                            submit=True)
    risky = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(title="Refund without receipt up to 50"),
                              submit=True)
    ideas.start_review(db, actor_id=org.manager, idea_id=risky)
    ideas.assess_risk(db, actor_id=org.manager, idea_id=risky, assessment=high_risk(org))
    assert ideas.approve(db, actor_id=org.manager, idea_id=risky) == "awaiting second approver"

    # The manager opens her own idea: the page says who reviews it, and offers her no review step.
    mia = open_as(browser, walk, "mia@example.com")
    mia.goto(f"{walk.url}/idea?id={own}")
    expect(mia.locator("h1").first).to_contain_text("Shorter hold music for callers")
    expect(mia.get_by_text("You proposed this idea, so someone else reviews it: an admin, since Contact centre "
                           "has no other manager.")).to_be_visible()
    expect(mia.get_by_text("waiting on: an admin to start the review")).to_be_visible()
    settle(mia)
    for label in ("Start review", "Approve", "Decline"):
        expect(mia.get_by_role("button", name=label, exact=True)).to_have_count(0)
    shot(mia, "sod-own-idea-goes-to-an-admin")
    go(mia, "Review queue")
    expect(mia.get_by_role("combobox", name="Idea to review", exact=True)).to_have_value(re.compile(rf"^#{risky} "))
    expect(mia.get_by_role("button", name="Approve as second approver")).to_have_count(0)

    # The admin's review queue holds both; the second approval needs a reason.
    ada = open_as(browser, walk, "ada@example.com")
    assert "Review queue" in nav_titles(ada)
    go(ada, "Review queue")
    choose(ada, "Idea to review", next(o for o in _options(ada) if o.startswith(f"#{risky} ")))
    expect(ada.get_by_text("another manager or an admin who did not propose it")).to_be_visible()
    ada.get_by_role("button", name="Approve as second approver").click()
    expect(ada.locator(ERROR).filter(has_text="A reason is required to approve as second approver")).to_be_visible()
    assert ideas.get_idea(db, actor_id=org.admin, idea_id=risky).state == "in_review"
    ada.get_by_label("Reason for the submitter (required for a second approval: why the risk is acceptable)",
                     exact=True).fill("Legal checked the refund wording; the limit keeps the loss small.")
    shot(ada, "sod-admin-second-approval")
    ada.get_by_role("button", name="Approve as second approver").click()
    said(ada, f"Idea #{risky}: approved.")
    view = ideas.get_idea(db, actor_id=org.admin, idea_id=risky)
    assert view.state == "approved" and view.assessment.approver_emails == ("mia@example.com", "ada@example.com")

    settle(ada)
    choose(ada, "Idea to review", next(o for o in _options(ada) if o.startswith(f"#{own} ")))
    ada.get_by_role("button", name="Start review", exact=True).click()
    said(ada, f"Review of idea #{own} started.")
    assert ideas.get_idea(db, actor_id=org.admin, idea_id=own).state == "in_review"


def _options(page) -> list[str]:
    """The texts of the review queue's idea picker, read by opening it."""
    box = page.get_by_role("combobox", name="Idea to review", exact=True)
    box.click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    texts = options.all_inner_texts()
    page.keyboard.press("Escape")
    settle(page)
    return [t.strip() for t in texts]
