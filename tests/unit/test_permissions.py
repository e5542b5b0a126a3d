"""Every cell of the permission matrix, for every role and the relationships that matter.

The expected table is tests/permission_table.py (written from the rules, not derived from permissions.py, so
that a changed rule fails a test; tests/trust/test_authorization.py attacks the same table). Here every cell is
checked for an idea of team 1 proposed by "author" and in review (not editable, visible to all), and the
state-dependent rules (seeing and editing) in every state.
"""

from __future__ import annotations

import pytest

from hero_core import permissions
from hero_core.errors import PermissionDenied
from hero_core.permissions import Actor, IdeaFacts
from hero_core.vocab import Role, State
from tests.permission_table import EXPECTED, IDEA_ACTIONS, PERSONAS, TEAM, who_may


def facts(state: State = State.IN_REVIEW) -> IdeaFacts:
    return IdeaFacts(submitter_id=PERSONAS["author"].id, team_id=TEAM, state=state)


def deactivated(actor: Actor) -> Actor:
    return Actor(
        actor.id, actor.email, actor.name, actor.roles, actor.team_id, actor.managed_team_ids, active=False
    )


CELLS = [(action, persona) for action in EXPECTED for persona in PERSONAS]


def test_expected_table_covers_exactly_the_matrix():
    assert set(EXPECTED) == set(permissions.MATRIX)
    assert permissions.IDEA_ACTIONS == IDEA_ACTIONS


def test_personas_cover_every_role():
    assert set().union(*(a.roles for a in PERSONAS.values())) == set(Role)


@pytest.mark.parametrize(("action", "persona"), CELLS, ids=[f"{a}-by-{p}" for a, p in CELLS])
def test_matrix_cell_allows_or_refuses_as_expected(action, persona):
    actor = PERSONAS[persona]
    idea = facts() if action in IDEA_ACTIONS else None
    should = persona in who_may(action, State.IN_REVIEW)
    assert permissions.allowed(actor, action, idea) is should
    if should:
        permissions.require(actor, action, idea)
    else:
        with pytest.raises(PermissionDenied) as denied:
            permissions.require(actor, action, idea)
        who = permissions.MATRIX[action][1]
        assert str(denied.value) == f"Only {who} may {action.replace('_', ' ')}; {actor.email} may not."


@pytest.mark.parametrize(("action", "persona"), CELLS, ids=[f"{a}-by-deactivated-{p}" for a, p in CELLS])
def test_deactivated_person_is_refused_everything(action, persona):
    actor = deactivated(PERSONAS[persona])
    idea = facts() if action in IDEA_ACTIONS else None
    assert permissions.allowed(actor, action, idea) is False
    with pytest.raises(PermissionDenied, match="is deactivated and can no longer act"):
        permissions.require(actor, action, idea)


STATE_CELLS = [(state, persona) for state in State for persona in PERSONAS]


@pytest.mark.parametrize(("state", "persona"), STATE_CELLS, ids=[f"{s.value}-{p}" for s, p in STATE_CELLS])
def test_drafts_are_seen_only_by_their_submitter_and_edited_only_while_editable(state, persona):
    actor = PERSONAS[persona]
    viewers = who_may("view_idea", state)
    assert permissions.allowed(actor, "view_idea", facts(state)) is (persona in viewers)
    assert permissions.allowed(actor, "edit_idea", facts(state)) is (persona in who_may("edit_idea", state))
    for talk in ("comment", "support", "follow"):  # who may talk about an idea = who may see it
        assert permissions.allowed(actor, talk, facts(state)) is (persona in viewers)


def test_manager_of_the_ideas_team_may_decide_but_another_teams_manager_may_not():
    for action in ("start_review", "assess_risk", "approve", "decline", "request_changes", "retire"):
        assert permissions.allowed(PERSONAS["team_manager"], action, facts())
        assert not permissions.allowed(PERSONAS["other_manager"], action, facts())


def test_managing_a_team_without_the_manager_role_grants_nothing():
    # A stale team_managers row must not outlive the removal of the manager role.
    ex_manager = Actor(22, "ex@example.com", "Ex", frozenset({Role.FRONTLINE}), TEAM, frozenset({TEAM}))
    assert not permissions.allowed(ex_manager, "approve", facts())
    assert not permissions.allowed(ex_manager, "start_review", facts())


def test_idea_actions_need_the_idea_they_apply_to():
    with pytest.raises(ValueError, match="needs the idea"):
        permissions.allowed(PERSONAS["team_manager"], "approve")


def test_unknown_action_is_an_error_not_a_silent_refusal():
    with pytest.raises(KeyError, match="unknown permission action"):
        permissions.allowed(PERSONAS["admin"], "launch_rocket")
