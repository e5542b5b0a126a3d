"""Reading the observations store: day and week numbers, and team x week means aggregated in the database.

Days are counted from 1970-01-01 and weeks run Monday to Sunday, counted from Monday 1970-01-05. The same
numbering is computed in Python and in SQL (SQLite stores a date as 'YYYY-MM-DD' text, PostgreSQL as DATE),
so a week number from the database means the same week everywhere in the compact.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hero_core.models import Observation

EPOCH = date(1970, 1, 1)
WEEK_EPOCH = date(1970, 1, 5)  # a Monday
_WEEK_OFFSET_DAYS = (WEEK_EPOCH - EPOCH).days


def day_number(day: date) -> int:
    return (day - EPOCH).days


def week_number(day: date) -> int:
    return (day - WEEK_EPOCH).days // 7


def week_start(week: int) -> date:
    return WEEK_EPOCH + timedelta(days=7 * int(week))


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


def weekly_means(
    session: Session,
    *,
    metric_id: int,
    start: date,
    end: date,
    team_ids: Collection[int] | None = None,
) -> pd.DataFrame:
    """Team x week means of one metric's daily values on days in [start, end), aggregated in the database.

    Columns: team_id, week (week number), value (mean of the daily values), n_days (daily observations).
    """
    dialect = session.get_bind().dialect.name
    week = week_number_sql(dialect).label("week")
    stmt = (
        select(Observation.team_id, week, func.avg(Observation.value), func.count())
        .where(Observation.metric_id == metric_id, Observation.day >= start, Observation.day < end)
        .group_by(Observation.team_id, week)
    )
    if team_ids is not None:
        stmt = stmt.where(Observation.team_id.in_(list(team_ids)))
    rows = session.execute(stmt).all()
    if not rows:
        return pd.DataFrame(
            {
                "team_id": np.array([], dtype=np.int64),
                "week": np.array([], dtype=np.int64),
                "value": np.array([], dtype=float),
                "n_days": np.array([], dtype=np.int64),
            }
        )
    team, wk, value, n = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "team_id": np.asarray(team, dtype=np.int64),
            "week": np.asarray(wk, dtype=np.int64),
            "value": np.asarray(value, dtype=float),
            "n_days": np.asarray(n, dtype=np.int64),
        }
    )
