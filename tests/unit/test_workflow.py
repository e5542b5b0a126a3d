"""Every cell of the transition table: each action from each state is either allowed (to the expected target)
or refused with TransitionNotAllowed naming what is allowed instead.

The expected table is written out here, not read from workflow.py, so that changing a rule fails a test.
"""

from __future__ import annotations

import pytest

from hero_core import workflow
from hero_core.errors import TransitionNotAllowed
from hero_core.vocab import STATE_LABELS, State

S = State
LIVE = {
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

#: action -> (source states, target, reason required, automatic); in the table's order.
EXPECTED: dict[str, tuple[set[State], State, bool, bool]] = {
    "submit": ({S.DRAFT}, S.SUBMITTED, False, False),
    "start_review": ({S.SUBMITTED}, S.IN_REVIEW, False, False),
    "request_changes": ({S.IN_REVIEW}, S.NEEDS_CHANGES, True, False),
    "approve": ({S.IN_REVIEW}, S.APPROVED, False, False),
    "decline": ({S.IN_REVIEW}, S.DECLINED, True, False),
    "resubmit": ({S.NEEDS_CHANGES}, S.SUBMITTED, False, False),
    "route_to_it": ({S.APPROVED}, S.AWAITING_IT, False, True),
    "claim": ({S.AWAITING_IT}, S.IN_BUILD, False, False),
    "start_pilot": ({S.APPROVED, S.IN_BUILD}, S.PILOTING, False, False),
    "start_scaling": ({S.PILOTING}, S.SCALING, False, False),
    "complete_scaling": ({S.SCALING}, S.SCALED, False, False),
    "retire": (LIVE, S.RETIRED, True, False),
    # The submitter takes back an idea not yet decided: sent, in review or sent back for changes (issue 21).
    "withdraw": ({S.SUBMITTED, S.IN_REVIEW, S.NEEDS_CHANGES}, S.RETIRED, False, False),
}

CELLS = [(action, state) for action in EXPECTED for state in State]


def expected_allowed_from(state: State, *, include_automatic: bool = False) -> list[str]:
    return [
        a
        for a, (sources, _, _, auto) in EXPECTED.items()
        if state in sources and (include_automatic or not auto)
    ]


def test_table_has_exactly_the_expected_actions_in_order():
    assert [t.action for t in workflow.TRANSITIONS] == list(EXPECTED)


@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_transition_row_matches_the_expected_row(action):
    t = workflow.transition_for(action)
    sources, target, reason_required, automatic = EXPECTED[action]
    assert (set(t.sources), t.target, t.reason_required, t.automatic) == (
        sources,
        target,
        reason_required,
        automatic,
    )


@pytest.mark.parametrize(("action", "state"), CELLS, ids=[f"{a}-from-{s.value}" for a, s in CELLS])
def test_action_from_state_is_allowed_or_refused_naming_what_is_allowed_instead(action, state):
    sources, target, _, _ = EXPECTED[action]
    if state in sources:
        assert workflow.check(action, state).target == target
        assert workflow.check(action, state.value).target == target  # stored strings work too
        return
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.check(action, state)
    message = str(refused.value)
    assert message.startswith(
        f"Cannot {workflow.ACTION_LABELS[action].lower()} an idea that is {STATE_LABELS[state].lower()}; "
    )
    instead = expected_allowed_from(state)
    if instead:
        listed = message.split("from there you may: ", 1)[1].rstrip(".")
        assert listed.split(", ") == [workflow.ACTION_LABELS[a].lower() for a in instead]
    else:
        assert message.endswith("nothing more can happen to it.")


@pytest.mark.parametrize("state", list(State), ids=[s.value for s in State])
def test_allowed_from_lists_the_manual_actions_of_a_state_in_table_order(state):
    assert workflow.allowed_from(state) == expected_allowed_from(state)
    assert workflow.allowed_from(state, include_automatic=True) == expected_allowed_from(
        state, include_automatic=True
    )


def test_only_declined_and_retired_are_dead_ends():
    dead = {s for s in State if not expected_allowed_from(s, include_automatic=True)}
    assert dead == {S.DECLINED, S.RETIRED}
    assert dead == workflow.CLOSED_STATES


def test_handing_over_to_it_is_automatic_and_not_offered_as_a_button():
    assert "route_to_it" not in workflow.allowed_from(S.APPROVED)
    assert "route_to_it" in workflow.allowed_from(S.APPROVED, include_automatic=True)


def test_unknown_action_is_refused_by_name():
    with pytest.raises(TransitionNotAllowed, match="no workflow action called 'launch_rocket'"):
        workflow.check("launch_rocket", S.DRAFT)


def test_unknown_state_is_not_silently_accepted():
    with pytest.raises(ValueError, match="'limbo' is not a valid State"):
        workflow.check("submit", "limbo")


def test_every_action_has_a_label_for_messages_and_buttons():
    assert set(workflow.ACTION_LABELS) == set(EXPECTED)
