"""Home pages, the review panel and the ideas import in a real browser (issue 21): each role's home says what to
do now and its links open the page where it is done; the reason box empties after a decision; a refused import
shows its problems in an error box under a full progress bar.

The real server on a throw-away SQLite database and Debian's headless Chromium, one browser context per person.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from hero_core import risk
from hero_core.models import Idea
from hero_core.services import campaigns, ideas, social
from tests.browser.conftest import served_org
from tests.browser.test_walk import ERROR, open_as, said, settle, shot
from tests.integration.factories import idea_input

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_home")]


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "home")


def assessed(db, org, idea_id: int, level: int) -> None:
    ideas.start_review(db, actor_id=org.manager, idea_id=idea_id)
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=ideas.AssessmentInput(
        ratings=[risk.Rating(code, level, level, "watch it") for code in risk.CATEGORIES],
        effort_value=risk.EffortValue(False, False, "none", 2, "many_teams", "clear", "strong")))


def test_each_role_s_home_says_what_to_do_and_links_to_where_it_is_done(browser, walk):
    org, db = walk.org, walk.org.db
    draft = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(title="Half-written idea about refunds"))
    back = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(title="Clearer direct debit letter"),
                             submit=True)
    ideas.start_review(db, actor_id=org.manager, idea_id=back)
    ideas.request_changes(db, actor_id=org.manager, idea_id=back, reason="Which letter do you mean?")
    campaigns.create_campaign(db, actor_id=org.executive, title="Fewer repeat calls about billing",
                              team_codes=["CC"])
    win = ideas.create_idea(db, actor_id=org.frontline_b, data=idea_input(title="Callback slots customers pick"),
                            submit=True)
    waiting = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(title="Pre-filled address form"),
                                submit=True)
    claimable = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(title="Chatbot for opening hours",
                                                                              tech=True), submit=True)
    assessed(db, org, claimable, 2)
    ideas.approve(db, actor_id=org.manager, idea_id=claimable)
    with db.write() as s:
        s.execute(update(Idea).where(Idea.id == win).values(state="scaled", scaled_at=db.now() - timedelta(days=2),
                                                            launch_date=db.now().date() - timedelta(days=1)))
        s.execute(update(Idea).where(Idea.id == waiting).values(review_start_due=db.now() - timedelta(days=1)))

    fran = open_as(browser, walk, "fran@example.com")
    expect(fran.get_by_role("heading", name="Your ideas that need you")).to_be_visible()
    expect(fran.get_by_role("link", name=f"#{back} · Clearer direct debit letter — sent back")).to_be_visible()
    expect(fran.get_by_role("link", name=f"#{draft} · Half-written idea about refunds — draft")).to_be_visible()
    expect(fran.get_by_role("link", name="Fewer repeat calls about billing")).to_be_visible()
    expect(fran.get_by_role("link", name=f"#{win} · Callback slots customers pick — scaled")).to_be_visible()
    shot(fran, "home-frontline")
    fran.get_by_role("link", name=f"#{back} · Clearer direct debit letter — sent back").click()
    expect(fran.locator("h1").first).to_contain_text("Clearer direct debit letter")

    mia = open_as(browser, walk, "mia@example.com")
    expect(mia.get_by_role("heading", name="Waiting on your review")).to_be_visible()
    expect(mia.get_by_role("link", name=f"#{waiting} · Pre-filled address form — due")).to_contain_text("OVERDUE")
    shot(mia, "home-manager")
    mia.get_by_role("link", name="Open the review queue").click()
    expect(mia.locator("h1").first).to_contain_text("Review queue")

    ivan = open_as(browser, walk, "ivan@example.com")
    expect(ivan.get_by_role("link", name=f"#{claimable} · Chatbot for opening hours — approved")).to_be_visible()
    shot(ivan, "home-it-champion")

    eve = open_as(browser, walk, "eve@example.com")
    expect(eve.get_by_role("heading", name="Impact this quarter")).to_be_visible()
    shot(eve, "home-executive")

    ada = open_as(browser, walk, "ada@example.com")
    expect(ada.get_by_role("heading", name="Recent imports")).to_be_visible()
    shot(ada, "home-admin")
    for page in (fran, mia, ivan, eve, ada):
        expect(page.locator("body")).not_to_contain_text("None")


def test_the_reason_box_is_empty_again_after_a_decision_in_the_browser(browser, walk):
    org, db = walk.org, walk.org.db
    risky = ideas.create_idea(db, actor_id=org.frontline, data=idea_input(title="Refund without receipt up to 50"),
                              submit=True)
    assessed(db, org, risky, 4)  # 16: high, so it stays in the queue for a second approver
    social.set_support(db, actor_id=org.frontline_b, idea_id=risky, supported=True)
    mia = open_as(browser, walk, "mia@example.com")
    mia.get_by_role("link", name="Open the review queue").click()
    expect(mia.locator("h1").first).to_contain_text("Review queue")
    box = mia.get_by_role("combobox", name="Idea to review", exact=True)
    box.click()
    mia.get_by_role("option").filter(has_text=f"#{risky} ").first.click()
    settle(mia)
    expect(mia.get_by_text("Fewer abandoned returns and fewer calls about them.")).to_be_visible()
    expect(mia.get_by_text("Customer metrics it should move: Customer satisfaction")).to_be_visible()
    expect(mia.get_by_text("1 colleague supports this idea")).to_be_visible()
    reason = mia.get_by_label("Reason for the submitter (required to ask for changes or to decline)", exact=True)
    reason.fill("The refund limit keeps the loss small.")
    mia.get_by_role("button", name="Approve", exact=True).click()
    said(mia, "first approval recorded")
    settle(mia)
    shot(mia, "review-after-first-approval")
    again = mia.get_by_label(re.compile(r"^Reason for the submitter"))
    expect(again).to_have_count(1)
    expect(again).to_have_value("")


def test_a_refused_ideas_import_shows_its_problems_in_an_error_box_under_a_full_bar(browser, walk):
    ada = open_as(browser, walk, "ada@example.com")
    settle(ada)  # a click while the home page still runs can be lost to its rerun
    ada.get_by_role("link", name="Import on the Administration page").click()
    expect(ada.locator("h1").first).to_contain_text("Administration")
    ada.get_by_role("tab", name="Import ideas").click()
    settle(ada)
    header = ("title,roadblock,proposal,submitter_email,team,touchpoint,category,involves_technology,submitted_at,"
              "state,launch_date,pilot_teams,target_metrics\n")
    row = "A fine title,Customers wait too long.,Answer faster please.,nobody@example.com,CC,call_centre,other,no,"
    row += "2025-03-31,submitted,,,\n"
    ada.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": (header + row).encode()}])
    settle(ada)
    ada.get_by_role("button", name="Import ideas", exact=True).click()
    settle(ada)
    error = ada.locator(ERROR).filter(has_text="1 problem found in bad.csv; nothing was stored.")
    expect(error).to_be_visible()
    expect(ada.get_by_text("Import refused: nothing was stored")).to_be_visible()
    ada.get_by_text("Import refused: nothing was stored").click()  # open the closed progress box
    expect(ada.locator('[data-testid="stProgress"] [role="progressbar"]')).to_have_attribute("aria-valuenow", "100")
    expect(ada.locator("body")).not_to_contain_text("hero users add")
    shot(ada, "admin-import-refused")
