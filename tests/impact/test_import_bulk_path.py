"""The metrics import's bulk path: weekly sums added from the rows written, and foreign-key checks done once per
id inside the write transaction instead of per row (SQLite)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from hero_core.errors import ImportRejected
from hero_core.models import Observation, Team
from hero_core.services import metrics_io

from .factories import counts
from .test_impact_store import stored_weekly_sums, weekly_sums_from_days

START = date(2025, 1, 1)  # a Wednesday: the first week is a partial one


def import_rows(db, tmp_path, name: str, rows: list[tuple[str, str, date, float]], **kw):
    path = tmp_path / name
    path.write_text("metric,team,date,value\n" + "".join(f"{m},{t},{d},{v}\n" for m, t, d, v in rows))
    return metrics_io.import_metrics(db, source=path, actor_id=None, **kw)


def test_weekly_sums_equal_the_sums_of_the_days_after_every_kind_of_import(org, tmp_path):
    """New weeks, weeks that already held days (at either end of a file and inside it, with gaps), replaced
    days, and other metrics and teams in the same weeks: after each import the stored sums are the days' sums."""
    rng = random.Random(20261203)
    stored_keys: set[tuple[str, str, date]] = set()
    for round_no in range(12):
        rows = []
        first = START + timedelta(days=rng.randrange(0, 60))
        for metric in rng.sample(["csat", "aht", "nps"], k=rng.randint(1, 3)):
            for team in rng.sample(["CC", "ST"], k=rng.randint(1, 2)):
                for offset in range(rng.randrange(1, 40)):
                    if rng.random() < 0.7:  # gaps inside weeks
                        rows.append((metric, team, first + timedelta(days=offset),  # noqa: PERF401 (draws in order)
                                     round(rng.uniform(1, 5) if metric == "csat" else rng.uniform(0, 90), 3)))
        replace = any((m, t, d) in stored_keys for m, t, d, _ in rows)
        import_rows(org.db, tmp_path, f"round{round_no}.csv", rows, replace=replace)
        stored_keys |= {(m, t, d) for m, t, d, _ in rows}

        assert stored_weekly_sums(org.db) == weekly_sums_from_days(org.db), f"round {round_no}"
    assert counts(org.db)[0] == len(stored_keys)


def test_a_file_written_into_weeks_that_held_days_recomputes_those_weeks_and_adds_the_new_ones(org, tmp_path):
    # Wednesday to Friday of one week, then the same week's Saturday to the next week's Tuesday.
    import_rows(org.db, tmp_path, "first.csv", [("aht", "CC", START + timedelta(days=k), 100.0) for k in range(3)])
    import_rows(org.db, tmp_path, "next.csv", [("aht", "CC", START + timedelta(days=k), 10.0) for k in range(3, 8)])

    sums = [(week, total, n) for _, week, _, total, n in stored_weekly_sums(org.db)]
    first_week = (START - date(1970, 1, 5)).days // 7
    assert sums == [(first_week, 300.0 + 2 * 10.0, 5), (first_week + 1, 30.0, 3)]


def test_an_import_refuses_rows_whose_team_was_removed_while_the_file_was_checked(org, tmp_path, monkeypatch):
    """The ids are looked up before the write transaction; they are checked again inside it, so the per-row
    foreign-key checks SQLite skips for the bulk insert lose nothing."""
    with org.db.write() as s:
        s.add(Team(code="GONE", name="Leaving team", created_at=org.db.now()))
    validate = metrics_io._validate

    def validate_then_remove_the_team(*args, **kw):
        result = validate(*args, **kw)
        with org.db.write() as s:
            s.execute(text("DELETE FROM teams WHERE code = 'GONE'"))
        return result

    monkeypatch.setattr(metrics_io, "_validate", validate_then_remove_the_team)
    before = counts(org.db)
    with pytest.raises(ImportRejected) as info:
        import_rows(org.db, tmp_path, "gone.csv", [("aht", "CC", START, 100.0), ("aht", "GONE", START, 90.0),
                                                    ("csat", "GONE", START, 4.0)])

    assert [str(p) for p in info.value.details] == [
        f"row {row}, column team, value 'GONE': was removed while this file was checked" for row in (3, 4)
    ]
    assert counts(org.db) == before


def test_foreign_keys_are_checked_again_by_the_next_write_on_the_same_connection(org, tmp_path):
    import_rows(org.db, tmp_path, "ok.csv", [("aht", "CC", START, 100.0)])

    with pytest.raises(IntegrityError), org.db.write() as s:  # noqa: PT012 (one write on the import's connection)
        metric_id = s.execute(select(Observation.metric_id)).scalar_one()
        s.add(Observation(metric_id=metric_id, team_id=987654, day=START, value=1.0))
        s.flush()
    with org.db.read() as s:
        assert s.execute(select(func.count()).select_from(Observation)).scalar_one() == 1
