"""Campaigns: a challenge posted to the front line ("fewer repeat calls about billing").

Managers and executives (and admins) post one: a title and description, the customer touch point it is about,
the teams it is addressed to (none: every team), the customer metrics it should move, and a closing date.
Ideas answer a campaign while it is open (until the end of its closing day, on the database clock) and when
the idea's team is one it is addressed to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hero_core import audit, cache, permissions
from hero_core.db import Database
from hero_core.errors import InvalidInput, NotFound
from hero_core.models import Campaign, CampaignMetric, CampaignTeam, Idea, IdeaSupport, Metric, Team, User
from hero_core.services.common import actor_ref, clean_text, load_actor, storable
from hero_core.vocab import State, Touchpoint, parse_enum


@dataclass(frozen=True)
class CampaignView:
    id: int
    title: str
    description: str
    touchpoint: str | None
    closes_on: date | None
    active: bool
    ideas: int
    team_codes: tuple[str, ...] = ()  # empty: open to every team
    target_metrics: tuple[str, ...] = ()
    created_by_email: str | None = None
    is_open: bool = True
    supports: int = 0  # supports given to its ideas, all together
    ideas_by_state: dict[str, int] = field(default_factory=dict)
    # What people read, beside the codes and email above (forms, exports and tests use those):
    team_names: tuple[str, ...] = ()  # in the order of team_codes
    target_metric_names: tuple[str, ...] = ()  # the catalog's names, in the order of target_metrics
    created_by_name: str | None = None


def _is_open(c: Campaign, today: date) -> bool:
    return bool(c.active) and (c.closes_on is None or c.closes_on >= today)


def create_campaign(db: Database, *, actor_id: int | None, title: str, description: str = "",
                    touchpoint: str | None = None, closes_on: date | None = None,
                    team_codes: Sequence[str] = (), target_metrics: Sequence[str] = ()) -> int:
    """Post a challenge. Every problem is named at once; nothing is stored unless all is well."""
    problems: list[str] = []
    fields: dict[str, str] = {}

    def problem(name: str, message: str) -> None:
        problems.append(message)
        fields.setdefault(name, message)

    title, p = clean_text(title, "campaign title", min_len=5, max_len=200, single_line=True)
    if p:
        problem("title", p)
    description, p = clean_text(description, "description", required=False, max_len=5_000)
    if p:
        problem("description", p)
    tp = None
    if touchpoint:
        try:
            tp = parse_enum(Touchpoint, touchpoint, "touch point").value
        except ValueError as exc:
            problem("touchpoint", str(exc))
    if closes_on is not None and (not isinstance(closes_on, date) or isinstance(closes_on, datetime)):
        problem("closes_on", f"closing date {closes_on!r} is not a date")
    elif closes_on is not None and closes_on < db.now().date():
        problem("closes_on", f"closing date {closes_on.isoformat()} is in the past; choose today or later")
    codes = list(dict.fromkeys(str(c).strip() for c in team_codes if str(c).strip()))
    metric_codes = list(dict.fromkeys(str(m).strip().lower() for m in target_metrics if str(m).strip()))
    for label, name, values in (("team", "team_codes", codes), ("target metric", "target_metrics", metric_codes)):
        for bad in (v for v in values if not storable(v)):
            problem(name, f"{label} {bad!r} does not exist")
    codes = [c for c in codes if storable(c)]
    metric_codes = [m for m in metric_codes if storable(m)]
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_campaigns")
        teams = {t.code.lower(): t for t in s.execute(select(Team).where(
            func.lower(Team.code).in_([c.lower() for c in codes]))).scalars()}
        unknown = [c for c in codes if c.lower() not in teams]
        if unknown:
            problem("team_codes", f"team(s) {', '.join(map(repr, unknown))} do not exist")
        known_metrics = set(s.execute(select(Metric.code).where(Metric.code.in_(metric_codes))).scalars())
        missing = [m for m in metric_codes if m not in known_metrics]
        if missing:
            problem("target_metrics", f"target metric(s) {', '.join(map(repr, missing))} are not in the catalog")
        if problems:
            raise InvalidInput(problems, fields=fields)
        row = Campaign(title=title, description=description, touchpoint=tp, closes_on=closes_on,
                       created_by=actor.id or None, created_at=db.now(), active=True)
        s.add(row)
        s.flush()
        team_rows = [teams[c.lower()] for c in codes]
        s.add_all([CampaignTeam(campaign_id=row.id, team_id=t.id) for t in team_rows])
        s.add_all([CampaignMetric(campaign_id=row.id, metric_code=m) for m in metric_codes])
        s.flush()
        aid, aemail = actor_ref(actor)
        audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action="campaign_created",
                     entity_type="campaign", entity_id=row.id,
                     after={"title": title, "touchpoint": tp, "closes_on": closes_on,
                            "teams": [t.code for t in team_rows], "target_metrics": metric_codes})
        return row.id


def check_can_answer(s: Session, db: Database, *, campaign_id: int | None, team_id: int) -> None:
    """Refuse, saying why, an idea answering a campaign that is closed or not addressed to its team."""
    if campaign_id is None:
        return
    c = s.get(Campaign, campaign_id)
    if c is None:
        raise InvalidInput(f"campaign {campaign_id!r} does not exist", fields={"campaign_id": "unknown campaign"})
    if not _is_open(c, db.now().date()):
        when = f" on {c.closes_on.isoformat()}" if c.closes_on else ""
        message = f"campaign “{c.title}” closed{when}; it takes no more ideas"
        raise InvalidInput(message, fields={"campaign_id": message})
    team_ids = set(s.execute(select(CampaignTeam.team_id).where(CampaignTeam.campaign_id == c.id)).scalars())
    if team_ids and team_id not in team_ids:
        codes = sorted(s.execute(select(Team.code).where(Team.id.in_(team_ids))).scalars())
        own = s.get(Team, team_id)
        message = (f"campaign “{c.title}” is addressed to team(s) {', '.join(codes)}; "
                   f"team {own.code if own else team_id} is not among them")
        raise InvalidInput(message, fields={"campaign_id": message})


def _counts(s: Session, ids: tuple[int, ...]) -> tuple[tuple, tuple]:
    """((campaign, state, ideas), ...) and ((campaign, supports), ...) of the campaigns' live ideas."""
    live = (Idea.campaign_id.in_(ids), Idea.state != State.DRAFT.value, Idea.merged_into_id.is_(None))
    by_state = tuple(tuple(r) for r in s.execute(select(Idea.campaign_id, Idea.state, func.count(Idea.id))
                                                 .where(*live).group_by(Idea.campaign_id, Idea.state)))
    supports = tuple(tuple(r) for r in s.execute(select(Idea.campaign_id, func.count())
                                                 .join(IdeaSupport, IdeaSupport.idea_id == Idea.id)
                                                 .where(*live).group_by(Idea.campaign_id)))
    return by_state, supports


def _views(s: Session, db: Database, rows: Sequence[Campaign]) -> list[CampaignView]:
    ids = tuple(c.id for c in rows) or (-1,)
    # Counting a company's campaign ideas and their supports reads tens of thousands of rows: cached until the
    # next audited change (every idea change and every support writes one).
    state_rows, support_rows = cache.cached(s, ("campaign_counts", ids), lambda: _counts(s, ids))
    by_state: dict[int, dict[str, int]] = {}
    for cid, state, n in state_rows:
        by_state.setdefault(cid, {})[state] = n
    supports = dict(support_rows)
    teams: dict[int, list[str]] = {}
    team_names: dict[int, list[str]] = {}
    for cid, code, name in s.execute(select(CampaignTeam.campaign_id, Team.code, Team.name)
                                     .join(Team, Team.id == CampaignTeam.team_id)
                                     .where(CampaignTeam.campaign_id.in_(ids)).order_by(Team.code)):
        teams.setdefault(cid, []).append(code)
        team_names.setdefault(cid, []).append(name or code)
    metrics: dict[int, list[str]] = {}
    metric_names: dict[int, list[str]] = {}
    for cid, code, name in s.execute(select(CampaignMetric.campaign_id, CampaignMetric.metric_code, Metric.name)
                                     .outerjoin(Metric, Metric.code == CampaignMetric.metric_code)
                                     .where(CampaignMetric.campaign_id.in_(ids)).order_by(CampaignMetric.metric_code)):
        metrics.setdefault(cid, []).append(code)
        metric_names.setdefault(cid, []).append(name or code)
    creator_rows = s.execute(select(User.id, User.email, User.name).where(
        User.id.in_([c.created_by for c in rows if c.created_by] or [-1]))).all()
    creators = {uid: email for uid, email, _ in creator_rows}
    creator_names = {uid: name or email for uid, email, name in creator_rows}
    today = db.now().date()
    return [CampaignView(
        c.id, c.title, c.description, c.touchpoint, c.closes_on, c.active, sum(by_state.get(c.id, {}).values()),
        team_codes=tuple(teams.get(c.id, ())), target_metrics=tuple(metrics.get(c.id, ())),
        created_by_email=creators.get(c.created_by), is_open=_is_open(c, today), supports=supports.get(c.id, 0),
        ideas_by_state=by_state.get(c.id, {}), team_names=tuple(team_names.get(c.id, ())),
        target_metric_names=tuple(metric_names.get(c.id, ())), created_by_name=creator_names.get(c.created_by),
    ) for c in rows]


def list_campaigns(db: Database, *, open_only: bool = False) -> list[CampaignView]:
    """Every campaign (or only open ones), newest first."""
    with db.read() as s:
        rows = list(s.execute(select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())).scalars())
        views = _views(s, db, rows)
        return [v for v in views if v.is_open] if open_only else views


def get_campaign(db: Database, *, campaign_id: int) -> CampaignView:
    with db.read() as s:
        row = s.get(Campaign, campaign_id) if isinstance(campaign_id, int) else None
        if row is None:
            raise NotFound(f"There is no campaign #{campaign_id}.")
        return _views(s, db, [row])[0]


def answerable(db: Database, *, team_code: str | None = None) -> list[tuple[int, str]]:
    """(id, title) of open campaigns an idea of this team may answer (all open ones when no team is given),
    newest first. Every idea form asks this, so it reads the campaigns and their teams only, never the ideas."""
    with db.read() as s:
        rows = [c for c in s.execute(select(Campaign).where(Campaign.active.is_(True))
                                     .order_by(Campaign.created_at.desc(), Campaign.id.desc())).scalars()
                if _is_open(c, db.now().date())]
        teams: dict[int, set[str]] = {}
        for cid, code in s.execute(select(CampaignTeam.campaign_id, Team.code)
                                   .join(Team, Team.id == CampaignTeam.team_id)
                                   .where(CampaignTeam.campaign_id.in_([c.id for c in rows] or [-1]))):
            teams.setdefault(cid, set()).add(code)
        return [(c.id, c.title) for c in rows
                if team_code is None or not teams.get(c.id) or team_code in teams[c.id]]
