"""The demo organisation's pulse answers: six quarters, once per person per quarter, never in the future."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from hero_core.demo_pulse import QUARTERS, build_pulse
from hero_core.models import AuditEntry, PulseResponse
from hero_core.services import people, pulse

TODAY = date(2026, 11, 20)


def test_the_demo_pulse_spans_six_quarters_with_the_whole_organisation_shown_each_quarter(org):
    for i in range(16):
        people.add_user(
            org.db,
            actor_id=None,
            email=f"agent{i}@example.com",
            name=f"Agent {i}",
            roles=["frontline"],
            team_code="CC" if i < 10 else "ST",
            password="a long enough password",
        )
    answers = build_pulse(org.db, today=TODAY)
    with org.db.read() as s:
        rows = s.execute(
            select(PulseResponse.user_id, PulseResponse.quarter, PulseResponse.answered_at)
        ).all()
        audited = s.execute(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "answer_pulse")
        ).scalar()
    assert answers == len(rows) == audited
    assert len({(u, q) for u, q, _ in rows}) == len(rows)
    quarters = sorted({q for _, q, _ in rows})
    assert (
        quarters == ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4"] and len(quarters) == QUARTERS
    )
    assert all(at < datetime(2026, 11, 20, tzinfo=UTC) and pulse.quarter_of(at) == q for _, q, at in rows)
    summary = pulse.summary(org.db, actor_id=org.admin)
    whole = summary[summary["group"] == pulse.WHOLE_ORGANISATION]
    assert list(whole["quarter"]) == quarters and whole["shown"].all()
    assert summary[(summary["group"] == "CC")]["shown"].any()  # 16 people: shown in most quarters
    assert org.db.now().year >= 2026  # the real clock is back
