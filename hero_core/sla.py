"""Service-level promises as clocks counted in business days (Monday to Friday).

The one home of business-day arithmetic: `add_business_days` (a due date, for one moment: every service, the
importer and the seed get theirs from here through hero_core/lifecycle.py) and `business_days_between` (how
long an idea has waited, for the queues). Both follow one definition, the rrule one — the `days`-th weekday
among the days after the start — and tests/unit/test_sla.py checks them against it (and against numpy's
business-day functions) on random dates.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np

_WEEK = timedelta(days=7)


def business_day_after(day: date, days: int) -> date:
    """The `days`-th weekday after `day` (`day` itself when days <= 0). A weekend day counts like the Friday
    before it: one business day after a Saturday or a Sunday is the Monday."""
    if days <= 0:
        return day
    weekday = day.weekday()
    if weekday >= 5:
        day -= timedelta(days=weekday - 4)
        weekday = 4
    weeks, rest = divmod(days, 5)
    # Whole weeks keep the weekday; the remaining days cross one weekend when they go past Friday.
    return day + weeks * _WEEK + timedelta(days=rest + (2 if weekday + rest >= 5 else 0))


def add_business_days(start: datetime, days: int) -> datetime:
    """The moment `days` business days after `start`, at the same time of day to the second (in `start`'s zone);
    weekends are skipped. `start` itself when days <= 0."""
    if days <= 0:
        return start
    return datetime.combine(business_day_after(start.date(), days),
                            time(start.hour, start.minute, start.second, tzinfo=start.tzinfo))


def business_days_between(start: datetime, end: datetime) -> int:
    """Whole business days that have passed from `start` to `end` (0 when end <= start)."""
    if end <= start:
        return 0
    # The weekdays among start+1 day, start+2 days, ... that are not after `end` (the rrule definition),
    # counted by numpy in one step: queues compute this for every idea they show, and iterating an rrule
    # day by day cost time in proportion to an idea's age (measured: docs/measurements.md).
    whole_days = (end - start).days
    if whole_days <= 0:
        return 0
    first = start.date() + timedelta(days=1)
    return int(np.busday_count(first, first + timedelta(days=whole_days)))


def status(due: datetime | None, done: datetime | None, now: datetime) -> str:
    """'met', 'missed', 'overdue', 'due soon' (within a day) or 'on time' for one promise."""
    if due is None:
        return "n/a"
    if done is not None:
        return "met" if done <= due else "missed"
    if now > due:
        return "overdue"
    if (due - now).total_seconds() <= 86400:
        return "due soon"
    return "on time"
