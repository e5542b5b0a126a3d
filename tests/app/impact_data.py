"""A small measured portfolio for the impact AppTests, with effects written into the data so the estimator
finds them: one idea improves handle time, one worsens satisfaction, one changes nothing, one was launched with
no data to measure it. Plus a helper that records what every download button would hand the browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import insert, select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from hero_core.models import Campaign, Metric, Observation, Team
from hero_core.services import observations
from tests.conftest import Org
from tests.impact.factories import AT, add_teams, assess, launched_idea

LAUNCH = date(2025, 3, 5)
TEAMS = tuple(f"T{i}" for i in range(8))
HOSTILE = "=HYPERLINK(\"http://evil.example\",\"Shorter wrap-up form\")"


@dataclass(frozen=True)
class Portfolio:
    improved: int  # aht down by 25 s on T0, T1 (lower is better)
    worsened: int  # csat down by 0.4 on T2 (higher is better)
    unchanged: int  # fcr untouched on T3
    no_data: int  # nps: no observations at all
    not_launched: int
    campaign_id: int


def daily(metric: str, *, pilots: tuple[str, ...], effect: float, base: float, noise: float, spread: float,
          seed: int, org_shift: float = 0.0) -> pd.DataFrame:
    """Daily values per team for 17 weeks either side of LAUNCH: team level + noise + an organisation-wide
    shift from the launch + `effect` on the pilot teams from the launch."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(LAUNCH - timedelta(days=119), LAUNCH + timedelta(days=119), freq="D")
    post = days >= pd.Timestamp(LAUNCH)
    frames = []
    for k, team in enumerate(TEAMS):
        value = (base + spread * (k - 3.5) / 3.5 + rng.normal(0, noise, len(days)) + np.where(post, org_shift, 0.0)
                 + np.where(post & (team in pilots), effect, 0.0))
        frames.append(pd.DataFrame({"metric": metric, "team": team, "day": days.date, "value": value}))
    return pd.concat(frames, ignore_index=True)


def store(org: Org, frame: pd.DataFrame) -> None:
    with org.db.write() as s:
        metric_ids = dict(s.execute(select(Metric.code, Metric.id)).all())
        team_ids = dict(s.execute(select(Team.code, Team.id)).all())
        rows = [
            {"metric_id": metric_ids[m], "team_id": team_ids[t], "day": d, "value": float(v)}
            for m, t, d, v in frame[["metric", "team", "day", "value"]].itertuples(index=False)
        ]
        s.execute(insert(Observation), rows)
        observations.written(s, metric_ids={r["metric_id"] for r in rows}, first_day=min(r["day"] for r in rows),
                             last_day=max(r["day"] for r in rows))


def build_portfolio(org: Org, *, hostile_title: bool = False) -> Portfolio:
    add_teams(org.db, TEAMS)
    store(org, daily("aht", pilots=("T0", "T1"), effect=-25.0, base=300.0, noise=8.0, spread=30.0, seed=1,
                     org_shift=-40.0))
    store(org, daily("csat", pilots=("T2",), effect=-0.4, base=4.0, noise=0.08, spread=0.3, seed=2))
    store(org, daily("fcr", pilots=("T3",), effect=0.0, base=0.7, noise=0.02, spread=0.05, seed=3))
    with org.db.write() as s:
        campaign = Campaign(title="Faster calls", created_at=AT)
        s.add(campaign)
        s.flush()
        campaign_id = campaign.id
    improved = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=("T0", "T1"),
                             metrics=("aht",), campaign_id=campaign_id, state="scaled",
                             title=HOSTILE if hostile_title else "Shorter wrap-up form")
    worsened = launched_idea(org.db, submitter_id=org.other_frontline, team_code="ST", pilots=("T2",),
                             metrics=("csat",), title="Store greeting script", touchpoint="face_to_face",
                             state="scaling")
    unchanged = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=("T3",),
                              metrics=("fcr",), title="New hold music", launch=LAUNCH + timedelta(days=1))
    no_data = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=("T4",),
                            metrics=("nps",), title="Callback promise", launch=LAUNCH + timedelta(days=200))
    not_launched = launched_idea(org.db, submitter_id=org.frontline, team_code="CC", pilots=(), metrics=("aht",),
                                 title="Still being built", launch=None, state="in_build")
    assess(org.db, idea_id=worsened, assessor_id=org.other_manager,
           ratings={"financial": (4, 5), "operational": (1, 2)})
    assess(org.db, idea_id=improved, assessor_id=org.manager, ratings={"operational": (2, 3)})
    return Portfolio(improved, worsened, unchanged, no_data, not_launched, campaign_id)


def chart_data(proto) -> list[dict]:
    """A chart's data rows: Streamlit ships a spec's named datasets as Arrow beside the spec."""
    rows = []
    for dataset in proto.datasets:
        rows.extend(pa.ipc.open_stream(dataset.data.data).read_all().to_pylist())
    return rows


@pytest.fixture
def downloads(monkeypatch):
    """Records what each download button hands the browser: name -> bytes. Eager files are recorded as the
    media store keeps them; deferred ones (generated on click) are generated here, as a click would."""
    stored: dict[str, bytes] = {}
    deferred: dict[str, object] = {}
    keep = MemoryMediaFileStorage.load_and_get_id
    defer = MediaFileManager.add_deferred

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            stored[filename] = path_or_data
        return keep(self, path_or_data, mimetype, kind, filename)

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        deferred[file_name] = data_callable
        return defer(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)

    class Downloads:
        def get(self, name: str) -> bytes:
            if name in stored:
                return stored[name]
            assert name in deferred, f"no download {name!r}; offered: {sorted(stored) + sorted(deferred)}"
            data = deferred[name]()
            return data if isinstance(data, bytes) else data.encode()

        def names(self) -> set[str]:
            return set(stored) | set(deferred)

    return Downloads()
