"""The SQL twins of hero_core/lifecycle.py's questions, for read models that aggregate in the database.

Each expression here answers, for a row of `ideas`, what the Python function of the same name answers for an idea
value; tests/trust/test_lifecycle_agrees.py compares them (and the scorecard built on them) on randomised
lifecycles, on SQLite and PostgreSQL. Change a rule in lifecycle.py, and its twin here, together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, and_, case, cast, func, literal, null, or_
from sqlalchemy.sql.elements import ColumnElement

from hero_core import lifecycle
from hero_core.models import Idea

#: lifecycle.decision_done: the decision of the current review round (a decision before the last submission
#: belongs to an earlier round).
DECISION_DONE: ColumnElement = case(
    (and_(Idea.decided_at.is_not(None),
          or_(Idea.submitted_at.is_(None), Idea.decided_at >= Idea.submitted_at)), Idea.decided_at),
    else_=null(),
)

_DONE = {
    "decision_due": DECISION_DONE,
    "review_start_due": Idea.review_started_at,
    "it_claim_due": Idea.claimed_at,
}


def promise_kept(due_name: str) -> ColumnElement[bool]:
    """lifecycle.promise_outcome(...) == 'kept'."""
    due, done = getattr(Idea, due_name), _DONE[due_name]
    return and_(due.is_not(None), done.is_not(None), done <= due)


def promise_broken(due_name: str, now: datetime) -> ColumnElement[bool]:
    """lifecycle.promise_outcome(...) == 'broken': kept late, or not kept by its due date — which has passed
    now, or had passed when the idea was retired or withdrawn (a promise not yet due then stopped with it)."""
    due, done = getattr(Idea, due_name), _DONE[due_name]
    until = func.coalesce(Idea.retired_at, literal(now, Idea.retired_at.type))
    return and_(due.is_not(None), or_(done > due, and_(done.is_(None), due < until)))


def launched() -> ColumnElement[bool]:
    """lifecycle.is_launched(state, launch_date)."""
    return and_(Idea.state.in_(sorted(s.value for s in lifecycle.LAUNCHED_STATES)), Idea.launch_date.is_not(None))


def utc(dialect: str, column) -> ColumnElement:
    """A timestamp column as UTC (PostgreSQL renders a timestamptz in the session's zone)."""
    return column if dialect == "sqlite" else func.timezone("UTC", column)


def quarter_expr(dialect: str, column) -> ColumnElement[str]:
    """SQL for 'YYYYQn' of a UTC timestamp or a date column (the scorecard's quarters)."""
    if dialect == "sqlite":
        month = cast(func.strftime("%m", column), Integer)
        return func.printf("%sQ%d", func.strftime("%Y", column), (month + 2) / 3)
    return func.to_char(column, 'YYYY"Q"Q')


def in_states(states) -> ColumnElement[bool]:
    return Idea.state.in_(sorted(s.value for s in states))


__all__ = ["DECISION_DONE", "in_states", "launched", "promise_broken", "promise_kept", "quarter_expr", "utc"]
