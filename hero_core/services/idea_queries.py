"""Reading ideas: one idea as its reader may see it, its timeline, lists, the review queue, the IT board and
the overdue promises. Nothing here changes anything."""


from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, lazyload

from hero_core import cache, lifecycle, permissions, risk, sla, workflow
from hero_core.db import Database
from hero_core.errors import (
    InvalidInput,
    NotFound,
)
from hero_core.models import (
    Approval,
    AuditEntry,
    Campaign,
    Idea,
    IdeaPilotTeam,
    IdeaSupport,
    Metric,
    RiskAssessment,
    Team,
    User,
)
from hero_core.permissions import Actor, IdeaFacts
from hero_core.services import approvals, social, visibility
from hero_core.services.common import SYSTEM, clean_text, is_id, load_actor
from hero_core.services.idea_common import (
    AssessmentView,
    IdeaInput,
    IdeaSummary,
    IdeaView,
    TimelineEntry,
    _facts,
    _latest_assessment,
    _validate_input,
    _visible_or_404,
)
from hero_core.vocab import Role, State

S = State

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
    return [action for action in workflow.allowed_from(idea_facts.state)
            if permissions.allowed(actor, action, idea_facts)
            or (action == "approve" and permissions.allowed(actor, "second_approve", idea_facts))]


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


def filtered_ideas(stmt, actor: Actor, flt: IdeaFilter):
    stmt = stmt.where(visibility.visible_sql(actor.id))  # drafts are private to their submitter
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


def clean_filter(flt: IdeaFilter) -> IdeaFilter:
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
    flt = clean_filter(flt)
    with db.read() as s:
        actor = load_actor(s, actor_id)
        # The total counts every matching idea (a scan at 100k ideas); cached on the data version (hero_core.cache).
        total = cache.cached(s, ("ideas_total", actor.id, repr(flt)), lambda: s.execute(
            filtered_ideas(select(func.count(Idea.id)), actor, flt)).scalar() or 0)
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
            filtered_ideas(columns, actor, flt).order_by(*order)
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
    of cards, and loading them as ORM objects on every rerun was slow (measured: docs/measurements.md)."""
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
            out.extend(
                OverdueItem(idea.id, idea.title, idea.team.code, promise, getattr(idea, col.key), who)
                for idea in s.execute(select(Idea).where(Idea.state.in_(states), col.is_not(None), col < now,
                                                         Idea.merged_into_id.is_(None)).order_by(col)
                                      ).unique().scalars())
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
