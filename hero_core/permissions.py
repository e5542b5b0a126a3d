"""The permission matrix: who may do what, in one place.

Every service calls `require(actor, action, idea)` before it changes or reveals anything, whatever the UI
shows or hides. A rule is a pure function of the actor (freshly loaded in the same transaction, so role changes
take effect at once) and, for idea actions, the facts of the idea. Deactivated people may do nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hero_core.errors import PermissionDenied
from hero_core.vocab import Role, State


@dataclass(frozen=True)
class Actor:
    id: int
    email: str
    name: str
    roles: frozenset[Role]
    team_id: int | None
    managed_team_ids: frozenset[int] = field(default_factory=frozenset)
    active: bool = True

    def has(self, role: Role) -> bool:
        return role in self.roles

    def manages(self, team_id: int | None) -> bool:
        return self.has(Role.MANAGER) and team_id is not None and team_id in self.managed_team_ids


@dataclass(frozen=True)
class IdeaFacts:
    """What the rules need to know about an idea."""

    submitter_id: int
    team_id: int
    state: State
    #: The team's active managers, loaded where a review is decided (hero_core/services/review.py). None when
    #: not loaded: then no admin stands in for a missing reviewer (a rule that lacks its facts refuses).
    team_manager_ids: frozenset[int] | None = None
    #: Who gave the first of the two approvals that a high-risk idea needs in this review round; None when no
    #: second approval is awaited.
    first_approver_id: int | None = None

    def is_author(self, actor: Actor) -> bool:
        return actor.id == self.submitter_id

    def has_independent_manager(self) -> bool:
        """True when a manager of the team other than the idea's submitter exists (or is not known)."""
        if self.team_manager_ids is None:
            return True
        return bool(self.team_manager_ids - {self.submitter_id})


@dataclass(frozen=True)
class HelpFacts:
    """What the rules need to know about a help request (hero_core/services/help.py)."""

    asker_id: int


Rule = Callable[[Actor, IdeaFacts | None], bool]


def _author(a: Actor, i: IdeaFacts | None) -> bool:
    return i is not None and i.is_author(a)


def _team_manager(a: Actor, i: IdeaFacts | None) -> bool:
    return i is not None and a.manages(i.team_id)


def _reviewer(a: Actor, i: IdeaFacts | None) -> bool:
    # Separation of duties: nobody reviews their own idea. It goes to another manager of the team, or to an admin
    # when the team has none; an admin never stands in where an independent manager exists.
    if i is None or i.is_author(a):
        return False
    if a.manages(i.team_id):
        return True
    return a.has(Role.ADMIN) and i.team_manager_ids is not None and not i.has_independent_manager()


def _first_approver(a: Actor, i: IdeaFacts | None) -> bool:
    return _reviewer(a, i) and i.first_approver_id is None  # type: ignore[union-attr]


def _second_approver(a: Actor, i: IdeaFacts | None) -> bool:
    # High risk needs two different people, neither of them an author of the idea.
    return (
        i is not None
        and i.first_approver_id is not None
        and a.id != i.first_approver_id
        and not i.is_author(a)
        and (a.has(Role.MANAGER) or a.has(Role.ADMIN))
    )


def _role(*roles: Role) -> Rule:
    return lambda a, i: any(a.has(r) for r in roles)


def _any(*rules: Rule) -> Rule:
    return lambda a, i: any(rule(a, i) for rule in rules)


def _everyone(a: Actor, i: IdeaFacts | None) -> bool:
    return True


def may_view(person_id: int | None, i: IdeaFacts | None) -> bool:
    """Who sees an idea. Drafts are private notes of their author until submitted; everything else is open to every
    colleague, because seeing each other's roadblocks is what lets fixes spread."""
    return i is not None and (i.state != State.DRAFT or person_id == i.submitter_id)


def _may_view(a: Actor, i: IdeaFacts | None) -> bool:
    return may_view(a.id, i)


def _author_of_draft(a: Actor, i: IdeaFacts | None) -> bool:
    return _author(a, i) and i.state == State.DRAFT  # type: ignore[union-attr]


def _author_while_editable(a: Actor, i: IdeaFacts | None) -> bool:
    return _author(a, i) and i.state in (State.DRAFT, State.NEEDS_CHANGES)  # type: ignore[union-attr]


def _asker(a: Actor, h) -> bool:
    return isinstance(h, HelpFacts) and h.asker_id == a.id


REVIEWER = "a manager of the idea's team who did not propose it (an admin when the team has no other manager)"
SECOND_APPROVER = "a manager or an admin who neither proposed the idea nor gave its first approval"

#: action -> (rule, who may, in words). The words are what PermissionDenied tells the person.
MATRIX: dict[str, tuple[Rule, str]] = {
    # Ideas — proposing and editing
    "create_idea": (_everyone, "everyone"),
    "edit_idea": (_author_while_editable, "the submitter, while the idea is a draft or needs changes"),
    "discard_draft": (_author_of_draft, "the submitter, while the idea is a draft"),
    "view_idea": (_may_view, "everyone, except drafts, which only their submitter sees"),
    "view_assessment": (
        _any(_author, _role(Role.MANAGER, Role.IT_CHAMPION, Role.EXECUTIVE, Role.ADMIN)),
        "the submitter, managers, IT champions, executives and admins",
    ),
    # Workflow — names match workflow.TRANSITIONS
    "submit": (_author, "the submitter"),
    "resubmit": (_author, "the submitter"),
    # Review: never by an author of the idea (REVIEWER below); high risk needs a second, different approver.
    "start_review": (_reviewer, REVIEWER),
    "assess_risk": (_reviewer, REVIEWER),
    "request_changes": (_any(_reviewer, _second_approver), f"{REVIEWER}, or its second approver"),
    "approve": (_first_approver, REVIEWER),
    "second_approve": (_second_approver, SECOND_APPROVER),
    "decline": (_any(_reviewer, _second_approver), f"{REVIEWER}, or its second approver"),
    "route_to_it": (_everyone, "the system, automatically"),
    "claim": (_role(Role.IT_CHAMPION), "an IT champion"),
    "plan_it": (_role(Role.IT_CHAMPION), "an IT champion"),
    "start_pilot": (_any(_role(Role.IT_CHAMPION), _team_manager), "an IT champion or a manager of the idea's team"),
    "start_scaling": (_any(_role(Role.IT_CHAMPION), _team_manager), "an IT champion or a manager of the idea's team"),
    "complete_scaling": (
        _any(_role(Role.IT_CHAMPION), _team_manager),
        "an IT champion or a manager of the idea's team",
    ),
    "retire": (_any(_team_manager, _role(Role.ADMIN)), "a manager of the idea's team or an admin"),
    "withdraw": (_author, "the submitter"),
    # Reading the portfolio
    "view_review_queue": (_role(Role.MANAGER, Role.ADMIN), "managers and admins"),
    "view_it_board": (_role(Role.IT_CHAMPION), "IT champions"),
    "view_impact": (_role(Role.EXECUTIVE, Role.MANAGER, Role.ADMIN), "executives, managers and admins"),
    # One idea's measured impact: also its own HERO, who should see what their idea did for customers.
    "view_idea_impact": (
        lambda a, i: _may_view(a, i) and (_author(a, i) or _role(Role.EXECUTIVE, Role.MANAGER, Role.ADMIN)(a, i)),
        "the idea's submitter, executives, managers and admins",
    ),
    "export_ideas": (_role(Role.EXECUTIVE, Role.MANAGER, Role.ADMIN), "executives, managers and admins"),
    # Recognition, the HERO Index pulse and the compact scorecard (hero_core/services/recognition.py, pulse.py,
    # scorecard.py). Pulse answers are shown only as group aggregates, never per person.
    "view_heroes": (_everyone, "everyone"),
    "answer_pulse": (_everyone, "everyone"),
    "view_pulse": (_role(Role.MANAGER, Role.EXECUTIVE, Role.ADMIN), "managers, executives and admins"),
    "view_scorecard": (_role(Role.EXECUTIVE, Role.MANAGER), "executives and managers"),
    # Running the organisation
    "manage_users": (_role(Role.ADMIN), "admins"),
    "manage_teams": (_role(Role.ADMIN), "admins"),
    "manage_metrics": (_role(Role.ADMIN), "admins"),
    "import_ideas": (_role(Role.ADMIN), "admins"),
    "import_metrics": (_role(Role.ADMIN), "admins"),
    "manage_campaigns": (_role(Role.ADMIN, Role.MANAGER, Role.EXECUTIVE), "managers, executives and admins"),
    # Conversation and duplicates: whoever may see an idea may talk about it (hero_core/services/social.py)
    "comment": (_may_view, "people who can see the idea"),
    "support": (_may_view, "people who can see the idea"),
    "follow": (_may_view, "people who can see the idea"),
    "merge_duplicate": (_team_manager, "a manager of the duplicate idea's team"),
    "undo_merge": (_role(Role.ADMIN), "admins"),
    # Help with roadblocks (hero_core/services/help.py): asking, answering and reading are open to every colleague,
    # since a solution shared once saves the next person; only the asker says which answer solved it.
    "ask_help": (_everyone, "everyone"),
    "view_help": (_everyone, "everyone"),
    "answer_help": (_everyone, "everyone"),
    "mark_help_solved": (_asker, "the person who asked"),
    "view_help_queue": (_role(Role.ECOACH, Role.MANAGER, Role.ADMIN), "e-coaches, managers and admins"),
    "mark_answer_outdated": (_role(Role.ECOACH, Role.ADMIN), "e-coaches and admins"),
    "manage_help_catalog": (_role(Role.ADMIN), "admins"),
    "view_roadblocks": (_role(Role.ECOACH, Role.MANAGER, Role.ADMIN), "e-coaches, managers and admins"),
    "promote_roadblock": (_role(Role.ECOACH, Role.MANAGER), "e-coaches and managers"),
    "import_help": (_role(Role.ADMIN), "admins"),
    # Erosion alarms after a launch (hero_core/services/erosion.py): the people who keep a fix working see them;
    # those who can act on the idea close them with what was done.
    "view_erosion": (_role(Role.MANAGER, Role.IT_CHAMPION, Role.EXECUTIVE, Role.ADMIN),
                     "managers, IT champions, executives and admins"),
    "close_erosion_alarm": (_any(_role(Role.IT_CHAMPION, Role.ADMIN), _team_manager),
                            "an IT champion, a manager of the idea's team or an admin"),
    "import_adoption": (_role(Role.IT_CHAMPION, Role.ADMIN), "IT champions and admins"),
    "record_adoption": (_role(Role.MANAGER), "managers, for the teams they manage"),
    "plan_rollout": (_any(_role(Role.IT_CHAMPION), _team_manager), "an IT champion or a manager of the idea's team"),
    "view_touchpoint_plan": (_role(Role.EXECUTIVE, Role.MANAGER), "executives and managers"),
    # Job aids (hero_core/services/job_aids.py): the HERO who proposed the idea or an IT champion writes; an
    # e-coach checks before the idea's teams see it; checked job aids are open to every colleague.
    "write_job_aid": (_any(_author, _role(Role.IT_CHAMPION)), "the idea's submitter or an IT champion"),
    "check_job_aid": (_role(Role.ECOACH), "e-coaches"),
}

IDEA_ACTIONS = frozenset(
    {
        "view_idea_impact",
        "edit_idea",
        "discard_draft",
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
        "close_erosion_alarm",
        "write_job_aid",
        "plan_rollout",
    }
)


def allowed(actor: Actor, action: str, idea: IdeaFacts | None = None) -> bool:
    """True when the matrix lets `actor` do `action` (on `idea`, for idea actions)."""
    if action not in MATRIX:
        raise KeyError(f"unknown permission action {action!r}")
    if not actor.active:
        return False
    if action in IDEA_ACTIONS and idea is None:
        raise ValueError(f"{action!r} needs the idea it applies to")
    rule, _ = MATRIX[action]
    return bool(rule(actor, idea))


def require(actor: Actor, action: str, idea: IdeaFacts | None = None) -> None:
    """Raise PermissionDenied, saying who may, unless `actor` may do `action`."""
    if allowed(actor, action, idea):
        return
    if not actor.active:
        raise PermissionDenied(f"{actor.email} is deactivated and can no longer act in the compact.")
    _, who = MATRIX[action]
    what = action.replace("_", " ")
    raise PermissionDenied(f"Only {who} may {what}; {actor.email} may not.")
