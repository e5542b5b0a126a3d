"""Server-side run time of every page (AppTest), for a user of the right role, on the database HERO_DATABASE_URL.

Run as its own process by benchmarks.run (`python -m benchmarks.pages --runs N`), so that its peak RSS is the
memory one app server process needs to serve every page of this database; prints one JSON object.
Each page is opened once (a person arriving), then rerun N times (a person working on it: every widget
interaction reruns the whole page). Both are reported; the target is on the reruns' median. A one-off build a page
starts in the background (the similarity index) is waited for before the reruns are timed.

With `--first-after-start PAGE` it times only that page's first run in this fresh process (a server just started:
Home first, as a person arrives, then the page), and prints {"page": ..., "first_ms": ...}: the read models
another process built for the same data (hero_core.cache's snapshots) are all it may reuse.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Which seeded account opens a page that everyone may use, and who is tried next for a restricted page.
ROLE_ORDER = ("frontline", "manager", "it_champion", "executive", "admin")
TIMEOUT_S = 900  # AppTest's limit for one run: a first run at 100k ideas can take minutes on a loaded machine


def peak_rss_mb() -> float:
    """The process's high-water resident set size (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def settle_background_builds() -> None:
    """Wait for a one-off build a page started in the background (the Propose page starts the similarity index
    for duplicate suggestions: several seconds at 100k ideas, timed on its own as the suggestions' "first"), so
    that it is not counted in the reruns of this page and the next ones on a 2-core machine."""
    from hero_core.services.duplicates import WARM_THREAD

    for thread in threading.enumerate():
        if thread.name == WARM_THREAD:
            thread.join()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--idea-id", type=int, default=None, help="the idea the Idea page shows")
    parser.add_argument("--first-after-start", default=None, metavar="PAGE",
                        help="time only this page's first run in this fresh process")
    args = parser.parse_args(argv)
    if args.first_after_start:
        first_after_start(args.first_after_start)
        return
    if args.idea_id is None:
        parser.error("--idea-id is needed to time every page")

    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from hero_app import ui
    from hero_app.navigation import PAGES, may_open
    from hero_core.db import Database
    from hero_core.seed import SEED_ACCOUNTS
    from hero_core.services import people, sessions

    db = Database()
    ids = {role: people.user_id_for(db, email) for role, email in SEED_ACCOUNTS.items()}
    actors = {role: people.get_actor(db, uid) for role, uid in ids.items()}
    results: dict[str, dict] = {}
    for spec in PAGES:
        role = next((r for r in ROLE_ORDER if may_open(actors[r], spec)), None)
        if role is None:
            results[spec.url_path] = {"title": spec.title, "role": None, "error": "no seeded role may open it"}
            continue
        try:
            at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT_S)
            at.session_state[ui.TOKEN_KEY] = sessions.create(db, user_id=ids[role])
            at.run()
            if spec.url_path != "home":
                if spec.url_path == "idea":
                    at.query_params["id"] = str(args.idea_id)
                at.switch_page(spec.file)
            began = time.perf_counter()
            at.run()
            first = time.perf_counter() - began
            settle_background_builds()
            problems = [e.value for e in at.exception] + [e.value for e in at.error if ui.UNEXPECTED in e.value]
            times = []
            for _ in range(args.runs):
                began = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - began)
        except Exception as exc:  # noqa: BLE001 - one page's failure (e.g. AppTest's timeout) is its row's note
            results[spec.url_path] = {"title": spec.title, "role": role,
                                      "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"}
            print(json.dumps({"progress": spec.url_path, "error": results[spec.url_path]["error"]}),
                  file=sys.stderr, flush=True)
            continue
        results[spec.url_path] = {
            "title": spec.title, "role": role, "first_ms": first * 1000,
            "median_ms": statistics.median(times) * 1000, "p95_ms": percentile(times, 0.95) * 1000,
            "runs": len(times), "error": "; ".join(str(p)[:200] for p in problems) or None,
        }
        print(json.dumps({"progress": spec.url_path, **results[spec.url_path]}), file=sys.stderr, flush=True)
    print(json.dumps({"pages": results, "peak_rss_mb": peak_rss_mb()}))


def first_after_start(page: str) -> None:
    """The first run of `page` in this process, for the first seeded role that may open it, after Home."""
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from hero_app import ui
    from hero_app.navigation import PAGES, may_open
    from hero_core.db import Database
    from hero_core.seed import SEED_ACCOUNTS
    from hero_core.services import people, sessions

    db = Database()
    spec = next(p for p in PAGES if p.url_path == page)
    ids = {role: people.user_id_for(db, email) for role, email in SEED_ACCOUNTS.items()}
    role = next(r for r in ROLE_ORDER if may_open(people.get_actor(db, ids[r]), spec))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT_S)
    at.session_state[ui.TOKEN_KEY] = sessions.create(db, user_id=ids[role])
    at.run()
    at.switch_page(spec.file)
    began = time.perf_counter()
    at.run()
    first = time.perf_counter() - began
    problems = [e.value for e in at.exception]
    print(json.dumps({"page": page, "role": role, "first_ms": first * 1000,
                      "error": "; ".join(str(p)[:200] for p in problems) or None}))


if __name__ == "__main__":
    main()
