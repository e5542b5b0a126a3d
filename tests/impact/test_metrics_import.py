"""`import_metrics` and `hero metrics import` on SQLite and PostgreSQL: all rows or none, problems named."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import select

from hero_core.cli import main
from hero_core.errors import ImportRejected, PermissionDenied
from hero_core.models import AuditEntry, Metric, Observation, Team
from hero_core.services import metrics_io

from .factories import counts

GOOD_CSV = """metric,team,date,value,sample_size
csat,CC,2025-01-02,4.5,120
CSAT, cc ,3 January 2025,1,
aht,ST,13/04/2025,300,7
aht,ST,03/04/2025,86400,
nps,CC,2025-01-02T00:00:00,-100,30
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stored(db) -> list[tuple]:
    with db.read() as s:
        return s.execute(
            select(Metric.code, Team.code, Observation.day, Observation.value, Observation.sample_size)
            .join(Metric, Metric.id == Observation.metric_id)
            .join(Team, Team.id == Observation.team_id)
            .order_by(Metric.code, Team.code, Observation.day)
        ).all()


def last_audit(db) -> AuditEntry:
    with db.read() as s:
        return s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()


def rejected(db, path, **kw) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        metrics_io.import_metrics(db, source=path, actor_id=None, **kw)
    return info.value


def test_a_good_csv_is_stored_whole_with_one_audit_entry_in_the_same_transaction(org, tmp_path):
    path = write(tmp_path, "march.csv", GOOD_CSV)
    _, audits_before = counts(org.db)

    summary = metrics_io.import_metrics(org.db, source=path, actor_id=org.admin)

    assert summary.rows == 5 and summary.replaced == 0
    assert stored(org.db) == [
        ("aht", "ST", date(2025, 4, 3), 86400.0, None),  # 03/04 read day-first: the column has 13/04
        ("aht", "ST", date(2025, 4, 13), 300.0, 7),
        ("csat", "CC", date(2025, 1, 2), 4.5, 120),
        ("csat", "CC", date(2025, 1, 3), 1.0, None),
        ("nps", "CC", date(2025, 1, 2), -100.0, 30),
    ]
    entry = last_audit(org.db)
    assert counts(org.db)[1] == audits_before + 1
    assert (entry.entity_type, entry.action, entry.actor_email) == (
        "observations",
        "metrics_imported",
        "ada@example.com",
    )
    assert json.loads(entry.after_json) == {
        "file": "march.csv",
        "rows": 5,
        "replaced": 0,
        "counts": {"aht": {"ST": 2}, "csat": {"CC": 2}, "nps": {"CC": 1}},
    }


def test_a_good_xlsx_is_stored_with_date_cells_numbers_and_text_dates(org, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["metric", "team", "date", "value", "sample_size"])
    sheet.append(["fcr", "CC", datetime(2025, 2, 3), 0.75, 40])  # noqa: DTZ001 - a spreadsheet cell has no zone
    sheet.append(["fcr", "ST", date(2025, 2, 3), 1, None])
    sheet.append([None, None, None, None, None])  # a blank row is skipped
    sheet.append(["complaints", "ST", "2025-02-04", 12, 5])
    path = tmp_path / "feb.xlsx"
    book.save(path)

    summary = metrics_io.import_metrics(org.db, source=path, actor_id=None)

    assert summary.rows == 3
    assert stored(org.db) == [
        ("complaints", "ST", date(2025, 2, 4), 12.0, 5),
        ("fcr", "CC", date(2025, 2, 3), 0.75, 40),
        ("fcr", "ST", date(2025, 2, 3), 1.0, None),
    ]


def test_a_bad_file_is_refused_whole_with_every_problem_named_and_the_database_unchanged(org, tmp_path):
    metrics_io.import_metrics(
        org.db,
        source=write(tmp_path, "old.csv", "metric,team,date,value\ncsat,CC,2025-05-01,4\n"),
        actor_id=None,
    )
    before = counts(org.db)
    path = write(
        tmp_path,
        "bad.csv",
        "\n".join(
            [
                "metric,team,date,value,sample_size",
                "csat,CC,2025-05-02,4,",  # 2 fine
                "happiness,CC,2025-05-03,4,",  # 3 unknown metric
                "csat,ZZ,2025-05-03,4,",  # 4 unknown team
                "csat,CC,2025-02-30,4,",  # 5 not a real date
                "csat,CC,03/04/2025,4,",  # 6 ambiguous
                "csat,CC,soon,4,",  # 7 unreadable
                "csat,CC,2025-05-04,four,",  # 8 not a number
                "csat,CC,2025-05-05,7,",  # 9 out of the csat range 1-5
                "csat,CC,2025-05-02,4,",  # 10 repeats row 2
                "csat,CC,2025-05-01,4,",  # 11 already stored
                "csat,CC,2025-05-06,4,-3",  # 12 bad sample size
                "csat,CC,2025-05-07,,",  # 13 empty value
            ]
        )
        + "\n",
    )

    error = rejected(org.db, path)

    assert error.total == 11
    assert [(p.row, p.column, p.value) for p in error.details] == [
        (3, "metric", "happiness"),
        (4, "team", "ZZ"),
        (5, "date", "2025-02-30"),
        (6, "date", "03/04/2025"),
        (7, "date", "soon"),
        (8, "value", "four"),
        (9, "value", "7"),
        (10, "metric,team,date", "csat,CC,2025-05-02"),
        (11, "metric,team,date", "csat,CC,2025-05-01"),
        (12, "sample_size", "-3"),
        (13, "value", ""),
    ]
    reasons = {p.row: p.reason for p in error.details}
    assert "not a metric in the catalog" in reasons[3] and "aht" in reasons[3]
    assert "not a team code" in reasons[4] and "CC" in reasons[4]
    assert "not a real date" in reasons[5]
    assert "ambiguous" in reasons[6] and "--dayfirst" in reasons[6]
    assert "not a date" in reasons[7]
    assert reasons[8] == "is not a number"
    assert "outside the range of csat (from 1 to 5)" in reasons[9]
    assert "row 2" in reasons[10]
    assert "already stored" in reasons[11] and "--replace" in reasons[11]
    assert "whole number" in reasons[12]
    assert "empty" in reasons[13]
    assert str(error.details[0]) == (
        "row 3, column metric, value 'happiness': is not a metric in the catalog "
        "(known: aht, complaints, csat, error_rate, fcr, nps, sales_conversion, "
        "time_to_mastery)"
    )
    assert counts(org.db) == before


def test_dayfirst_settles_ambiguous_dates_and_a_column_that_can_only_be_read_one_way_settles_itself(
    org, tmp_path
):
    ambiguous = write(tmp_path, "a.csv", "metric,team,date,value\ncsat,CC,03/04/2025,4\n")
    us_style = write(
        tmp_path, "b.csv", "metric,team,date,value\ncsat,ST,03/04/2025,4\ncsat,ST,04/13/2025,4\n"
    )

    metrics_io.import_metrics(org.db, source=ambiguous, actor_id=None, dayfirst=True)
    metrics_io.import_metrics(org.db, source=us_style, actor_id=None)

    assert [(t, d) for _, t, d, _, _ in stored(org.db)] == [
        ("CC", date(2025, 4, 3)),
        ("ST", date(2025, 3, 4)),
        ("ST", date(2025, 4, 13)),
    ]


def test_replace_overwrites_stored_rows_that_would_otherwise_be_refused(org, tmp_path):
    first = write(
        tmp_path, "first.csv", "metric,team,date,value\ncsat,CC,2025-05-01,4\ncsat,CC,2025-05-02,4\n"
    )
    again = write(
        tmp_path, "again.csv", "metric,team,date,value\ncsat,CC,2025-05-02,2.5\ncsat,CC,2025-05-03,3\n"
    )
    metrics_io.import_metrics(org.db, source=first, actor_id=None)
    before = counts(org.db)

    refused = rejected(org.db, again)
    assert counts(org.db) == before and refused.total == 1
    broken = write(
        tmp_path, "broken.csv", "metric,team,date,value\ncsat,CC,2025-05-02,2.5\ncsat,CC,2025-05-03,x\n"
    )
    assert [p.row for p in rejected(org.db, broken, replace=True).details] == [
        3
    ]  # the clash is not a problem
    summary = metrics_io.import_metrics(org.db, source=again, actor_id=None, replace=True)

    assert (summary.rows, summary.replaced) == (2, 1)
    assert [(d.day, v) for _, _, d, v, _ in stored(org.db)] == [(1, 4.0), (2, 2.5), (3, 3.0)]
    assert json.loads(last_audit(org.db).after_json)["replaced"] == 1


def test_only_the_first_fifty_problems_are_listed_but_all_are_counted(org, tmp_path):
    rows = "".join(f"csat,CC,2025-01-{d:02d},9\n" for d in range(1, 32)) + "".join(
        f"csat,CC,2025-03-{d:02d},x\n" for d in range(1, 32)
    )
    error = rejected(org.db, write(tmp_path, "many.csv", "metric,team,date,value\n" + rows))

    assert error.total == 62
    assert len(error.problems) == 50
    assert error.details[0].row == 2 and error.details[-1].row == 51
    assert "... and 12 more" in str(error)


def test_a_wrong_header_is_reported_on_row_one(org, tmp_path):
    error = rejected(
        org.db, write(tmp_path, "h.csv", "metric,team,day,value,comment\ncsat,CC,2025-01-01,4,x\n")
    )

    assert {(p.row, p.column, p.value) for p in error.details} == {
        (1, "C", "day"),
        (1, "E", "comment"),
        (1, "date", ""),
    }


def test_a_semicolon_separated_file_is_refused_with_a_hint(org, tmp_path):
    error = rejected(org.db, write(tmp_path, "eu.csv", "metric;team;date;value\ncsat;CC;2025-01-01;4\n"))

    assert [(p.row, p.reason) for p in error.details] == [
        (1, "the cells are separated by ';'; save the file as comma-separated CSV")
    ]


def test_a_bad_xlsx_reports_the_row_numbers_the_spreadsheet_shows(org, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["metric", "team", "date", "value"])
    sheet.append(["csat", "CC", date(2025, 2, 3), 4])
    sheet.append([None, None, None, None])
    sheet.append(["csat", "CC", date(2025, 2, 4), "n/a"])
    sheet.append(["csat", "CC", date(2025, 2, 5), 4, "stray"])
    path = tmp_path / "bad.xlsx"
    book.save(path)

    error = rejected(org.db, path)

    assert [(p.row, p.column, p.value) for p in error.details] == [(5, "E", "stray")]
    sheet.delete_rows(5)
    book.save(path)
    error = rejected(org.db, path)
    assert [(p.row, p.column, p.value, p.reason) for p in error.details] == [
        (4, "value", "n/a", "is not a number")
    ]
    assert counts(org.db)[0] == 0


def test_rows_with_the_wrong_number_of_cells_and_blank_lines_keep_spreadsheet_row_numbers(org, tmp_path):
    error = rejected(
        org.db,
        write(
            tmp_path,
            "r.csv",
            'metric,team,date,value\ncsat,CC,2025-01-01,4\n\n"csat",CC,2025-01-02,4,extra\n'
            "csat,CC,2025-01-03,9\n",
        ),
    )

    assert [(p.row, p.reason) for p in error.details] == [(4, "has 5 cells; the header has 4")]
    clean = rejected(
        org.db,
        write(tmp_path, "s.csv", "metric,team,date,value\ncsat,CC,2025-01-01,4\n\ncsat,CC,2025-01-03,9\n"),
    )
    assert [(p.row, p.column) for p in clean.details] == [(4, "value")]


def test_the_progress_callback_moves_forward_to_one(org, tmp_path):
    seen: list[tuple[float, str]] = []

    metrics_io.import_metrics(
        org.db,
        source=write(tmp_path, "p.csv", GOOD_CSV),
        actor_id=None,
        progress=lambda fraction, message: seen.append((fraction, message)),
    )

    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert "stored 5 rows" in seen[-1][1]


def test_only_admins_may_import_metrics(org, tmp_path):
    with pytest.raises(PermissionDenied):
        metrics_io.import_metrics(org.db, source=write(tmp_path, "p.csv", GOOD_CSV), actor_id=org.manager)
    assert counts(org.db)[0] == 0


def test_hero_metrics_import_exits_zero_when_stored_and_one_with_nothing_stored(org, tmp_path, monkeypatch):
    monkeypatch.setenv("HERO_DATABASE_URL", org.db.url)
    runner = CliRunner()
    good = write(tmp_path, "good.csv", GOOD_CSV)
    ambiguous = write(tmp_path, "amb.csv", "metric,team,date,value\ncsat,CC,05/06/2025,4\n")

    ok = runner.invoke(main, ["metrics", "import", str(good)])
    again = runner.invoke(main, ["metrics", "import", str(good)])
    before = counts(org.db)
    bad = runner.invoke(main, ["metrics", "import", str(ambiguous)])
    settled = runner.invoke(main, ["metrics", "import", str(ambiguous), "--dayfirst"])
    replaced = runner.invoke(main, ["metrics", "import", str(good), "--replace"])
    missing = runner.invoke(main, ["metrics", "import", str(tmp_path / "nope.csv")])

    assert ok.exit_code == 0 and "5 row(s) stored from good.csv" in ok.output
    assert again.exit_code == 1 and "already stored" in again.output
    assert bad.exit_code == 1
    assert "row 2, column date, value '05/06/2025': is ambiguous" in bad.output
    assert "Traceback" not in bad.output
    assert settled.exit_code == 0 and counts(org.db)[0] == before[0] + 1
    assert replaced.exit_code == 0 and "(5 replaced)" in replaced.output
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_the_stored_summary_counts_teams_rows_and_first_and_last_day_per_metric(org, tmp_path):
    path = write(tmp_path, "summary.csv", "metric,team,date,value\ncsat,CC,2025-03-31,4.2\ncsat,ST,2025-04-02,4.0\n"
                 "aht,CC,2025-01-05,400\n")
    metrics_io.import_metrics(org.db, source=path, actor_id=org.admin)

    summary = metrics_io.stored_summary(org.db, actor_id=org.admin)

    assert summary.to_dict("records") == [
        {"metric": "aht", "teams": 1, "observations": 1, "first_day": "2025-01-05", "last_day": "2025-01-05"},
        {"metric": "csat", "teams": 2, "observations": 2, "first_day": "2025-03-31", "last_day": "2025-04-02"},
    ]
    with pytest.raises(PermissionDenied):
        metrics_io.stored_summary(org.db, actor_id=org.executive)


def test_loading_the_validator_ahead_leaves_every_check_in_force(org, tmp_path):
    """load_validator only loads the library (for benchmarks); a file validated afterwards is checked as ever."""
    metrics_io.load_validator()
    metrics_io.load_validator()  # twice: it keeps nothing a second call could trip over
    before = counts(org.db)
    path = write(tmp_path, "after.csv", "metric,team,date,value,sample_size\n"
                 "csat,CC,2025-05-02,4,\ncsat,CC,2025-05-05,7,\ncsat,CC,2025-05-06,4,-3\n")
    error = rejected(org.db, path)
    assert [(p.row, p.column, p.value) for p in error.details] == [(3, "value", "7"), (4, "sample_size", "-3")]
    assert counts(org.db) == before
