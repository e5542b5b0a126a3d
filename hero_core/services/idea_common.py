"""What the idea services share: the values people type and read, and the steps every command takes
(load and lock the idea, check who may see it and its version, audit, notify). Commands are in
idea_commands.py, reads in idea_queries.py; hero_core/services/ideas.py re-exports all of it under the names
scripts use."""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, lazyload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from hero_core import audit, config, lifecycle, risk
from hero_core.db import Database
from hero_core.errors import (
    InvalidInput,
    NotFound,
    StaleIdea,
)
from hero_core.models import (
    Campaign,
    Idea,
    Metric,
    RiskAssessment,
    User,
)
from hero_core.permissions import Actor
from hero_core.services import notifications, social, visibility
from hero_core.services.common import actor_ref, clean_text, is_id, storable
from hero_core.vocab import ProblemKind, State, Touchpoint, parse_enum

S = State


# ---- values in and out -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdeaInput:
    """What a person types when proposing or editing an idea."""

    title: str
    roadblock: str
    proposal: str
    touchpoint: str
    category: str
    involves_technology: bool = False
    expected_benefit: str = ""
    target_metrics: Sequence[str] = ()
    campaign_id: int | None = None


#: The most characters each text of an idea may hold: the service refuses more, and the form's fields use the same
#: numbers as their `max_chars` (a counter, and no typing past it). The title fits its column (String(200)).
FIELD_LIMITS = {"title": 200, "roadblock": 10_000, "proposal": 10_000, "expected_benefit": 5_000}
#: The fewest characters a submitted text needs; a draft needs only a title (and no minimum for the rest).
FIELD_MINIMUMS = {"title": 5, "roadblock": 10, "proposal": 10}
#: How an idea's fields read in messages: the form's labels (hero_app/idea_form.py), in lower case mid-sentence.
FIELD_NAMES = {"title": "title", "roadblock": "customer roadblock", "proposal": "proposed fix",
               "expected_benefit": "expected benefit"}


@dataclass(frozen=True)
class AssessmentInput:
    ratings: Sequence[risk.Rating]
    effort_value: risk.EffortValue
    notes: str = ""


@dataclass(frozen=True)
class AssessmentView:
    id: int
    assessor_email: str
    created_at: datetime
    overall: int
    band: str
    ratings: tuple[risk.Rating, ...]
    effort_value: risk.EffortValue
    ev_category: str
    notes: str
    approver_emails: tuple[str, ...]
    needs_second_approver: bool
    round_highest: int | None = None  # the highest overall assessed in the idea's current review round
    # What people read: names, beside the emails the exports and the audit trail use.
    assessor_name: str = ""
    approver_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class IdeaSummary:
    id: int
    title: str
    state: str
    team_code: str
    team_name: str
    submitter_email: str
    submitter_name: str
    touchpoint: str
    category: str
    involves_technology: bool
    campaign_id: int | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    version: int
    merged_into_id: int | None = None  # the original this idea repeats, once merged into it as a duplicate


@dataclass(frozen=True)
class IdeaView(IdeaSummary):
    roadblock: str = ""
    proposal: str = ""
    expected_benefit: str = ""
    campaign_title: str | None = None
    target_metrics: tuple[str, ...] = ()
    pilot_team_codes: tuple[str, ...] = ()
    launch_date: date | None = None
    it_champion_email: str | None = None
    it_plan: str = ""
    it_effort_days: float | None = None
    it_blockers: str = ""
    last_reason: str = ""
    milestones: dict[str, datetime | None] = field(default_factory=dict)
    sla: dict[str, tuple[datetime | None, str]] = field(default_factory=dict)
    assessment: AssessmentView | None = None
    available_actions: tuple[str, ...] = ()
    may_edit: bool = False
    may_assess: bool = False
    may_plan: bool = False
    may_view_impact: bool = False  # its measured impact: the submitter, executives, managers and admins
    review_note: str = ""  # to a submitter who reviews ideas: who reviews this one instead of them
    waiting_on: str = ""  # what the idea waits for, in the reader's words (WAITING_ON, or who reviews it)
    # What people read, beside the codes and emails above (which exports, forms and tests use):
    it_champion_name: str | None = None
    target_metric_names: tuple[str, ...] = ()  # the catalog's names, in the order of target_metrics
    pilot_team_names: tuple[str, ...] = ()  # in the order of pilot_team_codes


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor_email: str
    action: str
    before: str
    after: str
    reason: str
    actor_name: str = ""  # the person's name as stored now ("" for the system, or someone since deleted)


# ---- helpers -----------------------------------------------------------------------------------------------


_facts = visibility.facts  # the facts the permission matrix needs (services/visibility.py)


def _snapshot(idea: Idea) -> dict:
    return {"state": idea.state, "version": idea.version}


def _load_for_update(s: Session, idea_id: int) -> Idea:
    if not is_id(idea_id):
        raise NotFound(f"There is no idea #{idea_id}.")
    # The metrics, pilot rows and submitter's roles load if a change uses them (most decisions do not): three
    # round trips fewer inside the write transaction.
    stmt = select(Idea).where(Idea.id == idea_id).options(
        lazyload(Idea.metric_rows), lazyload(Idea.pilot_rows), joinedload(Idea.submitter).lazyload(User.role_rows))
    if s.get_bind().dialect.name == "postgresql":
        # Row lock: a concurrent decision on the same idea waits, then sees the new version.
        stmt = stmt.with_for_update(of=Idea)
    idea = s.execute(stmt).unique().scalar()
    if idea is None:
        raise NotFound(f"There is no idea #{idea_id}.")
    social.refuse_if_merged(idea, "act on the original")  # a merged duplicate has left the workflow
    return idea


_visible_or_404 = visibility.visible_or_404  # who may see an idea: services/visibility.py


def _check_version(idea: Idea, expected_version: int | None) -> None:
    if expected_version is not None and idea.version != expected_version:
        raise StaleIdea(idea.id)


def _touch(idea: Idea, now: datetime) -> None:
    """Mark the idea changed so its version moves on, even if the clock has not (same instant, coarse clock):
    the ORM skips the UPDATE, and with it the version bump, when no column value differs."""
    idea.updated_at = now
    flag_modified(idea, "updated_at")


def _flush(s: Session, idea: Idea) -> None:
    try:
        s.flush()
    except StaleDataError as exc:
        raise StaleIdea(idea.id) from exc


def _audit(s: Session, db: Database, actor: Actor, action: str, idea: Idea, before, after, reason: str = "") -> None:
    aid, aemail = actor_ref(actor)
    audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action=action, entity_type="idea",
                 entity_id=idea.id, before=before, after=after, reason=reason)


def _validate_input(s: Session, data: IdeaInput, *, draft: bool = False) -> dict:
    """The idea's cleaned values, or InvalidInput naming each problem by its field. A draft (`draft=True`) needs
    only its title: the rest may be empty or unchosen, and what is typed is checked for length and characters."""
    problems: list[str] = []
    fields: dict[str, str] = {}

    def problem(field_name: str, message: str) -> None:
        problems.append(message)
        fields.setdefault(field_name, message)

    values: dict = {}
    for name, single in (("title", True), ("roadblock", False), ("proposal", False)):
        optional = draft and name != "title"
        text, err = clean_text(getattr(data, name), FIELD_NAMES[name], required=not optional,
                               min_len=0 if optional else FIELD_MINIMUMS[name], max_len=FIELD_LIMITS[name],
                               single_line=single)
        values[name] = text
        if err:
            problem(name, err)
    benefit, err = clean_text(data.expected_benefit, FIELD_NAMES["expected_benefit"], required=False,
                              max_len=FIELD_LIMITS["expected_benefit"])
    values["expected_benefit"] = benefit
    if err:
        problem("expected_benefit", err)
    for name, enum_cls, label in (("touchpoint", Touchpoint, "touch point"), ("category", ProblemKind,
                                                                             "kind of problem")):
        raw = str(getattr(data, name) or "")
        if draft and not raw.strip():
            values[name] = ""  # not chosen yet: the column holds "" until the idea is submitted
            continue
        try:
            values[name] = parse_enum(enum_cls, raw, label).value
        except ValueError as exc:
            problem(name, str(exc))
    if not isinstance(data.involves_technology, bool):
        problem("involves_technology", "involves technology must be yes or no")
    values["involves_technology"] = bool(data.involves_technology)
    codes = []
    for raw in data.target_metrics or ():
        code = str(raw).strip().lower()
        if not storable(code):
            problem("target_metrics", f"target metric {raw!r} is not in the catalog")
            continue
        if code and code not in codes:
            codes.append(code)
    if codes:
        known = set(s.execute(select(Metric.code).where(Metric.code.in_(codes))).scalars())
        unknown = [c for c in codes if c not in known]
        if unknown:
            problem("target_metrics", f"target metric(s) {', '.join(map(repr, unknown))} are not in the catalog")
    values["target_metrics"] = codes
    if data.campaign_id is not None and (not is_id(data.campaign_id) or s.get(Campaign, data.campaign_id) is None):
        problem("campaign_id", f"campaign {data.campaign_id!r} does not exist")
    values["campaign_id"] = data.campaign_id
    if problems:
        raise InvalidInput(problems, fields=fields)
    return values


def _notify_submitter(s: Session, db: Database, actor: Actor, idea: Idea, what: str, reason: str = "", *,
                      followers: bool = True) -> None:
    if idea.submitter_id != actor.id:
        text = f"Your idea #{idea.id} “{idea.title}” {what}."
        if reason:
            text += f" Reason: {reason}"
        notifications.notify(s, db, user_ids=[idea.submitter_id], idea_id=idea.id, kind="decision", message=text)
    if followers:
        social.notify_state_change(s, db, actor_id=actor.id, idea=idea, what=what)


def _step(idea: Idea, action: str, now: datetime) -> None:
    """Write what `action` does to the idea's milestones and clocks (hero_core/lifecycle.py, their one home)."""
    for name, value in lifecycle.effects(action, idea, now, lifecycle.Clocks.of(config.settings())).items():
        setattr(idea, name, value)

def _latest_assessment(s: Session, idea_id: int) -> RiskAssessment | None:
    """The idea's latest assessment in any round (by id, the order they were made, as the queue's SQL reads it)."""
    return s.execute(
        select(RiskAssessment).where(RiskAssessment.idea_id == idea_id).order_by(RiskAssessment.id.desc()).limit(1)
    ).scalar()
