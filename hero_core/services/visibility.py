"""Who may see an idea, applied: to one loaded idea, to a query, to the people a comment mentions.

The rule itself is the permission matrix's "view_idea" (hero_core/permissions.py: everyone sees every idea but a
draft, which only its submitter sees). `visible_sql` is its SQL twin for lists and searches;
tests/trust/test_visibility_agrees.py compares the two on random ideas and people, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hero_core import permissions
from hero_core.errors import NotFound
from hero_core.models import Idea
from hero_core.permissions import Actor, IdeaFacts
from hero_core.services.common import idea_row, is_id
from hero_core.vocab import State


def facts(idea: Idea) -> IdeaFacts:
    """What the permission matrix needs to know of an idea for the actions that do not depend on its review."""
    return IdeaFacts(submitter_id=idea.submitter_id, team_id=idea.team_id, state=State(idea.state))


def visible_or_404(actor: Actor, idea: Idea) -> None:
    """Refuse with "not found" unless this person may see the idea (a draft's existence is its author's business);
    a deactivated person is told why instead, since they may see nothing at all."""
    if not actor.active:
        permissions.require(actor, "view_idea", facts(idea))
    if not permissions.allowed(actor, "view_idea", facts(idea)):
        raise NotFound(f"There is no idea #{idea.id} that you can see.")


def load_visible(s: Session, actor: Actor, idea_id: object) -> Idea:
    """The idea, if this person may see it; "not found" otherwise."""
    if not is_id(idea_id):  # also ids beyond what the databases store (PostgreSQL would raise on them)
        raise NotFound(f"There is no idea #{idea_id}.")
    idea = idea_row(s, idea_id)
    if idea is None:
        raise NotFound(f"There is no idea #{idea_id}.")
    visible_or_404(actor, idea)
    return idea


def visible_sql(viewer_id: int | None) -> ColumnElement[bool]:
    """SQL: the idea is one this person may see (permissions "view_idea")."""
    return or_(Idea.state != State.DRAFT.value, Idea.submitter_id == viewer_id)


def sees(viewer_id: int, idea: Idea) -> bool:
    """Whether an active person may see the idea, by their id alone (for the people a comment mentions)."""
    return permissions.may_view(viewer_id, facts(idea))


__all__ = ["facts", "load_visible", "sees", "visible_or_404", "visible_sql"]
