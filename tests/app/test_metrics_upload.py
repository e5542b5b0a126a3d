"""The admin page's metrics upload: CSV or XLSX, a progress bar, all rows or none, row-numbered problems
(the first 50 and the total), the replace and day-first options."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlalchemy import select

from hero_core.models import Observation
from tests.app.conftest import (
    NOT_IN_NAVIGATION,
    as_role,
    assert_clean,
    button,
    errors,
    open_page,
    open_tab,
    successes,
    table,
)
from tests.impact.factories import counts

HEADER = "metric,team,date,value,sample_size\n"


def admin_page():
    at = open_tab(open_page(as_role("admin"), "admin"), "Import metrics", key="admin_tab")
    assert_clean(at)
    return at


def upload(at, name: str, data: bytes, mime: str = "text/csv"):
    at.file_uploader(key="admin_metrics_file").set_value((name, data, mime)).run()
    button(at, "Import metrics").click().run()
    assert_clean(at)
    return at


def stored(org) -> list[tuple[str, date, float]]:
    with org.db.read() as s:
        return [(t, d, v) for t, d, v in s.execute(
            select(Observation.team_id, Observation.day, Observation.value).order_by(Observation.day,
                                                                                     Observation.team_id))]


def test_a_clean_csv_is_stored_with_progress_and_a_per_team_summary(org):
    csv = HEADER + "csat,CC,2025-03-31,4.2,118\ncsat,ST,2025-03-31,3.9,\naht,CC,2025-04-01,412,\n"
    at = upload(admin_page(), "march.csv", csv.encode())

    assert successes(at) == ["Stored 3 observations from march.csv."]
    assert (at.status[0].label, at.status[0].state) == ("Imported 3 observations", "complete")
    assert at.get("progress")
    assert counts(org.db)[0] == 3
    per_team = table(at, "Metric", "Team", "Rows")
    assert sorted(zip(per_team["Metric"], per_team["Team"], per_team["Rows"], strict=True)) == [  # by name, not code
        ("Average handle time", "Contact centre", 1), ("Customer satisfaction", "Contact centre", 1),
        ("Customer satisfaction", "Stores", 1)]
    summary = table(at, "Metric", "Observations", "First day")
    assert dict(zip(summary["Metric"], summary["Observations"], strict=True)) == {"Average handle time": 1,
                                                                     "Customer satisfaction": 2}


def test_a_refused_file_stores_nothing_and_names_each_problems_row(org):
    csv = HEADER + (
        "csat,CC,2025-03-31,4.2,\n"
        "csat,NOPE,2025-03-31,4.0,\n"  # row 3: unknown team
        "csat,ST,2025-03-31,7.5,\n"  # row 4: outside 1-5
        "csat,CC,2025-03-31,4.1,\n"  # row 5: repeats row 2
    )
    at = admin_page()
    before = counts(org.db)
    upload(at, "bad.csv", csv.encode())

    assert at.status[0].state == "error"
    assert errors(at)[0] == "3 problems found in bad.csv; nothing was stored. They are listed below."
    assert at.get("progress")[0].proto.value == 100, "the bar ends full: every row was checked"
    problems = table(at, "Row", "Column", "Value", "Problem")
    assert list(problems["Row"]) == [3, 4, 5]
    assert list(problems["Column"]) == ["team", "value", "metric,team,date"]
    assert "outside the range of csat" in problems["Problem"][1]
    assert "repeats the metric, team and date of row 2" in problems["Problem"][2]
    assert counts(org.db) == before  # no observation, no audit entry


def test_a_file_with_many_problems_lists_the_first_fifty_and_counts_them_all(org):
    csv = HEADER + "".join(f"csat,CC,2025-01-{d:02d},9,\n" for d in range(1, 31)) + "".join(
        f"csat,CC,2025-02-{d:02d},nine,\n" for d in range(1, 29))
    at = upload(admin_page(), "many.csv", csv.encode())

    assert errors(at)[0] == "58 problems found in many.csv; nothing was stored. The first 50 are listed below."
    problems = table(at, "Row", "Problem")
    assert list(problems["Row"]) == list(range(2, 52))
    assert counts(org.db)[0] == 0


def test_an_xlsx_upload_with_day_first_dates_and_replace(org):
    first = upload(admin_page(), "first.csv", (HEADER + "nps,CC,2025-04-03,10,\n").encode())
    assert counts(org.db)[0] == 1

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["metric", "team", "date", "value"])
    sheet.append(["nps", "CC", "03/04/2025", 12])  # 3 April when read day first
    sheet.append(["nps", "ST", "04/04/2025", 15])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    at = upload(first, "april.xlsx", data, xlsx)  # ambiguous dates, no order chosen: refused
    assert "is ambiguous" in table(at, "Row", "Problem")["Problem"][0]
    at.radio(key="admin_metrics_dates").set_value("day").run()
    button(at, "Import metrics").click().run()
    problems = table(at, "Row", "Problem")
    assert list(problems["Row"]) == [2] and "already stored" in problems["Problem"][0]  # clash, not replaced
    # The page's words: the checkbox to tick, not the command line's --replace.
    assert "tick “Replace stored values for the same metric, team and date”" in problems["Problem"][0]
    assert "--replace" not in " ".join(problems["Problem"])

    at.checkbox(key="admin_metrics_replace").check().run()
    button(at, "Import metrics").click().run()
    assert_clean(at)
    assert successes(at) == ["Stored 2 observations (1 replaced) from april.xlsx."]
    assert [(d, v) for _, d, v in stored(org)] == [(date(2025, 4, 3), 12.0), (date(2025, 4, 4), 15.0)]


def test_only_admins_may_import_metrics(org):
    import pytest

    from hero_core.errors import PermissionDenied
    from hero_core.services import metrics_io

    with pytest.raises(ValueError, match=NOT_IN_NAVIGATION):
        open_page(as_role("executive"), "admin")  # the navigation does not offer the page
    with pytest.raises(PermissionDenied):  # and the service refuses whatever the UI shows
        metrics_io.import_metrics(org.db, source=io.BytesIO((HEADER + "csat,CC,2025-03-31,4,\n").encode()),
                                  file_name="x.csv", actor_id=org.executive)
    assert counts(org.db)[0] == 0


def test_a_problem_of_the_whole_file_has_an_empty_row_never_none(org):
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at = upload(admin_page(), "broken.xlsx", b"this is not a spreadsheet", xlsx)
    problems = table(at, "Row", "Problem")
    assert "" in list(problems["Row"]), list(problems["Row"])
    assert not any(str(r) in ("None", "<NA>", "nan") for r in problems["Row"])
