"""The idea workflow: one transition table, read top to bottom.

Each row says which action moves an idea from which states to which state, who may do it (the permission
action checked in `permissions.py`) and what the action needs. Anything not in this table is refused with
`TransitionNotAllowed`, whose message lists what is allowed from the idea's current state instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from hero_core.errors import TransitionNotAllowed
from hero_core.lifecycle import CLOSED_STATES, LAUNCHED_STATES  # noqa: F401  (their home; named here too)
from hero_core.vocab import STATE_LABELS, State

S = State

#: States from which an idea may still be retired (everything that is neither a draft nor already closed).
LIVE_STATES = frozenset(
    {
        S.SUBMITTED,
        S.IN_REVIEW,
        S.NEEDS_CHANGES,
        S.APPROVED,
        S.AWAITING_IT,
        S.IN_BUILD,
        S.PILOTING,
        S.SCALING,
        S.SCALED,
    }
)

#: States from which the submitter may withdraw their idea: sent for review, and not decided yet.
WITHDRAWABLE_STATES = frozenset({S.SUBMITTED, S.IN_REVIEW, S.NEEDS_CHANGES})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[State]
    target: State
    who: str  # human summary; the rule itself lives in permissions.py under the same action name
    reason_required: bool = False
    automatic: bool = False


def _t(action, sources, target, who, **kw) -> Transition:
    return Transition(action, frozenset(sources), target, who, **kw)


TRANSITIONS: tuple[Transition, ...] = (
    _t("submit", {S.DRAFT}, S.SUBMITTED, "the submitter"),
    _t("start_review", {S.SUBMITTED}, S.IN_REVIEW, "a manager of the idea's team"),
    _t("request_changes", {S.IN_REVIEW}, S.NEEDS_CHANGES, "a manager of the idea's team", reason_required=True),
    # Needs a risk assessment (services/idea_commands.py approve checks it).
    _t(
        "approve",
        {S.IN_REVIEW},
        S.APPROVED,
        "a manager of the idea's team; high risk also needs a second, different manager or an admin",
    ),
    _t("decline", {S.IN_REVIEW}, S.DECLINED, "a manager of the idea's team", reason_required=True),
    _t("resubmit", {S.NEEDS_CHANGES}, S.SUBMITTED, "the submitter"),
    _t("route_to_it", {S.APPROVED}, S.AWAITING_IT, "automatic when the idea involves technology", automatic=True),
    _t("claim", {S.AWAITING_IT}, S.IN_BUILD, "an IT champion"),
    # Needs pilot teams and a launch date (services/idea_commands.py start_pilot checks them).
    _t(
        "start_pilot",
        {S.APPROVED, S.IN_BUILD},
        S.PILOTING,
        "an IT champion or a manager of the idea's team",
    ),
    _t("start_scaling", {S.PILOTING}, S.SCALING, "an IT champion or a manager of the idea's team"),
    _t("complete_scaling", {S.SCALING}, S.SCALED, "an IT champion or a manager of the idea's team"),
    _t("retire", LIVE_STATES, S.RETIRED, "a manager of the idea's team or an admin", reason_required=True),
    # The submitter takes back an idea nobody has decided yet. Not a draft: it is private and no one waits on
    # it (saving it is enough). Not once approved or declined: the team owns the decision, and retiring it is a
    # manager's call. It closes as retired, with "withdrawn by its submitter" as the reason, so every count,
    # funnel and export already reads it as closed (hero_core/services/ideas.py withdraw).
    _t("withdraw", WITHDRAWABLE_STATES, S.RETIRED, "the submitter"),
)

_BY_ACTION = {t.action: t for t in TRANSITIONS}
ACTIONS = tuple(_BY_ACTION)

ACTION_LABELS = {
    "submit": "Submit",
    "start_review": "Start review",
    "request_changes": "Ask for changes",
    "approve": "Approve",
    "decline": "Decline",
    "resubmit": "Resubmit",
    "route_to_it": "Hand over to IT",
    "claim": "Claim for IT",
    "start_pilot": "Start pilot",
    "start_scaling": "Start scaling",
    "complete_scaling": "Mark as scaled",
    "retire": "Retire",
    "withdraw": "Withdraw",
}


def transition_for(action: str) -> Transition:
    try:
        return _BY_ACTION[action]
    except KeyError:
        raise TransitionNotAllowed(f"There is no workflow action called {action!r}.") from None


def allowed_from(state: State | str, *, include_automatic: bool = False) -> list[str]:
    """Actions the table allows from `state`, in table order."""
    state = State(state)
    return [
        t.action
        for t in TRANSITIONS
        if state in t.sources and (include_automatic or not t.automatic)
    ]


def check(action: str, state: State | str) -> Transition:
    """Return the transition for `action` from `state`, or raise TransitionNotAllowed saying what is allowed."""
    transition = transition_for(action)
    state = State(state)
    if state not in transition.sources:
        allowed = allowed_from(state)
        label = STATE_LABELS[state].lower()
        instead = (
            "from there you may: " + ", ".join(ACTION_LABELS[a].lower() for a in allowed)
            if allowed
            else "nothing more can happen to it"
        )
        raise TransitionNotAllowed(
            f"Cannot {ACTION_LABELS[action].lower()} an idea that is {label}; {instead}."
        )
    return transition
