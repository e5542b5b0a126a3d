"""Small factories for integration tests: idea input, risk assessments, and driving an idea to a state."""

from __future__ import annotations

from sqlalchemy import func, select

from hero_core import risk
from hero_core.db import Database
from hero_core.models import AuditEntry, Idea
from hero_core.services import ideas
from hero_core.vocab import State


def idea_input(*, tech: bool = False, title: str = "Shorter returns form") -> ideas.IdeaInput:
    return ideas.IdeaInput(
        title=title,
        roadblock="Customers give up on the twelve-field returns form halfway through.",
        proposal="Cut the form to four fields and prefill the rest from the order.",
        touchpoint="website",
        category="complex_form",
        involves_technology=tech,
        expected_benefit="Fewer abandoned returns and fewer calls about them.",
        target_metrics=("csat",),
    )


def assessment(*, high: bool = False) -> ideas.AssessmentInput:
    """Every category rated; overall 16 (high) when `high`, else 6 (low)."""
    ratings = [risk.Rating(code, 2, 3, "watch it") for code in risk.CATEGORIES]
    if high:
        ratings[0] = risk.Rating(ratings[0].category, 4, 4, "legal review before launch")
    ev = risk.EffortValue(
        needs_it=False,
        needs_legal=False,
        budget="none",
        people_systems_touched=1,
        customers_reached="many_teams",
        expected_change="clear",
        strategic_fit="strong",
    )
    return ideas.AssessmentInput(ratings=ratings, effort_value=ev, notes="assessed in the weekly review")


def version_of(db: Database, idea_id: int) -> int:
    with db.read() as s:
        return s.get(Idea, idea_id).version


def state_of(db: Database, idea_id: int) -> str:
    with db.read() as s:
        return s.get(Idea, idea_id).state


def audit_actions(db: Database, idea_id: int) -> list[str]:
    """The audit actions recorded for one idea, in chain order."""
    with db.read() as s:
        return list(
            s.execute(
                select(AuditEntry.action)
                .where(AuditEntry.entity_type == "idea", AuditEntry.entity_id == str(idea_id))
                .order_by(AuditEntry.seq)
            ).scalars()
        )


def audit_count(db: Database) -> int:
    with db.read() as s:
        return s.execute(select(func.count(AuditEntry.id))).scalar()


def new_idea(
    org, *, tech: bool = False, submitter: int | None = None, title: str = "Shorter returns form"
) -> int:
    """A draft by the frontline person of team CC (or `submitter`)."""
    return ideas.create_idea(
        org.db, actor_id=submitter or org.frontline, data=idea_input(tech=tech, title=title)
    )


SCALED_WITHOUT_DATA = "Scaled in a test: the pilot's data is not what this test is about."


def idea_in_state(org, state: State | str, *, tech: bool = False) -> int:
    """Drive a fresh idea through the services into `state`, acting as the people the compact expects."""
    state = State(state)
    db = org.db
    idea_id = new_idea(org, tech=tech or state in (State.AWAITING_IT, State.IN_BUILD))
    if state == State.DRAFT:
        return idea_id
    ideas.submit(db, actor_id=org.frontline, idea_id=idea_id)
    if state == State.SUBMITTED:
        return idea_id
    ideas.start_review(db, actor_id=org.manager, idea_id=idea_id)
    if state == State.IN_REVIEW:
        return idea_id
    if state == State.NEEDS_CHANGES:
        ideas.request_changes(db, actor_id=org.manager, idea_id=idea_id, reason="Name the form you mean.")
        return idea_id
    if state == State.DECLINED:
        ideas.decline(db, actor_id=org.manager, idea_id=idea_id, reason="Already being replaced.")
        return idea_id
    ideas.assess_risk(db, actor_id=org.manager, idea_id=idea_id, assessment=assessment())
    ideas.approve(db, actor_id=org.manager, idea_id=idea_id)
    if state in (State.APPROVED, State.AWAITING_IT):
        return idea_id
    if state == State.RETIRED:
        ideas.retire(db, actor_id=org.manager, idea_id=idea_id, reason="Superseded by the new portal.")
        return idea_id
    if tech or state == State.IN_BUILD:
        ideas.claim(db, actor_id=org.it, idea_id=idea_id)
    if state == State.IN_BUILD:
        return idea_id
    # Launched the day it was approved (a launch is never before its approval); scaled without pilot data,
    # which the factory overrides with a reason as a person would have to.
    ideas.start_pilot(
        db, actor_id=org.manager, idea_id=idea_id, pilot_team_codes=["CC"], launch_date=db.now().date()
    )
    if state == State.PILOTING:
        return idea_id
    ideas.start_scaling(db, actor_id=org.manager, idea_id=idea_id, override_reason=SCALED_WITHOUT_DATA)
    if state == State.SCALING:
        return idea_id
    ideas.complete_scaling(db, actor_id=org.manager, idea_id=idea_id)
    assert state == State.SCALED
    return idea_id
