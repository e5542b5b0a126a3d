"""The whole compact in a real browser: the real server on a throw-away SQLite database, Debian's headless
Chromium, one browser context per person.

A frontline person proposes a technology idea → their manager assesses the risk on the 5 × 5 grid and approves
it → an IT champion claims it, plans it, pilots it in a team from a launch date and scales it → the submitter
reads what happened in the inbox → an executive sees it on the impact page. After each step the test checks
what the person sees AND what the services and the database hold, and saves a screenshot to docs/screenshots/.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from hero_core import risk
from hero_core.errors import PermissionDenied
from hero_core.services import ideas, notifications
from hero_core.services.ideas import IdeaFilter
from tests.browser.conftest import SCREENSHOTS, WAIT_MS, Walk, served_org
from tests.conftest import PASSWORD, Org

# One server per module: with `--dist loadgroup`, xdist keeps every test of this group on one worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser_walk")]

SUCCESS = '[data-testid="stAlertContentSuccess"]'
ERROR = '[data-testid="stAlertContentError"]'
NAV_LINK = '[data-testid="stSidebarNav"] a'

TITLE = "Pre-filled direct debit form"
ROADBLOCK = ("Customers ring the call centre three times to finish the direct debit form: the paper form asks "
             "for details we already hold, and half come back incomplete.")
PROPOSAL = ("After the first call, send a pre-filled form from the CRM so the customer only checks and signs it. "
            "A small change to the CRM's letter template.")


@pytest.fixture(scope="module")
def walk(sqlite_template, tmp_path_factory, request):
    """A throw-away database with the small organisation, served by the real Streamlit server."""
    yield from served_org(sqlite_template, tmp_path_factory, request, "walk")


@pytest.fixture(autouse=True)
def _evidence_on_failure(walk, request):
    """When a step fails, keep a screenshot of every person's page beside the server log."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        for number, page in enumerate(walk.pages):
            if not page.is_closed():
                path = walk.directory / f"failure-{number}.png"
                page.screenshot(path=str(path))
                print(f"screenshot of {page.url}: {path}")


# ---- driving Streamlit like a person -----------------------------------------------------------------------


def settle(page: Page) -> None:
    """Wait until the app has finished running: the script is not running (Streamlit says so on its root
    element) and nothing drawn by an older run is left, for 150 ms in a row."""
    page.evaluate("window.__heroQuietSince = undefined")
    page.wait_for_function(
        """() => {
            const now = performance.now();
            const app = document.querySelector('[data-testid="stApp"]');
            const busy = !app || app.getAttribute('data-test-script-state') !== 'notRunning'
                || document.querySelector('[data-stale="true"]');
            if (busy) { window.__heroQuietSince = now; return false; }
            if (window.__heroQuietSince === undefined) { window.__heroQuietSince = now; }
            return now - window.__heroQuietSince > 150;
        }""",
        timeout=WAIT_MS,
    )


def shot(page: Page, name: str) -> None:
    """A screenshot of what the person sees now, under a stable name."""
    settle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def log_in(page: Page, email: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def open_as(browser: Browser, walk: Walk, email: str, *, screenshot: str | None = None) -> Page:
    """A new browser context (its own cookies and session) in which this person logs in through the form."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    walk.pages.append(page)
    page.goto(walk.url)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    if screenshot:
        page.get_by_label("Email", exact=True).fill(email)
        shot(page, screenshot)
    log_in(page, email)
    expect(page.locator("h1")).to_contain_text("Hello")
    wait_for_session_cookie(page)
    return page


def wait_for_session_cookie(page: Page) -> None:
    """The log-in cookie is written by a script after the page shows: a link opened before it would find no
    log-in (seen as the log-in form after `page.goto` right after logging in)."""
    for _ in range(150):
        if any(c["name"] == "hero_session" for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the log-in set no session cookie within 15 s")


def go(page: Page, title: str) -> None:
    """Open a page from the sidebar navigation, as a person would (unfolding "View N more" when the sidebar
    holds more pages than it shows at first)."""
    link = page.locator(NAV_LINK, has_text=title)
    if not link.count():
        more = page.get_by_test_id("stSidebarNavViewButton")
        if more.count() and "more" in more.first.inner_text().lower():
            more.first.click()
    link.first.click()
    expect(page.locator("h1").first).to_contain_text(title.split()[0])
    settle(page)


def nav_titles(page: Page) -> list[str]:
    return [t.split("\n")[-1].strip() for t in page.locator(NAV_LINK).all_inner_texts()]


def choose(page: Page, label: str, option: str, *, rerun: bool = True) -> None:
    """Pick an option of a select box found by its label."""
    box = page.get_by_role("combobox", name=label, exact=True)
    pick_option(page, box, option)
    expect(box).to_have_value(option)
    if rerun:
        settle(page)


def pick_option(page: Page, box: Locator, option: str) -> None:
    """Open a select box's list and click an option. A rerun that lands between the click and the list
    appearing closes the list again, and one that lands while the option is being clicked redraws the list
    under the pointer (seen once in a full `make test`: the option detached for 30 s), so open it once more
    if either happens."""
    wanted = page.get_by_role("option", name=option, exact=True)
    for attempt in range(3):
        box.click()
        try:
            wanted.wait_for(state="visible", timeout=5_000)
            wanted.click(timeout=5_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            print(f"the list of {option!r} closed or was redrawn before it could be clicked; opening it again")
            page.keyboard.press("Escape")
            settle(page)


def tick(page: Page, label: str) -> None:
    """Tick a checkbox. The real input sits under Streamlit's drawn box; a rerun that redraws the box while it
    is clicked leaves it unticked ("Clicking the checkbox did not change its state", seen in full runs), so
    wait for the app to settle and try once more."""
    box = page.get_by_role("checkbox", name=label, exact=True)
    for attempt in range(3):
        settle(page)
        try:
            box.check(force=True)
            break
        except PlaywrightError:
            if attempt == 2:
                raise
    expect(box).to_be_checked()


def said(page: Page, text: str) -> None:
    """The app confirms an action with a success message containing this text."""
    expect(page.locator(SUCCESS).filter(has_text=text)).to_be_visible()


class Laps:
    """How long each person's part of the walk took (printed with -s, and on failure)."""

    def __init__(self) -> None:
        self.start = self.last = time.monotonic()
        self.rows: list[tuple[str, float]] = []

    def __call__(self, name: str) -> None:
        now = time.monotonic()
        self.rows.append((name, now - self.last))
        self.last = now
        print(f"{name:<40} {self.rows[-1][1]:6.1f} s   (total {now - self.start:5.1f} s)")


def state_of(org: Org, idea_id: int, actor_id: int) -> ideas.IdeaView:
    return ideas.get_idea(org.db, actor_id=actor_id, idea_id=idea_id)


def audit_actions(org: Org, idea_id: int) -> list[str]:
    return [e.action for e in ideas.timeline(org.db, actor_id=org.admin, idea_id=idea_id)]


# ---- the walk ----------------------------------------------------------------------------------------------


def test_the_compact_is_walked_from_a_frontline_proposal_to_the_executives_impact_page(browser, walk):
    org = walk.org
    lap = Laps()
    fran = open_as(browser, walk, "fran@example.com", screenshot="01-login")

    # 1. The frontline person's navigation: no review queue, IT board or administration.
    titles = nav_titles(fran)
    assert {"Propose an idea", "My ideas", "Browse ideas", "Notifications"} <= set(titles), titles
    assert not {"Review queue", "IT board", "Administration", "Impact"} & set(titles), titles

    lap("frontline logs in, navigation checked")

    # 2. Opening the review queue's address directly is refused by the page, and by the core.
    direct = fran.context.new_page()
    direct.goto(f"{walk.url}/review")
    direct.get_by_label("Email", exact=True).or_(direct.locator(ERROR)).first.wait_for()
    if direct.get_by_label("Email", exact=True).is_visible():  # no remembered session in this tab: log in
        log_in(direct, "fran@example.com")
    expect(direct.locator(ERROR)).to_contain_text("This page is only for managers")
    expect(direct.get_by_role("heading", name="Review queue")).to_have_count(0)
    assert "/review" in direct.url
    shot(direct, "02-frontline-refused-review")
    direct.close()
    with pytest.raises(PermissionDenied):
        ideas.review_queue(org.db, actor_id=org.frontline)

    lap("the review queue's address is refused")

    # 3. Propose a technology idea: guidance, the safe framework, field by field through the labels.
    go(fran, "Propose an idea")
    expect(fran.get_by_text("How to describe a good idea")).to_be_visible()
    expect(fran.get_by_text("The safe framework.", exact=False)).to_be_visible()
    fran.get_by_label("Title", exact=True).fill(TITLE)
    fran.get_by_label("The customer roadblock", exact=True).fill(ROADBLOCK)
    fran.get_by_label("Your proposed fix", exact=True).fill(PROPOSAL)
    choose(fran, "Touch point", "Call centre", rerun=False)  # inside a form: nothing reruns until it is sent
    choose(fran, "Kind of problem", "Complex form", rerun=False)
    tick(fran, "The fix involves technology (a tool, a system change, an app, automation)")
    metric_code, metric_name = ideas.list_metric_codes(org.db)[0]
    metrics_box = fran.get_by_role("combobox", name="Customer metrics it should move (optional)", exact=True)
    pick_option(fran, metrics_box, f"{metric_name} ({metric_code})")
    fran.keyboard.press("Escape")
    tick(fran, "I have read the safe framework and this idea keeps to it")
    shot(fran, "03-propose-an-idea")
    fran.get_by_role("button", name="Submit for review").click()
    said(fran, "submitted: it now waits for a manager of your team")
    idea_id = int(re.search(r"Idea #(\d+) submitted", fran.locator(SUCCESS).inner_text()).group(1))
    mine, total = ideas.list_ideas(org.db, actor_id=org.frontline, flt=IdeaFilter(submitter_id=org.frontline))
    assert total == 1 and mine[0].id == idea_id
    view = state_of(org, idea_id, org.frontline)
    assert (view.state, view.title, view.roadblock, view.proposal) == ("submitted", TITLE, ROADBLOCK, PROPOSAL)
    assert (view.touchpoint, view.category, view.involves_technology) == ("call_centre", "complex_form", True)
    assert view.target_metrics == (metric_code,)
    # The form saved a private draft as each field was left (issue 21), then sent that same draft.
    steps = audit_actions(org, idea_id)
    assert steps[0] == "created" and steps[-1] == "submit" and set(steps[1:-1]) <= {"edited"}, steps

    lap("frontline proposes an idea")

    # 4. My ideas shows it, with whom it waits on.
    go(fran, "My ideas")
    expect(fran.get_by_text(f"#{idea_id} · {TITLE} — Submitted")).to_be_visible()
    fran.get_by_text(f"#{idea_id} · {TITLE} — Submitted").click()  # open its details
    expect(fran.get_by_text("Waiting on:").first).to_be_visible()
    shot(fran, "04-my-ideas")

    lap("my ideas")

    # 5. The manager: the review queue with its SLA, start the review, assess on the 5 × 5 grid, approve.
    mia = open_as(browser, walk, "mia@example.com")
    go(mia, "Review queue")
    expect(mia.get_by_test_id("stMetric").filter(has_text="Waiting on you")).to_contain_text("1")
    expect(mia.get_by_role("combobox", name="Idea to review", exact=True)).to_have_value(
        re.compile(rf"^#{idea_id} · {TITLE} \((on time|due soon)\)$"))
    mia.get_by_role("button", name="Start review").click()
    said(mia, f"Review of idea #{idea_id} started.")
    settle(mia)
    assert state_of(org, idea_id, org.manager).state == "in_review"
    heat_map = mia.get_by_test_id("stVegaLiteChart").first
    expect(heat_map).to_be_visible()  # the heat map is in view from the first click
    for code, label in risk.CATEGORIES.items():
        likelihood, impact = (3, 2) if code == "operational" else (1, 2)
        # One click on the category's cell of its 5 × 5 grid: a radio button named by its words in a group named
        # after the category (what a screen reader reads).
        cell = mia.get_by_role("radiogroup", name=f"{label}: risk").get_by_role(
            "radio", name=f"likelihood {likelihood} {risk.LIKELIHOOD_LABELS[likelihood]}, impact {impact} ")
        cell.click()
        expect(cell).to_be_checked()
        settle(mia)
        word = f"{risk.LIKELIHOOD_LABELS[likelihood]} × {risk.IMPACT_LABELS[impact].lower()}"
        expect(mia.get_by_text(f"{word} = {likelihood * impact} · low").first).to_be_visible()
    expect(heat_map).to_be_in_viewport()
    expect(heat_map).to_contain_text("Operational")  # the heat map moved as cells were picked
    mitigation = mia.get_by_label("Operational: mitigation", exact=True)
    mitigation.fill("Pilot in one team first; keep the paper form as a fallback.")
    mitigation.press("Enter")
    settle(mia)
    choose(mia, "Budget", risk.BUDGET_LABELS["under_5k"], rerun=False)
    choose(mia, "Customers reached", risk.REACH_LABELS["many_teams"], rerun=False)
    choose(mia, "Expected metric change", risk.CHANGE_LABELS["clear"], rerun=False)
    choose(mia, "Strategic fit", risk.FIT_LABELS["strong"], rerun=False)
    settle(mia)
    expect(mia.get_by_text("Preview: overall risk 6 (low)")).to_be_visible()
    mia.get_by_role("button", name="Save assessment").click()
    said(mia, f"Assessment of idea #{idea_id} saved.")
    settle(mia)
    expect(mia.get_by_test_id("stMetric").filter(has_text="Overall risk").first).to_contain_text("6 (low)")
    # The 5 × 5 risk matrix and the ratings are drawn on demand on the review queue.
    mia.get_by_text("Risk matrix and each category's rating", exact=True).first.click()
    settle(mia)
    expect(mia.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    assessment = state_of(org, idea_id, org.manager).assessment
    assert assessment is not None and (assessment.overall, assessment.band) == (6, "low")
    operational = next(r for r in assessment.ratings if r.category == "operational")
    assert (operational.likelihood, operational.impact) == (3, 2)
    assert operational.mitigation == "Pilot in one team first; keep the paper form as a fallback."
    assert assessment.effort_value.budget == "under_5k" and assessment.effort_value.needs_it
    mia.get_by_test_id("stMetric").filter(has_text="Overall risk").first.scroll_into_view_if_needed()
    shot(mia, "05-review-queue-risk-assessment")
    lap("manager: start review, assess risk")
    mia.get_by_label("Reason for the submitter (required to ask for changes or to decline)", exact=True).fill(
        "Clear roadblock, small change: let's try it.")
    mia.get_by_role("button", name="Approve", exact=True).click()
    said(mia, f"Idea #{idea_id}: approved.")
    view = state_of(org, idea_id, org.manager)
    assert view.state == "awaiting_it"  # a technology idea goes to IT once approved
    assert view.assessment.approver_emails == ("mia@example.com",)
    assert audit_actions(org, idea_id)[-3:] == ["assess_risk", "approve", "route_to_it"]

    lap("manager approves")

    # 6. The IT champion: the board (counts, oldest first, overdue marked), claim, plan, pilot, scale.
    ivan = open_as(browser, walk, "ivan@example.com")
    go(ivan, "IT board")
    expect(ivan.get_by_test_id("stMetric").filter(has_text="Awaiting IT")).to_contain_text("1")
    expect(ivan.get_by_role("combobox", name="Idea to work on", exact=True)).to_have_value(
        re.compile(rf"^#{idea_id} · {TITLE}"))
    shot(ivan, "06-it-board")
    ivan.get_by_role("button", name="Claim for IT").click()
    said(ivan, f"You claimed idea #{idea_id}; it is now in build.")
    settle(ivan)
    view = state_of(org, idea_id, org.it)
    assert view.state == "in_build" and view.it_champion_email == "ivan@example.com"

    ivan.get_by_label("Plan", exact=True).fill("Add the pre-filled letter to the CRM template; test with Billing.")
    ivan.get_by_label("Effort estimate (days)", exact=True).fill("3.5")
    ivan.get_by_role("button", name="Save plan").click()
    said(ivan, f"Plan for idea #{idea_id} saved.")
    settle(ivan)
    view = state_of(org, idea_id, org.it)
    assert (view.it_plan, view.it_effort_days) == (
        "Add the pre-filled letter to the CRM template; test with Billing.", 3.5)

    launch = org.db.now().date()
    teams_box = ivan.get_by_role("combobox", name="Pilot teams", exact=True)
    pick_option(ivan, teams_box, "CC")
    ivan.keyboard.press("Escape")
    # The date field has a segment per part (year, month, day); typing the digits moves through them.
    ivan.get_by_role("spinbutton", name="year, Launch date").click()
    ivan.keyboard.type(launch.strftime("%Y%m%d"))
    ivan.keyboard.press("Escape")
    expect(ivan.get_by_label("Launch date", exact=True)).to_have_text(
        re.compile(launch.strftime(r"%Y\s*-\s*%m\s*-\s*%d")))
    shot(ivan, "07-it-board-start-pilot")
    ivan.get_by_role("button", name="Start pilot").click()
    said(ivan, f"Pilot of idea #{idea_id} started.")
    settle(ivan)
    view = state_of(org, idea_id, org.it)
    assert (view.state, view.pilot_team_codes, view.launch_date) == ("piloting", ("CC",), launch)
    expect(ivan.get_by_test_id("stMetric").filter(has_text="Piloting")).to_contain_text("1")

    # No data in the pilot's measurement window yet: the panel says so and scaling needs a reason (issue 21).
    expect(ivan.get_by_text("Not ready to scale: its measurement window")).to_be_visible()
    expect(ivan.get_by_role("button", name="Start scaling")).to_have_count(0)
    override = "The teams asked to roll it out now; the pilot's figures follow next month."
    ivan.get_by_label("Why scale anyway? (required: it goes in the audit trail)", exact=True).fill(override)
    ivan.get_by_role("button", name="Scale anyway").click()
    said(ivan, f"Idea #{idea_id} is being scaled.")
    settle(ivan)
    assert state_of(org, idea_id, org.it).state == "scaling"
    assert ideas.timeline(org.db, actor_id=org.admin, idea_id=idea_id)[-1].reason == override
    ivan.get_by_role("button", name="Mark as scaled").click()
    said(ivan, f"Idea #{idea_id} is scaled.")
    settle(ivan)
    expect(ivan.get_by_test_id("stMetric").filter(has_text="Scaled")).to_contain_text("1")
    shot(ivan, "08-it-board-scaled")
    assert state_of(org, idea_id, org.it).state == "scaled"
    assert audit_actions(org, idea_id)[-5:] == ["claim", "it_plan", "start_pilot", "start_scaling",
                                                "complete_scaling"]

    lap("IT: claim, plan, pilot, scale")

    # 7. The submitter reads every step in the inbox (the same browser session as before).
    go(fran, "Notifications")
    expected = ["is now being reviewed", "was approved", "was picked up by IT", "is being piloted",
                "is being scaled to more teams", "is scaled: thank you, HERO"]
    for what in expected:
        expect(fran.get_by_test_id("stText").filter(has_text=f"Your idea #{idea_id} “{TITLE}” {what}.")).to_be_visible()
    stored = [n.message for n in notifications.inbox(org.db, actor_id=org.frontline)]
    reasons = {"was approved": "Clear roadblock, small change: let's try it.",
               "is being scaled to more teams": override}  # the submitter reads why it scaled without data
    assert sorted(stored) == sorted(f"Your idea #{idea_id} “{TITLE}” {what}." + (
        f" Reason: {reasons[what]}" if what in reasons else "") for what in expected)
    shot(fran, "09-inbox")

    lap("submitter reads the inbox")

    # 8. The executive sees the launched idea on the impact page.
    eve = open_as(browser, walk, "eve@example.com")
    assert "Impact" in nav_titles(eve)
    go(eve, "Impact")
    expect(eve.get_by_test_id("stMetric").first).to_be_visible()
    eve.get_by_role("tab", name="One idea over time").click()
    expect(eve.get_by_role("combobox", name="Idea", exact=True)).to_have_value(f"#{idea_id} · {TITLE}")
    eve.get_by_role("tab", name="Portfolio").click()
    shot(eve, "10-impact")
    launched, count = ideas.list_ideas(org.db, actor_id=org.executive, flt=IdeaFilter(states=("scaled",)))
    assert count == 1 and launched[0].id == idea_id
    lap("executive sees it on the impact page")


# ---- every page of every role, on the demo organisation ----------------------------------------------------

#: One demo login per role (the README's "Demo logins"), and the name its pictures start with.
DEMO_ROLES = (
    ("frontline", "priya.raman@hero.example"),
    ("manager", "sarah.whitfield@hero.example"),
    ("it-champion", "ravi.shankar@hero.example"),
    ("executive", "catherine.boateng@hero.example"),
    ("admin", "joanne.ellis@hero.example"),
)
#: Pages whose other tabs are pictured too (each tab's charts and tables), and for which role: the charts are
#: where labels and legends get cut off, so every one of them is looked at.
TAB_SHOTS = {("executive", "impact"), ("executive", "idea"), ("manager", "pulse"), ("admin", "admin")}
#: The tallest picture taken of one page (a page taller than this is cut there: the top is what matters).
MAX_SHOT_HEIGHT = 2_400


@pytest.fixture(scope="module")
def demo_walk(sqlite_template, tmp_path_factory, request):
    """The demo organisation (30 people, 60 ideas, 18 months of metrics: pages with something on them),
    served by the real Streamlit server."""
    from hero_core import demo
    from hero_core.services import catalog
    from tests.conftest import fresh_sqlite
    from tests.support.live_server import LiveServer

    directory = tmp_path_factory.mktemp("demo-walk")
    db = fresh_sqlite(sqlite_template, directory)
    catalog.ensure_defaults(db)
    demo.build_demo(db)
    server = LiveServer(db.url, directory / "streamlit.log")
    expect.set_options(timeout=WAIT_MS)
    try:
        yield db, server.url
    finally:
        expect.set_options(timeout=5_000)
        server.stop()
        if request.session.testsfailed:
            print(f"streamlit log ({server.log_path}):\n{server.log_path.read_text()[-4000:]}")
        db.dispose()


def whole_page_shot(page: Page, name: str) -> None:
    """The whole page, not only the first screen: the window is made as tall as the page (up to
    MAX_SHOT_HEIGHT) for the picture, then put back."""
    settle(page)
    height = page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        return main ? main.scrollHeight : document.body.scrollHeight; }""")
    page.mouse.move(1355, 5)  # no hover highlight left where the last click was
    page.set_viewport_size({"width": 1360, "height": max(900, min(int(height), MAX_SHOT_HEIGHT))})
    page.wait_for_timeout(300)  # charts redraw for the new size
    shot(page, name)
    page.set_viewport_size({"width": 1360, "height": 900})
    _smaller(SCREENSHOTS / f"{name}.png")


def _smaller(path) -> None:
    """Store the picture with a palette of 256 colours (a page's flat colours lose nothing visible; the file
    is a third of the size), so that the pictures of every page stay small in the repository."""
    from PIL import Image

    with Image.open(path) as picture:
        small = picture.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def shoot_tabs(page: Page, name: str) -> list[str]:
    """Open each tab of the page's first set of tabs after the first, and picture it; the problems seen."""
    problems = []
    tabs = page.get_by_role("tab")
    labels = [t.strip() for t in tabs.all_inner_texts()]
    for label in labels[1:]:
        tabs.filter(has_text=label).first.click()
        settle(page)
        problems.extend(f"{name} tab {label}: {box.inner_text()[:200]}"
                        for box in page.locator(f'{ERROR}, [data-testid="stException"]').all())
        whole_page_shot(page, f"{name}-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}")
    tabs.filter(has_text=labels[0]).first.click()
    settle(page)
    return problems


def test_every_page_of_every_role_is_drawn_for_the_screenshots(browser, demo_walk):
    """Each role's demo login opens every page its navigation offers, and one idea's page; each is drawn
    without an error or an exception and pictured under docs/screenshots/<role>-<page>.png."""
    from hero_core.services import people

    db, url = demo_walk
    walk_pages: list[Page] = []
    lap = Laps()
    shown_idea = next(v.id for v in ideas.list_ideas(
        db, actor_id=people.user_id_for(db, "catherine.boateng@hero.example"),
        flt=IdeaFilter(states=("scaled",)))[0])
    problems: list[str] = []
    for role, email in DEMO_ROLES:
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        walk_pages.append(page)
        page.goto(url)
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill("hero-demo-2026")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("h1")).to_contain_text("Hello")
        wait_for_session_cookie(page)
        whole_page_shot(page, f"{role}-home")
        links = page.locator(NAV_LINK)
        paths = [urlparse(links.nth(i).get_attribute("href") or "").path.strip("/") for i in range(links.count())]
        for path, title in zip(paths, nav_titles(page), strict=True):  # the same links: hrefs and texts
            if path in ("", "home"):
                continue
            page.locator(NAV_LINK, has_text=title).first.click()
            expect(page.locator("h1").first).to_be_visible()
            settle(page)
            problems.extend(f"{role} {path}: {box.inner_text()[:200]}"
                            for box in page.locator(f'{ERROR}, [data-testid="stException"]').all())
            whole_page_shot(page, f"{role}-{path}")
            if (role, path) in TAB_SHOTS:
                problems += shoot_tabs(page, f"{role}-{path}")
        page.goto(f"{url}/idea?id={shown_idea}")
        expect(page.locator("h1").first).to_contain_text(f"#{shown_idea}")
        settle(page)
        for box in page.locator(f'{ERROR}, [data-testid="stException"]').all():
            problems.append(f"{role} idea: {box.inner_text()[:200]}")
        whole_page_shot(page, f"{role}-idea")
        if (role, "idea") in TAB_SHOTS:
            problems += shoot_tabs(page, f"{role}-idea")
        lap(f"{role}: {len(paths) + 1} pages")
        context.close()
    assert not problems, problems
