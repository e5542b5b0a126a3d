"""Job aids: a short how-to for the people who must work a piloted or scaled idea's new way — steps, where it
applies, links. The HERO who proposed the idea or an IT champion writes it; every save is a new version; an
e-coach (never the version's writer) checks a version, and the latest checked version is what the idea's pilot
teams see and what everyone finds in a search. Writing and checking are audited and notified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from hero_core import audit, permissions
from hero_core.db import Database
from hero_core.errors import InvalidInput, NotFound, PermissionDenied
from hero_core.lifecycle import LAUNCHED_STATES
from hero_core.models import Idea, IdeaPilotTeam, JobAid, User, UserRole
from hero_core.services import lifecycle_sql, notifications
from hero_core.services.common import actor_ref, clean_text, is_id, load_actor
from hero_core.vocab import STATE_LABELS, Role, State


@dataclass(frozen=True)
class JobAidView:
    id: int
    idea_id: int
    idea_title: str
    version: int
    title: str
    steps: str
    applies_where: str
    links: str
    written_by_name: str
    written_at: datetime
    checked_by_name: str | None
    checked_at: datetime | None
    written_by_id: int = 0

    @property
    def checked(self) -> bool:
        return self.checked_at is not None


def _facts(idea) -> permissions.IdeaFacts:
    return permissions.IdeaFacts(submitter_id=idea.submitter_id, team_id=idea.team_id, state=State(idea.state))


def write_job_aid(db: Database, *, actor_id: int, idea_id: int, title: str, steps: str, applies_where: str = "",
                  links: str = "") -> int:
    """Save a new version of the idea's job aid; returns its version number. It waits for an e-coach's check."""
    title_text, p1 = clean_text(title, "Title", max_len=200, single_line=True)
    steps_text, p2 = clean_text(steps, "Steps", min_len=10, max_len=10_000)
    where_text, p3 = clean_text(applies_where, "Where it applies", required=False, max_len=2_000)
    links_text, p4 = clean_text(links, "Links", required=False, max_len=2_000)
    problems = {f: p for f, p in (("title", p1), ("steps", p2), ("applies_where", p3), ("links", p4)) if p}
    if problems:
        raise InvalidInput(list(problems.values()), fields=problems)
    with db.write() as s:
        actor = load_actor(s, actor_id)
        idea = s.execute(select(Idea.id, Idea.title, Idea.submitter_id, Idea.team_id, Idea.state)
                         .where(Idea.id == idea_id).with_for_update()).one_or_none() if is_id(idea_id) else None
        if idea is None or idea.state == State.DRAFT:
            raise NotFound(f"Idea #{idea_id} does not exist.")
        permissions.require(actor, "write_job_aid", _facts(idea))
        if State(idea.state) not in LAUNCHED_STATES:
            raise InvalidInput(f"Idea #{idea_id} is {STATE_LABELS[State(idea.state)].lower()}: job aids are written "
                               "for piloting, scaling or scaled ideas.")
        version = (s.execute(select(func.max(JobAid.version)).where(JobAid.idea_id == idea_id)).scalar() or 0) + 1
        now = db.now()
        aid = JobAid(idea_id=idea_id, version=version, title=title_text, steps=steps_text, applies_where=where_text,
                     links=links_text, written_by=actor.id, written_at=now)
        s.add(aid)
        s.flush()
        a_id, email = actor_ref(actor)
        audit.record(s, at=now, actor_id=a_id, actor_email=email, action="job_aid_written", entity_type="job_aid",
                     entity_id=aid.id, after={"idea_id": idea_id, "version": version, "title": title_text})
        coaches = s.execute(select(UserRole.user_id).join(User, User.id == UserRole.user_id)
                            .where(UserRole.role == Role.ECOACH.value, User.active.is_(True),
                                   User.id != actor.id)).scalars().all()
        notifications.notify(s, db, user_ids=coaches, idea_id=idea_id, kind="job_aid",
                             message=f"Version {version} of the job aid for idea #{idea_id} “{idea.title}” waits for "
                                     "an e-coach's check (Job aids page).")
        return version


def check_job_aid(db: Database, *, actor_id: int, job_aid_id: int) -> None:
    """An e-coach confirms a version: from then on it is what the idea's teams see."""
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "check_job_aid")
        aid = s.get(JobAid, job_aid_id, with_for_update=True) if is_id(job_aid_id) else None
        if aid is None:
            raise NotFound(f"Job aid #{job_aid_id} does not exist.")
        if aid.written_by == actor.id:
            raise PermissionDenied("A job aid is checked by another e-coach than the person who wrote it.")
        if aid.checked_at is not None:
            raise InvalidInput(f"Version {aid.version} of this job aid was already checked on "
                               f"{aid.checked_at:%Y-%m-%d}.")
        now = db.now()
        aid.checked_by, aid.checked_at = actor.id, now
        a_id, email = actor_ref(actor)
        audit.record(s, at=now, actor_id=a_id, actor_email=email, action="job_aid_checked", entity_type="job_aid",
                     entity_id=aid.id, before={"checked": False}, after={"checked": True, "version": aid.version})
        notifications.notify(s, db, user_ids=[aid.written_by], idea_id=aid.idea_id, kind="job_aid",
                             message=f"Version {aid.version} of your job aid for idea #{aid.idea_id} was checked by "
                                     f"{actor.name}; the idea's teams see it now.")


def _stmt():
    writer = select(User.name).where(User.id == JobAid.written_by).scalar_subquery()
    checker = select(User.name).where(User.id == JobAid.checked_by).scalar_subquery()
    return select(JobAid, Idea.title, writer, checker).join(Idea, Idea.id == JobAid.idea_id)


def _views(rows) -> list[JobAidView]:
    return [JobAidView(a.id, a.idea_id, idea_title, a.version, a.title, a.steps, a.applies_where, a.links,
                       writer or "", a.written_at, checker, a.checked_at, a.written_by)
            for a, idea_title, writer, checker in rows]


def _latest_checked():
    """The latest checked version of each idea's job aid (a subquery of ids)."""
    latest = (select(JobAid.idea_id, func.max(JobAid.version).label("v"))
              .where(JobAid.checked_at.is_not(None)).group_by(JobAid.idea_id).subquery())
    return select(JobAid.id).join(latest, (latest.c.idea_id == JobAid.idea_id) & (latest.c.v == JobAid.version))


def for_my_team(db: Database, *, actor_id: int) -> list[JobAidView]:
    """The checked job aids of the launched ideas that reach this person's team (its pilot teams)."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        if actor.team_id is None:
            return []
        rows = s.execute(_stmt().where(
            JobAid.id.in_(_latest_checked()), lifecycle_sql.in_states(LAUNCHED_STATES),
            JobAid.idea_id.in_(select(IdeaPilotTeam.idea_id).where(IdeaPilotTeam.team_id == actor.team_id)))
            .order_by(JobAid.idea_id)).all()
        return _views(rows)


def search(db: Database, *, actor_id: int, text: str = "", limit: int = 50) -> list[JobAidView]:
    """Checked job aids whose title, steps or where they apply contain every word of `text` (all of them if "")."""
    with db.read() as s:
        load_actor(s, actor_id)
        stmt = _stmt().where(JobAid.id.in_(_latest_checked()))
        for word in (text or "").split()[:8]:
            like = f"%{word.lower()}%"
            stmt = stmt.where(or_(func.lower(JobAid.title).like(like), func.lower(JobAid.steps).like(like),
                                  func.lower(JobAid.applies_where).like(like), func.lower(Idea.title).like(like)))
        return _views(s.execute(stmt.order_by(JobAid.written_at.desc()).limit(limit)).all())


def waiting_for_check(db: Database, *, actor_id: int) -> list[JobAidView]:
    """Versions no e-coach has checked yet, oldest first (for e-coaches)."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "check_job_aid")
        return _views(s.execute(_stmt().where(JobAid.checked_at.is_(None)).order_by(JobAid.written_at)).all())


def versions(db: Database, *, actor_id: int, idea_id: int) -> list[JobAidView]:
    """Every version of one idea's job aid, newest first."""
    with db.read() as s:
        load_actor(s, actor_id)
        return _views(s.execute(_stmt().where(JobAid.idea_id == idea_id).order_by(JobAid.version.desc())).all())


def ideas_i_may_write_for(db: Database, *, actor_id: int) -> list[tuple[int, str]]:
    """(id, title) of the launched ideas this person may write a job aid for."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        stmt = (select(Idea.id, Idea.title, Idea.submitter_id, Idea.team_id, Idea.state)
                .where(Idea.state.in_([x.value for x in LAUNCHED_STATES]), Idea.merged_into_id.is_(None)))
        if not actor.has(Role.IT_CHAMPION):
            stmt = stmt.where(Idea.submitter_id == actor.id)
        return [(r.id, r.title) for r in s.execute(stmt.order_by(Idea.id))
                if permissions.allowed(actor, "write_job_aid", _facts(r))]
