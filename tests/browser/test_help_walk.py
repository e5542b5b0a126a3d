"""Help with a roadblock in a real browser (issue 22): a frontline person asks, the e-coach finds it in the queue
and answers, the asker marks it solved, and a colleague typing a similar question finds the known answer.

The real server on a throw-away SQLite database and Debian's headless Chromium.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hero_core.services import help, people
from tests.browser.conftest import served_org
from tests.browser.test_walk import choose, go, open_as, said, settle, shot, tick
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_help")]

QUESTION = "How do I change a customer's delivery address in the CRM?"
ANSWER = "Open the contact card, then Edit > Address; the delivery label follows at once."


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    yield from served_org(sqlite_template, tmp_path_factory, request, "help")


def test_ask_then_the_e_coach_answers_then_solved_then_found_as_a_known_answer(browser, walk):
    org = walk.org
    help.add_system(org.db, actor_id=org.admin, code="CRM", name="Customer CRM")
    coach = people.add_user(org.db, actor_id=None, email="cora@example.com", name="Cora Coach",
                            roles=["frontline"], team_code="ST", password=PASSWORD)
    help.assign_ecoach(org.db, actor_id=org.admin, email="cora@example.com", system="CRM")

    # Fran asks, with a customer waiting.
    fran = open_as(browser, walk, "fran@example.com")
    go(fran, "Ask for help")
    box = fran.get_by_label("What were you trying to do?", exact=True)
    box.fill(QUESTION)
    box.press("Enter")
    settle(fran)
    choose(fran, "Customer touch point", "Call centre")
    choose(fran, "System or document involved", "Customer CRM")
    tick(fran, "A customer is waiting right now")
    fran.get_by_role("button", name="Ask for help").click()
    said(fran, "is posted")
    [mine] = help.my_requests(org.db, actor_id=org.frontline)
    assert mine.question == QUESTION and mine.customer_waiting
    shot(fran, "help-asked")

    # Cora sees it first in her queue, opens it and answers.
    cora = open_as(browser, walk, "cora@example.com")
    go(cora, "E-coach queue")
    expect(cora.get_by_text("customer waiting").first).to_be_visible()
    cora.get_by_role("link", name=f"#{mine.id}").first.click()
    expect(cora.locator("h1").first).to_contain_text(f"Help request #{mine.id}")
    settle(cora)
    cora.get_by_label("Your answer", exact=True).fill(ANSWER)
    cora.get_by_role("button", name="Post").click()
    said(cora, "Posted.")
    assert help.get_request(org.db, actor_id=coach, request_id=mine.id).state == "answered"

    # Fran opens her request and marks the answer that solved it.
    go(fran, "Ask for help")
    fran.get_by_role("link", name=f"#{mine.id}").first.click()
    expect(fran.get_by_text(ANSWER)).to_be_visible()
    fran.get_by_role("button", name="This solved it").click()
    said(fran, "it is a known answer now")
    assert help.get_request(org.db, actor_id=org.frontline, request_id=mine.id).state == "solved"

    # Sam, in another team, starts asking something similar: the known answer shows before he posts.
    sam = open_as(browser, walk, "sam@example.com")
    go(sam, "Ask for help")
    box = sam.get_by_label("What were you trying to do?", exact=True)
    box.fill("change delivery address customer CRM")
    box.press("Enter")
    settle(sam)
    expect(sam.get_by_text("Known answers to similar questions")).to_be_visible()
    sam.get_by_text(QUESTION).first.click()
    expect(sam.get_by_text(ANSWER)).to_be_visible()
    shot(sam, "help-known-answer-suggested")
    go(sam, "Known answers")
    expect(sam.get_by_text(ANSWER)).to_be_visible()
