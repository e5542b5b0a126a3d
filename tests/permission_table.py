"""Who may do what: the permission table, written once for the tests that check it.

Written from the issues' and README's rules, not read from hero_core.permissions, so that a changed rule fails
a test. tests/unit/test_permissions.py checks every cell against permissions.allowed/require;
tests/trust/test_authorization.py attacks every cell in every idea state and then every service.

The idea in question always belongs to TEAM and was proposed by "author". A value is either the personas who
may, whatever the idea's state, or a function of the idea's state giving them.
"""

from __future__ import annotations

from collections.abc import Callable

from hero_core.permissions import Actor
from hero_core.vocab import Role, State

TEAM, OTHER_TEAM = 1, 2

#: One person of each relationship to the idea that the rules tell apart, and one of each role.
PERSONAS: dict[str, Actor] = {
    "author": Actor(1, "author@x", "Author", frozenset({Role.FRONTLINE}), TEAM),
    "teammate": Actor(2, "teammate@x", "Teammate", frozenset({Role.FRONTLINE}), TEAM),
    "outsider": Actor(3, "outsider@x", "Outsider", frozenset({Role.FRONTLINE}), OTHER_TEAM),
    "team_manager": Actor(4, "manager@x", "Manager", frozenset({Role.MANAGER}), TEAM, frozenset({TEAM})),
    "other_manager": Actor(5, "om@x", "Other manager", frozenset({Role.MANAGER}), OTHER_TEAM,
                           frozenset({OTHER_TEAM})),
    "it_champion": Actor(6, "it@x", "IT", frozenset({Role.IT_CHAMPION}), TEAM),
    "executive": Actor(7, "exec@x", "Executive", frozenset({Role.EXECUTIVE}), TEAM),
    "admin": Actor(8, "admin@x", "Admin", frozenset({Role.ADMIN}), TEAM),
    "ecoach": Actor(9, "coach@x", "Coach", frozenset({Role.ECOACH}), TEAM),
}
EVERYONE = frozenset(PERSONAS)
MANAGERS = frozenset({"team_manager", "other_manager"})
#: Who sees an idea's risk assessment: everyone who works on ideas, but not the author's colleagues.
SEE_ASSESSMENT = EVERYONE - {"teammate", "outsider", "ecoach"}

Who = frozenset[str] | Callable[[State], frozenset[str]]


def _viewers(state: State) -> frozenset[str]:
    """Drafts are private notes of their author; every other idea is open to every colleague."""
    return frozenset({"author"}) if state == State.DRAFT else EVERYONE


def _editors(state: State) -> frozenset[str]:
    return frozenset({"author"}) if state in (State.DRAFT, State.NEEDS_CHANGES) else frozenset()


def _impact_viewers(state: State) -> frozenset[str]:
    # One idea's impact: its author too (issue 19); nobody but the author sees anything of a draft.
    return frozenset({"author"}) if state == State.DRAFT else {"author"} | MANAGERS | {"executive", "admin"}


def only(*names: str) -> frozenset[str]:
    return frozenset(names)


#: action -> who may. From the issues: drafts are private; a manager decides only their own team's ideas; IT
#: champions claim, plan and build; high risk needs a second manager or an admin; admins run the organisation;
#: executives, managers and admins see impact.
EXPECTED: dict[str, Who] = {
    "create_idea": EVERYONE,
    "edit_idea": _editors,
    # Issue 21: a draft can be thrown away by its author (a sent idea is withdrawn instead).
    "discard_draft": lambda state: only("author") if state == State.DRAFT else only(),
    "view_idea": _viewers,
    "view_assessment": SEE_ASSESSMENT,
    "submit": only("author"),
    "resubmit": only("author"),
    "start_review": only("team_manager"),
    "assess_risk": only("team_manager"),
    "request_changes": only("team_manager"),
    "approve": only("team_manager"),
    # Only while a first approval of a high-risk idea waits: tests/trust/test_separation_of_duties.py.
    "second_approve": only(),
    "decline": only("team_manager"),
    "route_to_it": EVERYONE,
    "claim": only("it_champion"),
    "plan_it": only("it_champion"),
    "start_pilot": only("it_champion", "team_manager"),
    "start_scaling": only("it_champion", "team_manager"),
    "complete_scaling": only("it_champion", "team_manager"),
    "retire": only("team_manager", "admin"),
    # Issue 21: submitters withdraw their own idea (the workflow says from which states).
    "withdraw": only("author"),
    "view_review_queue": MANAGERS | {"admin"},
    "view_it_board": only("it_champion"),
    "view_impact": MANAGERS | {"executive", "admin"},
    "view_idea_impact": _impact_viewers,
    "export_ideas": MANAGERS | {"executive", "admin"},
    # Recognition, the pulse and the scorecard.
    "view_heroes": EVERYONE,
    "answer_pulse": EVERYONE,
    "view_pulse": MANAGERS | {"executive", "admin"},
    "view_scorecard": MANAGERS | {"executive"},
    "manage_users": only("admin"),
    "manage_teams": only("admin"),
    "manage_metrics": only("admin"),
    "import_ideas": only("admin"),
    "import_metrics": only("admin"),
    "manage_campaigns": MANAGERS | {"executive", "admin"},
    # Who may talk about an idea = who may see it.
    "comment": _viewers,
    "support": _viewers,
    "follow": _viewers,
    "merge_duplicate": only("team_manager"),
    "undo_merge": only("admin"),
    # Help with roadblocks (issue 22): open to every colleague; only the asker marks a request solved (that
    # needs the request's facts: tests/integration/test_help.py).
    "ask_help": EVERYONE,
    "view_help": EVERYONE,
    "answer_help": EVERYONE,
    "mark_help_solved": only(),
    "view_help_queue": MANAGERS | {"ecoach", "admin"},
    "mark_answer_outdated": only("ecoach", "admin"),
    "manage_help_catalog": only("admin"),
    "view_roadblocks": MANAGERS | {"ecoach", "admin"},
    "promote_roadblock": MANAGERS | {"ecoach"},
    "import_help": only("admin"),
    # Erosion alarms (issue 23): the people who keep a launched fix working see them; whoever can act closes.
    "view_erosion": MANAGERS | {"it_champion", "executive", "admin"},
    "close_erosion_alarm": only("it_champion", "team_manager", "admin"),
    "import_adoption": only("it_champion", "admin"),
    "record_adoption": MANAGERS,
    "plan_rollout": only("it_champion", "team_manager"),
    "view_touchpoint_plan": MANAGERS | {"executive"},
    # Job aids (issue 23): written by the HERO or an IT champion, checked by an e-coach.
    "write_job_aid": only("author", "it_champion"),
    "check_job_aid": only("ecoach"),
}

#: The actions whose rule needs the idea they apply to.
IDEA_ACTIONS = frozenset({
    "view_idea_impact", "edit_idea", "discard_draft", "view_idea", "view_assessment", "submit", "resubmit",
    "start_review",
    "assess_risk", "request_changes", "approve", "second_approve", "decline", "route_to_it", "claim",
    "plan_it", "start_pilot", "start_scaling", "complete_scaling", "retire", "withdraw", "comment", "support",
    "follow", "merge_duplicate",
    "close_erosion_alarm", "write_job_aid", "plan_rollout",
})


def who_may(action: str, state: State) -> frozenset[str]:
    """The personas allowed `action` on the idea (of TEAM, by "author") in `state`."""
    rule = EXPECTED[action]
    return rule(state) if callable(rule) else rule
