"""The IT board in a real browser: a plan typed and saved right after "Claim for IT" is stored, and the panel
stays on the idea that was claimed, its picker saying the idea's new column (issue 21).

The real server on a throw-away SQLite database and Debian's headless Chromium.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hero_core.services import ideas
from tests.app.conftest import approved
from tests.browser.conftest import served_org
from tests.browser.test_walk import ERROR, choose, go, open_as, pick_option, said, settle, shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_it_board")]


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "it_board")


def test_a_plan_saved_right_after_claiming_is_kept_and_the_panel_stays_on_the_claimed_idea(browser, walk):
    org, db = walk.org, walk.org.db
    first = approved(org, title="Address change in the app")
    second = approved(org, title="Meter photo upload")
    third = approved(org, title="Callback booking on the website")
    assert {ideas.get_idea(db, actor_id=org.it, idea_id=i).state for i in (first, second, third)} == {"awaiting_it"}

    ivan = open_as(browser, walk, "ivan@example.com")
    go(ivan, "IT board")
    picker = ivan.get_by_role("combobox", name="Idea to work on", exact=True)
    expect(picker).to_have_value(re.compile(rf"^#{first} · Address change in the app \(Awaiting IT\)"))
    ivan.get_by_role("button", name="Claim for IT").click()
    said(ivan, f"You claimed idea #{first}; it is now in build.")
    # Straight away, as a person would: no waiting for the page to settle first.
    plan = "Add an address form to the app; reuse the CRM API."
    ivan.get_by_label("Plan", exact=True).fill(plan)
    ivan.get_by_label("Effort estimate (days)", exact=True).fill("3.5")
    ivan.get_by_role("button", name="Save plan").click()
    said(ivan, f"Plan for idea #{first} saved.")
    settle(ivan)
    view = ideas.get_idea(db, actor_id=org.it, idea_id=first)
    assert (view.state, view.it_plan, view.it_effort_days) == ("in_build", plan, 3.5)
    expect(picker).to_have_value(re.compile(rf"^#{first} · Address change in the app \(In build\)"))
    expect(ivan.locator("h3").filter(has_text=f"#{first} · Address change in the app")).to_be_visible()
    expect(ivan.get_by_label("Plan", exact=True)).to_have_value(plan)
    shot(ivan, "it-board-plan-kept-after-claim")
    for other in (second, third):
        assert ideas.get_idea(db, actor_id=org.it, idea_id=other).it_plan == ""


def test_a_launch_date_far_ahead_is_named_and_scaling_without_data_needs_a_reason(browser, walk):
    org, db = walk.org, walk.org.db
    idea_id = approved(org, title="Text reminders before a technician visit")
    ideas.claim(db, actor_id=org.it, idea_id=idea_id)
    ideas.plan_it(db, actor_id=org.it, idea_id=idea_id, plan="SMS gateway", effort_days=2,
                  blockers="Waiting for the SMS contract")

    ivan = open_as(browser, walk, "ivan@example.com")
    go(ivan, "IT board")
    choose(ivan, "Idea to work on", f"#{idea_id} · Text reminders before a technician visit (In build)")
    pick_option(ivan, ivan.get_by_role("combobox", name="Pilot teams", exact=True), "CC")
    ivan.keyboard.press("Escape")
    # A year typed as 2099 once came back as no date at all ("needs a launch date").
    ivan.get_by_role("spinbutton", name="year, Launch date").click()
    ivan.keyboard.type("20990105")
    ivan.keyboard.press("Escape")
    ivan.get_by_role("button", name="Start pilot").click()
    latest = db.now().date().replace(year=db.now().year + 1)
    expect(ivan.locator(ERROR).filter(
        has_text=f"The launch date 2099-01-05 is more than a year ahead: choose a day up to {latest.isoformat()}."
    )).to_be_visible()
    assert ideas.get_idea(db, actor_id=org.it, idea_id=idea_id).state == "in_build"

    launch = db.now().date()
    ivan.get_by_role("spinbutton", name="year, Launch date").click()
    ivan.keyboard.type(launch.strftime("%Y%m%d"))
    ivan.keyboard.press("Escape")
    ivan.get_by_role("button", name="Start pilot").click()
    said(ivan, f"Pilot of idea #{idea_id} started.")
    settle(ivan)
    expect(ivan.get_by_role("combobox", name="Idea to work on", exact=True)).to_have_value(
        re.compile(rf"^#{idea_id} · Text reminders before a technician visit \(Piloting\)"))

    expect(ivan.get_by_text("Not ready to scale:")).to_contain_text("open blocker")
    expect(ivan.get_by_role("button", name="Start scaling")).to_have_count(0)
    reason = "The contract is signed; the figures follow with next month's upload."
    ivan.get_by_label("Why scale anyway? (required: it goes in the audit trail)", exact=True).fill(reason)
    shot(ivan, "it-board-scale-anyway")
    ivan.get_by_role("button", name="Scale anyway").click()
    said(ivan, f"Idea #{idea_id} is being scaled.")
    assert ideas.get_idea(db, actor_id=org.it, idea_id=idea_id).state == "scaling"
    assert ideas.timeline(db, actor_id=org.admin, idea_id=idea_id)[-1].reason == reason
