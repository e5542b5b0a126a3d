"""Trust tests: fixtures shared by the attacks in this folder (issue 7)."""

from __future__ import annotations

import os
import uuid

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, Phase, settings
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from hero_core import security
from hero_core.models import Base

# Modest example counts keep `make test` fast; `make reliability` runs the "thorough" profile.
settings.register_profile(
    "trust", max_examples=20, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=300, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(  # while hunting: no shrinking, so a failing run ends quickly
    "dev", max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HERO_HYPOTHESIS_PROFILE", "trust"))

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(request, monkeypatch):
    """Cheap hashing as in tests/integration, except where a test measures the real one (mark real_hashing)."""
    if request.node.get_closest_marker("real_hashing") is None:
        monkeypatch.setattr(security, "HASHER", CHEAP_HASHER)


def pytest_configure(config):
    config.addinivalue_line("markers", "real_hashing: run with the production argon2id parameters")


@pytest.fixture
def empty_pg_url(pg_url):
    """A brand-new, empty PostgreSQL database (no schema), dropped after the test."""
    admin = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"hero_trust_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table, ordered: compare two snapshots to prove nothing changed."""
    out = {}
    with db.read() as s:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in s.execute(select(table).order_by(*order))]
    return out
