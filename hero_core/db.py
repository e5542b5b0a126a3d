"""The database: engine set-up for SQLite and PostgreSQL, transactions, migrations.

SQLite (embedded default) runs in WAL mode with a busy timeout and foreign keys on; pysqlite's own
transaction handling is switched off so that write transactions begin IMMEDIATE (taking the write lock up
front, so two writers queue instead of failing half-way with "database is locked") while read transactions
stay deferred and never block writers. PostgreSQL is chosen by HERO_DATABASE_URL.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from hero_core import config
from hero_core.errors import DatabaseBusy, StaleIdea

SQLITE_BUSY_TIMEOUT_MS = 15_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def utcnow() -> datetime:
    return datetime.now(UTC)


# Rows and parameters hold password hashes and session-token hashes: SQLAlchemy must never log them because
# someone turned the root logger to DEBUG. Its logger stays at WARNING unless configured on purpose, and even
# then (SQL echo at INFO) the engines hide statement parameters.
if logging.getLogger("sqlalchemy.engine").level == logging.NOTSET:
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


def make_engine(url: str) -> Engine:
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        database = sa_url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            sa_url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            # Take transaction control away from pysqlite so BEGIN is ours (see module docstring).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            options = conn.get_execution_options()
            # A bulk writer that verifies its references itself, inside its own transaction, may switch the
            # per-row foreign-key checks off for that transaction (the pragma only acts outside one).
            checked = not options.get("hero_references_verified")
            if conn.info.get("hero_foreign_keys", True) != checked:
                conn.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if checked else 'OFF'}")
                conn.info["hero_foreign_keys"] = checked
            conn.exec_driver_sql(f"BEGIN {'DEFERRED' if options.get('hero_readonly') else 'IMMEDIATE'}")

        return engine
    return create_engine(sa_url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True)


class Database:
    """One database: hands out write and read transactions and knows what time it is."""

    def __init__(self, url: str | None = None, *, clock: Callable[[], datetime] = utcnow):
        self.url = url or config.database_url()
        self.engine = make_engine(self.url)
        self.dialect = self.engine.dialect.name
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            self.engine.execution_options(hero_readonly=True), expire_on_commit=False
        )
        self._bulk_writer = sessionmaker(
            self.engine.execution_options(hero_references_verified=True), expire_on_commit=False
        )
        self.clock = clock

    def now(self) -> datetime:
        return self.clock()

    @contextlib.contextmanager
    def write(self, *, references_verified: bool = False) -> Iterator[Session]:
        """A write transaction: commits when the block ends normally, rolls back on any error.

        `references_verified` is for a bulk writer that checks, inside this transaction, that every id it
        writes exists (metrics_io does, once per distinct id): SQLite then skips its per-row foreign-key
        lookups for this transaction. PostgreSQL keeps checking; its bulk path (COPY) does not need the help."""
        session = (self._bulk_writer if references_verified else self._writer)()
        try:
            with translate_db_errors():
                yield session
                session.commit()
        finally:
            if session.in_transaction():
                session.rollback()
            session.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (never commits)."""
        session = self._reader()
        try:
            with translate_db_errors():
                yield session
        finally:
            # close() ends the transaction and detaches the objects without expiring them (rollback()
            # would expire them), so what was read stays readable after the block.
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


@contextlib.contextmanager
def translate_db_errors() -> Iterator[None]:
    try:
        yield
    except StaleDataError as exc:
        raise StaleIdea(0, "This record changed since you opened it (someone else acted on it). "
                           "Reload, then try again.") from exc
    except OperationalError as exc:
        message = str(exc.orig).lower() if exc.orig else str(exc).lower()
        if "locked" in message or "busy" in message:
            raise DatabaseBusy() from exc
        if "could not serialize" in message or "deadlock" in message:
            raise DatabaseBusy() from exc
        raise


def migrate(db: Database) -> None:
    """Upgrade the schema to the newest Alembic revision (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = db.engine
    command.upgrade(cfg, "head")


def schema_revision(db: Database) -> str | None:
    with db.read() as s:
        try:
            return s.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:  # no alembic_version table (or no reading it): not a migrated database
            return None
