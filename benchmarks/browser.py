"""Click-to-updated-page time in headless Chromium against a real `streamlit run` server.

The clock starts at the pointer press (taken inside the page) and stops when the frame showing the page's last
change after it has been painted: the last change of its content or of the script-run state Streamlit reports
(stApp's data-test-script-state), once the script is not running and nothing has changed for 250 ms (so a run
that ends in st.rerun is counted to its end).

Changes inside a <canvas> element are timed separately and do not stop the clock: a canvas's children are never
painted. The data grid (st.dataframe, glide-data-grid) keeps a copy of its visible cells there for screen
readers and rebuilds it 200 ms after the grid settles (a fixed debounce in the grid, `useDebouncedMemo(..., 200)`),
so counting it would add a timer, not drawing, to every click that shows a table. The time including it is
reported beside the main figure. The server's peak RSS (VmHWM) is read at the end.

Each interaction runs `repeats` times in one tab, reached the way a person moves between pages (by their links; the
Approve click opens each idea to decide by its address). The first time of each, in a tab that has not yet loaded
the browser code of the elements it shows (Streamlit loads most of them on first use), is reported beside the
median.

The same clock then times Streamlit alone (benchmarks/floor_app.py, served and clicked the same way): switching to a
page of text and to a page with one small data grid. Those are the floor under the app's clicks on this machine.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.live_server import CHROMIUM, CHROMIUM_ARGS, LiveServer

ROOT = Path(__file__).resolve().parents[1]
QUIET_MS = 250
FLOOR = {"floor_text": "Text", "floor_grid": "One grid"}  # the floor app's pages, by the name they are timed as

# Records, with the page's own clock, every pointer press, every change of the script-run state and every change
# of the page's content. The content matters because a quick run can start and finish within one render of the
# page, so that the run-state attribute never visibly leaves "notRunning": the page's new content is then the
# only sign that the click was answered.
_WATCH = """() => {
  if (window.__heroWatch) return;
  const w = window.__heroWatch = {states: [], changes: [], hidden: [], press: null};
  // The time after the next frame is painted: a requestAnimationFrame callback runs before the paint, a task
  // queued from it runs after.
  const painted = (list) => requestAnimationFrame(() => setTimeout(() => list.push(performance.now()), 0));
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    w.states.push([performance.now(), app.getAttribute('data-test-script-state')]);
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  const inCanvas = (node) => {
    const el = node.nodeType === 1 ? node : node.parentElement;
    return !!(el && el.closest('canvas'));
  };
  const main = document.querySelector('[data-testid="stMain"]') || app;
  new MutationObserver((records) => {
    const visible = records.some(m => !inCanvas(m.target));
    if (visible) { w.changes.push(performance.now()); painted(w.changes); }
    else { w.hidden.push(performance.now()); }
  }).observe(main, {childList: true, subtree: true, characterData: true});
  document.addEventListener('pointerdown', () => { w.press = performance.now(); }, true);
}"""
# True when, since the press, a run started or the content changed, the script is not running, and nothing has
# changed for QUIET_MS (so a run that ends in st.rerun is counted to its end).
_SETTLED = """(quiet) => {
  const w = window.__heroWatch;
  if (!w || w.press === null) return false;
  const states = w.states.filter(e => e[0] >= w.press);
  const changes = w.changes.filter(t => t >= w.press).concat(w.hidden.filter(t => t >= w.press));
  if (!states.some(e => e[1] === 'running') && !changes.length) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const last = Math.max(...states.map(e => e[0]), ...changes);
  return performance.now() - last >= quiet;
}"""
# Press to the painted frame of the last visible change (or run-state change), and to the last change including
# those inside canvases.
_ELAPSED = """() => {
  const w = window.__heroWatch;
  const states = w.states.filter(e => e[0] >= w.press).map(e => e[0]);
  const shown = Math.max(...states, ...w.changes.filter(t => t >= w.press));
  const all = Math.max(shown, ...w.hidden.filter(t => t >= w.press));
  const result = [shown - w.press, all - w.press];
  w.press = null;
  return result;
}"""


@dataclass
class BrowserResult:
    times_ms: dict[str, list[float]] = field(default_factory=dict)
    with_hidden_ms: dict[str, list[float]] = field(default_factory=dict)  # including changes inside canvases
    first_ms: dict[str, float] = field(default_factory=dict)  # each click's first time in its fresh tab
    errors: dict[str, str] = field(default_factory=dict)
    peak_rss_mb: float = float("nan")

    def median(self, name: str) -> float | None:
        values = self.times_ms.get(name)
        return statistics.median(values) if values else None

    def median_with_hidden(self, name: str) -> float | None:
        values = self.with_hidden_ms.get(name)
        return statistics.median(values) if values else None

    def add(self, name: str, measured: tuple[float, float]) -> None:
        self.first_ms.setdefault(name, measured[0])
        self.times_ms.setdefault(name, []).append(measured[0])
        self.with_hidden_ms.setdefault(name, []).append(measured[1])


def _settle(page, timeout_ms: int = 120_000) -> None:
    """Wait until the app is idle after a full page load."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)
    page.wait_for_timeout(QUIET_MS)
    page.evaluate(_WATCH)


def _timed_click(page, locator, timeout_ms: int = 120_000) -> tuple[float, float]:
    """(ms to the painted last visible change, ms to the last change including canvas contents)."""
    return _timed(page, locator.click, timeout_ms)


#: A data grid's header and each of its rows are 35 px high (Streamlit's default row height).
_GRID_ROW_PX = 35


def _timed_row_click(page, row: int, timeout_ms: int = 120_000) -> tuple[float, float]:
    """Click a data grid's row (0 = the first) on its row marker, as a person opens an idea from a table."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    box = grid.bounding_box()
    return _timed(page, lambda: page.mouse.click(box["x"] + 15, box["y"] + _GRID_ROW_PX * (row + 1.5)), timeout_ms)


def _timed(page, click, timeout_ms: int) -> tuple[float, float]:
    page.evaluate(_WATCH)
    click()
    page.wait_for_function(_SETTLED, arg=QUIET_MS, timeout=timeout_ms, polling=20)
    shown, everything = page.evaluate(_ELAPSED)
    return shown, everything


def _login(page, base: str, email: str, password: str) -> None:
    page.goto(base)
    page.wait_for_selector('[data-testid="stApp"]')
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator('[data-testid="stFormSubmitButton"] button').first.click()
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=120_000)
    _settle(page)


def _nav(page, title: str):
    return page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first


def run(database_url: str, *, accounts: dict[str, str], password: str, decide_ids: list[int],
        open_ids: list[int], repeats: int, log_dir: Path) -> BrowserResult:
    """The four interactions of the issue, `repeats` times each (medians reported)."""
    from playwright.sync_api import sync_playwright

    result = BrowserResult()
    server = LiveServer(database_url, log_dir / "streamlit-bench.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                _manager(browser, server.url, accounts["manager"], password, decide_ids, repeats, result)
                _executive(browser, server.url, accounts["executive"], password, repeats, result)
                _frontline(browser, server.url, accounts["frontline"], password, open_ids, repeats, result)
                result.peak_rss_mb = server.peak_rss_mb()
                server.stop()
                _attempt(result, "floor", lambda: _floor(browser, log_dir, repeats, result))
            finally:
                browser.close()
    finally:
        server.stop()
    return result


def _floor(browser, log_dir: Path, repeats: int, result: BrowserResult) -> None:
    """Streamlit alone: from the floor app's start page to each of its other pages, `repeats` times."""
    server = LiveServer("sqlite://", log_dir / "streamlit-floor.log", script="benchmarks/floor_app.py")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(120_000)
    try:
        page = context.new_page()
        page.goto(server.url)
        page.wait_for_selector('[data-testid="stSidebarNav"]')
        _settle(page)
        for _ in range(repeats):
            for name, title in FLOOR.items():
                result.add(name, _timed_click(page, _nav(page, title)))
                page.get_by_role("heading", name=title).wait_for()
                _timed_click(page, _nav(page, "Start"))
                page.get_by_role("heading", name="Start").wait_for()
    finally:
        context.close()
        server.stop()


def _attempt(result: BrowserResult, name: str, action) -> None:
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - the table says what went wrong instead of crashing the bench
        result.errors[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"


def _manager(browser, base, email, password, decide_ids, repeats, result) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(120_000)  # a loaded machine is slow to serve the first page; that is not timed
    page = context.new_page()
    try:
        _login(page, base, email, password)

        def review_queue() -> None:
            for k in range(repeats):
                # The log-in lands on Home. Clicking the page already open may rerun it with nothing to show for
                # it (a quick run can start and end within one render), and the click's settle condition would
                # then wait for a change that never comes: seen once as a 120 s timeout in the smoke test.
                if k:
                    _timed_click(page, _nav(page, "Home"))
                    page.get_by_role("heading", name="Review queue").wait_for(state="detached")
                result.add("review_queue", _timed_click(page, _nav(page, "Review queue")))
                page.get_by_role("heading", name="Review queue").wait_for()

        def deciding() -> None:
            for idea_id in decide_ids[:repeats]:
                page.goto(f"{base}/idea?id={idea_id}")
                _settle(page)
                button = page.get_by_role("button", name="Approve", exact=True)
                result.add("decide", _timed_click(page, button))
                page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="approved").wait_for()

        _attempt(result, "review_queue", review_queue)
        _attempt(result, "decide", deciding)
    finally:
        context.close()


def _executive(browser, base, email, password, repeats, result) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(120_000)  # a loaded machine is slow to serve the first page; that is not timed
    page = context.new_page()
    try:
        _login(page, base, email, password)

        def impact_filter() -> None:
            page.goto(f"{base}/impact")
            _settle(page)
            choices = ("Last 12 months", "All time")
            for k in range(repeats):
                page.locator('[data-testid="stSelectbox"]').filter(has_text="Period").first.click()
                option = page.get_by_role("option", name=choices[k % 2], exact=True)
                result.add("impact_filter", _timed_click(page, option))

        _attempt(result, "impact_filter", impact_filter)
    finally:
        context.close()


def _frontline(browser, base, email, password, open_ids, repeats, result) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(120_000)  # a loaded machine is slow to serve the first page; that is not timed
    page = context.new_page()
    try:
        _login(page, base, email, password)

        def open_idea() -> None:
            for k, _ in enumerate(open_ids[:repeats]):
                # Back to Browse ideas the way a person goes back, by its link, not by reloading the tab: a reload
                # throws away the browser code the idea page needs (its comment box and figures are loaded on
                # first use, 75-125 ms), which a person working in a tab loads once. That first open in a fresh
                # tab is reported beside the median. An idea opens by a click on its row of the table.
                _timed_click(page, _nav(page, "Browse ideas"))
                page.get_by_role("heading", name="Browse ideas").wait_for()
                _settle(page)
                result.add("open_idea", _timed_row_click(page, k % 5))
                page.get_by_role("heading").filter(has_text=re.compile(r"^#\d+ ·")).first.wait_for()

        _attempt(result, "open_idea", open_idea)
    finally:
        context.close()
