"""Scale data: a whole organisation's history of the compact, generated fast for benchmarks and load tests.

Unlike the demo (hero_core.demo), which replays 60 ideas through the services, this writes straight to the
tables with bulk inserts, because 100,000 ideas through the services would take hours. The rows come from the
same rules as the services': each idea's history is planned (who does what, when), then folded through the
transition table (hero_core/workflow.py) and `lifecycle.effects` (hero_core/lifecycle.py: milestones, review
rounds, service-level clocks counted by hero_core/sla.py) into an `IdeaClock`, whose fields are the row. Around
them: risk assessments and approvals, IT plans, pilots, notifications, comments and supports, daily customer
metrics with trends, weekly rhythm, noise and the effects of launched ideas — and an audit entry for every
change, hashed by `hero_core.audit.chain` (the audit module's own payload and hash, in bulk), so `hero audit
verify` holds afterwards. Everything is written in one transaction: all or nothing.

Every seeded account has the demo password; five named accounts (SEED_ACCOUNTS) are for benchmarks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import operator
import random
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import numpy as np
from sqlalchemy import Boolean, Date, func, select, text
from sqlalchemy.engine import Connection

from hero_core import audit, audit_key, config, impact_store, lifecycle, risk, workflow
from hero_core.db import Database
from hero_core.demo_content import (
    CHANGE_REQUESTS,
    DECLINE_REASONS,
    IDEAS,
    IT_BLOCKERS,
    IT_PLANS,
    MITIGATIONS,
    RETIRE_REASONS,
)
from hero_core.errors import InvalidInput
from hero_core.models import (
    Approval,
    AuditEntry,
    Campaign,
    Comment,
    Idea,
    IdeaMetric,
    IdeaPilotTeam,
    IdeaSupport,
    Metric,
    Notification,
    Observation,
    RiskAssessment,
    RiskRating,
    Team,
    TeamManager,
    User,
    UserRole,
    UTCDateTime,
)
from hero_core.security import hash_password
from hero_core.services import catalog
from hero_core.services.observations import rebuild_weeks

SEED_PASSWORD = "hero-demo-2026"
EMAIL_DOMAIN = "seed.example"
#: Accounts a benchmark logs in as, by role. The manager manages teams T0001 and T0002.
SEED_ACCOUNTS = {
    "frontline": f"frontline@{EMAIL_DOMAIN}",
    "manager": f"manager@{EMAIL_DOMAIN}",
    "it_champion": f"it@{EMAIL_DOMAIN}",
    "executive": f"executive@{EMAIL_DOMAIN}",
    "admin": f"admin@{EMAIL_DOMAIN}",
}
PEOPLE_PER_TEAM = 20
MIN_HISTORY_DAYS = 365
CHUNK = 50_000

# How often each final state occurs: the demo's believable proportions (hero_core.demo.STATE_PLAN).
STATE_WEIGHTS = {
    "draft": 4, "submitted": 5, "in_review": 6, "needs_changes": 4, "approved": 3, "declined": 5,
    "awaiting_it": 5, "in_build": 5, "piloting": 7, "scaling": 5, "scaled": 8, "retired": 3,
}
# Typical daily level, noise and rounding of each default metric (as the demo generates them).
METRIC_SHAPE = {
    "csat": (4.1, 0.12, 2), "nps": (24.0, 5.0, 1), "aht": (420.0, 22.0, 0), "fcr": (0.72, 0.025, 3),
    "complaints": (3.0, None, 0), "error_rate": (0.045, 0.006, 4), "sales_conversion": (0.18, 0.015, 3),
    "time_to_mastery": (45.0, 2.5, 1),
}
FIRST_NAMES = ("Aisha", "Ben", "Carla", "Deepak", "Elena", "Femi", "Grace", "Hugo", "Ines", "Jonas", "Keiko",
               "Liam", "Maya", "Nikos", "Olga", "Pedro", "Quinn", "Rosa", "Sanjay", "Tariq", "Uma", "Victor",
               "Wen", "Xavier", "Yara", "Zoe")
LAST_NAMES = ("Adams", "Bauer", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen",
              "Kowalski", "Lopez", "Murphy", "Nakamura", "Okafor", "Patel", "Quist", "Rossi", "Silva", "Tanaka")
QUALIFIERS = ("for new customers", "at weekends", "in the mobile app", "for business accounts", "after a move",
              "for older customers", "in peak season", "for first-time callers", "on the web chat",
              "for prepaid plans", "after an outage", "for customers abroad", "at the counter", "for renewals",
              "for engineers' visits", "in the evening shift")
COMMENTS = (
    "We see exactly this on our team too, several times a week.",
    "Could we try it on one shift first and compare the numbers?",
    "Happy to help test this - I have a list of the worst cases.",
    "Does this need legal to look at the wording first?",
    "The same workaround is already used in the stores; it works.",
    "I'd keep the old way available for a month while people get used to it.",
    "This would save me ten minutes on nearly every one of these calls.",
    "Great idea. Who owns the template once it is live?",
)
THANKS = ("is now being reviewed", "needs changes", "was declined", "was approved", "was picked up by IT",
          "is being piloted", "is being scaled to more teams", "is scaled: thank you, HERO", "was retired")


@dataclass(frozen=True)
class SeedSummary:
    teams: int
    users: int
    ideas: int
    observations: int
    audit_entries: int
    rows: dict[str, int]
    seconds: float

    def text(self) -> str:
        return (f"seeded {self.ideas:,} ideas, {self.observations:,} observations, {self.teams} teams, "
                f"{self.users:,} people and {self.audit_entries:,} audit entries in {self.seconds:.1f} s "
                f"(password {SEED_PASSWORD!r}; accounts {', '.join(SEED_ACCOUNTS.values())})")


def default_teams(ideas: int) -> int:
    """A company with more ideas has more teams: about 500 ideas per team, between 10 and 200 teams."""
    return int(min(200, max(10, ideas // 500)))


def _randint(rng: random.Random, lo: int, hi: int) -> int:
    """random.randint, without its argument checks (called millions of times)."""
    return lo + int(rng.random() * (hi - lo + 1))


def _work_time(day: date, rng: random.Random) -> datetime:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(_randint(rng, 8, 16), _randint(rng, 0, 59), _randint(rng, 0, 59)), tzinfo=UTC)


def _later(prev: datetime, rng: random.Random, lo: int, hi: int) -> datetime:
    t = _work_time(prev.date() + timedelta(days=_randint(rng, lo, hi)), rng)
    return t if t > prev else prev + timedelta(minutes=_randint(rng, 5, 90))


#: The columns an idea's row takes from its lifecycle.IdeaClock (state, review round, milestones, clocks...).
_CLOCK_START = {f.name: getattr(lifecycle.IdeaClock(), f.name) for f in dataclasses.fields(lifecycle.IdeaClock)}
#: The steps the workflow's transition table moves (the others, such as a risk assessment, keep the state).
_WORKFLOW_ACTIONS = frozenset(workflow.ACTIONS)


@lru_cache(maxsize=256)
def _moves_to(action: str, state: str) -> str:
    """The state `action` moves an idea in `state` to, by the transition table (which refuses a step the
    services would refuse: the seed's planned histories are checked by the same rule)."""
    return workflow.check(action, state).target.value


@lru_cache(maxsize=1024)
def _snapshot(state: str, version: int) -> str:
    """The audit snapshot {"state": ..., "version": ...} as its canonical JSON (a few hundred distinct ones)."""
    return audit.canonical({"state": state, "version": version})


class _Trail:
    """Audit entries collected in any order, chained in time order when written."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def add(self, at: datetime, actor_id: int | None, actor_email: str, action: str, entity_type: str,
            entity_id: object, before=None, after=None, reason: str = "") -> None:
        """`before`/`after`: values, or their canonical JSON already made (`_snapshot`)."""
        self.rows.append((at, actor_id, actor_email, action, entity_type, str(entity_id),
                          before if isinstance(before, str) else audit.canonical(before),
                          after if isinstance(after, str) else audit.canonical(after), reason or ""))


class _Org:
    def __init__(self, rng: random.Random, teams: int, start: datetime):
        self.team_rows: list[dict] = []
        self.user_rows: list[dict] = []
        self.role_rows: list[dict] = []
        self.manager_rows: list[dict] = []
        self.front: dict[int, list[int]] = {}  # team id -> frontline user ids
        self.managers: dict[int, list[int]] = {}  # team id -> manager user ids
        self.email: dict[int, str] = {}
        self.name: dict[int, str] = {}
        self.it: list[int] = []
        self.executives: list[int] = []
        self.admins: list[int] = []
        self.rng = rng
        self.start = start
        password_hash = hash_password(SEED_PASSWORD)  # hashed once: argon2 is slow on purpose
        for t in range(1, teams + 1):
            kind = ("Contact centre", "Store", "Digital", "Field service")[t % 4]
            self.team_rows.append({"id": t, "code": f"T{t:04d}", "name": f"{kind} {t:04d}", "active": True,
                                   "created_at": start})
        self.hq = teams + 1
        self.team_rows.append({"id": self.hq, "code": "HQ", "name": "Head office & IT", "active": True,
                               "created_at": start})
        uid = 0
        counter = 0

        def person(team: int, roles: tuple[str, ...], email: str | None = None) -> int:
            nonlocal uid, counter
            uid += 1
            counter += 1
            first, last = FIRST_NAMES[counter % len(FIRST_NAMES)], LAST_NAMES[(counter // 26) % len(LAST_NAMES)]
            email = email or f"{first.lower()}.{last.lower()}.{uid}@{EMAIL_DOMAIN}"
            self.user_rows.append({
                "id": uid, "email": email, "name": f"{first} {last}", "team_id": team, "active": True,
                "password_hash": password_hash, "failed_logins": 0, "locked_until": None,
                "password_changed_at": start, "created_at": start, "email_mode": "immediate",
            })
            self.role_rows.extend({"user_id": uid, "role": r} for r in roles)
            self.email[uid], self.name[uid] = email, f"{first} {last}"
            return uid

        for t in range(1, teams + 1):
            named = SEED_ACCOUNTS["manager"] if t == 1 else None
            manager = person(t, ("manager",), named)
            self.managers.setdefault(t, []).append(manager)
            # Each manager also manages the next team, so every team has two managers (a second approver).
            self.managers.setdefault(t % teams + 1, []).append(manager)
            front = []
            for k in range(PEOPLE_PER_TEAM):
                named = SEED_ACCOUNTS["frontline"] if (t == 1 and k == 0) else None
                roles = ("frontline", "it_champion") if k == PEOPLE_PER_TEAM - 1 and t % 5 == 0 else ("frontline",)
                front.append(person(t, roles, named))
            self.front[t] = front
        for t, ids in self.managers.items():
            for m in sorted(set(ids)):
                self.manager_rows.append({"team_id": t, "user_id": m})
        self.it = [person(self.hq, ("it_champion",), SEED_ACCOUNTS["it_champion"] if k == 0 else None)
                   for k in range(max(2, teams // 10))]
        self.executives = [person(self.hq, ("executive",), SEED_ACCOUNTS["executive"] if k == 0 else None)
                           for k in range(3)]
        self.admins = [person(self.hq, ("admin",), SEED_ACCOUNTS["admin"] if k == 0 else None) for k in range(2)]
        self.all_users = [u["id"] for u in self.user_rows]


class _Ideas:
    """Every idea's row and history, through the rules the services apply (see `one`)."""

    def __init__(self, org: _Org, rng: random.Random, today: date, history_days: int, campaigns: list[dict],
                 metric_codes: list[str], trail: _Trail):
        self.org, self.rng, self.today, self.trail = org, rng, today, trail
        self.history_days = history_days
        self.campaigns = campaigns
        self.metric_codes = metric_codes
        self.ideas: list[dict] = []
        self.metrics: list[dict] = []
        self.pilots: list[dict] = []
        self.assessments: list[dict] = []
        self.ratings: list[dict] = []
        self.approvals: list[dict] = []
        self.notifications: list[dict] = []
        self.comments: list[dict] = []
        self.supports: list[dict] = []
        self.launched: list[tuple[date, list[int], list[str]]] = []
        self.clocks = lifecycle.Clocks.of(config.settings())
        self.limit = datetime.combine(today, time(0, 0), tzinfo=UTC) - timedelta(hours=1)

    def created_for(self, state: str, launch: date | None) -> datetime:
        rng, today, h = self.rng, self.today, self.history_days
        days = {
            "draft": (1, 25), "submitted": (2, 14), "in_review": (14, 35), "needs_changes": (14, 35),
            "awaiting_it": (30, 45), "approved": (30, 200), "in_build": (40, 200),
        }.get(state, (40, h - 10))
        if launch is not None:
            return _work_time(launch - timedelta(days=_randint(rng, 40, 75)), rng)
        lo, hi = days
        return _work_time(today - timedelta(days=_randint(rng, lo, max(lo, min(hi, h - 10)))), rng)

    def build(self, n: int) -> None:
        rng = self.rng
        states = list(STATE_WEIGHTS)
        weights = list(STATE_WEIGHTS.values())
        team_ids = sorted(self.org.front)
        for idea_id in range(1, n + 1):
            state = rng.choices(states, weights)[0]
            if idea_id == 1:
                # The benchmark's frontline account (SEED_ACCOUNTS) has an idea waiting on them at every size, so
                # its My ideas page does the same work at 1k and 100k ideas (the draws stay as they were).
                state = "needs_changes"
            team = team_ids[(idea_id - 1) % len(team_ids)] if idea_id <= len(team_ids) else rng.choice(team_ids)
            self.one(idea_id, state, team)

    def one(self, idea_id: int, state: str, team: int) -> None:
        rng, org = self.rng, self.org
        content = IDEAS[rng.randrange(len(IDEAS))]
        retired_kind = rng.choice(("after_pilot", "approved", "in_build")) if state == "retired" else None
        tech = state in ("awaiting_it", "in_build") or retired_kind == "in_build" or (
            state not in ("approved",) and rng.random() < 0.45)
        launch = None
        if state in lifecycle.LAUNCHED_STATES or retired_kind == "after_pilot":
            latest = {"piloting": 20, "scaling": 130, "scaled": 200}.get(state, 130)
            launch = self.today - timedelta(days=_randint(rng, latest, max(latest + 1, self.history_days - 80)))
        created = self.created_for(state, launch)
        submitter = rng.choice(org.front[team])
        if idea_id == 1:
            submitter = org.front[team][0]  # the named frontline account (see build)
        manager = org.managers[team][0]
        second = org.managers[team][-1] if org.managers[team][-1] != manager else rng.choice(org.admins)
        it_person = rng.choice(org.it)
        title = f"{content['title']} {QUALIFIERS[rng.randrange(len(QUALIFIERS))]}"[:200]
        campaign = None
        for c in self.campaigns:
            if c["opened"] < created and rng.random() < 0.15:
                campaign = c["id"]
                break
        codes = [c for c in content["metrics"] if c in self.metric_codes][:2] or [rng.choice(self.metric_codes)]
        self.metrics.extend({"idea_id": idea_id, "metric_code": c} for c in sorted(codes))
        first_assessment, first_approval = len(self.assessments), len(self.approvals)
        # The history is planned first (who does what, when), then shifted so that it ends before today, then
        # folded through the workflow's own rules: the transition table moves the state, hero_core/lifecycle.py
        # writes the milestones and clocks, as every service does. `columns` are what the action itself carries.
        events: list[tuple] = []  # (at, actor, action, reason, after_extra, notify, columns)
        trail = self.trail

        def step(at, actor, action, reason="", after_extra=None, notify=None, **columns):
            events.append((at, actor, action, reason, after_extra or {}, notify, columns))

        t = created
        step(t, submitter, "created", after_extra={"title": title})
        if state != "draft":
            t = _later(t, rng, 0, 2)
            step(t, submitter, "submit")
        if state not in ("draft", "submitted"):
            t = _later(t, rng, 1, 6)
            step(t, manager, "start_review", notify=0)
            loops = state == "needs_changes" or (state not in ("declined", "in_review") and rng.random() < 0.25)
            if loops:
                reason = rng.choice(CHANGE_REQUESTS)
                t = _later(t, rng, 0, 3)
                step(t, manager, "request_changes", reason, notify=1, last_reason=reason)
                if state != "needs_changes":
                    t = _later(t, rng, 1, 4)
                    step(t, submitter, "resubmit")
                    t = _later(t, rng, 0, 3)
                    step(t, manager, "start_review", notify=0)
        high = False
        assessed = state not in ("draft", "submitted", "needs_changes") and (
            state != "in_review" or rng.random() < 0.5)
        assessment_id = None
        if assessed:
            t = _later(t, rng, 0, 2)
            high = rng.random() < 0.12
            assessment_id = self.assess(idea_id, manager, t, high)
            step(t, manager, "assess_risk", after_extra={"assessment_id": assessment_id})
        if state == "in_review" and high and rng.random() < 0.5:
            # High risk, first approval given: it waits in every manager's queue for a second approver.
            t = _later(t, rng, 0, 3)
            self.approvals.append({"idea_id": idea_id, "assessment_id": assessment_id, "approver_id": manager,
                                   "at": t})
            step(t, manager, "approve_first_of_two", after_extra={"waiting_for": "a second approver"})
        if state in ("declined",):
            reason = rng.choice(DECLINE_REASONS)
            t = _later(t, rng, 0, 3)
            step(t, manager, "decline", reason, notify=2, last_reason=reason)
        approved = state not in ("draft", "submitted", "in_review", "needs_changes", "declined")
        if approved:
            t = _later(t, rng, 0, 3)
            self.approvals.append({"idea_id": idea_id, "assessment_id": assessment_id, "approver_id": manager,
                                   "at": t})
            if high:
                step(t, manager, "approve_first_of_two", after_extra={"waiting_for": "a second approver"})
                t = _later(t, rng, 0, 3)
                self.approvals.append({"idea_id": idea_id, "assessment_id": assessment_id, "approver_id": second,
                                       "at": t})
                step(t, second, "approve", notify=3)
            else:
                step(t, manager, "approve", notify=3)
            if tech:
                step(t + timedelta(seconds=1), None, "route_to_it", "involves technology")
        with_it = approved and tech and state not in ("approved", "awaiting_it") and retired_kind != "approved"
        if with_it:
            t = _later(t, rng, 1, 9)
            step(t, it_person, "claim", notify=4, it_champion_id=it_person,
                 after_extra={"it_champion": org.email[it_person]})
            plan = rng.choice(IT_PLANS)
            blockers = rng.choice(IT_BLOCKERS) if state == "in_build" and rng.random() < 0.6 else ""
            effort = float(rng.choice([2, 3, 5, 8, 13, 20]))
            t = _later(t, rng, 0, 3)
            step(t, it_person, "it_plan", it_plan=plan, it_effort_days=effort, it_blockers=blockers,
                 after_extra={"it_plan": plan, "it_effort_days": effort, "it_blockers": blockers})
        if launch is not None:
            mover = it_person if tech else manager
            pilot_at = _work_time(launch - timedelta(days=_randint(rng, 2, 6)), rng)
            t = pilot_at if pilot_at > t else t + timedelta(hours=1)
            neighbours = [x for x in (team - 1, team + 1) if x in org.front]
            pilot = [team, *rng.sample(neighbours, k=min(len(neighbours), _randint(rng, 0, 1)))]
            self.pilots.extend({"idea_id": idea_id, "team_id": p} for p in pilot)
            self.launched.append((launch, pilot, codes))
            step(t, mover, "start_pilot", notify=5, after_extra={"pilot_teams": pilot})
            if state in ("scaling", "scaled"):
                t = _later(_work_time(launch, rng), rng, 95, 120)
                step(t, mover, "start_scaling", notify=6)
            if state == "scaled":
                t = _later(t, rng, 30, 80)
                step(t, mover, "complete_scaling", notify=7)
        if state == "retired":
            reason = RETIRE_REASONS[("approved", "in_build", "after_pilot").index(retired_kind) % len(RETIRE_REASONS)]
            t = _later(t, rng, 10, 40)
            step(t, manager, "retire", reason, notify=8, last_reason=reason)

        # Random delays may run past today: move the whole history back (as the demo does).
        latest = events[-1][0]
        shift = timedelta(days=(latest - self.limit).days + 1) if latest > self.limit else timedelta(0)
        if launch is not None and shift:
            launch -= shift
            self.launched[-1] = (launch, pilot, codes)
        for extra in self.assessments[first_assessment:]:
            extra["created_at"] -= shift
        for extra in self.approvals[first_approval:]:
            extra["at"] -= shift
        row = {
            "id": idea_id, "title": title, "roadblock": content["roadblock"], "proposal": content["proposal"],
            "touchpoint": content["touchpoint"], "category": content["category"],
            "expected_benefit": content.get("benefit", ""), "submitter_id": submitter, "team_id": team,
            "campaign_id": campaign, "created_at": created - shift, "updated_at": created - shift, "version": 1,
            **_CLOCK_START, "it_champion_id": None, "it_plan": "", "it_effort_days": None, "it_blockers": "",
            "last_reason": "", "merged_into_id": None,
        }
        clock = lifecycle.IdeaClock(involves_technology=tech)
        version = 1
        for planned_at, actor, action, reason, planned_extra, notify, columns in events:
            at, after_extra = planned_at - shift, planned_extra
            before = _snapshot(clock.state, version)
            if action != "created":
                version += 1
            if action in _WORKFLOW_ACTIONS:
                changes = lifecycle.effects(action, clock, at, self.clocks)
                changes["state"] = _moves_to(action, clock.state)
                if action == "start_pilot":
                    changes["launch_date"] = launch
                    after_extra = after_extra | {"launch_date": launch.isoformat()}
                clock = clock.apply(changes)
            elif action == "assess_risk":  # made in the idea's current review round
                self.assessments[after_extra["assessment_id"] - 1]["review_round"] = clock.review_round
            row.update(columns)
            row["updated_at"] = at
            email = org.email[actor] if actor else "system"
            after = (_snapshot(clock.state, version) if not after_extra else
                     {"state": clock.state, "version": version} | after_extra)
            if action == "created":
                trail.add(at, actor, email, action, "idea", idea_id, None, after)
            elif action in ("assess_risk", "it_plan"):
                trail.add(at, actor, email, action, "idea", idea_id, None, after_extra | {"version": version})
            else:
                trail.add(at, actor, email, action, "idea", idea_id, before, after, reason)
            if notify is not None and actor != submitter:
                message = f"Your idea #{idea_id} “{title}” {THANKS[notify]}."
                self.notifications.append({
                    "user_id": submitter, "idea_id": idea_id, "kind": "decision", "message": message,
                    "created_at": at, "read_at": at + timedelta(days=2) if at < self.limit - timedelta(days=30)
                    else None, "emailed_at": None})
        row.update(vars(clock))  # the clock's fields are row columns (_CLOCK_START)
        row["version"] = version
        self.ideas.append(row)
        if state != "draft":
            self.social(idea_id, row["submitted_at"] or created, team, submitter)

    def assess(self, idea_id: int, manager: int, at: datetime, high: bool) -> int:
        rng = self.rng
        aid = len(self.assessments) + 1
        hot = rng.choice(list(risk.CATEGORIES)) if high else None
        ratings = []
        for category in risk.CATEGORIES:
            if category == hot:
                likelihood, impact = rng.choice([(4, 4), (3, 5), (5, 4), (4, 5)])
            else:
                likelihood, impact = _randint(rng, 1, 3), _randint(rng, 1, 3)
            mitigation = rng.choice(MITIGATIONS[category]) if likelihood * impact >= 4 else ""
            ratings.append(risk.Rating(category, likelihood, impact, mitigation))
            self.ratings.append({"assessment_id": aid, "category": category, "likelihood": likelihood,
                                 "impact": impact, "mitigation": mitigation})
        ev = risk.EffortValue(
            needs_it=rng.random() < 0.6, needs_legal=high or rng.random() < 0.15,
            budget=rng.choice(list(risk.BUDGET_CHOICES)), people_systems_touched=rng.choice([1, 2, 4, 8, 15, 40]),
            customers_reached=rng.choice(list(risk.REACH_CHOICES)),
            expected_change=rng.choice(list(risk.CHANGE_CHOICES)[1:]), strategic_fit=rng.choice(list(risk.FIT_CHOICES)),
        )
        self.assessments.append({
            "id": aid, "idea_id": idea_id, "assessor_id": manager, "created_at": at, "overall": risk.overall(ratings),
            "needs_it": ev.needs_it, "needs_legal": ev.needs_legal, "budget": ev.budget,
            "people_systems_touched": ev.people_systems_touched, "customers_reached": ev.customers_reached,
            "expected_change": ev.expected_change, "strategic_fit": ev.strategic_fit, "ev_category": ev.category,
            "notes": "", "review_round": 0,  # the idea's round when it is made: set when its history is folded
        })
        return aid

    def social(self, idea_id: int, since: datetime, team: int, submitter: int) -> None:
        rng, org = self.rng, self.org
        span = max(1, (self.limit - since).days)
        for _ in range(min(6, int(rng.expovariate(1.0)))):
            author = rng.choice(org.front[team]) if rng.random() < 0.7 else rng.choice(org.all_users)
            at = since + timedelta(days=_randint(rng, 0, min(span, 60)), minutes=_randint(rng, 1, 600))
            at = min(at, self.limit)
            body = COMMENTS[int(rng.random() * len(COMMENTS))]
            comment_id = len(self.comments) + 1
            self.comments.append({"id": comment_id, "idea_id": idea_id, "author_id": author, "body": body,
                                  "created_at": at, "edited_at": None, "deleted_at": None})
            # As hero_core.services.social.add_comment records it.
            self.trail.add(at, author, org.email[author], "comment_added", "comment", comment_id, None,
                           {"idea_id": idea_id, "body": body, "mentions": []})
        supporters = set()
        for _ in range(min(12, int(rng.expovariate(0.5)))):
            supporters.add(rng.choice(org.front[team]) if rng.random() < 0.6 else rng.choice(org.all_users))
        supporters.discard(submitter)  # support is for colleagues who hit the roadblock too
        for user in sorted(supporters):
            at = min(since + timedelta(days=_randint(rng, 0, min(span, 90)), minutes=_randint(rng, 1, 600)), self.limit)
            self.supports.append({"idea_id": idea_id, "user_id": user, "created_at": at})
            self.trail.add(at, user, org.email[user], "support", "idea", idea_id, None, {"supporter": org.email[user]})


def _observations(rng: np.random.Generator, *, teams: list[int], metrics: dict[str, tuple[int, str, float | None,
                  float | None]], days: int, total: int, today: date,
                  launched: list[tuple[date, list[int], list[str]]]) -> dict[str, np.ndarray]:
    """Daily observations per team and metric, `total` rows in all, ending yesterday."""
    start = today - timedelta(days=days)
    day_numbers = np.arange(days)
    weekday = (np.datetime64(start, "D").astype(np.int64) + day_numbers - 4) % 7
    series = [(team, code) for team in teams for code in METRIC_SHAPE if code in metrics]
    effects: dict[tuple[int, str], np.ndarray] = {}
    for launch, pilot, codes in launched:
        at = (launch - start).days
        if at >= days:
            continue
        for code in codes:
            if code not in metrics:
                continue
            level, sd, _ = METRIC_SHAPE[code]
            good = 1 if metrics[code][1] == "higher" else -1
            scale = sd if sd is not None else 0.35 * level
            size = rng.choice([0.5, 0.5, 0.5, -0.35, 0.0]) * scale * good
            for team in pilot:
                arr = effects.setdefault((team, code), np.zeros(days))
                arr[max(at, 0)] += size
    cols = {k: [] for k in ("metric_id", "team_id", "day", "value", "sample_size")}
    left = total
    for team, code in series:
        if left <= 0:
            break
        take = min(days, left)
        left -= take
        metric_id, _, lo, hi = metrics[code]
        level, sd, digits = METRIC_SHAPE[code]
        spread = sd if sd is not None else 0.3
        base = level * (1.45 if code == "aht" and team % 4 == 1 else 1.0) + rng.normal(0, 0.4) * spread
        trend = rng.normal(0, 0.3) * spread * day_numbers / days
        weekly = np.where(weekday >= 5, -0.3, 0.1) * spread
        effect = np.cumsum(effects[(team, code)]) if (team, code) in effects else 0.0
        # Effects of many launches accumulate; keep the level believable by letting it drift back slowly.
        mean = base + trend + weekly + effect
        values = rng.poisson(np.clip(mean, 0.2, None)).astype(float) if sd is None else mean + rng.normal(0, sd, days)
        values = np.round(np.clip(values, -np.inf if lo is None else lo, np.inf if hi is None else hi), digits)
        sl = slice(days - take, days)
        cols["metric_id"].append(np.full(take, metric_id))
        cols["team_id"].append(np.full(take, team))
        cols["day"].append(np.datetime64(start, "D") + day_numbers[sl])
        cols["value"].append(values[sl])
        has_sample = code in ("csat", "nps", "fcr", "sales_conversion")
        cols["sample_size"].append(rng.integers(30, 160, take) if has_sample else np.full(take, -1))
    return {k: (np.concatenate(v) if v else np.array([])) for k, v in cols.items()}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_NAT = np.iinfo(np.int64).min  # numpy's NaT: where a cell is None


def _utc_texts(values) -> list[str | None]:
    """The text SQLAlchemy's SQLite DATETIME stores ('YYYY-MM-DD HH:MM:SS.ffffff', UTC as UTCDateTime hands it
    over) for a whole column of UTC datetimes or None: numpy formats them all at once (an isoformat per value
    was most of the time spent converting the rows)."""
    micros = np.array([_NAT if v is None else (v - _EPOCH) // _MICROSECOND for v in values], dtype=np.int64)
    texts = np.datetime_as_string(micros.view("datetime64[us]"), unit="us").tolist()
    return [None if t == "NaT" else t.replace("T", " ", 1) for t in texts]


def _sqlite_cells(kind: str):
    """How a column of this kind is stored on SQLite, a whole column at a time (None: as it is)."""
    if kind == "datetime":
        return _utc_texts
    if kind == "date":
        return lambda values: [None if v is None else v.isoformat() for v in values]
    if kind == "bool":
        return lambda values: [None if v is None else int(v) for v in values]
    return None


def _kind(column) -> str:
    type_ = column.type
    if isinstance(type_, UTCDateTime):
        return "datetime"
    if isinstance(type_, Date):
        return "date"
    if isinstance(type_, Boolean):
        return "bool"
    return "plain"


def _bulk(conn: Connection, model, columns: tuple[str, ...], rows: list[tuple], converted: bool = False) -> int:
    """Insert rows (tuples in `columns` order) through the driver's bulk path inside the open transaction:
    sqlite3 executemany with values converted once per column, or COPY on PostgreSQL. Core's per-row
    parameter processing took most of the time at 100k ideas (measured: docs/measurements.md), so it is
    skipped here."""
    if not rows:
        return 0
    table = model.__table__
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()
        try:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return len(rows)
    converters = [(i, _sqlite_cells(_kind(table.c[name]))) for i, name in enumerate(columns)]
    converters = [] if converted else [(i, f) for i, f in converters if f is not None]
    if converters:  # column by column, not cell by cell in a Python loop per row
        cells = list(zip(*rows, strict=True))
        for i, f in converters:
            cells[i] = f(cells[i])
        rows = list(zip(*cells, strict=True))
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for start in range(0, len(rows), CHUNK):
        conn.exec_driver_sql(sql, rows[start:start + CHUNK])
    return len(rows)


@contextlib.contextmanager
def _indexes_built_after(conn: Connection, tables: tuple[str, ...]):
    """Drop the plain indexes of `tables` (not those behind a primary key or a unique constraint) for the load
    and create them again after it, in the same transaction: one sort per index instead of an index update per
    row (measured: docs/measurements.md)."""
    if conn.dialect.name == "postgresql":
        found = conn.execute(text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(:tables) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
            "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass) ORDER BY i.indexname"),
            {"tables": list(tables)}).all()
    else:
        marks = ", ".join("?" * len(tables))
        found = conn.exec_driver_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) "
            "ORDER BY name", tuple(tables)).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _, definition in found:
        conn.exec_driver_sql(definition)


def _insert(conn: Connection, model, rows: list[dict], counts: dict[str, int]) -> None:
    if rows:
        columns = tuple(rows[0])
        assert len(columns) > 1, "itemgetter of one key gives the value, not a row"
        _bulk(conn, model, columns, list(map(operator.itemgetter(*columns), rows)))
    counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(rows)


def _insert_observations(conn: Connection, obs: dict[str, np.ndarray]) -> int:
    n = len(obs["value"])
    if n == 0:
        return 0
    # In the order of the (metric, team, day) unique index, so that each insert appends to it.
    order = np.lexsort((obs["day"], obs["team_id"], obs["metric_id"]))
    obs = {k: v[order] for k, v in obs.items()}
    days = obs["day"].astype("datetime64[D]")
    sample = [None if s < 0 else s for s in obs["sample_size"].tolist()]
    if conn.dialect.name == "sqlite":
        day_cells = np.datetime_as_string(days, unit="D").tolist()  # what Date stores; no per-row conversion
    else:
        day_cells = days.astype(object).tolist()
    rows = list(zip(obs["metric_id"].tolist(), obs["team_id"].tolist(), day_cells, obs["value"].tolist(), sample,
                    strict=True))
    if conn.dialect.name == "sqlite":
        sql = "INSERT INTO observations (metric_id, team_id, day, value, sample_size) VALUES (?, ?, ?, ?, ?)"
        for start in range(0, n, 200_000):
            conn.exec_driver_sql(sql, rows[start:start + 200_000])
        return n
    return _bulk(conn, Observation, ("metric_id", "team_id", "day", "value", "sample_size"), rows)


def _write_trail(conn: Connection, trail: _Trail) -> int:
    """Chain the collected entries in time order after the newest stored entry, then insert them."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": audit._PG_AUDIT_LOCK})
    last = conn.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev = (last.seq, last.hash) if last else (0, audit.GENESIS)
    key = audit_key.require() if last else audit._key_for_new_trail()
    next_id = (conn.execute(select(func.max(AuditEntry.id))).scalar() or 0) + 1
    trail.rows.sort(key=lambda r: r[0])
    hashes = audit.chain(trail.rows, key=key.secret, seq=seq, prev_hash=prev)
    sqlite = conn.dialect.name == "sqlite"
    cells = _utc_texts([r[0] for r in trail.rows]) if sqlite else [r[0] for r in trail.rows]
    rows = [(next_id + offset, seq + offset + 1, cell, actor_id, email, action, etype, eid, before, after, reason,
             hashes[offset - 1] if offset else prev, digest)
            for offset, ((_, actor_id, email, action, etype, eid, before, after, reason), cell, digest)
            in enumerate(zip(trail.rows, cells, hashes, strict=True))]
    _bulk(conn, AuditEntry, ("id", "seq", "at", "actor_id", "actor_email", "action", "entity_type", "entity_id",
                             "before_json", "after_json", "reason", "prev_hash", "hash"), rows, converted=sqlite)
    return len(rows)


@contextlib.contextmanager
def _loading_connection(db: Database):
    """The connection the one load transaction is written through.

    On SQLite it writes the new pages straight into the database file (a rollback journal, which for pages the
    file did not have before records nothing) instead of into the write-ahead log and then again into the file
    when the log is checkpointed, and keeps every changed page in memory until the commit (measured:
    docs/measurements.md). The database is empty and this process its only user while it loads; the journal
    mode is switched back to WAL afterwards. If another connection has the file open the switch is refused and
    the load simply goes through the log."""
    if db.dialect != "sqlite":
        with db.engine.connect() as conn:
            yield conn
        return
    db.engine.dispose()  # this process's idle connections would keep the file in WAL mode
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection  # outside SQLAlchemy's transaction: pragmas before BEGIN
        raw.execute("PRAGMA journal_mode=DELETE")
        raw.execute("PRAGMA cache_size=-1000000")  # up to 1 GB of pages, released when the connection closes
        try:
            yield conn
        finally:
            raw.execute("PRAGMA journal_mode=WAL")
            conn.invalidate()  # not back to the pool with its big cache


def _defer_checks(conn: Connection) -> None:
    """On PostgreSQL, skip the per-row foreign-key triggers for this transaction when allowed (superuser), as
    pg_restore --disable-triggers does: the seeded rows are consistent by construction, and the checks took
    most of the load time (measured: docs/measurements.md). Without the privilege the load is slower, not
    different."""
    if conn.dialect.name != "postgresql":
        return
    try:
        with conn.begin_nested():
            conn.execute(text("SET LOCAL session_replication_role = replica"))
    except Exception:  # noqa: BLE001 - not a superuser: keep the checks
        pass


def _fix_sequences(conn: Connection) -> None:
    """After explicit ids, move PostgreSQL's id sequences past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in ("teams", "users", "campaigns", "ideas", "risk_assessments", "comments", "audit_entries"):
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def seed(db: Database, *, ideas: int, observations: int, teams: int | None = None, seed: int = 2026,
         progress: Callable[[str], None] | None = None) -> SeedSummary:
    """Fill an empty database with an organisation of `ideas` ideas and `observations` daily observations."""
    began = _time.perf_counter()
    say = progress or (lambda message: None)

    def report(message: str) -> None:
        say(f"{_time.perf_counter() - began:6.1f} s  {message}")

    problems = []
    if not isinstance(ideas, int) or ideas < 0:
        problems.append(f"--ideas must be a whole number of at least 0, not {ideas!r}")
    if not isinstance(observations, int) or observations < 0:
        problems.append(f"--observations must be a whole number of at least 0, not {observations!r}")
    if teams is not None and (not isinstance(teams, int) or not 2 <= teams <= 5000):
        problems.append(f"--teams must be a whole number from 2 to 5000, not {teams!r}")
    if problems:
        raise InvalidInput(problems)
    teams = teams or default_teams(ideas)
    catalog.ensure_defaults(db)
    with db.read() as s:
        if s.execute(select(User.id).limit(1)).first() or s.execute(select(Idea.id).limit(1)).first():
            raise InvalidInput("hero seed fills an empty database, and this one already has people or ideas; "
                               "point HERO_DATABASE_URL at a new database (or remove data/hero.db)")
        metric_rows = {code: (mid, direction, lo, hi) for mid, code, direction, lo, hi in s.execute(
            select(Metric.id, Metric.code, Metric.direction, Metric.min_value, Metric.max_value))}
    now = db.now()
    today = now.date()
    series = teams * len(METRIC_SHAPE)
    days = max(1, observations // series) if observations else 0
    if observations and observations % series:
        days += 1  # the last team's series are shorter: exactly `observations` rows in all
    history_days = max(days, MIN_HISTORY_DAYS)
    rng = random.Random(seed)
    start = _work_time(today - timedelta(days=history_days + 20), rng)
    trail = _Trail()

    report(f"people and teams ({teams} teams)")
    org = _Org(rng, teams, start)
    for t in org.team_rows:
        trail.add(start, None, "system", "team_created", "team", t["id"], None, {"code": t["code"], "name": t["name"]})
    roles_of: dict[int, list[str]] = {}
    for r in org.role_rows:
        roles_of.setdefault(r["user_id"], []).append(r["role"])
    team_code = {t["id"]: t["code"] for t in org.team_rows}
    for u in org.user_rows:
        trail.add(start, None, "system", "user_created", "user", u["id"], None,
                  {"email": u["email"], "name": u["name"], "roles": roles_of[u["id"]], "team": team_code[u["team_id"]]})
    campaigns = []
    for i in range(4):
        opened = _work_time(today - timedelta(days=min(history_days - 30, 260) - 60 * i), rng)
        campaigns.append({"id": i + 1, "opened": opened})
    campaign_rows = [{
        "id": c["id"], "title": f"Campaign {c['id']}: fewer repeat contacts", "description":
        "Which roadblock makes customers contact us twice? Propose the fix.", "touchpoint": None,
        "closes_on": c["opened"].date() + timedelta(days=120), "created_by": org.executives[0],
        "created_at": c["opened"], "active": True} for c in campaigns]
    for c in campaign_rows:
        trail.add(c["created_at"], org.executives[0], org.email[org.executives[0]], "campaign_created", "campaign",
                  c["id"], None, {"title": c["title"]})

    report(f"{ideas:,} ideas and their histories")
    builder = _Ideas(org, rng, today, history_days, campaigns, sorted(metric_rows), trail)
    builder.build(ideas)

    report(f"{observations:,} observations")
    obs = _observations(np.random.default_rng(seed), teams=sorted(org.front), metrics=metric_rows, days=days,
                        total=observations, today=today, launched=builder.launched) if observations else None
    if observations:
        trail.add(now, None, "system", "metrics_loaded", "observations", "seed",
                  None, {"rows": observations, "teams": teams, "days": days}, "hero seed")

    report("writing")
    counts: dict[str, int] = {}
    with _loading_connection(db) as conn, conn.begin():
        _defer_checks(conn)
        tables = ((Team, org.team_rows), (User, org.user_rows), (UserRole, org.role_rows),
                  (TeamManager, org.manager_rows), (Campaign, campaign_rows), (Idea, builder.ideas),
                  (IdeaMetric, builder.metrics), (IdeaPilotTeam, builder.pilots), (RiskAssessment, builder.assessments),
                  (RiskRating, builder.ratings), (Approval, builder.approvals), (Notification, builder.notifications),
                  (Comment, builder.comments), (IdeaSupport, builder.supports))
        loaded = (*(model.__tablename__ for model, _ in tables), Observation.__tablename__, AuditEntry.__tablename__)
        with _indexes_built_after(conn, loaded):
            for model, rows in tables:
                _insert(conn, model, rows, counts)
            report("observations")
            counts["observations"] = _insert_observations(conn, obs) if obs is not None else 0
            report(f"audit trail ({len(trail.rows):,} entries)")
            counts["audit_entries"] = _write_trail(conn, trail)
            report("indexes")
        if counts["observations"]:
            report("weekly sums")
            rebuild_weeks(conn)
        _fix_sequences(conn)
        report("committing")
    report("analysing")
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("ANALYZE"))
    else:
        with db.engine.connect() as c:
            c.exec_driver_sql("ANALYZE")
            c.commit()
    if counts["observations"]:
        report("impact verdicts of the launched ideas")
        impact_store.refresh(db, workers=impact_store.default_workers())
    return SeedSummary(teams=teams, users=len(org.user_rows), ideas=ideas, observations=counts["observations"],
                       audit_entries=counts["audit_entries"], rows=counts, seconds=_time.perf_counter() - began)
