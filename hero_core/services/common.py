"""Helpers shared by the services: loading the actor, checking text fields."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from hero_core.errors import NotFound, PermissionDenied
from hero_core.models import TeamManager, User
from hero_core.permissions import Actor
from hero_core.vocab import Role

#: Trusted operator at the command line (and the demo builder). Never handed out by the UI.
SYSTEM = Actor(id=0, email="system", name="System", roles=frozenset(Role), team_id=None)


def load_actor(session: Session, actor_id: int | None) -> Actor:
    """The acting person as stored right now (roles and teams fresh in this transaction)."""
    if actor_id is None:
        return SYSTEM
    user = session.get(User, actor_id)
    if user is None:
        raise PermissionDenied(f"No account with id {actor_id}; please log in again.")
    managed = session.execute(select(TeamManager.team_id).where(TeamManager.user_id == user.id)).scalars()
    return Actor(
        id=user.id,
        email=user.email,
        name=user.name,
        roles=frozenset(Role(r.role) for r in user.role_rows),
        team_id=user.team_id,
        managed_team_ids=frozenset(managed),
        active=user.active,
    )


def actor_ref(actor: Actor) -> tuple[int | None, str]:
    """(actor_id, actor_email) as the audit trail records them."""
    return (None if actor is SYSTEM or actor.id == 0 else actor.id), actor.email


def clean_text(
    value: object, field: str, *, required: bool = True, min_len: int = 0, max_len: int = 10_000,
    single_line: bool = False,
) -> tuple[str, str | None]:
    """Normalise a person's text; return (text, problem). Refuses NUL and other control characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "", f"{field} must be text"
    text = unicodedata.normalize("NFC", value).strip()
    if single_line:
        text = " ".join(text.split())
    bad = [c for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t\r"]
    if bad:
        return text, f"{field} contains control characters (such as {bad[0]!r}); remove them"
    if required and not text:
        return text, f"{field} is required"
    if text and len(text) < min_len:
        return text, f"{field} must be at least {min_len} characters (it has {len(text)})"
    if len(text) > max_len:
        return text, f"{field} must be at most {max_len} characters (it has {len(text)})"
    return text, None


def get_or_404(session: Session, model, key, what: str):
    obj = session.get(model, key)
    if obj is None:
        raise NotFound(f"{what} {key} does not exist.")
    return obj
