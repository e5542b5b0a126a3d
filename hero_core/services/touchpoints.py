"""The touch-point plan: every customer touch point against what is happening there — open roadblocks, ideas in
flight, scaled ideas, ideas with a checked job aid, open erosion alarms — and the trend of the metrics its ideas
target, so the performance support plan is visible at a glance and the weakest places stand out.

A read model: counts aggregated in the database, one small frame per call. A metric's trend is the organisation's
weekly mean over the TREND_WEEKS most recent weeks with data against the TREND_WEEKS before them; it is called
better or worse only when a Welch t-test on the weekly means says so at 5% (two-sided), otherwise steady.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import func, select

from hero_core import permissions
from hero_core.db import Database
from hero_core.models import ErosionAlarm, HelpRequest, Idea, IdeaMetric, JobAid, Metric, ObservationWeek
from hero_core.services.common import load_actor
from hero_core.vocab import TOUCHPOINT_LABELS, State, Touchpoint

TREND_WEEKS = 8
IN_FLIGHT = (State.SUBMITTED, State.IN_REVIEW, State.NEEDS_CHANGES, State.APPROVED, State.AWAITING_IT,
             State.IN_BUILD, State.PILOTING, State.SCALING)
BETTER, WORSE, STEADY, NO_DATA = "better", "worse", "steady", "not enough data"


@dataclass(frozen=True)
class MetricTrend:
    code: str
    name: str
    reading: str  # BETTER, WORSE, STEADY or NO_DATA
    recent: float | None = None
    before: float | None = None

    def text(self) -> str:
        if self.recent is None or self.before is None:
            return f"{self.name}: {self.reading}"
        return f"{self.name}: {self.reading} ({self.before:.3g} → {self.recent:.3g})"


def metric_trends(db: Database, *, codes: list[str] | None = None) -> dict[str, MetricTrend]:
    """Each metric's organisation-wide trend: the recent weeks against the weeks before them."""
    with db.read() as s:
        catalog = {mid: (code, name, direction) for mid, code, name, direction in
                   s.execute(select(Metric.id, Metric.code, Metric.name, Metric.direction))
                   if codes is None or code in codes}
        if not catalog:
            return {}
        weeks = s.execute(select(ObservationWeek.metric_id, ObservationWeek.week,
                                 func.sum(ObservationWeek.total), func.sum(ObservationWeek.n_days))
                          .where(ObservationWeek.metric_id.in_(list(catalog)))
                          .group_by(ObservationWeek.metric_id, ObservationWeek.week)).all()
    series: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for mid, week, total, n_days in weeks:
        if n_days:
            series[mid].append((int(week), float(total) / float(n_days)))
    out = {}
    for mid, (code, name, direction) in catalog.items():
        points = sorted(series.get(mid, []))
        if len(points) < 2 * TREND_WEEKS:
            out[code] = MetricTrend(code, name, NO_DATA)
            continue
        last = points[-1][0]
        recent = np.array([v for w, v in points if w > last - TREND_WEEKS])
        before = np.array([v for w, v in points if last - 2 * TREND_WEEKS < w <= last - TREND_WEEKS])
        if recent.size < 2 or before.size < 2:
            out[code] = MetricTrend(code, name, NO_DATA)
            continue
        p = stats.ttest_ind(recent, before, equal_var=False).pvalue
        change = recent.mean() - before.mean()
        reading = STEADY
        if math.isfinite(p) and p < 0.05:
            reading = BETTER if (change > 0) == (direction == "higher") else WORSE
        out[code] = MetricTrend(code, name, reading, float(recent.mean()), float(before.mean()))
    return out


def touchpoint_plan(db: Database, *, actor_id: int | None) -> pd.DataFrame:
    """One row per touch point: open roadblocks, ideas in flight, scaled ideas, open alarms, the metrics its ideas
    target with their trend; weakest first (most open alarms, then worsening metrics, then open roadblocks)."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_touchpoint_plan")
        roadblocks = dict(s.execute(select(HelpRequest.touchpoint, func.count(HelpRequest.id))
                                    .where(HelpRequest.state != "solved").group_by(HelpRequest.touchpoint)).all())
        live = Idea.merged_into_id.is_(None)
        in_flight = dict(s.execute(select(Idea.touchpoint, func.count(Idea.id))
                                   .where(live, Idea.state.in_([x.value for x in IN_FLIGHT]))
                                   .group_by(Idea.touchpoint)).all())
        scaled = dict(s.execute(select(Idea.touchpoint, func.count(Idea.id))
                                .where(live, Idea.state == State.SCALED.value).group_by(Idea.touchpoint)).all())
        alarms = dict(s.execute(select(Idea.touchpoint, func.count(ErosionAlarm.id))
                                .join(Idea, Idea.id == ErosionAlarm.idea_id)
                                .where(ErosionAlarm.closed_at.is_(None)).group_by(Idea.touchpoint)).all())
        aids = dict(s.execute(select(Idea.touchpoint, func.count(func.distinct(JobAid.idea_id)))
                              .join(Idea, Idea.id == JobAid.idea_id)
                              .where(JobAid.checked_at.is_not(None)).group_by(Idea.touchpoint)).all())
        targeted: dict[str, set[str]] = defaultdict(set)
        for touchpoint, code in s.execute(select(Idea.touchpoint, IdeaMetric.metric_code).distinct()
                                          .join(IdeaMetric, IdeaMetric.idea_id == Idea.id)
                                          .where(live, Idea.state != State.DRAFT.value)):
            targeted[touchpoint].add(code)
    trends = metric_trends(db, codes=sorted({c for codes in targeted.values() for c in codes}))
    rows = []
    for tp in Touchpoint:
        codes = sorted(targeted.get(tp.value, set()))
        readings = [trends[c] for c in codes if c in trends]
        rows.append({
            "touchpoint": TOUCHPOINT_LABELS[tp],
            "open_roadblocks": int(roadblocks.get(tp.value, 0)),
            "ideas_in_flight": int(in_flight.get(tp.value, 0)),
            "scaled_ideas": int(scaled.get(tp.value, 0)),
            "job_aids": int(aids.get(tp.value, 0)),
            "open_alarms": int(alarms.get(tp.value, 0)),
            "metrics_worse": sum(t.reading == WORSE for t in readings),
            "metrics": "; ".join(t.text() for t in readings),
        })
    frame = pd.DataFrame(rows)
    return frame.sort_values(["open_alarms", "metrics_worse", "open_roadblocks", "touchpoint"],
                             ascending=[False, False, False, True], kind="stable").reset_index(drop=True)
