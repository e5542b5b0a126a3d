"""Shared fixtures: a fresh database per test on SQLite and on the real PostgreSQL (a throw-away database
per run), and a small organisation to act in."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hero_core.db import Database, migrate
from hero_core.models import Base
from hero_core.services import catalog, people

PG_ADMIN_URL = os.environ.get("HERO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("HERO_REQUIRE_POSTGRES") == "1"
# The audit chain is keyed (hero_core.audit_key). Every test, and every process a test starts, signs with this
# throw-away key from the environment, so no test reads or writes a key file in the project's data/ folder.
os.environ["HERO_AUDIT_KEY"] = "7e57" * 16


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def pg_url():
    """URL of a throw-away PostgreSQL database, created for this test run and dropped after it."""
    problem = _pg_reachable()
    if problem:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is required (HERO_REQUIRE_POSTGRES=1) but: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {problem}")
    name = f"hero_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    migrate(db)
    db.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
        ), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is faster than per test)."""
    path = tmp_path_factory.mktemp("template") / "hero.db"
    db = Database(f"sqlite:///{path}")
    migrate(db)
    # Raw DBAPI connection: a SQLAlchemy connection would first emit BEGIN IMMEDIATE (see hero_core.db), and a
    # checkpoint inside a transaction fails with "database table is locked".
    raw = db.engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    db.dispose()
    return path


def _truncate_all(url: str) -> None:
    """Empty every table and restart the ids. DELETE on a few rows is ~10x faster than TRUNCATE (which makes
    new files for 16 tables); replica mode lets it past the audit trail's append-only trigger."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(text(f'DELETE FROM "{table.name}"'))
        sequences = conn.execute(text(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences"
            " WHERE schemaname = current_schema()"
        )).scalars().all()
        for sequence in sequences:
            conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))
    engine.dispose()


def fresh_sqlite(template: Path, directory: Path) -> Database:
    path = directory / "hero.db"
    shutil.copy(template, path)
    return Database(f"sqlite:///{path}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, sqlite_template) -> Database:
    """An empty, migrated database with the default metric catalog — on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        database = fresh_sqlite(sqlite_template, tmp_path)
    else:
        url = request.getfixturevalue("pg_url")
        _truncate_all(url)
        database = Database(url)
    catalog.ensure_defaults(database)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path, sqlite_template) -> Database:
    database = fresh_sqlite(sqlite_template, tmp_path)
    catalog.ensure_defaults(database)
    yield database
    database.dispose()


@dataclass
class Org:
    """A small organisation: two teams, each with a manager and a frontline person; IT, an executive, an admin."""

    db: Database
    frontline: int
    frontline_b: int
    other_frontline: int
    manager: int
    other_manager: int
    it: int
    executive: int
    admin: int


PASSWORD = "a long enough password"


def build_org(database: Database) -> Org:
    people.create_team(database, actor_id=None, code="CC", name="Contact centre")
    people.create_team(database, actor_id=None, code="ST", name="Stores")

    def add(email, roles, team):
        return people.add_user(database, actor_id=None, email=email, name=email.split("@")[0].title(), roles=roles,
                               team_code=team, password=PASSWORD)

    return Org(
        db=database,
        frontline=add("fran@example.com", ["frontline"], "CC"),
        frontline_b=add("frank@example.com", ["frontline"], "CC"),
        other_frontline=add("sam@example.com", ["frontline"], "ST"),
        manager=add("mia@example.com", ["manager"], "CC"),
        other_manager=add("max@example.com", ["manager"], "ST"),
        it=add("ivan@example.com", ["it_champion"], "CC"),
        executive=add("eve@example.com", ["executive"], "CC"),
        admin=add("ada@example.com", ["admin"], "CC"),
    )


@pytest.fixture
def org(db) -> Org:
    return build_org(db)


class Clock:
    """The database's clock, moved by hand."""

    def __init__(self, db: Database):
        self.now = db.now()
        db.clock = lambda: self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)
