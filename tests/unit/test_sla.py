"""Service-level clocks in business days (Monday to Friday) and the status of one promise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hero_core import sla


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in January 2026 (1 Jan is a Thursday; 5 Jan a Monday)."""
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def test_calendar_assumption():
    assert [at(d).strftime("%a") for d in (2, 3, 4, 5)] == ["Fri", "Sat", "Sun", "Mon"]


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(5), 1, at(6)),  # Mon + 1 = Tue
        (at(5), 4, at(9)),  # Mon + 4 = Fri
        (at(5), 5, at(12)),  # Mon + 5 = next Mon
        (at(2), 1, at(5)),  # Fri + 1 = Mon, across the weekend
        (at(1), 2, at(5)),  # Thu + 2 = Mon
        (at(3), 1, at(5)),  # Sat + 1 = Mon
        (at(4), 1, at(5)),  # Sun + 1 = Mon
        (at(4), 5, at(9)),  # Sun + 5 = Fri
        (at(2), 10, at(16)),  # Fri + 10 = Fri two weeks on
        (at(5, 17, 45), 1, at(6, 17, 45)),  # time of day is kept
    ],
)
def test_adding_business_days_skips_weekends(start, days, due):
    assert sla.add_business_days(start, days) == due


@pytest.mark.parametrize("days", [0, -3])
def test_adding_no_business_days_is_the_start(days):
    assert sla.add_business_days(at(3), days) == at(3)


def test_result_keeps_the_utc_zone():
    assert sla.add_business_days(at(2), 1).tzinfo is not None


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (at(2), at(5), 1),  # Fri -> Mon: the weekend does not count
        (at(2), at(4), 0),  # Fri -> Sun
        (at(5), at(12), 5),  # a full week
        (at(5), at(5, 11), 0),  # same day
        (at(2), at(5, 9), 0),  # Fri 10:00 -> Mon 09:00 is not yet a whole business day
        (at(5), at(2), 0),  # end before start
        (at(5), at(5), 0),
    ],
)
def test_business_days_between_counts_whole_weekdays_passed(start, end, days):
    assert sla.business_days_between(start, end) == days


@pytest.mark.parametrize("days", [1, 3, 5, 7, 10])
def test_business_days_between_undoes_add_business_days(days):
    for start in (at(d) for d in range(1, 8)):
        if start.weekday() < 5:
            assert sla.business_days_between(start, sla.add_business_days(start, days)) == days


DUE = at(12)


@pytest.mark.parametrize(
    ("due", "done", "now", "status"),
    [
        (None, None, at(5), "n/a"),
        (DUE, DUE - timedelta(days=1), at(20), "met"),
        (DUE, DUE, at(20), "met"),
        (DUE, DUE + timedelta(seconds=1), at(20), "missed"),
        (DUE, None, DUE + timedelta(seconds=1), "overdue"),
        (DUE, None, DUE, "due soon"),
        (DUE, None, DUE - timedelta(hours=24), "due soon"),
        (DUE, None, DUE - timedelta(hours=24, seconds=1), "on time"),
        (DUE, None, at(5), "on time"),
    ],
)
def test_status_of_a_promise(due, done, now, status):
    assert sla.status(due, done, now) == status
