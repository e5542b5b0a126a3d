"""Help with roadblocks: ask, answer, mark solved, known answers, the e-coach queue, recurring roadblocks.

The step before an idea. Someone hits a roadblock with a customer and asks for help, saying where (the touch point
and the system or document involved, from a catalog admins keep) and whether a customer is waiting. E-coaches —
assigned by admins per system or touch point — and any colleague answer; the asker marks the answer that solved
it, and the solved roadblock becomes a known answer the next person finds while typing. E-coaches promise a first
response within a service level counted in business hours. Similar requests over a window are recurring
roadblocks, which e-coaches and managers promote into an idea that carries the evidence.

Every function loads the actor fresh, checks the permission matrix, changes what it changes, writes its audit
entry and notifications, all in one transaction.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import and_, case, func, insert, literal, or_, select, union_all
from sqlalchemy.orm import Session

from hero_core import audit, permissions, sla
from hero_core.config import int_setting
from hero_core.db import Database
from hero_core.errors import (
    InvalidInput,
    MissingInformation,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from hero_core.help_text import (
    MIN_SCORE,
    ScopeGrouping,
    central,
    central_of_sets,
    choose_terms,
    known_answer_terms,
    rerank,
    term_columns,
    term_hashes,
)
from hero_core.models import (
    EcoachAssignment,
    HelpAnswer,
    HelpRequest,
    HelpSystem,
    Idea,
    IdeaFollow,
    KnownAnswer,
    KnownAnswerTerm,
    Team,
    User,
    UserRole,
)
from hero_core.permissions import Actor, HelpFacts
from hero_core.services import lifecycle_sql, notifications
from hero_core.services.common import SYSTEM, actor_ref, clean_text, is_id, load_actor
from hero_core.vocab import TOUCHPOINT_LABELS, Role, Touchpoint, parse_enum

OPEN, ANSWERED, SOLVED = "open", "answered", "solved"
STATE_LABELS = {OPEN: "Waiting for an answer", ANSWERED: "Answered", SOLVED: "Solved"}
KIND_LABELS = {"system": "System", "document": "Document"}
QUESTION_MAX, QUESTION_MIN, DETAILS_MAX, ANSWER_MAX = 200, 10, 5_000, 5_000
FIELD_NAMES = {"question": "what you were trying to do", "details": "details", "touchpoint": "touch point",
               "system": "system or document", "body": "answer"}


# ---- the service level, in business hours ----------------------------------------------------------------------


@dataclass(frozen=True)
class HelpSettings:
    first_response_hours: int  # business hours to a first answer
    urgent_response_hours: int  # ... when a customer is waiting
    day_start: int  # business hours, UTC: from day_start:00 to day_end:00, Monday to Friday
    day_end: int


def _env_int(name: str, default: int) -> int:
    return int_setting(name, default, minimum=0)  # the one home of settings (config.SettingError if not a number)


def settings() -> HelpSettings:
    """From HERO_HELP_FIRST_RESPONSE_HOURS (4), HERO_HELP_URGENT_RESPONSE_HOURS (1), HERO_BUSINESS_DAY_START (9)
    and HERO_BUSINESS_DAY_END (17)."""
    return HelpSettings(_env_int("HERO_HELP_FIRST_RESPONSE_HOURS", 4), _env_int("HERO_HELP_URGENT_RESPONSE_HOURS", 1),
                        _env_int("HERO_BUSINESS_DAY_START", 9), _env_int("HERO_BUSINESS_DAY_END", 17))


def _opening(moment: datetime, cfg: HelpSettings) -> datetime:
    """`moment` if it falls in business hours, else the next opening (a weekday at day_start)."""
    day_open = moment.replace(hour=cfg.day_start, minute=0, second=0, microsecond=0)
    day_close = moment.replace(hour=cfg.day_end, minute=0, second=0, microsecond=0)
    if moment.weekday() < 5 and day_open <= moment < day_close:
        return moment
    if moment.weekday() < 5 and moment < day_open:
        return day_open
    return sla.add_business_days(day_open, 1)  # the next weekday, same opening hour


def add_business_hours(start: datetime, hours: float, cfg: HelpSettings | None = None) -> datetime:
    """The moment `hours` business hours after `start` (weekdays, day_start to day_end UTC)."""
    cfg = cfg or settings()
    left = timedelta(hours=hours)
    at = _opening(start, cfg)
    while True:
        close = at.replace(hour=cfg.day_end, minute=0, second=0, microsecond=0)
        if at + left <= close:
            return at + left
        left -= close - at
        at = _opening(close, cfg)


def response_due(asked_at: datetime, customer_waiting: bool, cfg: HelpSettings | None = None) -> datetime:
    cfg = cfg or settings()
    return add_business_hours(asked_at, cfg.urgent_response_hours if customer_waiting else cfg.first_response_hours,
                              cfg)


# ---- values in and out -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HelpInput:
    """What a person types when asking for help."""

    question: str  # what they were trying to do, one line
    touchpoint: str
    system: str = ""  # the catalog's code or name; "" when no system or document is involved
    details: str = ""
    customer_waiting: bool = False


@dataclass(frozen=True)
class SystemView:
    id: int
    code: str
    name: str
    kind: str
    active: bool


@dataclass(frozen=True)
class AssignmentView:
    id: int
    user_id: int
    user_name: str
    user_email: str
    system_code: str | None
    system_name: str | None
    touchpoint: str | None
    scope_label: str  # the system's name, or the touch point's label


@dataclass(frozen=True)
class AnswerView:
    id: int
    author_id: int
    author_name: str
    body: str
    created_at: datetime
    is_solution: bool
    by_ecoach: bool


@dataclass(frozen=True)
class RequestSummary:
    id: int
    question: str
    state: str
    state_label: str
    asker_name: str
    team_name: str
    touchpoint: str
    touchpoint_label: str
    system_name: str  # "" when none
    customer_waiting: bool
    created_at: datetime
    first_response_due: datetime | None
    first_response_at: datetime | None
    sla_status: str  # hero_core.sla.status words: met, missed, overdue, due soon, on time
    answers: int = 0
    idea_id: int | None = None


@dataclass(frozen=True)
class RequestView(RequestSummary):
    details: str = ""
    asker_id: int = 0
    answer_views: tuple[AnswerView, ...] = ()
    known_answer_id: int | None = None
    may_mark_solved: bool = False
    may_answer: bool = False


@dataclass(frozen=True)
class KnownAnswerView:
    id: int
    question: str
    answer: str
    touchpoint: str
    touchpoint_label: str
    system_name: str
    answered_by_name: str
    confirmed_by_name: str
    created_at: datetime
    outdated: bool
    outdated_reason: str
    request_id: int | None
    score: int | None = None  # similarity to the text searched for, 0..100


@dataclass(frozen=True)
class Roadblock:
    """A recurring roadblock: similar help requests at one system (or touch point) within the window."""

    request_ids: tuple[int, ...]
    size: int
    people: int
    teams: tuple[str, ...]  # team names
    touchpoint: str
    touchpoint_label: str
    system: str  # system code, "" when none
    system_name: str
    summary: str
    hours_waiting: float  # wall-clock hours from asking to the first answer (or now), summed
    first_at: datetime
    last_at: datetime
    idea_id: int | None = None  # promoted into this idea already
    askers: tuple[int, ...] = field(default=(), repr=False)


# ---- helpers -----------------------------------------------------------------------------------------------------


def _audit(s: Session, db: Database, actor: Actor, action: str, entity_type: str, entity_id: object,
           before=None, after=None, reason: str = "") -> None:
    aid, aemail = actor_ref(actor)
    audit.record(s, at=db.now(), actor_id=aid, actor_email=aemail, action=action, entity_type=entity_type,
                 entity_id=entity_id, before=before, after=after, reason=reason)


def _touchpoint_label(value: str) -> str:
    try:
        return TOUCHPOINT_LABELS[Touchpoint(value)]
    except ValueError:
        return value.replace("_", " ").capitalize()


def _system_by(s: Session, raw: str, *, active_only: bool = True) -> HelpSystem | None:
    """The catalog entry named by its code or name (case-insensitive); None for ""; InvalidInput when unknown."""
    text = (raw or "").strip()
    if not text:
        return None
    system = s.execute(select(HelpSystem).where(or_(func.lower(HelpSystem.code) == text.lower(),
                                                     func.lower(HelpSystem.name) == text.lower()))).scalars().first()
    if system is None or (active_only and not system.active):
        known = ", ".join(s.execute(select(HelpSystem.name).where(HelpSystem.active.is_(True))
                                    .order_by(HelpSystem.name)).scalars()) or "none yet"
        message = f"“{text}” is not a system or document in the catalog; choose one of: {known}"
        raise InvalidInput(message, fields={"system": message})
    return system


def _request_for_update(s: Session, request_id: object) -> HelpRequest:
    if not is_id(request_id):
        raise NotFound(f"There is no help request #{request_id}.")
    stmt = select(HelpRequest).where(HelpRequest.id == request_id)
    if s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    request = s.execute(stmt).scalar()
    if request is None:
        raise NotFound(f"There is no help request #{request_id}.")
    return request


def _names(s: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    ids = sorted({u for u in user_ids if u is not None})
    if not ids:
        return {}
    return {uid: name or email for uid, name, email in s.execute(
        select(User.id, User.name, User.email).where(User.id.in_(ids)))}


def ecoaches_for(s: Session, *, system_id: int | None, touchpoint: str) -> list[int]:
    """Active e-coaches assigned to this system or this touch point."""
    scope = EcoachAssignment.touchpoint == touchpoint
    if system_id is not None:
        scope = or_(scope, EcoachAssignment.system_id == system_id)
    return sorted(set(s.execute(
        select(EcoachAssignment.user_id).join(User, User.id == EcoachAssignment.user_id)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == Role.ECOACH.value))
        .where(scope, User.active.is_(True))).scalars()))


def _ecoach_ids(s: Session) -> set[int]:
    return set(s.execute(select(UserRole.user_id).where(UserRole.role == Role.ECOACH.value)).scalars())


# ---- the catalog and e-coach assignments (admins) ----------------------------------------------------------------


def add_system(db: Database, *, actor_id: int | None, code: str, name: str, kind: str = "system") -> int:
    """An admin adds a system or document people may ask about. Returns its id."""
    code_text, p1 = clean_text(code, "code", max_len=32, single_line=True)
    name_text, p2 = clean_text(name, "name", max_len=200, single_line=True)
    problems = [p for p in (p1, p2) if p]
    code_text = code_text.upper()
    if code_text and not all(c.isalnum() or c in "_-" for c in code_text):
        problems.append(f"code “{code_text}” may hold only letters, digits, - and _")
    if kind not in KIND_LABELS:
        problems.append(f"kind must be system or document, not “{kind}”")
    if problems:
        raise InvalidInput(problems)
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_help_catalog")
        clash = s.execute(select(HelpSystem.id).where(or_(func.upper(HelpSystem.code) == code_text,
                                                          func.lower(HelpSystem.name) == name_text.lower()))).first()
        if clash:
            raise InvalidInput(f"the catalog already has a system or document with code {code_text} or name "
                               f"“{name_text}”")
        system = HelpSystem(code=code_text, name=name_text, kind=kind, active=True, created_at=db.now())
        s.add(system)
        s.flush()
        _audit(s, db, actor, "help_system_added", "help_system", system.id, None,
               {"code": code_text, "name": name_text, "kind": kind})
        return system.id


def set_system_active(db: Database, *, actor_id: int | None, code: str, active: bool) -> None:
    """An admin retires a system or document from the catalog (old requests keep it), or brings it back."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_help_catalog")
        system = _system_by(s, code, active_only=False)
        if system is None:
            raise InvalidInput("choose a system or document")
        if system.active == active:
            return
        system.active = active
        _audit(s, db, actor, "help_system_" + ("restored" if active else "retired"), "help_system", system.id,
               {"active": not active}, {"active": active})


def list_systems(db: Database, *, include_inactive: bool = False) -> list[SystemView]:
    with db.read() as s:
        stmt = select(HelpSystem).order_by(HelpSystem.name)
        if not include_inactive:
            stmt = stmt.where(HelpSystem.active.is_(True))
        return [SystemView(x.id, x.code, x.name, x.kind, x.active) for x in s.execute(stmt).scalars()]


def assign_ecoach(db: Database, *, actor_id: int | None, email: str, system: str = "", touchpoint: str = "") -> int:
    """An admin makes someone the e-coach of one system (or document) or one touch point; they get the e-coach
    role if they lack it. Returns the assignment's id."""
    if bool((system or "").strip()) == bool((touchpoint or "").strip()):
        raise InvalidInput("choose either a system or document, or a touch point, for the e-coach")
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_help_catalog")
        user = s.execute(select(User).where(func.lower(User.email) == (email or "").strip().lower())).scalar()
        if user is None or not user.active:
            raise InvalidInput(f"nobody active has the email “{(email or '').strip()}”")
        sys_row = _system_by(s, system) if (system or "").strip() else None
        tp = None
        if sys_row is None:
            try:
                tp = parse_enum(Touchpoint, touchpoint, "touch point").value
            except ValueError as exc:
                raise InvalidInput(str(exc)) from None
        dup = s.execute(select(EcoachAssignment.id).where(
            EcoachAssignment.user_id == user.id,
            EcoachAssignment.system_id == sys_row.id if sys_row else EcoachAssignment.touchpoint == tp)).first()
        if dup:
            scope = sys_row.name if sys_row else _touchpoint_label(tp)
            raise InvalidInput(f"{user.name} is already e-coach for {scope}")
        role_added = s.get(UserRole, (user.id, Role.ECOACH.value)) is None
        if role_added:
            s.add(UserRole(user_id=user.id, role=Role.ECOACH.value))
        row = EcoachAssignment(user_id=user.id, system_id=sys_row.id if sys_row else None, touchpoint=tp,
                               created_at=db.now())
        s.add(row)
        s.flush()
        _audit(s, db, actor, "ecoach_assigned", "user", user.id, None,
               {"system": sys_row.code if sys_row else None, "touchpoint": tp, "role_added": role_added})
        return row.id


def unassign_ecoach(db: Database, *, actor_id: int | None, assignment_id: int) -> None:
    """An admin ends one e-coach assignment (the person keeps the role; roles are changed under People)."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "manage_help_catalog")
        row = s.get(EcoachAssignment, assignment_id) if is_id(assignment_id) else None
        if row is None:
            raise NotFound(f"There is no e-coach assignment #{assignment_id}.")
        system = s.get(HelpSystem, row.system_id) if row.system_id else None
        _audit(s, db, actor, "ecoach_unassigned", "user", row.user_id,
               {"system": system.code if system else None, "touchpoint": row.touchpoint}, None)
        s.delete(row)


def list_assignments(db: Database) -> list[AssignmentView]:
    with db.read() as s:
        rows = s.execute(
            select(EcoachAssignment.id, User.id, User.name, User.email, HelpSystem.code, HelpSystem.name,
                   EcoachAssignment.touchpoint)
            .join(User, User.id == EcoachAssignment.user_id)
            .outerjoin(HelpSystem, HelpSystem.id == EcoachAssignment.system_id)
            .order_by(User.name, HelpSystem.name, EcoachAssignment.touchpoint)).all()
        return [AssignmentView(a, u, n, e, sc, sn, tp, sn if sn else _touchpoint_label(tp or ""))
                for a, u, n, e, sc, sn, tp in rows]


# ---- asking ------------------------------------------------------------------------------------------------------


def _validate(s: Session, data: HelpInput) -> dict:
    problems: list[str] = []
    fields: dict[str, str] = {}

    def problem(name: str, message: str) -> None:
        problems.append(message)
        fields.setdefault(name, message)

    question, err = clean_text(data.question, FIELD_NAMES["question"], min_len=QUESTION_MIN, max_len=QUESTION_MAX,
                               single_line=True)
    if err:
        problem("question", err)
    details, err = clean_text(data.details, FIELD_NAMES["details"], required=False, max_len=DETAILS_MAX)
    if err:
        problem("details", err)
    touchpoint = ""
    try:
        touchpoint = parse_enum(Touchpoint, str(data.touchpoint or ""), FIELD_NAMES["touchpoint"]).value
    except ValueError as exc:
        problem("touchpoint", str(exc))
    system = None
    try:
        system = _system_by(s, str(data.system or ""))
    except InvalidInput as exc:
        problem("system", str(exc))
    if not isinstance(data.customer_waiting, bool):
        problem("customer_waiting", "whether a customer is waiting must be yes or no")
    if problems:
        raise InvalidInput(problems, fields=fields)
    return {"question": question, "details": details, "touchpoint": touchpoint,
            "system_id": system.id if system else None, "system_name": system.name if system else "",
            "customer_waiting": bool(data.customer_waiting)}


def ask(db: Database, *, actor_id: int, data: HelpInput) -> int:
    """Post a roadblock. The e-coaches of its system and touch point hear of it. Returns the request's id."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "ask_help")
        if actor is SYSTEM:
            raise PermissionDenied("help requests need a real person as asker")
        values = _validate(s, data)
        now = db.now()
        request = HelpRequest(asker_id=actor.id, team_id=actor.team_id, touchpoint=values["touchpoint"],
                              system_id=values["system_id"], question=values["question"], details=values["details"],
                              customer_waiting=values["customer_waiting"], state=OPEN, created_at=now,
                              updated_at=now, first_response_due=response_due(now, values["customer_waiting"]))
        s.add(request)
        s.flush()
        _audit(s, db, actor, "help_asked", "help_request", request.id, None,
               {"question": request.question, "touchpoint": request.touchpoint, "system": values["system_name"],
                "customer_waiting": request.customer_waiting})
        where = values["system_name"] or _touchpoint_label(request.touchpoint)
        urgent = " A customer is waiting." if request.customer_waiting else ""
        notifications.notify(
            s, db, user_ids=[u for u in ecoaches_for(s, system_id=request.system_id, touchpoint=request.touchpoint)
                             if u != actor.id],
            idea_id=None, help_request_id=request.id, kind="help_request",
            message=f"Help request #{request.id} from {actor.name} about {where}: “{request.question}”.{urgent}")
        return request.id


# ---- answering ---------------------------------------------------------------------------------------------------


def answer(db: Database, *, actor_id: int, request_id: int, body: str) -> int:
    """Anyone answers a request that is not solved yet (the asker may add to it). Returns the answer's id."""
    text, err = clean_text(body, FIELD_NAMES["body"], min_len=2, max_len=ANSWER_MAX)
    if err:
        raise InvalidInput(err, fields={"body": err})
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "answer_help")
        if actor is SYSTEM:
            raise PermissionDenied("answers need a real person as author")
        request = _request_for_update(s, request_id)
        if request.state == SOLVED:
            raise TransitionNotAllowed(f"Help request #{request.id} is solved already; ask a new question if "
                                       "the answer no longer works.")
        now = db.now()
        row = HelpAnswer(request_id=request.id, author_id=actor.id, body=text, created_at=now)
        s.add(row)
        before = {"state": request.state}
        if actor.id != request.asker_id:
            if request.first_response_at is None:
                request.first_response_at = now
                request.first_response_by = actor.id
            request.state = ANSWERED
        request.updated_at = now
        s.flush()
        _audit(s, db, actor, "help_answered", "help_request", request.id, before,
               {"state": request.state, "answer_id": row.id})
        if actor.id != request.asker_id:
            notifications.notify(s, db, user_ids=[request.asker_id], idea_id=None, help_request_id=request.id,
                                 kind="help_answer",
                                 message=f"{actor.name} answered your help request #{request.id} “{request.question}”. "
                                         "Mark the answer that solved it, so the next person finds it.")
        else:
            earlier = set(s.execute(select(HelpAnswer.author_id).where(HelpAnswer.request_id == request.id)).scalars())
            notifications.notify(s, db, user_ids=earlier - {actor.id}, idea_id=None, help_request_id=request.id,
                                 kind="help_answer",
                                 message=f"{actor.name} added to help request #{request.id} “{request.question}” "
                                         "that you answered.")
        return row.id


def mark_solved(db: Database, *, actor_id: int, request_id: int, answer_id: int) -> int:
    """The asker marks the answer that solved the roadblock; it becomes a known answer. Returns its id."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        request = _request_for_update(s, request_id)
        permissions.require(actor, "mark_help_solved", HelpFacts(asker_id=request.asker_id))
        if request.state == SOLVED:
            raise TransitionNotAllowed(f"Help request #{request.id} is solved already.")
        row = s.get(HelpAnswer, answer_id) if is_id(answer_id) else None
        if row is None or row.request_id != request.id:
            raise NotFound(f"Help request #{request.id} has no answer #{answer_id}.")
        now = db.now()
        request.state = SOLVED
        request.solved_at = now
        request.solution_id = row.id
        request.updated_at = now
        known = KnownAnswer(request_id=request.id, question=request.question, answer=row.body,
                            touchpoint=request.touchpoint, system_id=request.system_id, answered_by=row.author_id,
                            confirmed_by=actor.id, created_at=now, updated_at=now, outdated_reason="")
        s.add(known)
        s.flush()
        s.execute(insert(KnownAnswerTerm), known_answer_terms(known.id, known.question, known.answer))
        _audit(s, db, actor, "help_solved", "help_request", request.id, {"state": "answered"},
               {"state": SOLVED, "answer_id": row.id, "answered_by": row.author_id, "known_answer_id": known.id})
        if row.author_id != actor.id:
            notifications.notify(s, db, user_ids=[row.author_id], idea_id=None, help_request_id=request.id,
                                 kind="help_solved",
                                 message=f"Your answer solved help request #{request.id} “{request.question}” for "
                                         f"{actor.name}: it is a known answer now. Thank you.")
        return known.id


def mark_outdated(db: Database, *, actor_id: int, known_answer_id: int, reason: str) -> None:
    """An e-coach or admin marks a known answer outdated (the system or policy changed), saying why."""
    reason, err = clean_text(reason, "reason", max_len=2_000)
    if err:
        raise MissingInformation("Say why the answer is outdated (what changed), so people know what to ask."
                                 if not reason else err)
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "mark_answer_outdated")
        known = s.get(KnownAnswer, known_answer_id) if is_id(known_answer_id) else None
        if known is None:
            raise NotFound(f"There is no known answer #{known_answer_id}.")
        if known.outdated_at is not None:
            raise TransitionNotAllowed(f"Known answer #{known.id} was marked outdated already.")
        now = db.now()
        known.outdated_at, known.outdated_by, known.outdated_reason, known.updated_at = now, actor.id, reason, now
        _audit(s, db, actor, "known_answer_outdated", "known_answer", known.id, {"outdated": False},
               {"outdated": True}, reason)


def mark_current(db: Database, *, actor_id: int, known_answer_id: int) -> None:
    """Undo "outdated": the answer applies again."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "mark_answer_outdated")
        known = s.get(KnownAnswer, known_answer_id) if is_id(known_answer_id) else None
        if known is None:
            raise NotFound(f"There is no known answer #{known_answer_id}.")
        if known.outdated_at is None:
            return
        known.outdated_at, known.outdated_by, known.outdated_reason, known.updated_at = None, None, "", db.now()
        _audit(s, db, actor, "known_answer_current", "known_answer", known.id, {"outdated": True},
               {"outdated": False})


# ---- reading -----------------------------------------------------------------------------------------------------


def _summary_stmt():
    return (select(HelpRequest, User.name, Team.name, HelpSystem.name)
            .join(User, User.id == HelpRequest.asker_id)
            .outerjoin(Team, Team.id == HelpRequest.team_id)
            .outerjoin(HelpSystem, HelpSystem.id == HelpRequest.system_id))


def _summaries(s: Session, rows, now: datetime) -> list[RequestSummary]:
    rows = list(rows)
    ids = [r[0].id for r in rows]
    counts = dict(s.execute(select(HelpAnswer.request_id, func.count()).where(HelpAnswer.request_id.in_(ids))
                            .group_by(HelpAnswer.request_id)).all()) if ids else {}
    return [RequestSummary(
        id=r.id, question=r.question, state=r.state, state_label=STATE_LABELS[r.state], asker_name=asker or "",
        team_name=team or "", touchpoint=r.touchpoint, touchpoint_label=_touchpoint_label(r.touchpoint),
        system_name=system or "", customer_waiting=r.customer_waiting, created_at=r.created_at,
        first_response_due=r.first_response_due, first_response_at=r.first_response_at,
        sla_status=sla.status(r.first_response_due, r.first_response_at, now), answers=counts.get(r.id, 0),
        idea_id=r.idea_id) for r, asker, team, system in rows]


def get_request(db: Database, *, actor_id: int, request_id: int) -> RequestView:
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_help")
        if not is_id(request_id):
            raise NotFound(f"There is no help request #{request_id}.")
        row = s.execute(_summary_stmt().where(HelpRequest.id == request_id)).first()
        if row is None:
            raise NotFound(f"There is no help request #{request_id}.")
        summary = _summaries(s, [row], db.now())[0]
        request = row[0]
        answers = s.execute(select(HelpAnswer).where(HelpAnswer.request_id == request.id)
                            .order_by(HelpAnswer.created_at, HelpAnswer.id)).scalars().all()
        names = _names(s, [a.author_id for a in answers])
        coaches = _ecoach_ids(s)
        known_id = s.execute(select(KnownAnswer.id).where(KnownAnswer.request_id == request.id)).scalar()
        facts = HelpFacts(asker_id=request.asker_id)
        return RequestView(
            **summary.__dict__, details=request.details, asker_id=request.asker_id,
            answer_views=tuple(AnswerView(a.id, a.author_id, names.get(a.author_id, ""), a.body, a.created_at,
                                          a.id == request.solution_id, a.author_id in coaches) for a in answers),
            known_answer_id=known_id,
            may_mark_solved=request.state != SOLVED and permissions.allowed(actor, "mark_help_solved", facts),
            may_answer=request.state != SOLVED and permissions.allowed(actor, "answer_help"))


def my_requests(db: Database, *, actor_id: int, limit: int = 200) -> list[RequestSummary]:
    """The person's own requests, newest first."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "ask_help")
        rows = s.execute(_summary_stmt().where(HelpRequest.asker_id == actor.id)
                         .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc()).limit(limit)).all()
        return _summaries(s, rows, db.now())


def my_scope(db: Database, *, actor_id: int) -> tuple[list[str], list[str]]:
    """(system names, touch point labels) this person is e-coach for."""
    with db.read() as s:
        rows = s.execute(select(HelpSystem.name, EcoachAssignment.touchpoint)
                         .select_from(EcoachAssignment)
                         .outerjoin(HelpSystem, HelpSystem.id == EcoachAssignment.system_id)
                         .where(EcoachAssignment.user_id == actor_id)).all()
        return (sorted(n for n, _ in rows if n), sorted(_touchpoint_label(t) for _, t in rows if t))


def _queue_scope(s: Session, actor: Actor) -> list:
    """The conditions of this person's queue: the systems and touch points they are e-coach for (none: all)."""
    mine = s.execute(select(EcoachAssignment.system_id, EcoachAssignment.touchpoint)
                     .where(EcoachAssignment.user_id == actor.id)).all()
    systems = [x for x, _ in mine if x is not None]
    touchpoints = [t for _, t in mine if t is not None]
    if systems or touchpoints:
        return [or_(HelpRequest.system_id.in_(systems), HelpRequest.touchpoint.in_(touchpoints))]
    return []


def queue_count(db: Database, *, actor_id: int) -> int:
    """How many requests wait for a first answer in this person's queue (as `queue` with mine_only)."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_help_queue")
        return s.execute(select(func.count(HelpRequest.id))
                         .where(HelpRequest.state == OPEN, *_queue_scope(s, actor))).scalar() or 0


def queue(db: Database, *, actor_id: int, mine_only: bool = True, include_answered: bool = False,
          limit: int = 200) -> list[RequestSummary]:
    """The live queue: requests waiting for a first answer (and, if asked, answered but not solved), a waiting
    customer first, then the longest wait. `mine_only`: the systems and touch points the person is e-coach for
    (everything when they have no assignment)."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_help_queue")
        scope = _queue_scope(s, actor) if mine_only else []
        # One query per state and urgency, each reading the queue index (state, customer_waiting, created_at) in
        # order and stopping at `limit`: one query over both would sort every waiting request first.
        found = []
        for state in [OPEN, ANSWERED] if include_answered else [OPEN]:
            for waiting in (True, False):
                found += s.execute(_summary_stmt().where(
                    HelpRequest.state == state, HelpRequest.customer_waiting.is_(waiting), *scope)
                    .order_by(HelpRequest.created_at, HelpRequest.id).limit(limit)).all()
        found.sort(key=lambda row: (not row[0].customer_waiting, row[0].created_at, row[0].id))
        return _summaries(s, found[:limit], db.now())


# ---- known answers -----------------------------------------------------------------------------------------------


def _known_views(s: Session, rows, scores: dict[int, int] | None = None) -> list[KnownAnswerView]:
    rows = list(rows)
    names = _names(s, [k.answered_by for k, _ in rows] + [k.confirmed_by for k, _ in rows])
    return [KnownAnswerView(k.id, k.question, k.answer, k.touchpoint, _touchpoint_label(k.touchpoint), system or "",
                            names.get(k.answered_by, ""), names.get(k.confirmed_by, ""), k.created_at,
                            k.outdated_at is not None, k.outdated_reason or "", k.request_id,
                            (scores or {}).get(k.id)) for k, system in rows]


#: The longest text compared with the known answers (a question and its details, with room to spare).
SEARCH_MAX_CHARS = 6_000


def search_known(db: Database, *, actor_id: int, text: str = "", system: str = "", touchpoint: str = "",
                 include_outdated: bool = False, limit: int = 20) -> list[KnownAnswerView]:
    """Known answers most like `text` (best first, each scored), or the newest when `text` is empty; narrowed to
    a system (code or name) or a touch point when given."""
    if not isinstance(text, str):
        text = ""
    if len(text) > SEARCH_MAX_CHARS:
        raise InvalidInput(f"The text to look for is too long ({len(text):,} characters): at most "
                           f"{SEARCH_MAX_CHARS:,} are compared.")
    limit = max(1, min(int(limit), 100))
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_help")
        sys_row = _system_by(s, system, active_only=False) if (system or "").strip() else None
        tp = parse_enum(Touchpoint, touchpoint, "touch point").value if (touchpoint or "").strip() else None
        filters = []
        if sys_row is not None:
            filters.append(KnownAnswer.system_id == sys_row.id)
        if tp is not None:
            filters.append(KnownAnswer.touchpoint == tp)
        if not include_outdated:
            filters.append(KnownAnswer.outdated_at.is_(None))
        base = (select(KnownAnswer, HelpSystem.name).outerjoin(HelpSystem, HelpSystem.id == KnownAnswer.system_id)
                .where(*filters))
        if not text.strip():
            rows = s.execute(base.order_by(KnownAnswer.created_at.desc(), KnownAnswer.id.desc()).limit(limit)).all()
            return _known_views(s, rows)
        candidates = _candidates(s, text, filters, limit=max(3 * limit, 30))
        if not candidates:
            return []
        score_of = dict(candidates)
        rows = s.execute(base.where(KnownAnswer.id.in_(list(score_of)))).all()
        hits = rerank(text, [(k.id, score_of[k.id], k.question) for k, _ in rows])[:limit]
        by_id = {k.id: (k, name) for k, name in rows}
        return _known_views(s, [by_id[h.id] for h in hits], {h.id: h.score for h in hits})


def _candidates(s: Session, text: str, filters: list, *, limit: int) -> list[tuple[int, float]]:
    """(known answer id, 0..1) of the known answers sharing the question's rarest terms, weighted by rarity (idf),
    read from the database's inverted index (known_answer_terms) within the search's filters. Every term's
    postings are read up to COMMON_TERM (newest first), so a keystroke reads a bounded number of index entries
    however large the company: a term that common says little about which answer fits, and the re-ranking on
    wording (rerank) still sees it."""
    query = [int(t) for t in term_hashes(text)[:MAX_QUERY_TERMS]]
    if not query:
        return []
    capped = [select(KnownAnswerTerm.term).where(KnownAnswerTerm.term == t).limit(COMMON_TERM + 1).subquery()
              for t in query]
    counted = union_all(*(select(c.c.term, func.count().label("n")).group_by(c.c.term) for c in capped)).subquery()
    df = dict(s.execute(select(counted.c.term, counted.c.n)).all())
    if not df:
        return []
    n = max(s.execute(select(func.max(KnownAnswer.id))).scalar() or 1, COMMON_TERM * 10)  # about how many
    idf = {t: math.log((1 + n) / (1 + c)) + 1 for t, c in df.items()}
    total = sum(idf.values()) + (len(query) - len(df))  # a term no answer has still counts against a match
    chosen = choose_terms(df)
    parts = [select(KnownAnswerTerm.known_answer_id.label("k"), literal(idf[t]).label("w"))
             .where(KnownAnswerTerm.term == t).order_by(KnownAnswerTerm.known_answer_id.desc())
             .limit(COMMON_TERM).subquery() for t in chosen]
    postings = union_all(*(select(p.c.k, p.c.w) for p in parts)).subquery()
    stmt = select(postings.c.k, func.sum(postings.c.w))
    if filters:
        stmt = stmt.join(KnownAnswer, KnownAnswer.id == postings.c.k).where(*filters)
    rows = s.execute(stmt.group_by(postings.c.k)
                     .order_by(func.sum(postings.c.w).desc(), postings.c.k.desc()).limit(limit)).all()
    return [(kid, min(1.0, w / total)) for kid, w in rows if w / total * 100 >= MIN_SCORE / 2]


MAX_QUERY_TERMS = 24
COMMON_TERM = 2_000  # postings read per term at most


def suggest_known(db: Database, *, actor_id: int, text: str, limit: int = 5) -> list[KnownAnswerView]:
    """Known answers (current ones) like what the person is typing, for the "Ask for help" form."""
    if not isinstance(text, str) or len(text.strip()) < 3:
        return []
    return search_known(db, actor_id=actor_id, text=text[:SEARCH_MAX_CHARS], limit=limit)


def get_known(db: Database, *, actor_id: int, known_answer_id: int) -> KnownAnswerView:
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_help")
        if not is_id(known_answer_id):
            raise NotFound(f"There is no known answer #{known_answer_id}.")
        rows = s.execute(select(KnownAnswer, HelpSystem.name)
                         .outerjoin(HelpSystem, HelpSystem.id == KnownAnswer.system_id)
                         .where(KnownAnswer.id == known_answer_id)).all()
        if not rows:
            raise NotFound(f"There is no known answer #{known_answer_id}.")
        return _known_views(s, rows)[0]


# ---- recurring roadblocks ----------------------------------------------------------------------------------------

RECURRING_DAYS = 90  # the window looked at, by default
RECURRING_MIN_SIZE = 3  # requests in a group before it counts as recurring
RECURRING_MIN_PEOPLE = 2  # ... from at least this many people
WORDING_THRESHOLD = 0.45  # how alike two requests' wording must be (cosine of their term sets)


def _recurring(s: Session, *, now: datetime, days: int, include_promoted: bool = True) -> list[Roadblock]:
    since = now - timedelta(days=days)
    window = (HelpRequest.created_at >= since, HelpRequest.created_at <= now)
    # Same system; a request about no system groups with others of its touch point. One scope's requests are read
    # at a time (a quarter's rows at once cost most of the memory; measured: docs/help.md), only scopes with enough
    # requests to make a group.
    scopes = [(("system", system_id), HelpRequest.system_id == system_id) for system_id, in s.execute(
        select(HelpRequest.system_id).where(*window, HelpRequest.system_id.is_not(None))
        .group_by(HelpRequest.system_id).having(func.count() >= RECURRING_MIN_SIZE)).all()]
    scopes += [(("touchpoint", touchpoint), and_(HelpRequest.system_id.is_(None), HelpRequest.touchpoint == touchpoint))
               for touchpoint, in s.execute(
                   select(HelpRequest.touchpoint).where(*window, HelpRequest.system_id.is_(None))
                   .group_by(HelpRequest.touchpoint).having(func.count() >= RECURRING_MIN_SIZE)).all()]
    where = str(s.get_bind().url)
    systems = {x.id: (x.code, x.name) for x in s.execute(select(HelpSystem)).scalars()}
    teams = dict(s.execute(select(Team.id, Team.name)).all())
    found: list[Roadblock] = []
    for scope_key, scope in scopes:
        members = s.execute(
            select(HelpRequest.id, HelpRequest.asker_id, HelpRequest.team_id, HelpRequest.touchpoint,
                   HelpRequest.system_id, HelpRequest.question, HelpRequest.created_at,
                   HelpRequest.first_response_at, HelpRequest.idea_id)
            .where(*window, scope).order_by(HelpRequest.id)).all()
        if len(members) < RECURRING_MIN_SIZE:
            continue
        for group, typical in _scope_groups(members, kept_as=(where, scope_key, days)):
            rs = [members[i] for i in group.tolist()]
            askers = {r.asker_id for r in rs}
            if len(rs) < RECURRING_MIN_SIZE or len(askers) < RECURRING_MIN_PEOPLE:
                continue
            ideas = [r.idea_id for r in rs if r.idea_id is not None]
            if ideas and not include_promoted:
                continue
            touchpoints = [r.touchpoint for r in rs]
            touchpoint = max(set(touchpoints), key=touchpoints.count)
            code, name = systems.get(rs[0].system_id, ("", ""))
            waited = sum(((r.first_response_at or now) - r.created_at).total_seconds() for r in rs) / 3600
            found.append(Roadblock(
                request_ids=tuple(r.id for r in rs), size=len(rs), people=len(askers),
                teams=tuple(sorted({teams[r.team_id] for r in rs if r.team_id in teams})),
                touchpoint=touchpoint, touchpoint_label=_touchpoint_label(touchpoint), system=code,
                system_name=name, summary=rs[typical].question,
                hours_waiting=round(waited, 1), first_at=min(r.created_at for r in rs),
                last_at=max(r.created_at for r in rs), idea_id=max(set(ideas), key=ideas.count) if ideas else None,
                askers=tuple(sorted(askers))))
    found.sort(key=lambda r: (-r.people, -len(r.teams), -r.hours_waiting, -r.size, r.request_ids[0]))
    return found


def _scope_groups(members: list, *, kept_as: tuple) -> tuple[tuple[np.ndarray, int], ...]:
    """The groups of one scope's requests (positions in `members`, ordered by id) with each group's most typical
    request. The grouping is a function of the questions alone, in order, so it is kept per process under them
    (hashed): an answer, a promotion or a request asked about another system reuses it. A scope whose requests
    changed (a new one, old ones out of the window) is grouped again from its last grouping (`kept_as`: the
    database, scope and window), at the cost of the requests that came or went (help_text.ScopeGrouping)."""
    digest = hashlib.sha256()
    for m in members:
        digest.update(m.question.encode())
        digest.update(b"\x00")
    key = (WORDING_THRESHOLD, RECURRING_MIN_SIZE, digest.digest())
    with _RECURRING_LOCK:
        if key in _SCOPE_GROUPS:
            return _SCOPE_GROUPS[key]
        state = _SCOPE_STATES.pop(kept_as, None)  # taken: no two looks change one state at once
    if state is None:
        state = ScopeGrouping(threshold=WORDING_THRESHOLD, min_size=RECURRING_MIN_SIZE)
    known: dict[str, np.ndarray] = {}  # a question asked again word for word is turned into terms once
    sets = [known[m.question] if m.question in known else known.setdefault(m.question, term_columns(m.question))
            for m in members]
    del known
    groups = tuple((np.array(g, dtype=np.int32), central_of_sets([sets[i] for i in g]))
                   for g in state.groups(sets))
    with _RECURRING_LOCK:
        _SCOPE_GROUPS[key] = groups
        while len(_SCOPE_GROUPS) > _SCOPES_KEPT:
            _SCOPE_GROUPS.pop(next(iter(_SCOPE_GROUPS)))
        _SCOPE_STATES[kept_as] = state
        while len(_SCOPE_STATES) > _STATES_KEPT:
            _SCOPE_STATES.pop(next(iter(_SCOPE_STATES)))
    return groups


def recurring_roadblocks(db: Database, *, actor_id: int | None, days: int = RECURRING_DAYS,
                         include_promoted: bool = True) -> list[Roadblock]:
    """Similar requests at one system (or touch point) over the last `days`, grouped; the most people, then teams,
    then hours waiting first."""
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3_660:
        raise InvalidInput(f"the window must be a whole number of days from 1 to 3660, not {days!r}")
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_roadblocks")
        now = db.now()
        # Grouping a quarter's requests is slow at company scale (docs/help.md): the answer is kept per process until a
        # request is asked, answered or promoted (the table's count, highest id and latest change) or the hour
        # turns; each scope's grouping is kept under its questions (_scope_groups), so only a changed scope is
        # grouped again.
        version = tuple(s.execute(select(
            select(func.count()).select_from(HelpRequest).scalar_subquery(),
            select(func.max(HelpRequest.id)).scalar_subquery(),
            select(func.max(HelpRequest.updated_at)).scalar_subquery())).one())
        key = (db.url, days, include_promoted, version, now.replace(minute=0, second=0, microsecond=0))
        with _RECURRING_LOCK:
            if key in _RECURRING:
                return list(_RECURRING[key])
        found = _recurring(s, now=now, days=days, include_promoted=include_promoted)
        with _RECURRING_LOCK:
            _RECURRING[key] = tuple(found)
            while len(_RECURRING) > 4:
                _RECURRING.pop(next(iter(_RECURRING)))
        return found


_RECURRING: dict[tuple, tuple[Roadblock, ...]] = {}
_RECURRING_LOCK = threading.Lock()
_SCOPES_KEPT = 64  # scopes' groupings kept, the oldest dropped first: a few windows' worth of systems
_SCOPE_GROUPS: dict[tuple, tuple[tuple[np.ndarray, int], ...]] = {}  # positions as int32: small
_STATES_KEPT = 12  # scopes kept up to date (a few MB each at company scale): one window of a dozen systems
_SCOPE_STATES: dict[tuple, ScopeGrouping] = {}


def evidence_text(roadblock: Roadblock, *, where: str) -> str:
    """What a promoted idea's roadblock says: the requests, counts and teams, for its review."""
    ids = ", ".join(f"#{i}" for i in roadblock.request_ids[:60])
    more = f" and {roadblock.size - 60} more" if roadblock.size > 60 else ""
    return (f"Recurring roadblock at {where}: {roadblock.size} help requests from {roadblock.people} people in "
            f"{len(roadblock.teams)} team{'s' if len(roadblock.teams) != 1 else ''} ({', '.join(roadblock.teams)}) "
            f"between {roadblock.first_at:%Y-%m-%d} and {roadblock.last_at:%Y-%m-%d}, "
            f"{roadblock.hours_waiting:,.0f} hours waiting for a first answer in all.\n"
            f"Typical question: “{roadblock.summary}”\n"
            f"Help requests: {ids}{more}.")


def promote_roadblock(db: Database, *, actor_id: int, request_ids: Sequence[int], title: str, proposal: str,
                      category: str, involves_technology: bool = False, target_metrics: Sequence[str] = (),
                      days: int = RECURRING_DAYS) -> int:
    """An e-coach or manager turns a recurring roadblock into an idea, submitted for review. The idea's roadblock
    carries the evidence (requests, counts, teams); the requests link to it; their askers follow it and are told.
    Promoting the same requests again (a double click) finds the same idea. Returns the idea's id."""
    from hero_core.services import ideas  # a service calling another's public function; no cycle at import

    ids = sorted({int(i) for i in request_ids if is_id(i)})
    if len(ids) != len(set(request_ids)) or not ids:
        raise InvalidInput("choose the help requests of one recurring roadblock")
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "promote_roadblock")
        rows = s.execute(select(HelpRequest).where(HelpRequest.id.in_(ids))).scalars().all()
        if len(rows) != len(ids):
            missing = sorted(set(ids) - {r.id for r in rows})
            raise NotFound(f"There is no help request {', '.join(f'#{m}' for m in missing)}.")
        promoted = sorted({r.idea_id for r in rows if r.idea_id is not None})
        now = db.now()
        teams = dict(s.execute(select(Team.id, Team.name)).all())
        system = s.get(HelpSystem, rows[0].system_id) if rows[0].system_id else None
        touchpoints = [r.touchpoint for r in rows]
        touchpoint = max(set(touchpoints), key=touchpoints.count)
        roadblock = Roadblock(
            request_ids=tuple(ids), size=len(rows), people=len({r.asker_id for r in rows}),
            teams=tuple(sorted({teams[r.team_id] for r in rows if r.team_id in teams})), touchpoint=touchpoint,
            touchpoint_label=_touchpoint_label(touchpoint), system=system.code if system else "",
            system_name=system.name if system else "", summary=rows[central([r.question for r in rows])].question,
            hours_waiting=round(sum(((r.first_response_at or now) - r.created_at).total_seconds() for r in rows)
                                / 3600, 1),
            first_at=min(r.created_at for r in rows), last_at=max(r.created_at for r in rows),
            askers=tuple(sorted({r.asker_id for r in rows})))
    token = hashlib.sha256(f"roadblock:{actor.id}:{','.join(map(str, ids))}".encode()).hexdigest()[:40]
    if promoted:
        with db.read() as s:
            mine = s.execute(select(Idea.id).where(Idea.submitter_id == actor.id, Idea.form_token == token)).scalar()
        if mine is None or promoted != [mine]:
            raise TransitionNotAllowed(
                f"Some of these help requests were promoted already, into idea #{promoted[0]}: support that idea.")
        return mine
    where = " · ".join(x for x in (roadblock.system_name, roadblock.touchpoint_label) if x)
    data = ideas.IdeaInput(title=title, roadblock=evidence_text(roadblock, where=where), proposal=proposal,
                           touchpoint=touchpoint, category=category, involves_technology=involves_technology,
                           target_metrics=tuple(target_metrics))
    idea_id = ideas.create_idea(db, actor_id=actor.id, data=data, submit=True, form_token=token)
    with db.write() as s:
        actor = load_actor(s, actor_id)
        rows = s.execute(select(HelpRequest).where(HelpRequest.id.in_(ids))).scalars().all()
        now = db.now()
        for r in rows:
            r.idea_id = idea_id
            r.updated_at = now
        following = set(s.execute(select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea_id)).scalars())
        active = set(s.execute(select(User.id).where(User.id.in_(roadblock.askers), User.active.is_(True))).scalars())
        new_followers = sorted(active - following - {actor.id})
        for user_id in new_followers:
            s.add(IdeaFollow(idea_id=idea_id, user_id=user_id, created_at=now))
        s.flush()
        _audit(s, db, actor, "roadblock_promoted", "idea", idea_id, None,
               {"help_requests": ids, "size": roadblock.size, "people": roadblock.people,
                "teams": list(roadblock.teams), "followers_added": new_followers})
        notifications.notify(s, db, user_ids=new_followers, idea_id=idea_id, kind="followed",
                             message=f"Your help request became part of idea #{idea_id} “{title.strip()}”: "
                                     f"{roadblock.size} colleagues hit the same roadblock. You follow the idea now.")
    return idea_id


def requests_of_idea(db: Database, *, actor_id: int, idea_id: int) -> list[RequestSummary]:
    """The help requests an idea was promoted from: its evidence."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_help")
        rows = s.execute(_summary_stmt().where(HelpRequest.idea_id == idea_id).order_by(HelpRequest.id)).all()
        return _summaries(s, rows, db.now())


# ---- the e-coach promise kept, per team and quarter --------------------------------------------------------------


@dataclass(frozen=True)
class PromiseRow:
    team_code: str
    team_name: str
    quarter: str  # e.g. '2026Q4', of the day the request was asked
    requests: int  # requests whose first response was due in the quarter (asked, and due by now)
    kept: int  # ... first answered by someone else within the service level
    share: float | None  # kept / requests (None when no request)


def ecoach_promise_kept(db: Database, *, actor_id: int | None, since: date | None = None,
                        until: date | None = None) -> list[PromiseRow]:
    """Per asker's team and quarter: the share of help requests first-answered within the service level. A request
    counts once its deadline has passed or it was answered; unanswered and overdue counts as not kept. For the
    compact scorecard (e-coaches' promise)."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_scorecard")
        now = db.now()
        # Aggregated in the database (one row per team and quarter): the Python loop it replaces took 11 s over
        # 500,000 requests.
        # The quarter in UTC, as the scorecard's (PostgreSQL would extract it in the session's zone).
        dialect = s.get_bind().dialect.name
        quarter = lifecycle_sql.quarter_expr(dialect, lifecycle_sql.utc(dialect, HelpRequest.created_at))
        kept = func.sum(case((HelpRequest.first_response_at <= HelpRequest.first_response_due, 1), else_=0))
        stmt = (select(Team.code, Team.name, quarter, func.count(), kept)
                .join(Team, Team.id == HelpRequest.team_id)
                .where(or_(HelpRequest.first_response_at.is_not(None), HelpRequest.first_response_due < now)))
        if since is not None:
            stmt = stmt.where(HelpRequest.created_at >= datetime.combine(since, datetime.min.time(), now.tzinfo))
        if until is not None:
            stmt = stmt.where(HelpRequest.created_at < datetime.combine(until, datetime.min.time(), now.tzinfo))
        totals: dict[tuple, list[int]] = {}
        for code, name, q, n, k in s.execute(stmt.group_by(Team.code, Team.name, quarter)):
            cell = totals.setdefault((code, name, q), [0, 0])
            cell[0] += int(n)
            cell[1] += int(k or 0)
        return [PromiseRow(code, name, q, n, k, k / n if n else None)
                for (code, name, q), (n, k) in sorted(totals.items(), key=lambda kv: (kv[0][2], kv[0][0]))]


# ---- credit for helping (for the Hall of HEROs and its badges) -----------------------------------------------------


@dataclass(frozen=True)
class HelperCredit:
    user_id: int
    name: str
    team_name: str
    solved: int  # answers the asker marked as the one that solved their roadblock
    answers: int  # answers to other people's requests


def solved_for_others(stmt):
    """`stmt` over the answers that solved someone else's roadblock (the asker marked them; one's own answer to
    one's own question does not count): the one rule for helping credits and the Hall of HEROs' badge."""
    return (stmt.select_from(HelpAnswer).join(HelpRequest, HelpRequest.solution_id == HelpAnswer.id)
            .where(HelpAnswer.author_id != HelpRequest.asker_id, HelpRequest.solved_at.is_not(None)))


def helping_credits(db: Database, *, actor_id: int | None, since: date | None = None,
                    limit: int = 50) -> list[HelperCredit]:
    """Who helped colleagues most: answers marked as solving someone else's roadblock, then answers given (not to
    one's own request), since `since`. For the Hall of HEROs and its "helped a colleague" badge."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_heroes")
        start = datetime.combine(since, datetime.min.time(), db.now().tzinfo) if since else None
        answered = (select(HelpAnswer.author_id.label("uid"), func.count().label("n"))
                    .join(HelpRequest, HelpRequest.id == HelpAnswer.request_id)
                    .where(HelpAnswer.author_id != HelpRequest.asker_id))
        solved = solved_for_others(select(HelpAnswer.author_id.label("uid"), func.count().label("n")))
        if start is not None:
            answered = answered.where(HelpAnswer.created_at >= start)
            solved = solved.where(HelpRequest.solved_at >= start)
        a = answered.group_by(HelpAnswer.author_id).subquery()
        sv = solved.group_by(HelpAnswer.author_id).subquery()
        rows = s.execute(select(User.id, User.name, Team.name, func.coalesce(sv.c.n, 0), a.c.n)
                         .join(a, a.c.uid == User.id).outerjoin(sv, sv.c.uid == User.id)
                         .outerjoin(Team, Team.id == User.team_id)
                         .order_by(func.coalesce(sv.c.n, 0).desc(), a.c.n.desc(), User.id).limit(limit)).all()
        return [HelperCredit(uid, name, team or "", int(ns), int(na)) for uid, name, team, ns, na in rows]
