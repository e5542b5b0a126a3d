"""Read-model snapshots that outlive the process: `get(url, key)` / `put(url, key, value)`.

Used by hero_core.cache for the few read models that take seconds to build at company scale (the Hall of HEROs,
the scorecard, the impact portfolio), so that the first visit after a server start reads the answer the last
server built instead of building it again. The key always holds the data version the answer was built at
(hero_core.cache.data_version), and the digest of the code that built it, so a snapshot is only ever served for
the very data and code it was built from: derived data like an index, never an older answer.

The store is a small SQLite file beside the app's own data: next to a SQLite database (`<name>-read-models.db`),
or `data/read-models.db` for a database server; HERO_READ_MODEL_STORE names another file, or "off". It holds
pickled values written by this app only, so it must be as private as the database file itself. Every failure
(busy, full disk, a snapshot from another version of the code) is a miss: the caller builds the answer.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sqlite3
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from hero_core import config

MAX_SNAPSHOTS = 16  # per store: the newest are kept (a portfolio's size: docs/measurements.md)
MISSING = object()
_FORMAT = 1  # bump when what is pickled changes shape


def store_path(url: str) -> Path | None:
    """Where the snapshots of this database live (None: not kept)."""
    chosen = os.environ.get("HERO_READ_MODEL_STORE", "").strip()
    if chosen:
        return None if chosen.lower() == "off" else Path(chosen)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database or ""
        if not name or name == ":memory:" or name.startswith("file:"):
            return None
        path = Path(name)
        return path.with_name(f"{path.stem}-read-models.db")
    return config.PROJECT_ROOT / "data" / "read-models.db"


@functools.cache
def code_fingerprint() -> str:
    """A digest of hero_core's source: a snapshot built by other code (before an upgrade) is never served."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _digest(url: str, key: tuple) -> str:
    plain = make_url(url).render_as_string(hide_password=True)
    return hashlib.sha256(repr((_FORMAT, code_fingerprint(), plain, key)).encode()).hexdigest()


@contextlib.contextmanager
def _store(path: Path):
    conn = sqlite3.connect(path, timeout=1.0, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS snapshots (key TEXT PRIMARY KEY, stored REAL, payload BLOB)")
        yield conn
    finally:
        conn.close()


def get(url: str, key: tuple) -> object:
    """The value stored for this database and key, or MISSING."""
    path = store_path(url)
    if path is None or not path.exists():
        return MISSING
    try:
        with _store(path) as conn:
            row = conn.execute("SELECT payload FROM snapshots WHERE key = ?", (_digest(url, key),)).fetchone()
        return MISSING if row is None else pickle.loads(row[0])
    except Exception:  # noqa: BLE001 - derived data: any problem is a miss
        return MISSING


def put(url: str, key: tuple, value: object) -> None:
    """Keep `value` for this database and key (the newest MAX_SNAPSHOTS are kept)."""
    path = store_path(url)
    if path is None:
        return
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)  # readable by the app only: it holds what the read models show
        with _store(path) as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT OR REPLACE INTO snapshots (key, stored, payload) VALUES (?, ?, ?)",
                         (_digest(url, key), time.time(), payload))
            conn.execute("DELETE FROM snapshots WHERE key NOT IN "
                         "(SELECT key FROM snapshots ORDER BY stored DESC, rowid DESC LIMIT ?)", (MAX_SNAPSHOTS,))
            conn.execute("COMMIT")
    except Exception:  # noqa: BLE001 - derived data: not kept this time
        return
