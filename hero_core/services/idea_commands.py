"""Ideas through the compact: propose, review, assess, decide, hand to IT, pilot, scale, retire, withdraw.

Every function here is one job: it loads the actor fresh, checks the permission matrix and the transition
table, changes the idea as hero_core/lifecycle.py says the step does, writes the audit entry and the
notifications, all in one transaction."""


from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hero_core import lifecycle, permissions, risk, workflow
from hero_core.db import Database
from hero_core.errors import (
    InvalidInput,
    MissingInformation,
    NotFound,
    PermissionDenied,
)
from hero_core.models import (
    Approval,
    Base,
    Idea,
    IdeaMetric,
    IdeaPilotTeam,
    Metric,
    Observation,
    RiskAssessment,
    RiskRating,
    Team,
)
from hero_core.permissions import Actor
from hero_core.services import approvals, campaigns, notifications, social
from hero_core.services.common import SYSTEM, clean_text, is_id, load_actor, storable
from hero_core.services.idea_common import (
    AssessmentInput,
    IdeaInput,
    _audit,
    _check_version,
    _facts,
    _flush,
    _load_for_update,
    _notify_submitter,
    _snapshot,
    _step,
    _touch,
    _validate_input,
    _visible_or_404,
)
from hero_core.services.people import users_with_role
from hero_core.vocab import Role, State

S = State


@contextmanager
def _acting(db: Database, actor_id: int | None, idea_id: int, expected_version: int | None,
            action: str | None) -> Iterator[tuple[Session, Actor, Idea]]:
    """The steps every command on an existing idea takes, in one write transaction: load the person afresh, load
    and lock the idea (a merged duplicate is refused), answer "not found" to someone who may not see it, refuse a
    stale version, and — when `action` is given — check the permission matrix with the facts the action needs
    (the review facts for review actions). Yields (session, actor, idea)."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = _load_for_update(s, idea_id)
        _visible_or_404(actor, idea)
        _check_version(idea, expected_version)
        if action is not None:
            facts = approvals.review_facts(s, idea) if action in approvals.REVIEW_ACTIONS else _facts(idea)
            permissions.require(actor, action, facts)
        yield s, actor, idea

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
    with _acting(db, actor_id, idea_id, expected_version, "edit_idea") as (s, actor, idea):
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
    with _acting(db, actor_id, idea_id, expected_version, action) as (s, actor, idea):
        _do_submit(s, db, actor, idea, action)


# ---- reviewing ---------------------------------------------------------------------------------------------


def _simple_transition(
    db: Database, *, actor_id: int | None, idea_id: int, expected_version: int | None, action: str,
    reason: str = "", apply=None, notify_text: str | None = None,
) -> None:
    with _acting(db, actor_id, idea_id, expected_version, action) as (s, actor, idea):
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



def assess_risk(db: Database, *, actor_id: int, idea_id: int, assessment: AssessmentInput,
                expected_version: int | None = None) -> int:
    """A manager of the idea's team records the risk assessment and effort-value evaluation (in review)."""
    with _acting(db, actor_id, idea_id, expected_version, "assess_risk") as (s, actor, idea):
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
    with _acting(db, actor_id, idea_id, expected_version, None) as (s, actor, idea):
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
    with _acting(db, actor_id, idea_id, expected_version, "plan_it") as (s, actor, idea):
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


def discard_draft(db: Database, *, actor_id: int, idea_id: int, expected_version: int | None = None) -> None:
    """The submitter throws away a draft: nobody else has seen it (a draft is private), so it goes entirely, with
    what hangs on it (its target metrics, the submitter's own comments and follow). The audit trail keeps that
    it existed and what it was called. A sent idea is withdrawn instead: colleagues may have seen it."""
    with _acting(db, actor_id, idea_id, expected_version, "discard_draft") as (s, actor, idea):
        if idea.state != S.DRAFT.value:
            raise workflow.TransitionNotAllowed(
                f"Only a draft can be discarded; idea #{idea.id} was sent for review"
                + (" — withdraw it instead." if idea.state in {st.value for st in workflow.WITHDRAWABLE_STATES}
                   else "."))
        before = _snapshot(idea) | {"title": idea.title}
        _audit(s, db, actor, "discard_draft", idea, before, None)
        for table in reversed(Base.metadata.sorted_tables):  # children first
            for fk in table.foreign_keys:
                if fk.column.table.name != "ideas" or table.name == "ideas":
                    continue
                column = fk.parent
                if column.nullable and not column.primary_key:
                    s.execute(table.update().where(column == idea.id).values({column.name: None}))
                else:
                    s.execute(table.delete().where(column == idea.id))
        s.execute(Idea.__table__.delete().where(Idea.id == idea.id))
        s.expunge(idea)


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
    with _acting(db, actor_id, idea_id, expected_version, "withdraw") as (s, actor, idea):
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
