"""Ideas through the compact: propose, review, assess, decide, hand to IT, pilot, scale, retire.

Every function here is one job: it loads the actor fresh, checks the permission matrix and the transition
table, changes the idea, writes the audit entry and the notifications, all in one transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload, lazyload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from hero_core import audit, cache, config, lifecycle, permissions, risk, sla, workflow
from hero_core.db import Database
from hero_core.errors import (
    InvalidInput,
    MissingInformation,
    NotFound,
    PermissionDenied,
    StaleIdea,
)
from hero_core.models import (
    Approval,
    AuditEntry,
    Campaign,
    Idea,
    IdeaMetric,
    IdeaPilotTeam,
    IdeaSupport,
    Metric,
    Observation,
    RiskAssessment,
    RiskRating,
    Team,
    User,
)
from hero_core.permissions import Actor, IdeaFacts
from hero_core.services import approvals, campaigns, notifications, social
from hero_core.services.common import SYSTEM, actor_ref, clean_text, is_id, load_actor, storable
from hero_core.services.people import users_with_role
from hero_core.vocab import ProblemKind, Role, State, Touchpoint, parse_enum

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


def _facts(idea: Idea) -> IdeaFacts:
    return IdeaFacts(submitter_id=idea.submitter_id, team_id=idea.team_id, state=State(idea.state))


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


def _visible_or_404(actor: Actor, idea: Idea) -> None:
    if not actor.active:
        # Tell a deactivated person why (not a misleading "not found"); they may see nothing at all.
        permissions.require(actor, "view_idea", _facts(idea))
    if not permissions.allowed(actor, "view_idea", _facts(idea)):
        # Say "not found" rather than "forbidden": a draft's existence is its author's business.
        raise NotFound(f"There is no idea #{idea.id} that you can see.")


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
    if data.campaign_id is not None:
        if not is_id(data.campaign_id) or s.get(Campaign, data.campaign_id) is None:
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


# ---- proposing ---------------------------------------------------------------------------------------------


def create_idea(db: Database, *, actor_id: int | None, data: IdeaInput, submit: bool = False,
                team_id: int | None = None, form_token: str | None = None) -> int:
    """Save a new idea as a draft (or submit it straight away). It belongs to the proposer's team.

    A draft needs only a title; submitting needs every required field. `form_token` names the form the idea
    comes from: the same person calling again with the same token (a double click, an autosave meeting a click)
    gets the idea that form made, brought up to date and submitted if asked, never a second idea.
    """
    token = form_token if isinstance(form_token, str) and _TOKEN_SHAPE.fullmatch(form_token) else None
    if form_token is not None and token is None:
        raise InvalidInput("the form's token is not one this app made; reload the page")
    try:
        return _create_idea(db, actor_id=actor_id, data=data, submit=submit, team_id=team_id, token=token)
    except IntegrityError:
        # Two calls with one token raced and the other stored its idea first (the unique index on the token):
        # this call is the double, and answers with that idea.
        if token is None:
            raise
        with db.read() as s:
            existing = s.execute(select(Idea.id).where(Idea.form_token == token)).scalar()
        if existing is None:
            raise
        return _create_idea(db, actor_id=actor_id, data=data, submit=submit, team_id=team_id, token=token)


_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _create_idea(db: Database, *, actor_id: int | None, data: IdeaInput, submit: bool, team_id: int | None,
                 token: str | None) -> int:
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "create_idea")
        if token is not None and actor is not SYSTEM:
            made = s.execute(select(Idea.id).where(Idea.submitter_id == actor.id, Idea.form_token == token)).scalar()
            if made is not None:
                idea = _load_for_update(s, made)
                if idea.state == S.DRAFT.value:
                    _apply_edit(s, db, actor, idea, data, draft=not submit)
                    if submit:
                        _do_submit(s, db, actor, idea, "submit")
                return idea.id  # already sent on: the second click of a double gets the same idea
        values = _validate_input(s, data, draft=not submit)
        owner_team = team_id if team_id is not None else actor.team_id
        if owner_team is None or s.get(Team, owner_team) is None:
            raise InvalidInput("you belong to no team yet; ask an admin to put you in one",
                               fields={"team": "no team"})
        if actor is SYSTEM:
            raise PermissionDenied("ideas need a real person as submitter")
        campaigns.check_can_answer(s, db, campaign_id=values["campaign_id"], team_id=owner_team)
        now = db.now()
        metrics = values.pop("target_metrics")
        idea = Idea(**values, submitter_id=actor.id, team_id=owner_team, state=S.DRAFT.value,
                    created_at=now, updated_at=now, it_plan="", it_blockers="", last_reason="", form_token=token)
        idea.metric_rows = [IdeaMetric(metric_code=c) for c in metrics]
        s.add(idea)
        s.flush()
        _audit(s, db, actor, "created", idea, None, {**_snapshot(idea), "title": idea.title})
        if submit:
            _do_submit(s, db, actor, idea, "submit")
        return idea.id


def edit_idea(db: Database, *, actor_id: int, idea_id: int, expected_version: int | None, data: IdeaInput) -> int:
    """The submitter edits their draft or an idea sent back for changes. Returns the new version.

    A draft needs only a title; an idea sent back for changes keeps every required field."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = _load_for_update(s, idea_id)
        _visible_or_404(actor, idea)
        _check_version(idea, expected_version)
        permissions.require(actor, "edit_idea", _facts(idea))
        _apply_edit(s, db, actor, idea, data, draft=idea.state == S.DRAFT.value)
        return idea.version


def _apply_edit(s: Session, db: Database, actor: Actor, idea: Idea, data: IdeaInput, *, draft: bool) -> None:
    """Change the idea's text and choices and audit what changed; nothing at all when nothing changed (an
    autosave of the same text writes no entry and keeps the version)."""
    values = _validate_input(s, data, draft=draft)
    if values["campaign_id"] != idea.campaign_id:
        campaigns.check_can_answer(s, db, campaign_id=values["campaign_id"], team_id=idea.team_id)
    metrics = values.pop("target_metrics")
    before = {k: getattr(idea, k) for k in values} | {"target_metrics": [m.metric_code for m in idea.metric_rows]}
    after = dict(values) | {"target_metrics": metrics}
    changed_before = {k: v for k, v in before.items() if after.get(k) != v}
    if not changed_before:
        return
    for k, v in values.items():
        setattr(idea, k, v)
    if "target_metrics" in changed_before:
        idea.metric_rows = [IdeaMetric(metric_code=c) for c in metrics]
    _touch(idea, db.now())
    _flush(s, idea)
    _audit(s, db, actor, "edited", idea, changed_before, {k: after[k] for k in changed_before})


def _require_complete(s: Session, idea: Idea) -> None:
    """An idea goes to review only with every required field (a draft may have been saved with a title alone):
    InvalidInput names each missing one, beside its field on the form."""
    _validate_input(s, IdeaInput(
        title=idea.title, roadblock=idea.roadblock, proposal=idea.proposal, touchpoint=idea.touchpoint,
        category=idea.category, involves_technology=bool(idea.involves_technology),
        expected_benefit=idea.expected_benefit or "", target_metrics=[m.metric_code for m in idea.metric_rows],
        campaign_id=idea.campaign_id))


def _do_submit(s: Session, db: Database, actor: Actor, idea: Idea, action: str) -> None:
    workflow.check(action, idea.state)
    _require_complete(s, idea)
    before = _snapshot(idea)
    now = db.now()
    _step(idea, action, now)
    idea.updated_at = now
    _flush(s, idea)
    _audit(s, db, actor, action, idea, before, _snapshot(idea))
    social.notify_state_change(s, db, actor_id=actor.id, idea=idea, what="was sent for review")
    _, _, reviewer_ids = approvals.reviewers(s, idea)  # never the submitter: nobody reviews their own idea
    notifications.notify(
        s, db, user_ids=[m for m in reviewer_ids if m != actor.id], idea_id=idea.id,
        kind="submitted",
        message=f"New idea #{idea.id} “{idea.title}” from {actor.name} waits for your review.",
    )


def submit(db: Database, *, actor_id: int, idea_id: int, expected_version: int | None = None) -> None:
    """The submitter sends a draft to their team's managers."""
    _submit_like(db, actor_id, idea_id, expected_version, "submit")


def resubmit(db: Database, *, actor_id: int, idea_id: int, expected_version: int | None = None) -> None:
    """The submitter sends an idea back after making the changes asked for."""
    _submit_like(db, actor_id, idea_id, expected_version, "resubmit")


def _submit_like(db, actor_id, idea_id, expected_version, action) -> None:
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = _load_for_update(s, idea_id)
        _visible_or_404(actor, idea)
        _check_version(idea, expected_version)
        permissions.require(actor, action, _facts(idea))
        _do_submit(s, db, actor, idea, action)


# ---- reviewing ---------------------------------------------------------------------------------------------


def _simple_transition(
    db: Database, *, actor_id: int | None, idea_id: int, expected_version: int | None, action: str,
    reason: str = "", apply=None, notify_text: str | None = None,
) -> None:
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = _load_for_update(s, idea_id)
        _visible_or_404(actor, idea)
        _check_version(idea, expected_version)
        facts = approvals.review_facts(s, idea) if action in approvals.REVIEW_ACTIONS else _facts(idea)
        permissions.require(actor, action, facts)
        transition = workflow.check(action, idea.state)
        reason, problem = clean_text(reason, "reason", required=transition.reason_required, max_len=5_000)
        if problem:
            if not reason:
                raise MissingInformation(f"A reason is required to {workflow.ACTION_LABELS[action].lower()}.")
            raise InvalidInput(problem, fields={"reason": problem})
        before = _snapshot(idea)
        extra_before, extra_after = (apply(s, idea, actor) if apply else ({}, {}))
        idea.state = transition.target.value
        idea.updated_at = db.now()
        if reason:
            idea.last_reason = reason
        _flush(s, idea)
        _audit(s, db, actor, action, idea, before | extra_before, _snapshot(idea) | extra_after, reason)
        if notify_text:
            _notify_submitter(s, db, actor, idea, notify_text, reason)


def start_review(db: Database, *, actor_id: int, idea_id: int, expected_version: int | None = None) -> None:
    def apply(s, idea, actor):
        _step(idea, "start_review", db.now())
        return {}, {}

    _simple_transition(db, actor_id=actor_id, idea_id=idea_id, expected_version=expected_version,
                       action="start_review", apply=apply, notify_text="is now being reviewed")


def request_changes(db: Database, *, actor_id: int, idea_id: int, reason: str,
                    expected_version: int | None = None) -> None:
    def apply(s, idea, actor):
        _step(idea, "request_changes", db.now())
        return {}, {}

    _simple_transition(db, actor_id=actor_id, idea_id=idea_id, expected_version=expected_version,
                       action="request_changes", reason=reason, apply=apply, notify_text="needs changes")


def decline(db: Database, *, actor_id: int, idea_id: int, reason: str, expected_version: int | None = None) -> None:
    def apply(s, idea, actor):
        _step(idea, "decline", db.now())
        return {}, {}

    _simple_transition(db, actor_id=actor_id, idea_id=idea_id, expected_version=expected_version,
                       action="decline", reason=reason, apply=apply, notify_text="was declined")


def _latest_assessment(s: Session, idea_id: int) -> RiskAssessment | None:
    """The idea's latest assessment in any round (by id, the order they were made, as the queue's SQL reads it)."""
    return s.execute(
        select(RiskAssessment).where(RiskAssessment.idea_id == idea_id).order_by(RiskAssessment.id.desc()).limit(1)
    ).scalar()


def assess_risk(db: Database, *, actor_id: int, idea_id: int, assessment: AssessmentInput,
                expected_version: int | None = None) -> int:
    """A manager of the idea's team records the risk assessment and effort-value evaluation (in review)."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = _load_for_update(s, idea_id)
        _visible_or_404(actor, idea)
        _check_version(idea, expected_version)
        permissions.require(actor, "assess_risk", approvals.review_facts(s, idea))
        if idea.state != S.IN_REVIEW.value:
            raise workflow.TransitionNotAllowed(
                f"Risk is assessed while an idea is in review; idea #{idea.id} is {idea.state.replace('_', ' ')}."
                + (" Start the review first." if idea.state == S.SUBMITTED.value else "")
            )
        ratings = list(assessment.ratings)
        problems = risk.validate_ratings(ratings) + assessment.effort_value.problems()
        notes, note_problem = clean_text(assessment.notes, "notes", required=False, max_len=5_000)
        if note_problem:
            problems.append(note_problem)
        cleaned = []
        for r in ratings:
            mitigation, mp = clean_text(r.mitigation, f"mitigation for {risk.CATEGORIES.get(r.category, r.category)}",
                                        required=False, max_len=4_000)
            if mp:
                problems.append(mp)
            cleaned.append(risk.Rating(r.category, r.likelihood, r.impact, mitigation))
        if problems:
            raise InvalidInput(problems)
        ev = assessment.effort_value
        overall = risk.overall(cleaned)
        row = RiskAssessment(
            idea_id=idea.id, assessor_id=actor.id, created_at=db.now(), overall=overall,
            needs_it=ev.needs_it, needs_legal=ev.needs_legal, budget=ev.budget,
            people_systems_touched=ev.people_systems_touched, customers_reached=ev.customers_reached,
            expected_change=ev.expected_change, strategic_fit=ev.strategic_fit, ev_category=ev.category, notes=notes,
            review_round=idea.review_round,
        )
        row.ratings = [RiskRating(category=r.category, likelihood=r.likelihood, impact=r.impact,
                                  mitigation=r.mitigation) for r in cleaned]
        s.add(row)
        _touch(idea, db.now())  # bumps the version: approvals opened on the old assessment go stale
        _flush(s, idea)
        _audit(s, db, actor, "assess_risk", idea, None, {
            "assessment_id": row.id, "overall": overall, "band": risk.band(overall), "ev_category": ev.category,
            "ratings": {r.category: [r.likelihood, r.impact] for r in cleaned}, "version": idea.version,
        })
        return row.id


def approve(db: Database, *, actor_id: int, idea_id: int, expected_version: int | None = None,
            reason: str = "") -> str:
    """Approve an idea in review. Returns 'approved', or 'awaiting second approver' for high risk.

    Needs a risk assessment made in this review round. Nobody approves an idea they proposed. High risk (an
    overall >= 15 anywhere in the round, however the ratings were lowered since) needs two different approvers
    of the round's current assessment: a manager of the idea's team first, then another manager or an admin,
    who gives a reason.
    """
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = _load_for_update(s, idea_id)
        _visible_or_404(actor, idea)
        _check_version(idea, expected_version)
        # The state first: whoever lost a race to approve is told it is decided, not that they may not approve.
        transition = workflow.check("approve", idea.state)
        state = approvals.round_state(s, idea)
        facts = approvals.review_facts(s, idea, state)
        second = facts.first_approver_id is not None
        if second and actor.id == facts.first_approver_id:
            raise PermissionDenied(
                f"Idea #{idea.id} is high risk (score {state.highest}) and you approved it already: "
                "a second, different manager or an admin must approve it."
            )
        permissions.require(actor, "second_approve" if second else "approve", facts)
        if state.assessment_id is None:
            again = idea.review_round > 1 and s.execute(
                select(RiskAssessment.id).where(RiskAssessment.idea_id == idea.id).limit(1)).first() is not None
            raise MissingInformation(
                f"Idea #{idea.id} was changed and sent back for review: assess its risk again before approving it."
                if again else
                f"Idea #{idea.id} needs a risk assessment before it can be approved. Assess its risk first."
            )
        reason, problem = clean_text(reason, "reason", required=False, max_len=5_000)
        if problem:
            raise InvalidInput(problem, fields={"reason": problem})
        if second and not reason:
            raise MissingInformation("A reason is required to approve as second approver: say why the risk is "
                                     "acceptable.")
        now = db.now()
        s.add(Approval(idea_id=idea.id, assessment_id=state.assessment_id, approver_id=actor.id, at=now))
        before = _snapshot(idea)
        given = len(state.approver_ids) + 1
        if given < state.needed:
            _touch(idea, now)
            _flush(s, idea)
            _audit(s, db, actor, "approve_first_of_two", idea, before, _snapshot(idea) | {
                "overall": state.overall, "highest_in_round": state.highest, "waiting_for": "a second approver"},
                reason)
            others = [u for u in set(users_with_role(s, Role.MANAGER)) | set(users_with_role(s, Role.ADMIN))
                      if u not in (actor.id, idea.submitter_id)]
            notifications.notify(
                s, db, user_ids=others, idea_id=idea.id, kind="second_approval",
                message=f"High-risk idea #{idea.id} “{idea.title}” (risk {state.highest}) was approved by "
                        f"{actor.name} and needs a second approver.",
            )
            # Followers are not told: "waits for a second approver" would give away the risk band to people who
            # may not see the assessment (the state has not changed either).
            _notify_submitter(s, db, actor, idea, "has its first approval and waits for a second approver",
                              followers=False)
            return "awaiting second approver"
        idea.state = transition.target.value
        _step(idea, "approve", now)
        if reason:
            idea.last_reason = reason
        idea.updated_at = now
        _flush(s, idea)
        _audit(s, db, actor, "approve", idea, before, _snapshot(idea) | {
            "overall": state.overall, "highest_in_round": state.highest, "approvers": given}, reason)
        _notify_submitter(s, db, actor, idea, "was approved", reason)
        if idea.involves_technology:
            _route_to_it(s, db, idea)
        return "approved"


def _route_to_it(s: Session, db: Database, idea: Idea) -> None:
    transition = workflow.check("route_to_it", idea.state)
    before = _snapshot(idea)
    now = db.now()
    idea.state = transition.target.value
    _step(idea, "route_to_it", now)
    idea.updated_at = now
    _flush(s, idea)
    _audit(s, db, SYSTEM, "route_to_it", idea, before, _snapshot(idea), "involves technology")
    notifications.notify(
        s, db, user_ids=users_with_role(s, Role.IT_CHAMPION), idea_id=idea.id, kind="awaiting_it",
        message=f"Approved technology idea #{idea.id} “{idea.title}” waits for an IT champion to claim it.",
    )


# ---- IT and scaling ----------------------------------------------------------------------------------------


def claim(db: Database, *, actor_id: int, idea_id: int, expected_version: int | None = None) -> None:
    """An IT champion picks up an approved technology idea."""

    def apply(s, idea, actor):
        idea.it_champion_id = actor.id
        _step(idea, "claim", db.now())
        return {}, {"it_champion": actor.email}

    _simple_transition(db, actor_id=actor_id, idea_id=idea_id, expected_version=expected_version,
                       action="claim", apply=apply, notify_text="was picked up by IT")


def plan_it(db: Database, *, actor_id: int, idea_id: int, plan: str, effort_days: float | None,
            blockers: str = "", expected_version: int | None = None) -> int:
    """An IT champion records the plan, effort estimate and blockers. Returns the new version."""
    plan, p1 = clean_text(plan, "IT plan", required=False, max_len=10_000)
    blockers, p2 = clean_text(blockers, "blockers", required=False, max_len=5_000)
    problems = [p for p in (p1, p2) if p]
    if effort_days is not None:
        try:
            effort_days = float(effort_days)
        except (TypeError, ValueError):
            problems.append(f"effort must be a number of days, not {effort_days!r}")
        else:
            if not (0 <= effort_days <= 10_000) or effort_days != effort_days:
                problems.append(f"effort must be between 0 and 10000 days, not {effort_days!r}")
    if problems:
        raise InvalidInput(problems)
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = _load_for_update(s, idea_id)
        _visible_or_404(actor, idea)
        _check_version(idea, expected_version)
        permissions.require(actor, "plan_it", _facts(idea))
        if not lifecycle.may_plan(idea.state):
            raise workflow.TransitionNotAllowed(
                f"An IT plan belongs to ideas that are with IT; idea #{idea.id} is {idea.state.replace('_', ' ')}."
            )
        before = {"it_plan": idea.it_plan, "it_effort_days": idea.it_effort_days, "it_blockers": idea.it_blockers}
        idea.it_plan, idea.it_effort_days, idea.it_blockers = plan, effort_days, blockers
        idea.updated_at = db.now()
        _flush(s, idea)
        _audit(s, db, actor, "it_plan", idea, before,
               {"it_plan": plan, "it_effort_days": effort_days, "it_blockers": blockers})
        return idea.version


def start_pilot(db: Database, *, actor_id: int, idea_id: int, pilot_team_codes: Iterable[str],
                launch_date: date | None, expected_version: int | None = None) -> None:
    """Launch a pilot in some teams on a launch date (the date the impact estimate measures from)."""
    codes = [c.strip() for c in pilot_team_codes if c and c.strip()]
    unknown = [c for c in codes if not storable(c)]
    if unknown:
        raise InvalidInput(f"pilot team {unknown[0]!r} does not exist", fields={"pilot_teams": "unknown team"})
    missing = []
    if not codes:
        missing.append("at least one pilot team")
    if launch_date is None:
        missing.append("a launch date")
    if missing:
        raise MissingInformation("A pilot needs " + " and ".join(missing) + ".")
    if not isinstance(launch_date, date):
        raise InvalidInput(f"launch date {launch_date!r} is not a date", fields={"launch_date": "not a date"})

    def apply(s, idea, actor):
        teams = []
        for code in codes:
            team = s.execute(select(Team).where(func.lower(Team.code) == code.lower())).scalar()
            if team is None:
                raise InvalidInput(f"pilot team {code!r} does not exist", fields={"pilot_teams": "unknown team"})
            if team.id not in {t.id for t in teams}:
                teams.append(team)
        _check_launch_date(idea, launch_date, db.now().date())
        idea.pilot_rows = [IdeaPilotTeam(team_id=t.id) for t in teams]
        idea.launch_date = launch_date
        _step(idea, "start_pilot", db.now())
        return {}, {"pilot_teams": [t.code for t in teams], "launch_date": launch_date.isoformat()}

    _simple_transition(db, actor_id=actor_id, idea_id=idea_id, expected_version=expected_version,
                       action="start_pilot", apply=apply, notify_text="is being piloted")


def _check_launch_date(idea: Idea, launch: date, today: date) -> None:
    problem = lifecycle.launch_date_problem(idea, launch, today)
    if problem is not None:
        raise InvalidInput(problem[0], fields={"launch_date": problem[1]})


class ScalingNotReady(MissingInformation):
    """The pilot cannot show yet whether the idea works (no data in its measurement window) or it is blocked;
    `problems` says which, in words a person can act on."""

    def __init__(self, idea_id: int, problems: Sequence[str]):
        self.idea_id = idea_id
        self.problems = list(problems)
        super().__init__(
            f"Idea #{idea_id} is not ready to scale: " + "; ".join(self.problems) + ". Import the pilot's "
            "data or clear the blocker first, or scale it anyway and say why (the reason goes in the audit trail).")


def _scaling_problems(s: Session, idea: Idea) -> list[str]:
    """Why a pilot is not ready to scale (empty when it is): its measurement window must hold data for every
    pilot team in at least one target metric, and IT must have no open blocker."""
    from hero_core.impact import windows_from_env  # the estimator's windows (hero_core/impact.py)

    problems: list[str] = []
    metrics = sorted(m.metric_code for m in idea.metric_rows)
    team_rows = s.execute(select(Team.id, Team.code).join(IdeaPilotTeam, IdeaPilotTeam.team_id == Team.id)
                          .where(IdeaPilotTeam.idea_id == idea.id)).all()
    if idea.launch_date is None or not team_rows:
        problems.append("it has no pilot teams and launch date")
    elif not metrics:
        problems.append("it names no target metric to measure the pilot by")
    else:
        bounds = windows_from_env().bounds(idea.launch_date)
        seen = set(s.execute(
            select(Metric.code, Observation.team_id).join(Metric, Metric.id == Observation.metric_id)
            .where(Metric.code.in_(metrics), Observation.team_id.in_([t.id for t in team_rows]),
                   Observation.day >= bounds.eval_start, Observation.day < bounds.eval_end)
            .group_by(Metric.code, Observation.team_id)).all())
        gaps = {m: [code for tid, code in team_rows if (m, tid) not in seen] for m in metrics}
        if all(gaps.values()):
            window = f"from {bounds.eval_start.isoformat()} to {(bounds.eval_end - timedelta(days=1)).isoformat()}"
            problems.append(f"its measurement window ({window}) holds no data yet for "
                            + "; ".join(f"{m} from team {', '.join(teams)}" for m, teams in gaps.items()))
    if (idea.it_blockers or "").strip():
        problems.append(f"IT recorded an open blocker: “{idea.it_blockers.strip()}”")
    return problems


def scaling_problems(db: Database, *, actor_id: int, idea_id: int) -> list[str]:
    """What start_scaling would refuse now (empty when the pilot is ready), for showing before the click."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        idea = s.get(Idea, idea_id) if is_id(idea_id) else None
        if idea is None:
            raise NotFound(f"There is no idea #{idea_id}.")
        _visible_or_404(actor, idea)
        return _scaling_problems(s, idea)


def start_scaling(db: Database, *, actor_id: int, idea_id: int, expected_version: int | None = None,
                  override_reason: str | None = None) -> None:
    """Roll a pilot out to more teams. Needs data in the pilot's measurement window and no open blocker, or an
    override: `override_reason` says why it scales anyway, and goes in the audit entry with what was overridden."""
    reason, problem = clean_text(override_reason or "", "reason to scale anyway", required=False, max_len=5_000)
    if problem:
        raise InvalidInput(problem, fields={"override_reason": problem})
    if override_reason is not None and not reason:  # asked to override, with nothing said
        raise MissingInformation("A reason is required to scale anyway: say why the pilot's data or the blocker "
                                 "does not stand in the way.")

    def apply(s, idea, actor):
        problems = _scaling_problems(s, idea)
        if problems and not reason:
            raise ScalingNotReady(idea.id, problems)
        _step(idea, "start_scaling", db.now())
        return {}, ({"checks_overridden": problems, "override_reason": reason} if problems else {})

    _simple_transition(db, actor_id=actor_id, idea_id=idea_id, expected_version=expected_version,
                       action="start_scaling", reason=reason, apply=apply,
                       notify_text="is being scaled to more teams")


def complete_scaling(db: Database, *, actor_id: int, idea_id: int, expected_version: int | None = None) -> None:
    def apply(s, idea, actor):
        _step(idea, "complete_scaling", db.now())
        return {}, {}

    _simple_transition(db, actor_id=actor_id, idea_id=idea_id, expected_version=expected_version,
                       action="complete_scaling", apply=apply, notify_text="is scaled: thank you, HERO")


def retire(db: Database, *, actor_id: int, idea_id: int, reason: str, expected_version: int | None = None) -> None:
    def apply(s, idea, actor):
        _step(idea, "retire", db.now())
        return {}, {}

    _simple_transition(db, actor_id=actor_id, idea_id=idea_id, expected_version=expected_version,
                       action="retire", reason=reason, apply=apply, notify_text="was retired")


WITHDRAWN_REASON = "Withdrawn by its submitter"
WITHDRAW_REASON_LIMIT = 5_000


def withdraw(db: Database, *, actor_id: int, idea_id: int, reason: str = "",
             expected_version: int | None = None) -> None:
    """The submitter takes back their idea before it is decided (workflow.WITHDRAWABLE_STATES); it closes as
    retired, "withdrawn by its submitter", with their reason if they give one. The reviewers it waited on are
    told, so nobody reviews an idea its author has taken back."""
    reason, problem = clean_text(reason, "reason", required=False, max_len=WITHDRAW_REASON_LIMIT)
    if problem:
        raise InvalidInput(problem, fields={"reason": problem})
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = _load_for_update(s, idea_id)
        _visible_or_404(actor, idea)
        _check_version(idea, expected_version)
        permissions.require(actor, "withdraw", _facts(idea))
        transition = workflow.check("withdraw", idea.state)
        before = _snapshot(idea)
        waited_on_reviewers = idea.state in (S.SUBMITTED.value, S.IN_REVIEW.value)
        now = db.now()
        idea.state = transition.target.value
        # Closes the idea, and stops the promises still open and not yet broken (hero_core/lifecycle.py).
        _step(idea, "withdraw", now)
        idea.last_reason = f"{WITHDRAWN_REASON}: {reason}" if reason else f"{WITHDRAWN_REASON}."
        idea.updated_at = now
        _flush(s, idea)
        _audit(s, db, actor, "withdraw", idea, before, _snapshot(idea), reason or WITHDRAWN_REASON.lower())
        social.notify_state_change(s, db, actor_id=actor.id, idea=idea, what="was withdrawn by its submitter")
        if waited_on_reviewers:
            _, _, reviewer_ids = approvals.reviewers(s, idea)
            notifications.notify(
                s, db, user_ids=[m for m in reviewer_ids if m != actor.id], idea_id=idea.id, kind="withdrawn",
                message=f"Idea #{idea.id} “{idea.title}” was withdrawn by {actor.name}; it needs no review."
                + (f" Reason: {reason}" if reason else ""),
            )


#: Workflow action -> service, for generic callers (the UI's action buttons, the tests).
TRANSITION_SERVICES = {
    "submit": submit,
    "resubmit": resubmit,
    "start_review": start_review,
    "request_changes": request_changes,
    "approve": approve,
    "decline": decline,
    "claim": claim,
    "start_pilot": start_pilot,
    "start_scaling": start_scaling,
    "complete_scaling": complete_scaling,
    "retire": retire,
    "withdraw": withdraw,
}


# ---- reading -----------------------------------------------------------------------------------------------


def _summary_columns(submitter) -> list:
    """The columns an IdeaSummary needs, for plain (non-ORM) queries joined to Team and the submitter."""
    return [Idea.id, Idea.title, Idea.state, Team.code.label("team_code"), Team.name.label("team_name"),
            submitter.email.label("submitter_email"), submitter.name.label("submitter_name"), Idea.touchpoint,
            Idea.category, Idea.involves_technology, Idea.campaign_id, Idea.created_at, Idea.updated_at,
            Idea.submitted_at, Idea.version, Idea.merged_into_id]


def _summary_from_row(row) -> IdeaSummary:
    return IdeaSummary(
        id=row.id, title=row.title, state=row.state, team_code=row.team_code, team_name=row.team_name,
        submitter_email=row.submitter_email, submitter_name=row.submitter_name, touchpoint=row.touchpoint,
        category=row.category, involves_technology=row.involves_technology, campaign_id=row.campaign_id,
        created_at=row.created_at, updated_at=row.updated_at, submitted_at=row.submitted_at, version=row.version,
        merged_into_id=row.merged_into_id,
    )


def _summary_kwargs(idea: Idea) -> dict:
    return dict(
        id=idea.id, title=idea.title, state=idea.state, team_code=idea.team.code, team_name=idea.team.name,
        submitter_email=idea.submitter.email, submitter_name=idea.submitter.name, touchpoint=idea.touchpoint,
        category=idea.category, involves_technology=idea.involves_technology, campaign_id=idea.campaign_id,
        created_at=idea.created_at, updated_at=idea.updated_at, submitted_at=idea.submitted_at,
        version=idea.version, merged_into_id=idea.merged_into_id,
    )


def available_actions(actor: Actor, idea_facts: IdeaFacts, *, high_risk_pending_first: int | None = None) -> list[str]:
    """Workflow actions this actor may take on this idea now (before the extra checks each action makes).

    `idea_facts` should carry the review facts (approvals.review_facts); `high_risk_pending_first` is the older
    way of saying who gave the first of two approvals, kept for callers that pass it."""
    if high_risk_pending_first is not None:
        idea_facts = replace(idea_facts, first_approver_id=high_risk_pending_first)
    out = []
    for action in workflow.allowed_from(idea_facts.state):
        if permissions.allowed(actor, action, idea_facts) or (
                action == "approve" and permissions.allowed(actor, "second_approve", idea_facts)):
            out.append(action)
    return out


def _person(s: Session, user_id: int | None) -> tuple[str | None, str | None]:
    """(email, name) of a person by id, or (None, None)."""
    if user_id is None:
        return None, None
    row = s.execute(select(User.email, User.name).where(User.id == user_id)).one_or_none()
    return (row[0], row[1]) if row else (None, None)


def _assessment_view(s: Session, a: RiskAssessment, state: approvals.RoundState) -> AssessmentView:
    approvers = list(s.execute(
        select(User.email, User.name).select_from(Approval).join(User, User.id == Approval.approver_id)
        .where(Approval.assessment_id == a.id).order_by(Approval.at, Approval.id)
    ).all())
    assessor_email, assessor_name = _person(s, a.assessor_id)
    return AssessmentView(
        id=a.id, assessor_email=assessor_email or "?", assessor_name=assessor_name or assessor_email or "?",
        approver_names=tuple(name or email for email, name in approvers),
        created_at=a.created_at, overall=a.overall,
        band=risk.band(a.overall),
        ratings=tuple(risk.Rating(r.category, r.likelihood, r.impact, r.mitigation) for r in a.ratings),
        effort_value=risk.EffortValue(a.needs_it, a.needs_legal, a.budget, a.people_systems_touched,
                                      a.customers_reached, a.expected_change, a.strategic_fit),
        ev_category=a.ev_category, notes=a.notes, approver_emails=tuple(e for e, _ in approvers),
        needs_second_approver=state.assessment_id == a.id and state.first_approver_id is not None,
        round_highest=state.highest,
    )


def get_idea(db: Database, *, actor_id: int, idea_id: int) -> IdeaView:
    """Everything about one idea that this person may see."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        if not is_id(idea_id):
            raise NotFound(f"There is no idea #{idea_id}.")
        # The submitter and team joined, the metrics selected; not the submitter's roles nor the pilot rows (the
        # pilot teams' codes are read below): 2 round trips instead of 4 on every run of the idea and review pages.
        idea = s.get(Idea, idea_id, options=[joinedload(Idea.submitter).lazyload(User.role_rows),
                                             joinedload(Idea.team), lazyload(Idea.pilot_rows)])
        if idea is None:
            raise NotFound(f"There is no idea #{idea_id}.")
        _visible_or_404(actor, idea)
        in_review = idea.state == S.IN_REVIEW.value
        round_state = approvals.round_state(s, idea) if in_review else approvals.NO_ROUND
        reviewing = idea.state in (S.SUBMITTED.value, S.IN_REVIEW.value)
        facts = approvals.review_facts(s, idea, round_state) if reviewing else _facts(idea)
        assessment = None
        if permissions.allowed(actor, "view_assessment", facts):
            assessment_row = _latest_assessment(s, idea.id)
            if assessment_row is not None:
                assessment = _assessment_view(s, assessment_row, round_state)
        review_note = ""
        waiting_on = WAITING_ON.get(State(idea.state), "")
        if not facts.is_author(actor) and State(idea.state) in WAITING_ON_OTHERS:  # "you" is the submitter only
            waiting_on = WAITING_ON_OTHERS[State(idea.state)].format(
                submitter=idea.submitter.name if idea.submitter else "the submitter",
                team=idea.team.name if idea.team else "the team")
        if reviewing and facts.is_author(actor) and (actor.has(Role.MANAGER) or actor.has(Role.ADMIN)):
            who, why, _ = approvals.reviewers(s, idea)
            review_note = f"You proposed this idea, so someone else reviews it: {who}" + (
                f", since {why}." if why else ".")
            waiting_on = f"{who} to start the review" if idea.state == S.SUBMITTED.value else f"{who}'s decision"
        now = db.now()
        pilot_teams = sorted(
            s.execute(select(Team.code, Team.name).join(IdeaPilotTeam, IdeaPilotTeam.team_id == Team.id)
                      .where(IdeaPilotTeam.idea_id == idea.id)).all()
        )
        pilot_codes = tuple(code for code, _ in pilot_teams)
        metric_codes = tuple(m.metric_code for m in idea.metric_rows)
        metric_names = dict(s.execute(select(Metric.code, Metric.name).where(Metric.code.in_(metric_codes))).all()
                            ) if metric_codes else {}
        champion_email, champion_name = _person(s, idea.it_champion_id)
        view = IdeaView(
            **_summary_kwargs(idea),
            roadblock=idea.roadblock, proposal=idea.proposal, expected_benefit=idea.expected_benefit,
            campaign_title=idea.campaign.title if idea.campaign else None,
            target_metrics=metric_codes, pilot_team_codes=pilot_codes,
            target_metric_names=tuple(metric_names.get(c, c) for c in metric_codes),
            pilot_team_names=tuple(name or code for code, name in pilot_teams),
            launch_date=idea.launch_date, it_champion_email=champion_email,
            it_champion_name=(champion_name or champion_email) if champion_email else None,
            it_plan=idea.it_plan, it_effort_days=idea.it_effort_days, it_blockers=idea.it_blockers,
            last_reason=idea.last_reason,
            milestones={k: getattr(idea, k) for k in (
                "submitted_at", "review_started_at", "decided_at", "approved_at", "claimed_at", "piloted_at",
                "scaling_at", "scaled_at", "retired_at")},
            sla=lifecycle.sla_view(idea, now),
            assessment=assessment,
            available_actions=tuple(available_actions(actor, facts)),
            may_edit=permissions.allowed(actor, "edit_idea", facts),
            may_assess=permissions.allowed(actor, "assess_risk", facts) and in_review,
            may_view_impact=permissions.allowed(actor, "view_idea_impact", facts),
            review_note=review_note, waiting_on=waiting_on,
            may_plan=permissions.allowed(actor, "plan_it", facts) and lifecycle.may_plan(idea.state),
        )
        if idea.merged_into_id is not None:  # a merged duplicate has left the workflow: nothing to do on it
            view = replace(view, available_actions=(), may_edit=False, may_assess=False, may_plan=False,
                           review_note="", waiting_on=merged_waiting_on(idea.merged_into_id))
        return view


def merged_waiting_on(original_id: int) -> str:
    """What a merged duplicate waits for, in the reader's words (My ideas, the idea page)."""
    return f"nobody: it repeats idea #{original_id} and was merged into it, where its supporters and comments are"


def timeline(db: Database, *, actor_id: int, idea_id: int) -> list[TimelineEntry]:
    """The idea's history, straight from the audit trail, oldest first."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        idea = social.load_visible(s, actor, idea_id)  # the idea's own row; "not found" unless this person may see it
        rows = s.execute(
            select(AuditEntry.at, AuditEntry.actor_email, AuditEntry.action, AuditEntry.before_json,
                   AuditEntry.after_json, AuditEntry.reason, User.name)
            .outerjoin(User, User.id == AuditEntry.actor_id)
            .where(AuditEntry.entity_type == "idea", AuditEntry.entity_id == str(idea_id))
            .order_by(AuditEntry.seq)
        ).all()
        entries = [TimelineEntry(*row[:6], actor_name=row[6] or (SYSTEM.name if row[1] == SYSTEM.email else ""))
                   for row in rows]
        if permissions.allowed(actor, "view_assessment", _facts(idea)):
            return entries
        return [_without_risk(e) for e in entries if e.action not in _RISK_ONLY_ACTIONS]


#: Timeline entries whose mere presence tells the risk band ("a second approver is needed" means high risk).
_RISK_ONLY_ACTIONS = frozenset({"approve_first_of_two"})
#: Audit fields that tell an assessment's scores or band; hidden from people who may not see the assessment.
_RISK_FIELDS = frozenset({"overall", "band", "ratings", "ev_category", "assessment_id", "highest_in_round",
                          "approvers", "waiting_for"})


def _without_risk(entry: TimelineEntry) -> TimelineEntry:
    def strip(text: str) -> str:
        if not text:
            return text
        try:
            value = json.loads(text)
        except ValueError:
            return text
        if not isinstance(value, dict):
            return text
        kept = {k: v for k, v in value.items() if k not in _RISK_FIELDS}
        return json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":")) if kept else ""

    return replace(entry, before=strip(entry.before), after=strip(entry.after))


@dataclass(frozen=True)
class IdeaFilter:
    search: str = ""
    states: Sequence[str] = ()
    team_codes: Sequence[str] = ()
    touchpoints: Sequence[str] = ()
    campaign_ids: Sequence[int] = ()
    submitter_id: int | None = None
    include_merged: bool = False  # duplicates merged into another idea
    sort: str = "updated"  # or "supports": most supported first


def _filtered(stmt, actor: Actor, flt: IdeaFilter):
    # Drafts are private to their submitter.
    stmt = stmt.where(or_(Idea.state != S.DRAFT.value, Idea.submitter_id == actor.id))
    if flt.search.strip():
        like = f"%{flt.search.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Idea.title).like(like), func.lower(Idea.roadblock).like(like),
                              func.lower(Idea.proposal).like(like)))
    if flt.states:
        stmt = stmt.where(Idea.state.in_(list(flt.states)))
    if flt.team_codes:
        stmt = stmt.where(Idea.team_id.in_(select(Team.id).where(Team.code.in_(list(flt.team_codes)))))
    if flt.touchpoints:
        stmt = stmt.where(Idea.touchpoint.in_(list(flt.touchpoints)))
    if flt.campaign_ids:
        stmt = stmt.where(Idea.campaign_id.in_(list(flt.campaign_ids)))
    if flt.submitter_id is not None:
        stmt = stmt.where(Idea.submitter_id == flt.submitter_id)
    if not flt.include_merged:
        stmt = stmt.where(Idea.merged_into_id.is_(None))
    return stmt


def _whole(value: object, *, default: int, low: int, high: int) -> int:
    """A page number or size as typed (or sent) by anyone: clamped into range; nonsense means the default."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return default
    return min(max(low, number), high)


def _clean_filter(flt: IdeaFilter) -> IdeaFilter:
    """Refuse a search text that cannot be stored text; drop filter values no stored idea can have."""
    search, problem = clean_text(flt.search, "search", required=False, max_len=500, single_line=True)
    if problem:
        raise InvalidInput(problem, fields={"search": problem})

    def texts(values) -> list[str]:
        kept = [v for v in values if isinstance(v, str) and not clean_text(v, "value", max_len=200)[1]]
        return kept or (["(matches nothing)"] if values else [])  # a filter given stays a filter

    return IdeaFilter(
        search=search, states=texts(flt.states), team_codes=texts(flt.team_codes),
        touchpoints=texts(flt.touchpoints),
        campaign_ids=[c for c in flt.campaign_ids if is_id(c)] or ([-1] if flt.campaign_ids else []),
        submitter_id=flt.submitter_id if flt.submitter_id is None or is_id(flt.submitter_id) else -1,
        include_merged=bool(flt.include_merged), sort=flt.sort if flt.sort in ("updated", "supports") else "updated",
    )


def list_ideas(db: Database, *, actor_id: int, flt: IdeaFilter = IdeaFilter(), page: int = 1,
               page_size: int = 25) -> tuple[list[IdeaSummary], int]:
    """One page of the ideas this person may see (newest first), and how many there are in all."""
    page = _whole(page, default=1, low=1, high=10**9)
    page_size = _whole(page_size, default=25, low=1, high=500)
    flt = _clean_filter(flt)
    with db.read() as s:
        actor = load_actor(s, actor_id)
        # The total counts every matching idea (a scan at 100k ideas); cached on the data version (hero_core.cache).
        total = cache.cached(s, ("ideas_total", actor.id, repr(flt)), lambda: s.execute(
            _filtered(select(func.count(Idea.id)), actor, flt)).scalar() or 0)
        order = (Idea.updated_at.desc(), Idea.id.desc())
        if flt.sort == "supports":
            supports = select(func.count()).where(IdeaSupport.idea_id == Idea.id).scalar_subquery()
            order = (supports.desc(), *order)
        # Columns, not ORM objects: an Idea object also selects its metrics and pilot rows and its submitter's
        # roles, three more round trips that a list never shows.
        submitter = aliased(User)
        columns = select(*_summary_columns(submitter)).join(Team, Team.id == Idea.team_id).join(
            submitter, submitter.id == Idea.submitter_id)
        rows = s.execute(
            _filtered(columns, actor, flt).order_by(*order)
            .offset((page - 1) * page_size).limit(page_size)
        )
        return [_summary_from_row(row) for row in rows], total


def my_ideas(db: Database, *, actor_id: int) -> list[IdeaView]:
    """The person's own ideas with what each is waiting for."""
    with db.read() as s:
        ids = list(s.execute(select(Idea.id).where(Idea.submitter_id == actor_id)
                             .order_by(Idea.updated_at.desc())).scalars())
    return [get_idea(db, actor_id=actor_id, idea_id=i) for i in ids]


WAITING_ON = {
    S.DRAFT: "you: submit it when it is ready",
    S.SUBMITTED: "a manager of your team to start the review",
    S.IN_REVIEW: "a manager's decision",
    S.NEEDS_CHANGES: "you: make the changes asked for and resubmit",
    S.APPROVED: "the team to start a pilot",
    S.AWAITING_IT: "an IT champion to claim it",
    S.IN_BUILD: "IT to build it and start a pilot",
    S.PILOTING: "the pilot: measuring, then scaling",
    S.SCALING: "the roll-out to more teams",
    S.SCALED: "nobody: it is scaled",
    S.DECLINED: "nobody: it was declined",
    S.RETIRED: "nobody: it was retired",
}
#: The same, for everyone but the idea's own authors (WAITING_ON speaks to the submitter: "you", "your team").
WAITING_ON_OTHERS = {
    S.DRAFT: "{submitter}: to submit it when it is ready",
    S.SUBMITTED: "a manager of {team} to start the review",
    S.NEEDS_CHANGES: "{submitter}: to make the changes asked for and resubmit",
}


@dataclass(frozen=True)
class QueueItem:
    idea: IdeaSummary
    due: datetime | None
    sla_status: str
    waiting_days: int
    overall_risk: int | None
    needs_second_approver: bool
    first_approver_email: str | None
    first_approver_name: str | None = None  # what people read


def review_queue(db: Database, *, actor_id: int) -> list[QueueItem]:
    """Ideas waiting on this person's review, ordered by the SLA due date (most urgent first).

    A manager's queue: their teams' submitted and in-review ideas that they did not propose, plus high-risk
    ideas of any team waiting for a second approver they could be. An admin's queue: ideas waiting for a second
    approver, and the ideas of teams with no manager other than the submitter. It holds exactly the ideas on
    which the permission matrix lets the person take a review action (tests/trust/test_review_queue_agrees.py).
    """
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_review_queue")
        now = db.now()
        # Cached on the data version (hero_core.cache): a manager's reruns redo nothing until something changes.
        key = ("review_queue", actor.id, actor.roles, actor.managed_team_ids, now.replace(second=0, microsecond=0))
        return list(cache.cached(s, key, lambda: tuple(_review_queue(s, actor, now))))


def _review_queue(s: Session, actor: Actor, now: datetime) -> list[QueueItem]:
    submitter = aliased(User)
    columns = select(*_summary_columns(submitter), Idea.review_start_due, Idea.decision_due).join(
        Team, Team.id == Idea.team_id).join(submitter, submitter.id == Idea.submitter_id)
    managed = actor.managed_team_ids if actor.has(Role.MANAGER) else frozenset()
    reviewable = approvals.reviewable_by(managed, actor.has(Role.ADMIN))
    mine = [] if reviewable is None else list(s.execute(
        columns.where(reviewable, Idea.submitter_id != actor.id,
                      Idea.state.in_([S.SUBMITTED.value, S.IN_REVIEW.value]), Idea.merged_into_id.is_(None))
    ))
    mine_ids = {row.id for row in mine}
    first_by_idea = approvals.pending_second_approvals(s)
    # A high-risk idea waits for a second approver with every manager and admin but its first approver and
    # its submitter.
    others_ids = [idea_id for idea_id, first in first_by_idea.items() if idea_id not in mine_ids and first != actor.id]
    others = [] if not others_ids else list(s.execute(
        columns.where(Idea.id.in_(others_ids), Idea.submitter_id != actor.id)
    ))
    # One query each for the ideas' round risk and the first approvers' emails (not one per idea).
    highest_by_idea = _round_highest(s, [row.id for row in mine + others])
    first_ids = set(first_by_idea.values())
    people_by_id = {uid: (email, name) for uid, email, name in s.execute(
        select(User.id, User.email, User.name).where(User.id.in_(first_ids))).all()} if first_ids else {}
    emails = {uid: email for uid, (email, _) in people_by_id.items()}
    items: list[QueueItem] = []
    for row in mine + others:
        first = first_by_idea.get(row.id)
        due = row.review_start_due if row.state == S.SUBMITTED.value else row.decision_due
        items.append(QueueItem(
            idea=_summary_from_row(row), due=due, sla_status=sla.status(due, None, now),
            waiting_days=sla.business_days_between(row.submitted_at or row.created_at, now),
            overall_risk=highest_by_idea.get(row.id), needs_second_approver=first is not None,
            first_approver_email=emails.get(first) if first is not None else None,
            first_approver_name=(people_by_id[first][1] or people_by_id[first][0]) if first in people_by_id else None,
        ))
    return sorted(items, key=lambda q: (q.due is None, q.due or now, q.idea.id))


def _round_highest(s: Session, idea_ids: Sequence[int]) -> dict[int, int]:
    """Each idea's highest overall risk assessed in its current review round (what governs its approvals)."""
    if not idea_ids:
        return {}
    return dict(s.execute(
        select(RiskAssessment.idea_id, func.max(RiskAssessment.overall))
        .join(Idea, Idea.id == RiskAssessment.idea_id)
        .where(RiskAssessment.idea_id.in_(list(idea_ids)), RiskAssessment.review_round == Idea.review_round)
        .group_by(RiskAssessment.idea_id)
    ).all())


BOARD_COLUMNS = (S.AWAITING_IT, S.IN_BUILD, S.PILOTING, S.SCALING, S.SCALED)


@dataclass(frozen=True)
class BoardCard:
    idea: IdeaSummary
    since: datetime  # when it entered its column (for a scaled card: when it was scaled)
    days_in_column: int | None  # business days waiting in its column; None once scaled: nothing waits any more
    overdue: bool
    it_champion_email: str | None
    it_effort_days: float | None
    it_blockers: str
    launch_date: date | None
    it_champion_name: str | None = None  # what people read


_BOARD_SINCE = {
    S.AWAITING_IT.value: "approved_at", S.IN_BUILD.value: "claimed_at", S.PILOTING.value: "piloted_at",
    S.SCALING.value: "scaling_at", S.SCALED.value: "scaled_at",
}


@dataclass(frozen=True)
class BoardColumnCount:
    total: int
    overdue: int


def _board_scope(stmt, state: str):
    """Which ideas a board column holds (technology ideas; before 'scaled' also any idea IT claimed)."""
    stmt = stmt.where(Idea.state == state, Idea.merged_into_id.is_(None))
    if state != S.SCALED.value:
        return stmt.where(or_(Idea.involves_technology.is_(True), Idea.it_champion_id.is_not(None)))
    return stmt.where(Idea.involves_technology.is_(True))


def it_board(db: Database, *, actor_id: int, scaled_limit: int = 20,
             limit: int | None = None) -> dict[str, list[BoardCard]]:
    """Technology ideas by column, oldest first; awaiting-IT cards past their claim promise are overdue.

    `limit` caps each column at its oldest cards (the board shows a page at a time; it_board_counts gives the
    totals). Read with plain column queries and cached on the data version: a company's board holds thousands
    of cards, and loading them as ORM objects on every rerun took seconds (measured by `make bench`)."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_it_board")
        now = db.now()
        minute = now.replace(second=0, microsecond=0)
        board = cache.cached(s, ("it_board", scaled_limit, limit, minute), lambda: _board(s, now, scaled_limit, limit))
        return {state: list(cards) for state, cards in board.items()}


def _board(s: Session, now: datetime, scaled_limit: int, limit: int | None) -> dict[str, tuple[BoardCard, ...]]:
    submitter, champion = aliased(User), aliased(User)
    board: dict[str, tuple[BoardCard, ...]] = {}
    for state, since_name in _BOARD_SINCE.items():
        since_col = getattr(Idea, since_name)
        stmt = _board_scope(select(
            *_summary_columns(submitter), since_col.label("since"), Idea.it_claim_due, champion.email.label("champion"),
            champion.name.label("champion_name"), Idea.it_effort_days, Idea.it_blockers, Idea.launch_date,
        ).join(Team, Team.id == Idea.team_id).join(submitter, submitter.id == Idea.submitter_id)
            .outerjoin(champion, champion.id == Idea.it_champion_id), state)
        if state != S.SCALED.value:
            stmt = stmt.order_by(func.coalesce(since_col, Idea.updated_at).asc(), Idea.id)
            if limit is not None:
                stmt = stmt.limit(limit)
        else:
            stmt = stmt.order_by(func.coalesce(since_col, Idea.updated_at).desc()).limit(
                scaled_limit if limit is None else min(scaled_limit, limit))
        cards = []
        for row in s.execute(stmt):
            since = row.since or row.updated_at
            overdue = state == S.AWAITING_IT.value and row.it_claim_due is not None and row.it_claim_due < now
            cards.append(BoardCard(
                idea=_summary_from_row(row), since=since,
                days_in_column=None if state == S.SCALED.value else sla.business_days_between(since, now),
                overdue=overdue, it_champion_email=row.champion, it_effort_days=row.it_effort_days,
                it_blockers=row.it_blockers, launch_date=row.launch_date,
                it_champion_name=(row.champion_name or row.champion) if row.champion else None,
            ))
        board[state] = tuple(cards)
    return board


def it_board_counts(db: Database, *, actor_id: int) -> dict[str, BoardColumnCount]:
    """How many cards each board column holds, and how many of them are overdue (two grouped queries)."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_it_board")
        now = db.now()

        def count() -> dict[str, BoardColumnCount]:
            out = {}
            for state in _BOARD_SINCE:
                total = s.execute(_board_scope(select(func.count(Idea.id)), state)).scalar() or 0
                late = 0
                if state == S.AWAITING_IT.value:
                    late = s.execute(_board_scope(select(func.count(Idea.id)), state)
                                     .where(Idea.it_claim_due < now)).scalar() or 0
                out[state] = BoardColumnCount(total, late)
            return out

        return dict(cache.cached(s, ("it_board_counts", now.replace(second=0, microsecond=0)), count))


@dataclass(frozen=True)
class OverdueItem:
    idea_id: int
    title: str
    team_code: str
    promise: str
    due: datetime
    waiting_on: str


def overdue(db: Database, *, now: datetime | None = None) -> list[OverdueItem]:
    """Every broken service-level promise that is still open."""
    now = now or db.now()
    out: list[OverdueItem] = []
    with db.read() as s:
        checks = (
            ("start review", Idea.review_start_due, [S.SUBMITTED.value], "the team's managers"),
            ("decide", Idea.decision_due, [S.SUBMITTED.value, S.IN_REVIEW.value], "the team's managers"),
            ("IT claims", Idea.it_claim_due, [S.AWAITING_IT.value], "IT champions"),
        )
        for promise, col, states, who in checks:
            for idea in s.execute(
                select(Idea).where(Idea.state.in_(states), col.is_not(None), col < now,
                                   Idea.merged_into_id.is_(None)).order_by(col)
            ).unique().scalars():
                out.append(OverdueItem(idea.id, idea.title, idea.team.code, promise, getattr(idea, col.key), who))
    return sorted(out, key=lambda o: o.due)


def list_metric_codes(db: Database) -> list[tuple[str, str]]:
    with db.read() as s:
        return [(c, n) for c, n in s.execute(
            select(Metric.code, Metric.name).where(Metric.active.is_(True)).order_by(Metric.code))]


def list_campaigns(db: Database) -> list[tuple[int, str]]:
    with db.read() as s:
        return [(i, t) for i, t in s.execute(select(Campaign.id, Campaign.title).order_by(Campaign.id))]


def validate_idea_input(db: Database, *, data: IdeaInput) -> dict[str, str]:
    """Field-level problems with an idea as typed (field name -> message; empty when acceptable). Stores nothing."""
    with db.read() as s:
        try:
            _validate_input(s, data)
        except InvalidInput as exc:
            return dict(exc.fields)
    return {}
