"""`make bench`: one table of the truth about speed at scale, printed and written to docs/performance.md.

    python -m benchmarks.run                      # 1k, 10k, 100k ideas (2M observations at the top)
    python -m benchmarks.run --sizes 1000,10000   # some sizes only
    python -m benchmarks.run --quick              # the smoke run `make test` does: 1k ideas, few repeats
    HERO_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres python -m benchmarks.run

Each size gets its own database, filled by `hero seed` (timed). On it: every page's server-side run time
(AppTest, in a separate process whose peak RSS is reported), four clicks in headless Chromium against a real
`streamlit run` server (whose peak RSS is reported too), the impact estimator for one idea and a portfolio of
1,000 launched ideas, and duplicate suggestions while typing. Once per run: a 1M-row metrics import beside a
bare executemany of the same rows. With HERO_DATABASE_URL naming PostgreSQL, the databases are created on
that server (and dropped afterwards), and the bare baseline is psycopg's executemany.
Targets come from the issue; a missed target stays in the table as missed, with its measured reason.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (1_000, 10_000, 100_000)
TOP_OBSERVATIONS = 2_000_000
DAYS = 1_250  # observations per team and metric at every size (3.4 years of daily data)
IMPORT_ROWS, QUICK_IMPORT_ROWS = 1_000_000, 20_000
IMPORT_ROUNDS = 3  # import and bare insert, alternating; medians compared
PORTFOLIO, QUICK_PORTFOLIO = 1_000, 100

PAGE_TARGET_MS, PAGE_RATIO = 150.0, 2.0
#: Pages whose first run after a server start has a target of its own (issue 20): they show read models over
#: the whole company.
FIRST_AFTER_START = ("heroes", "scorecard", "impact")
FIRST_AFTER_START_MS = 500.0
CLICK_TARGET_MS = 200.0
IMPORT_RATIO = 2.0
IMPACT_ONE_MS, PORTFOLIO_S = 50.0, 5.0
DUPLICATES_MS = 50.0
RSS_MB = 400.0
SEED_S = 120.0

CLICKS = {
    "review_queue": "opening the review queue (manager)",
    "decide": "deciding an idea: Approve (manager)",
    "impact_filter": "filtering the impact page: Period (executive)",
    "open_idea": "opening an idea from Browse ideas (frontline)",
}
TYPING = ("Customers ring again because the direct debit form asks for the account number twice and the bank "
          "rejects the mandate when the sort code has a typo")


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def observations_for(size: int, top: int) -> int:
    """2M at 100k ideas; smaller sizes keep the same 1,250 days of history for their (fewer) teams."""
    from hero_core.seed import METRIC_SHAPE, default_teams

    return TOP_OBSERVATIONS if size >= 100_000 else default_teams(size) * len(METRIC_SHAPE) * DAYS


# ---- databases -----------------------------------------------------------------------------------------------


class Backend:
    """Where the benchmark's databases live: SQLite files in a work folder, or databases on a PostgreSQL server."""

    def __init__(self, base_url: str | None, work: Path, reuse: bool):
        from sqlalchemy.engine import make_url

        self.work = work
        self.reuse = reuse
        self.base = make_url(base_url) if base_url else None
        self.kind = "postgresql" if self.base is not None and self.base.get_backend_name() == "postgresql" else "sqlite"
        self.created: list[str] = []

    def _admin(self):
        from sqlalchemy import create_engine

        return create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def _pg_exec(self, *statements: str) -> None:
        from sqlalchemy import text

        engine = self._admin()
        with engine.connect() as conn:
            for sql in statements:
                conn.execute(text(sql))
        engine.dispose()

    def url(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.work / (name + '.db')}"
        return self.base.set(database=name).render_as_string(hide_password=False)

    def fresh(self, name: str) -> str:
        """An empty database called `name` (dropped first if it exists), with no read-model snapshot kept from an
        earlier run (hero_core/infra/snapshots.py): a page's "first" is then the build after a change, and the
        first run after a server start is timed on the snapshots this run makes."""
        self.forget_snapshots(name)
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                (self.work / f"{name}.db{suffix}").unlink(missing_ok=True)
        else:
            self._pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
            self.created.append(name)
        return self.url(name)

    def exists(self, name: str) -> bool:
        if self.kind == "sqlite":
            return (self.work / f"{name}.db").exists()
        from sqlalchemy import text

        engine = self._admin()
        with engine.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        engine.dispose()
        return found is not None

    def forget_snapshots(self, name: str) -> None:
        from hero_core.infra import snapshots

        store = snapshots.store_path(self.url(name))
        if store is not None:
            for suffix in ("", "-wal", "-shm"):
                store.with_name(store.name + suffix).unlink(missing_ok=True)

    def copy(self, template: str, name: str) -> str:
        self.forget_snapshots(name)
        if self.kind == "sqlite":
            fresh = self.fresh(name)
            shutil.copy(self.work / f"{template}.db", self.work / f"{name}.db")
            return fresh
        self._pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                      f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.created.append(name)
        return self.url(name)

    def checkpoint(self, url: str) -> None:
        """SQLite: everything in the main file, so a plain copy is whole."""
        if self.kind == "sqlite":
            path = url.removeprefix("sqlite:///")
            with contextlib.closing(sqlite3.connect(path)) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def cleanup(self, keep: set[str]) -> None:
        if self.kind == "postgresql":
            for name in self.created:
                if name not in keep:
                    self._pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed_fingerprint() -> str:
    """Changes when the seed generator or the schema changes (a reused seeded database must match both)."""
    digest = hashlib.sha256((ROOT / "hero_core" / "seed.py").read_bytes())
    for path in sorted((ROOT / "hero_core" / "migrations" / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def seeded_database(backend: Backend, size: int, observations: int) -> tuple[str, float | None, str]:
    """A database seeded with `size` ideas: (url, seconds the seed took or None when reused, note)."""
    from hero_core import seed
    from hero_core.db import Database, migrate

    name = f"hero_bench_{backend.kind}_{size}"
    template = f"hero_bench_seed_{size}_{observations}_{_seed_fingerprint()}"
    if backend.reuse and backend.exists(template):
        log(f"reusing the seeded database {template}")
        return backend.copy(template, name), None, "seeded earlier (--reuse)"
    url = backend.fresh(template if backend.reuse else name)
    db = Database(url)
    migrate(db)
    log(f"seeding {size:,} ideas and {observations:,} observations")
    summary = seed.seed(db, ideas=size, observations=observations, progress=lambda m: log(f"  seed {m}"))
    db.dispose()
    log(summary.text())
    if backend.reuse:
        backend.checkpoint(url)
        return backend.copy(template, name), summary.seconds, ""
    return url, summary.seconds, ""


# ---- measurements ----------------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    size: int
    observations: int
    seed_s: float | None = None
    seed_note: str = ""
    pages: dict[str, dict] = field(default_factory=dict)
    pages_rss_mb: float | None = None
    pages_error: str = ""
    first_after_start: dict[str, float | None] = field(default_factory=dict)  # page -> ms, in a fresh process
    first_after_start_error: str = ""
    impact_one_ms: float | None = None
    portfolio_s: float | None = None
    portfolio_n: int = 0
    impact_error: str = ""
    duplicates_ms: float | None = None
    duplicates_p95_ms: float | None = None
    duplicates_first_s: float | None = None
    duplicates_error: str = ""
    clicks: dict[str, float | None] = field(default_factory=dict)
    clicks_with_hidden: dict[str, float | None] = field(default_factory=dict)
    clicks_first: dict[str, float | None] = field(default_factory=dict)
    click_errors: dict[str, str] = field(default_factory=dict)
    floor: dict[str, float | None] = field(default_factory=dict)  # Streamlit alone (benchmarks/floor_app.py)
    server_rss_mb: float | None = None


def _timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        out.append(time.perf_counter() - began)
    return out


def measure_first_after_start(url: str, result: SizeResult) -> None:
    """Each FIRST_AFTER_START page's first run in a process of its own (a server just started), after
    measure_pages has visited every page once on the same data."""
    env = {**os.environ, "HERO_DATABASE_URL": url}
    for page in FIRST_AFTER_START:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.pages", "--first-after-start", page],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600, check=False)
        if proc.returncode != 0:
            result.first_after_start[page] = None
            result.first_after_start_error = (proc.stderr.strip().splitlines() or ["failed"])[-1][:200]
            continue
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        result.first_after_start[page] = data["first_ms"]
        if data.get("error"):
            result.first_after_start_error = f"{page}: {data['error']}"


def measure_pages(url: str, runs: int, idea_id: int, result: SizeResult) -> None:
    env = {**os.environ, "HERO_DATABASE_URL": url}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.pages", "--runs", str(runs), "--idea-id", str(idea_id)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600, check=False)
    if proc.returncode != 0:
        result.pages_error = (proc.stderr.strip().splitlines() or ["failed"])[-1][:200]
        return
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    result.pages = data["pages"]
    result.pages_rss_mb = data["peak_rss_mb"]


def measure_impact(db, executive: int, repeats: int, result: SizeResult, portfolio: int = PORTFOLIO) -> None:
    from sqlalchemy import func, select

    from hero_core.models import Idea, IdeaPilotTeam
    from hero_core.services.impact_reads import estimate_impact, estimate_portfolio

    try:
        with db.read() as s:
            launched = list(s.execute(
                select(Idea.id).where(Idea.state.in_(("piloting", "scaling", "scaled")), Idea.launch_date.is_not(None))
                .order_by(Idea.id).limit(portfolio)).scalars())
            one = s.execute(
                select(Idea.id).join(IdeaPilotTeam, IdeaPilotTeam.idea_id == Idea.id)
                .where(Idea.state == "scaled").group_by(Idea.id).order_by(func.count().desc(), Idea.id).limit(1)
            ).scalar()
        estimate_impact(db, idea_id=one, actor_id=executive)  # warm: imports, statsmodels, plans
        result.impact_one_ms = statistics.median(
            _timed(lambda: estimate_impact(db, idea_id=one, actor_id=executive), repeats)) * 1000
        result.portfolio_n = len(launched)
        result.portfolio_s = min(
            _timed(lambda: estimate_portfolio(db, actor_id=executive, idea_ids=launched), max(1, repeats // 3)))
    except Exception as exc:  # noqa: BLE001
        result.impact_error = f"{type(exc).__name__}: {exc}"[:200]


def measure_duplicates(db, result: SizeResult) -> None:
    try:
        from hero_core.services import duplicates
    except ImportError as exc:
        result.duplicates_error = f"the duplicate-suggestion service is not there yet ({exc})"
        return
    try:
        words = TYPING.split()
        prefixes = [" ".join(words[:k]) for k in range(3, len(words) + 1)]
        began = time.perf_counter()
        duplicates.suggest_similar(db, prefixes[0])
        result.duplicates_first_s = time.perf_counter() - began
        times = []
        for text in prefixes:
            began = time.perf_counter()
            duplicates.suggest_similar(db, text)
            times.append(time.perf_counter() - began)
        result.duplicates_ms = statistics.median(times) * 1000
        result.duplicates_p95_ms = sorted(times)[round(0.95 * (len(times) - 1))] * 1000
    except Exception as exc:  # noqa: BLE001
        result.duplicates_error = f"{type(exc).__name__}: {exc}"[:200]


def prepare_clicks(db, ids: dict[str, int], count: int) -> tuple[list[int], list[int]]:
    """Ideas the manager can approve (made through the services: submitted, in review, assessed low risk),
    and ideas the frontline person sees on the first page of Browse ideas."""
    from hero_core import risk
    from hero_core.services import ideas

    decide = []
    for k in range(count):
        idea_id = ideas.create_idea(db, actor_id=ids["frontline"], submit=True, data=ideas.IdeaInput(
            title=f"Benchmark idea {k + 1}: a checklist for the returns desk",
            roadblock="Customers returning a router wait while we look for the returns address and the label.",
            proposal="Keep a one-page checklist with the returns address and a pre-printed label at the desk.",
            touchpoint="face_to_face", category="other"))
        ideas.start_review(db, actor_id=ids["manager"], idea_id=idea_id)
        ideas.assess_risk(db, actor_id=ids["manager"], idea_id=idea_id, assessment=ideas.AssessmentInput(
            ratings=[risk.Rating(c, 1, 2, "") for c in risk.CATEGORIES],
            effort_value=risk.EffortValue(needs_it=False, needs_legal=False, budget="none", people_systems_touched=2,
                                          customers_reached="one_team", expected_change="small",
                                          strategic_fit="some")))
        decide.append(idea_id)
    rows, _ = ideas.list_ideas(db, actor_id=ids["frontline"], page_size=25)
    others = [r.id for r in rows if r.id not in decide]
    return decide, (others * 3)[:count]


def measure_clicks(url: str, repeats: int, work: Path, result: SizeResult) -> None:
    from benchmarks import browser
    from hero_core.db import Database
    from hero_core.seed import SEED_ACCOUNTS, SEED_PASSWORD
    from hero_core.services import people

    db = Database(url)
    try:
        ids = {role: people.user_id_for(db, email) for role, email in SEED_ACCOUNTS.items()}
        decide, open_ids = prepare_clicks(db, ids, repeats)
    finally:
        db.dispose()
    if not Path(browser.CHROMIUM).exists():
        result.click_errors = dict.fromkeys(CLICKS, f"{browser.CHROMIUM} is missing")
        return
    outcome = browser.run(url, accounts=SEED_ACCOUNTS, password=SEED_PASSWORD, decide_ids=decide,
                          open_ids=open_ids, repeats=repeats, log_dir=work)
    result.clicks = {k: outcome.median(k) for k in CLICKS}
    result.clicks_with_hidden = {k: outcome.median_with_hidden(k) for k in CLICKS}
    result.clicks_first = {k: outcome.first_ms.get(k) for k in CLICKS}
    result.click_errors = dict(outcome.errors)
    result.floor = {k: outcome.median(k) for k in browser.FLOOR}
    result.server_rss_mb = outcome.peak_rss_mb


def measure_size(backend: Backend, size: int, observations: int, *, quick: bool, browser_on: bool,
                 runs: int | None = None, clicks: int | None = None) -> SizeResult:
    from sqlalchemy import select

    from hero_core.db import Database
    from hero_core.models import Idea
    from hero_core.seed import SEED_ACCOUNTS
    from hero_core.services import people

    result = SizeResult(size, observations)
    sample_load()
    url, result.seed_s, result.seed_note = seeded_database(backend, size, observations)
    db = Database(url)
    try:
        ids = {role: people.user_id_for(db, email) for role, email in SEED_ACCOUNTS.items()}
        with db.read() as s:
            idea_id = s.execute(select(Idea.id).where(Idea.submitter_id == ids["frontline"])
                                .order_by(Idea.version.desc(), Idea.id).limit(1)).scalar()
        log(f"{size:,}: pages (AppTest)")
        measure_pages(url, runs or (1 if quick else 20), idea_id, result)
        log(f"{size:,}: first runs after a server start")
        measure_first_after_start(url, result)
        sample_load()
        log(f"{size:,}: impact")
        measure_impact(db, ids["executive"], 1 if quick else 10, result, QUICK_PORTFOLIO if quick else PORTFOLIO)
        log(f"{size:,}: duplicate suggestions")
        measure_duplicates(db, result)
    finally:
        db.dispose()
    if browser_on:
        sample_load()
        log(f"{size:,}: browser clicks")
        try:
            measure_clicks(url, clicks or (1 if quick else 10), backend.work, result)
        except Exception as exc:  # noqa: BLE001
            result.click_errors = {k: f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}" for k in CLICKS}
    return result


@dataclass
class ImportResult:
    rows: int
    import_s: float | None = None  # median of the rounds
    bare_s: float | None = None
    baseline: str = "sqlite3.executemany"
    rounds: list[tuple[float, float]] = field(default_factory=list)  # (import, bare) seconds of each round
    error: str = ""


def measure_import(backend: Backend, rows: int, rounds: int = IMPORT_ROUNDS) -> ImportResult:
    """`import_metrics` of a CSV (validate + store) beside a bare executemany of the same rows into the same table,
    each into a fresh database of its own, alternating, `rounds` times; the medians are compared. One round each
    swung the ratio between 1.2x and 2.1x on the benchmark machine, with the bare insert alone between 2.5 and 4.6 s
    (the disk of a shared 2-core machine)."""
    from hero_core import seed
    from hero_core.db import Database, migrate
    from hero_core.models import Metric, Team
    from hero_core.services import metrics_io

    result = ImportResult(rows, baseline="psycopg executemany" if backend.kind == "postgresql" else
                          "sqlite3.executemany")

    def fresh(name: str) -> str:
        url = backend.fresh(name)
        db = Database(url)
        migrate(db)
        seed.seed(db, ideas=0, observations=0, teams=100)
        db.dispose()
        return url

    try:
        url = fresh("hero_bench_import_app")
        db = Database(url)
        from sqlalchemy import select

        with db.read() as s:
            metrics = list(s.execute(select(Metric.code, Metric.id, Metric.min_value, Metric.max_value)
                                     .order_by(Metric.code)))
            team_rows = list(s.execute(select(Team.code, Team.id).where(Team.code != "HQ").order_by(Team.code)))
        db.dispose()
        days = -(-rows // (len(metrics) * len(team_rows)))
        start = date(2022, 1, 1)
        csv_path = backend.work / "metrics-import.csv"
        tuples = []
        with csv_path.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["metric", "team", "date", "value", "sample_size"])
            n = 0
            for code, metric_id, lo, hi in metrics:
                value = max(lo or 0.0, min(hi if hi is not None else 1e9, 0.5 if (hi or 2) <= 1 else 3.0))
                for team_code, team_id in team_rows:
                    for d in range(days):
                        if n >= rows:
                            break
                        day = (start + timedelta(days=d)).isoformat()
                        writer.writerow([code, team_code, day, value, 50])
                        tuples.append((metric_id, team_id, day, value, 50))
                        n += 1
        # Warm, as the impact measurement is: the validator's library and checks are loaded by the first file a
        # process validates (hero_core.services.metrics_io), about 0.3 s once per app server, not a cost of rows.
        metrics_io.load_validator()

        for k in range(rounds):
            if k:
                url = fresh("hero_bench_import_app")
            log(f"import: {len(tuples):,} rows through import_metrics (round {k + 1} of {rounds})")
            db = Database(url)
            began = time.perf_counter()
            metrics_io.import_metrics(db, source=csv_path, actor_id=None)
            app_s = time.perf_counter() - began
            db.dispose()
            log("import: the same rows through a bare executemany")
            bare_url = fresh("hero_bench_import_bare")
            result.rounds.append((app_s, _bare_insert(backend, bare_url, tuples)))
        result.import_s = statistics.median(a for a, _ in result.rounds)
        result.bare_s = statistics.median(b for _, b in result.rounds)
    except Exception as exc:  # noqa: BLE001
        result.error = f"{type(exc).__name__}: {exc}"[:200]
    return result


def _bare_insert(backend: Backend, url: str, tuples: list[tuple]) -> float:
    """Seconds to insert and commit the rows with the driver's plain executemany."""
    if backend.kind == "sqlite":
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        began = time.perf_counter()
        conn.executemany(
            "INSERT INTO observations (metric_id, team_id, day, value, sample_size) VALUES (?, ?, ?, ?, ?)", tuples)
        conn.commit()
        took = time.perf_counter() - began
        conn.close()
        return took
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        began = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO observations (metric_id, team_id, day, value, sample_size) "
                            "VALUES (%s, %s, %s, %s, %s)", tuples)
        conn.commit()
        return time.perf_counter() - began


# ---- the table ---------------------------------------------------------------------------------------------------


@dataclass
class Row:
    measurement: str
    cells: dict[int, str]
    ratio: str
    target: str
    met: bool | None
    note: str = ""

    reference: bool = False  # a measurement with no target of its own, shown to explain others

    def verdict(self) -> str:
        if self.reference:
            return "reference"
        return {True: "met", False: "**missed**", None: "not measured"}[self.met]


def _ms(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}" if x >= 10 else f"{x:.1f}"


def _import_note(imported: ImportResult) -> str:
    each = ", ".join(f"{a:.2f} / {b:.2f} s" for a, b in imported.rounds)
    return (f"median of {len(imported.rounds)} rounds, each into fresh databases of 100 teams (import / bare: {each})"
            if len(imported.rounds) > 1 else "measured once, in its own database of 100 teams")


def build_rows(results: list[SizeResult], imported: ImportResult | None) -> list[Row]:
    sizes = [r.size for r in results]
    top, bottom = results[-1], results[0]
    rows: list[Row] = []

    seeds = {r.size: ("—" if r.seed_s is None else f"{r.seed_s:,.1f} s") + (f" ({r.seed_note})" if r.seed_note else "")
             for r in results}
    rows.append(Row(f"hero seed (ideas + {top.observations:,} observations at the top)", seeds, "",
                    f"≤ {SEED_S:.0f} s", None if top.seed_s is None else top.seed_s <= SEED_S,
                    "" if top.seed_s is not None else "reused a seeded database"))

    page_names = list(top.pages) or list(bottom.pages)
    if not page_names:
        rows.append(Row("every page (AppTest)", {}, "", f"median ≤ {PAGE_TARGET_MS:.0f} ms", None,
                        top.pages_error or "no page result"))
    for name in page_names:
        info = top.pages.get(name) or bottom.pages.get(name, {})
        cells = {}
        for r in results:
            p = r.pages.get(name)
            cells[r.size] = "—" if not p or "median_ms" not in p else (
                f"{_ms(p['median_ms'])} / {_ms(p['p95_ms'])} (first {_ms(p['first_ms'])})")
        top_median = info.get("median_ms")
        low_median = bottom.pages.get(name, {}).get("median_ms")
        ratio = top_median / low_median if top_median and low_median and len(results) > 1 else None
        met = None if top_median is None else (top_median <= PAGE_TARGET_MS and (ratio is None or ratio <= PAGE_RATIO))
        errors = "; ".join([f"{r.size:,}: {r.pages[name]['error']}" for r in results
                            if r.pages.get(name, {}).get("error")]
                           + [f"{r.size:,}: not measured ({r.pages_error})" for r in results if r.pages_error])
        rows.append(Row(f"page {info.get('title', name)} ({info.get('role') or '-'}): median / p95 ms",
                        cells, "—" if ratio is None else f"{ratio:.2f}×",
                        f"median ≤ {PAGE_TARGET_MS:.0f} ms and ≤ {PAGE_RATIO:.0f}× the smallest size", met, errors))

    if any(r.first_after_start for r in results):
        titles = {"heroes": "Hall of HEROs", "scorecard": "Compact scorecard", "impact": "Impact"}
        cells = {r.size: " / ".join(_ms(r.first_after_start.get(p)) for p in FIRST_AFTER_START) for r in results}
        values = [top.first_after_start.get(p) for p in FIRST_AFTER_START]
        rows.append(Row("first run after a server start: " + " / ".join(titles[p] for p in FIRST_AFTER_START)
                        + ", ms", cells, "", f"each ≤ {FIRST_AFTER_START_MS:.0f} ms",
                        None if None in values else max(values) <= FIRST_AFTER_START_MS,
                        "; ".join(f"{r.size:,}: {r.first_after_start_error}" for r in results
                                  if r.first_after_start_error)
                        or "each in a fresh process, Home first; the data unchanged since any server last showed "
                           "the page (its read model is then kept: hero_core.cache)"))

    for key, label in CLICKS.items():
        cells = {r.size: _ms(r.clicks.get(key)) for r in results}
        value = top.clicks.get(key)
        note = "; ".join(f"{r.size:,}: {r.click_errors[key]}" for r in results if key in r.click_errors)
        hidden = [f"{_ms(r.clicks_with_hidden.get(key))}" for r in results if r.clicks_with_hidden.get(key)]
        if hidden and any(r.clicks_with_hidden.get(key) != r.clicks.get(key) for r in results):
            note = "; ".join(filter(None, [note, "with the data grids' screen-reader copy: " + " / ".join(hidden)]))
        first = [_ms(r.clicks_first.get(key)) for r in results if r.clicks_first.get(key) is not None]
        if first:
            note = "; ".join(filter(None, [note, "first in a fresh tab: " + " / ".join(first)]))
        rows.append(Row(f"click → updated page: {label}, median ms", cells, "", f"≤ {CLICK_TARGET_MS:.0f} ms",
                        None if value is None else value <= CLICK_TARGET_MS, note))
    if any(r.floor or "floor" in r.click_errors for r in results):
        rows.append(Row("click floor: Streamlit alone (benchmarks/floor_app.py, same server settings and browser), "
                        "switching to a page of text / to a page with one 20-row data grid, median ms",
                        {r.size: f"{_ms(r.floor.get('floor_text'))} / {_ms(r.floor.get('floor_grid'))}"
                         for r in results}, "", "—", None,
                        "; ".join(f"{r.size:,}: {r.click_errors['floor']}" for r in results
                                  if "floor" in r.click_errors)
                        or "the least a click takes on this machine, whatever the app does", reference=True))

    if imported is not None:
        ratio = imported.import_s / imported.bare_s if imported.import_s and imported.bare_s else None
        cell = "—" if ratio is None else f"{imported.import_s:.2f} s vs {imported.bare_s:.2f} s"
        rows.append(Row(f"metrics import of {imported.rows:,} rows (validate + store) vs bare {imported.baseline}",
                        {top.size: cell}, "—" if ratio is None else f"{ratio:.2f}×", f"≤ {IMPORT_RATIO:.0f}× bare",
                        None if ratio is None else ratio <= IMPORT_RATIO,
                        imported.error or _import_note(imported)))

    rows.append(Row("impact estimate, one idea (median ms)", {r.size: _ms(r.impact_one_ms) for r in results}, "",
                    f"≤ {IMPACT_ONE_MS:.0f} ms",
                    None if top.impact_one_ms is None else top.impact_one_ms <= IMPACT_ONE_MS,
                    top.impact_error))
    rows.append(Row(f"impact estimate, portfolio of up to {PORTFOLIO:,} launched ideas (s)",
                    {r.size: "—" if r.portfolio_s is None else f"{r.portfolio_s:.2f} s ({r.portfolio_n:,} ideas)"
                     for r in results}, "", f"≤ {PORTFOLIO_S:.0f} s for {PORTFOLIO:,}",
                    None if top.portfolio_s is None else (top.portfolio_s <= PORTFOLIO_S),
                    "" if top.portfolio_n >= PORTFOLIO or top.portfolio_s is None else
                    f"only {top.portfolio_n} launched ideas at the top size"))
    rows.append(Row("duplicate suggestions while typing: median / p95 ms per keystroke",
                    {r.size: "—" if r.duplicates_ms is None else
                     f"{_ms(r.duplicates_ms)} / {_ms(r.duplicates_p95_ms)} (first {r.duplicates_first_s:.1f} s)"
                     for r in results}, "", f"median ≤ {DUPLICATES_MS:.0f} ms",
                    None if top.duplicates_ms is None else top.duplicates_ms <= DUPLICATES_MS,
                    top.duplicates_error or "first = the first suggestion in a fresh process, which builds the index"))

    def peak(r: SizeResult) -> float | None:
        values = [v for v in (r.pages_rss_mb, r.server_rss_mb) if v is not None and v == v]
        return max(values) if values else None

    rows.append(Row("peak RSS of the app server process, MB (AppTest process / streamlit server)",
                    {r.size: f"{_ms(r.pages_rss_mb)} / {_ms(r.server_rss_mb)}" for r in results}, "",
                    f"≤ {RSS_MB:.0f} MB", None if peak(top) is None else peak(top) <= RSS_MB))
    del sizes
    return rows


def render(rows: list[Row], results: list[SizeResult]) -> str:
    sizes = [r.size for r in results]
    head = ["measurement"] + [f"{s:,} ideas" for s in sizes] + [f"{sizes[-1] // 1000}k/{sizes[0] // 1000}k"
                                                                 if len(sizes) > 1 else "ratio", "target", "result",
                                                                 "note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [row.measurement] + [row.cells.get(s, "") for s in sizes] + [row.ratio, row.target, row.verdict(),
                                                                              row.note]
        lines.append("| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {mem:,} MB RAM, Python {platform.python_version()}"


LOAD_SEEN: list[float] = []  # 1-minute load averages sampled during the run (other work competing for the CPU)


def sample_load() -> None:
    LOAD_SEEN.append(os.getloadavg()[0])


def document(table: str, *, backend: str, sizes: list[int], quick: bool, seconds: float) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip() or "unknown"
    return f"""# Performance at scale

Generated by `make bench` (`python -m benchmarks.run{' --quick' if quick else ''}`)
on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}, database **{backend}**,
sizes {', '.join(f'{s:,}' for s in sizes)} ideas; the whole run took {seconds / 60:.1f} minutes on {machine()}.
Load average (1 min) sampled during the run: {', '.join(f'{x:.1f}' for x in LOAD_SEEN) or 'not sampled'}. On
{os.cpu_count()} cores, a load above {os.cpu_count()} means other processes competed for the CPU and every time
below is inflated by roughly load / cores.

Why the code is written as it is, and the measurements behind those choices (each true of its date, not
regenerated): [measurements.md](measurements.md).

{table}

How to read it:

- **First run after a server start**: the same clock on the first run of the Hall of HEROs, the compact
  scorecard and the Impact page, each in a process of its own that has just started (Home first, as a person
  arrives), after the page run above has shown each page once on the same data: a new server reads the read
  model the last one built for the same data version (hero_core.cache, hero_core/infra/snapshots.py). After a
  change, the first visit builds it again: that is the page's "first" in its row.
- **Pages**: server-side run time of the whole script (router + page) in Streamlit's AppTest, for a seeded user of
  the role that uses the page, median / p95 of the reruns a person causes while working on the page; "first" is the
  first run after switching to the page. The ratio compares the top size with the smallest. The Propose page
  starts building the similarity index of duplicate suggestions in the background (timed below as the
  suggestions' "first"); the reruns are timed once that one-off build has finished.
- **Clicks**: headless Chromium against a real `streamlit run` server; from the pointer press to the painted frame
  of the page's last change after it (its content, or the script-run state Streamlit reports), once the script is
  not running and nothing has changed for 250 ms; median of the repeats, made in one tab that moves between pages
  by their links as a person does (the Approve click opens each idea by its address first). The note gives each
  click's first time in its fresh tab, which also loads the browser code of the elements it draws. This includes
  drawing: tables and charts render in the browser after the server's run. Changes inside a canvas are not
  counted: they are never painted, and the data grid (st.dataframe) rebuilds its hidden screen-reader copy of
  the cells there 200 ms after it settles, a fixed debounce in the grid; the note gives the medians including it.
- **Click floor**: the same clock on `benchmarks/floor_app.py`, Streamlit alone (no database, no work on the
  server), served and clicked the same way right after the app's clicks: the least any click takes on this
  machine. A click's time above the floor is the app's (its server run and the elements it draws).
- **Impact**: the estimator (`hero_core.impact`) computing from the stored weekly sums (`observation_weeks`):
  one idea's estimates, and a portfolio of launched ideas estimated afresh (the Hall of HEROs, the scorecard and
  the impact page read stored verdicts instead, `hero_core.impact_store`, refreshed when an import or a change
  makes them outdated).
- **Import**: `hero_core.services.metrics_io.import_metrics` reading, validating and storing a CSV, beside a bare
  executemany of the already-parsed rows into the same table (same indexes); three rounds, alternating, each
  into fresh databases, and the medians compared.
- **Peak RSS**: VmHWM of the AppTest process that ran every page, and of the streamlit server during the clicks.
- Each size has its own database made by `hero seed` (about 500 ideas per team, 20 people per team, 1,250 days
  of daily metrics; 2M observations at 100k ideas).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=None, help="comma-separated idea counts (default 1000,10000,100000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1k ideas, few repeats, small import")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"), help="where to write the table")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium clicks")
    parser.add_argument("--reuse", action="store_true", help="keep seeded databases and reuse them next time")
    parser.add_argument("--runs", type=int, default=None, help="page reruns per page (default 20, quick 1)")
    parser.add_argument("--clicks", type=int, default=None, help="repeats of each click (default 10, quick 1)")
    parser.add_argument("--work", default=None, help="folder for SQLite files and logs (default: a temp folder)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",")) if args.sizes else (
        [1_000] if args.quick else list(DEFAULT_SIZES))
    began = time.perf_counter()
    work = Path(args.work) if args.work else (ROOT / "data" / "bench" if args.reuse else
                                              Path(tempfile.mkdtemp(prefix="hero-bench-")))
    work.mkdir(parents=True, exist_ok=True)
    base_url = os.environ.get("HERO_DATABASE_URL", "").strip() or None
    backend = Backend(base_url, work, args.reuse)
    if backend.kind == "postgresql":  # the read-model snapshots of this run's databases, not beside the app's
        os.environ.setdefault("HERO_READ_MODEL_STORE", str(work / "read-models.db"))
    results = []
    imported = None
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def write(partial: str = "") -> str:
        table = render(build_rows(results, imported), results)
        out.write_text(document(table, backend=backend.kind, sizes=[r.size for r in results], quick=args.quick,
                                seconds=time.perf_counter() - began) + partial)
        return table

    try:
        # The import first: it needs no seeded size, and a run stopped early still has it.
        imported = (measure_import(backend, QUICK_IMPORT_ROWS, rounds=1) if args.quick
                    else measure_import(backend, IMPORT_ROWS))
        for size in sizes:
            observations = observations_for(size, sizes[-1])
            if args.quick:
                observations = min(observations, 20 * size)
            results.append(measure_size(backend, size, observations, quick=args.quick,
                                        browser_on=not args.no_browser, runs=args.runs, clicks=args.clicks))
            # A long run that is stopped still leaves the sizes it finished.
            if size != sizes[-1]:
                write(f"\n**Partial run**: stopped or still running after {size:,} ideas.\n")
    finally:
        backend.cleanup(keep={n for n in backend.created if n.startswith("hero_bench_seed_")} if args.reuse else set())
        if not args.work and not args.reuse:
            shutil.rmtree(work, ignore_errors=True)
    table = write()
    print(table)
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
