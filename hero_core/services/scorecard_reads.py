"""The compact scorecard as pages read it: hero_core.services.scorecard's answer, cached (hero_core.cache) and kept
for the next server process, because at 100k ideas it takes seconds to build.

The scorecard depends on the data and on the time: a promise still waiting counts as broken once its deadline
(an idea's `*_due` column) has passed. For fixed data, which deadlines have passed is decided by the latest one
that has, so that deadline is part of the cache key: the cached answer is the one the scorecard gives now, and a
deadline passing makes the next read build it again, at the very moment its answer can change.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hero_core import cache, permissions
from hero_core.db import Database
from hero_core.models import Idea
from hero_core.services import scorecard as scorecard_service
from hero_core.services.common import load_actor

#: The promises' deadlines: every `*_due` column of an idea (the scorecard compares some of them with the time).
DEADLINES = tuple(column for name, column in Idea.__table__.columns.items() if name.endswith("_due"))


def latest_deadline_passed(s: Session, now: datetime) -> tuple:
    """The latest deadline before `now` of each kind (one scan of the ideas)."""
    return tuple(s.execute(select(*[func.max(column).filter(column < now) for column in DEADLINES])).one())


def scorecard(db: Database, *, actor_id: int | None, last_quarters: int | None = None) -> pd.DataFrame:
    """hero_core.services.scorecard.scorecard for this person (checked first), from the cache when the data and
    the deadlines passed are those it was built at; a shallow copy of the shared frame."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_scorecard")
        passed = latest_deadline_passed(s, db.now())
        frame = cache.cached(s, ("scorecard", last_quarters, passed), lambda: scorecard_service.scorecard(
            db, actor_id=None, last_quarters=last_quarters), persist=True)
    return frame.copy(deep=False)
