"""The impact estimator's reads: the launched ideas it measures, the stored weekly sums it reads, and the two
services that load the actor, check the permission and estimate (`estimate_impact`, `estimate_portfolio`).

The estimator itself is pure (hero_core.impact): this module reads what it needs in the database and hands it
plain arrays.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from hero_core import cache, permissions
from hero_core.db import Database
from hero_core.errors import InvalidInput, NotFound
from hero_core.impact import (
    LAUNCHED_STATES,
    ImpactEstimate,
    ImpactWindows,
    LaunchedIdea,
    estimate_arrays,
    windows_from_env,
)
from hero_core.models import Idea, IdeaMetric, IdeaPilotTeam, Metric, Team
from hero_core.services.common import load_actor
from hero_core.vocab import State
from hero_core.weeks import week_number

#: A longer list of ids goes to the database as a filter in Python instead: SQLite takes at most 32,766 parameters.
MAX_IDS_IN_SQL = 10_000


def weekly_arrays(
    session: Session, *, metric_id: int, start: date, end: date
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """weekly_means as four arrays (team id, week, mean, day count), ordered by week then team.

    The estimator's hot read (one idea's impact reads a few thousand rows per target metric), so it goes to the
    driver's own cursor inside the session's transaction and sorts in numpy. Measured on PostgreSQL at 100k ideas
    (5,400 rows): 12 ms through SQLAlchemy's result rows with ORDER BY, 7 ms this way, where the binary protocol
    saves psycopg parsing text numbers.
    """
    conn = session.connection()
    driver = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        cursor, mark = driver.cursor(binary=True), "%s"
    else:
        cursor, mark = driver.cursor(), "?"
    # Float over float: an integer division would truncate, and a NUMERIC one would send Decimal objects.
    cursor.execute(
        "SELECT team_id, week, total / CAST(n_days AS FLOAT), n_days FROM observation_weeks "
        f"WHERE metric_id = {mark} AND week >= {mark} AND week <= {mark}",
        (int(metric_id), week_number(start), week_number(end - timedelta(days=1))),
    )
    rows = cursor.fetchall()
    cursor.close()
    cells = np.fromiter(itertools.chain.from_iterable(rows), dtype=float, count=4 * len(rows)).reshape(-1, 4)
    cells = cells[np.lexsort((cells[:, 0], cells[:, 1]))]
    return (
        cells[:, 0].astype(np.int64),
        cells[:, 1].astype(np.int64),
        np.ascontiguousarray(cells[:, 2]),
        cells[:, 3].astype(np.int64),
    )


def launched_ideas(
    session: Session, idea_ids: Iterable[int] | None, *, launches: Mapping[int, date] | None = None
) -> list[LaunchedIdea]:
    """The launched ideas among `idea_ids` (all of them if None) with their pilot teams and target metrics.
    `launches` (idea id -> launch date), when the caller has just read them, saves reading the ideas again."""
    ids = None if idea_ids is None else sorted(set(idea_ids))
    # A long list goes to the database as a filter in Python instead: SQLite takes at most 32,766 parameters.
    in_sql = ids is not None and len(ids) <= MAX_IDS_IN_SQL
    if launches is None:
        stmt = select(Idea.id, Idea.launch_date).where(
            Idea.state.in_([s.value for s in LAUNCHED_STATES]), Idea.launch_date.is_not(None)
        )
        if in_sql:
            stmt = stmt.where(Idea.id.in_(ids))
        launches = dict(session.execute(stmt.order_by(Idea.id)).all())
        if ids is not None and not in_sql:
            wanted = set(ids)
            launches = {i: d for i, d in launches.items() if i in wanted}
    if not launches:
        return []
    pilots: dict[int, list[int]] = defaultdict(list)
    metrics: dict[int, list[str]] = defaultdict(list)
    pilot_stmt = select(IdeaPilotTeam.idea_id, IdeaPilotTeam.team_id)
    metric_stmt = select(IdeaMetric.idea_id, IdeaMetric.metric_code)
    if in_sql:
        pilot_stmt = pilot_stmt.where(IdeaPilotTeam.idea_id.in_(ids))
        metric_stmt = metric_stmt.where(IdeaMetric.idea_id.in_(ids))
    for idea_id, team_id in session.execute(pilot_stmt):
        pilots[idea_id].append(team_id)
    for idea_id, code in session.execute(metric_stmt.order_by(IdeaMetric.metric_code)):
        metrics[idea_id].append(code)
    return [LaunchedIdea(i, d, tuple(sorted(pilots[i])), tuple(metrics[i])) for i, d in launches.items()]


def estimate_ideas(
    session: Session, ideas: list[LaunchedIdea], windows: ImpactWindows
) -> list[ImpactEstimate]:
    """One aggregation query per metric over all the ideas' windows, then each idea's estimate in memory."""
    catalog = {
        code: (mid, direction)
        for mid, code, direction in session.execute(select(Metric.id, Metric.code, Metric.direction))
    }
    team_codes = dict(session.execute(select(Team.id, Team.code)).all())
    by_metric: dict[str, list[LaunchedIdea]] = defaultdict(list)
    for idea in ideas:
        for code in idea.metric_codes:
            by_metric[code].append(idea)

    results: dict[tuple[int, str], ImpactEstimate] = {}
    for code, metric_ideas in by_metric.items():
        metric_id, direction = catalog[code]
        all_bounds = [windows.bounds(i.launch_date) for i in metric_ideas]
        team, week, value, n = weekly_arrays(  # in week order
            session,
            metric_id=metric_id,
            start=min(b.baseline_start for b in all_bounds),
            end=max(b.eval_end for b in all_bounds),
        )
        for idea, bounds in zip(metric_ideas, all_bounds, strict=True):
            b_lo, _, _, e_hi = bounds.weeks()
            lo, hi = np.searchsorted(week, b_lo, "left"), np.searchsorted(week, e_hi, "right")
            results[(idea.id, code)] = estimate_arrays(
                team=team[lo:hi],
                week=week[lo:hi],
                value=value[lo:hi],
                n=n[lo:hi],
                treated=idea.pilot_team_ids,
                team_labels=team_codes,
                metric=code,
                direction=direction,
                bounds=bounds,
                idea_id=idea.id,
            )
    return [results[(i.id, c)] for i in ideas for c in i.metric_codes]


def estimate_impact(
    db: Database, *, idea_id: int, actor_id: int | None, windows: ImpactWindows | None = None
) -> list[ImpactEstimate]:
    """The measured effect of one launched idea on each of its target metrics (by metric code), estimated now."""
    windows = windows or windows_from_env()
    with db.read() as s:
        launch = _launch_for(s, idea_id=idea_id, actor_id=actor_id)
        return estimate_ideas(s, launched_ideas(s, [idea_id], launches={idea_id: launch}), windows)


def idea_estimates(
    db: Database, *, idea_id: int, actor_id: int | None, windows: ImpactWindows | None = None
) -> tuple[ImpactEstimate, ...]:
    """`estimate_impact`, cached (hero_core.cache): the idea page shows it on every run. The permission is checked
    for this person first."""
    windows = windows or windows_from_env()
    with db.read() as s:
        _launch_for(s, idea_id=idea_id, actor_id=actor_id)
        return cache.cached(s, ("idea_estimates", idea_id, windows), lambda: tuple(
            estimate_impact(db, idea_id=idea_id, actor_id=None, windows=windows)))


def _launch_for(s: Session, *, idea_id: int, actor_id: int | None) -> date:
    """The idea's launch date, once this person may see its impact and it has been launched."""
    actor = load_actor(s, actor_id)
    # A few columns, not the ORM idea: its eager loads are four queries, and every one is a round trip.
    idea = s.execute(select(Idea.state, Idea.launch_date, Idea.submitter_id, Idea.team_id)
                     .where(Idea.id == idea_id)).one_or_none()
    if idea is None or idea.state == State.DRAFT:
        raise NotFound(f"Idea #{idea_id} does not exist.")
    permissions.require(actor, "view_idea_impact", permissions.IdeaFacts(
        submitter_id=idea.submitter_id, team_id=idea.team_id, state=State(idea.state)))
    if idea.state not in LAUNCHED_STATES or idea.launch_date is None:
        raise InvalidInput(
            f"Idea #{idea_id} has not been launched (it is {idea.state.replace('_', ' ')}); impact is "
            "measured from the launch date of its pilot."
        )
    return idea.launch_date


def estimate_portfolio(
    db: Database,
    *,
    actor_id: int | None,
    idea_ids: Iterable[int] | None = None,
    windows: ImpactWindows | None = None,
) -> list[ImpactEstimate]:
    """Estimates for every launched idea (or those of `idea_ids` that are launched), idea by idea."""
    windows = windows or windows_from_env()
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_impact")
        return estimate_ideas(s, launched_ideas(s, idea_ids), windows)
