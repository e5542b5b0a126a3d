"""Read models for the impact page: the portfolio of measured effects, one idea's weekly series, the compact's
funnel with stage durations, and the risk heat map.

Each is one job: load the actor, check "view_impact", aggregate in the database (GROUP BY, window
functions) and hand back a small DataFrame. Observations are never loaded row by row: the series and the
estimates work on team x week means computed in SQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as arrow
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hero_core import cache, impact, impact_store, lifecycle, permissions, risk
from hero_core.db import Database
from hero_core.errors import InvalidInput, NotFound
from hero_core.models import (
    Campaign,
    Idea,
    IdeaPilotTeam,
    ImpactResult,
    Metric,
    RiskAssessment,
    RiskRating,
    Team,
)
from hero_core.services import impact_reads, lifecycle_sql
from hero_core.services.common import load_actor
from hero_core.services.data_version import data_version  # the one data version, re-exported for old callers
from hero_core.services.observations import weekly_means
from hero_core.vocab import State
from hero_core.weeks import week_start

PERIOD_COLUMNS = ("submitted_at", "launch_date")
T = TypeVar("T")


@dataclass(frozen=True)
class ViewFilters:
    """What the impact page lets a person narrow down. Empty means everything."""

    team_codes: tuple[str, ...] = ()  # the idea's own team
    touchpoints: tuple[str, ...] = ()
    campaign_ids: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    period_on: str | None = None  # "submitted_at" or "launch_date"; None: the view's natural date


def _conditions(filters: ViewFilters, default_period: str) -> list[ColumnElement[bool]]:
    period_on = filters.period_on or default_period
    if period_on not in PERIOD_COLUMNS:
        raise InvalidInput(f"period must be on one of {', '.join(PERIOD_COLUMNS)}, not {period_on!r}")
    conds: list[ColumnElement[bool]] = [Idea.state != State.DRAFT.value]
    if filters.team_codes:
        codes = [c.strip().lower() for c in filters.team_codes]
        conds.append(Idea.team_id.in_(select(Team.id).where(func.lower(Team.code).in_(codes))))
    if filters.touchpoints:
        conds.append(Idea.touchpoint.in_(list(filters.touchpoints)))
    if filters.campaign_ids:
        conds.append(Idea.campaign_id.in_(list(filters.campaign_ids)))
    column = getattr(Idea, period_on)
    if period_on == "submitted_at":
        if filters.date_from:
            conds.append(column >= datetime.combine(filters.date_from, time(), tzinfo=UTC))
        if filters.date_to:
            conds.append(column < datetime.combine(filters.date_to + timedelta(days=1), time(), tzinfo=UTC))
    else:
        if filters.date_from:
            conds.append(column >= filters.date_from)
        if filters.date_to:
            conds.append(column <= filters.date_to)
    return conds


def _authorise(s: Session, actor_id: int | None) -> None:
    permissions.require(load_actor(s, actor_id), "view_impact")


# ---- (a) the portfolio -------------------------------------------------------------------------------------

PORTFOLIO_COLUMNS = (
    "idea_id",
    "title",
    "team",
    "touchpoint",
    "campaign",
    "launch_date",
    "state",
    "metric",
    "unit",
    "direction",
    "effect",
    "ci_low",
    "ci_high",
    "p_value",
    "verdict",
    "method",
    "inference",
    "baseline_mean",
    "pre_trend_p",
    "n_obs",
    "warnings",
)


def portfolio(
    db: Database,
    *,
    actor_id: int | None,
    filters: ViewFilters = ViewFilters(),
    windows: impact.ImpactWindows | None = None,
) -> pd.DataFrame:
    """One row per launched idea x target metric with its measured effect (period filter: launch date); a
    launched idea that names no target metric gets one row with metric "" and "not enough data". With the
    compact's own windows the answer is read from the stored verdicts and cached (hero_core.cache): shared
    read-only, handed out as a shallow copy."""
    if windows is None or windows == impact.windows_from_env():
        return portfolio_with(db, actor_id=actor_id, filters=filters)[0]
    with db.read() as s:
        _authorise(s, actor_id)
        units = dict(s.execute(select(Metric.code, Metric.unit)).all())
        ideas = s.execute(_with_idea_facts().where(*_launched(filters)).order_by(Idea.launch_date.desc(), Idea.id)
                          ).all()
    if not ideas:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PORTFOLIO_COLUMNS})
    # Other windows than the compact's own: estimated now, not stored.
    estimates = impact_reads.estimate_portfolio(db, actor_id=actor_id, idea_ids=[i[0] for i in ideas],
                                                windows=windows)
    by_idea: dict[int, list[impact.ImpactEstimate]] = {}
    for e in estimates:
        by_idea.setdefault(e.idea_id, []).append(e)
    records = [
        (*facts, *(_UNMEASURED if e is None else (
            e.metric, e.direction, e.effect, e.ci_low, e.ci_high, e.p_value, e.verdict, e.method, e.inference,
            e.baseline_mean, e.pre_trend_p, e.n_obs, " ".join(e.warnings))))
        for facts in ideas
        for e in sorted(by_idea.get(facts[0], []), key=lambda e: e.metric) or [None]
    ]
    return _compact(_portfolio_frame(records, units))


def portfolio_with(db: Database, *, actor_id: int | None, filters: ViewFilters = ViewFilters(),
                   derived: tuple[Hashable, Callable[[pd.DataFrame], T]] | None = None, shared: bool = False
                   ) -> tuple[pd.DataFrame, T | None]:
    """The portfolio with the compact's own windows (see `portfolio`) and, when `derived` = (name, function)
    is given, function(portfolio) cached beside it at the same data version (a page's table of it, say). The
    unfiltered portfolio, the one a first visit shows, is also kept for the next server process
    (hero_core.infra.snapshots): at 100k ideas it takes seconds to build. shared=True hands out the cached
    frame itself (one copy for everyone: read-only by contract), else a shallow copy."""
    windows = impact.windows_from_env()
    with db.read() as s:
        _authorise(s, actor_id)
        version = cache.data_version(s)
        key = ("impact_portfolio", filters, windows, impact.METHOD_VERSION)
        frame = cache.cached(s, key, lambda: _compact_portfolio(db, filters), persist=filters == ViewFilters(),
                             version=version)
        extra = None
        if derived is not None:
            name, function = derived
            extra = cache.cached(s, (*key, name), lambda: function(frame), version=version)
    return (frame if shared else frame.copy(deep=False)), extra


def _launched(filters: ViewFilters) -> list[ColumnElement[bool]]:
    return [
        lifecycle_sql.launched(),
        *_conditions(filters, "launch_date"),
    ]


def _compact_portfolio(db: Database, filters: ViewFilters) -> pd.DataFrame:
    impact_store.refresh(db)  # stored answers, refreshed where outdated; read straight into columns
    with db.read() as s:
        units = dict(s.execute(select(Metric.code, Metric.unit)).all())
        return _stored_portfolio(s, _launched(filters), units)


# What the portfolio reads of each idea, and of each stored estimate, in the order of _RECORD_COLUMNS.
_IDEA_FACTS = (Idea.id, Idea.title, Team.code, Idea.touchpoint, Campaign.title, Idea.launch_date, Idea.state)
_ESTIMATE_FACTS = (ImpactResult.metric_code, ImpactResult.direction, ImpactResult.effect, ImpactResult.ci_low,
                   ImpactResult.ci_high, ImpactResult.p_value, ImpactResult.verdict, ImpactResult.method,
                   ImpactResult.inference, ImpactResult.baseline_mean, ImpactResult.pre_trend_p, ImpactResult.n_obs,
                   ImpactResult.warnings)
_RECORD_COLUMNS = ("idea_id", "title", "team", "touchpoint", "campaign", "launch_date", "state", "metric",
                   "direction", "effect", "ci_low", "ci_high", "p_value", "verdict", "method", "inference",
                   "baseline_mean", "pre_trend_p", "n_obs", "warnings")
#: A launched idea that names no target metric: one row that says so instead of hiding it.
_UNMEASURED = ("", "", None, None, None, None, impact.NOT_ENOUGH_DATA, "", "", None, None, 0,
               "The idea names no target metric, so there is nothing to measure.")
#: Rows turned into a compact frame at a time while reading: the rows of a whole company's portfolio as Python tuples
#: were many times the size of the finished frame. Smaller batches, each kept as categories, lower the build's
#: peak (measured: docs/measurements.md).
PORTFOLIO_BATCH = 2_000


def _with_idea_facts(*more):
    """SELECT each idea's _IDEA_FACTS (its team's code and campaign's title joined), then `more`."""
    return (select(*_IDEA_FACTS, *more).join(Team, Team.id == Idea.team_id)
            .outerjoin(Campaign, Campaign.id == Idea.campaign_id))


def _stored_portfolio(s: Session, launched: list[ColumnElement[bool]], units: dict[str, str]) -> pd.DataFrame:
    """The stored verdicts of the launched ideas matching the filters, joined to the ideas in SQL and read in
    batches, newest launch first (then idea, then metric)."""
    stmt = (
        _with_idea_facts(*_ESTIMATE_FACTS)
        .outerjoin(ImpactResult, ImpactResult.idea_id == Idea.id)
        .where(*launched)
        # Metric codes in code-point order on both databases (PostgreSQL's default collation ignores "_").
        .order_by(Idea.launch_date.desc(), Idea.id,
                  ImpactResult.metric_code.collate("C") if s.get_bind().dialect.name == "postgresql"
                  else ImpactResult.metric_code)
    )
    notes: dict[str | None, str] = {}  # stored JSON list -> the text shown; the same few notes repeat
    parts = []
    for batch in s.connection().execute(stmt).partitions(PORTFOLIO_BATCH):
        records = []
        for row in batch:
            if row[7] is None:  # no stored estimate: the idea names no target metric
                records.append((*row[:7], *_UNMEASURED))
                continue
            raw = row[-1]
            if raw not in notes:
                notes[raw] = " ".join(json.loads(raw)) if raw else ""
            records.append((*row[:-1], notes[raw]))
        parts.append(_compact(_portfolio_frame(records, units)))
        del records, batch
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PORTFOLIO_COLUMNS})
    if len(parts) == 1:
        return parts[0]
    for name in _TEXT_COLUMNS:  # one set of categories for every batch, so that they concatenate as categories
        every = sorted(set().union(*(part[name].cat.categories for part in parts)))
        for part in parts:
            part[name] = part[name].cat.set_categories(every)
    return pd.concat(parts, ignore_index=True)


def _portfolio_frame(records: list[tuple], units: dict[str, str]) -> pd.DataFrame:
    rows = pd.DataFrame.from_records(records, columns=list(_RECORD_COLUMNS))
    rows["unit"] = rows["metric"].map(lambda code: units.get(code, "") if code else "")
    for name in ("effect", "ci_low", "ci_high", "p_value", "baseline_mean", "pre_trend_p"):
        rows[name] = pd.to_numeric(rows[name], errors="coerce").astype("float64")
    rows["idea_id"] = rows["idea_id"].astype("int64")
    rows["n_obs"] = rows["n_obs"].astype("int64")
    for name in _TEXT_COLUMNS:  # text even where a batch holds only None (no campaign), so batches concatenate
        rows[name] = rows[name].astype("str")
    return rows[list(PORTFOLIO_COLUMNS)]


_TEXT_COLUMNS = ("title", "team", "touchpoint", "campaign", "state", "metric", "unit", "direction", "verdict",
                 "method", "inference", "warnings")


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """The text columns as categories (sorted): a company's portfolio repeats a few hundred titles and a handful of
    teams, states, metrics, verdicts and notes over tens of thousands of rows. As strings the text was most of
    the frame; as categories it is a small part of it (measured: docs/measurements.md)."""
    for name in _TEXT_COLUMNS:
        frame[name] = frame[name].astype("category")
    frame["launch_date"] = frame["launch_date"].astype(_DAYS)  # days, not a Python date object per row
    return frame


_DAYS = pd.ArrowDtype(arrow.date32())


# ---- (b) one idea's series ---------------------------------------------------------------------------------

PILOT = "Pilot teams"
COMPARISON = "Comparison teams"


@dataclass(frozen=True)
class IdeaSeries:
    """Weekly means of the pilot and the comparison teams, with the windows the estimate used."""

    idea_id: int
    metric: str
    metric_name: str
    unit: str
    direction: str
    launch_date: date
    baseline: tuple[date, date]  # [start, end) of the baseline window
    evaluation: tuple[date, date]  # [start, end) of the evaluation window
    data: pd.DataFrame = field(repr=False)  # week_start, group, value, teams


def idea_series(
    db: Database,
    *,
    actor_id: int | None,
    idea_id: int,
    metric_code: str,
    windows: impact.ImpactWindows | None = None,
    margin_days: int = 28,
) -> IdeaSeries:
    """The weekly means behind one idea's estimate on one metric, from `margin_days` before the baseline to
    `margin_days` after the evaluation window (cached: hero_core.cache)."""
    windows = windows or impact.windows_from_env()
    with db.read() as s:
        _authorise(s, actor_id)
        series = cache.cached(s, ("idea_series", idea_id, metric_code, windows, margin_days),
                              lambda: _idea_series(db, idea_id, metric_code, windows, margin_days))
    return replace(series, data=series.data.copy(deep=False))


def _idea_series(db: Database, idea_id: int, metric_code: str, windows: impact.ImpactWindows,
                 margin_days: int) -> IdeaSeries:
    with db.read() as s:
        idea = s.get(Idea, idea_id)
        if idea is None or idea.state == State.DRAFT:
            raise NotFound(f"Idea #{idea_id} does not exist.")
        if not lifecycle.is_launched(idea.state, idea.launch_date):
            raise InvalidInput(f"Idea #{idea_id} has not been launched; there is no impact series yet.")
        if metric_code not in {m.metric_code for m in idea.metric_rows}:
            raise InvalidInput(f"{metric_code!r} is not one of idea #{idea_id}'s target metrics.")
        metric = s.execute(select(Metric).where(Metric.code == metric_code)).scalar_one()
        pilots = set(
            s.execute(select(IdeaPilotTeam.team_id).where(IdeaPilotTeam.idea_id == idea_id)).scalars()
        )
        bounds = windows.bounds(idea.launch_date)
        panel = weekly_means(
            s,
            metric_id=metric.id,
            start=bounds.baseline_start - timedelta(days=margin_days),
            end=bounds.eval_end + timedelta(days=margin_days),
        )
    b_lo, b_hi, e_lo, e_hi = bounds.weeks()
    # Comparison teams as the estimator counts them: not piloting, with data in both windows.
    is_pilot = panel["team_id"].isin(pilots)
    pre = panel["week"].between(b_lo, b_hi) & ~is_pilot
    post = panel["week"].between(e_lo, e_hi) & ~is_pilot
    comparison = set(panel.loc[pre, "team_id"]) & set(panel.loc[post, "team_id"])
    group = np.where(is_pilot, PILOT, np.where(panel["team_id"].isin(comparison), COMPARISON, ""))
    panel = panel.assign(group=group)
    data = (
        panel[panel["group"] != ""]
        .groupby(["week", "group"], as_index=False)
        .agg(value=("value", "mean"), teams=("team_id", "nunique"))
    )
    data.insert(0, "week_start", [week_start(w) for w in data["week"]])
    return IdeaSeries(
        idea_id=idea_id,
        metric=metric.code,
        metric_name=metric.name,
        unit=metric.unit,
        direction=metric.direction,
        launch_date=bounds.launch,
        baseline=(bounds.baseline_start, bounds.baseline_end),
        evaluation=(bounds.eval_start, bounds.eval_end),
        data=data[["week_start", "group", "value", "teams"]].reset_index(drop=True),
    )


# ---- (c) the funnel ----------------------------------------------------------------------------------------

#: (stage, label, the milestone that says an idea reached it)
STAGES = (
    ("submitted", "Submitted", "submitted_at"),
    ("reviewed", "Reviewed", "review_started_at"),
    ("approved", "Approved", "approved_at"),
    ("picked_up", "Picked up by IT", "claimed_at"),
    ("piloting", "Piloting", "piloted_at"),
    ("scaled", "Scaled", "scaled_at"),
)
#: Time spent in a stage runs from its milestone to the next one reached (an idea needing no IT goes from
#: approved straight to piloting).
_STAGE_ENDS = {
    "submitted": ("review_started_at",),
    "reviewed": ("approved_at",),
    "approved": ("claimed_at", "piloted_at"),
    "picked_up": ("piloted_at",),
    "piloting": ("scaled_at",),
}


@dataclass(frozen=True)
class FunnelView:
    counts: pd.DataFrame  # stage, label, ideas (that reached the stage)
    durations: pd.DataFrame  # stage, label, median_days, ideas (that left the stage)


def _days_between(dialect: str, start: ColumnElement, end: ColumnElement) -> ColumnElement[float]:
    if dialect == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def funnel(db: Database, *, actor_id: int | None, filters: ViewFilters = ViewFilters()) -> FunnelView:
    """How many submitted ideas reached each stage, and the median days spent in each stage (cached:
    hero_core.cache)."""
    with db.read() as s:
        _authorise(s, actor_id)
        view = cache.cached(s, ("impact_funnel", filters), lambda: _funnel(db, filters))
    return FunnelView(counts=view.counts.copy(deep=False), durations=view.durations.copy(deep=False))


def _funnel(db: Database, filters: ViewFilters) -> FunnelView:
    with db.read() as s:
        # A merged duplicate is counted once, as its original (as the scorecard does).
        conds = [Idea.submitted_at.is_not(None), Idea.merged_into_id.is_(None), *_conditions(filters, "submitted_at")]
        counts = s.execute(
            select(*[func.count(getattr(Idea, col)) for _, _, col in STAGES]).where(*conds)
        ).one()
        dialect = s.get_bind().dialect.name
        medians = []
        for stage, _, start_col in STAGES[:-1]:
            ends = [getattr(Idea, c) for c in _STAGE_ENDS[stage]]
            end = ends[0] if len(ends) == 1 else func.coalesce(*ends)
            days = _days_between(dialect, getattr(Idea, start_col), end)
            ranked = (
                select(
                    days.label("d"),
                    func.row_number().over(order_by=days).label("rn"),
                    func.count().over().label("c"),
                )
                .where(*conds, getattr(Idea, start_col).is_not(None), end.is_not(None))
                .subquery()
            )
            # The middle row (odd count) or the two middle rows (even count): 2*rn is c, c+1 or c+2.
            medians.append(
                select(
                    literal(stage).label("stage"),
                    func.avg(ranked.c.d).label("median_days"),
                    func.max(ranked.c.c).label("ideas"),
                ).where((2 * ranked.c.rn).in_([ranked.c.c, ranked.c.c + 1, ranked.c.c + 2]))
            )
        durations = {row.stage: row for row in s.execute(union_all(*medians))}
    count_frame = pd.DataFrame(
        {
            "stage": [st for st, _, _ in STAGES],
            "label": [lb for _, lb, _ in STAGES],
            "ideas": [int(c) for c in counts],
        }
    )
    duration_frame = pd.DataFrame(
        {
            "stage": [st for st, _, _ in STAGES[:-1]],
            "label": [lb for _, lb, _ in STAGES[:-1]],
            "median_days": [
                None if durations[st].median_days is None else float(durations[st].median_days)
                for st, _, _ in STAGES[:-1]
            ],
            "ideas": [int(durations[st].ideas or 0) for st, _, _ in STAGES[:-1]],
        }
    )
    return FunnelView(counts=count_frame, durations=duration_frame)


# ---- (d) the risk heat map ---------------------------------------------------------------------------------


def risk_heatmap(db: Database, *, actor_id: int | None, filters: ViewFilters = ViewFilters()) -> pd.DataFrame:
    """Assessed ideas per (likelihood, impact) cell of the worst-scoring category of their latest assessment.

    Always 25 rows (likelihood and impact 1-5), with score and band for colouring; ties between categories go
    to the higher impact, then the category name. Cached (hero_core.cache).
    """
    with db.read() as s:
        _authorise(s, actor_id)
        cells = cache.cached(s, ("risk_heatmap", filters), lambda: _risk_heatmap(db, filters))
    return cells.copy(deep=False)


def _risk_heatmap(db: Database, filters: ViewFilters) -> pd.DataFrame:
    with db.read() as s:
        latest = (
            select(
                RiskAssessment.id,
                func.row_number()
                .over(
                    partition_by=RiskAssessment.idea_id,
                    # The latest assessment is the last recorded, the highest id (lifecycle.latest), as the idea
                    # page and the review queue read it: by time, a clock set back could reorder them.
                    order_by=RiskAssessment.id.desc(),
                )
                .label("rn"),
            )
            .join(Idea, Idea.id == RiskAssessment.idea_id)
            .where(*_conditions(filters, "submitted_at"))
            .subquery()
        )
        score = RiskRating.likelihood * RiskRating.impact
        top = (
            select(
                RiskRating.likelihood,
                RiskRating.impact,
                func.row_number()
                .over(
                    partition_by=RiskRating.assessment_id,
                    order_by=(score.desc(), RiskRating.impact.desc(), RiskRating.category),
                )
                .label("rn"),
            )
            .join(latest, (latest.c.id == RiskRating.assessment_id) & (latest.c.rn == 1))
            .subquery()
        )
        cells = {
            (int(li), int(im)): int(n)
            for li, im, n in s.execute(
                select(top.c.likelihood, top.c.impact, func.count())
                .where(top.c.rn == 1)
                .group_by(top.c.likelihood, top.c.impact)
            )
        }
    grid = [(li, im) for li in range(1, 6) for im in range(1, 6)]
    return pd.DataFrame(
        {
            "likelihood": [li for li, _ in grid],
            "impact": [im for _, im in grid],
            "ideas": [cells.get(c, 0) for c in grid],
            "score": [li * im for li, im in grid],
            "band": [risk.band(li * im) for li, im in grid],
            "likelihood_label": [risk.LIKELIHOOD_LABELS[li] for li, _ in grid],
            "impact_label": [risk.IMPACT_LABELS[im] for _, im in grid],
        }
    )


__all__ = [
    "COMPARISON",
    "PILOT",
    "PORTFOLIO_COLUMNS",
    "STAGES",
    "FunnelView",
    "IdeaSeries",
    "ViewFilters",
    "data_version",
    "funnel",
    "idea_series",
    "portfolio",
    "portfolio_with",
    "risk_heatmap",
]
