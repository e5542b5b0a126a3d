"""Campaigns: a challenge posted to the front line ("fewer repeat calls about billing")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from hero_core import audit, permissions
from hero_core.db import Database
from hero_core.errors import InvalidInput
from hero_core.models import Campaign, Idea
from hero_core.services.common import actor_ref, clean_text, load_actor
from hero_core.vocab import Touchpoint, parse_enum


@dataclass(frozen=True)
class CampaignView:
    id: int
    title: str
    description: str
    touchpoint: str | None
    closes_on: date | None
    active: bool
    ideas: int


def create_campaign(db: Database, *, actor_id: int | None, title: str, description: str = "",
                    touchpoint: str | None = None, closes_on: date | None = None) -> int:
    problems = []
    title, p = clean_text(title, "campaign title", min_len=5, max_len=200, single_line=True)
    if p:
        problems.append(p)
    description, p = clean_text(description, "description", required=False, max_len=5_000)
    if p:
        problems.append(p)
    tp = None
    if touchpoint:
        try:
            tp = parse_enum(Touchpoint, touchpoint, "touch point").value
        except ValueError as exc:
            problems.append(str(exc))
    if closes_on is not None and not isinstance(closes_on, date):
        problems.append(f"closing date {closes_on!r} is not a date")
    if problems:
        raise InvalidInput(problems)
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_campaigns")
        row = Campaign(title=title, description=description, touchpoint=tp, closes_on=closes_on,
                       created_by=actor.id or None, created_at=db.now(), active=True)
        s.add(row)
        s.flush()
        aid, aemail = actor_ref(actor)
        audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action="campaign_created",
                     entity_type="campaign", entity_id=row.id,
                     after={"title": title, "touchpoint": tp, "closes_on": closes_on})
        return row.id


def list_campaigns(db: Database) -> list[CampaignView]:
    with db.read() as s:
        counts = dict(s.execute(select(Idea.campaign_id, func.count(Idea.id)).where(Idea.campaign_id.is_not(None))
                                .where(Idea.state != "draft").group_by(Idea.campaign_id)).all())
        return [CampaignView(c.id, c.title, c.description, c.touchpoint, c.closes_on, c.active, counts.get(c.id, 0))
                for c in s.execute(select(Campaign).order_by(Campaign.id)).scalars()]
