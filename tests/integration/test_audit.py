"""The audit trail: written atomically with its change, hash-chained, verified by `hero audit verify`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from hero_core import audit
from hero_core.cli import main
from hero_core.models import AuditEntry, Notification
from hero_core.services import ideas, notifications
from tests.integration.factories import (
    assessment,
    audit_actions,
    audit_count,
    idea_in_state,
    idea_input,
    state_of,
    version_of,
)


class Boom(RuntimeError):
    pass


def _explode(*args, **kwargs):
    raise Boom("inbox unavailable")


# ---- atomicity ---------------------------------------------------------------------------------------------


def test_failure_after_the_audit_entry_is_written_stores_neither_change_nor_entry(org, monkeypatch):
    db = org.db
    idea_id = idea_in_state(org, "in_review")
    before_entries, before_version = audit_count(db), version_of(db, idea_id)
    monkeypatch.setattr(
        notifications, "notify", _explode
    )  # runs after the audit entry, inside the transaction
    with pytest.raises(Boom):
        ideas.decline(db, actor_id=org.manager, idea_id=idea_id, reason="Not now.")
    assert state_of(db, idea_id) == "in_review"
    assert version_of(db, idea_id) == before_version
    assert audit_count(db) == before_entries
    assert "decline" not in audit_actions(db, idea_id)
    monkeypatch.undo()
    ideas.decline(
        db, actor_id=org.manager, idea_id=idea_id, reason="Not now."
    )  # nothing half-done blocks a retry
    assert audit_actions(db, idea_id)[-1] == "decline"
    with db.read() as s:
        assert audit.verify(s).ok


def test_failed_submission_leaves_the_draft_and_the_trail_untouched(org, monkeypatch):
    db = org.db
    idea_id = idea_in_state(org, "draft")
    before = audit_count(db)
    monkeypatch.setattr(notifications, "notify", _explode)
    with pytest.raises(Boom):
        ideas.submit(db, actor_id=org.frontline, idea_id=idea_id)
    assert state_of(db, idea_id) == "draft"
    assert audit_count(db) == before


def test_failed_approval_of_a_technology_idea_rolls_back_the_hand_over_to_it_too(org, monkeypatch):
    db = org.db
    idea_id = idea_in_state(org, "in_review", tech=True)
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())
    before = audit_count(db)
    with db.read() as s:
        inbox_before = s.execute(select(func.count(Notification.id))).scalar()
    calls = []

    def fail_on_it_notice(session, database, *, kind, **kw):
        calls.append(kind)
        if kind == "awaiting_it":  # the last step: approval and hand-over are both already audited
            raise Boom("inbox unavailable")

    monkeypatch.setattr(notifications, "notify", fail_on_it_notice)
    with pytest.raises(Boom):
        ideas.approve(db, actor_id=org.manager, idea_id=idea_id)
    assert calls == ["decision", "awaiting_it"]
    assert state_of(db, idea_id) == "in_review"
    assert audit_count(db) == before
    with db.read() as s:
        assert s.execute(select(func.count(Notification.id))).scalar() == inbox_before


def test_each_successful_change_writes_exactly_one_entry(org):
    db = org.db
    idea_id = ideas.create_idea(db, actor_id=org.frontline, data=idea_input())
    steps = [
        ("submit", lambda: ideas.submit(db, actor_id=org.frontline, idea_id=idea_id)),
        ("start_review", lambda: ideas.start_review(db, actor_id=org.manager, idea_id=idea_id)),
        (
            "request_changes",
            lambda: ideas.request_changes(
                db, actor_id=org.manager, idea_id=idea_id, reason="More detail please."
            ),
        ),
        ("resubmit", lambda: ideas.resubmit(db, actor_id=org.frontline, idea_id=idea_id)),
        ("retire", lambda: ideas.retire(db, actor_id=org.manager, idea_id=idea_id, reason="Overtaken.")),
    ]
    for action, step in steps:
        before = audit_count(db)
        step()
        assert audit_count(db) == before + 1, action
        assert audit_actions(db, idea_id)[-1] == action
    with db.read() as s:
        last = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar()
        s.expunge(last)
    assert (last.actor_email, last.reason, last.entity_id) == ("mia@example.com", "Overtaken.", str(idea_id))
    assert '"state":"retired"' in last.after_json and '"state":"submitted"' in last.before_json


# ---- the chain and `hero audit verify` ---------------------------------------------------------------------


def _populate(org) -> None:
    idea_in_state(org, "piloting", tech=True)


def _rows(db) -> list[AuditEntry]:
    with db.read() as s:
        rows = list(s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars())
        s.expunge_all()
        return rows


def _tamper(db, *statements):
    """Run statements that rewrite the trail (bypassing the append-only trigger on PostgreSQL)."""
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for stmt in statements:
            conn.execute(stmt)


CONTENT = (
    "seq",
    "at",
    "actor_id",
    "actor_email",
    "action",
    "entity_type",
    "entity_id",
    "before_json",
    "after_json",
    "reason",
    "prev_hash",
    "hash",
)


def _swap(db, a: AuditEntry, b: AuditEntry, columns) -> None:
    va = {c: getattr(a, c) for c in columns}
    vb = {c: getattr(b, c) for c in columns}
    stmts = []
    if "seq" in columns:  # seq is unique: park one row out of the way first
        stmts.append(update(AuditEntry).where(AuditEntry.id == a.id).values(seq=-1))
    stmts += [
        update(AuditEntry).where(AuditEntry.id == b.id).values(**va),
        update(AuditEntry).where(AuditEntry.id == a.id).values(**vb),
    ]
    _tamper(db, *stmts)


def verify_cli(db, monkeypatch):
    monkeypatch.setenv("HERO_DATABASE_URL", db.url)
    return CliRunner().invoke(main, ["audit", "verify"])


def test_verify_passes_on_an_intact_chain(org, monkeypatch):
    _populate(org)
    result = verify_cli(org.db, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"audit trail intact: {len(_rows(org.db))} entries verified"


def test_verify_names_an_edited_entry(org, monkeypatch):
    _populate(org)
    victim = _rows(org.db)[12]
    _tamper(org.db, update(AuditEntry).where(AuditEntry.id == victim.id).values(reason="nothing to see here"))
    result = verify_cli(org.db, monkeypatch)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: audit trail broken at audit entry id {victim.id} (seq {victim.seq}, {victim.action} on "
        f"{victim.entity_type} {victim.entity_id}): content does not match its hash (edited, or signed with a "
        "different audit key)"
    )
    assert "Traceback" not in result.output


def test_verify_names_an_entry_whose_hash_was_recomputed_after_an_edit(org, monkeypatch):
    # A forger who fixes up the edited entry's own hash still breaks the link to the next entry.
    _populate(org)
    rows = _rows(org.db)
    victim, follower = rows[12], rows[13]
    forged = {c: getattr(victim, c) for c in CONTENT if c != "hash"} | {"after_json": '{"state":"declined"}'}
    _tamper(
        org.db,
        update(AuditEntry)
        .where(AuditEntry.id == victim.id)
        .values(after_json=forged["after_json"], hash=audit.compute_hash(**forged)),
    )
    result = verify_cli(org.db, monkeypatch)
    assert result.exit_code == 1
    assert f"audit entry id {follower.id} " in result.output
    assert "does not follow the previous entry" in result.output


def test_verify_names_the_entry_after_a_deleted_one(org, monkeypatch):
    _populate(org)
    rows = _rows(org.db)
    _tamper(org.db, delete(AuditEntry).where(AuditEntry.id == rows[10].id))
    result = verify_cli(org.db, monkeypatch)
    assert result.exit_code == 1
    follower = rows[11]
    assert result.output.startswith(
        f"error: audit trail broken at audit entry id {follower.id} (seq {follower.seq},"
    )
    assert f"expected seq {rows[10].seq}; entries are missing" in result.output


@pytest.mark.parametrize(
    "columns",
    [CONTENT, tuple(c for c in CONTENT if c != "seq")],
    ids=["whole-entries", "contents-keeping-seq"],
)
def test_verify_names_the_first_of_two_reordered_entries(org, monkeypatch, columns):
    _populate(org)
    rows = _rows(org.db)
    first, second = rows[9], rows[10]
    _swap(org.db, first, second, columns)
    result = verify_cli(org.db, monkeypatch)
    assert result.exit_code == 1
    assert result.output.startswith(f"error: audit trail broken at audit entry id {first.id} ")
    assert "out of order" in result.output or "reordered" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_console_entry_point_verifies_the_chain(org):
    _populate(org)
    env = {**os.environ, "HERO_DATABASE_URL": org.db.url}
    ok = subprocess.run(
        [sys.executable, "-m", "hero_core", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,  # the exit code is what the test checks
    )
    assert ok.returncode == 0, ok.stderr
    assert "audit trail intact" in ok.stdout
    victim = _rows(org.db)[3]
    _tamper(
        org.db, update(AuditEntry).where(AuditEntry.id == victim.id).values(actor_email="mallory@example.com")
    )
    broken = subprocess.run(
        [sys.executable, "-m", "hero_core", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,  # the exit code is what the test checks
    )
    assert broken.returncode == 1
    assert f"audit entry id {victim.id} " in broken.stderr
    assert "Traceback" not in broken.stderr + broken.stdout


# ---- PostgreSQL refuses to rewrite history -----------------------------------------------------------------


@pytest.mark.parametrize(
    "db", ["postgresql"], indirect=True
)  # the trigger is PostgreSQL's; SQLite has verify
@pytest.mark.parametrize("statement", ["update", "delete"])
def test_postgresql_refuses_to_update_or_delete_audit_entries(org, statement):
    db = org.db
    assert db.dialect == "postgresql"
    target = _rows(db)[0]
    stmt = (
        update(AuditEntry).where(AuditEntry.id == target.id).values(reason="rewritten")
        if statement == "update"
        else delete(AuditEntry).where(AuditEntry.id == target.id)
    )
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(stmt)
    assert _rows(db)[0].reason == target.reason
    assert len(_rows(db)) == audit_count(db) and _rows(db)[0].id == target.id
