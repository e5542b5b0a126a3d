"""Service-level promises as clocks counted in business days (Monday to Friday), with python-dateutil."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from dateutil.rrule import DAILY, FR, MO, TH, TU, WE, rrule

WORKDAYS = (MO, TU, WE, TH, FR)


def add_business_days(start: datetime, days: int) -> datetime:
    """The moment `days` business days after `start` (same time of day); weekends are skipped."""
    if days <= 0:
        return start
    # rrule counts dtstart itself when it is a workday, so start from the next day.
    occurrences = rrule(DAILY, byweekday=WORKDAYS, dtstart=start + timedelta(days=1), count=days)
    return list(occurrences)[-1]


def business_days_between(start: datetime, end: datetime) -> int:
    """Whole business days that have passed from `start` to `end` (0 when end <= start)."""
    if end <= start:
        return 0
    # The weekdays among start+1 day, start+2 days, ... that are not after `end` (the rrule definition),
    # counted by numpy in one step: queues compute this for every idea they show, and iterating an rrule
    # day by day cost milliseconds per old idea (measured by `make bench`).
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
