"""Day and week numbers: the one calendar the observations store, the estimator and the read models share.

Days are counted from 1970-01-01 and weeks run Monday to Sunday, counted from Monday 1970-01-05. The same
numbering is computed in SQL by `hero_core.services.observations` (week_number_sql), so a week number from the
database means the same week everywhere in the compact. Pure: no database, no session.
"""

from __future__ import annotations

from datetime import date, timedelta

EPOCH = date(1970, 1, 1)
WEEK_EPOCH = date(1970, 1, 5)  # a Monday
WEEK_OFFSET_DAYS = (WEEK_EPOCH - EPOCH).days


def day_number(day: date) -> int:
    return (day - EPOCH).days


def week_number(day: date) -> int:
    return (day - WEEK_EPOCH).days // 7


def week_start(week: int) -> date:
    return WEEK_EPOCH + timedelta(days=7 * int(week))
