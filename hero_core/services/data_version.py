"""A cheap fingerprint of what the estimator-backed read models (Hall of HEROs, scorecard) depend on.

Pages may cache those read models (they hold no personal data and are the same for everyone allowed to see
them) and recompute when the fingerprint changes: every audited change moves the audit trail's last sequence
number, an import (even one that replaces rows: it deletes, then inserts) moves the observations' highest id,
and an idea milestone moves the ideas' latest update. Every part is a max over an index, so it stays cheap at
millions of rows. Changes made behind the services' back are caught by the page cache's time limit.
"""

from __future__ import annotations

from sqlalchemy import func, select

from hero_core import cache
from hero_core.db import Database
from hero_core.models import Idea, Observation


def data_version(db: Database) -> tuple:
    """(database, last audit seq, highest observation id, highest idea id, latest idea update)."""
    with db.read() as s:
        seq = cache.data_version(s)[0]  # sign-ins aside: they change no read model
        obs = s.execute(select(func.max(Observation.id))).scalar()
        # One aggregate per query: SQLite answers a lone max() from the index, two together by a table scan.
        idea_id = s.execute(select(func.max(Idea.id))).scalar()
        updated = s.execute(select(func.max(Idea.updated_at))).scalar()
    return (db.url, seq, obs, idea_id, updated.isoformat() if updated else None)
