"""A small organisation with launched ideas whose effect holds or fades, for the erosion tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select, update

from hero_core.models import Idea
from hero_core.services import ideas_io, people
from tests.impact.factories import store_daily

LAUNCH = date(2025, 3, 5)
EVAL_END = date(2025, 6, 3)  # 90 days after the launch
NOW = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)  # 12 whole weeks after the evaluation window
OTHER_TEAMS = ("T2", "T3", "T4", "T5", "T6", "T7")


def add_teams(db) -> None:
    for code in OTHER_TEAMS:
        people.create_team(db, actor_id=None, code=code, name=f"Team {code}")


def daily(*, pilots=("CC",), effect=-30.0, later_effect=-30.0, metric="aht", seed=3) -> pd.DataFrame:
    """Daily handle times: team level + noise; the pilot teams gain `effect` from the launch and `later_effect`
    after the evaluation window."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(LAUNCH - timedelta(days=100), NOW.date() - timedelta(days=1), freq="D")
    frames = []
    for k, team in enumerate(("CC", "ST", *OTHER_TEAMS)):
        gain = np.where(days >= pd.Timestamp(EVAL_END), later_effect, effect) * (days >= pd.Timestamp(LAUNCH))
        value = 300 + 5 * k + rng.normal(0, 8, len(days)) + (gain if team in pilots else 0.0)
        frames.append(pd.DataFrame({"metric": metric, "team": team, "day": days.date, "value": value}))
    return pd.concat(frames, ignore_index=True)


def import_launched_idea(org, *, title="Shorter wrap-up form", pilots="CC", metrics="aht", state="scaled") -> int:
    """A launched idea as `hero ideas import` brings history in."""
    header = ",".join(ideas_io.COLUMNS)
    row = (f"{title},The wrap-up form takes too long.,Cut it to three fields.,fran@example.com,CC,call_centre,"
           f"complex_form,yes,2025-01-10,{state},{LAUNCH.isoformat()},{pilots},{metrics}")
    ideas_io.import_ideas_csv(org.db, content=f"{header}\n{row}\n".encode(), actor_id=org.admin)
    with org.db.read() as s:
        return s.execute(select(Idea.id).where(Idea.title == title)).scalar_one()


def build(org, *, later_effect: float, it_champion: bool = True) -> int:
    add_teams(org.db)
    store_daily(org.db, daily(later_effect=later_effect))
    idea_id = import_launched_idea(org)
    if it_champion:
        with org.db.write() as s:
            s.execute(update(Idea).where(Idea.id == idea_id).values(it_champion_id=org.it))
    org.db.clock = lambda: NOW
    return idea_id
