"""Backups: a consistent copy taken while the app runs, and a restore into an empty database.

SQLite is copied with its online backup API (one step, so the copy is a single consistent snapshot even while
people keep working; the result is itself a SQLite database file). PostgreSQL is exported logically: every
table read inside one REPEATABLE READ, READ ONLY transaction (the same snapshot guarantee pg_dump relies on)
into a gzip'd JSON-lines file. Both kinds restore through one path, table by table in foreign-key order and in
one transaction, so a SQLite backup restores into PostgreSQL and the other way round. A restore refuses a
database that holds any row, and the audit chain is verified before the restore commits.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import sqlite3
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Table, create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import Boolean, Date, Float, Integer

from hero_core import audit, audit_key, safe_paths
from hero_core.db import Database, migrate, schema_revision
from hero_core.errors import HeroError, InvalidInput
from hero_core.models import AuditEntry, Base, UTCDateTime

FORMAT = "hero-backup"
FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"
BATCH = 5_000


class BackupFailed(HeroError):
    """A backup or restore could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupSummary:
    path: str
    kind: str  # "sqlite" (online backup API) or "logical" (JSON lines)
    rows: dict[str, int]
    audit_entries: int
    audit_head: str


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _count_rows(conn, tables: list[Table]) -> dict[str, int]:
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() or 0 for t in tables}


def _head(conn) -> tuple[int, str]:
    row = conn.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else (0, audit.GENESIS)


# ---- backup ------------------------------------------------------------------------------------------------


def backup(db: Database, path: str | os.PathLike) -> BackupSummary:
    """Write a consistent backup of `db` to `path` (replaced atomically; a failed backup leaves no file)."""
    target = safe_paths.writable(path, what="backup file", database_url=db.url)
    if target.is_dir():
        raise InvalidInput(f"backup file {str(target)!r} is a directory; name a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".hero-backup-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        summary = _backup_sqlite(db, tmp) if db.dialect == "sqlite" else _backup_logical(db, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupSummary(str(target), summary.kind, summary.rows, summary.audit_entries, summary.audit_head)


def _backup_sqlite(db: Database, tmp: Path) -> BackupSummary:
    raw = db.engine.raw_connection()
    try:
        source = raw.driver_connection
        dest = sqlite3.connect(tmp)
        try:
            # pages=-1: the whole database in one step, under one read lock -> one consistent snapshot
            # (a multi-step copy would restart whenever a writer commits in between).
            source.backup(dest, pages=-1)
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            dest.close()
    finally:
        raw.close()
    engine = create_engine(f"sqlite:///{tmp}")
    try:
        with engine.connect() as conn:
            rows = _count_rows(conn, _tables())
            seq, head = _head(conn)
    finally:
        engine.dispose()
    return BackupSummary(str(tmp), "sqlite", rows, seq, head)


def _encode(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _backup_logical(db: Database, tmp: Path) -> BackupSummary:
    tables = _tables()
    with (db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
          conn.begin()):
        if db.dialect == "postgresql":
            conn.execute(text("SET TRANSACTION READ ONLY"))
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        rows = _count_rows(conn, tables)  # inside the snapshot: the counts match the rows written
        seq, head = _head(conn)
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as out:
            header = {"format": FORMAT, "version": FORMAT_VERSION, "revision": revision,
                      "dialect": db.dialect, "created_at": datetime.now(UTC).isoformat(), "rows": rows,
                      "audit_entries": seq, "audit_head": head}
            out.write(json.dumps(header) + "\n")
            for table in tables:
                columns = [c.name for c in table.columns]
                out.write(json.dumps({"table": table.name, "columns": columns}) + "\n")
                order = list(table.primary_key.columns) or list(table.columns)
                result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
                    select(table).order_by(*order))
                for row in result:
                    out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
    return BackupSummary(str(tmp), "logical", rows, seq, head)


# ---- restore -----------------------------------------------------------------------------------------------


@dataclass
class _Source:
    revision: str | None
    rows: dict[str, int]
    batches: Iterator[tuple[Table, list[dict]]]
    integrity: str | None = None  # SQLite's quick_check verdict ("ok"), when asked for
    lines: Iterable[str] = ()  # a logical export's remaining raw lines (read these or `batches`, not both)


# What reading a damaged file raises (a cut-off gzip stream, a malformed SQLite page, a broken JSON line, a
# value of the wrong type...): each becomes one line naming the file.
_DAMAGE = (sqlite3.DatabaseError, DBAPIError, EOFError, zlib.error, OSError, ValueError, KeyError, TypeError,
           IndexError, AttributeError)


def _damaged(path: Path, exc: BaseException) -> BackupFailed:
    detail = (str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0][:200]
    return BackupFailed(f"{str(path)!r} is damaged or not a complete HERO backup ({type(exc).__name__}: {detail}); "
                        "nothing was restored")


def _decoder(column):
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v).astimezone(UTC)
    if isinstance(kind, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else bool(v)
    if isinstance(kind, Float):
        return lambda v: None if v is None else float(v)
    if isinstance(kind, Integer):
        return lambda v: None if v is None else int(v)
    return lambda v: v


@contextlib.contextmanager
def _open_source(path: Path, *, check: bool = False) -> Iterator[_Source]:
    if not path.is_file():
        raise InvalidInput(f"backup file {str(path)!r} does not exist or is not a file")
    with path.open("rb") as f:
        magic = f.read(16)
    if not magic:
        raise InvalidInput(f"{str(path)!r} is empty, not a HERO backup")
    if magic.startswith(SQLITE_MAGIC):
        with _sqlite_source(path, check=check) as source:
            yield source
    elif magic.startswith(GZIP_MAGIC):
        with _logical_source(path) as source:
            yield source
    else:
        raise InvalidInput(f"{str(path)!r} is not a HERO backup (neither a SQLite file nor a HERO logical export)")


@contextlib.contextmanager
def _sqlite_source(path: Path, *, check: bool = False) -> Iterator[_Source]:
    # Read-only URI: restoring must never change the backup file.
    engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            integrity = None
            if check:  # quick_check lists problems over several rows and lines: one line of at most 200 chars
                found = " ".join(str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check(5)"))
                integrity = " ".join(found.split())[:200]
            try:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except Exception as exc:  # any failure here means "not a HERO database" (re-raised as such)
                if integrity not in (None, "ok"):
                    raise BackupFailed(f"{str(path)!r} is a damaged SQLite file (integrity check: {integrity}); "
                                       "nothing was restored") from exc
                raise InvalidInput(f"{str(path)!r} is a SQLite file but not a HERO database") from exc
            tables = _tables()
            rows = _count_rows(conn, tables)

            def batches():
                for table in tables:
                    result = conn.execution_options(yield_per=BATCH).execute(select(table))
                    for part in result.partitions(BATCH):
                        yield table, [dict(r._mapping) for r in part]

            yield _Source(revision, rows, batches(), integrity)
    finally:
        engine.dispose()


@contextlib.contextmanager
def _logical_source(path: Path) -> Iterator[_Source]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        try:
            header = json.loads(f.readline())
        except (ValueError, OSError) as exc:
            raise InvalidInput(f"{str(path)!r} is not a HERO backup ({exc})") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise InvalidInput(f"{str(path)!r} is not a HERO backup")
        if header.get("version") != FORMAT_VERSION:
            raise InvalidInput(f"{str(path)!r} is a HERO backup of format version {header.get('version')}; "
                               f"this version reads format {FORMAT_VERSION}")
        by_name = {t.name: t for t in _tables()}

        def batches():
            table, decoders, names, pending = None, [], [], []
            for line in f:
                item = json.loads(line)
                if isinstance(item, dict):
                    if pending:
                        yield table, pending
                        pending = []
                    table = by_name.get(item["table"])
                    if table is None:
                        raise InvalidInput(f"the backup holds a table {item['table']!r} this version does not know")
                    names = item["columns"]
                    decoders = [_decoder(table.c[n]) for n in names]
                    continue
                pending.append({n: d(v) for n, d, v in zip(names, decoders, item, strict=True)})
                if len(pending) >= BATCH:
                    yield table, pending
                    pending = []
            if pending:
                yield table, pending

        yield _Source(header.get("revision"), dict(header.get("rows") or {}), batches(), lines=f)


def restore(db: Database, path: str | os.PathLike) -> BackupSummary:
    """Restore a backup into `db`, which must hold no rows (its schema is created if missing).

    Everything is inserted in one transaction; the audit chain is verified before it commits, and a
    `backup_restored` entry continues the chain. On any problem nothing is stored.
    """
    source_path = Path(path)
    _check_source(source_path)  # a damaged file is refused before the target is touched (or even created)
    audit_key.require()  # the restored trail is verified with it: no key, no restore
    migrate(db)
    target_revision = schema_revision(db)
    tables = _tables()
    with db.read() as s:
        present = {name: n for name, n in _count_rows(s.connection(), tables).items() if n}
    if present:
        listed = ", ".join(f"{name} ({n:,} rows)" for name, n in sorted(present.items()))
        raise InvalidInput(
            f"the target database is not empty: {listed}. Restore only into an empty database "
            "(a new SQLite file, or a newly created PostgreSQL database); nothing was changed."
        )
    with _reading(source_path), _open_source(source_path) as source:
        if source.revision != target_revision:
            raise InvalidInput(
                f"the backup has schema revision {source.revision!r} but this version of HERO uses "
                f"{target_revision!r}; restore it with the matching version of HERO"
            )
        copied: dict[str, int] = {t.name: 0 for t in tables}
        with db.write() as s:
            conn = s.connection()
            for table, rows in source.batches:
                conn.execute(table.insert(), rows)
                copied[table.name] += len(rows)
            expected = {k: v for k, v in source.rows.items() if v}
            if {k: v for k, v in copied.items() if v} != expected:
                raise BackupFailed(f"the backup is incomplete: it announces {expected} rows but holds {copied}; "
                                   "nothing was restored")
            if db.dialect == "postgresql":
                _reset_sequences(conn, tables)
            result = audit.verify(s)
            if not result.ok:
                raise BackupFailed(f"the restored audit trail does not verify ({result.message}); "
                                   "nothing was restored")
            seq, head = _head(conn)
            entry = audit.record(s, at=db.now(), actor_id=None, actor_email="system", action="backup_restored",
                                 entity_type="database", entity_id="restore",
                                 after={"file": source_path.name, "rows": copied, "audit_head_seq": seq,
                                        "audit_head": head})
            return BackupSummary(str(source_path), "restore", copied, entry.seq, entry.hash)


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    try:
        yield
    except HeroError:
        raise
    except _DAMAGE as exc:
        raise _damaged(path, exc) from exc


def _check_source(path: Path) -> None:
    """Read the backup once without writing anywhere, so a damaged file is refused before the target is touched:
    a SQLite file must pass SQLite's quick_check; a logical export must decompress to its end (gzip's CRC
    catches a cut or altered stream) and hold as many rows per table as its header announces."""
    with _reading(path), _open_source(path, check=True) as source:
        if source.integrity is not None:
            if source.integrity != "ok":
                raise BackupFailed(f"{str(path)!r} is a damaged SQLite file (integrity check: {source.integrity}); "
                                   "nothing was restored")
            return
        found: dict[str, int] = {}
        table = None
        for line in source.lines:
            if line.startswith("{"):
                table = json.loads(line)["table"]
            elif line.strip():
                found[table] = found.get(table, 0) + 1
        announced = {k: v for k, v in source.rows.items() if v}
        if found != announced:
            raise BackupFailed(f"{str(path)!r} is incomplete: it announces {sum(announced.values()):,} rows but "
                               f"holds {sum(found.values()):,}; nothing was restored")


def _reset_sequences(conn, tables: list[Table]) -> None:
    """Explicit ids were inserted: move each id sequence past them, or the next insert would collide."""
    for table in tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 1), "
            f"(SELECT MAX(id) FROM \"{table.name}\") IS NOT NULL)"
        ))
