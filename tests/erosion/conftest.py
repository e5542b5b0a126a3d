"""Erosion-test settings: cheap password hashing (as in tests/integration), since each test builds an org."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from hero_core import security


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(security, "HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
