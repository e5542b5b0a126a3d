"""The metric catalog: which customer metrics the compact measures, their units, ranges and direction."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select

from hero_core import audit, permissions
from hero_core.db import Database
from hero_core.errors import InvalidInput
from hero_core.models import Metric
from hero_core.services.common import actor_ref, clean_text, load_actor


@dataclass(frozen=True)
class MetricDef:
    code: str
    name: str
    unit: str
    direction: str  # 'higher' or 'lower' is better
    min_value: float | None
    max_value: float | None
    aggregation: str  # 'mean', 'rate' or 'sum'
    description: str = ""


DEFAULT_METRICS: tuple[MetricDef, ...] = (
    MetricDef("csat", "Customer satisfaction", "score 1-5", "higher", 1, 5, "mean",
              "Average post-contact satisfaction score."),
    MetricDef("nps", "Net Promoter Score", "points", "higher", -100, 100, "mean",
              "Promoters minus detractors, in points."),
    MetricDef("aht", "Average handle time", "seconds", "lower", 0, 86_400, "mean",
              "Time spent per customer contact, talk plus wrap-up."),
    MetricDef("fcr", "First-contact resolution", "share", "higher", 0, 1, "rate",
              "Share of contacts resolved without a repeat contact."),
    MetricDef("complaints", "Complaints", "count", "lower", 0, None, "sum", "Formal complaints received."),
    MetricDef("error_rate", "Error rate", "share", "lower", 0, 1, "rate",
              "Share of transactions needing correction."),
    MetricDef("sales_conversion", "Sales conversion", "share", "higher", 0, 1, "rate",
              "Share of sales conversations that end in a sale."),
    MetricDef("time_to_mastery", "Time to mastery", "days", "lower", 0, 3650, "mean",
              "Days until a new starter works unaided."),
)


def ensure_defaults(db: Database) -> int:
    """Add the default metrics that are missing; returns how many were added."""
    added = 0
    with db.write() as s:
        have = set(s.execute(select(Metric.code)).scalars())
        for m in DEFAULT_METRICS:
            if m.code in have:
                continue
            s.add(Metric(code=m.code, name=m.name, unit=m.unit, direction=m.direction, min_value=m.min_value,
                         max_value=m.max_value, aggregation=m.aggregation, description=m.description, active=True))
            s.flush()
            audit.record(s, at=db.now(), actor_id=None, actor_email="system", action="metric_added",
                         entity_type="metric", entity_id=m.code, after=m.__dict__)
            added += 1
    return added


def list_metrics(db: Database) -> list[MetricDef]:
    with db.read() as s:
        return [MetricDef(m.code, m.name, m.unit, m.direction, m.min_value, m.max_value, m.aggregation,
                          m.description) for m in s.execute(select(Metric).order_by(Metric.code)).scalars()]


def save_metric(db: Database, *, actor_id: int | None, metric: MetricDef) -> None:
    """Add or change a catalog entry (admins)."""
    problems = []
    code = (metric.code or "").strip().lower()
    if not code or not code.replace("_", "").isalnum() or len(code) > 40:
        problems.append(f"metric code {metric.code!r} must be 1-40 letters, digits or '_'")
    name, p = clean_text(metric.name, "metric name", max_len=200, single_line=True)
    if p:
        problems.append(p)
    unit, p = clean_text(metric.unit, "unit", max_len=40, single_line=True)
    if p:
        problems.append(p)
    if metric.direction not in ("higher", "lower"):
        problems.append(f"direction {metric.direction!r} must be 'higher' or 'lower'")
    if metric.aggregation not in ("mean", "rate", "sum"):
        problems.append(f"aggregation {metric.aggregation!r} must be 'mean', 'rate' or 'sum'")
    bounds_ok = True
    for label, bound in (("minimum", metric.min_value), ("maximum", metric.max_value)):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))
                                  or not math.isfinite(bound) or abs(bound) > 1e15):
            problems.append(f"{label} {bound!r} must be a finite number (or empty)")
            bounds_ok = False
    if bounds_ok and metric.min_value is not None and metric.max_value is not None \
            and metric.min_value > metric.max_value:
        problems.append(f"minimum {metric.min_value} is above maximum {metric.max_value}")
    description, p = clean_text(metric.description, "description", required=False, max_len=2_000)
    if p:
        problems.append(p)
    if problems:
        raise InvalidInput(problems)
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_metrics")
        row = s.execute(select(Metric).where(Metric.code == code)).scalar()
        after = dict(code=code, name=name, unit=unit, direction=metric.direction, min_value=metric.min_value,
                     max_value=metric.max_value, aggregation=metric.aggregation, description=description)
        before = None
        if row is None:
            row = Metric(**after, active=True)
            s.add(row)
        else:
            before = {k: getattr(row, k) for k in after}
            for k, v in after.items():
                setattr(row, k, v)
        s.flush()
        aid, aemail = actor_ref(actor)
        audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail,
                     action="metric_changed" if before else "metric_added", entity_type="metric", entity_id=code,
                     before=before, after=after)
