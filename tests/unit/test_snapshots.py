"""Read-model snapshots (hero_core/infra/snapshots.py): served only for the same database, key and code; any
problem with the store is a miss, never an error or another answer."""

from __future__ import annotations

import os

import pytest

from hero_core.infra import snapshots


@pytest.fixture
def url(tmp_path, monkeypatch):
    monkeypatch.delenv("HERO_READ_MODEL_STORE", raising=False)
    return f"sqlite:///{tmp_path / 'hero.db'}"


def test_a_snapshot_is_served_for_the_same_database_and_key_only(url, tmp_path):
    snapshots.put(url, ((1, "h"), ("hall",)), {"answer": 1})
    assert snapshots.get(url, ((1, "h"), ("hall",))) == {"answer": 1}
    assert snapshots.get(url, ((2, "h"), ("hall",))) is snapshots.MISSING  # another data version
    assert snapshots.get(f"sqlite:///{tmp_path / 'other.db'}", ((1, "h"), ("hall",))) is snapshots.MISSING
    assert snapshots.store_path(url) == tmp_path / "hero-read-models.db"
    assert oct(os.stat(tmp_path / "hero-read-models.db").st_mode & 0o777) == oct(0o600)


def test_a_snapshot_built_by_other_code_is_not_served(url, monkeypatch):
    snapshots.put(url, ("v", "k"), "old code's answer")
    monkeypatch.setattr(snapshots, "code_fingerprint", lambda: "after an upgrade")
    assert snapshots.get(url, ("v", "k")) is snapshots.MISSING


def test_a_broken_store_or_none_at_all_is_a_miss(url, tmp_path, monkeypatch):
    snapshots.store_path(url).write_bytes(b"not a database")
    snapshots.put(url, ("v", "k"), 1)  # no error
    assert snapshots.get(url, ("v", "k")) is snapshots.MISSING
    monkeypatch.setenv("HERO_READ_MODEL_STORE", "off")
    assert snapshots.store_path(url) is None
    monkeypatch.delenv("HERO_READ_MODEL_STORE")
    assert snapshots.store_path("sqlite://") is None  # an in-memory database keeps nothing


def test_only_the_newest_snapshots_are_kept(url, monkeypatch):
    monkeypatch.setattr(snapshots, "MAX_SNAPSHOTS", 2)
    for n in range(4):
        snapshots.put(url, ("v", n), n)
    assert [snapshots.get(url, ("v", n)) for n in range(4)] == [snapshots.MISSING, snapshots.MISSING, 2, 3]
