"""Crashes: kill -9 a big `hero metrics import` at a random moment, 20 times.

After every kill: `PRAGMA integrity_check` is ok, the import is all there or not at all (its audit entry with
it), and `hero audit verify` passes. The file is generated once per session. `make test` runs 20 kills of a
200,000-row import; `make reliability` runs 20 kills of the full 1,000,000 rows (HERO_CRASH_ROWS, HERO_CRASH_RUNS).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from hero_core.cli import main
from hero_core.db import Database
from hero_core.services import catalog, people

ROWS = int(os.environ.get("HERO_CRASH_ROWS", "200000"))
RUNS = int(os.environ.get("HERO_CRASH_RUNS", "20"))
TEAMS = 200
METRICS = ("csat", "nps", "aht", "complaints", "time_to_mastery")  # all accept the values written below
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def crash_kit(tmp_path_factory, sqlite_template):
    """(template database with 200 teams, the CSV of ROWS observations), made once per session."""
    directory = tmp_path_factory.mktemp("crash")
    template = directory / "template.db"
    shutil.copy(sqlite_template, template)
    db = Database(f"sqlite:///{template}")
    catalog.ensure_defaults(db)
    for i in range(TEAMS):
        people.create_team(db, actor_id=None, code=f"T{i:03d}", name=f"Team {i}")
    raw = db.engine.raw_connection()
    raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    db.dispose()
    days_needed = -(-ROWS // (TEAMS * len(METRICS)))
    days = [(date(2020, 1, 1) + timedelta(d)).isoformat() for d in range(days_needed)]
    csv_path = directory / f"observations_{ROWS}.csv"
    written = 0
    with csv_path.open("w") as f:
        f.write("metric,team,date,value\n")
        for metric in METRICS:
            for t in range(TEAMS):
                chunk = days[: max(0, min(len(days), ROWS - written))]
                f.write("".join(f"{metric},T{t:03d},{d},{3 + (j % 7) / 10}\n" for j, d in enumerate(chunk)))
                written += len(chunk)
    assert written == ROWS
    return template, csv_path


def _copy(template: Path, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "hero.db"
    shutil.copy(template, target)
    return target


def _import(db_path: Path, csv_path: Path) -> subprocess.Popen:
    env = {**os.environ, "HERO_DATABASE_URL": f"sqlite:///{db_path}", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "hero_core", "metrics", "import", str(csv_path)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _check(db_path: Path) -> tuple[int, int]:
    """(observations stored, metrics_imported entries) after checking integrity and the trail."""
    with sqlite3.connect(db_path) as conn:  # opening recovers the WAL a killed writer left behind
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = conn.execute("SELECT count(*) FROM observations").fetchone()[0]
        entries = conn.execute("SELECT count(*) FROM audit_entries WHERE action = 'metrics_imported'").fetchone()[0]
    verify = CliRunner().invoke(main, ["audit", "verify"], env={"HERO_DATABASE_URL": f"sqlite:///{db_path}"})
    assert verify.exit_code == 0, verify.output
    return stored, entries


def test_killing_a_big_metrics_import_at_random_moments_leaves_all_or_nothing(crash_kit, tmp_path,
                                                                               record_property):
    template, csv_path = crash_kit
    started = time.perf_counter()
    full_db = _copy(template, tmp_path / "full")
    t0 = time.perf_counter()
    proc = _import(full_db, csv_path)
    full_wal, write_starts = full_db.with_name("hero.db-wal"), None
    while proc.poll() is None:
        if write_starts is None and full_wal.exists() and full_wal.stat().st_size > 0:
            write_starts = time.perf_counter() - t0
        time.sleep(0.02)
    out, err = proc.communicate(timeout=900)
    full_seconds = time.perf_counter() - t0
    write_seconds = full_seconds - (write_starts or 0)
    assert proc.returncode == 0, err
    assert f"{ROWS} row(s) stored" in out
    assert _check(full_db) == (ROWS, 1)

    rng = random.Random(7)
    tally = {"killed while reading or checking": 0, "killed while writing": 0, "finished before the kill": 0}
    stored_counts = {"none": 0, "all": 0}
    for run in range(RUNS):
        db_path = _copy(template, tmp_path / f"run{run}")
        wal = db_path.with_name("hero.db-wal")
        proc = _import(db_path, csv_path)
        if run % 2:  # every other run: a random moment of the write itself, the most delicate phase
            while proc.poll() is None and not (wal.exists() and wal.stat().st_size > 0):
                time.sleep(0.01)
            time.sleep(rng.uniform(0, write_seconds))
        else:  # a random moment of the whole run: start-up, reading, checking or writing
            time.sleep(rng.uniform(0.2, full_seconds))
        if proc.poll() is None:
            writing = wal.exists() and wal.stat().st_size > 0
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            if proc.returncode == -signal.SIGKILL:
                tally["killed while writing" if writing else "killed while reading or checking"] += 1
            else:  # it finished between the look and the kill (a zombie takes the signal harmlessly)
                assert proc.returncode == 0, proc.communicate()[1]
                tally["finished before the kill"] += 1
        else:
            proc.communicate()
            tally["finished before the kill"] += 1
        stored, entries = _check(db_path)
        assert (stored, entries) in ((0, 0), (ROWS, 1)), f"run {run}: {stored} rows, {entries} entries"
        stored_counts["all" if stored else "none"] += 1
        shutil.rmtree(db_path.parent)
    # After a crash the same file imports cleanly: nothing half-done blocks the retry.
    retry_db = _copy(template, tmp_path / "retry")
    proc = _import(retry_db, csv_path)
    time.sleep(full_seconds * 0.7)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    again = _import(retry_db, csv_path)
    again.communicate(timeout=900)
    assert again.returncode in (0, 1)
    assert _check(retry_db)[0] == ROWS
    total = time.perf_counter() - started
    record_property("crash", {"rows": ROWS, "runs": RUNS, "full_import_s": round(full_seconds, 1),
                              "write_phase_s": round(write_seconds, 1),
                              "total_s": round(total, 1), **tally, **stored_counts})
    print(f"\ncrash: {RUNS} kills of a {ROWS:,}-row import (full import {full_seconds:.1f}s, writing "
          f"{write_seconds:.1f}s of it, all {total:.0f}s): "
          f"{tally}; outcome {stored_counts}")
    assert tally["killed while writing"] >= 1, "no kill landed while rows were being written"
