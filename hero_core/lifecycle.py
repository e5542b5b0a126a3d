"""An idea's life as plain values: what each workflow step writes, which promises it starts and stops, and the
questions every read model asks of an idea — is it decided, launched, with IT, is a promise kept or broken.

This is the one home of those rules. The services apply `effects(...)` to the row they change; the seed and the
importer apply the same effects to the rows they bulk-insert; the idea page's service-level view, the review
queue, the IT board and the scorecard all read the answers from here. Where a read model must ask the same
question in SQL (the scorecard's aggregates, the queues), the SQL twin lives in
`hero_core/services/lifecycle_sql.py` and a contract test (tests/trust/test_lifecycle_agrees.py) compares the two
on randomised lifecycles, on SQLite and PostgreSQL.

Nothing here touches the database: the functions take any object with the idea's attributes (an ORM row, a SQL
row, or an `IdeaClock`), so they run the same on every path.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Protocol

from hero_core import sla
from hero_core.vocab import State

S = State

#: Launched: a pilot has started, so the impact estimator measures the idea from its launch date.
LAUNCHED_STATES = frozenset({S.PILOTING, S.SCALING, S.SCALED})
#: With IT: the states in which an IT champion records and updates the plan, effort and blockers.
PLANNABLE_STATES = frozenset({S.AWAITING_IT, S.IN_BUILD, S.PILOTING, S.SCALING})
#: Waiting on the team's managers: submitted (for the review to start) or in review (for the decision).
REVIEWING_STATES = frozenset({S.SUBMITTED, S.IN_REVIEW})
#: Closed: nothing more happens to the idea.
CLOSED_STATES = frozenset({S.DECLINED, S.RETIRED})

#: The milestones an idea's row carries, in the order they happen.
MILESTONES = ("submitted_at", "review_started_at", "decided_at", "approved_at", "claimed_at", "piloted_at",
              "scaling_at", "scaled_at", "retired_at")
#: The service-level clocks: (promise as people read it, due column, milestone that keeps it).
PROMISES = (
    ("start review", "review_start_due", "review_started_at"),
    ("decide", "decision_due", "decided_at"),
    ("IT claims", "it_claim_due", "claimed_at"),
)


class IdeaLike(Protocol):
    state: str
    submitted_at: datetime | None
    review_started_at: datetime | None
    decided_at: datetime | None
    approved_at: datetime | None
    claimed_at: datetime | None
    retired_at: datetime | None
    review_start_due: datetime | None
    decision_due: datetime | None
    it_claim_due: datetime | None


@dataclass(frozen=True)
class Clocks:
    """How many business days each promise gives (hero_core/config.py Settings holds the company's figures)."""

    review_start_days: int
    decision_days: int
    it_claim_days: int

    @classmethod
    def of(cls, settings: Any) -> Clocks:
        return cls(settings.review_start_days, settings.decision_days, settings.it_claim_days)


@dataclass(frozen=True)
class IdeaClock:
    """An idea's state, milestones and clocks as a plain value (what the seed and the tests build)."""

    state: str = S.DRAFT.value
    review_round: int = 0
    submitted_at: datetime | None = None
    review_started_at: datetime | None = None
    decided_at: datetime | None = None
    approved_at: datetime | None = None
    claimed_at: datetime | None = None
    piloted_at: datetime | None = None
    scaling_at: datetime | None = None
    scaled_at: datetime | None = None
    retired_at: datetime | None = None
    review_start_due: datetime | None = None
    decision_due: datetime | None = None
    it_claim_due: datetime | None = None
    launch_date: date | None = None
    involves_technology: bool = False

    def apply(self, changes: dict[str, Any]) -> IdeaClock:
        """A copy with `changes` made (names that are not the clock's are ignored). Copied field by field, not
        through __init__: `hero seed` folds about 700,000 steps, and __init__ per step was most of that time."""
        new = object.__new__(IdeaClock)
        new.__dict__.update(self.__dict__)
        new.__dict__.update({k: v for k, v in changes.items() if k in _CLOCK_FIELDS})
        return new


_CLOCK_FIELDS = frozenset(f.name for f in fields(IdeaClock))


# ---- what each step writes -----------------------------------------------------------------------------------


def effects(action: str, idea: IdeaLike, now: datetime, clocks: Clocks | None = None) -> dict[str, Any]:
    """The columns `action` sets on `idea` at `now`, besides the state the transition table moves it to
    (hero_core/workflow.py) and what the action itself carries (a reason, pilot teams, the IT champion).

    A submission (first or again) starts a new review round and both review clocks; a decision (approve,
    decline, ask for changes) is the decision milestone; approval of a technology idea hands it to IT and starts
    the claim clock; closing an idea (retire, withdraw) stops the promises still open and not yet broken —
    nobody can keep them any more, and nobody broke them."""
    if action in ("submit", "resubmit"):
        assert clocks is not None, "a submission starts the review clocks"
        return {"state": S.SUBMITTED.value, "review_round": (getattr(idea, "review_round", 0) or 0) + 1,
                "submitted_at": now, "review_started_at": None,
                "review_start_due": sla.add_business_days(now, clocks.review_start_days),
                "decision_due": sla.add_business_days(now, clocks.decision_days)}
    if action == "start_review":
        return {"review_started_at": now}
    if action in ("request_changes", "decline"):
        return {"decided_at": now}
    if action == "approve":
        # The approval that completes the decision (the second, for high risk) is the decision.
        return {"decided_at": now, "approved_at": now}
    if action == "route_to_it":
        assert clocks is not None, "handing over to IT starts the claim clock"
        return {"it_claim_due": sla.add_business_days(now, clocks.it_claim_days)}
    if action == "claim":
        return {"claimed_at": now}
    if action == "start_pilot":
        return {"piloted_at": now}
    if action == "start_scaling":
        return {"scaling_at": now}
    if action == "complete_scaling":
        return {"scaled_at": now}
    if action in ("retire", "withdraw"):
        return {"retired_at": now} | stopped_clocks(idea, now)
    return {}


def stopped_clocks(idea: IdeaLike, now: datetime) -> dict[str, None]:
    """The due dates to clear when an idea closes at `now`: each promise still open and not yet past due. One
    already broken stays (the scorecard counts it)."""
    out: dict[str, None] = {}
    for _, due_name, _ in PROMISES:
        due = getattr(idea, due_name)
        if due is not None and due > now and promise_done(idea, due_name) is None:
            out[due_name] = None
    return out


# ---- questions read models ask ------------------------------------------------------------------------------


def decision_done(idea: IdeaLike) -> datetime | None:
    """When the current review round was decided, or None while it waits. A decision made before the idea was
    last submitted belongs to an earlier round (changes were asked for, then it came back): it does not count."""
    decided, submitted = idea.decided_at, idea.submitted_at
    if decided is None or (submitted is not None and decided < submitted):
        return None
    return decided


def promise_done(idea: IdeaLike, due_name: str) -> datetime | None:
    """The milestone that keeps the promise whose due date is in `due_name` (None: not kept yet)."""
    if due_name == "decision_due":
        return decision_done(idea)
    if due_name == "review_start_due":
        return idea.review_started_at
    if due_name == "it_claim_due":
        return idea.claimed_at
    raise KeyError(due_name)


def promise_status(idea: IdeaLike, due_name: str, now: datetime) -> str:
    """'met', 'missed', 'overdue', 'due soon', 'on time' or 'n/a' (no promise, or one stopped by the idea's
    closing before it fell due) — what the idea page shows.

    Once an idea is retired or withdrawn nobody can keep its open promises any more: one already past due when
    it closed reads as missed (not "overdue": nobody is expected to act), one not yet due stopped with it."""
    due, done = getattr(idea, due_name), promise_done(idea, due_name)
    if due is None:
        return "n/a"
    closed_at = getattr(idea, "retired_at", None)
    if done is None and closed_at is not None:
        return "missed" if due < closed_at else "n/a"
    return sla.status(due, done, now)


def promise_outcome(idea: IdeaLike, due_name: str, now: datetime) -> str | None:
    """'kept', 'broken', or None (no promise, or still within it) — what the scorecard counts."""
    return {"met": "kept", "missed": "broken", "overdue": "broken"}.get(promise_status(idea, due_name, now))


def sla_view(idea: IdeaLike, now: datetime) -> dict[str, tuple[datetime | None, str]]:
    """Each promise made for the idea: label -> (due, status), as the idea page shows them."""
    out = {}
    for label, due_name, _ in PROMISES:
        status = promise_status(idea, due_name, now)
        if status != "n/a":
            out[label] = (getattr(idea, due_name), status)
    return out


def days_to_decide(idea: IdeaLike) -> float | None:
    """Calendar days from the (last) submission to its decision, or None while it waits."""
    done = decision_done(idea)
    if done is None or idea.submitted_at is None:
        return None
    return (done - idea.submitted_at).total_seconds() / 86400


def is_launched(state: State | str, launch_date: date | None) -> bool:
    """A launched idea with a launch date: the impact estimator measures it from that day."""
    return State(state) in LAUNCHED_STATES and launch_date is not None


def may_plan(state: State | str) -> bool:
    return State(state) in PLANNABLE_STATES


def latest(assessments: list[Any]) -> Any | None:
    """The latest of an idea's risk assessments: the one made last, which is the highest id (ids follow the order
    they were recorded; two made in the same instant are still ordered)."""
    return max(assessments, key=lambda a: a.id, default=None)


def a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def launch_date_problem(idea: Any, launch: date, today: date) -> tuple[str, str] | None:
    """Why `launch` cannot be the idea's launch date, as (message, short field note), or None when it can.

    The launch date is what the impact estimate measures from: not before the idea was approved (submitted, when
    it has no approval), and not more than a year ahead, where a typing slip would put it."""
    approved, submitted = getattr(idea, "approved_at", None), getattr(idea, "submitted_at", None)
    start, what = (approved, "approved") if approved else (submitted, "submitted")
    if start is not None and launch < start.date():
        who = "the idea" if getattr(idea, "id", None) is None else f"idea #{idea.id}"  # none yet: an import's row
        return (f"The launch date {launch.isoformat()} is before {who} was {what} on "
                f"{start.date().isoformat()}: a pilot launches on or after that day.", "before the approval")
    latest_day = a_year_after(today)
    if launch > latest_day:
        return (f"The launch date {launch.isoformat()} is more than a year ahead: choose a day up to "
                f"{latest_day.isoformat()}.", "more than a year ahead")
    return None


__all__ = [
    "CLOSED_STATES", "LAUNCHED_STATES", "MILESTONES", "PLANNABLE_STATES", "PROMISES", "REVIEWING_STATES", "Clocks",
    "IdeaClock", "a_year_after", "days_to_decide", "decision_done", "effects", "is_launched", "latest",
    "launch_date_problem", "may_plan", "promise_done", "promise_outcome", "promise_status", "sla_view",
    "stopped_clocks",
]
