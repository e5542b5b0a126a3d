"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL; 0004 fills the weekly
sums from observations already stored, and PostgreSQL refuses TRUNCATE of the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import insert, select, text

from hero_core.db import MIGRATIONS_DIR, Database
from hero_core.models import Base, Metric, Observation, ObservationWeek
from hero_core.services import catalog, observations, people


def test_migrated_schema_equals_the_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def _config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = db.engine
    return cfg


def test_0004_fills_the_weekly_sums_from_stored_days(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(_config(db), "0003")
    catalog.ensure_defaults(db)
    people.create_team(db, actor_id=None, code="T1", name="Team one")
    monday = date(2025, 3, 3)
    with db.write() as s:
        metric_id = s.execute(select(Metric.id).where(Metric.code == "aht")).scalar_one()
        team_id = s.execute(text("SELECT id FROM teams WHERE code = 'T1'")).scalar_one()
        s.execute(insert(Observation), [
            {"metric_id": metric_id, "team_id": team_id, "day": monday + timedelta(days=k), "value": float(k)}
            for k in range(10)  # a whole week (0..6) and three days of the next (7..9)
        ])
    command.upgrade(_config(db), "head")
    with db.read() as s:
        weeks = s.execute(select(ObservationWeek.week, ObservationWeek.total, ObservationWeek.n_days)
                          .order_by(ObservationWeek.week)).all()
    first = observations.week_number(monday)
    assert [tuple(w) for w in weeks] == [(first, 21.0, 7), (first + 1, 24.0, 3)]
    db.dispose()


def test_postgresql_refuses_truncate_of_the_audit_trail(pg_url):
    db = Database(pg_url)
    try:
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_entries"))
    finally:
        db.dispose()
