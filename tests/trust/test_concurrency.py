"""Concurrency: 8 processes x 100 conflicting transitions on the same ideas, on SQLite and PostgreSQL.

tests/integration/test_concurrency.py races threads in one process; this attack uses separate processes (own
connections, own interpreters), as several app servers or CLI runs would. Proved afterwards: no lost update
(every successful transition is in the trail, and each one started from the version the previous one left),
final state and version match the trail, the chain verifies, and nobody was shown anything but StaleIdea,
TransitionNotAllowed or DatabaseBusy — never a raw "database is locked".
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from hero_core import audit
from hero_core.models import AuditEntry, Idea
from tests.integration.factories import idea_in_state

PROCESSES = 8
ROUNDS = 100
IDEAS = 3
LOOP = ("start_review", "request_changes", "resubmit")
ROOT = Path(__file__).resolve().parents[2]
ALLOWED_ERRORS = {"StaleIdea", "TransitionNotAllowed", "DatabaseBusy"}


def test_eight_processes_racing_one_hundred_transitions_each_lose_no_update(org, record_property):
    db = org.db
    targets = [idea_in_state(org, "submitted") for _ in range(IDEAS)]
    with db.read() as s:
        start = {i: s.get(Idea, i).version for i in targets}
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.trust.workers", db.url, str(seed), str(ROUNDS), str(org.manager),
             str(org.frontline), *map(str, targets)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(PROCESSES)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.perf_counter() - started

    outcomes: Counter[str] = Counter()
    successes: Counter[int] = Counter()
    messages: set[str] = set()
    for r in results:
        outcomes.update(r["outcomes"])
        successes.update({int(k): v for k, v in r["successes"].items()})
        messages.update(r["messages"])
    assert sum(outcomes.values()) == PROCESSES * ROUNDS
    assert set(outcomes) <= {"ok"} | ALLOWED_ERRORS, outcomes
    assert not [m for m in messages if "locked" in m.lower() or "Traceback" in m or "sqlite3" in m], messages
    assert outcomes["ok"] >= PROCESSES * ROUNDS // 10, outcomes  # real progress, not just refusals

    with db.read() as s:
        assert audit.verify(s).ok
        for idea_id in targets:
            idea = s.get(Idea, idea_id)
            trail = [e for e in s.execute(select(AuditEntry).where(
                AuditEntry.entity_type == "idea", AuditEntry.entity_id == str(idea_id)).order_by(AuditEntry.seq))
                .scalars() if e.action in LOOP]
            assert len(trail) == successes[idea_id], "every success is in the trail, and nothing else"
            assert idea.version == start[idea_id] + successes[idea_id], "no update was lost"
            versions = [(json.loads(e.before_json)["version"], json.loads(e.after_json)["version"]) for e in trail]
            assert versions[0][0] == start[idea_id]
            assert all(prev[1] == nxt[0] for prev, nxt in itertools.pairwise(versions)), \
                "two transitions started from the same version"
            assert [e.action for e in trail] == [LOOP[k % 3] for k in range(len(trail))]
            assert idea.state == json.loads(trail[-1].after_json)["state"] if trail else idea.state == "submitted"
    record_property("concurrency", {"dialect": db.dialect, "seconds": round(elapsed, 1), **outcomes})
    print(f"\nconcurrency {db.dialect}: {PROCESSES}x{ROUNDS} in {elapsed:.1f}s: {dict(outcomes)}")
