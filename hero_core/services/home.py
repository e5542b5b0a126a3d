"""Home: what waits for this person now, per role, in a few small queries (it runs on every log-in).

Each part answers one question of one role and returns at most `limit` items and the total, never a whole list:
- everyone with ideas: my ideas that need me (drafts, sent back for changes); open campaigns for my team; my
  team's recent wins (ideas scaled, or measured as improving a customer metric with none worsened);
- managers and admins: the review queue (ideas.review_queue, cached) with its overdue count;
- IT champions: ideas waiting to be claimed (the IT board's first column) and the pilots they champion;
- executives: ideas launched this quarter and how many of them improved a customer metric;
- admins: the most recent imports of ideas and of metrics;
- everyone: their own calls for help still open, and the checked job aids of the ideas that reach their team;
- e-coaches: the calls for help waiting for a first answer in their systems and touch points.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from hero_core import impact_store, permissions
from hero_core.db import Database
from hero_core.models import AuditEntry, Idea, Team
from hero_core.services import campaigns, help, ideas, job_aids, lifecycle_sql
from hero_core.services.common import load_actor
from hero_core.vocab import State

S = State
#: How far back a team's win still counts as recent.
RECENT_WINS_DAYS = 90
#: Idea imports are looked for among this many newest entries of the audit trail (a recent import is there).
RECENT_AUDIT_ENTRIES = 20_000


@dataclass(frozen=True)
class HomeIdea:
    """One idea on a home page: what it is and the one fact that says why it is listed."""

    id: int
    title: str
    state: str
    when: datetime | date | None = None  # a due date, the day it was scaled or launched, or the last change


@dataclass(frozen=True)
class Listing:
    """The first few items of a list, and how many there are in all."""

    items: tuple
    total: int


@dataclass(frozen=True)
class CampaignItem:
    id: int
    title: str


@dataclass(frozen=True)
class QueueSummary:
    """The review queue as a home page shows it: the most urgent first."""

    items: tuple[ideas.QueueItem, ...]
    total: int
    overdue: int
    second_approvals: int


@dataclass(frozen=True)
class QuarterImpact:
    first_day: date
    launched: int  # ideas launched (pilot started) from the quarter's first day until today
    improved: int | None  # of those, measured as improving a target metric with none worsened; None: not known now


@dataclass(frozen=True)
class ImportItem:
    kind: str  # "ideas" or "metrics"
    at: datetime
    by: str
    rows: int
    source: str


def needs_me(db: Database, *, actor_id: int, limit: int = 5) -> Listing:
    """My drafts and my ideas sent back for changes, the most recently changed first."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        where = (Idea.submitter_id == actor.id, Idea.state.in_([S.DRAFT.value, S.NEEDS_CHANGES.value]),
                 Idea.merged_into_id.is_(None))
        total = s.execute(select(func.count(Idea.id)).where(*where)).scalar() or 0
        rows = s.execute(select(Idea.id, Idea.title, Idea.state, Idea.updated_at).where(*where)
                         .order_by(Idea.updated_at.desc(), Idea.id.desc()).limit(limit)).all()
    return Listing(tuple(HomeIdea(*row) for row in rows), total)


def open_campaigns(db: Database, *, actor_id: int, limit: int = 3) -> Listing:
    """Open campaigns an idea of my team may answer, newest first."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        team_code = _team_code(s, actor.team_id)
    found = campaigns.answerable(db, team_code=team_code)
    return Listing(tuple(CampaignItem(i, t) for i, t in found[:limit]), len(found))


def team_wins(db: Database, *, actor_id: int, limit: int = 5) -> Listing:
    """My team's ideas of the last RECENT_WINS_DAYS that were scaled, or launched and measured as improving a
    customer metric with none worsened (the Hall of HEROs' rule), the newest first."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        if actor.team_id is None:
            return Listing((), 0)
        since = db.now() - timedelta(days=RECENT_WINS_DAYS)
        scaled = s.execute(
            select(Idea.id, Idea.title, Idea.state, Idea.scaled_at)
            .where(Idea.team_id == actor.team_id, Idea.state == S.SCALED.value, Idea.scaled_at >= since,
                   Idea.merged_into_id.is_(None))
        ).all()
        launched = s.execute(
            select(Idea.id, Idea.title, Idea.state, Idea.launch_date)
            .where(Idea.team_id == actor.team_id, lifecycle_sql.launched(),
                   Idea.launch_date >= since.date(), Idea.merged_into_id.is_(None))
        ).all()
    wins = {row.id: HomeIdea(*row) for row in scaled}
    if launched:
        improved = _improved(db)
        for row in launched:
            if row.id not in wins and improved is not None and row.id in improved:
                wins[row.id] = HomeIdea(*row)
    ordered = sorted(wins.values(), key=lambda w: (_day(w.when), w.id), reverse=True)
    return Listing(tuple(ordered[:limit]), len(ordered))


def review_summary(db: Database, *, actor_id: int, limit: int = 5) -> QueueSummary:
    """The review queue's most urgent ideas, its size, how many are overdue and how many await a second
    approver (ideas.review_queue: cached on the data version)."""
    queue = ideas.review_queue(db, actor_id=actor_id)
    return QueueSummary(tuple(queue[:limit]), len(queue), sum(1 for q in queue if q.sla_status == "overdue"),
                        sum(1 for q in queue if q.needs_second_approver))


def claimable(db: Database, *, actor_id: int, limit: int = 5) -> tuple[Listing, int]:
    """Technology ideas waiting for an IT champion, the longest waiting first, and how many are past the promise
    to claim them."""
    counts = ideas.it_board_counts(db, actor_id=actor_id)[S.AWAITING_IT.value]
    cards = ideas.it_board(db, actor_id=actor_id, limit=limit)[S.AWAITING_IT.value]
    items = tuple(HomeIdea(c.idea.id, c.idea.title, c.idea.state, c.since) for c in cards[:limit])
    return Listing(items, counts.total), counts.overdue


def my_pilots(db: Database, *, actor_id: int, limit: int = 5) -> Listing:
    """The ideas I champion that are in build, piloting or being scaled, the most recently changed first."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_it_board")
        where = (Idea.it_champion_id == actor.id, Idea.merged_into_id.is_(None),
                 Idea.state.in_([S.IN_BUILD.value, S.PILOTING.value, S.SCALING.value]))
        total = s.execute(select(func.count(Idea.id)).where(*where)).scalar() or 0
        rows = s.execute(select(Idea.id, Idea.title, Idea.state, Idea.updated_at).where(*where)
                         .order_by(Idea.updated_at.desc(), Idea.id.desc()).limit(limit)).all()
    return Listing(tuple(HomeIdea(*row) for row in rows), total)


def quarter_impact(db: Database, *, actor_id: int) -> QuarterImpact:
    """Ideas launched this quarter (to today) and how many of them improved a customer metric with none
    worsened, as the impact estimator's stored verdicts say (None when they cannot be read now)."""
    today = db.now().date()
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_impact")
        launched = set(s.execute(
            select(Idea.id).where(lifecycle_sql.launched(),
                                  Idea.launch_date >= first, Idea.launch_date <= today,
                                  Idea.merged_into_id.is_(None))
        ).scalars())
    improved = _improved(db) if launched else set()
    return QuarterImpact(first, len(launched), None if improved is None else len(launched & improved))


def recent_imports(db: Database, *, actor_id: int, limit: int = 3) -> tuple[ImportItem, ...]:
    """The latest imports of ideas (among the newest RECENT_AUDIT_ENTRIES changes) and of metrics, newest first,
    from the audit trail."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "manage_users")
        # An idea import writes one entry per idea, all at the same instant: one line per import. Only the newest
        # entries of the trail are read (through the index on seq): the trail has no index on the action, and
        # reading all of it takes seconds on a company's trail (measured: docs/measurements.md).
        newest = s.execute(select(func.max(AuditEntry.seq))).scalar() or 0
        # (The entity type is grouped on, not filtered on: a filter on it made the planners prefer its index.)
        idea_imports = [row[:4] for row in s.execute(
            select(AuditEntry.at, AuditEntry.actor_email, func.count(), func.min(AuditEntry.reason),
                   AuditEntry.entity_type)
            .where(AuditEntry.seq > newest - RECENT_AUDIT_ENTRIES, AuditEntry.action == "imported")
            .group_by(AuditEntry.at, AuditEntry.actor_email, AuditEntry.entity_type)
            .order_by(AuditEntry.at.desc())
        ) if row[4] == "idea"][:limit]
        metric_imports = s.execute(
            select(AuditEntry.at, AuditEntry.actor_email, AuditEntry.after_json, AuditEntry.entity_id)
            .where(AuditEntry.entity_type == "observations", AuditEntry.action == "metrics_imported")
            # seq + 0: sorted after the entity index found the few rows; walking the seq index backwards instead
            # read the whole trail when there were none (measured: docs/measurements.md).
            .order_by((AuditEntry.seq + 0).desc()).limit(limit)
        ).all()
    out = [ImportItem("ideas", at, by, rows, _source(reason)) for at, by, rows, reason in idea_imports]
    out += [ImportItem("metrics", at, by, _rows(after), name) for at, by, after, name in metric_imports]
    return tuple(sorted(out, key=lambda i: i.at, reverse=True)[:limit])


# ---- helpers -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HelpListing:
    items: tuple  # help.RequestSummary, newest first (or most urgent first, for an e-coach)
    total: int


def my_open_help(db: Database, *, actor_id: int, limit: int = 3) -> HelpListing:
    """My calls for help not solved yet: waiting for an answer, or answered and waiting for me to mark the one
    that solved it."""
    mine = [r for r in help.my_requests(db, actor_id=actor_id) if r.state != help.SOLVED]
    return HelpListing(tuple(mine[:limit]), len(mine))


def help_waiting(db: Database, *, actor_id: int, limit: int = 5) -> HelpListing:
    """For an e-coach: the calls for help in their scope waiting for a first answer, most urgent first."""
    return HelpListing(tuple(help.queue(db, actor_id=actor_id, limit=limit)),
                       help.queue_count(db, actor_id=actor_id))


def team_job_aids(db: Database, *, actor_id: int, limit: int = 3) -> tuple[tuple, int]:
    """The checked job aids of the launched ideas that reach my team: (the first `limit`, how many in all)."""
    aids = job_aids.for_my_team(db, actor_id=actor_id)
    return tuple(aids[:limit]), len(aids)


def _team_code(s, team_id: int | None) -> str | None:
    return None if team_id is None else s.execute(select(Team.code).where(Team.id == team_id)).scalar()


def _improved(db: Database) -> set[int] | None:
    """Launched ideas that improved a metric with none worsened (impact_store: stored verdicts, refreshed where
    outdated); None when the estimator cannot answer now, so that a home page never fails on it."""
    try:
        return impact_store.improved_without_harm(db)
    except Exception:  # noqa: BLE001 - the impact page says what went wrong; home only links to it
        return None


def _day(value: datetime | date | None) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value or date.min


def _source(reason: str) -> str:
    """'imported from ideas.csv, row 2' -> 'ideas.csv'."""
    text = (reason or "").removeprefix("imported from ")
    return text.rsplit(", row ", 1)[0]


def _rows(after_json: str) -> int:
    try:
        return int(json.loads(after_json or "{}").get("rows", 0))
    except (ValueError, TypeError, AttributeError):
        return 0
