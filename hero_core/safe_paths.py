"""Where a command may write a file: never over the live SQLite database, its -wal, -shm or -journal file, or the
audit key file. Every command that writes a file (backup, ideas export, audit checkpoint) asks `writable` first.

Paths are compared after resolving `..`, symbolic links and case (case-insensitively everywhere: on a
case-sensitive system that refuses a name differing from the database's only by case, which costs nothing), and
an existing target is also compared by identity (device and inode), which catches hard links.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

from hero_core import config
from hero_core.errors import InvalidInput

_SIDE_FILES = (("", "the live database"), ("-wal", "the live database's write-ahead log"),
               ("-shm", "the live database's shared-memory file"), ("-journal", "the live database's journal"))


def sqlite_file(database_url: str) -> Path | None:
    """The SQLite database file a URL names (None for PostgreSQL and in-memory databases)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    name = url.database
    if name.startswith("file:"):  # sqlite:///file:path?mode=ro&uri=true
        name = name[len("file:"):].split("?", 1)[0]
    return Path(name)


def protected(database_url: str | None = None) -> list[tuple[Path, str]]:
    """The files no command may write, with what each one is."""
    files = []
    database = sqlite_file(database_url or config.database_url())
    if database is not None:
        files += [(Path(f"{database}{suffix}"), label) for suffix, label in _SIDE_FILES]
    files.append((config.audit_key_file(), "the audit key file"))
    return files


def _same_file(a: Path, b: Path) -> bool:
    if os.path.realpath(a).casefold() == os.path.realpath(b).casefold():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def writable(path: str | os.PathLike, *, what: str, database_url: str | None = None) -> Path:
    """`path` as a Path when a command may write it; otherwise InvalidInput naming the path and what it is."""
    target = Path(path)
    for guarded, label in protected(database_url):
        if _same_file(target, guarded):
            raise InvalidInput(f"{what} {str(path)!r} is {label} ({os.path.realpath(guarded)}); "
                               "choose another path (nothing was written)")
    return target
