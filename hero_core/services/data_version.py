"""The data version for callers that hold a Database, not a session: hero_core.cache.data_version (its one home,
where its parts are explained), read in its own transaction."""

from __future__ import annotations

from hero_core import cache
from hero_core.db import Database


def data_version(db: Database) -> tuple:
    """hero_core.cache.data_version, read in a transaction of its own. Needs no permission: it says nothing about
    anyone's data."""
    with db.read() as s:
        return cache.data_version(s)
