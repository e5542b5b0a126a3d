"""Stored impact verdicts: the estimator's answers for every launched idea, kept so that read models over the whole
portfolio (Hall of HEROs, scorecard, the impact page's portfolio) read rows instead of re-estimating tens of
thousands of ideas on every visit.

A stored row is current when its `basis` matches the idea as it is now (launch date, pilot teams, the metric's
direction, the impact windows) and no import has changed the observations its windows cover since it was
computed: an import deletes, in its own transaction, the rows whose windows overlap the days it wrote
(`forget`). `refresh` recomputes what is missing or outdated and drops rows of ideas no longer launched or
metrics no longer targeted; `current` refreshes, then reads. The estimator itself is unchanged
(hero_core.impact); the rows are derived data, like an index, so writing them is not a state change of the
compact and writes no audit entry.

Everything an estimate depends on changes only with an audited change, so a refresh that finds the audit trail's
head where the last complete check left it returns at once (one index lookup).

Two processes may refresh at once: a row is written with an upsert, and a refresh discards its answers when an
import committed while it was computing (the audit trail says so), so a stale answer is never stored as current.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import replace
from datetime import date

from sqlalchemy import delete, exists, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hero_core import cache, impact
from hero_core.db import Database
from hero_core.errors import DatabaseBusy
from hero_core.infra import pool
from hero_core.models import AuditEntry, Idea, IdeaMetric, ImpactCheck, ImpactResult, Metric
from hero_core.services import impact_reads, lifecycle_sql

#: (database, windows) -> the data version (hero_core.cache.data_version) at which a refresh of every launched
#: idea last found (or made) every stored estimate current. Everything an estimate depends on moves the data
#: version (ideas, pilots, the catalog, imports), so while it stays there, there is nothing to check: a read model
#: asks in one statement instead of comparing tens of thousands of fingerprints. Not a read cache: the refresh's
#: own bookkeeping.
_checked: dict[tuple, tuple] = {}
#: Ideas estimated per write transaction during a refresh: bounds how long the writer holds SQLite's lock.
CHUNK = 2_000
OBSERVATIONS = "observations"  # the audit entity of every import (ix_audit_entity finds them)


def basis(idea: impact.LaunchedIdea, direction: str, windows: impact.ImpactWindows) -> str:
    """Fingerprint of everything an estimate depends on besides the observations, the estimator's method
    included: rows stored by an older method are recomputed."""
    pilots = ",".join(map(str, sorted(idea.pilot_team_ids)))
    text = (f"{idea.launch_date.isoformat()}|{pilots}|{direction}|"
            f"{windows.baseline_days},{windows.eval_days},{windows.ramp_days}|{impact.METHOD_VERSION}")
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def forget(session: Session, *, metric_ids: Collection[int], first_day: date, last_day: date) -> int:
    """Delete the stored estimates of these metrics whose windows overlap [first_day, last_day]; called by every
    writer of observations in the same transaction as the write."""
    if not metric_ids:
        return 0
    codes = select(Metric.code).where(Metric.id.in_([int(m) for m in metric_ids]))
    result = session.execute(
        delete(ImpactResult)
        .where(ImpactResult.metric_code.in_(codes), ImpactResult.window_start <= last_day,
               ImpactResult.window_end > first_day)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def _last_import_seq(session: Session) -> int:
    return int(session.execute(select(func.max(AuditEntry.seq)).where(AuditEntry.entity_type == OBSERVATIONS))
               .scalar() or 0)


def refresh(
    db: Database,
    *,
    windows: impact.ImpactWindows | None = None,
    idea_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> int:
    """Recompute the missing and outdated stored estimates (of `idea_ids`, or of every launched idea); returns how
    many idea x metric estimates were computed.

    With workers > 1 the estimates are computed by that many worker processes (each with its own connection),
    while this process writes their answers in order: for the command line and the seed, where a whole
    portfolio is measured at once and the machine's other cores are idle. The app keeps the default (one)."""
    windows = windows or impact.windows_from_env()
    wanted = None if idea_ids is None else sorted({int(i) for i in idea_ids})
    with db.read() as s:
        if _checked.get((db.url, windows)) == cache.data_version(s):
            return 0  # nothing audited happened since every stored estimate was last found current
    computed = 0
    for _attempt in range(3):
        with db.read() as s:
            head = cache.data_version(s)
            seen_import = _last_import_seq(s)
            scope = wanted if wanted is not None else _since_last_check(s, windows)
            if scope is not None and not scope:
                if wanted is None:
                    _all_current(db, windows, head)  # nothing audited since that could change an estimate
                return computed
            launched = impact_reads.launched_ideas(s, scope)
            directions = dict(s.execute(select(Metric.code, Metric.direction)).all())
            stored_stmt = select(ImpactResult.idea_id, ImpactResult.metric_code, ImpactResult.basis)
            if scope is not None and len(scope) <= impact_reads.MAX_IDS_IN_SQL:
                stored_stmt = stored_stmt.where(ImpactResult.idea_id.in_(scope))
            stored = {(i, c): b for i, c, b in s.connection().execute(stored_stmt)}
            if scope is not None and len(scope) > impact_reads.MAX_IDS_IN_SQL:
                in_scope = set(scope)
                stored = {key: b for key, b in stored.items() if key[0] in in_scope}
        stale: list[impact.LaunchedIdea] = []
        keep: set[tuple[int, str]] = set()
        for idea in launched:
            codes = tuple(c for c in idea.metric_codes if c in directions)
            keep.update((idea.id, c) for c in codes)
            todo = tuple(c for c in codes if stored.get((idea.id, c)) != basis(idea, directions[c], windows))
            if todo:
                stale.append(replace(idea, metric_codes=todo))
        orphans = [key for key in stored if key not in keep]
        del launched, stored, keep  # the whole portfolio's fingerprints: not kept while estimating
        if not stale and not orphans:
            if wanted is None:
                _all_current(db, windows, head)
            return computed
        raced = False
        total = sum(len(i.metric_codes) for i in stale)
        if orphans:
            with db.write() as s:
                for start in range(0, len(orphans), 500):
                    s.execute(delete(ImpactResult).where(
                        tuple_(ImpactResult.idea_id, ImpactResult.metric_code).in_(orphans[start:start + 500])))
        # In launch order, so that each chunk's windows span a few months and its weekly sums are read once.
        stale.sort(key=lambda i: (i.launch_date, i.id))
        chunks = [stale[start:start + CHUNK] for start in range(0, len(stale), CHUNK)]
        for rows in _estimated(db, chunks, windows, directions, workers):
            with db.write() as s:
                if _last_import_seq(s) != seen_import:
                    raced = True  # observations changed under us: these answers may be stale; start over
                    break
                _upsert(s, rows)
            computed += len(rows)
            if progress:
                progress(computed, total)
        if not raced:
            if wanted is None:
                _all_current(db, windows, head)
            return computed
    return computed


#: Audited entities whose changes never change a stored estimate or its fingerprint: a refresh after them checks
#: only the ideas audited since and those missing an estimate. Anything else (a metric's direction, a restore, an
#: entity this list does not know) makes the next refresh check every launched idea, as a new process did.
UNRELATED_ENTITIES = frozenset({"comment", "user", "team", "campaign", "pulse", OBSERVATIONS, *cache.SIGN_IN_ENTITIES,
                                # help with roadblocks and erosion alarms change no idea nor estimate (their counts
                                # reach the estimator as observations, imported like any metric)
                                "help_request", "help_system", "known_answer", "help_import", "erosion_alarm"})
#: More audited entries than this since the last check: checking everything costs about the same.
MAX_ENTRIES_SINCE_CHECK = 20_000


def _windows_key(windows: impact.ImpactWindows) -> str:
    # With the method's version: a check recorded by an older method must not vouch for its rows.
    return f"{windows.baseline_days},{windows.eval_days},{windows.ramp_days}|{impact.METHOD_VERSION}"


def _since_last_check(s: Session, windows: impact.ImpactWindows) -> list[int] | None:
    """The ideas whose stored estimates may have changed since the last complete check for these windows (the
    ideas audited since, and launched ideas missing an estimate of a target metric, which is what an import
    leaves behind: it deletes the estimates its days change); None when everything must be checked (no check
    recorded, the trail no longer holds the entry it was recorded at, or something else was audited since)."""
    row = s.execute(select(ImpactCheck.audit_seq, ImpactCheck.audit_hash)
                    .where(ImpactCheck.windows == _windows_key(windows))).first()
    if row is None:
        return None
    at = s.execute(select(AuditEntry.hash).where(AuditEntry.seq == row.audit_seq)).scalar()
    if row.audit_seq and at != row.audit_hash:
        return None  # a restored or rewritten trail: this check is about another history
    entries = s.execute(select(AuditEntry.entity_type, AuditEntry.entity_id).where(AuditEntry.seq > row.audit_seq)
                        .limit(MAX_ENTRIES_SINCE_CHECK + 1)).all()
    if len(entries) > MAX_ENTRIES_SINCE_CHECK:
        return None
    ideas: set[int] = set()
    for entity_type, entity_id in entries:
        if entity_type == "idea" and str(entity_id).isdigit():
            ideas.add(int(entity_id))
        elif entity_type not in UNRELATED_ENTITIES:
            return None
    if not entries:
        return []
    missing = (
        select(IdeaMetric.idea_id).distinct()
        .join(Idea, Idea.id == IdeaMetric.idea_id)
        .join(Metric, Metric.code == IdeaMetric.metric_code)
        .where(lifecycle_sql.launched(),
               ~exists().where(ImpactResult.idea_id == IdeaMetric.idea_id,
                               ImpactResult.metric_code == IdeaMetric.metric_code))
    )
    ideas.update(s.execute(missing).scalars())
    return sorted(ideas)


def _all_current(db: Database, windows: impact.ImpactWindows, version: tuple) -> None:
    """Every stored estimate for these windows was current at data `version` (hero_core.cache.data_version):
    remember it in this process (the memo) and, for every process, its audit head in the database. Derived data:
    when the database is busy the record is skipped, and the next refresh checks a little more."""
    _checked[(db.url, windows)] = version
    head = (version[0], version[1])
    key = _windows_key(windows)

    def recorded(check: ImpactCheck | None) -> bool:  # this head, or a later one another process recorded
        return check is not None and ((check.audit_seq, check.audit_hash) == head or check.audit_seq > head[0])

    with db.read() as s:
        if recorded(s.get(ImpactCheck, key)):
            return  # no write transaction
    try:
        with db.write() as s:
            check = s.get(ImpactCheck, key)
            if check is None:
                s.add(ImpactCheck(windows=key, audit_seq=head[0], audit_hash=head[1]))
            elif not recorded(check):
                check.audit_seq, check.audit_hash = head
    except DatabaseBusy:
        pass


def default_workers() -> int:
    """Worker processes for a whole-portfolio refresh from the command line: one per core, at most four."""
    return pool.default_workers()


def _estimated(db: Database, chunks: list[list[impact.LaunchedIdea]], windows: impact.ImpactWindows,
               directions: dict[str, str], workers: int) -> Iterator[list[dict]]:
    """Each chunk's rows to store, in order: computed here, or by `workers` processes when there is more than
    one chunk to share (hero_core.infra.pool)."""
    def local(chunk: list[impact.LaunchedIdea], windows: impact.ImpactWindows, directions: dict[str, str]):
        with db.read() as s:
            estimates = impact_reads.estimate_ideas(s, chunk, windows)
        return _rows(chunk, estimates, directions, windows)

    yield from pool.ordered_results(local, chunks, workers=workers, args=(windows, directions),
                                    remote=_worker_rows, initializer=_worker_start, initargs=(db.url,))


_worker_db: Database | None = None


def _worker_start(url: str) -> None:
    # One database per worker process, opened once when the pool starts it: a module global is the point.
    global _worker_db  # noqa: PLW0603
    _worker_db = Database(url)


def _worker_rows(chunk: list[impact.LaunchedIdea], windows: impact.ImpactWindows,
                 directions: dict[str, str]) -> list[dict]:
    assert _worker_db is not None, "the worker was started without its database"
    with _worker_db.read() as s:
        estimates = impact_reads.estimate_ideas(s, chunk, windows)
    return _rows(chunk, estimates, directions, windows)


def _rows(ideas: list[impact.LaunchedIdea], estimates: list[impact.ImpactEstimate], directions: dict[str, str],
          windows: impact.ImpactWindows) -> list[dict]:
    by_id = {i.id: i for i in ideas}
    rows = []
    for e in (estimate.headline_only() for estimate in estimates):
        idea = by_id[e.idea_id]
        bounds = windows.bounds(idea.launch_date)
        rows.append({
            "idea_id": e.idea_id, "metric_code": e.metric, "basis": basis(idea, directions[e.metric], windows),
            "window_start": bounds.baseline_start, "window_end": bounds.eval_end, "verdict": e.verdict,
            "method": e.method, "inference": e.inference, "direction": e.direction, "effect": e.effect,
            "ci_low": e.ci_low, "ci_high": e.ci_high, "p_value": e.p_value, "baseline_mean": e.baseline_mean,
            "pre_trend_p": e.pre_trend_p, "n_obs": e.n_obs, "treated_teams": " ".join(e.treated_teams),
            "comparison_teams": " ".join(e.comparison_teams), "warnings": json.dumps(list(e.warnings)),
        })
    return rows


def _upsert(s: Session, rows: list[dict]) -> None:
    if not rows:
        return
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ImpactResult)
    columns = [c for c in rows[0] if c not in ("idea_id", "metric_code")]
    stmt = stmt.on_conflict_do_update(index_elements=["idea_id", "metric_code"],
                                      set_={c: getattr(stmt.excluded, c) for c in columns})
    per_statement = 30_000 // len(rows[0])  # stay under SQLite's bound-parameter limit
    for start in range(0, len(rows), per_statement):
        s.execute(stmt, rows[start:start + per_statement])


_COLUMNS = (ImpactResult.idea_id, ImpactResult.metric_code, ImpactResult.method, ImpactResult.verdict,
            ImpactResult.effect, ImpactResult.ci_low, ImpactResult.ci_high, ImpactResult.p_value,
            ImpactResult.baseline_mean, ImpactResult.pre_trend_p, ImpactResult.treated_teams,
            ImpactResult.comparison_teams, ImpactResult.n_obs, ImpactResult.direction, ImpactResult.warnings,
            ImpactResult.inference)


def stored(session: Session, idea_ids: Iterable[int] | None = None, *, teams: bool = True
           ) -> list[impact.ImpactEstimate]:
    """The stored estimates (of `idea_ids`, or all), ordered by idea and metric. With teams=False the estimates
    name no treated or comparison teams: a company's comparison set is a couple of hundred team codes per
    estimate, gigabytes over a whole portfolio, and the portfolio views never show them."""
    stmt = select(*_COLUMNS).order_by(ImpactResult.idea_id, ImpactResult.metric_code)
    wanted = None if idea_ids is None else {int(i) for i in idea_ids}
    if wanted is not None:
        if not wanted:
            return []
        if len(wanted) <= impact_reads.MAX_IDS_IN_SQL:
            stmt = stmt.where(ImpactResult.idea_id.in_(sorted(wanted)))
    out = []
    estimate = impact.ImpactEstimate
    for (idea_id, metric, method, verdict, effect, ci_low, ci_high, p, baseline, pre_trend, treated, comparison,
         n_obs, direction, warnings, inference) in session.connection().execute(stmt):
        if wanted is not None and idea_id not in wanted:
            continue
        out.append(estimate(
            metric=metric, method=method, verdict=verdict, effect=effect, ci_low=ci_low, ci_high=ci_high,
            p_value=p, baseline_mean=baseline, pre_trend_p=pre_trend,
            treated_teams=tuple(treated.split()) if teams else (),
            comparison_teams=tuple(comparison.split()) if teams else (), n_obs=n_obs, direction=direction,
            idea_id=idea_id,
            warnings=() if warnings == "[]" else tuple(json.loads(warnings)), inference=inference,
        ))
    return out


def improved_ideas(db: Database) -> set[int]:
    """Ids of launched ideas with at least one improved metric, as the estimator says now."""
    refresh(db)
    with db.read() as s:
        return set(s.connection().execute(
            select(ImpactResult.idea_id).where(ImpactResult.verdict == impact.IMPROVED).distinct()).scalars())


def improved_without_harm(db: Database) -> set[int]:
    """Ids of launched ideas with at least one improved metric and no target metric worsened, as the estimator's
    headline says now: what earns recognition (an idea that trades one customer metric for another does not)."""
    refresh(db)
    improved: set[int] = set()
    worsened: set[int] = set()
    with db.read() as s:
        for idea_id, verdict in s.connection().execute(
                select(ImpactResult.idea_id, ImpactResult.verdict)
                .where(ImpactResult.verdict.in_([impact.IMPROVED, impact.WORSENED]))):
            (improved if verdict == impact.IMPROVED else worsened).add(idea_id)
    return improved - worsened


def current(db: Database, *, idea_ids: Iterable[int] | None = None, teams: bool = True
            ) -> list[impact.ImpactEstimate]:
    """Every launched idea's estimates (or those of `idea_ids`), as the estimator gives them now: stored answers,
    refreshed first where missing or outdated (`stored` says what teams=False leaves out). No permission check:
    callers check theirs."""
    ids = None if idea_ids is None else sorted({int(i) for i in idea_ids})
    refresh(db)  # all of them: usually answered by the memo at once
    with db.read() as s:
        return stored(s, ids, teams=teams)

