"""The compact scorecard: has every party kept its promise? Per team and quarter, aggregated in the database.

Each measure counts an idea in the quarter (UTC) of the milestone that starts the promise it measures: the
frontline's and managers' measures by the quarter an idea was submitted, IT's claim measures by the quarter it
was approved, "pilots that scaled" by the quarter its pilot started, and measured wins by the quarter of the
launch. "Within the SLA" compares a milestone with the due date the service-level clock set (business days,
hero_core/sla.py); an idea still waiting past its due date counts as a broken promise, one still within it
is not counted yet. Medians are in calendar days. Staff are the team's active people today (there is no
head-count history), so "ideas per 100 staff" of past quarters uses today's team sizes.

Everything except measured wins is SQL over the milestone columns of `ideas` (GROUP BY, window functions for
the medians); measured wins come from the impact estimator (hero_core/impact.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import case, distinct, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hero_core import impact_store, permissions, risk
from hero_core.db import Database
from hero_core.models import Approval, Idea, Team, User
from hero_core.services import adoption, approvals, help, lifecycle_sql
from hero_core.services.common import load_actor
from hero_core.services.impact_views import _days_between

ALL_TEAMS = "All teams"


@dataclass(frozen=True)
class Measure:
    column: str
    party: str
    label: str
    definition: str
    kind: str  # "count", "rate" (per 100 staff), "share" (0..1) or "days"
    better: str  # "higher" or "lower"


#: The scorecard's measures, party by party: the columns of `scorecard()` and the words the page shows.
MEASURES: tuple[Measure, ...] = (
    Measure("ideas", "frontline", "Ideas submitted", "ideas submitted in the quarter", "count", "higher"),
    Measure(
        "ideas_per_100_staff",
        "frontline",
        "Ideas per 100 staff",
        "ideas submitted in the quarter per 100 of the team's active people",
        "rate",
        "higher",
    ),
    Measure(
        "share_approved",
        "frontline",
        "Share reaching approval",
        "of the quarter's submitted ideas, the share approved so far",
        "share",
        "higher",
    ),
    Measure(
        "median_days_to_review",
        "managers",
        "Median days to start review",
        "from submission to the start of the review",
        "days",
        "lower",
    ),
    Measure(
        "median_days_to_decision",
        "managers",
        "Median days to decide",
        "from submission to the decision (approve or decline)",
        "days",
        "lower",
    ),
    Measure(
        "share_decided_in_sla",
        "managers",
        "Decided within the SLA",
        "decisions made by their due date, of those made or overdue",
        "share",
        "higher",
    ),
    Measure(
        "share_high_risk_second_approver",
        "managers",
        "High risk with a second approver",
        f"of high-risk ideas (risk {risk.HIGH_RISK_THRESHOLD}+) with a first approval, the share that has "
        "its second, different approver",
        "share",
        "higher",
    ),
    Measure(
        "median_days_to_claim",
        "IT",
        "Median days to claim",
        "from approval to an IT champion's claim (technology ideas)",
        "days",
        "lower",
    ),
    Measure(
        "share_claimed_in_sla",
        "IT",
        "Claimed within the SLA",
        "claims made by their due date, of those made or overdue",
        "share",
        "higher",
    ),
    Measure(
        "share_pilots_scaled",
        "IT",
        "Pilots that scaled",
        "of the pilots started in the quarter, the share scaled so far",
        "share",
        "higher",
    ),
    Measure(
        "share_rollouts_on_time",
        "IT",
        "Roll-outs reaching teams on time",
        "of the teams a scaled idea's roll-out plan said it would reach by a date in the quarter, the share reached "
        "by then (by the team to reach)",
        "share",
        "higher",
    ),
    Measure(
        "share_help_answered_in_sla",
        "e-coaches",
        "Help answered within the SLA",
        "help requests first answered within the e-coaches' service level, of those answered or past due "
        "(by the asker's team and the quarter asked)",
        "share",
        "higher",
    ),
    Measure(
        "measured_wins",
        "everyone",
        "Measured wins",
        "ideas launched in the quarter that improved at least one customer metric (impact estimator)",
        "count",
        "higher",
    ),
)
COLUMNS = ("quarter", "team", "staff", "pilots", "high_risk_ideas", *(m.column for m in MEASURES))


quarter_expr = lifecycle_sql.quarter_expr  # its home is lifecycle_sql (help requests count by quarter too)
_utc = lifecycle_sql.utc


def _grouped(stmt, quarter, by_team: bool):
    keys = [quarter] + ([Idea.team_id] if by_team else [])
    return stmt.add_columns(*keys).group_by(*keys)


def _medians(
    s: Session, days, quarter, conds: Iterable, by_team: bool
) -> dict[tuple, tuple[float | None, int]]:
    """(quarter[, team_id]) -> (median, n) of `days`, with window functions (no rows loaded)."""
    partition = [quarter] + ([Idea.team_id] if by_team else [])
    ranked = (
        select(
            quarter.label("q"),
            (Idea.team_id if by_team else literal(0)).label("t"),
            days.label("d"),
            func.row_number().over(partition_by=partition, order_by=days).label("rn"),
            func.count().over(partition_by=partition).label("c"),
        )
        .where(*conds)
        .subquery()
    )
    rows = s.execute(
        select(ranked.c.q, ranked.c.t, func.avg(ranked.c.d), func.max(ranked.c.c))
        .where((2 * ranked.c.rn).in_([ranked.c.c, ranked.c.c + 1, ranked.c.c + 2]))
        .group_by(ranked.c.q, ranked.c.t)
    ).all()
    return {
        ((q, t) if by_team else (q,)): (float(m) if m is not None else None, int(n)) for q, t, m, n in rows
    }


def _share(num, den) -> float | None:
    return None if not den else round(float(num) / float(den), 4)


#: A duplicate merged into its original is counted once, as the original: merged duplicates are left out.
LIVE = Idea.merged_into_id.is_(None)


def _facts(s: Session, now: datetime, by_team: bool) -> dict[tuple, dict]:
    dialect = s.get_bind().dialect.name
    q_sub = quarter_expr(dialect, _utc(dialect, Idea.submitted_at))
    q_app = quarter_expr(dialect, _utc(dialect, Idea.approved_at))
    q_pil = quarter_expr(dialect, _utc(dialect, Idea.piloted_at))
    out: dict[tuple, dict] = {}

    def put(rows, names):
        for row in rows:
            *values, q = row[: len(names) + 1]
            key = (q, row[len(names) + 1]) if by_team else (q,)
            out.setdefault(key, {}).update(dict(zip(names, values, strict=True)))

    def one(flag) -> ColumnElement[int]:
        return func.sum(case((flag, 1), else_=0))

    # Frontline and managers, by the quarter of submission.
    # Kept and broken promises as hero_core/lifecycle.py defines them (the SQL twins of lifecycle_sql.py): a
    # decision counts for the review round it closed, so a resubmitted idea waits for a fresh one.
    decided_on_time = lifecycle_sql.promise_kept("decision_due")
    decision_broken = lifecycle_sql.promise_broken("decision_due", now)
    stmt = select(
        func.count(Idea.id),
        one(Idea.approved_at.is_not(None)),
        one(decided_on_time),
        one(decision_broken),
    ).where(Idea.submitted_at.is_not(None), LIVE)
    put(
        s.execute(_grouped(stmt, q_sub, by_team)), ["ideas", "approved", "decided_on_time", "decision_broken"]
    )

    # IT, by the quarter of approval (only ideas whose claim clock started).
    claimed_on_time = lifecycle_sql.promise_kept("it_claim_due")
    claim_broken = lifecycle_sql.promise_broken("it_claim_due", now)
    stmt = select(one(claimed_on_time), one(claim_broken)).where(
        Idea.it_claim_due.is_not(None), Idea.approved_at.is_not(None), LIVE
    )
    put(s.execute(_grouped(stmt, q_app, by_team)), ["claimed_on_time", "claim_broken"])

    # Pilots, by the quarter the pilot started.
    stmt = select(func.count(Idea.id), one(Idea.scaled_at.is_not(None))).where(Idea.piloted_at.is_not(None), LIVE)
    put(s.execute(_grouped(stmt, q_pil, by_team)), ["pilots", "pilots_scaled"])

    # High risk as the approval rule counts it (hero_core/services/approvals.py): an idea whose current review
    # round holds a high assessment, and how many different people approved the round's current assessment.
    approvers = (
        select(Approval.assessment_id, func.count(distinct(Approval.approver_id)).label("n")).group_by(
            Approval.assessment_id
        )
    ).subquery()
    stmt = (
        select(func.count(Idea.id), one(approvers.c.n >= 2))
        .select_from(Idea)
        .join(approvers, approvers.c.assessment_id == approvals.current_assessment_id())
        .where(approvals.round_is_high(), Idea.submitted_at.is_not(None), LIVE)
    )
    put(s.execute(_grouped(stmt, q_sub, by_team)), ["high_risk_ideas", "high_risk_second"])

    # Medians.
    for name, start, end, quarter, extra in (
        ("median_days_to_review", Idea.submitted_at, Idea.review_started_at, q_sub, []),
        ("median_days_to_decision", Idea.submitted_at, lifecycle_sql.DECISION_DONE, q_sub, []),
        ("median_days_to_claim", Idea.approved_at, Idea.claimed_at, q_app, [Idea.it_claim_due.is_not(None)]),
    ):
        days = _days_between(dialect, start, end)
        medians = _medians(s, days, quarter, [start.is_not(None), end.is_not(None), LIVE, *extra], by_team)
        for key, (median, _) in medians.items():
            out.setdefault(key, {})[name] = None if median is None else round(median, 2)
    return out


def _wins(db: Database) -> dict[tuple[str, int], int]:
    """(launch quarter, team_id) -> launched ideas with at least one improved metric."""
    won = impact_store.improved_ideas(db)  # stored verdicts, refreshed where outdated
    if not won:
        return {}
    with db.read() as s:
        rows = [(team_id, launch) for idea_id, team_id, launch in s.connection().execute(
            select(Idea.id, Idea.team_id, Idea.launch_date).where(Idea.launch_date.is_not(None))) if idea_id in won]
    counts: dict[tuple[str, int], int] = {}
    for team_id, launch in rows:
        key = (f"{launch.year}Q{(launch.month - 1) // 3 + 1}", team_id)
        counts[key] = counts.get(key, 0) + 1
    return counts


def scorecard(db: Database, *, actor_id: int, last_quarters: int | None = None) -> pd.DataFrame:
    """One row per quarter x team, plus an "All teams" row per quarter; columns COLUMNS (see MEASURES)."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_scorecard")
        now = db.now()
        codes = dict(s.execute(select(Team.id, Team.code)).all())
        staff = dict(
            s.execute(
                select(User.team_id, func.count(User.id))
                .where(User.active.is_(True), User.team_id.is_not(None))
                .group_by(User.team_id)
            ).all()
        )
        by_team = _facts(s, now, by_team=True)
        overall = _facts(s, now, by_team=False)
    # The e-coaches' promise, as the help service counts it (its SQL is the rule's one home), by team code.
    help_rows = help.ecoach_promise_kept(db, actor_id=actor_id)
    help_team = {(r.quarter, r.team_code): (r.requests, r.kept) for r in help_rows}
    help_all: dict[str, list[int]] = {}
    for r in help_rows:
        cell = help_all.setdefault(r.quarter, [0, 0])
        cell[0] += r.requests
        cell[1] += r.kept
    # IT's roll-out promise, as the adoption service counts it (read as the system: the scorecard shows counts).
    rollouts = adoption.rollout_promise(db, actor_id=None, by_team=True)
    rollout_team = {(q, t): (int(d), int(k)) for q, t, d, k in rollouts[["quarter", "team", "due", "kept"]].itertuples(
        index=False)}
    rollout_all: dict[str, list[int]] = {}
    for (q, _), (d, k) in rollout_team.items():
        cell = rollout_all.setdefault(q, [0, 0])
        cell[0] += d
        cell[1] += k
    # The estimator's own read (it asks as the system: the scorecard shows counts of wins, not the estimates).
    wins_team = _wins(db)
    wins_all: dict[tuple, int] = {}
    for (q, _), n in wins_team.items():
        wins_all[(q,)] = wins_all.get((q,), 0) + n
    quarters = sorted({k[0] for k in by_team} | {k[0] for k in wins_all} | set(help_all) | set(rollout_all))
    ids_by_code = {code: team_id for team_id, code in codes.items()}
    for q, code in [*help_team, *rollout_team]:
        if code in ids_by_code:
            by_team.setdefault((q, ids_by_code[code]), {})
    if last_quarters:
        quarters = quarters[-last_quarters:]
    records = []
    for q in quarters:
        records.append(_row(q, ALL_TEAMS, sum(staff.values()), overall.get((q,), {}), wins_all.get((q,), 0),
                            tuple(help_all.get(q, (0, 0))), tuple(rollout_all.get(q, (0, 0)))))
        team_ids = sorted(
            {k[1] for k in by_team if k[0] == q} | {k[1] for k in wins_team if k[0] == q},
            key=lambda t: codes.get(t, ""),
        )
        records.extend(_row(q, codes.get(t, str(t)), staff.get(t, 0), by_team.get((q, t), {}), wins_team.get((q, t), 0),
                            help_team.get((q, codes.get(t, "")), (0, 0)),
                            rollout_team.get((q, codes.get(t, "")), (0, 0)))
                       for t in team_ids)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _row(quarter: str, team: str, staff: int, f: dict, wins: int, help_kept: tuple[int, int],
         rollouts: tuple[int, int]) -> dict:
    ideas = int(f.get("ideas") or 0)
    decided_on_time, decision_broken = int(f.get("decided_on_time") or 0), int(f.get("decision_broken") or 0)
    claimed_on_time, claim_broken = int(f.get("claimed_on_time") or 0), int(f.get("claim_broken") or 0)
    pilots = int(f.get("pilots") or 0)
    high = int(f.get("high_risk_ideas") or 0)
    return {
        "quarter": quarter,
        "team": team,
        "staff": staff,
        "pilots": pilots,
        "high_risk_ideas": high,
        "ideas": ideas,
        "ideas_per_100_staff": round(100 * ideas / staff, 1) if staff else None,
        "share_approved": _share(f.get("approved") or 0, ideas),
        "median_days_to_review": f.get("median_days_to_review"),
        "median_days_to_decision": f.get("median_days_to_decision"),
        "share_decided_in_sla": _share(decided_on_time, decided_on_time + decision_broken),
        "share_high_risk_second_approver": _share(f.get("high_risk_second") or 0, high),
        "median_days_to_claim": f.get("median_days_to_claim"),
        "share_claimed_in_sla": _share(claimed_on_time, claimed_on_time + claim_broken),
        "share_pilots_scaled": _share(f.get("pilots_scaled") or 0, pilots),
        "share_rollouts_on_time": _share(rollouts[1], rollouts[0]),
        "share_help_answered_in_sla": _share(help_kept[1], help_kept[0]),
        "measured_wins": wins,
    }


def measures_table() -> pd.DataFrame:
    """The scorecard's definitions, for the page."""
    return pd.DataFrame(
        [{"party": m.party, "measure": m.label, "definition": m.definition} for m in MEASURES]
    )


__all__ = ["ALL_TEAMS", "COLUMNS", "MEASURES", "Measure", "measures_table", "quarter_expr", "scorecard"]
