"""Integration-test settings shared by every module in this folder."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from hero_core import security


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Hash test passwords cheaply: every organisation has eight accounts and the OWASP cost (about 21 ms a
    hash) would dominate the run. tests/unit/test_security.py pins the production parameters."""
    monkeypatch.setattr(security, "HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
