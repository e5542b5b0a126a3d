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


# ---- one definition: the scalar arithmetic, numpy and the rrule definition agree ---------------------------


def _by_rrule(start: datetime, days: int) -> datetime:
    """The definition: the `days`-th weekday among the days after `start` (dateutil's rrule drops microseconds)."""
    from dateutil.rrule import DAILY, FR, MO, TH, TU, WE, rrule

    return list(rrule(DAILY, byweekday=(MO, TU, WE, TH, FR), dtstart=start + timedelta(days=1), count=days))[-1]


def _random_moments(n: int, seed: int) -> list[datetime]:
    import random

    rng = random.Random(seed)
    base = datetime(1995, 1, 1, tzinfo=UTC)
    return [base + timedelta(days=rng.randrange(0, 40 * 365), seconds=rng.randrange(86400),
                             microseconds=rng.randrange(1_000_000)) for _ in range(n)]


def test_adding_business_days_agrees_with_the_rrule_definition_on_random_moments():
    import random

    rng = random.Random(20)
    for start in _random_moments(2_000, seed=1):
        days = rng.choice([1, 2, 3, 4, 5, 6, 9, 10, 11, 15, 20, 23, 60])
        assert sla.add_business_days(start, days) == _by_rrule(start, days), (start, days)


def test_a_business_day_after_agrees_with_numpys_business_day_offset_on_random_days():
    import random

    import numpy as np

    rng = random.Random(5)
    days = [m.date() for m in _random_moments(3_000, seed=2)]
    counts = [rng.randrange(1, 40) for _ in days]
    # numpy rolls a weekend start back to the Friday, then counts forward: the same rule, for whole columns.
    expected = np.busday_offset(np.array(days, dtype="datetime64[D]"), np.array(counts), roll="backward")
    assert [sla.business_day_after(d, n) for d, n in zip(days, counts, strict=True)] == expected.tolist()


def test_business_days_between_agrees_with_counting_weekdays_one_by_one():
    moments = _random_moments(600, seed=3)
    for start, other in zip(moments, moments[1:] + moments[:1], strict=True):
        end = start + (other - start) % timedelta(days=45)
        counted, day = 0, start + timedelta(days=1)
        while day <= end:
            counted += day.weekday() < 5
            day += timedelta(days=1)
        assert sla.business_days_between(start, end) == counted, (start, end)
