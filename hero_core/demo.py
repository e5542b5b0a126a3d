"""The demo organisation: a contact centre and retail stores living through 18 months of the compact.

Everything is created through the same services people use (so every history is in the audit trail, every
notification in an inbox), with the clock set back to when each step happened. Customer metrics are
generated per team and day with trends, weekly rhythm, noise, one company-wide shift and the real effects of
launched ideas on their pilot teams — some improved, some worsened, some no clear change.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import delete, insert, select

from hero_core import audit, demo_erosion, impact_store, risk
from hero_core.db import Database
from hero_core.demo_content import (
    CAMPAIGNS,
    CHANGE_REQUESTS,
    DECLINE_REASONS,
    IDEAS,
    IT_BLOCKERS,
    IT_PLANS,
    MITIGATIONS,
    PEOPLE,
    RETIRE_REASONS,
)
from hero_core.demo_help import build_help
from hero_core.demo_pulse import build_pulse
from hero_core.demo_social import build_conversation
from hero_core.models import ImpactResult, Metric, Observation, Team, User
from hero_core.services import campaigns, catalog, ideas, people
from hero_core.services.observations import rebuild_weeks

DEMO_PASSWORD = "hero-demo-2026"
HISTORY_DAYS = 548  # 18 months of daily metrics

TEAMS = {
    "CC-BIL": "Contact centre - Billing",
    "CC-TEC": "Contact centre - Technical support",
    "CC-SAL": "Contact centre - Sales",
    "CC-RET": "Contact centre - Retention",
    "ST-NTH": "Store - Northgate",
    "ST-RIV": "Store - Riverside",
    "ST-HAR": "Store - Harbour",
    "ST-MKT": "Store - Market Square",
    "DIG": "Digital & self-service",
    "HQ": "Head office & IT",
}
FRONT_TEAMS = [c for c in TEAMS if c != "HQ"]

# Final state of the 60 demo ideas: every state of the workflow, in believable proportions.
STATE_PLAN = (
    ["draft"] * 4 + ["submitted"] * 5 + ["in_review"] * 6 + ["needs_changes"] * 4 + ["approved"] * 3
    + ["declined"] * 5 + ["awaiting_it"] * 5 + ["in_build"] * 5 + ["piloting"] * 7 + ["scaling"] * 5
    + ["scaled"] * 8 + ["retired"] * 3
)

#: What the demo's second approvers write when they accept a high-risk idea's mitigations.
SECOND_APPROVAL_REASON = "Second approval: the mitigations cover the risk; legal signed off the wording."

# Typical daily level, day-to-day noise and rounding of each metric (contact centre / store differ in AHT).
METRIC_SHAPE = {
    "csat": (4.1, 0.12, 2),
    "nps": (24.0, 5.0, 1),
    "aht": (420.0, 22.0, 0),
    "fcr": (0.72, 0.025, 3),
    "complaints": (3.0, None, 0),  # Poisson counts
    "error_rate": (0.045, 0.006, 4),
    "sales_conversion": (0.18, 0.015, 3),
    "time_to_mastery": (45.0, 2.5, 1),
}


def is_empty(db: Database) -> bool:
    with db.read() as s:
        return s.execute(select(User.id).limit(1)).first() is None


@dataclass(order=True)
class _Event:
    at: datetime
    order: int
    run: object = field(compare=False)
    label: str = field(compare=False, default="")


def _work_time(day: date, rng: random.Random) -> datetime:
    """A moment in office hours on `day`, moved to Monday when it falls on a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=UTC)


def _later(prev: datetime, rng: random.Random, lo: int, hi: int) -> datetime:
    """A work-time moment lo..hi days after prev (at least one minute later)."""
    t = _work_time(prev.date() + timedelta(days=rng.randint(lo, hi)), rng)
    return t if t > prev else prev + timedelta(minutes=rng.randint(5, 90))


class _Builder:
    def __init__(self, db: Database, today: date, seed: int):
        self.db = db
        self.today = today
        self.rng = random.Random(seed)
        self.events: list[_Event] = []
        self.counter = 0
        self.ids: dict[str, int] = {}  # email -> user id
        self.team_people: dict[str, dict[str, list[str]]] = {}
        self.campaign_ids: list[tuple[int, datetime]] = []
        self.launched: list[dict] = []

    # -- helpers --
    def at(self, when: datetime, run, label: str = "") -> None:
        self.counter += 1
        self.events.append(_Event(when, self.counter, run, label))

    def set_clock(self, when: datetime) -> None:
        self.db.clock = lambda: when

    def uid(self, email: str) -> int:
        return self.ids[email]

    # -- organisation --
    def build_org(self, start: datetime) -> None:
        self.set_clock(start)
        for code, name in TEAMS.items():
            people.create_team(self.db, actor_id=None, code=code, name=name)
        for p in PEOPLE:
            uid = people.add_user(self.db, actor_id=None, email=p["email"], name=p["name"], roles=p["roles"],
                                  team_code=p["team"], password=DEMO_PASSWORD)
            self.ids[p["email"]] = uid
            bucket = self.team_people.setdefault(p["team"], {})
            for role in p["roles"]:
                bucket.setdefault(role, []).append(p["email"])
        for p in PEOPLE:
            for code in p.get("manages", []):
                current = [q["email"] for q in PEOPLE if code in q.get("manages", [])]
                people.set_team_managers(self.db, actor_id=None, team_code=code, manager_emails=current)
                self.team_people.setdefault(code, {}).setdefault("manager", [])
                if p["email"] not in self.team_people[code]["manager"]:
                    self.team_people[code]["manager"].append(p["email"])

    def role_people(self, role: str) -> list[str]:
        return [p["email"] for p in PEOPLE if role in p["roles"]]

    def manager_of(self, team: str) -> str:
        return self.team_people[team]["manager"][0]

    def other_approver(self, team: str) -> str:
        first = self.manager_of(team)
        choices = [e for e in self.role_people("manager") if e != first] + self.role_people("admin")
        return self.rng.choice(choices)

    def frontline_of(self, team: str) -> str:
        return self.rng.choice(self.team_people[team]["frontline"])

    # -- ideas --
    def plan_ideas(self) -> None:
        rng = self.rng
        pool = list(range(len(IDEAS)))
        rng.shuffle(pool)
        tech = [i for i in pool if IDEAS[i]["tech"]]
        non_tech = [i for i in pool if not IDEAS[i]["tech"]]
        assignment: dict[int, str] = {}

        def take(candidates: list[int], prefer_risky: bool | None = None) -> int:
            ordered = candidates
            if prefer_risky is not None:
                ordered = sorted(candidates, key=lambda i: bool(IDEAS[i].get("risky")) != prefer_risky)
            for i in ordered:
                if i not in assignment:
                    return i
            raise RuntimeError("demo content has too few ideas of the needed kind")

        needs_tech = {"awaiting_it": 5, "in_build": 5}
        for state, n in needs_tech.items():
            for _ in range(n):
                assignment[take(tech)] = state
        for _ in range(3):
            assignment[take(non_tech)] = "approved"
        # Two risky ideas wait in review for their second approver; one risky idea was declined.
        for _ in range(2):
            assignment[take(pool, prefer_risky=True)] = "in_review_second"
        assignment[take(pool, prefer_risky=True)] = "declined"
        remaining = list(STATE_PLAN)
        for st in ["awaiting_it"] * 5 + ["in_build"] * 5 + ["approved"] * 3 + ["in_review"] * 2 + ["declined"]:
            remaining.remove(st)
        rng.shuffle(remaining)
        for state in remaining:
            assignment[take(pool)] = state
        self.assignment = assignment

    def schedule(self) -> None:
        rng = self.rng
        today = self.today
        launch_slots = {
            "scaled": [today - timedelta(days=d) for d in (420, 395, 370, 345, 320, 300, 280, 260)],
            "scaling": [today - timedelta(days=d) for d in (300, 260, 230, 200, 170)],
            "piloting": [today - timedelta(days=d) for d in (200, 180, 160, 140, 120, 100, 20)],
            "retired": [today - timedelta(days=330)],
        }
        no_change_done = False
        retired_kinds = ["after_pilot", "approved", "in_build"]
        for index, state in sorted(self.assignment.items()):
            content = IDEAS[index]
            kind = retired_kinds.pop(0) if state == "retired" else None
            launch = None
            if state in ("scaled", "scaling", "piloting") or kind == "after_pilot":
                launch = launch_slots["retired" if kind else state].pop(0)
            first_event = len(self.events)
            self._schedule_idea(index, content, state, kind, launch)
            self._keep_in_past(first_event)
            if launch is not None:
                outcome_pool = ["improved", "improved", "improved", "worsened", "none"]
                outcomes = {}
                for m in content["metrics"]:
                    if not no_change_done and state == "scaling":
                        outcome = "none"
                        no_change_done = True
                    else:
                        outcome = rng.choice(outcome_pool)
                    outcomes[m] = outcome
                self.launched.append({"index": index, "launch": launch, "outcomes": outcomes})
        del rng

    def _schedule_idea(self, index: int, c: dict, state: str, retired_kind: str | None, launch: date | None) -> None:
        rng = self.rng
        today = self.today
        team = c["team"]
        submitter = self.frontline_of(team)
        manager = self.manager_of(team)
        it_person = rng.choice(self.role_people("it_champion"))
        key = f"idea{index}"
        risky = bool(c.get("risky"))
        # When did it start?
        if launch is not None:
            created = _work_time(launch - timedelta(days=rng.randint(40, 75)), rng)
        elif state == "draft":
            created = _work_time(today - timedelta(days=rng.randint(1, 25)), rng)
        elif state == "submitted":
            created = _work_time(today - timedelta(days=rng.randint(2, 14)), rng)
        elif state in ("in_review", "in_review_second", "needs_changes"):
            created = _work_time(today - timedelta(days=rng.randint(14, 35)), rng)
        elif state == "awaiting_it":
            created = _work_time(today - timedelta(days=rng.randint(30, 45)), rng)
        else:
            created = _work_time(today - timedelta(days=rng.randint(40, 300)), rng)
        campaign_id = None
        for cid, opened in self.campaign_ids:
            # Only while the campaign is open (it closes 120 days after opening): a closed one takes no ideas.
            open_now = opened < created and created.date() < opened.date() + timedelta(days=120)
            if open_now and rng.random() < 0.35 and c["touchpoint"] in CAMPAIGN_TOUCHPOINTS.get(cid, ()):
                campaign_id = cid
                break
        data = ideas.IdeaInput(
            title=c["title"], roadblock=c["roadblock"], proposal=c["proposal"], touchpoint=c["touchpoint"],
            category=c["category"], involves_technology=bool(c["tech"]), expected_benefit=c.get("benefit", ""),
            target_metrics=list(c["metrics"]), campaign_id=campaign_id,
        )
        holder: dict = {}
        sub_id = self.uid(submitter)

        def create():
            holder["id"] = ideas.create_idea(self.db, actor_id=sub_id, data=data)

        t = created
        self.at(t, create, key)
        if state == "draft":
            return
        t = _later(t, rng, 0, 2)
        self.at(t, lambda: ideas.submit(self.db, actor_id=sub_id, idea_id=holder["id"]), key)
        if state == "submitted":
            return
        mgr_id = self.uid(manager)
        t = _later(t, rng, 1, 6)
        self.at(t, lambda: ideas.start_review(self.db, actor_id=mgr_id, idea_id=holder["id"]), key)
        if state == "in_review":
            if rng.random() < 0.5:
                t = _later(t, rng, 0, 2)
                self.at(t, lambda: self._assess(mgr_id, holder["id"], risky=False), key)
            return
        # Some ideas went back for changes once before their decision.
        loops = state == "needs_changes" or (state not in ("declined", "in_review_second") and rng.random() < 0.25)
        if loops:
            reason = rng.choice(CHANGE_REQUESTS)
            t = _later(t, rng, 0, 3)
            self.at(t, lambda: ideas.request_changes(self.db, actor_id=mgr_id, idea_id=holder["id"],
                                                     reason=reason), key)
            if state == "needs_changes":
                return
            t = _later(t, rng, 1, 4)
            self.at(t, lambda: ideas.resubmit(self.db, actor_id=sub_id, idea_id=holder["id"]), key)
            t = _later(t, rng, 0, 3)
            self.at(t, lambda: ideas.start_review(self.db, actor_id=mgr_id, idea_id=holder["id"]), key)
        t = _later(t, rng, 0, 2)
        self.at(t, lambda: self._assess(mgr_id, holder["id"], risky=risky or state == "in_review_second"), key)
        if state == "declined":
            reason = rng.choice(DECLINE_REASONS)
            t = _later(t, rng, 0, 3)
            self.at(t, lambda: ideas.decline(self.db, actor_id=mgr_id, idea_id=holder["id"], reason=reason), key)
            return
        t = _later(t, rng, 0, 3)
        self.at(t, lambda: ideas.approve(self.db, actor_id=mgr_id, idea_id=holder["id"]), key)
        if state == "in_review_second":
            return
        if risky:
            second = self.uid(self.other_approver(team))
            t = _later(t, rng, 0, 3)
            self.at(t, lambda: ideas.approve(self.db, actor_id=second, idea_id=holder["id"],
                                             reason=SECOND_APPROVAL_REASON), key)
        tech = bool(c["tech"])
        if state in ("approved", "awaiting_it") or retired_kind == "approved" or (
                retired_kind == "in_build" and not tech):
            if retired_kind == "approved":
                reason = RETIRE_REASONS[0]
                t = _later(t, rng, 10, 30)
                self.at(t, lambda: ideas.retire(self.db, actor_id=mgr_id, idea_id=holder["id"], reason=reason), key)
            return
        it_id = self.uid(it_person)
        if tech:
            t = _later(t, rng, 1, 9)
            self.at(t, lambda: ideas.claim(self.db, actor_id=it_id, idea_id=holder["id"]), key)
            plan, blockers = rng.choice(IT_PLANS), (rng.choice(IT_BLOCKERS) if state == "in_build" and
                                                    rng.random() < 0.6 else "")
            effort = float(rng.choice([2, 3, 5, 8, 13, 20]))
            t = _later(t, rng, 0, 3)
            self.at(t, lambda: ideas.plan_it(self.db, actor_id=it_id, idea_id=holder["id"], plan=plan,
                                             effort_days=effort, blockers=blockers), key)
            if state == "in_build" or retired_kind == "in_build":
                if retired_kind == "in_build":
                    reason = RETIRE_REASONS[1 % len(RETIRE_REASONS)]
                    t = _later(t, rng, 10, 40)
                    self.at(t, lambda: ideas.retire(self.db, actor_id=mgr_id, idea_id=holder["id"], reason=reason),
                            key)
                return
        assert launch is not None
        neighbours = [x for x in FRONT_TEAMS if x != team and x[:2] == team[:2]]
        pilot = [team, *rng.sample(neighbours, k=min(len(neighbours), rng.randint(0, 1)))]
        mover = it_id if tech else mgr_id
        pilot_at = _work_time(launch - timedelta(days=rng.randint(2, 6)), rng)
        t = pilot_at if pilot_at > t else t + timedelta(hours=1)
        self.at(t, lambda: ideas.start_pilot(self.db, actor_id=mover, idea_id=holder["id"],
                                             pilot_team_codes=pilot, launch_date=launch), key)
        self.pilots = getattr(self, "pilots", {})
        self.pilots[index] = pilot
        if retired_kind == "after_pilot":
            reason = RETIRE_REASONS[2 % len(RETIRE_REASONS)]
            t = _later(_work_time(launch, rng), rng, 90, 110)
            self.at(t, lambda: ideas.retire(self.db, actor_id=mgr_id, idea_id=holder["id"], reason=reason), key)
            return
        if state == "piloting":
            return
        t = _later(_work_time(launch, rng), rng, 95, 120)
        self.at(t, lambda: ideas.start_scaling(self.db, actor_id=mover, idea_id=holder["id"]), key)
        if state == "scaling":
            return
        t = _later(t, rng, 30, 80)
        self.at(t, lambda: ideas.complete_scaling(self.db, actor_id=mover, idea_id=holder["id"]), key)

    def _keep_in_past(self, first_event: int) -> None:
        """Move one idea's events back in time when its random delays ran past today."""
        mine = self.events[first_event:]
        latest = max(e.at for e in mine)
        limit = datetime.combine(self.today, time(0, 0), tzinfo=UTC) - timedelta(hours=1)
        if latest > limit:
            back = timedelta(days=(latest - limit).days + 1)
            for e in mine:
                e.at -= back

    def _assess(self, manager_id: int, idea_id: int, *, risky: bool) -> None:
        rng = self.rng
        ratings = []
        hot = rng.choice(list(risk.CATEGORIES)) if risky else None
        for category in risk.CATEGORIES:
            if category == hot:
                likelihood, impact = rng.choice([(4, 4), (3, 5), (5, 4), (4, 5)])
            else:
                likelihood, impact = rng.randint(1, 3), rng.randint(1, 3)
            mitigation = rng.choice(MITIGATIONS[category]) if likelihood * impact >= 4 else ""
            ratings.append(risk.Rating(category, likelihood, impact, mitigation))
        ev = risk.EffortValue(
            needs_it=rng.random() < 0.6, needs_legal=risky or rng.random() < 0.15,
            budget=rng.choice(list(risk.BUDGET_CHOICES)), people_systems_touched=rng.choice([1, 2, 4, 8, 15, 40]),
            customers_reached=rng.choice(list(risk.REACH_CHOICES)),
            expected_change=rng.choice(list(risk.CHANGE_CHOICES)[1:]),
            strategic_fit=rng.choice(list(risk.FIT_CHOICES)),
        )
        ideas.assess_risk(self.db, actor_id=manager_id, idea_id=idea_id,
                          assessment=ideas.AssessmentInput(ratings, ev, notes=""))

    def run_events(self) -> None:
        for event in sorted(self.events):
            self.set_clock(event.at)
            event.run()

    # -- metrics --
    def generate_metrics(self) -> int:
        rng = np.random.default_rng(11)
        start = self.today - timedelta(days=HISTORY_DAYS)
        days = np.array([start + timedelta(days=i) for i in range(HISTORY_DAYS)], dtype="datetime64[D]")
        n = len(days)
        t = np.arange(n)
        weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
        with self.db.read() as s:
            metric_rows = {m.code: m for m in s.execute(select(Metric)).scalars()}
            team_ids = {tm.code: tm.id for tm in s.execute(select(Team)).scalars()}
        shift_day = np.datetime64(self.today - timedelta(days=300))
        # Effects of launched ideas on their pilot teams, from the launch date on.
        effects: dict[tuple[str, str], np.ndarray] = {}
        fading = demo_erosion.pick(self)  # one improvement wears off later: an erosion alarm to show
        for item in self.launched:
            pilot = self.pilots.get(item["index"], [])
            launch = np.datetime64(item["launch"])
            for code, outcome in item["outcomes"].items():
                level, sd, _ = METRIC_SHAPE[code]
                good = 1 if metric_rows[code].direction == "higher" else -1
                scale = sd if sd is not None else 0.35 * level
                size = {"improved": 1.6, "worsened": -1.1, "none": 0.0}[outcome] * scale * good
                for team in pilot:
                    arr = effects.setdefault((team, code), np.zeros(n))
                    arr += np.where(days >= launch, size, 0.0) * demo_erosion.factor(item, code, fading, days)
        rows = []
        for team in FRONT_TEAMS:
            is_store = team.startswith("ST")
            for code, (level, sd, digits) in METRIC_SHAPE.items():
                m = metric_rows[code]
                team_offset = rng.normal(0, 0.4) * (sd if sd else 0.3)
                trend = rng.normal(0, 0.3) * (sd if sd else 0.3) * t / n
                base = level * (1.45 if code == "aht" and is_store else 1.0)
                weekly = np.where(weekday >= 5, -0.3, 0.1) * (sd if sd else 0.3)
                shift = np.where(days >= shift_day, {"csat": -0.08, "nps": -3.0, "complaints": 0.8}.get(code, 0.0),
                                 0.0)
                effect = effects.get((team, code), np.zeros(n))
                if sd is None:
                    lam = np.clip(base + team_offset + trend + shift + effect + weekly, 0.2, None)
                    values = rng.poisson(lam).astype(float)
                else:
                    values = base + team_offset + trend + weekly + shift + effect + rng.normal(0, sd, n)
                lo = m.min_value if m.min_value is not None else -np.inf
                hi = m.max_value if m.max_value is not None else np.inf
                values = np.round(np.clip(values, lo, hi), digits)
                sample = rng.integers(30, 160, n) if code in ("csat", "nps", "fcr", "sales_conversion") else None
                rows.extend({
                    "metric_id": m.id, "team_id": team_ids[team], "day": days[i].item(),
                    "value": float(values[i]), "sample_size": int(sample[i]) if sample is not None else None,
                } for i in range(n))
        self.set_clock(datetime.combine(self.today, time(6, 0), tzinfo=UTC))
        with self.db.write() as s:
            for chunk in range(0, len(rows), 20_000):
                s.execute(insert(Observation), rows[chunk:chunk + 20_000])
            rebuild_weeks(s)
            s.execute(delete(ImpactResult))  # derived from the days just loaded: recomputed by impact_store.refresh
            audit.record(s, at=self.db.now(), actor_id=None, actor_email="system", action="metrics_loaded",
                         entity_type="observations", entity_id="demo",
                         after={"rows": len(rows), "teams": len(FRONT_TEAMS), "days": HISTORY_DAYS},
                         reason="demo organisation")
        return len(rows)


CAMPAIGN_TOUCHPOINTS: dict[int, tuple[str, ...]] = {}


def build_demo(db: Database, *, today: date | None = None, seed: int = 7) -> str:
    """Build the demo organisation in an empty database; returns a one-paragraph summary."""
    real_clock = db.clock
    today = today or real_clock().date()
    builder = _Builder(db, today, seed)
    try:
        catalog.ensure_defaults(db)
        start = _work_time(today - timedelta(days=HISTORY_DAYS + 20), builder.rng)
        builder.build_org(start)
        executives = builder.role_people("executive")
        CAMPAIGN_TOUCHPOINTS.clear()
        for i, c in enumerate(CAMPAIGNS):
            opened = _work_time(today - timedelta(days=260 - 90 * i), builder.rng)
            builder.set_clock(opened)
            cid = campaigns.create_campaign(
                db, actor_id=builder.uid(executives[i % len(executives)]), title=c["title"],
                description=c["description"], touchpoint=c["touchpoint"],
                closes_on=opened.date() + timedelta(days=120),
            )
            builder.campaign_ids.append((cid, opened))
            CAMPAIGN_TOUCHPOINTS[cid] = (c["touchpoint"],)
        builder.plan_ideas()
        builder.schedule()
        # The daily metrics first: a pilot scales only once its measurement window holds data (ideas.start_scaling).
        observations = builder.generate_metrics()
        builder.run_events()
        pulse_answers = build_pulse(db, today=today, seed=seed)
        supports, comments = build_conversation(db, today=today, seed=seed)
        help_requests, known_answers, help_idea = build_help(
            db, today=today, seed=seed, ids=builder.ids, promoter_email="sarah.whitfield@hero.example",
            people_by_team={t: [builder.uid(e) for e in builder.team_people[t].get("frontline", [])]
                            for t in FRONT_TEAMS})
    finally:
        db.clock = real_clock
    impact_store.refresh(db)  # the launched ideas' verdicts, ready for the first visit
    alarms = demo_erosion.after_scaling(db, builder)
    return (
        f"demo organisation ready: {len(TEAMS)} teams, {len(PEOPLE)} people (password {DEMO_PASSWORD!r}), "
        f"{len(IDEAS)} ideas in every state, {len(builder.launched)} launched, {observations} daily observations, "
        f"{pulse_answers} HERO Index pulse answers, {supports} supports, {comments} comments, "
        f"{help_requests} help requests ({known_answers} solved), a recurring roadblock promoted to idea #{help_idea}, "
        f"{alarms} erosion alarm(s)"
    )
