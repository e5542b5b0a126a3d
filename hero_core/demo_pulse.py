"""The demo organisation's HERO Index pulse: six quarters of answers, given through the pulse service.

Empowerment rises slowly as the compact takes hold (more so in teams whose ideas were launched), and people
who build things use more tools of their own. Most people answer most quarters; a few skip one. The demo's
teams are small (2-6 people), so per team only the larger ones reach the 5 answers a group needs to be
shown; the whole organisation always does.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from hero_core.db import Database
from hero_core.models import Idea, Team, User
from hero_core.services import pulse

QUARTERS = 6
ANSWER_RATE = 0.85


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _previous_quarter(start: date) -> date:
    return _quarter_start(start - timedelta(days=1))


def build_pulse(db: Database, *, today: date, seed: int = 7) -> int:
    """Answer the pulse for the last QUARTERS quarters (up to today); returns the number of answers."""
    rng = random.Random(seed * 7919 + 1)
    starts = [_quarter_start(today)]
    for _ in range(QUARTERS - 1):
        starts.append(_previous_quarter(starts[-1]))
    starts.reverse()
    with db.read() as s:
        people = s.execute(select(User.id, User.team_id).where(User.active.is_(True)).order_by(User.id)).all()
        launched_teams = set(s.execute(select(Idea.team_id).where(Idea.launch_date.is_not(None))).scalars())
        team_codes = dict(s.execute(select(Team.id, Team.code)).all())
    lean = {uid: rng.gauss(0, 1.2) for uid, _ in people}  # how empowered this person tends to feel
    tinkerer = {uid: rng.random() < 0.45 for uid, _ in people}  # uses tools of their own
    now_limit = datetime.combine(today, time(0, 0), tzinfo=UTC) - timedelta(hours=1)
    real_clock = db.clock
    answers = 0
    try:
        for k, start in enumerate(starts):
            for uid, team_id in people:
                if rng.random() > ANSWER_RATE:
                    continue
                day = start + timedelta(days=rng.randint(3, 40))
                moment = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=UTC)
                if moment > now_limit or pulse.quarter_of(moment) != pulse.quarter_of(
                    datetime.combine(start, time(12), tzinfo=UTC)
                ):
                    continue
                lift = 0.25 * k * (1.4 if team_id in launched_teams else 1.0)
                office = team_codes.get(team_id, "") == "HQ"
                empowered = round(5.4 + (0.8 if office else 0.0) + lean[uid] + lift + rng.gauss(0, 0.9))
                tools = rng.choice([0, 0, 1, 1, 2]) + (rng.randint(1, 4) if tinkerer[uid] else 0)
                db.clock = lambda m=moment: m
                pulse.answer(db, actor_id=uid, empowered=min(10, max(1, empowered)), unsanctioned_tools=tools)
                answers += 1
    finally:
        db.clock = real_clock
    return answers
