"""People and teams: accounts, roles, team managers, deactivation, log-in with lockout."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, event, func, select

from hero_core import audit, cache, permissions, security
from hero_core.db import Database
from hero_core.errors import (
    AccountLocked,
    AuthenticationFailed,
    HeroError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from hero_core.models import Notification, Team, TeamManager, User, UserRole
from hero_core.services import login_throttle, mailer
from hero_core.services.common import actor_ref, clean_text, load_actor
from hero_core.vocab import Role

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TEAM_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class UserView:
    id: int
    email: str
    name: str
    roles: tuple[str, ...]
    team_id: int | None
    team_code: str | None
    active: bool
    managed_team_codes: tuple[str, ...]
    team_name: str | None = None  # what people read


@dataclass(frozen=True)
class TeamView:
    id: int
    code: str
    name: str
    active: bool
    manager_emails: tuple[str, ...]
    members: int


def normalise_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        problem = f"“{(raw or '').strip()}” is not a valid email address" if email else "an email address is required"
        raise InvalidInput(problem, fields={"email": "not a valid email"})
    return email


def parse_roles(raw_roles) -> list[Role]:
    roles: list[Role] = []
    for raw in raw_roles:
        try:
            role = Role(str(raw).strip().lower())
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise InvalidInput(f"role {raw!r} is not one of: {allowed}", fields={"roles": "unknown role"}) from None
        if role not in roles:
            roles.append(role)
    if not roles:
        raise InvalidInput("at least one role is required", fields={"roles": "at least one role"})
    return roles


def _lookup_text(raw: object) -> str | None:
    """A code or email as typed, ready to look up; None when it cannot be stored text (so nothing has it)."""
    if not isinstance(raw, str) or "\x00" in raw or any(0xD800 <= ord(c) <= 0xDFFF for c in raw):
        return None
    return raw.strip().lower()


def _team_by_code(session, code: str) -> Team:
    key = _lookup_text(code or "")
    team = None if key is None else session.execute(select(Team).where(func.lower(Team.code) == key)).scalar()
    if team is None:
        raise NotFound(f"team {code!r} does not exist")
    return team


def create_team(db: Database, *, actor_id: int | None, code: str, name: str) -> int:
    code = (code or "").strip()
    if not TEAM_CODE_RE.match(code):
        raise InvalidInput(
            f"team code {code!r} must be 1-32 letters, digits, '-' or '_', starting with a letter or digit",
            fields={"code": "letters, digits, - and _ only"},
        )
    name, problem = clean_text(name, "team name", max_len=200, single_line=True)
    if problem:
        raise InvalidInput(problem, fields={"name": problem})
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_teams")
        if s.execute(select(Team.id).where(func.lower(Team.code) == code.lower())).first():
            raise InvalidInput(f"team code {code!r} already exists", fields={"code": "already exists"})
        team = Team(code=code, name=name, active=True, created_at=db.now())
        s.add(team)
        s.flush()
        aid, aemail = actor_ref(actor)
        audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action="team_created",
                     entity_type="team", entity_id=team.id, after={"code": code, "name": name})
        return team.id


def rename_team(db: Database, *, actor_id: int | None, team_code: str, name: str) -> None:
    name, problem = clean_text(name, "team name", max_len=200, single_line=True)
    if problem:
        raise InvalidInput(problem, fields={"name": problem})
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_teams")
        team = _team_by_code(s, team_code)
        before = team.name
        team.name = name
        aid, aemail = actor_ref(actor)
        audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action="team_renamed",
                     entity_type="team", entity_id=team.id, before={"name": before}, after={"name": name})


def add_user(
    db: Database,
    *,
    actor_id: int | None,
    email: str,
    name: str,
    roles,
    team_code: str | None,
    password: str | None = None,
) -> int:
    email = normalise_email(email)
    name, problem = clean_text(name, "name", max_len=200, single_line=True)
    if problem:
        raise InvalidInput(problem, fields={"name": problem})
    role_list = parse_roles(roles)
    if password is not None:
        problems = security.password_problems(password, email)
        if problems:
            raise InvalidInput(problems, fields={"password": "; ".join(problems)})
    password_hash = security.hash_password(password) if password else None
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_users")
        if s.execute(select(User.id).where(User.email == email)).first():
            raise InvalidInput(f"a user with email {email} already exists", fields={"email": "already exists"})
        team = _team_by_code(s, team_code) if team_code else None
        now = db.now()
        user = User(
            email=email, name=name, team_id=team.id if team else None, active=True, password_hash=password_hash,
            failed_logins=0, password_changed_at=now if password else None, created_at=now,
        )
        user.role_rows = [UserRole(role=r.value) for r in role_list]
        s.add(user)
        s.flush()
        if team is not None and Role.MANAGER in role_list:
            s.add(TeamManager(team_id=team.id, user_id=user.id))
        aid, aemail = actor_ref(actor)
        audit.record(s, at=now, actor_id=aid, actor_email=aemail, action="user_created", entity_type="user",
                     entity_id=user.id,
                     after={"email": email, "name": name, "roles": [r.value for r in role_list],
                            "team": team.code if team else None})
        return user.id


def _user_by_email(session, email: str) -> User:
    key = _lookup_text(email or "")
    user = None if key is None else session.execute(select(User).where(User.email == key)).scalar()
    if user is None:
        raise NotFound(f"no user with email {email!r}")
    return user


def user_id_for(db: Database, email: str) -> int:
    with db.read() as s:
        return _user_by_email(s, email).id


def set_roles(db: Database, *, actor_id: int | None, email: str, roles) -> None:
    """Replace a user's roles (audited as a role change)."""
    role_list = parse_roles(roles)
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_users")
        user = _user_by_email(s, email)
        before = sorted(r.role for r in user.role_rows)
        after = sorted(r.value for r in role_list)
        if before == after:
            return
        user.role_rows = [UserRole(role=r) for r in after]
        if Role.MANAGER not in role_list:
            s.execute(delete(TeamManager).where(TeamManager.user_id == user.id))
        aid, aemail = actor_ref(actor)
        audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action="roles_changed",
                     entity_type="user", entity_id=user.id, before={"roles": before}, after={"roles": after})


def set_team(db: Database, *, actor_id: int | None, email: str, team_code: str) -> None:
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_users")
        user = _user_by_email(s, email)
        team = _team_by_code(s, team_code)
        before = user.team.code if user.team else None
        user.team_id = team.id
        aid, aemail = actor_ref(actor)
        audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action="team_changed",
                     entity_type="user", entity_id=user.id, before={"team": before}, after={"team": team.code})


def set_team_managers(db: Database, *, actor_id: int | None, team_code: str, manager_emails) -> None:
    """Make exactly these people the managers of a team; each must hold the manager role."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_teams")
        team = _team_by_code(s, team_code)
        users = [_user_by_email(s, e) for e in manager_emails]
        problems = [f"{u.email} does not have the manager role" for u in users
                    if "manager" not in {r.role for r in u.role_rows}]
        if problems:
            raise InvalidInput(problems, fields={"managers": "; ".join(problems)})
        before = sorted(s.execute(
            select(User.email).join(TeamManager, TeamManager.user_id == User.id).where(TeamManager.team_id == team.id)
        ).scalars())
        s.execute(delete(TeamManager).where(TeamManager.team_id == team.id))
        for u in {u.id: u for u in users}.values():
            s.add(TeamManager(team_id=team.id, user_id=u.id))
        after = sorted({u.email for u in users})
        aid, aemail = actor_ref(actor)
        audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action="team_managers_changed",
                     entity_type="team", entity_id=team.id, before={"managers": before}, after={"managers": after})


def set_active(db: Database, *, actor_id: int | None, email: str, active: bool) -> None:
    """Deactivate (or reactivate) an account. Accounts are never deleted: their history stays."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_users")
        user = _user_by_email(s, email)
        if user.active == active:
            return
        if not active and actor.id == user.id:
            raise InvalidInput("you cannot deactivate your own account")
        user.active = active
        aid, aemail = actor_ref(actor)
        audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail,
                     action="user_reactivated" if active else "user_deactivated",
                     entity_type="user", entity_id=user.id, before={"active": not active}, after={"active": active})
        _after_account_change(s, user.id, now=db.now())


def set_password(db: Database, *, actor_id: int | None, email: str, password: str) -> None:
    """Set a password without the current one: an admin's reset, or `hero users set-password` (the system). A person
    changes their own with the current one (change_own_password): a live session alone must not be enough."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        user = _user_by_email(s, email)
        if actor.id is not None and actor.id == user.id:
            raise PermissionDenied("Change your own password on Your account, with your current password.")
        permissions.require(actor, "manage_users")
        problems = security.password_problems(password, user.email)
        if problems:
            raise InvalidInput(problems, fields={"password": "; ".join(problems)})
        user.password_hash = security.hash_password(password)
        user.password_changed_at = db.now()
        user.failed_logins = 0
        user.locked_until = None
        aid, aemail = actor_ref(actor)
        audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action="password_changed",
                     entity_type="user", entity_id=user.id)
        _after_account_change(s, user.id, now=db.now())


def _after_account_change(session, user_id: int, *, now) -> None:
    """End every log-in session of a user whose account just changed (deactivated, new password)."""
    from hero_core.services import sessions

    sessions.revoke_all_for_user(session, user_id, now=now)


#: The one answer to every refused log-in: an unknown email, a wrong password, a locked account and a blocked
#: client all read the same, at every attempt, so the form tells a stranger nothing about which accounts exist.
LOGIN_REFUSED = "Wrong email or password, or too many attempts: wait a few minutes and try again."
ACCOUNT_LOCKED_NOTICE = (
    "Someone entered a wrong password for your account {n} times, so it is locked until {until} for every "
    "browser you have not logged in from recently. If that was not you, change your password on your Account page."
)


def authenticate(db: Database, *, email: str, password: str, client: str | None = None) -> int:
    """Return the user id for a correct email and password, or refuse with LOGIN_REFUSED.

    `client` names where the attempt comes from (the log-in form passes the browser's address, or its browser
    session): failures are counted per client too, and the account lock does not hold a client that logged in
    to the account recently (hero_core/services/login_throttle.py has the rules). Without a client (the command
    line, tests) only the account lock applies.
    """
    email_norm = _lookup_text(email or "")
    now = db.now()
    ckey = login_throttle.client_key(client) if client else None
    # Look first, check the password outside any transaction (argon2 is slow on purpose: it must not hold
    # SQLite's write lock; measured: docs/measurements.md), then write what happened after looking again.
    with db.read() as s:
        client_blocked = ckey is not None and login_throttle.blocked(s, ckey, now)
        user = None
        if not client_blocked and email_norm is not None:
            user = s.execute(select(User.id, User.password_hash, User.active, User.locked_until)
                             .where(User.email == email_norm)).first()
        if user is not None and not user.active:
            user = None
        held = user is not None and _held_by_lock(s, user.id, user.locked_until, client, now)
    check = user is not None and not held
    # Same cost whatever the reason: no user enumeration by timing.
    right = security.verify_password(user.password_hash if check else None, password)
    refusal: HeroError
    with db.write() as s:
        login_throttle.prune(s, now)
        if not check:
            if ckey is not None:
                if client_blocked or held:
                    login_throttle.seen(s, ckey, now)
                else:
                    login_throttle.failed(s, ckey, now)
            refusal = AccountLocked(LOGIN_REFUSED) if client_blocked or held else AuthenticationFailed(LOGIN_REFUSED)
        else:
            row = s.execute(select(User).where(User.id == user.id).with_for_update()).scalar_one()
            locked = row.locked_until is not None and row.locked_until > now
            if locked and _held_by_lock(s, row.id, row.locked_until, client, now):
                # Locked by another attempt while this one was being checked.
                if ckey is not None:
                    login_throttle.seen(s, ckey, now)
                refusal = AccountLocked(LOGIN_REFUSED)
            elif right and row.active:
                if not locked:  # a known client getting in during a lock leaves it in force for everyone else
                    row.failed_logins = 0
                    row.locked_until = None
                if client:
                    login_throttle.succeeded(s, row.id, client, now)
                if security.needs_rehash(row.password_hash or ""):
                    row.password_hash = security.hash_password(password)
                return row.id
            else:
                if ckey is not None:
                    login_throttle.failed(s, ckey, now)
                refusal = AuthenticationFailed(LOGIN_REFUSED)
                if not locked:  # attempts during a lock never extend it
                    row.failed_logins = (row.failed_logins or 0) + 1
                    if row.failed_logins >= MAX_FAILED_LOGINS:
                        _lock(s, db, row, now)
                        refusal = AccountLocked(LOGIN_REFUSED)
    raise refusal


def _held_by_lock(session, user_id: int, locked_until, client: str | None, now) -> bool:
    """True when the account is locked and this client is not one that logged in to it recently."""
    if locked_until is None or locked_until <= now:
        return False
    return not login_throttle.known(session, user_id, client, now)


LOCK_MAIL_THREAD = "hero-lock-mail"


def _lock(session, db: Database, user: User, now) -> None:
    """Lock an account: its audit entry and the owner's notification in the lock's own transaction; the mail
    (when mail is on) goes after the commit, from a thread, so the attempt that locked takes no longer than any
    other (a slow mail server would otherwise tell a stranger that this account exists)."""
    user.locked_until = now + LOCKOUT
    user.failed_logins = 0
    audit.record(session, at=now, actor_id=user.id, actor_email=user.email, action="account_locked",
                 entity_type="user", entity_id=user.id, after={"locked_until": user.locked_until.isoformat()},
                 reason=f"{MAX_FAILED_LOGINS} failed log-in attempts")
    session.add(Notification(
        user_id=user.id, idea_id=None, kind="account_locked", created_at=now,
        message=ACCOUNT_LOCKED_NOTICE.format(n=MAX_FAILED_LOGINS, until=user.locked_until.strftime("%H:%M UTC")),
    ))
    if mailer.mail_enabled():
        user_id = user.id
        event.listen(session, "after_commit", lambda _s: threading.Thread(
            target=_mail_quietly, args=(db, user_id), name=LOCK_MAIL_THREAD, daemon=True).start(), once=True)


def _mail_quietly(db: Database, user_id: int) -> None:
    try:
        mailer.send_immediate(db, user_ids=[user_id])
    except Exception:  # the lock is committed; the notification stays in the inbox, retried later
        logging.getLogger("hero.mail").exception("mailing the account-locked notice to user %s failed", user_id)


CURRENT_PASSWORD_WRONG = (
    f"Your current password is not right, or it was entered wrongly {login_throttle.CHANGE_MAX_FAILURES} times: "
    f"then wait {int(login_throttle.CHANGE_BLOCK.total_seconds() // 60)} minutes. Nothing was changed."
)


def change_own_password(db: Database, *, actor_id: int, current_password: str, new_password: str,
                        keep_token: str | None) -> int:
    """A person changes their own password: the current one is required; every other session of theirs ends,
    the one in `keep_token` stays. Returns how many other sessions ended."""
    from hero_core.services import sessions

    if not isinstance(current_password, str) or not isinstance(new_password, str):
        raise InvalidInput("Enter your current password and a new one.")
    now = db.now()
    with db.read() as s:
        actor = load_actor(s, actor_id)
        if actor_id is None or not actor.active:
            raise PermissionDenied("Your account is not active; please log in again.")
        user = s.get(User, actor.id)
        stored = user.password_hash
        email_now = user.email
        throttled = login_throttle.blocked(s, login_throttle.change_key(actor.id), now)
    right = security.verify_password(None if throttled else stored, current_password)
    if right:
        problems = security.password_problems(new_password, email_now)
        if new_password == current_password:
            problems.append("the new password must differ from the current one")
        if problems:
            raise InvalidInput(problems, fields={"new_password": "; ".join(problems)})
        new_hash = security.hash_password(new_password)
    with db.write() as s:
        if not right:
            if not throttled:
                login_throttle.failed(s, login_throttle.change_key(actor.id), now,
                                      limit=login_throttle.CHANGE_MAX_FAILURES, block=login_throttle.CHANGE_BLOCK,
                                      window=login_throttle.CHANGE_BLOCK)
            refusal = InvalidInput(CURRENT_PASSWORD_WRONG, fields={"current_password": CURRENT_PASSWORD_WRONG})
        else:
            user = s.execute(select(User).where(User.id == actor.id).with_for_update()).scalar_one()
            if user.password_hash != stored:
                raise InvalidInput("Your password was changed meanwhile (in another window?). Log in again.")
            user.password_hash = new_hash
            user.password_changed_at = now
            user.failed_logins = 0
            user.locked_until = None
            ended = sessions.revoke_all_for_user(s, user.id, now=now, keep_token=keep_token)
            audit.record(s, at=now, actor_id=user.id, actor_email=user.email, action="password_changed",
                         entity_type="user", entity_id=user.id, after={"other_sessions_ended": ended},
                         reason="changed by the account holder on the Account page")
            return ended
    raise refusal


def get_user(db: Database, user_id: int) -> UserView:
    with db.read() as s:
        return _user_view(s, s.get(User, user_id) or _missing(user_id))


def _missing(user_id):
    raise NotFound(f"no user with id {user_id}")


def _user_view(s, u: User) -> UserView:
    managed = s.execute(
        select(Team.code).join(TeamManager, TeamManager.team_id == Team.id).where(TeamManager.user_id == u.id)
    ).scalars()
    return UserView(
        id=u.id, email=u.email, name=u.name, roles=tuple(sorted(r.role for r in u.role_rows)), team_id=u.team_id,
        team_code=u.team.code if u.team else None, active=u.active, managed_team_codes=tuple(sorted(managed)),
        team_name=u.team.name if u.team else None,
    )


def list_users(db: Database, *, actor_id: int | None) -> list[UserView]:
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "manage_users")
        return list(cache.cached(s, ("list_users",), lambda: tuple(_all_user_views(s))))


def _all_user_views(s) -> list[UserView]:
    """Every account in four queries: a query per user was too slow for a company's people (measured:
    docs/measurements.md)."""
    roles: dict[int, list[str]] = {}
    for user_id, role in s.execute(select(UserRole.user_id, UserRole.role)):
        roles.setdefault(user_id, []).append(role)
    managed: dict[int, list[str]] = {}
    for user_id, code in s.execute(select(TeamManager.user_id, Team.code).join(Team, Team.id == TeamManager.team_id)):
        managed.setdefault(user_id, []).append(code)
    teams = {tid: (code, name) for tid, code, name in s.execute(select(Team.id, Team.code, Team.name))}
    return [
        UserView(id=u.id, email=u.email, name=u.name, roles=tuple(sorted(roles.get(u.id, ()))), team_id=u.team_id,
                 team_code=teams.get(u.team_id, (None, None))[0], active=u.active,
                 managed_team_codes=tuple(sorted(managed.get(u.id, ()))),
                 team_name=teams.get(u.team_id, (None, None))[1])
        for u in s.execute(select(User.id, User.email, User.name, User.team_id, User.active).order_by(User.email))
    ]


def list_teams(db: Database) -> list[TeamView]:
    """Every team (visible to everyone: pickers need them)."""
    with db.read() as s:
        managers: dict[int, list[str]] = {}
        for team_id, email in s.execute(
            select(TeamManager.team_id, User.email).join(User, User.id == TeamManager.user_id).order_by(User.email)
        ):
            managers.setdefault(team_id, []).append(email)
        members = dict(s.execute(select(User.team_id, func.count()).group_by(User.team_id)).all())
        return [
            TeamView(id=t.id, code=t.code, name=t.name, active=t.active,
                     manager_emails=tuple(managers.get(t.id, [])), members=members.get(t.id, 0))
            for t in s.execute(select(Team.id, Team.code, Team.name, Team.active).order_by(Team.code))
        ]


def team_names(db: Database, *, active_only: bool = False) -> dict[str, str]:
    """Team code -> name, in code order: what a team picker needs, in one query (list_teams also gathers each
    team's managers and head count, wasted time on pages that only offer a choice of team; measured:
    docs/measurements.md)."""
    stmt = select(Team.code, Team.name).order_by(Team.code)
    if active_only:
        stmt = stmt.where(Team.active.is_(True))
    with db.read() as s:
        return dict(s.execute(stmt).all())


def users_with_role(session, role: Role) -> list[int]:
    return list(session.execute(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role.value, User.active.is_(True))
    ).scalars())


def signed_in(db: Database, user_id: int) -> tuple[UserView, permissions.Actor]:
    """The logged-in person, as the page frame shows them and as the permission matrix sees them, read fresh
    in one transaction of two small queries (every run of every page starts here; get_user and get_actor
    together took five queries in two transactions)."""
    _require_user_id(user_id)
    with db.read() as s:
        try:
            actor = load_actor(s, user_id)
        except PermissionDenied:
            raise NotFound(f"no user with id {user_id}") from None
        wanted = set(actor.managed_team_ids) | ({actor.team_id} if actor.team_id is not None else set())
        teams = {tid: (code, name) for tid, code, name in s.execute(
            select(Team.id, Team.code, Team.name).where(Team.id.in_(wanted))).all()} if wanted else {}
        codes = {tid: code for tid, (code, _) in teams.items()}
    view = UserView(id=actor.id, email=actor.email, name=actor.name, roles=tuple(sorted(r.value for r in actor.roles)),
                    team_id=actor.team_id, team_code=codes.get(actor.team_id), active=actor.active,
                    managed_team_codes=tuple(sorted(codes[t] for t in actor.managed_team_ids)),
                    team_name=teams[actor.team_id][1] if actor.team_id in teams else None)
    return view, actor


def get_actor(db: Database, user_id: int) -> permissions.Actor:
    """The person as the permission matrix sees them right now (roles and managed teams loaded fresh)."""
    _require_user_id(user_id)
    with db.read() as s:
        return load_actor(s, user_id)


def _require_user_id(user_id: object) -> None:
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        # load_actor(None) is the all-powerful SYSTEM actor: never hand that to a caller by accident.
        raise NotFound(f"no user with id {user_id!r}")
