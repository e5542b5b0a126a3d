"""The facts a review decision rests on: who may review an idea, and where its approvals stand this round.

The rules themselves live in `hero_core/permissions.py` (who may start the review, assess, approve, give the
second approval, ask for changes, decline) and `hero_core/risk.py` (`approvals_needed`: within one review round
the highest risk assessed governs). This module only loads the facts those rules need, in Python for one idea
and in SQL for the review queue; tests/trust/test_review_queue_agrees.py proves the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from hero_core import risk
from hero_core.models import Approval, Idea, RiskAssessment, Team, TeamManager, User, UserRole
from hero_core.permissions import IdeaFacts
from hero_core.vocab import Role, State

#: The workflow actions whose permission depends on the review facts loaded here.
REVIEW_ACTIONS = frozenset({"start_review", "assess_risk", "approve", "second_approve", "request_changes", "decline"})


@dataclass(frozen=True)
class RoundState:
    """Where one idea's current review round stands."""

    assessment_id: int | None  # the round's current (latest) assessment; None before any assessment this round
    overall: int | None  # its overall score
    highest: int | None  # the highest overall assessed in the round
    approver_ids: tuple[int, ...]  # approvals of the current assessment, oldest first

    @property
    def needed(self) -> int:
        return risk.approvals_needed([] if self.highest is None else [self.highest])

    @property
    def first_approver_id(self) -> int | None:
        """The first approver while a second approval is awaited, else None."""
        if self.needed == 2 and len(self.approver_ids) == 1:
            return self.approver_ids[0]
        return None


NO_ROUND = RoundState(None, None, None, ())


def team_manager_ids(s: Session, team_id: int) -> frozenset[int]:
    """The team's active managers: people who manage the team and hold the manager role."""
    return frozenset(s.execute(
        select(TeamManager.user_id)
        .join(User, User.id == TeamManager.user_id)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == Role.MANAGER.value))
        .where(TeamManager.team_id == team_id, User.active.is_(True))
    ).scalars())


def round_state(s: Session, idea: Idea) -> RoundState:
    """The idea's review round: its assessments made this round and the approvals of the latest one."""
    rows = s.execute(
        select(RiskAssessment.id, RiskAssessment.overall)
        .where(RiskAssessment.idea_id == idea.id, RiskAssessment.review_round == idea.review_round)
        .order_by(RiskAssessment.id)
    ).all()
    if not rows:
        return NO_ROUND
    current_id, overall = rows[-1]
    approvers = tuple(s.execute(
        select(Approval.approver_id).where(Approval.assessment_id == current_id).order_by(Approval.at, Approval.id)
    ).scalars())
    return RoundState(current_id, overall, max(o for _, o in rows), approvers)


def review_facts(s: Session, idea: Idea, state: RoundState | None = None) -> IdeaFacts:
    """Everything the permission matrix needs to decide a review action on this idea."""
    if state is None:
        state = round_state(s, idea) if idea.state == State.IN_REVIEW.value else NO_ROUND
    return IdeaFacts(
        submitter_id=idea.submitter_id, team_id=idea.team_id, state=State(idea.state),
        team_manager_ids=team_manager_ids(s, idea.team_id),
        first_approver_id=state.first_approver_id if idea.state == State.IN_REVIEW.value else None,
    )


def reviewers(s: Session, idea: Idea) -> tuple[str, str, list[int]]:
    """Who reviews this idea in words for its submitter ("another manager of Billing", "an admin"), why (or ""),
    and their ids (to notify them)."""
    independent = sorted(team_manager_ids(s, idea.team_id) - {idea.submitter_id})
    team = s.execute(select(Team.name).where(Team.id == idea.team_id)).scalar()
    if independent:
        return f"another manager of {team}", "", independent
    admins = sorted(set(s.execute(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN.value, User.active.is_(True))
    ).scalars()) - {idea.submitter_id})
    return "an admin", f"{team} has no other manager", admins


# ---- the same facts in SQL, for the review queue ---------------------------------------------------------------


def current_assessment_id():
    """The idea's latest assessment of its current round (correlated to Idea)."""
    r = aliased(RiskAssessment)
    return (select(func.max(r.id)).where(r.idea_id == Idea.id, r.review_round == Idea.review_round)
            .correlate(Idea).scalar_subquery())


def round_is_high():
    """SQL: an assessment of the idea's current review round is high risk (correlated to Idea)."""
    h = aliased(RiskAssessment)
    return exists().where(h.idea_id == Idea.id, h.review_round == Idea.review_round,
                          h.overall >= risk.HIGH_RISK_THRESHOLD).correlate(Idea)


def pending_second_approvals(s: Session) -> dict[int, int]:
    """idea id -> first approver, for every idea in review whose round needs a second approval it lacks."""
    rows = s.execute(
        select(Idea.id, func.min(Approval.approver_id))
        .select_from(Idea)
        .join(Approval, Approval.assessment_id == current_assessment_id())
        .where(Idea.state == State.IN_REVIEW.value, Idea.merged_into_id.is_(None), round_is_high())
        .group_by(Idea.id)
        .having(func.count(Approval.id) == 1)
    ).all()
    return dict(rows)


def no_independent_manager():
    """SQL: the idea's team has no active manager other than its submitter (correlated to Idea)."""
    tm, u, ur = aliased(TeamManager), aliased(User), aliased(UserRole)
    return ~exists().where(
        tm.team_id == Idea.team_id, tm.user_id != Idea.submitter_id, u.id == tm.user_id, u.active.is_(True),
        ur.user_id == u.id, ur.role == Role.MANAGER.value,
    ).correlate(Idea)


def reviewable_by(actor_managed_team_ids, is_admin: bool):
    """SQL: the actor reviews the idea as a manager of its team or as the admin standing in (authors excluded
    by the caller)."""
    clauses = []
    if actor_managed_team_ids:
        clauses.append(Idea.team_id.in_(list(actor_managed_team_ids)))
    if is_admin:
        clauses.append(no_independent_manager())
    return or_(*clauses) if clauses else None
