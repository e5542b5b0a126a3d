"""One rule for dates read from imported files (hero_core/dates.py): what is accepted, what is refused and how
the refusal says to write the date instead."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hero_core import dates
from hero_core.dates import DateRefused


@pytest.mark.parametrize(("text", "day"), [
    ("2026-04-03", date(2026, 4, 3)),
    (" 2026-04-03 ", date(2026, 4, 3)),
    ("2026-04-03 14:30", date(2026, 4, 3)),
    ("2026-04-03T23:30:00-05:00", date(2026, 4, 3)),  # the day as written, not moved by its zone
    ("2026-04-03T00:30:00+02:00", date(2026, 4, 3)),
    ("2026-04-03T14:30:00Z", date(2026, 4, 3)),
    ("2026-04-03T14:30:00.123456", date(2026, 4, 3)),
    ("3 April 2026", date(2026, 4, 3)),
    ("April 3, 2026", date(2026, 4, 3)),
    ("3 Apr 2026 10:00", date(2026, 4, 3)),
    ("13/04/2026", date(2026, 4, 13)),  # can only be day first
    ("04/13/2026", date(2026, 4, 13)),  # can only be month first
    ("04/04/2026", date(2026, 4, 4)),  # both orders agree
    ("13.04.26", date(2026, 4, 13)),  # two-digit years are 20xx
    ("13-04-2026 08:15", date(2026, 4, 13)),
])
def test_accepted_days(text, day):
    assert dates.read_day(text, dayfirst=None) == day


@pytest.mark.parametrize(("text", "moment"), [
    ("2026-04-03", datetime(2026, 4, 3, tzinfo=UTC)),  # a day alone is its midnight, UTC
    ("2026-04-03 14:30", datetime(2026, 4, 3, 14, 30, tzinfo=UTC)),  # no zone given: UTC
    ("2026-04-03T23:30:00-05:00", datetime(2026, 4, 4, 4, 30, tzinfo=UTC)),  # a moment is converted to UTC
    ("2026-04-03T14:30:00Z", datetime(2026, 4, 3, 14, 30, tzinfo=UTC)),
    ("13/04/2026 14:30", datetime(2026, 4, 13, 14, 30, tzinfo=UTC)),
    ("13/04/2026 14:30 +02:00", datetime(2026, 4, 13, 12, 30, tzinfo=UTC)),
    ("3 April 2026 14:30", datetime(2026, 4, 3, 14, 30, tzinfo=UTC)),
])
def test_accepted_moments_are_in_utc(text, moment):
    value = dates.read_moment(text, dayfirst=None)
    assert value == moment and value.tzinfo is UTC


@pytest.mark.parametrize("text", ["03/04/2026", "03/04/2026 14:30", "03/04/2026 10:00 +02:00", "3.4.26", "03 04 2026"])
def test_a_date_both_of_whose_numbers_could_be_the_month_is_refused_unless_an_order_is_chosen(text):
    with pytest.raises(DateRefused) as refused:
        dates.read_moment(text, dayfirst=None)
    message = str(refused.value)
    assert message.startswith("is ambiguous (3 April or 4 March?)")
    assert "2026-04-03 or 2026-03-04" in message and "--dayfirst or --monthfirst" in message
    assert dates.read_day(text, dayfirst=True) == date(2026, 4, 3)
    assert dates.read_day(text, dayfirst=False) == date(2026, 3, 4)


def test_the_refusal_names_how_to_choose_the_order_where_the_file_came_from():
    with pytest.raises(DateRefused, match=r"or choose the date order \(day first or month first\)$"):
        dates.read_day("03/04/2026", dayfirst=None, choose=dates.CHOOSE_ORDER["web"])


def test_a_date_impossible_in_the_chosen_order_is_refused_not_turned_round():
    with pytest.raises(DateRefused, match="is not a real date read as month/day/year; write it year first"):
        dates.read_day("13/04/2026", dayfirst=False)
    with pytest.raises(DateRefused, match="is not a real date read as day/month/year"):
        dates.read_day("04/13/2026", dayfirst=True)


@pytest.mark.parametrize(("texts", "chosen", "order"), [
    (["13/04/2026", "03/04/2026"], None, True),  # one date can only be day first: the file is day first
    (["04/13/2026", "03/04/2026", "2026-01-01"], None, False),
    (["13/04/2026", "04/13/2026", "03/04/2026"], None, None),  # both: the file says nothing
    (["03/04/2026", "3 April 2026"], None, None),
    (["13/04/2026"], False, False),  # the person's choice wins
    ([], True, True),
])
def test_the_files_own_dates_settle_the_order_when_nobody_chose_one(texts, chosen, order):
    assert dates.file_order(texts, chosen) == order


@pytest.mark.parametrize(("text", "reason"), [
    ("", "is empty; a date is required"),
    ("   ", "is empty; a date is required"),
    ("2026-02-30", "is not a real date; write an existing day year first, e.g. 2026-04-03"),
    ("31/02/2026", "is not a real date read as day/month/year"),
    ("2026-04-03T25:00", "has a time this importer cannot read"),
    ("13/04/2026 at noon", "has a time this importer cannot read; write e.g. 2026-04-13 14:30"),
    ("April 2026", "is not a complete date (day, month and year are needed)"),
    ("soon", "is not a date this importer can read; write it year first, e.g. 2026-04-03"),
    ("1989-12-31", "is outside the years 1990-2100"),
    ("2101-01-01", "is outside the years 1990-2100"),
    ("46115", "is a number, not a date (a spreadsheet would show it as 2026-04-03): format the cell as a date"),
    ("46115.5", "is a number, not a date (a spreadsheet would show it as 2026-04-03)"),
])
def test_refused_texts_say_why_and_how_to_write_the_date(text, reason):
    with pytest.raises(DateRefused) as refused:
        dates.read_day(text, dayfirst=None)
    assert str(refused.value).startswith(reason), str(refused.value)
