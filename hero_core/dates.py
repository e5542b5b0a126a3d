"""Dates read from imported files: one rule for the ideas importer and the metrics importer.

What is accepted:
- year first (ISO 8601): 2026-04-03, 2026-04-03 14:30, 2026-04-03T14:30:00Z, 2026-04-03T14:30:00+02:00;
- day and month as numbers, separated by / . - or a space, then the year (two digits mean 20xx), optionally a
  time: 13/04/2026, 04/13/2026, 3.4.26 14:30 — read in the order the person chose (day first or month first);
  without a choice, in the one order the file's own dates allow (13/04/2026 somewhere in it and no 04/13/2026
  means day first), and otherwise a date both of whose leading numbers could be the month (03/04/2026) is
  refused as ambiguous, never guessed;
- written months: 3 April 2026, April 3, 2026, 3 Apr 2026 10:00 — but only complete ones (day, month and year).

What is refused, each with how to write it instead: an ambiguous date, a day that does not exist (2026-02-30,
or 13/04/2026 read month first), an incomplete date (April 2026), a spreadsheet's serial number (46115: format
the cell as a date), a year outside 1990-2100, anything else.

A date (an observation's day, a launch date) is the calendar day as written, whatever time or zone follows it;
a moment (when an idea was submitted) keeps its time, in its zone (UTC when none is given), converted to UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from dateutil import parser as date_parser

MIN_YEAR, MAX_YEAR = 1990, 2100
#: How a person chooses the order of day and month, in the words of where the file came from.
CHOOSE_ORDER = {
    "cli": "use --dayfirst or --monthfirst",
    "web": "choose the date order (day first or month first)",
}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?=$|[ T])")
_NUMERIC = re.compile(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4}|\d{2})(?=$|[ T])")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of a spreadsheet's dates (1900 system, as Excel and LibreOffice count)
_EXAMPLE = "2026-04-03"
# Where dateutil takes the parts a text lacks from (naive: a zone comes from the text or nowhere).
_DEFAULTS = (datetime(1904, 1, 1), datetime(1908, 2, 2))  # noqa: DTZ001


class DateRefused(ValueError):
    """A text that is not accepted as a date; the message (to follow "row N, column C, value V:") says why and
    how to write it."""


def file_order(texts: Iterable[str], dayfirst: bool | None) -> bool | None:
    """The order for a file's numeric dates: the one the person chose; else the one order its dates allow (some
    can only be read day first, like 13/04/2026, and none only month first, or the other way round); else None."""
    if dayfirst is not None:
        return dayfirst
    day_side = month_side = False
    for text in texts:
        m = _NUMERIC.match(text.strip())
        if m:
            day_side |= int(m.group(1)) > 12
            month_side |= int(m.group(2)) > 12
    return day_side if day_side != month_side else None


def read_day(text: str, *, dayfirst: bool | None, choose: str = CHOOSE_ORDER["cli"]) -> date:
    """The calendar day `text` names, as written (a time or zone after it does not move it)."""
    return _read(text, dayfirst, choose).date()


def read_moment(text: str, *, dayfirst: bool | None, choose: str = CHOOSE_ORDER["cli"]) -> datetime:
    """The moment `text` names, in UTC (a moment without a zone is taken as UTC; a day alone is its midnight)."""
    value = _read(text, dayfirst, choose)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _read(raw: str, dayfirst: bool | None, choose: str) -> datetime:
    text = raw.strip()
    if not text:
        raise DateRefused("is empty; a date is required")
    if _ISO.match(text):
        value = _iso(text)
    elif m := _NUMERIC.match(text):
        value = _numeric(m, text, dayfirst, choose)
    elif _SERIAL.fullmatch(text):
        raise DateRefused(_serial(text))
    else:
        value = _written(text, bool(dayfirst))
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise DateRefused(f"is outside the years {MIN_YEAR}-{MAX_YEAR}; write the date year first, e.g. {_EXAMPLE}")
    return value


def _iso(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        raise DateRefused(f"is not a real date; write an existing day year first, e.g. {_EXAMPLE}") from None
    raise DateRefused(f"has a time this importer cannot read; write e.g. {_EXAMPLE} or {_EXAMPLE} 14:30") from None


def _numeric(m: re.Match, text: str, dayfirst: bool | None, choose: str) -> datetime:
    a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
    year = 2000 + int(y) if len(y) == 2 else int(y)
    if dayfirst is None:
        if a <= 12 and b <= 12 and a != b:
            as_day, as_month = date(year, b, a), date(year, a, b)
            raise DateRefused(f"is ambiguous ({as_day.day} {as_day:%B} or {as_month.day} {as_month:%B}?): write it "
                              f"year first, {as_day.isoformat()} or {as_month.isoformat()}, or {choose}")
        dayfirst = a > 12
    day, month = (a, b) if dayfirst else (b, a)
    order = "day/month/year" if dayfirst else "month/day/year"
    try:
        day_value = date(year, month, day)
    except ValueError:
        raise DateRefused(f"is not a real date read as {order}; write it year first, e.g. {_EXAMPLE}") from None
    rest = text[m.end():].strip()
    if not rest:
        return datetime.combine(day_value, time())
    try:  # the time (and zone) after the date, read with the date written year first: nothing left to guess
        value = date_parser.parse(f"{day_value.isoformat()} {rest}")
    except (ValueError, OverflowError):
        value = None
    if value is None or value.date() != day_value:
        raise DateRefused(f"has a time this importer cannot read; write e.g. {day_value.isoformat()} 14:30")
    return value


def _serial(text: str) -> str:
    try:
        as_date = (_EXCEL_EPOCH + timedelta(days=int(float(text)))).isoformat()
    except OverflowError:  # pragma: no cover - five digits always fit
        as_date = _EXAMPLE
    return (f"is a number, not a date (a spreadsheet would show it as {as_date}): format the cell as a date, "
            f"or write the date year first, e.g. {as_date}")


def _written(text: str, dayfirst: bool) -> datetime:
    try:
        # Two different defaults reveal a date with a missing part ("April 2026"), which would be filled in.
        first = date_parser.parse(text, dayfirst=dayfirst, default=_DEFAULTS[0])
        second = date_parser.parse(text, dayfirst=dayfirst, default=_DEFAULTS[1])
    except (ValueError, OverflowError):
        raise DateRefused(f"is not a date this importer can read; write it year first, e.g. {_EXAMPLE}") from None
    if first.date() != second.date():
        raise DateRefused(f"is not a complete date (day, month and year are needed); write e.g. {_EXAMPLE}")
    return first
