"""`hero backup` / `hero restore`: a consistent copy while people work, restored whole into an empty database."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hero_core import audit, backup
from hero_core.cli import main
from hero_core.db import Database
from hero_core.errors import InvalidInput, StaleIdea, TransitionNotAllowed
from hero_core.models import (
    Approval,
    AuditEntry,
    Idea,
    Observation,
    RiskAssessment,
    RiskRating,
)
from hero_core.services import ideas, metrics_io
from tests.integration.factories import idea_in_state
from tests.trust.conftest import snapshot

COMPARED = (Idea, RiskAssessment, RiskRating, Approval, Observation, AuditEntry)


def _populate(org) -> None:
    for state in ("draft", "needs_changes", "awaiting_it", "scaling"):
        idea_in_state(org, state)
    rows = "metric,team,date,value,sample_size\n" + "".join(
        f"csat,{team},2026-01-{day:02d},{3 + day / 100:.2f},{20 + day}\n"
        for team in ("CC", "ST") for day in range(1, 29)
    )
    metrics_io.import_metrics(org.db, source=io.BytesIO(rows.encode()), file_name="csat.csv", actor_id=org.admin)


def _rows(db, model) -> list[tuple]:
    table = model.__table__
    with db.read() as s:
        return [tuple(r) for r in s.execute(select(table).order_by(*table.primary_key.columns))]


def _hero(url: str, *args: str):
    return CliRunner().invoke(main, list(args), env={"HERO_DATABASE_URL": url})


@pytest.fixture
def target_url(request, db, tmp_path):
    """An empty database of the source's kind to restore into: a new SQLite file or a new PG database.
    (Across kinds: test_pg_logical_backup_restores_into_sqlite.)"""
    if db.dialect == "postgresql":
        return request.getfixturevalue("empty_pg_url")
    return f"sqlite:///{tmp_path / 'restored.db'}"


def test_backup_then_restore_into_an_empty_database_reproduces_every_idea_assessment_observation_and_entry(
    org, tmp_path, target_url
):
    _populate(org)
    file = tmp_path / "hero.backup"
    made = _hero(org.db.url, "backup", str(file))
    assert made.exit_code == 0, made.output
    assert "backup written to" in made.output
    restored = _hero(target_url, "restore", str(file))
    assert restored.exit_code == 0, restored.output
    assert "audit trail verified" in restored.output
    target = Database(target_url)
    try:
        for model in COMPARED:
            before, after = _rows(org.db, model), _rows(target, model)
            if model is AuditEntry:
                assert after[:-1] == before and len(before) > 30
                assert json.loads(after[-1][9])["audit_head_seq"] == before[-1][1]
            else:
                assert after == before and before, model.__tablename__
        assert _hero(target_url, "audit", "verify").exit_code == 0
        # The restored database is a working one: ids continue after the restored ones.
        new_id = ideas.create_idea(target, actor_id=org.frontline, data=ideas.IdeaInput(
            title="After the restore", roadblock="Customers wait for the restore.",
            proposal="Restore faster next time, please.", touchpoint="website", category="complex_form"))
        assert new_id > max(r[0] for r in _rows(org.db, Idea))
    finally:
        target.dispose()


def test_a_restore_into_a_database_that_holds_rows_is_refused_and_changes_nothing(org, tmp_path):
    _populate(org)
    file = tmp_path / "hero.backup"
    backup.backup(org.db, file)
    before = snapshot(org.db)
    result = _hero(org.db.url, "restore", str(file))
    assert result.exit_code == 1
    assert result.output.startswith("error: the target database is not empty: ")
    assert "ideas (4 rows)" in result.output and "nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert snapshot(org.db) == before


def test_a_file_that_is_not_a_backup_is_refused_with_one_line(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("=HYPERLINK(\"http://evil\")\n")
    result = _hero(f"sqlite:///{tmp_path / 'new.db'}", "restore", str(junk))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {str(junk)!r} is not a HERO backup (neither a SQLite file nor a HERO " \
                                    "logical export)"
    missing = _hero(f"sqlite:///{tmp_path / 'new.db'}", "restore", str(tmp_path / "nope.db"))
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_a_backup_with_a_tampered_audit_trail_is_not_restored(sqlite_db, tmp_path):
    from tests.conftest import build_org

    org = build_org(sqlite_db)
    idea_in_state(org, "approved")
    file = tmp_path / "hero.backup"
    backup.backup(org.db, file)
    import sqlite3

    with sqlite3.connect(file) as conn:
        conn.execute("UPDATE audit_entries SET reason = 'rewritten' WHERE seq = 3")
    target = Database(f"sqlite:///{tmp_path / 'restored.db'}")
    with pytest.raises(backup.BackupFailed, match=r"does not verify .*seq 3.*nothing was restored"):
        backup.restore(target, file)
    assert all(not rows for name, rows in snapshot(target).items())
    target.dispose()


def test_backups_taken_while_people_keep_deciding_are_each_one_consistent_snapshot(org, tmp_path):
    """A writer keeps moving ideas round the review loop while backups are taken; each backup, restored, has
    an intact chain and every idea's version matches the last audit entry written for it."""
    db = org.db
    loop = [idea_in_state(org, "submitted") for _ in range(3)]
    stop = threading.Event()
    done = {"changes": 0}
    errors: list[BaseException] = []

    def keep_working():
        steps = {"submitted": (org.manager, ideas.start_review, {}),
                 "in_review": (org.manager, ideas.request_changes, {"reason": "More detail, please."}),
                 "needs_changes": (org.frontline, ideas.resubmit, {})}
        while not stop.is_set():
            for idea_id in loop:
                try:
                    state = ideas.get_idea(db, actor_id=org.manager, idea_id=idea_id).state
                    actor, call, extra = steps[state]
                    call(db, actor_id=actor, idea_id=idea_id, **extra)
                    done["changes"] += 1
                except (StaleIdea, TransitionNotAllowed):
                    pass
                except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                    errors.append(exc)
                    return

    writer = threading.Thread(target=keep_working)
    writer.start()
    try:
        files = []
        for n in range(2):
            files.append(tmp_path / f"b{n}.backup")
            backup.backup(db, files[-1])
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not errors, errors
    assert done["changes"] > 0
    for n, file in enumerate(files):
        target = Database(f"sqlite:///{tmp_path / f'r{n}.db'}")
        backup.restore(target, file)
        with target.read() as s:
            assert audit.verify(s).ok
            for idea_id in loop:
                version = s.get(Idea, idea_id).version
                last = s.execute(select(AuditEntry.after_json).where(
                    AuditEntry.entity_type == "idea", AuditEntry.entity_id == str(idea_id))
                    .order_by(AuditEntry.seq.desc()).limit(1)).scalar()
                assert json.loads(last)["version"] == version
        target.dispose()


def test_pg_logical_backup_restores_into_sqlite(request, tmp_path):
    from hero_core.services import catalog
    from tests.conftest import _truncate_all, build_org

    url = request.getfixturevalue("pg_url")
    _truncate_all(url)
    source = Database(url)
    try:
        catalog.ensure_defaults(source)
        org = build_org(source)
        _populate(org)
        file = tmp_path / "pg.backup"
        summary = backup.backup(source, file)
        assert summary.kind == "logical" and Path(file).read_bytes()[:2] == b"\x1f\x8b"
        target = Database(f"sqlite:///{tmp_path / 'from_pg.db'}")
        backup.restore(target, file)
        for model in COMPARED[:-1]:
            assert _rows(target, model) == _rows(source, model), model.__tablename__
        assert _rows(target, AuditEntry)[:-1] == _rows(source, AuditEntry)
        target.dispose()
    finally:
        source.dispose()


def test_backup_refuses_a_directory_as_its_file(sqlite_db, tmp_path):
    with pytest.raises(InvalidInput, match="is a directory; name a file"):
        backup.backup(sqlite_db, tmp_path)
    assert not list(tmp_path.glob(".hero-backup-*")), "no half-written file is left behind"


# ---- damaged backups: one line, exit 1, the target untouched -------------------------------------------------


def _damaged(kind: str, good: Path, tmp_path: Path) -> Path:
    data = good.read_bytes()
    out = tmp_path / f"damaged-{kind}.backup"
    if kind == "truncated":
        out.write_bytes(data[: len(data) // 2])
    elif kind == "truncated-header":
        out.write_bytes(data[:200])
    elif kind == "random-bytes":
        import random

        out.write_bytes(random.Random(7).randbytes(64_000))
    elif kind == "csv":
        out.write_text("metric,team,date,value\ncsat,CC,2026-01-01,4.2\n")
    elif kind == "empty":
        out.write_bytes(b"")
    elif kind == "flipped-bytes":  # the middle of the file overwritten, length kept
        middle = len(data) // 2
        out.write_bytes(data[:middle] + bytes(4096) + data[middle + 4096:])
    return out


def _file_state(url: str) -> dict[str, bytes | None]:
    from hero_core.safe_paths import sqlite_file

    path = sqlite_file(url)
    return {p.name: (p.read_bytes() if p.exists() else None)
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal"))}


@pytest.mark.parametrize("kind", ["truncated", "truncated-header", "random-bytes", "csv", "empty", "flipped-bytes"])
def test_a_damaged_backup_is_refused_in_one_line_and_the_target_is_left_as_it_was(org, tmp_path, kind):
    """On SQLite and PostgreSQL sources (a SQLite file and a gzip'd logical export): the restore answers in one
    line on stderr, exits 1, and an existing empty target database keeps every byte; a target that did not exist
    is not created."""
    _populate(org)
    good = tmp_path / "good.backup"
    backup.backup(org.db, good)
    damaged = _damaged(kind, good, tmp_path)

    fresh_url = f"sqlite:///{tmp_path / 'never' / 'hero.db'}"
    result = _hero(fresh_url, "restore", str(damaged))
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(damaged) in lines[0], result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert not (tmp_path / "never" / "hero.db").exists()

    existing_url = f"sqlite:///{tmp_path / 'empty.db'}"
    from hero_core.db import migrate

    empty = Database(existing_url)
    migrate(empty)
    empty.dispose()
    before = _file_state(existing_url)
    again = _hero(existing_url, "restore", str(damaged))
    assert again.exit_code == 1 and again.stderr.strip() == result.stderr.strip()
    assert _file_state(existing_url) == before


def test_a_backup_restores_only_with_the_key_its_trail_was_signed_with(org, tmp_path, monkeypatch):
    """The key is not in the backup: restored elsewhere, the trail verifies with the same key, and with another
    key (or none) the restore is refused in one line and stores nothing."""
    _populate(org)
    file = tmp_path / "hero.backup"
    assert _hero(org.db.url, "backup", str(file)).exit_code == 0
    assert bytes.fromhex(os.environ["HERO_AUDIT_KEY"]) not in file.read_bytes()
    assert os.environ["HERO_AUDIT_KEY"].encode() not in file.read_bytes()

    target_url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    other = CliRunner().invoke(main, ["restore", str(file)],
                               env={"HERO_DATABASE_URL": target_url, "HERO_AUDIT_KEY": "cd" * 32})
    assert other.exit_code == 1
    assert other.stderr.startswith("error: the restored audit trail does not verify (audit entry id 1 (seq 1,")
    assert "signed with a different audit key)); nothing was restored" in other.stderr
    assert len(other.stderr.strip().splitlines()) == 1
    none = CliRunner().invoke(main, ["restore", str(file)], env={
        "HERO_DATABASE_URL": target_url, "HERO_AUDIT_KEY": None,
        "HERO_AUDIT_KEY_FILE": str(tmp_path / "no.key")})
    assert none.exit_code == 1 and none.stderr.startswith("error: no audit key: ")
    target = Database(target_url)
    assert all(not rows for rows in snapshot(target).values())
    target.dispose()
    same = _hero(target_url, "restore", str(file))
    assert same.exit_code == 0, same.output
    assert _hero(target_url, "audit", "verify").exit_code == 0
