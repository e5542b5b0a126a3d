"""Erosion alarms: watch every launched idea after its evaluation window, open an alarm when its gain wears off,
close it with what was done.

The rules are pure (hero_core/erosion.py); this module reads what they need, stores the alarms
(`erosion_alarms`, migration 0011) and tells the people who can act: the idea's IT champion, the HERO who
proposed it and the managers of the idea's team. Opening and closing are audited in the same transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hero_core import audit, erosion, permissions
from hero_core.db import Database
from hero_core.errors import InvalidInput, NotFound
from hero_core.help_io import metric_code as help_metric_code
from hero_core.impact import DID, IMPROVED, ImpactWindows, LaunchedIdea, windows_from_env
from hero_core.models import (
    ErosionAlarm,
    HelpRequest,
    HelpSystem,
    Idea,
    IdeaAdoption,
    IdeaPilotTeam,
    Metric,
    Team,
    TeamManager,
    User,
)
from hero_core.permissions import Actor
from hero_core.services import notifications
from hero_core.services.common import actor_ref, is_id, load_actor
from hero_core.services.impact_reads import estimate_ideas, launched_ideas, weekly_arrays
from hero_core.vocab import State
from hero_core.weeks import week_number, week_start

#: What was done about an alarm: the choice people pick when they close it, as they read it.
ACTIONS = {
    "job_aid_refreshed": "Job aid refreshed",
    "people_retrained": "People retrained",
    "fix_reopened": "Fix reopened",
    "reached_other_teams": "Not erosion: the idea reached the other teams",
    "other": "Something else (say what)",
}


@dataclass(frozen=True)
class AlarmView:
    """One alarm as the board and `hero watch` show it."""

    id: int
    idea_id: int
    idea_title: str
    team_name: str
    kind: str
    kind_label: str
    metric: str | None
    metric_name: str | None
    detail: str
    opened_at: datetime
    last_checked_at: datetime
    closed_at: datetime | None = None
    closed_by_name: str | None = None
    action_taken: str | None = None
    action_label: str | None = None
    action_note: str = ""
    evidence: dict = field(default_factory=dict, repr=False)
    unit: str = ""
    may_close: bool = False  # for the person who asked (the service checks again when they do)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "idea_id": self.idea_id,
            "idea_title": self.idea_title,
            "kind": self.kind,
            "metric": self.metric,
            "detail": self.detail,
            "opened_at": self.opened_at.isoformat(),
            "last_checked_at": self.last_checked_at.isoformat(),
        }


@dataclass(frozen=True)
class RefreshSummary:
    ideas_watched: int
    checks: int
    opened: tuple[int, ...]  # alarm ids
    open_alarms: int
    checked_at: datetime


@dataclass(frozen=True)
class _Warrant:
    idea_id: int
    kind: str
    metric: str | None
    detail: str
    evidence: dict
    recent_from: int  # week number: the first week of the evidence


# ---- refreshing -----------------------------------------------------------------------------------------------


def refresh_alarms(db: Database, *, windows: ImpactWindows | None = None,
                   actor_id: int | None = None) -> RefreshSummary:
    """Check every launched idea (imported history included) and open the alarms that are warranted and not
    already open. Run by `hero watch` (the system: `actor_id` None) and by whoever may see the erosion board
    ("Check now"): the alarms it opens are audited as opened by that person's check. Safe to run at any time."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_erosion")
    windows = windows or windows_from_env()
    now = db.now()
    last_week = week_number(now.date()) - 1  # the last whole week
    with db.read() as s:
        ideas = [i for i in launched_ideas(s, None) if i.pilot_team_ids]
        warrants, checks = _fading(s, ideas, windows, last_week)
        more, more_checks = _returning(s, ideas, windows, last_week)
        falling, falling_checks = _adoption(s, ideas, last_week)
    warrants += more + falling
    more_checks += falling_checks
    opened: list[int] = []
    with db.write() as s:
        for w in warrants:
            alarm_id = _open_if_new(s, db, w, now, actor)
            if alarm_id is not None:
                opened.append(alarm_id)
        s.execute(ErosionAlarm.__table__.update().where(ErosionAlarm.closed_at.is_(None))
                  .values(last_checked_at=now))
        still_open = s.execute(select(func.count(ErosionAlarm.id)).where(ErosionAlarm.closed_at.is_(None))).scalar()
    return RefreshSummary(len(ideas), checks + more_checks, tuple(opened), int(still_open or 0), now)


def _fading(s: Session, ideas: list[LaunchedIdea], windows: ImpactWindows,
            last_week: int) -> tuple[list[_Warrant], int]:
    """The effect-fading alarms warranted now: each improved metric's evaluation window against the recent weeks."""
    watched = [i for i in ideas if windows.bounds(i.launch_date).weeks()[3] < last_week and i.metric_codes]
    if not watched:
        return [], 0
    improved = [e for e in estimate_ideas(s, watched, windows) if e.verdict == IMPROVED and e.method == DID]
    catalog = {code: (mid, name, unit) for mid, code, name, unit in
               s.execute(select(Metric.id, Metric.code, Metric.name, Metric.unit))}
    launches = {i.id: i for i in watched}
    by_metric: dict[str, list] = defaultdict(list)
    for est in improved:
        by_metric[est.metric].append(est)
    out: list[_Warrant] = []
    checks = 0
    for code, estimates in by_metric.items():
        metric_id, name, unit = catalog[code]
        bounds = {e.idea_id: windows.bounds(launches[e.idea_id].launch_date) for e in estimates}
        team, week, value, _ = weekly_arrays(s, metric_id=metric_id, start=min(b.eval_start for b in bounds.values()),
                                             end=week_start(last_week + 1))
        # Metrics often arrive weeks late: the recent weeks end at the last week with data, not at today.
        last = min(last_week, int(week.max())) if week.size else last_week
        for est in estimates:
            b = bounds[est.idea_id]
            lo = np.searchsorted(week, b.weeks()[2], "left")
            check = erosion.check_fade(team=team[lo:], week=week[lo:], value=value[lo:],
                                       treated=launches[est.idea_id].pilot_team_ids, metric=code,
                                       effect=float(est.effect), bounds=b, last_week=last)
            checks += 1
            if check.alarm:
                out.append(_Warrant(est.idea_id, erosion.EFFECT_FADING, code, check.detail(metric_name=name, unit=unit),
                                    _fade_evidence(check, b), int(check.recent_from)))
    return out, checks


def _fade_evidence(check: erosion.FadeCheck, bounds) -> dict:
    b_lo, b_hi, e_lo, e_hi = bounds.weeks()
    return {"effect": check.effect, "lost": check.lost, "share_lost": check.share_lost, "p_value": check.p_value,
            "ci_low": check.ci_low, "ci_high": check.ci_high, "teams": check.teams,
            "baseline_weeks": [b_lo, b_hi], "evaluation_weeks": [e_lo, e_hi],
            "recent_weeks": [check.recent_from, check.recent_to]}


def idea_systems(s: Session, idea_ids: list[int]) -> dict[int, dict[int, str]]:
    """idea id -> {system id: name}: the systems of the help requests it was promoted from, and those whose
    help-request metric (help_<code>) it targets."""
    if not idea_ids:
        return {}
    systems = {sid: (code, name) for sid, code, name in s.execute(select(HelpSystem.id, HelpSystem.code,
                                                                         HelpSystem.name))}
    out: dict[int, dict[int, str]] = defaultdict(dict)
    rows = s.execute(select(HelpRequest.idea_id, HelpRequest.system_id).distinct()
                     .where(HelpRequest.idea_id.in_(idea_ids), HelpRequest.system_id.is_not(None))).all()
    for idea_id, sid in rows:
        out[idea_id][sid] = systems[sid][1]
    return out


def _returning(s: Session, ideas: list[LaunchedIdea], windows: ImpactWindows,
               last_week: int) -> tuple[list[_Warrant], int]:
    """The roadblock-returning alarms warranted now: help requests about the idea's systems from its teams."""
    watched = {i.id: i for i in ideas if windows.bounds(i.launch_date).weeks()[3] < last_week}
    if not watched:
        return [], 0
    systems = idea_systems(s, list(watched))
    by_metric = {help_metric_code(code): (sid, name) for sid, code, name in
                 s.execute(select(HelpSystem.id, HelpSystem.code, HelpSystem.name))}
    for idea in watched.values():
        for code in idea.metric_codes:
            if code in by_metric:
                systems.setdefault(idea.id, {})[by_metric[code][0]] = by_metric[code][1]
    out: list[_Warrant] = []
    checks = 0
    for idea_id, named in systems.items():
        if not named:
            continue
        idea = watched[idea_id]
        bounds = windows.bounds(idea.launch_date)
        since = datetime.combine(week_start(bounds.weeks()[2]), datetime.min.time(), UTC)
        until = datetime.combine(week_start(last_week + 1), datetime.min.time(), UTC)
        days = s.execute(select(HelpRequest.created_at).where(
            HelpRequest.system_id.in_(list(named)), HelpRequest.team_id.in_(list(idea.pilot_team_ids)),
            HelpRequest.created_at >= since, HelpRequest.created_at < until)).scalars()
        counts: dict[int, int] = defaultdict(int)
        for created in days:
            counts[week_number(created.date())] += 1
        check = erosion.check_returning(weekly_counts=counts, bounds=bounds, last_week=last_week)
        checks += 1
        if check.alarm:
            label = " and ".join(sorted(named.values()))
            out.append(_Warrant(idea_id, erosion.ROADBLOCK_RETURNING, None, check.detail(systems=label),
                                {"eval_count": check.eval_count, "eval_weeks": check.eval_weeks,
                                 "recent_count": check.recent_count, "recent_weeks": check.recent_weeks,
                                 "p_value": check.p_value, "recent_weeks_span": [check.recent_from, check.recent_to],
                                 "systems": sorted(named.values())},
                                int(check.recent_from)))
    return out, checks


def _adoption(s: Session, ideas: list[LaunchedIdea], last_week: int) -> tuple[list[_Warrant], int]:
    """The adoption-falling alarms warranted now: each launched idea's adoption per team, recent weeks against the
    weeks before them (hero_core/services/adoption.py imports the figures)."""
    launched = {i.id for i in ideas}
    rows = s.execute(select(IdeaAdoption.idea_id, IdeaAdoption.team_id, IdeaAdoption.day,
                            IdeaAdoption.adopted_share)).all()
    by_idea: dict[int, list] = defaultdict(list)
    for idea_id, team_id, day, share in rows:
        if idea_id in launched:
            by_idea[idea_id].append((team_id, week_number(day), share))
    out: list[_Warrant] = []
    for idea_id, figures in by_idea.items():
        frame = (pd.DataFrame(figures, columns=["team", "week", "share"])
                 .groupby(["team", "week"], as_index=False).mean())
        last = min(last_week, int(frame["week"].max()))
        check = erosion.check_adoption(team=frame["team"].to_numpy(), week=frame["week"].to_numpy(),
                                       share=frame["share"].to_numpy(), last_week=last)
        if check.alarm:
            out.append(_Warrant(idea_id, erosion.ADOPTION_FALLING, None, check.detail(),
                                {"drop": check.drop, "p_value": check.p_value, "teams": check.teams,
                                 "before": check.before, "recent": check.recent,
                                 "recent_weeks_span": [check.recent_from, check.recent_to]},
                                int(check.recent_from)))
    return out, len(by_idea)


def _open_if_new(s: Session, db: Database, w: _Warrant, now: datetime, actor: Actor) -> int | None:
    """Open the alarm unless one is open for the same idea, kind and metric, or one was closed after the first
    week of this evidence (what was done then deserves weeks of its own before it is judged)."""
    # Two refreshes at once: the idea's row serialises them on PostgreSQL (SQLite writes one at a time anyway).
    idea = s.execute(select(Idea.id, Idea.title, Idea.submitter_id, Idea.team_id, Idea.it_champion_id)
                     .where(Idea.id == w.idea_id).with_for_update()).one()
    same = (ErosionAlarm.idea_id == w.idea_id, ErosionAlarm.kind == w.kind,
            ErosionAlarm.metric_code.is_(None) if w.metric is None else ErosionAlarm.metric_code == w.metric)
    if s.execute(select(ErosionAlarm.id).where(*same, ErosionAlarm.closed_at.is_(None))).first():
        return None
    last_close = s.execute(select(func.max(ErosionAlarm.closed_at)).where(*same)).scalar()
    if last_close is not None and week_number(last_close.date()) >= w.recent_from:
        return None
    alarm = ErosionAlarm(idea_id=w.idea_id, kind=w.kind, metric_code=w.metric, detail=w.detail,
                         evidence=json.dumps(w.evidence, default=float), opened_at=now, last_checked_at=now,
                         action_note="")
    s.add(alarm)
    s.flush()
    actor_id, actor_email = actor_ref(actor)
    audit.record(s, at=now, actor_id=actor_id, actor_email=actor_email, action="erosion_alarm_opened",
                 entity_type="erosion_alarm", entity_id=alarm.id,
                 after={"idea_id": w.idea_id, "kind": w.kind, "metric": w.metric, "detail": w.detail})
    managers = s.execute(select(TeamManager.user_id).join(User, User.id == TeamManager.user_id)
                         .where(TeamManager.team_id == idea.team_id, User.active.is_(True))).scalars().all()
    recipients = {idea.submitter_id, *managers} | ({idea.it_champion_id} if idea.it_champion_id else set())
    notifications.notify(s, db, user_ids=recipients, idea_id=w.idea_id, kind="erosion_alarm",
                         message=f"{erosion.KIND_LABELS[w.kind]} on idea #{w.idea_id} “{idea.title}”: {w.detail} "
                                 "See the Erosion board, and close the alarm there with what was done.")
    return alarm.id


# ---- reading and closing --------------------------------------------------------------------------------------


def _views(s: Session, rows, actor: permissions.Actor) -> list[AlarmView]:
    metrics = {code: (name, unit) for code, name, unit in s.execute(select(Metric.code, Metric.name, Metric.unit))}
    user_ids = {r.closed_by for r in rows if r.closed_by}
    names = dict(s.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    return [AlarmView(
        id=r.id, idea_id=r.idea_id, idea_title=r.title, team_name=r.team_name, kind=r.kind,
        kind_label=erosion.KIND_LABELS.get(r.kind, r.kind), metric=r.metric_code,
        metric_name=metrics.get(r.metric_code, (None,))[0] if r.metric_code else None, detail=r.detail,
        opened_at=r.opened_at, last_checked_at=r.last_checked_at, closed_at=r.closed_at,
        closed_by_name=names.get(r.closed_by), action_taken=r.action_taken,
        action_label=ACTIONS.get(r.action_taken) if r.action_taken else None, action_note=r.action_note or "",
        evidence=json.loads(r.evidence or "{}"), unit=metrics.get(r.metric_code, ("", ""))[1] if r.metric_code else "",
        may_close=r.closed_at is None and permissions.allowed(actor, "close_erosion_alarm", permissions.IdeaFacts(
            submitter_id=r.submitter_id, team_id=r.team_id, state=State(r.state))),
    ) for r in rows]


def _alarm_stmt():
    return (select(ErosionAlarm.id, ErosionAlarm.idea_id, ErosionAlarm.kind, ErosionAlarm.metric_code,
                   ErosionAlarm.detail, ErosionAlarm.evidence, ErosionAlarm.opened_at, ErosionAlarm.last_checked_at,
                   ErosionAlarm.closed_at, ErosionAlarm.closed_by, ErosionAlarm.action_taken,
                   ErosionAlarm.action_note, Idea.title, Idea.submitter_id, Idea.team_id, Idea.state,
                   Team.name.label("team_name"))
            .join(Idea, Idea.id == ErosionAlarm.idea_id).join(Team, Team.id == Idea.team_id))


def open_alarms(db: Database, *, actor_id: int | None) -> list[AlarmView]:
    """The open alarms, oldest first."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_erosion")
        rows = s.execute(_alarm_stmt().where(ErosionAlarm.closed_at.is_(None))
                         .order_by(ErosionAlarm.opened_at, ErosionAlarm.id)).all()
        return _views(s, rows, actor)


def closed_alarms(db: Database, *, actor_id: int | None, limit: int = 50) -> list[AlarmView]:
    """The most recently closed alarms, with what was done."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "view_erosion")
        rows = s.execute(_alarm_stmt().where(ErosionAlarm.closed_at.is_not(None))
                         .order_by(ErosionAlarm.closed_at.desc(), ErosionAlarm.id.desc()).limit(limit)).all()
        return _views(s, rows, actor)


def last_checked(db: Database) -> datetime | None:
    """When the open alarms were last checked (None when none is open)."""
    with db.read() as s:
        return s.execute(select(func.max(ErosionAlarm.last_checked_at))
                         .where(ErosionAlarm.closed_at.is_(None))).scalar()


def close_alarm(db: Database, actor_id: int, alarm_id: int, action_taken: str, note: str = "") -> None:
    """Close an open alarm with what was done (one of ACTIONS, by key or label) and a few words about it."""
    key = _action_key(action_taken)
    note = (note or "").strip()
    problems = []
    if key is None:
        problems.append(f"What was done must be one of: {', '.join(ACTIONS.values())}; not “{action_taken}”.")
    if key == "other" and not note:
        problems.append("Say what was done: the note is needed when the action is “Something else”.")
    if len(note) > 2000:
        problems.append(f"The note is {len(note)} characters long; at most 2,000 fit.")
    if problems:
        raise InvalidInput(problems, fields={"action_taken" if key is None else "note": problems[0]})
    with db.write() as s:
        actor = load_actor(s, actor_id)
        alarm = s.get(ErosionAlarm, alarm_id, with_for_update=True) if is_id(alarm_id) else None
        if alarm is None:
            raise NotFound(f"Erosion alarm #{alarm_id} does not exist.")
        idea = s.execute(select(Idea.submitter_id, Idea.team_id, Idea.state).where(Idea.id == alarm.idea_id)).one()
        permissions.require(actor, "close_erosion_alarm", permissions.IdeaFacts(
            submitter_id=idea.submitter_id, team_id=idea.team_id, state=State(idea.state)))
        if alarm.closed_at is not None:
            raise InvalidInput(f"Erosion alarm #{alarm_id} was already closed on "
                               f"{alarm.closed_at:%Y-%m-%d %H:%M} UTC ({ACTIONS.get(alarm.action_taken or '', '')}).")
        now = db.now()
        alarm.closed_at, alarm.closed_by, alarm.action_taken, alarm.action_note = now, actor.id, key, note
        aid, email = actor_ref(actor)
        audit.record(s, at=now, actor_id=aid, actor_email=email, action="erosion_alarm_closed",
                     entity_type="erosion_alarm", entity_id=alarm.id, before={"closed": False},
                     after={"closed": True, "action_taken": key, "note": note}, reason=note)


def _action_key(value: str) -> str | None:
    text = (value or "").strip()
    if text in ACTIONS:
        return text
    for key, label in ACTIONS.items():
        if label.lower() == text.lower():
            return key
    return None


# ---- the evidence as a chart's data ---------------------------------------------------------------------------


def alarm_series(db: Database, *, actor_id: int | None, alarm_id: int) -> pd.DataFrame:
    """An effect-fading alarm's metric week by week: the pilot teams' mean and the other teams' mean, with the
    period each week belongs to (baseline, evaluation, later). Empty for the other kinds."""
    with db.read() as s:
        permissions.require(load_actor(s, actor_id), "view_erosion")
        alarm = s.get(ErosionAlarm, alarm_id) if is_id(alarm_id) else None
        if alarm is None:
            raise NotFound(f"Erosion alarm #{alarm_id} does not exist.")
        columns = ["week_start", "group", "value", "period"]
        if alarm.kind != erosion.EFFECT_FADING or not alarm.metric_code:
            return pd.DataFrame(columns=columns)
        ev = json.loads(alarm.evidence or "{}")
        b_lo, _ = ev["baseline_weeks"]
        _, e_hi = ev["evaluation_weeks"]
        last = ev["recent_weeks"][1]
        metric_id = s.execute(select(Metric.id).where(Metric.code == alarm.metric_code)).scalar_one()
        pilots = set(s.execute(select(IdeaPilotTeam.team_id).where(IdeaPilotTeam.idea_id == alarm.idea_id)).scalars())
        team, week, value, _ = weekly_arrays(s, metric_id=metric_id, start=week_start(b_lo),
                                             end=week_start(last + 1))
    df = pd.DataFrame({"team": team, "week": week, "value": value})
    df["group"] = np.where(df["team"].isin(list(pilots)), "Pilot teams", "Other teams")
    out = df.groupby(["week", "group"], as_index=False)["value"].mean()
    e_lo = ev["evaluation_weeks"][0]
    out["period"] = np.select([out["week"] < e_lo, out["week"] <= e_hi], ["Baseline", "Evaluation"], "Later")
    out["week_start"] = [week_start(int(w)) for w in out["week"]]
    return out[columns]
