"""Helpers shared by the services: loading the actor, checking text fields."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from hero_core.errors import PermissionDenied
from hero_core.models import Idea, TeamManager, User, UserRole
from hero_core.permissions import Actor
from hero_core.vocab import Role

#: Trusted operator at the command line (and the demo builder). Never handed out by the UI.
SYSTEM = Actor(id=0, email="system", name="System", roles=frozenset(Role), team_id=None)


#: The largest id the schema can hold (id columns are INTEGER: 32-bit signed on PostgreSQL, which also refuses
#: to compare them with a larger number); larger ones cannot exist.
MAX_DB_ID = 2**31 - 1


def is_id(value: object) -> bool:
    """True for a value that can be a stored row id: a positive integer the databases can hold (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_DB_ID


def storable(text: object) -> bool:
    """True for text both databases can store and compare: no NUL, no half of a UTF-16 pair."""
    return isinstance(text, str) and "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def load_actor(session: Session, actor_id: int | None) -> Actor:
    """The acting person as stored right now (roles and teams fresh in this transaction)."""
    if actor_id is None:
        return SYSTEM
    if not is_id(actor_id):
        raise PermissionDenied("Your account could not be found; please log in again.")
    # One round trip: the person joined to their roles and managed teams (a handful of rows). Every service call
    # starts here, so on PostgreSQL the three queries of an ORM load (user, roles, teams) were paid on every call
    # (measured: docs/measurements.md).
    rows = session.execute(
        select(User.id, User.email, User.name, User.team_id, User.active, UserRole.role, TeamManager.team_id)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .outerjoin(TeamManager, TeamManager.user_id == User.id)
        .where(User.id == actor_id)
    ).all()
    if not rows:
        raise PermissionDenied("Your account could not be found; please log in again.")
    user_id, email, name, team_id, active = rows[0][:5]
    return Actor(
        id=user_id,
        email=email,
        name=name,
        roles=frozenset(Role(r[5]) for r in rows if r[5] is not None),
        team_id=team_id,
        managed_team_ids=frozenset(r[6] for r in rows if r[6] is not None),
        active=active,
    )


def idea_row(session: Session, idea_id: int) -> Idea | None:
    """The idea's own row, or None. Its relationships load when first used: a plain Session.get of an Idea also
    joins its submitter and team and selects the submitter's roles, its metrics and its pilot teams (four
    round trips), which the permission checks and most reads never look at."""
    return session.get(Idea, idea_id, options=[lazyload("*")])


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
        return text, (f"{field} contains an invisible control character (U+{ord(bad[0]):04X}) that cannot be "
                      "stored; remove it")
    broken = [c for c in text if unicodedata.category(c) == "Cs"]
    if broken:  # half of a UTF-16 pair: cannot be stored (or even encoded) as text
        return text, f"{field} contains a broken character (U+{ord(broken[0]):04X}); retype it"
    if required and not text:
        return text, f"{field} is required"
    if text and len(text) < min_len:
        return text, f"{field} must be at least {min_len} characters (it has {len(text)})"
    if len(text) > max_len:
        return text, f"{field} must be at most {max_len} characters (it has {len(text)})"
    return text, None
