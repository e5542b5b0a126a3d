"""Help at the issue's scale: 500,000 help requests (60% solved into known answers) on SQLite or PostgreSQL.

    .venv/bin/python -m tests.bench.help_scale [--requests N] [--url URL]

Prints a table: seeding, the known-answer index's first build and its memory, suggestions per keystroke, a new
known answer picked up, the e-coach queue, a request page, recurring roadblocks over 90 days, the help metrics.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import statistics
import tempfile
import time
from datetime import timedelta

os.environ.setdefault("HERO_AUDIT_KEY", "7e57" * 16)

from sqlalchemy import insert, select

from hero_core.db import Database, migrate
from hero_core.errors import InvalidInput
from hero_core.help_io import reserve_ids
from hero_core.help_text import known_answer_terms
from hero_core.models import (
    HelpAnswer,
    HelpRequest,
    HelpSystem,
    KnownAnswer,
    KnownAnswerTerm,
    Team,
    User,
    UserRole,
)
from hero_core.services import catalog, help

SYSTEMS = ["CRM", "BILLING", "POS", "PORTAL", "RETURNS", "PRODUCTS", "HR", "LMS", "PHONE", "STOCK"]
VERBS = ["change", "update", "find", "cancel", "refund", "merge", "unlock", "reset", "move", "add", "remove", "check"]
THINGS = ["address", "postcode", "direct debit date", "gift card", "password", "order", "delivery slot", "invoice",
          "phone number", "email address", "discount code", "loyalty points", "warranty", "return label",
          "payment plan", "contract end date", "device", "appointment", "account holder", "receipt"]
TAILS = ["for a customer", "while the customer waits", "after a failed payment", "for a business account",
         "when the screen freezes", "in the new version", "for an online order", "at the till", "", ""]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(db: Database, n: int, rng: random.Random) -> None:
    now = db.now()
    with db.write() as s:
        s.execute(insert(Team), [{"code": f"T{i:03d}", "name": f"Team {i}", "active": True, "created_at": now}
                                 for i in range(50)])
        team_ids = list(s.execute(select(Team.id)).scalars())
        s.execute(insert(User), [{"email": f"p{i}@x.example", "name": f"Person {i}", "team_id": team_ids[i % 50],
                                  "active": True, "failed_logins": 0, "created_at": now, "email_mode": "off"}
                                 for i in range(2_000)])
        user_ids = list(s.execute(select(User.id)).scalars())
        coaches = user_ids[:20]
        s.execute(insert(UserRole), [{"user_id": u, "role": "ecoach"} for u in coaches])
        s.execute(insert(HelpSystem), [{"code": c, "name": c.title(), "kind": "system", "active": True,
                                        "created_at": now} for c in SYSTEMS])
        systems = list(s.execute(select(HelpSystem.id)).scalars())
    batch = 20_000
    for start in range(0, n, batch):
        rows = []
        for i in range(start, min(n, start + batch)):
            asked = now - timedelta(minutes=rng.randint(10, 365 * 24 * 60))
            asker = rng.choice(user_ids)
            q = f"How do I {rng.choice(VERBS)} the {rng.choice(THINGS)} {rng.choice(TAILS)} in {rng.choice(SYSTEMS)}"
            state = rng.choices(["solved", "answered", "open"], [60, 30, 10])[0]
            if asked > now - timedelta(days=2):
                state = "open"
            first = asked + timedelta(minutes=rng.randint(5, 600)) if state != "open" else None
            rows.append({"asker_id": asker, "team_id": team_ids[asker % 50],
                         "touchpoint": rng.choice(["call_centre", "face_to_face", "website"]),
                         "system_id": rng.choice(systems), "question": q.strip()[:200], "details": "",
                         "customer_waiting": rng.random() < 0.2, "state": state, "created_at": asked,
                         "updated_at": first or asked, "first_response_due": help.response_due(asked, False),
                         "first_response_at": first, "first_response_by": coaches[i % 20] if first else None,
                         "solved_at": first if state == "solved" else None, "solution_id": None, "idea_id": None})
        with db.write() as s:
            ids = reserve_ids(s, HelpRequest.__table__, len(rows))
            s.execute(insert(HelpRequest.__table__), [{**r, "id": rid} for rid, r in zip(ids, rows, strict=True)])
            answered = [(rid, r) for rid, r in zip(ids, rows, strict=True) if r["first_response_at"]]
            s.execute(insert(HelpAnswer.__table__), [{"request_id": rid, "author_id": r["first_response_by"],
                                            "body": "Open the record, then Edit; save twice.",
                                            "created_at": r["first_response_at"]} for rid, r in answered])
            solved = [(rid, r) for rid, r in answered if r["state"] == "solved"]
            known_ids = reserve_ids(s, KnownAnswer.__table__, len(solved))
            s.execute(insert(KnownAnswer.__table__), [{
                "id": kid, "request_id": rid, "question": r["question"],
                "answer": "Open the record, then Edit; save twice.",
                "touchpoint": r["touchpoint"], "system_id": r["system_id"], "answered_by": r["first_response_by"],
                "confirmed_by": r["asker_id"], "created_at": r["first_response_at"],
                "updated_at": r["first_response_at"], "outdated_at": None, "outdated_by": None,
                "outdated_reason": ""} for kid, (rid, r) in zip(known_ids, solved, strict=True)])
            s.execute(insert(KnownAnswerTerm.__table__), [
                t for kid, (_, r) in zip(known_ids, solved, strict=True)
                for t in known_answer_terms(kid, r["question"], "Open the record, then Edit; save twice.")])


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500_000)
    parser.add_argument("--url", default="", help="a database seeded before: measure only (memory of a fresh process)")
    parser.add_argument("--seed-only", action="store_true", help="seed, print the URL, stop")
    parser.add_argument("--seed-into", default="", help="an empty database to seed (e.g. PostgreSQL)")
    args = parser.parse_args()
    url = args.url or args.seed_into or f"sqlite:///{tempfile.mkdtemp()}/help.db"
    db = Database(url)
    rows: list[tuple[str, str]] = []
    if not args.url:
        migrate(db)
        catalog.ensure_defaults(db)
        t, _ = timed(lambda: seed(db, args.requests, random.Random(22)))
        rows.append((f"seed {args.requests:,} requests", f"{t:.1f} s"))
        if args.seed_only:
            print(url, rows)
            return
    rows.append(("RSS before the first search", f"{rss_mb():.0f} MB"))
    before = rss_mb()
    t, _ = timed(lambda: help.suggest_known(db, actor_id=None, text="change the address"))
    rows.append(("first suggestion (no index in memory)", f"{t * 1000:.0f} ms, peak RSS +{rss_mb() - before:.0f} MB"))
    typed = "How do I refund the gift card at the till"
    prefixes = [typed[:k] for k in range(8, len(typed) + 1, 3)]
    times = [timed(lambda p=p: help.suggest_known(db, actor_id=None, text=p))[0] for p in prefixes * 3]
    rows.append(("suggestions per keystroke (median, p90)",
                 f"{statistics.median(times) * 1000:.0f} ms, {sorted(times)[int(0.9 * len(times))] * 1000:.0f} ms"))
    with db.read() as s:
        coach = s.execute(select(UserRole.user_id).where(UserRole.role == "ecoach")).scalars().first()
        system = s.execute(select(HelpSystem.code)).scalars().first()
    rid = help.ask(db, actor_id=coach + 1, data=help.HelpInput(question="Where is the brand new zebra form?",
                                                               touchpoint="website", system=system))
    aid = help.answer(db, actor_id=coach, request_id=rid, body="Under Forms > Zebra.")
    help.mark_solved(db, actor_id=coach + 1, request_id=rid, answer_id=aid)
    t, found = timed(lambda: help.suggest_known(db, actor_id=None, text="zebra form"))
    rows.append(("a new known answer found at once", f"{t * 1000:.0f} ms, found: {bool(found)}"))
    with contextlib.suppress(InvalidInput):  # assigned by an earlier run on the same database
        help.assign_ecoach(db, actor_id=None, email=db_email(db, coach), system=system)
    t, q = timed(lambda: help.queue(db, actor_id=coach), repeat=5)
    rows.append(("e-coach queue (own systems)", f"{t * 1000:.0f} ms, {len(q)} shown"))
    t, q = timed(lambda: help.queue(db, actor_id=coach, mine_only=False, include_answered=True), repeat=5)
    rows.append(("e-coach queue (all, with answered)", f"{t * 1000:.0f} ms, {len(q)} shown"))
    t, _ = timed(lambda: help.get_request(db, actor_id=coach, request_id=rid), repeat=5)
    rows.append(("request page read", f"{t * 1000:.0f} ms"))
    before = rss_mb()
    t, rbs = timed(lambda: help.recurring_roadblocks(db, actor_id=None, days=90))
    rows.append(("recurring roadblocks, 90 days", f"{t:.1f} s, {len(rbs)} found, peak RSS +{rss_mb() - before:.0f} MB"))
    with db.read() as s:
        waiting = s.execute(select(HelpRequest.id).where(HelpRequest.state == "open")
                            .order_by(HelpRequest.id.desc())).scalars().first()
    help.answer(db, actor_id=coach, request_id=waiting, body="Open the record, then Edit; save twice.")
    t, rbs = timed(lambda: help.recurring_roadblocks(db, actor_id=None, days=90))
    rows.append(("... next look after an answer", f"{t:.1f} s, {len(rbs)} found"))
    help.ask(db, actor_id=coach + 2, data=help.HelpInput(question="How do I reset the password at the till in POS",
                                                         touchpoint="face_to_face", system=system))
    t, rbs = timed(lambda: help.recurring_roadblocks(db, actor_id=None, days=90))
    rows.append(("... next look after a new request",
                 f"{t:.1f} s, {len(rbs)} found, peak RSS +{rss_mb() - before:.0f} MB"))
    later = db.now() + timedelta(hours=1)  # the window moves: an hour's requests leave every scope
    db.clock = lambda: later
    t, rbs = timed(lambda: help.recurring_roadblocks(db, actor_id=None, days=90))
    rows.append(("... next look an hour later",
                 f"{t:.1f} s, {len(rbs)} found, peak RSS +{rss_mb() - before:.0f} MB"))
    t, _ = timed(lambda: help.ecoach_promise_kept(db, actor_id=None))
    rows.append(("e-coach promise kept, per team and quarter", f"{t:.1f} s"))
    rows.append(("peak RSS of this process", f"{rss_mb():.0f} MB"))
    print(f"\nhelp at scale ({db.dialect})\n")
    for name, value in rows:
        print(f"| {name:<45} | {value:<45} |")


def db_email(db: Database, user_id: int) -> str:
    with db.read() as s:
        return s.get(User, user_id).email


if __name__ == "__main__":
    main()
