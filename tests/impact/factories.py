"""Small factories for the impact tests: teams, launched ideas, assessments, and synthetic observations with a
known effect (and, if asked, an organisation-wide shift on the launch date)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select

from hero_core.db import Database
from hero_core.models import (
    AuditEntry,
    Idea,
    IdeaMetric,
    IdeaPilotTeam,
    Metric,
    Observation,
    RiskAssessment,
    RiskRating,
    Team,
)
from hero_core.services import observations, people
from hero_core.weeks import WEEK_EPOCH

LAUNCH = date(2025, 3, 5)  # a Wednesday
AHT_TEAMS = tuple(f"T{i}" for i in range(8))  # T0 and T1 pilot, T2..T7 comparison
AT = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def add_teams(db: Database, codes) -> dict[str, int]:
    for code in codes:
        people.create_team(db, actor_id=None, code=code, name=f"Team {code}")
    with db.read() as s:
        return dict(s.execute(select(Team.code, Team.id)).all())


def synthetic_daily(
    *,
    teams=AHT_TEAMS,
    pilots=("T0", "T1"),
    launch: date = LAUNCH,
    effect: float = -25.0,
    org_shift: float = -40.0,
    base: float = 300.0,
    noise: float = 8.0,
    days_before: int = 119,
    days_after: int = 119,
    seed: int = 7,
    metric: str = "aht",
) -> pd.DataFrame:
    """Daily values per team: team level + organisation-wide shift from the launch + effect on the pilots."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(launch - timedelta(days=days_before), launch + timedelta(days=days_after), freq="D")
    frames = []
    for k, team in enumerate(teams):
        post = days >= pd.Timestamp(launch)
        value = (
            base
            + 6 * k
            + rng.normal(0, noise, len(days))
            + np.where(post, org_shift, 0.0)
            + np.where(post & (team in pilots), effect, 0.0)
        )
        frames.append(pd.DataFrame({"metric": metric, "team": team, "day": days.date, "value": value}))
    return pd.concat(frames, ignore_index=True)


def weekly_panel(daily: pd.DataFrame) -> pd.DataFrame:
    """Team x week means as the database computes them (weeks start on Monday)."""
    day = pd.to_datetime(daily["day"])
    week = (day - pd.Timestamp(WEEK_EPOCH)).dt.days // 7
    out = (
        daily.assign(week=week)
        .groupby(["team", "week"], as_index=False)
        .agg(value=("value", "mean"), n_obs=("value", "size"))
    )
    out["week_start"] = pd.Timestamp(WEEK_EPOCH) + pd.to_timedelta(out["week"] * 7, unit="D")
    return out[["team", "week_start", "value", "n_obs"]]


def store_daily(db: Database, daily: pd.DataFrame) -> int:
    with db.write() as s:
        metric_ids = dict(s.execute(select(Metric.code, Metric.id)).all())
        team_ids = dict(s.execute(select(Team.code, Team.id)).all())
        rows = [
            {"metric_id": metric_ids[m], "team_id": team_ids[t], "day": d, "value": float(v)}
            for m, t, d, v in daily[["metric", "team", "day", "value"]].itertuples(index=False)
        ]
        s.execute(insert(Observation), rows)
        if rows:
            observations.written(s, metric_ids={r["metric_id"] for r in rows},
                                 first_day=min(r["day"] for r in rows), last_day=max(r["day"] for r in rows))
    return len(rows)


def launched_idea(
    db: Database,
    *,
    submitter_id: int,
    team_code: str,
    pilots,
    metrics,
    launch: date | None = LAUNCH,
    state: str = "piloting",
    title: str = "Shorter wrap-up form",
    touchpoint: str = "call_centre",
    campaign_id: int | None = None,
    milestones: dict[str, datetime] | None = None,
) -> int:
    with db.write() as s:
        team_ids = dict(s.execute(select(Team.code, Team.id)).all())
        idea = Idea(
            title=title,
            roadblock="The wrap-up form takes too long.",
            proposal="Cut it to three fields.",
            touchpoint=touchpoint,
            category="complex_form",
            submitter_id=submitter_id,
            team_id=team_ids[team_code],
            campaign_id=campaign_id,
            state=state,
            created_at=AT,
            updated_at=AT,
            launch_date=launch,
            submitted_at=AT,
            **(milestones or {}),
        )
        idea.metric_rows = [IdeaMetric(metric_code=m) for m in metrics]
        idea.pilot_rows = [IdeaPilotTeam(team_id=team_ids[t]) for t in pilots]
        s.add(idea)
        s.flush()
        return idea.id


def assess(
    db: Database, *, idea_id: int, assessor_id: int, ratings: dict[str, tuple[int, int]], at: datetime = AT
) -> int:
    with db.write() as s:
        a = RiskAssessment(
            idea_id=idea_id,
            assessor_id=assessor_id,
            created_at=at,
            overall=max(li * im for li, im in ratings.values()),
            needs_it=False,
            needs_legal=False,
            budget="none",
            people_systems_touched=1,
            customers_reached="few",
            expected_change="small",
            strategic_fit="some",
            ev_category="quick_experiment",
        )
        a.ratings = [RiskRating(category=c, likelihood=li, impact=im) for c, (li, im) in ratings.items()]
        s.add(a)
        s.flush()
        return a.id


def counts(db: Database) -> tuple[int, int]:
    """(observations, audit entries) stored."""
    with db.read() as s:
        return (
            s.execute(select(func.count()).select_from(Observation)).scalar_one(),
            s.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
        )
