"""Every cell of the permission matrix, for every role and the relationships that matter.

The expected table is written out here, not derived from permissions.py, so that a changed rule fails a test.
Personas: the idea belongs to team 1 and was submitted by SUB.
"""

from __future__ import annotations

import pytest

from hero_core import permissions
from hero_core.errors import PermissionDenied
from hero_core.permissions import Actor, IdeaFacts
from hero_core.vocab import Role, State

IDEA_TEAM, OTHER_TEAM = 1, 2

PERSONAS: dict[str, Actor] = {
    "submitter": Actor(10, "sub@example.com", "Sub", frozenset({Role.FRONTLINE}), IDEA_TEAM),
    "other_frontline": Actor(11, "fl@example.com", "Fl", frozenset({Role.FRONTLINE}), IDEA_TEAM),
    "team_manager": Actor(
        20, "mgr@example.com", "Mgr", frozenset({Role.MANAGER}), IDEA_TEAM, frozenset({IDEA_TEAM})
    ),
    "other_manager": Actor(
        21, "omgr@example.com", "Omgr", frozenset({Role.MANAGER}), OTHER_TEAM, frozenset({OTHER_TEAM})
    ),
    "it_champion": Actor(30, "it@example.com", "It", frozenset({Role.IT_CHAMPION}), IDEA_TEAM),
    "executive": Actor(40, "exe@example.com", "Exe", frozenset({Role.EXECUTIVE}), IDEA_TEAM),
    "admin": Actor(50, "adm@example.com", "Adm", frozenset({Role.ADMIN}), IDEA_TEAM),
    "ecoach": Actor(60, "coach@example.com", "Coach", frozenset({Role.ECOACH}), IDEA_TEAM),
}
ALL = set(PERSONAS)
MANAGERS = {"team_manager", "other_manager"}

#: action -> personas allowed, for an idea of team 1 that is in review (not editable, visible to all).
EXPECTED: dict[str, set[str]] = {
    "create_idea": ALL,
    "edit_idea": set(),  # only while a draft or needing changes: see the state table below
    "view_idea": ALL,
    "view_assessment": ALL - {"other_frontline", "ecoach"},
    "submit": {"submitter"},
    "resubmit": {"submitter"},
    "start_review": {"team_manager"},
    "assess_risk": {"team_manager"},
    "request_changes": {"team_manager"},
    "approve": {"team_manager"},
    "second_approve": set(),  # only while a first approval of a high-risk idea waits: tests/trust/test_separation_of_duties.py
    "decline": {"team_manager"},
    "route_to_it": ALL,
    "claim": {"it_champion"},
    "plan_it": {"it_champion"},
    "start_pilot": {"it_champion", "team_manager"},
    "start_scaling": {"it_champion", "team_manager"},
    "complete_scaling": {"it_champion", "team_manager"},
    "retire": {"team_manager", "admin"},
    "withdraw": {"submitter"},  # only the person who proposed it (issue 21)
    "view_review_queue": MANAGERS | {"admin"},
    "view_it_board": {"it_champion"},
    "view_impact": MANAGERS | {"executive", "admin"},
    "view_idea_impact": {"submitter"} | MANAGERS | {"executive", "admin"},
    "export_ideas": MANAGERS | {"executive", "admin"},
    "view_audit": {"executive", "admin"},
    "view_heroes": ALL,
    "answer_pulse": ALL,
    "view_pulse": MANAGERS | {"executive", "admin"},
    "view_scorecard": MANAGERS | {"executive"},
    "manage_users": {"admin"},
    "manage_teams": {"admin"},
    "manage_metrics": {"admin"},
    "import_ideas": {"admin"},
    "import_metrics": {"admin"},
    "manage_campaigns": MANAGERS | {"executive", "admin"},
    "comment": ALL,
    "support": ALL,
    "follow": ALL,
    "merge_duplicate": {"team_manager"},
    "undo_merge": {"admin"},
    # Help with roadblocks (issue 22): open to every colleague; only the asker marks a request solved (needs the
    # request's facts: tests/integration/test_help.py).
    "ask_help": ALL,
    "view_help": ALL,
    "answer_help": ALL,
    "mark_help_solved": set(),
    "view_help_queue": MANAGERS | {"ecoach", "admin"},
    "mark_answer_outdated": {"ecoach", "admin"},
    "manage_help_catalog": {"admin"},
    "view_roadblocks": MANAGERS | {"ecoach", "admin"},
    "promote_roadblock": MANAGERS | {"ecoach"},
    "import_help": {"admin"},
}

IDEA_ACTIONS = {
    "view_idea_impact",
    "edit_idea",
    "view_idea",
    "view_assessment",
    "submit",
    "resubmit",
    "start_review",
    "assess_risk",
    "request_changes",
    "approve",
    "second_approve",
    "decline",
    "route_to_it",
    "claim",
    "plan_it",
    "start_pilot",
    "start_scaling",
    "complete_scaling",
    "retire",
    "withdraw",
    "comment",
    "support",
    "follow",
    "merge_duplicate",
}

#: state -> personas who may see the idea / edit it.
VIEW_BY_STATE = {s: (ALL if s != State.DRAFT else {"submitter"}) for s in State}
EDIT_BY_STATE = {s: ({"submitter"} if s in (State.DRAFT, State.NEEDS_CHANGES) else set()) for s in State}


def facts(state: State = State.IN_REVIEW) -> IdeaFacts:
    return IdeaFacts(submitter_id=PERSONAS["submitter"].id, team_id=IDEA_TEAM, state=state)


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
    should = persona in EXPECTED[action]
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
    assert permissions.allowed(actor, "view_idea", facts(state)) is (persona in VIEW_BY_STATE[state])
    assert permissions.allowed(actor, "edit_idea", facts(state)) is (persona in EDIT_BY_STATE[state])
    for talk in ("comment", "support", "follow"):  # who may talk about an idea = who may see it
        assert permissions.allowed(actor, talk, facts(state)) is (persona in VIEW_BY_STATE[state])


def test_manager_of_the_ideas_team_may_decide_but_another_teams_manager_may_not():
    for action in ("start_review", "assess_risk", "approve", "decline", "request_changes", "retire"):
        assert permissions.allowed(PERSONAS["team_manager"], action, facts())
        assert not permissions.allowed(PERSONAS["other_manager"], action, facts())


def test_managing_a_team_without_the_manager_role_grants_nothing():
    # A stale team_managers row must not outlive the removal of the manager role.
    ex_manager = Actor(
        22, "ex@example.com", "Ex", frozenset({Role.FRONTLINE}), IDEA_TEAM, frozenset({IDEA_TEAM})
    )
    assert not permissions.allowed(ex_manager, "approve", facts())
    assert not permissions.allowed(ex_manager, "start_review", facts())


def test_co_submitter_counts_as_author():
    co = PERSONAS["other_frontline"]
    idea = IdeaFacts(
        submitter_id=PERSONAS["submitter"].id,
        team_id=IDEA_TEAM,
        state=State.DRAFT,
        co_submitter_ids=frozenset({co.id}),
    )
    assert permissions.allowed(co, "view_idea", idea)
    assert permissions.allowed(co, "edit_idea", idea)
    assert permissions.allowed(co, "submit", idea)


def test_idea_actions_need_the_idea_they_apply_to():
    with pytest.raises(ValueError, match="needs the idea"):
        permissions.allowed(PERSONAS["team_manager"], "approve")


def test_unknown_action_is_an_error_not_a_silent_refusal():
    with pytest.raises(KeyError, match="unknown permission action"):
        permissions.allowed(PERSONAS["admin"], "launch_rocket")
