"""Help history in and out: importing a help desk's history (all rows or none), and counting help requests about
each system per team and day as a metric of the catalog, so an idea can target "fewer help requests about X".

Import columns: asked_at, asker_email, team, touchpoint, system, question, answer, answered_at, answerer_email,
solved (system and the answer columns may be empty). A row with an answer gets its answer; a solved row also
becomes a known answer confirmed by its asker. Rows go in with Core inserts, a batch at a time, in one
transaction with one audit entry.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, text, update

from hero_core import audit, csv_files, dates, permissions
from hero_core.db import Database
from hero_core.errors import ImportRejected
from hero_core.help_text import known_answer_terms
from hero_core.models import (
    HelpAnswer,
    HelpRequest,
    HelpSystem,
    KnownAnswer,
    KnownAnswerTerm,
    Metric,
    Team,
    User,
)
from hero_core.services import catalog, metrics_io
from hero_core.services.common import actor_ref, clean_text, load_actor
from hero_core.services.help import ANSWER_MAX, QUESTION_MAX, response_due, settings
from hero_core.vocab import Touchpoint, parse_enum

COLUMNS = ("asked_at", "asker_email", "team", "touchpoint", "system", "question", "answer", "answered_at",
           "answerer_email", "solved")
YES, NO = {"yes", "y", "true", "1", "solved"}, {"no", "n", "false", "0", ""}
BATCH = 5_000
MAX_ROWS = 2_000_000


@dataclass(frozen=True)
class HelpImportSummary:
    file_name: str
    requests: int
    answered: int
    solved: int


_read = csv_files.read_table  # one way to read a CSV file: hero_core/csv_files.py


def import_help(db: Database, *, actor_id: int | None, source) -> HelpImportSummary:
    """Store every row of a help desk's history, or none and raise ImportRejected listing each problem by row
    (row 1 is the header), column and value."""
    name, table = _read(source)
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "import_help")
    at = csv_files.column_positions(name, table, COLUMNS, MAX_ROWS)
    header = table[0]
    with db.read() as s:
        users = {e.lower(): (i, a, t)
                 for i, e, a, t in s.execute(select(User.id, User.email, User.active, User.team_id))}
        teams = {}
        for i, code, tname in s.execute(select(Team.id, Team.code, Team.name)):
            teams[code.lower()] = i
            teams.setdefault(tname.lower(), i)
        systems = {}
        for i, code, sname in s.execute(select(HelpSystem.id, HelpSystem.code, HelpSystem.name)):
            systems[code.lower()] = i
            systems.setdefault(sname.lower(), i)
    now = db.now()
    cfg = settings()
    # Dates have one home (hero_core/dates.py): the order of numeric dates is the one this file's dates allow.
    order = dates.file_order([row[at[c]] for row in table[1:] for c in ("asked_at", "answered_at")
                              if len(row) > at[c]], None)
    problems: list[str] = []
    good: list[dict] = []
    for number, raw in enumerate(table[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        cells = raw + [""] * (len(header) - len(raw))
        get = {c: cells[at[c]].strip() for c in COLUMNS}
        row_problems = []

        def bad(column: str, reason: str, get=get, row_problems=row_problems, number=number) -> None:
            value = get[column]
            shown = f" “{value[:60]}”" if value else ""
            row_problems.append(f"row {number}, column {column}{shown}: {reason}")

        asked = answered_at = None
        try:
            asked = dates.read_moment(get["asked_at"], dayfirst=order)
            if asked > now:
                bad("asked_at", "is in the future")
        except dates.DateRefused as exc:
            bad("asked_at", f"{exc} (a date and time like 2026-03-02 14:05)")
        asker = users.get(get["asker_email"].lower())
        if asker is None:
            bad("asker_email", "nobody has this email; add the person first (hero users add)")
        team = teams.get(get["team"].lower())
        if team is None:
            bad("team", "is not a team's code or name")
        try:
            touchpoint = parse_enum(Touchpoint, get["touchpoint"], "touch point").value
        except ValueError as exc:
            touchpoint = ""
            bad("touchpoint", str(exc))
        system = None
        if get["system"]:
            system = systems.get(get["system"].lower())
            if system is None:
                bad("system", "is not in the help catalog; add it first (Help catalog and e-coaches)")
        question, err = clean_text(get["question"], "question", max_len=QUESTION_MAX, single_line=True)
        if err:
            bad("question", err)
        answer, err = clean_text(get["answer"], "answer", required=False, max_len=ANSWER_MAX)
        if err:
            bad("answer", err)
        answerer = None
        if answer:
            answerer = users.get(get["answerer_email"].lower())
            if answerer is None:
                bad("answerer_email", "nobody has this email" if get["answerer_email"] else
                    "is empty, but the row has an answer: say who answered")
            try:
                answered_at = dates.read_moment(get["answered_at"], dayfirst=order)
                if asked is not None and answered_at < asked:
                    bad("answered_at", "is before asked_at")
                elif answered_at > now:
                    bad("answered_at", "is in the future")
            except dates.DateRefused as exc:
                bad("answered_at", f"{exc} (a date and time like 2026-03-02 15:10, needed with an answer)")
        elif get["answered_at"] or get["answerer_email"]:
            bad("answer", "is empty, but answered_at or answerer_email is given")
        solved_text = get["solved"].lower()
        if solved_text not in YES | NO:
            bad("solved", "must be yes or no")
        solved = solved_text in YES
        if solved and not answer:
            bad("solved", "is yes, but the row has no answer that solved it")
        if row_problems:
            problems += row_problems
            continue
        by_other = answerer is not None and answerer[0] != asker[0]
        good.append(dict(
            asker_id=asker[0], team_id=team, touchpoint=touchpoint, system_id=system, question=question,
            details="", customer_waiting=False, state="solved" if solved else ("answered" if by_other else "open"),
            created_at=asked, updated_at=answered_at or asked,
            first_response_due=response_due(asked, False, cfg),
            first_response_at=answered_at if by_other else None, first_response_by=answerer[0] if by_other else None,
            solved_at=answered_at if solved else None, solution_id=None, idea_id=None,
            _answer=answer, _answerer=answerer[0] if answerer else None))
    if problems:
        raise ImportRejected(problems)
    if not good:
        raise ImportRejected([f"{name} has no rows under its header"])
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "import_help")
        answered = solved = 0
        for start in range(0, len(good), BATCH):
            batch = good[start:start + BATCH]
            ids = reserve_ids(s, HelpRequest.__table__, len(batch))
            s.execute(insert(HelpRequest.__table__), [{**{k: v for k, v in r.items() if not k.startswith("_")},
                                                       "id": rid} for rid, r in zip(ids, batch, strict=True)])
            with_answer = [(rid, r) for rid, r in zip(ids, batch, strict=True) if r["_answer"]]
            if not with_answer:
                continue
            answer_ids = reserve_ids(s, HelpAnswer.__table__, len(with_answer))
            s.execute(insert(HelpAnswer.__table__), [
                {"id": aid, "request_id": rid, "author_id": r["_answerer"], "body": r["_answer"],
                 "created_at": r["updated_at"]} for aid, (rid, r) in zip(answer_ids, with_answer, strict=True)])
            answered += len(with_answer)
            solved_rows = [(rid, r, aid) for (rid, r), aid in zip(with_answer, answer_ids, strict=True)
                           if r["state"] == "solved"]
            if solved_rows:
                table = HelpRequest.__table__
                s.execute(update(table).where(table.c.id == bindparam("rid")).values(solution_id=bindparam("aid")),
                          [{"rid": rid, "aid": aid} for rid, _, aid in solved_rows])
                known_ids = reserve_ids(s, KnownAnswer.__table__, len(solved_rows))
                s.execute(insert(KnownAnswer.__table__), [
                    {"id": kid, "request_id": rid, "question": r["question"], "answer": r["_answer"],
                     "touchpoint": r["touchpoint"], "system_id": r["system_id"], "answered_by": r["_answerer"],
                     "confirmed_by": r["asker_id"], "created_at": r["updated_at"], "updated_at": r["updated_at"],
                     "outdated_at": None, "outdated_by": None, "outdated_reason": ""}
                    for kid, (rid, r, _) in zip(known_ids, solved_rows, strict=True)])
                s.execute(insert(KnownAnswerTerm.__table__), [
                    t for kid, (_, r, _) in zip(known_ids, solved_rows, strict=True)
                    for t in known_answer_terms(kid, r["question"], r["_answer"])])
                solved += len(solved_rows)
        aid, aemail = actor_ref(actor)
        audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action="help_imported",
                     entity_type="help_import", entity_id=name[:60],
                     after={"file": name, "requests": len(good), "answered": answered, "solved": solved})
    return HelpImportSummary(name, len(good), answered, solved)


def reserve_ids(s, table, n: int) -> list[int]:
    """`n` fresh ids for rows about to be inserted in this transaction. An executemany with RETURNING (the ORM's
    bulk insert) costs time quadratic in the batch on SQLite under SQLAlchemy 2.1 (measured: docs/help.md), so
    the ids are taken first: from the table's sequence on PostgreSQL, after the highest id on SQLite, whose write
    transaction (BEGIN IMMEDIATE) keeps every other writer out until it commits."""
    if n <= 0:
        return []
    if s.get_bind().dialect.name == "postgresql":
        return list(s.execute(text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                                   "FROM generate_series(1, :n)"), {"n": n}).scalars())
    top = s.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(top + 1, top + n + 1))


# ---- the loop closes: help requests about a system, per team and day, as a metric ------------------------------


def metric_code(system_code: str) -> str:
    """The catalog metric counting help requests about one system: help_<code>, lower case."""
    return "help_" + "".join(c if c.isalnum() else "_" for c in system_code.lower())[:35]


def count_help_metrics(db: Database, *, actor_id: int | None, since: date | None = None,
                       until: date | None = None) -> int:
    """Count help requests about each system per team and day into the metric catalog (a metric help_<code> per
    system, added when missing), days without a request counting 0, from `since` (default: the first request)
    to `until` (default: yesterday, a whole day). Stored through the metrics import, so weekly sums and stored
    impact verdicts follow as for any import. Returns the observations written."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "import_metrics")
        systems = s.execute(select(HelpSystem.id, HelpSystem.code, HelpSystem.name)).all()
        have = set(s.execute(select(Metric.code)).scalars())
        first = s.execute(select(func.min(HelpRequest.created_at))).scalar()
    if not systems or first is None:
        return 0
    for _, code, sname in systems:
        if metric_code(code) not in have:
            catalog.save_metric(db, actor_id=actor_id, metric=catalog.MetricDef(
                metric_code(code), f"Help requests about {sname}", "requests", "lower", 0, None, "sum",
                f"Help requests about {sname} asked by the team that day (hero_core/help_io.py)."))
    start = since or first.date()
    end = until or (db.now().date() - timedelta(days=1))
    if end < start:
        return 0
    with db.read() as s:
        teams = dict(s.execute(select(Team.id, Team.code)).all())
        rows = s.execute(select(HelpRequest.system_id, HelpRequest.team_id, HelpRequest.created_at)
                         .where(HelpRequest.system_id.is_not(None), HelpRequest.team_id.is_not(None),
                                HelpRequest.created_at >= datetime.combine(start, datetime.min.time(), UTC),
                                HelpRequest.created_at < datetime.combine(end + timedelta(days=1),
                                                                          datetime.min.time(), UTC))
                         .execution_options(yield_per=20_000))
        counts = Counter((sid, tid, created.date()) for sid, tid, created in rows)
    active_teams = {tid for _, tid, _ in counts}  # teams that asked about something in the window
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["metric", "team", "date", "value"])
    written = 0
    day = start
    while day <= end:
        for sid, code, _ in systems:
            for tid in sorted(active_teams):
                writer.writerow([metric_code(code), teams[tid], day.isoformat(), counts.get((sid, tid, day), 0)])
                written += 1
        day += timedelta(days=1)
    if not written:
        return 0
    data = io.BytesIO(out.getvalue().encode("utf-8"))
    metrics_io.import_metrics(db, source=data, actor_id=actor_id, file_name="help-requests.csv", replace=True)
    return written
