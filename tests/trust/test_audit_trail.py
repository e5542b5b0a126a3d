"""The audit trail under attack: PostgreSQL refuses rewrites; `hero audit verify` catches edits, deletions and
reordering on both databases; a head checkpoint catches what a chain alone cannot (the newest entries deleted).

tests/integration/test_audit.py already covers edit, forged re-hash, middle deletion and reordering through the
CLI on both databases; this file adds the attacks it leaves out."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from hero_core.cli import main
from hero_core.models import AuditEntry
from tests.integration.factories import idea_in_state


def _hero(db, *args):
    return CliRunner().invoke(main, list(args), env={"HERO_DATABASE_URL": db.url})


def _tamper(db, *statements):
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for stmt in statements:
            conn.execute(stmt)


def _ids(db) -> list[int]:
    with db.read() as s:
        return list(s.execute(select(AuditEntry.id).order_by(AuditEntry.id)).scalars())


@pytest.fixture
def trail(org):
    idea_in_state(org, "approved")
    return org.db


def test_deleting_the_first_entry_is_caught(trail):
    first = _ids(trail)[0]
    _tamper(trail, delete(AuditEntry).where(AuditEntry.id == first))
    result = _hero(trail, "audit", "verify")
    assert result.exit_code == 1
    assert "expected seq 1; entries are missing" in result.output


def test_deleting_the_newest_entry_passes_the_chain_but_not_a_head_checkpoint(trail, tmp_path):
    """The honest limit: a hash chain cannot notice its own tail being cut off. A checkpoint kept elsewhere can."""
    checkpoints = tmp_path / "audit-heads.txt"
    noted = _hero(trail, "audit", "checkpoint", str(checkpoints))
    assert noted.exit_code == 0, noted.output
    assert _hero(trail, "audit", "verify", "--checkpoint", str(checkpoints)).exit_code == 0
    ids = _ids(trail)
    _tamper(trail, delete(AuditEntry).where(AuditEntry.id == ids[-1]))
    chain_only = _hero(trail, "audit", "verify")
    assert chain_only.exit_code == 0, "documented limit: the chain alone still verifies"
    with_head = _hero(trail, "audit", "verify", "--checkpoint", str(checkpoints))
    assert with_head.exit_code == 1
    assert f"the trail now ends at seq {len(ids) - 1}; entries at its end were deleted" in with_head.output
    assert "Traceback" not in with_head.output


def test_a_rewritten_tail_with_recomputed_hashes_fails_the_checkpoint(trail, tmp_path):
    """A forger who deletes the newest entry and appends a fresh valid one in its place keeps the chain valid;
    the checkpoint still sees a different hash at that seq."""
    from hero_core import audit
    from hero_core.services import people

    checkpoints = tmp_path / "audit-heads.txt"
    assert _hero(trail, "audit", "checkpoint", str(checkpoints)).exit_code == 0
    last = _ids(trail)[-1]
    _tamper(trail, delete(AuditEntry).where(AuditEntry.id == last))
    people.create_team(trail, actor_id=None, code="FORGED", name="Forged team")  # a valid new tail
    assert _hero(trail, "audit", "verify").exit_code == 0
    result = _hero(trail, "audit", "verify", "--checkpoint", str(checkpoints))
    assert result.exit_code == 1 and "has a different hash now (the trail was rewritten)" in result.output
    with trail.read() as s:
        assert audit.head(s).seq == len(_ids(trail))


def test_entries_appended_after_a_checkpoint_keep_it_valid(trail, tmp_path):
    from hero_core.services import people

    checkpoints = tmp_path / "audit-heads.txt"
    assert _hero(trail, "audit", "checkpoint", str(checkpoints)).exit_code == 0
    people.create_team(trail, actor_id=None, code="LATER", name="Later team")
    assert _hero(trail, "audit", "checkpoint", str(checkpoints)).exit_code == 0
    assert len(checkpoints.read_text().splitlines()) == 2
    result = _hero(trail, "audit", "verify", "--checkpoint", str(checkpoints))
    assert result.exit_code == 0, result.output


def test_a_broken_trail_is_not_checkpointed(trail, tmp_path):
    victim = _ids(trail)[2]
    _tamper(trail, update(AuditEntry).where(AuditEntry.id == victim).values(actor_email="mallory@example.com"))
    refused = _hero(trail, "audit", "checkpoint", str(tmp_path / "heads.txt"))
    assert refused.exit_code == 1 and "not checkpointing a broken trail" in refused.output
    assert not (tmp_path / "heads.txt").exists()


def test_a_checkpoint_file_that_is_not_one_is_refused_with_one_line(trail, tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_text("hello world\n")
    result = _hero(trail, "audit", "verify", "--checkpoint", str(junk))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {junk} line 1: not a checkpoint line: 'hello world'"


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
@pytest.mark.parametrize("statement", [
    "UPDATE audit_entries SET reason = 'x'",
    "DELETE FROM audit_entries WHERE seq = (SELECT max(seq) FROM audit_entries)",
    "UPDATE audit_entries SET seq = seq + 1000",
])
def test_postgresql_refuses_every_kind_of_rewrite_even_of_many_rows(trail, statement):
    before = _ids(trail)
    with pytest.raises(DBAPIError, match="append-only"), trail.engine.begin() as conn:
        conn.execute(text(statement))
    assert _ids(trail) == before
    assert _hero(trail, "audit", "verify").exit_code == 0


@pytest.mark.parametrize(("content", "problem"), [
    ("", "holds no checkpoint; `hero audit checkpoint FILE` writes one"),
    ("\n   \n\n", "holds no checkpoint; `hero audit checkpoint FILE` writes one"),
])
def test_an_empty_checkpoint_file_is_refused_not_passed(trail, tmp_path, content, problem):
    """An empty file checks nothing: before, `verify --checkpoint` passed on it (exit 0) even after the newest
    entries were deleted, the very attack a checkpoint exists to catch."""
    empty = tmp_path / "heads.txt"
    empty.write_text(content)
    _tamper(trail, delete(AuditEntry).where(AuditEntry.id == _ids(trail)[-1]))
    result = _hero(trail, "audit", "verify", "--checkpoint", str(empty))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: checkpoint file {str(empty)!r} {problem}"


@pytest.mark.parametrize("line", [
    "2026-01-01T00:00:00.000000Z seq=3 hash=" + "z" * 64,        # not hex
    "2026-01-01T00:00:00.000000Z seq=-1 hash=" + "a" * 64,       # negative seq
    "2026-01-01T00:00:00.000000Z seq=0 hash=" + "a" * 64,        # seq 0 is only ever the genesis hash
    "2026-01-01T00:00:00.000000Z seq=3 hash=" + "a" * 63,        # cut short
    "2026-01-01T00:00:00.000000Z seq=three hash=" + "a" * 64,
])
def test_a_malformed_checkpoint_line_is_refused_naming_file_and_line(trail, tmp_path, line):
    good = _hero(trail, "audit", "checkpoint", str(tmp_path / "heads.txt"))
    assert good.exit_code == 0
    heads = tmp_path / "heads.txt"
    heads.write_text(heads.read_text() + line + "\n")
    result = _hero(trail, "audit", "verify", "--checkpoint", str(heads))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {heads} line 2: not a checkpoint line: {line!r}"


def test_a_binary_checkpoint_file_is_refused_in_one_line(trail, tmp_path):
    binary = tmp_path / "heads.bin"
    binary.write_bytes(b"\xff\xfe\x00garbage\x9c")
    result = _hero(trail, "audit", "verify", "--checkpoint", str(binary))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: checkpoint file {str(binary)!r} is not text; it holds no checkpoint lines"
