"""Commands that write a file never write over the live database, its -wal/-shm/-journal files or the audit key.

Before the guard, `hero backup data/hero.db` replaced the live database with a snapshot under the app's feet, and
`hero ideas export data/hero.db` replaced it with a CSV, both exiting 0. Each command is tried here with every
name of those files: the plain path, one through `..`, a relative one, a symbolic link, a hard link and a name in
another case."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from hero_core.cli import main
from tests.integration.factories import idea_in_state
from tests.trust.conftest import snapshot

COMMANDS = {
    "backup": ("backup",),
    "ideas export": ("ideas", "export"),
    "audit checkpoint": ("audit", "checkpoint"),
}
WHAT = {"backup": "backup file", "ideas export": "export file", "audit checkpoint": "checkpoint file"}


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _quiesce(db) -> None:
    """Fold the WAL into the database file and close every connection, so its bytes only change if written."""
    raw = db.engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    db.dispose()


@pytest.fixture
def live(org, tmp_path, monkeypatch):
    """A database with ideas, and a key file configured (as in production) beside it."""
    idea_in_state(org, "approved")
    key_file = tmp_path / "keys" / "audit.key"
    key_file.parent.mkdir()
    key_file.write_text(os.environ["HERO_AUDIT_KEY"] + "\n")
    key_file.chmod(0o600)
    monkeypatch.setenv("HERO_AUDIT_KEY_FILE", str(key_file))
    monkeypatch.delenv("HERO_AUDIT_KEY")
    monkeypatch.setenv("HERO_DATABASE_URL", org.db.url)
    if org.db.dialect == "sqlite":
        _quiesce(org.db)
    return org.db, key_file


def _aliases(database: Path, key_file: Path, tmp_path: Path) -> dict[str, str]:
    folder = database.parent
    symlink = tmp_path / "innocent-looking.csv"
    symlink.symlink_to(database)
    hardlink = tmp_path / "also-the-database.bin"
    os.link(database, hardlink)
    wal_link = tmp_path / "wal-link"
    wal_link.symlink_to(Path(f"{database}-wal"))  # dangling while no one has the database open
    return {
        "the database": str(database),
        "through ..": str(folder / ".." / folder.name / database.name),
        "relative": os.path.relpath(database),
        "a symbolic link": str(symlink),
        "a hard link": str(hardlink),
        "another case": str(database.with_name(database.name.upper())),
        "the -wal file": f"{database}-wal",
        "the -shm file": f"{database}-shm",
        "the -journal file": f"{database}-journal",
        "a link to the -wal file": str(wal_link),
        "the key file": str(key_file),
        "the key file through ..": str(key_file.parent / ".." / key_file.parent.name / key_file.name),
    }


def _run(args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", list(COMMANDS))
def test_no_file_writing_command_writes_over_the_live_database_or_the_key(live, tmp_path, command):
    db, key_file = live
    if db.dialect == "sqlite":
        from hero_core.safe_paths import sqlite_file

        database = sqlite_file(db.url)
        targets = _aliases(database, key_file, tmp_path)
        watched = [database, Path(f"{database}-wal"), key_file]
    else:  # PostgreSQL has no file to protect here but the key
        targets = {"the key file": str(key_file)}
        watched = [key_file]
    rows = snapshot(db)
    for name, target in targets.items():
        before = {p: _digest(p) for p in watched}
        result = _run([*COMMANDS[command], target])
        assert result.exit_code == 1, (name, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {WHAT[command]} {target!r} is the "), (name, lines)
        assert "nothing was written" in lines[0] and "Traceback" not in result.output
        assert {p: _digest(p) for p in watched} == before, name
    assert snapshot(db) == rows
    verified = _run(["audit", "verify"])
    assert verified.exit_code == 0 and "audit trail intact" in verified.output


def test_a_different_file_beside_the_database_is_still_writable(live, tmp_path):
    folder = tmp_path / "out"
    for command, args in COMMANDS.items():
        target = folder / f"{command.replace(' ', '-')}.out"
        result = _run([*args, str(target)])
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 0
