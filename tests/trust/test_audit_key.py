"""The keyed audit chain under attack: whoever can rewrite the database but lacks the key cannot re-sign the trail.

Before the key, an attacker with write access to the database could edit an entry and recompute every later hash
with SHA-256, and `hero audit verify` passed; only a checkpoint kept elsewhere noticed. These tests repeat that
attack (and one with a wrong key) with no checkpoint at all, and cover the key's life: created by `hero init`
(mode 0600, never in the database), missing, malformed, and a trail written before keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text, update

from hero_core import audit
from hero_core.cli import main
from hero_core.models import AuditEntry, Base
from tests.conftest import build_org
from tests.integration.factories import idea_in_state

TEST_KEY = bytes.fromhex(os.environ["HERO_AUDIT_KEY"])


def _hero(db_url: str, *args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env={"HERO_DATABASE_URL": db_url, **(env or {})})


def _entries(db) -> list[AuditEntry]:
    with db.read() as s:
        rows = list(s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
        s.expunge_all()
    return rows


def _rechain(db, rows: list[AuditEntry], start: int, sign, edit: dict | None = None) -> None:
    """What an attacker with SQL access does: edit entry `start`, then recompute its hash and every later one
    (and the links between them) with `sign`, so the chain is consistent again under that hash."""
    prev = rows[start - 1].hash if start else audit.GENESIS
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # past the append-only trigger
        for i, row in enumerate(rows[start:], start=start):
            fields = audit._fields(row) | {"prev_hash": prev} | ((edit or {}) if i == start else {})
            digest = sign(audit._payload(**fields))
            conn.execute(update(AuditEntry).where(AuditEntry.id == row.id).values(**fields, hash=digest))
            prev = digest


def _sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


@pytest.fixture
def trail(org):
    idea_in_state(org, "approved")
    return org.db


def test_an_edit_with_the_whole_chain_recomputed_by_plain_sha256_fails_verify_without_a_checkpoint(trail):
    rows = _entries(trail)
    victim = rows[10]
    _rechain(trail, rows, 10, _sha256, edit={"reason": "approved by the board", "actor_email": "mallory@x.example"})
    result = _hero(trail.url, "audit", "verify")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: audit trail broken at audit entry id {victim.id} (seq {victim.seq}, {victim.action} on "
        f"{victim.entity_type} {victim.entity_id}): carries a plain SHA-256 hash, not the keyed one: rewritten by "
        "someone without the audit key, or written before keys (then `hero init` pins that part)")
    assert "Traceback" not in result.output


def test_an_edit_re_signed_with_a_guessed_key_fails_verify_naming_the_edited_entry(trail):
    rows = _entries(trail)
    victim = rows[5]
    wrong = audit.hasher(b"not the key, but just as long!!!")
    _rechain(trail, rows, 5, wrong, edit={"after_json": '{"state":"declined"}'})
    result = _hero(trail.url, "audit", "verify")
    assert result.exit_code == 1
    assert f"audit entry id {victim.id} (seq {victim.seq}," in result.output
    assert "content does not match its hash (edited, or signed with a different audit key)" in result.output


def test_the_same_rewrite_with_the_real_key_verifies_so_the_key_is_what_protects_the_chain(trail):
    rows = _entries(trail)
    _rechain(trail, rows, 5, audit.hasher(TEST_KEY), edit={"reason": "rewritten by the key holder"})
    assert _hero(trail.url, "audit", "verify").exit_code == 0


def test_the_stored_hash_is_hmac_sha256_of_the_entry_under_the_key(trail):
    first = _entries(trail)[0]
    expected = hmac.new(TEST_KEY, audit._payload(**audit._fields(first)), hashlib.sha256).hexdigest()
    assert first.hash == expected != _sha256(audit._payload(**audit._fields(first)))


def test_verify_with_another_key_fails_at_the_first_entry(trail):
    other = "ab" * 32
    result = _hero(trail.url, "audit", "verify", env={"HERO_AUDIT_KEY": other})
    assert result.exit_code == 1
    assert "(seq 1," in result.output and "signed with a different audit key" in result.output


def test_a_missing_key_is_one_line_saying_where_it_is_looked_for_and_nothing_is_written(trail, tmp_path):
    before = _entries(trail)
    absent = tmp_path / "keys" / "audit.key"
    env = {"HERO_AUDIT_KEY": None, "HERO_AUDIT_KEY_FILE": str(absent)}
    for args in (["audit", "verify"], ["teams", "add", "NEW", "--name", "New team"]):
        result = _hero(trail.url, *args, env=env)
        assert result.exit_code == 1, result.output
        assert result.output.strip() == (
            "error: no audit key: the audit trail is signed with a key kept outside the database; set "
            f"HERO_AUDIT_KEY (hex or base64) or keep the key file at {absent} (HERO_AUDIT_KEY_FILE moves it)")
    assert [e.id for e in _entries(trail)] == [e.id for e in before]
    assert not absent.exists(), "a trail that has entries never gets a new key silently"


@pytest.mark.parametrize(("value", "message"), [
    ("abc123", "error: HERO_AUDIT_KEY: the audit key is 3 bytes; it must be at least 16 (`hero init` makes 32)"),
    ("not a key at all!", "error: HERO_AUDIT_KEY: the audit key is neither hex nor base64"),
])
def test_a_malformed_key_is_refused_in_one_line(trail, value, message):
    result = _hero(trail.url, "audit", "verify", env={"HERO_AUDIT_KEY": value})
    assert (result.exit_code, result.output.strip()) == (1, message)


def test_the_key_may_be_given_in_base64(trail):
    encoded = base64.b64encode(TEST_KEY).decode()
    assert _hero(trail.url, "audit", "verify", env={"HERO_AUDIT_KEY": encoded}).exit_code == 0


def test_hero_init_creates_a_private_key_file_outside_the_database_and_keeps_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'db' / 'hero.db'}"
    key_file = tmp_path / "secrets" / "audit.key"
    env = {"HERO_AUDIT_KEY": None, "HERO_AUDIT_KEY_FILE": str(key_file)}
    first = _hero(url, "init", env=env)
    assert first.exit_code == 0, first.output
    assert f"audit key created at {key_file}" in first.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = key_file.read_bytes()
    again = _hero(url, "init", env=env)
    assert again.exit_code == 0 and f"audit key from {key_file}" in again.output
    assert key_file.read_bytes() == content
    assert _hero(url, "audit", "verify", env=env).output.strip() == "audit trail intact: 8 entries verified"
    secret = next(line for line in content.decode().splitlines() if not line.startswith("#"))
    raw = (tmp_path / "db" / "hero.db").read_bytes()
    assert secret.encode() not in raw and bytes.fromhex(secret) not in raw
    assert not list((tmp_path / "db").glob("*.key"))


def test_a_new_database_written_before_hero_init_gets_its_key_with_its_first_entry(sqlite_db, tmp_path, monkeypatch):
    # sqlite_db already holds the 8 catalog entries, signed with the test key: start from an empty trail instead.
    key_file = tmp_path / "audit.key"
    monkeypatch.delenv("HERO_AUDIT_KEY")
    monkeypatch.setenv("HERO_AUDIT_KEY_FILE", str(key_file))
    from hero_core.db import Database, migrate
    from hero_core.services import people

    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh)
    people.create_team(fresh, actor_id=None, code="CC", name="Contact centre")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with fresh.read() as s:
        assert audit.verify(s).ok
    fresh.dispose()


# ---- a trail written before keys ---------------------------------------------------------------------------


def _unkeyed_database(db) -> list[AuditEntry]:
    """The database as an older version left it: every hash plain SHA-256."""
    build_org(db)
    rows = _entries(db)
    _rechain(db, rows, 0, _sha256)
    return _entries(db)


def test_hero_init_pins_a_trail_written_before_keys_and_new_entries_are_keyed(db, tmp_path, monkeypatch):
    legacy = _unkeyed_database(db)
    key_file = tmp_path / "audit.key"
    monkeypatch.delenv("HERO_AUDIT_KEY")
    monkeypatch.setenv("HERO_AUDIT_KEY_FILE", str(key_file))
    assert "no audit key" in _hero(db.url, "audit", "verify").output
    result = _hero(db.url, "init")
    assert result.exit_code == 0, result.output
    n = len(legacy)
    assert (f"audit key created at {key_file}; the {n} entries written before keys are pinned there "
            f"(unkeyed-until seq {n})") in result.output
    assert f"unkeyed-until seq={n} hash={legacy[-1].hash}" in key_file.read_text()
    assert _hero(db.url, "teams", "add", "NEW", "--name", "After keys").exit_code == 0
    verified = _hero(db.url, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    newest = _entries(db)[-1]
    assert newest.seq > n and newest.hash != _sha256(audit._payload(**audit._fields(newest)))

    # The pinned part cannot be rewritten either: the pinned head's hash would change.
    rows = _entries(db)
    _rechain(db, rows[:n], 3, _sha256, edit={"reason": "rewritten"})
    broken = _hero(db.url, "audit", "verify")
    assert broken.exit_code == 1
    assert f"(seq {n}," in broken.output
    assert f"is not the head pinned in {key_file} (unkeyed-until seq {n}); that part of the trail was rewritten" in (
        broken.output)


def test_an_unkeyed_trail_where_a_key_already_exists_is_not_pinned_by_init(db, tmp_path):
    """Exactly what an attacker's plain SHA-256 rewrite of a keyed database looks like: init must not bless it."""
    legacy = _unkeyed_database(db)
    result = _hero(db.url, "init")
    assert result.exit_code == 1
    n = len(legacy)
    assert result.output.strip() == (
        f"error: audit entries 1 to {n} carry plain SHA-256 hashes although an audit key exists; only if they were "
        f"written before audit keys, set HERO_AUDIT_UNKEYED_UNTIL='seq={n} hash={legacy[-1].hash}'")
    pinned = {"HERO_AUDIT_UNKEYED_UNTIL": f"seq={n} hash={legacy[-1].hash}"}
    assert _hero(db.url, "audit", "verify", env=pinned).exit_code == 0
    assert _hero(db.url, "init", env=pinned).exit_code == 0


def test_a_pinned_unkeyed_trail_whose_newest_entries_were_deleted_fails(db, tmp_path):
    legacy = _unkeyed_database(db)
    n = len(legacy)
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("DELETE FROM audit_entries WHERE seq = :s"), {"s": n})
    result = _hero(db.url, "audit", "verify", env={"HERO_AUDIT_UNKEYED_UNTIL": f"seq={n} hash={legacy[-1].hash}"})
    assert result.exit_code == 1
    assert (f"the trail ends at seq {n - 1}, before the head pinned at seq {n} in HERO_AUDIT_KEY (unkeyed-until): "
            "entries at its end were deleted") in result.output


def test_no_table_holds_the_key(trail):
    with trail.read() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(select(table)):
                assert all(TEST_KEY.hex() not in str(v) for v in row), table.name


# ---- rotating the key --------------------------------------------------------------------------------------


@pytest.fixture
def key_file_trail(trail, tmp_path, monkeypatch):
    key_file = tmp_path / "audit.key"
    key_file.write_text(os.environ["HERO_AUDIT_KEY"] + "\n")
    key_file.chmod(0o600)
    monkeypatch.delenv("HERO_AUDIT_KEY")
    monkeypatch.setenv("HERO_AUDIT_KEY_FILE", str(key_file))
    return trail, key_file


def test_rotating_the_key_signs_new_entries_with_a_new_key_and_keeps_the_old_part_checkable(key_file_trail):
    db, key_file = key_file_trail
    before = _entries(db)
    rotated = _hero(db.url, "audit", "rotate-key")
    assert rotated.exit_code == 0, rotated.output
    n = len(before)
    assert f"entries up to seq {n} keep the retired key" in rotated.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    text_ = key_file.read_text()
    assert f"retired-key {TEST_KEY.hex()} seq={n} hash={before[-1].hash}" in text_
    new_key = bytes.fromhex(next(line for line in text_.splitlines() if not line.startswith(("#", "retired"))))
    assert new_key != TEST_KEY
    assert _hero(db.url, "teams", "add", "NEW", "--name", "After rotation").exit_code == 0
    after = _entries(db)
    assert [e.action for e in after[n:]] == ["audit_key_rotated", "team_created"]
    for entry in after[n:]:
        assert entry.hash == audit.hasher(new_key)(audit._payload(**audit._fields(entry)))
    assert _hero(db.url, "audit", "verify").output.strip() == f"audit trail intact: {n + 2} entries verified"
    # Twice: both retired keys stay, each for its part.
    assert _hero(db.url, "audit", "rotate-key").exit_code == 0
    assert key_file.read_text().count("retired-key ") == 2
    assert _hero(db.url, "audit", "verify").exit_code == 0


def test_after_rotation_the_retired_key_cannot_rewrite_its_own_part_or_sign_new_entries(key_file_trail):
    """The leaked-key case rotation is for: someone holding the old key re-signs an old entry (and everything after
    it with the old key) — the pinned head catches it; or appends entries signed with the old key — also caught."""
    db, _ = key_file_trail
    n = len(_entries(db))
    assert _hero(db.url, "audit", "rotate-key").exit_code == 0
    rows = _entries(db)
    _rechain(db, rows, 4, audit.hasher(TEST_KEY), edit={"reason": "re-signed with the leaked key"})
    result = _hero(db.url, "audit", "verify")
    assert result.exit_code == 1
    assert f"(seq {n}," in result.output and "is not the head pinned in" in result.output
    assert "(retired-key seq" in result.output


def test_after_rotation_an_entry_signed_with_the_retired_key_is_caught(key_file_trail):
    db, _ = key_file_trail
    assert _hero(db.url, "audit", "rotate-key").exit_code == 0
    assert _hero(db.url, "teams", "add", "NEW", "--name", "After rotation").exit_code == 0
    rows = _entries(db)
    _rechain(db, rows, len(rows) - 1, audit.hasher(TEST_KEY), edit={"reason": "signed with the leaked key"})
    result = _hero(db.url, "audit", "verify")
    assert result.exit_code == 1
    assert f"(seq {rows[-1].seq}, team_created" in result.output
    assert "content does not match its hash (edited, or signed with a different audit key)" in result.output


def test_a_broken_trail_is_not_rotated(key_file_trail):
    db, key_file = key_file_trail
    before = key_file.read_bytes()
    rows = _entries(db)
    _rechain(db, rows, 3, _sha256, edit={"reason": "x"})
    result = _hero(db.url, "audit", "rotate-key")
    assert result.exit_code == 1 and "not rotating the key of a broken trail: audit entry id" in result.output
    assert key_file.read_bytes() == before


def test_rotation_refuses_a_key_given_in_the_environment(trail):
    result = _hero(trail.url, "audit", "rotate-key")
    assert result.exit_code == 1
    assert "comes from HERO_AUDIT_KEY, which `hero audit rotate-key` cannot change" in result.output


def test_rotating_while_people_keep_writing_leaves_no_entry_signed_with_a_retired_key(key_file_trail):
    import threading

    from hero_core.services import people

    db, key_file = key_file_trail
    stop, errors, added = threading.Event(), [], []

    def keep_writing():
        i = 0
        while not stop.is_set():
            try:
                people.create_team(db, actor_id=None, code=f"W{i}", name=f"Writer {i}")
                added.append(i)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
                return
            i += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        for _ in range(3):
            rotated = _hero(db.url, "audit", "rotate-key")
            assert rotated.exit_code == 0, rotated.output
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not errors, errors
    assert len(added) > 0 and key_file.read_text().count("retired-key ") == 3
    verified = _hero(db.url, "audit", "verify")
    assert verified.exit_code == 0, verified.output
