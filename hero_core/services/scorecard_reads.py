"""The compact scorecard as pages read it: hero_core.services.scorecard's answer, cached (hero_core.cache) and kept
for the next server process, because at 100k ideas it takes seconds to build.

The scorecard depends on the data and on the time: a promise still waiting counts as broken once its deadline
(an idea's `*_due` column) has passed. So a cached scorecard carries the next deadline after the moment it was
built: it is served while the data version is the same and that deadline has not passed, and built again at the
first read after it, the very moment its answer can change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hero_core import cache, impact, permissions
from hero_core.db import Database
from hero_core.models import Idea
from hero_core.services import scorecard as scorecard_service
from hero_core.services.common import load_actor

#: The promises' deadlines: every `*_due` column of an idea (the scorecard compares some of them with the time).
DEADLINES = tuple(column for name, column in Idea.__table__.columns.items() if name.endswith("_due"))


def next_deadline(s: Session, after: datetime) -> datetime | None:
    """The first deadline at or after `after`, of any kind (one scan of the ideas: paid once per build)."""
    found = [d for d in s.execute(select(*[func.min(column).filter(column >= after) for column in DEADLINES])).one()
             if d is not None]
    return min(found) if found else None


@dataclass(frozen=True)
class _Built:
    frame: pd.DataFrame
    until: datetime | None  # the answer may change once the time passes this deadline


def scorecard(db: Database, *, actor_id: int | None, last_quarters: int | None = None) -> pd.DataFrame:
    """hero_core.services.scorecard.scorecard for this person (checked first), from the cache while the data and
    the deadlines passed are those it was built at; a shallow copy of the shared frame."""

    def build() -> _Built:
        with db.read() as s:
            until = next_deadline(s, db.now())  # read before the scorecard's own clock: never later than its answer
        return _Built(scorecard_service.scorecard(db, actor_id=None, last_quarters=last_quarters), until)

    def still_good(built: _Built) -> bool:
        return built.until is None or db.now() < built.until

    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_scorecard")
        # The estimator's windows and method decide the wins it counts (hero_core.impact_store).
        key = ("scorecard", last_quarters, impact.windows_from_env(), impact.METHOD_VERSION)
        built = cache.cached(s, key, build, persist=True, still_good=still_good)
    return built.frame.copy(deep=False)
