"""The observations store: day and week numbers in SQL, team x week means, and keeping the weekly sums (and
the stored impact verdicts) in step with every write.

Days and weeks are numbered as in hero_core.weeks (the pure calendar, re-exported here); the same numbering is
computed in SQL here (SQLite stores a date as 'YYYY-MM-DD' text, PostgreSQL as DATE), so a week number from the
database means the same week everywhere in the compact. The estimator's own read of the weekly sums is
hero_core.services.impact_reads.weekly_arrays (re-exported here).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Date, bindparam, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hero_core import impact_store
from hero_core.models import ObservationWeek
from hero_core.services.impact_reads import weekly_arrays
from hero_core.weeks import EPOCH, WEEK_EPOCH, day_number, week_number, week_start
from hero_core.weeks import WEEK_OFFSET_DAYS as _WEEK_OFFSET_DAYS


def _day_number_text(dialect: str) -> str:
    if dialect == "sqlite":
        # julianday('1970-01-01') is 2440587.5; the difference is a whole number for a date without time.
        return "CAST(julianday(observations.day) - 2440587.5 AS INTEGER)"
    return "(observations.day - DATE '1970-01-01')"


def day_number_sql(dialect: str) -> ColumnElement[int]:
    """observations.day as a day number, in the database's own dialect."""
    return literal_column(_day_number_text(dialect))


def week_number_sql(dialect: str) -> ColumnElement[int]:
    """observations.day as a week number. Integer division truncates, which is the floor for the dates
    the compact stores (the importer refuses anything before 1990)."""
    return literal_column(f"(({_day_number_text(dialect)}) - {_WEEK_OFFSET_DAYS}) / 7")


def weekly_means(session: Session, *, metric_id: int, start: date, end: date) -> pd.DataFrame:
    """Team x week means of one metric for every week that has a day in [start, end), read from the stored
    weekly sums (observation_weeks): each week's mean covers the whole week, so a window edge in mid-week
    does not cut a week short (the estimator uses whole weeks only).

    Columns: team_id, week (week number), value (mean of the daily values), n_days (daily observations), in
    week then team order.
    """
    team, week, value, n_days = weekly_arrays(session, metric_id=metric_id, start=start, end=end)
    return pd.DataFrame({"team_id": team, "week": week, "value": value, "n_days": n_days})


# ---- keeping the weekly sums in step -----------------------------------------------------------------------


def refresh_weeks(
    conn: Connection | Session,
    *,
    metric_ids: Collection[int],
    first_day: date,
    last_day: date,
    team_ids: Collection[int] | None = None,
) -> None:
    """Recompute the stored weekly sums of these metrics (and teams) for every week touching [first_day,
    last_day], from the daily rows, inside the caller's transaction. Every writer of observations calls this in
    the same transaction as its write, so the sums never disagree with the days."""
    if not metric_ids:
        return
    dialect = _dialect(conn)
    lo, hi = week_number(first_day), week_number(last_day)
    metrics = ", ".join(str(int(m)) for m in sorted(set(metric_ids)))
    teams = "" if team_ids is None else ", ".join(str(int(t)) for t in sorted(set(team_ids)))
    if team_ids is not None and not teams:
        return
    team_filter = f" AND team_id IN ({teams})" if teams else ""
    conn.execute(text(
        f"DELETE FROM observation_weeks WHERE metric_id IN ({metrics}) AND week BETWEEN :lo AND :hi{team_filter}"
    ), {"lo": lo, "hi": hi})
    week = week_number_sql(dialect)
    conn.execute(text(
        "INSERT INTO observation_weeks (metric_id, week, team_id, total, n_days) "
        f"SELECT metric_id, {week}, team_id, SUM(value), COUNT(*) FROM observations "
        f"WHERE metric_id IN ({metrics}) AND day >= :start AND day < :end{team_filter} "
        f"GROUP BY metric_id, {week}, team_id"
    ).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date)),
        {"start": week_start(lo), "end": week_start(hi + 1)})


def _add_weeks(
    session: Session,
    *,
    metric_id: np.ndarray,
    team_id: np.ndarray,
    day: np.ndarray,
    value: np.ndarray,
) -> None:
    """Bring the stored weekly sums in step after these daily rows were written (new rows, or rows that replaced
    stored ones with the same metric, team and day), inside the writer's transaction, before anything else
    changes the weekly sums.

    A (metric, team, week) that held no stored day before the write holds exactly the rows written, so its sum
    is added here from the rows themselves; the others are recomputed from the daily rows in the database, per
    metric and team over the range of weeks that held stored days. An import of a new period therefore
    recomputes at most its first and last week per metric and team in SQL, where `refresh_weeks` would regroup
    every row written (measured: docs/measurements.md). `rows_written` calls it with at least one row."""
    order = np.lexsort((day, team_id, metric_id))
    metric_id, team_id, day, value = metric_id[order], team_id[order], day[order], value[order]
    week = (day - _WEEK_OFFSET_DAYS) // 7
    starts = np.flatnonzero(np.r_[True, (metric_id[1:] != metric_id[:-1]) | (team_id[1:] != team_id[:-1])
                                  | (week[1:] != week[:-1])])
    groups = pd.DataFrame({"metric_id": metric_id[starts], "team_id": team_id[starts], "week": week[starts],
                           "total": np.add.reduceat(value, starts), "n_days": np.diff(np.r_[starts, len(day)])})

    # The weeks that held stored days before this write: the stored sums still describe them.
    metrics = sorted({int(m) for m in groups["metric_id"]})
    held = pd.DataFrame(
        session.execute(
            select(ObservationWeek.metric_id, ObservationWeek.team_id, ObservationWeek.week).where(
                ObservationWeek.metric_id.in_(metrics),
                ObservationWeek.week.between(int(groups["week"].min()), int(groups["week"].max())),
            )
        ).all(),
        columns=["metric_id", "team_id", "week"],
    ).merge(groups[["metric_id", "team_id", "week"]], on=["metric_id", "team_id", "week"])
    ranges = held.groupby(["metric_id", "team_id"])["week"].agg(["min", "max"]).reset_index()
    spans = groups.merge(ranges, on=["metric_id", "team_id"], how="left")
    held_range = (spans["week"] >= spans["min"].fillna(np.inf)) & (spans["week"] <= spans["max"].fillna(-np.inf))
    fresh = groups[~held_range.to_numpy()].sort_values(["metric_id", "week", "team_id"])  # the key's order

    if len(ranges):
        recompute = [
            {"m": int(m), "t": int(t), "lo": int(lo), "hi": int(hi), "start": week_start(int(lo)),
             "end": week_start(int(hi) + 1)}
            for m, t, lo, hi in ranges.itertuples(index=False)
        ]
        session.execute(text(
            "DELETE FROM observation_weeks WHERE metric_id = :m AND team_id = :t AND week BETWEEN :lo AND :hi"
        ), recompute)
        week_sql = week_number_sql(_dialect(session))
        session.execute(text(
            "INSERT INTO observation_weeks (metric_id, week, team_id, total, n_days) "
            f"SELECT metric_id, {week_sql}, team_id, SUM(value), COUNT(*) FROM observations "
            f"WHERE metric_id = :m AND team_id = :t AND day >= :start AND day < :end "
            f"GROUP BY metric_id, {week_sql}, team_id"
        ).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date)), recompute)
    if len(fresh):
        # Through the driver's executemany: SQLAlchemy's per-row parameter handling is slow at an import's
        # size (measured: docs/measurements.md).
        conn = session.connection()
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql(
            "INSERT INTO observation_weeks (metric_id, week, team_id, total, n_days) "
            f"VALUES ({', '.join([mark] * 5)})",
            list(zip(fresh["metric_id"].tolist(), fresh["week"].tolist(), fresh["team_id"].tolist(),
                     fresh["total"].tolist(), fresh["n_days"].tolist(), strict=True)),
        )


def rebuild_weeks(conn: Connection | Session) -> None:
    """Recompute every stored weekly sum from the daily rows (after a bulk load that bypassed refresh_weeks)."""
    week = week_number_sql(_dialect(conn))
    conn.execute(text("DELETE FROM observation_weeks"))
    conn.execute(text(
        "INSERT INTO observation_weeks (metric_id, week, team_id, total, n_days) "
        f"SELECT metric_id, {week}, team_id, SUM(value), COUNT(*) FROM observations "
        f"GROUP BY metric_id, {week}, team_id "
        # Stored in key order: an estimate reads one metric's weeks for every team, a few dozen pages instead of a
        # page a row (PostgreSQL's hash aggregate left them scattered; measured: docs/measurements.md).
        f"ORDER BY metric_id, {week}, team_id"
    ))


def _dialect(conn: Connection | Session) -> str:
    return (conn.get_bind() if isinstance(conn, Session) else conn).dialect.name


def written(
    session: Session,
    *,
    metric_ids: Collection[int],
    first_day: date,
    last_day: date,
    team_ids: Collection[int] | None = None,
) -> None:
    """Bring everything derived from the observations in step after a write of these metrics' days, in the
    writer's transaction: the weekly sums, and the stored impact verdicts whose windows cover those days."""
    first_day, last_day = pd.Timestamp(first_day).date(), pd.Timestamp(last_day).date()
    refresh_weeks(session, metric_ids=metric_ids, first_day=first_day, last_day=last_day, team_ids=team_ids)
    impact_store.forget(session, metric_ids=metric_ids, first_day=first_day, last_day=last_day)


def rows_written(
    session: Session, *, metric_id: np.ndarray, team_id: np.ndarray, day: np.ndarray, value: np.ndarray
) -> None:
    """`written` for a bulk write whose rows are at hand (day numbers as in `day_number`): the weekly sums of
    weeks that held no stored day are added from the rows instead of regrouped from the table."""
    if not len(day):
        return
    _add_weeks(session, metric_id=metric_id, team_id=team_id, day=day, value=value)
    impact_store.forget(session, metric_ids=sorted({int(m) for m in np.unique(metric_id)}),
                        first_day=EPOCH + timedelta(days=int(day.min())),
                        last_day=EPOCH + timedelta(days=int(day.max())))


__all__ = ["EPOCH", "WEEK_EPOCH", "day_number", "day_number_sql", "rebuild_weeks", "refresh_weeks", "rows_written",
           "week_number", "week_number_sql", "week_start", "weekly_arrays", "weekly_means", "written"]
