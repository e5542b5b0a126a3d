"""Both importers read dates by one rule (hero_core/dates.py) and write the workflow's clocks and launch-date
rules from hero_core/lifecycle.py: the edge cases, through `hero ideas import` and `hero metrics import`."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from hero_core import config, lifecycle, sla
from hero_core.errors import ImportRejected
from hero_core.models import Idea, Observation
from hero_core.services import ideas_io, metrics_io

IDEA = ("Shorter hold music,Callers hang up during the long hold message.,Cut the message to ten seconds.,"
        "fran@example.com,CC,call_centre,other,no,{submitted},{state},{launch},{pilots},\n")


def ideas_csv(*rows: dict) -> bytes:
    lines = [IDEA.format(**({"state": "submitted", "launch": "", "pilots": ""} | row)) for row in rows]
    return (",".join(ideas_io.COLUMNS) + "\n" + "".join(lines)).encode()


def import_ideas(org, content: bytes, **kw) -> list[Idea]:
    ideas_io.import_ideas_csv(org.db, content=content, actor_id=org.admin, **kw)
    with org.db.read() as s:
        return s.execute(select(Idea).order_by(Idea.id)).unique().scalars().all()


def refused_ideas(org, content: bytes, **kw) -> list[str]:
    with pytest.raises(ImportRejected) as refused:
        ideas_io.import_ideas_csv(org.db, content=content, actor_id=org.admin, **kw)
    return refused.value.problems


def test_an_idea_files_own_dates_settle_day_and_month_and_zones_become_utc(org):
    ideas = import_ideas(org, ideas_csv({"submitted": "13/04/2025"}, {"submitted": "03/04/2025 14:30"},
                                        {"submitted": "2025-04-03T23:30:00-05:00"}, {"submitted": "3 April 2025"}))
    assert [i.submitted_at for i in ideas] == [
        datetime(2025, 4, 13, tzinfo=UTC), datetime(2025, 4, 3, 14, 30, tzinfo=UTC),
        datetime(2025, 4, 4, 4, 30, tzinfo=UTC), datetime(2025, 4, 3, tzinfo=UTC)]


@pytest.mark.parametrize(("via", "choose"), [("cli", "use --dayfirst"),
                                             ("web", "choose the date order (day first or month first)")])
def test_an_ambiguous_submission_date_is_refused_naming_row_column_value_and_how_to_write_it(org, via, choose):
    problems = refused_ideas(org, ideas_csv({"submitted": "2025-01-02"}, {"submitted": "05/06/2025"}), via=via)
    assert problems == [f"row 3, column submitted_at, value '05/06/2025': is ambiguous (5 June or 6 May?): write "
                        f"it year first, 2025-06-05 or 2025-05-06, or {choose}"]
    assert import_ideas(org, ideas_csv({"submitted": "05/06/2025"}), dayfirst=True)[0].submitted_at.date() == \
        date(2025, 6, 5)


@pytest.mark.parametrize(("written", "reason"), [
    ("April 2025", "is not a complete date (day, month and year are needed)"),  # was filled in with today's day
    ("45750", "is a number, not a date (a spreadsheet would show it as 2025-04-03)"),
    ("2025-02-30", "is not a real date"),
])
def test_incomplete_impossible_and_serial_dates_are_refused(org, written, reason):
    [problem] = refused_ideas(org, ideas_csv({"submitted": written}))
    assert problem.startswith(f"row 2, column submitted_at, value '{written}': {reason}"), problem


def test_an_imported_waiting_idea_gets_the_clocks_a_submission_starts_by_the_lifecycle_rules(org):
    clocks = lifecycle.Clocks.of(config.settings())
    waiting, with_it, launched = import_ideas(org, ideas_csv(
        {"submitted": "2025-04-03 09:15", "state": "in_review"}, {"submitted": "2025-04-03", "state": "awaiting_it"},
        {"submitted": "2025-04-03", "state": "piloting", "launch": "2025-05-02", "pilots": "CC"}))
    submitted = datetime(2025, 4, 3, 9, 15, tzinfo=UTC)
    assert (waiting.review_round, waiting.review_start_due, waiting.decision_due) == (
        1, sla.add_business_days(submitted, clocks.review_start_days),
        sla.add_business_days(submitted, clocks.decision_days))
    assert with_it.it_claim_due is not None and with_it.decision_due is None  # its decision is not waiting
    assert launched.launch_date == date(2025, 5, 2) and launched.piloted_at == datetime(2025, 5, 2, tzinfo=UTC)
    assert launched.decision_due is None and launched.review_round == 0


def test_a_launch_date_follows_the_services_rule(org):
    a_year_on = lifecycle.a_year_after(org.db.now().date())
    problems = refused_ideas(org, ideas_csv(
        {"submitted": "2025-04-03", "state": "piloting", "launch": "2025-04-02", "pilots": "CC"},
        {"submitted": "2025-04-03", "state": "scaled", "launch": (a_year_on + timedelta(days=1)).isoformat(),
         "pilots": "CC"}))
    assert problems == [
        "row 2, column launch_date, value '2025-04-02': The launch date 2025-04-02 is before the idea was "
        "submitted on 2025-04-03: a pilot launches on or after that day.",
        f"row 3, column launch_date, value '{(a_year_on + timedelta(days=1)).isoformat()}': The launch date "
        f"{(a_year_on + timedelta(days=1)).isoformat()} is more than a year ahead: choose a day up to "
        f"{a_year_on.isoformat()}.",
    ]


# ---- metrics -----------------------------------------------------------------------------------------------


def stored_days(db) -> list[date]:
    with db.read() as s:
        return list(s.execute(select(Observation.day).order_by(Observation.day)).scalars())


def metrics_file(tmp_path, *dates_written: str):
    path = tmp_path / "m.csv"
    path.write_text("metric,team,date,value\n" + "".join(f"csat,CC,{d},4\n" for d in dates_written))
    return path


def test_observation_days_are_the_days_as_written_whatever_their_time_or_zone(org, tmp_path):
    metrics_io.import_metrics(org.db, source=metrics_file(tmp_path, "2025-04-03T23:30:00-05:00", "2025-04-04 08:00",
                                                          "5 April 2025", "2025-04-06T00:30:00+02:00"),
                              actor_id=org.admin)
    assert stored_days(org.db) == [date(2025, 4, d) for d in (3, 4, 5, 6)]


@pytest.mark.parametrize(("via", "choose"), [("cli", "use --dayfirst or --monthfirst"),
                                             ("web", "choose the date order (day first or month first)")])
def test_an_ambiguous_observation_day_names_both_readings_and_how_to_choose(org, tmp_path, via, choose):
    with pytest.raises(metrics_io.ObservationsRejected) as refused:
        metrics_io.import_metrics(org.db, source=metrics_file(tmp_path, "05/06/2025"), actor_id=org.admin, via=via)
    assert refused.value.problems == [f"row 2, column date, value '05/06/2025': is ambiguous (5 June or 6 May?): "
                                      f"write it year first, 2025-06-05 or 2025-05-06, or {choose}"]


def test_an_xlsx_date_cell_is_read_and_a_number_formatted_cell_is_refused_with_the_date_it_would_be(org):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["metric", "team", "date", "value"])
    sheet.append(["csat", "CC", date(2025, 4, 3), 4])  # a date cell
    sheet.append(["csat", "ST", 45750, 4])  # the same day as the spreadsheet's serial number, shown as a number
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(metrics_io.ObservationsRejected) as refused:
        metrics_io.import_metrics(org.db, source=io.BytesIO(buffer.getvalue()), file_name="m.xlsx",
                                  actor_id=org.admin)
    assert refused.value.problems == [
        "row 3, column date, value '45750': is a number, not a date (a spreadsheet would show it as 2025-04-03): "
        "format the cell as a date, or write the date year first, e.g. 2025-04-03"]
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)
    metrics_io.import_metrics(org.db, source=io.BytesIO(buffer.getvalue()), file_name="m.xlsx", actor_id=org.admin)
    assert stored_days(org.db) == [date(2025, 4, 3)]
