"""Contract: what the database aggregates say about ideas is what the idea page says about each of them.

The compact scorecard, the funnel, the IT board's counts and the overdue list ask of thousands of ideas at once,
in SQL, the questions hero_core/lifecycle.py answers for one idea (is its decision made? which promise was kept,
which broken?). Hypothesis drives random lifecycles through the real services — several teams, review rounds
after "needs changes", high risk with a second approver, withdrawals, retirements at any point, IT claims, pilots
and scaling, with gaps of hours to weeks so promises are kept, kept late, broken and still open, across quarter
ends — and compares every aggregate with a reference computed in Python from what the idea page shows for each
idea (`ideas.get_idea(...).sla` and its milestones), on SQLite and PostgreSQL.

The first catch was the scorecard counting an idea sent back for changes and resubmitted as "decided within the
SLA" (share 1.0 for one waiting idea, median −0.0 days) while its page said it waited for a decision.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hero_core import audit, lifecycle
from hero_core.models import Base, Idea
from hero_core.services import ideas, impact_views, scorecard
from hero_core.vocab import State
from tests.conftest import build_org
from tests.integration.factories import assessment, idea_input

S = State
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday four weeks before a quarter ends

# What may happen next to an idea in each state; the walk picks one (a repeated entry is likelier: the detours
# where rules differ — changes asked for, a resubmission waiting again, a second approval — come up often).
NEXT = {
    S.SUBMITTED: ["start_review", "start_review", "start_review", "withdraw", "retire"],
    S.IN_REVIEW: ["approve_low", "approve_high", "request_changes", "request_changes", "decline", "withdraw",
                  "retire"],
    S.NEEDS_CHANGES: ["resubmit", "resubmit", "resubmit", "withdraw", "retire"],
    S.APPROVED: ["start_pilot", "start_pilot", "retire"],
    S.AWAITING_IT: ["claim", "claim", "retire"],
    S.IN_BUILD: ["start_pilot", "start_pilot", "retire"],
    S.PILOTING: ["start_scaling", "start_scaling", "retire"],
    S.SCALING: ["complete_scaling", "complete_scaling", "retire"],
}

walk = st.fixed_dictionaries({
    "ideas": st.lists(st.fixed_dictionaries({"team": st.sampled_from(["CC", "ST"]), "tech": st.booleans()}),
                      min_size=1, max_size=4),
    "steps": st.lists(st.tuples(st.integers(0, 3), st.integers(0, 300), st.integers(0, 6)), max_size=30),
    "end_gap_hours": st.integers(0, 900),
})


class World:
    """The organisation and its clock. Each example starts a day after the previous one ended, so the audit
    trail of ideas deleted by earlier examples (SQLite reuses their ids) stays in the past: `start` tells apart."""

    def __init__(self, org, start: datetime):
        self.org, self.db, self.now, self.start = org, org.db, start, start
        org.db.clock = lambda: self.now

    def people(self, team: str):
        o = self.org
        return (o.frontline, o.manager) if team == "CC" else (o.other_frontline, o.other_manager)

    def act(self, idea_id: int, team: str, choice: str) -> None:
        db, o = self.db, self.org
        submitter, manager = self.people(team)
        if choice == "start_review":
            ideas.start_review(db, actor_id=manager, idea_id=idea_id)
        elif choice == "withdraw":
            ideas.withdraw(db, actor_id=submitter, idea_id=idea_id)
        elif choice in ("approve_low", "approve_high"):
            high = choice == "approve_high"
            ideas.assess_risk(db, actor_id=manager, idea_id=idea_id, assessment=assessment(high=high))
            if ideas.approve(db, actor_id=manager, idea_id=idea_id) != "approved":
                self.now += timedelta(hours=30)  # the second approver comes the next day
                ideas.approve(db, actor_id=o.admin, idea_id=idea_id, reason="Mitigated with legal's review.")
        elif choice == "request_changes":
            ideas.request_changes(db, actor_id=manager, idea_id=idea_id, reason="Say which form.")
        elif choice == "decline":
            ideas.decline(db, actor_id=manager, idea_id=idea_id, reason="Not this year.")
        elif choice == "resubmit":
            ideas.resubmit(db, actor_id=submitter, idea_id=idea_id)
        elif choice == "retire":
            ideas.retire(db, actor_id=manager, idea_id=idea_id, reason="Overtaken by a new system.")
        elif choice == "claim":
            ideas.claim(db, actor_id=o.it, idea_id=idea_id)
        elif choice == "start_pilot":
            ideas.start_pilot(db, actor_id=manager, idea_id=idea_id, pilot_team_codes=[team],
                              launch_date=self.now.date())
        elif choice == "start_scaling":
            ideas.start_scaling(db, actor_id=manager, idea_id=idea_id, override_reason="The pilot team asked.")
        elif choice == "complete_scaling":
            ideas.complete_scaling(db, actor_id=manager, idea_id=idea_id)


def _play(org, w, start: datetime) -> tuple[World, list[int]]:
    world = World(org, start)
    made = []
    for k, spec in enumerate(w["ideas"]):
        world.now += timedelta(hours=5 * k)
        submitter, _ = world.people(spec["team"])
        made.append((ideas.create_idea(org.db, actor_id=submitter, submit=True,
                                       data=idea_input(tech=spec["tech"], title=f"Walked idea number {k}")),
                     spec["team"]))
    for which, gap_hours, pick in w["steps"]:
        idea_id, team = made[which % len(made)]
        world.now += timedelta(hours=gap_hours)
        with org.db.read() as s:
            state = State(s.get(Idea, idea_id).state)
        options = NEXT.get(state)
        if options:
            world.act(idea_id, team, options[pick % len(options)])
    world.now += timedelta(hours=w["end_gap_hours"])
    return world, [i for i, _ in made]


def _quarter(moment) -> str | None:
    return None if moment is None else f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


def _median(values) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _share(num: int, den: int) -> float | None:
    return None if not den else round(num / den, 4)


def _reference(org, idea_ids: list[int], since: datetime) -> dict[tuple[str, str], dict]:
    """The scorecard's measures for each (quarter, team) and (quarter, All teams), from what each idea's page shows."""
    facts: dict[tuple[str, str], dict] = defaultdict(lambda: defaultdict(list))
    for idea_id in idea_ids:
        view = ideas.get_idea(org.db, actor_id=org.admin, idea_id=idea_id)
        m = view.milestones
        decide = view.sla.get("decide", (None, "n/a"))[1]
        claim = view.sla.get("IT claims", (None, "n/a"))[1]
        # The milestones of the last review round, from the audit trail (an independent record of what happened).
        history = [(e.action, e.at) for e in ideas.timeline(org.db, actor_id=org.admin, idea_id=idea_id)
                   if e.at >= since]
        last_sent = max((at for action, at in history if action in ("submit", "resubmit")), default=None)
        after = [(action, at) for action, at in history if last_sent is not None and at >= last_sent]
        started = next((at for action, at in after if action == "start_review"), None)
        decided = next((at for action, at in after if action in ("approve", "decline", "request_changes")), None)
        approved = next((at for action, at in history if action == "approve"), None)
        claimed = next((at for action, at in history if action == "claim"), None)
        for team in (view.team_code, scorecard.ALL_TEAMS):
            q_sub = _quarter(m["submitted_at"])
            if q_sub:
                f = facts[(q_sub, team)]
                f["ideas"].append(1)
                f["approved"].append(int(m["approved_at"] is not None))
                f["decided_on_time"].append(int(decide == "met"))
                f["decision_broken"].append(int(decide in ("missed", "overdue")))
                assert last_sent == m["submitted_at"], (idea_id, history)
                if started:
                    f["review_days"].append((started - last_sent).total_seconds() / 86400)
                if decided:
                    f["decision_days"].append((decided - last_sent).total_seconds() / 86400)
            q_app = _quarter(m["approved_at"])
            if q_app and "IT claims" in view.sla:
                f = facts[(q_app, team)]
                f["claimed_on_time"].append(int(claim == "met"))
                f["claim_broken"].append(int(claim in ("missed", "overdue")))
                if claimed:
                    f["claim_days"].append((claimed - approved).total_seconds() / 86400)
            q_pil = _quarter(m["piloted_at"])
            if q_pil:
                f = facts[(q_pil, team)]
                f["pilots"].append(1)
                f["pilots_scaled"].append(int(m["scaled_at"] is not None))
    out = {}
    for key, f in facts.items():
        kept, broken = sum(f["decided_on_time"]), sum(f["decision_broken"])
        c_kept, c_broken = sum(f["claimed_on_time"]), sum(f["claim_broken"])
        out[key] = {
            "ideas": sum(f["ideas"]), "pilots": sum(f["pilots"]),
            "share_approved": _share(sum(f["approved"]), sum(f["ideas"])),
            "median_days_to_review": _median(f["review_days"]),
            "median_days_to_decision": _median(f["decision_days"]),
            "share_decided_in_sla": _share(kept, kept + broken),
            "median_days_to_claim": _median(f["claim_days"]),
            "share_claimed_in_sla": _share(c_kept, c_kept + c_broken),
            "share_pilots_scaled": _share(sum(f["pilots_scaled"]), sum(f["pilots"])),
        }
    return out


def _none(value):
    return None if value is None or value != value else value


@given(w=walk)
def test_the_scorecard_funnel_and_queues_agree_with_every_idea_page(db, w):
    org = getattr(db, "_walk_org", None) or build_org(db)  # one organisation for all of the test's examples
    db._walk_org = org
    start = getattr(db, "_walk_next_start", START)
    with db.write() as s:  # each example starts from the organisation without ideas
        _clear_ideas(s, start)
    world, idea_ids = _play(org, w, start)
    now = world.now
    db._walk_next_start = now + timedelta(days=1)

    expected = _reference(org, idea_ids, start)
    frame = scorecard.scorecard(db, actor_id=org.executive)
    got = {(r["quarter"], r["team"]): r for r in frame.to_dict("records")}
    assert set(got) == set(expected), (sorted(got), sorted(expected))
    for key, want in expected.items():
        row = got[key]
        for column, value in want.items():
            have = _none(row[column])
            if isinstance(value, float) and have is not None:
                assert have == pytest.approx(value, abs=0.011), (key, column, have, value)
            else:
                assert have == value, (key, column, have, value)

    # The funnel: how many submitted ideas reached each stage, as their pages' milestones say.
    views = [ideas.get_idea(db, actor_id=org.admin, idea_id=i) for i in idea_ids]
    counts = dict(impact_views.funnel(db, actor_id=org.executive).counts[["stage", "ideas"]].values.tolist())
    for stage, _, column in impact_views.STAGES:
        assert counts[stage] == sum(1 for v in views if v.milestones["submitted_at"] and v.milestones[column]), stage

    # The overdue list and the IT board's count of late claims: exactly the promises the pages call overdue.
    late = {(o.idea_id, o.promise) for o in ideas.overdue(db, now=now)}
    assert late == {(v.id, label) for v in views for label, (_, status) in v.sla.items() if status == "overdue"}
    board = ideas.it_board_counts(db, actor_id=org.it)
    assert board[S.AWAITING_IT.value].overdue == sum(
        1 for v in views if v.state == S.AWAITING_IT.value and v.sla.get("IT claims", (0, ""))[1] == "overdue")
    for v in views:  # every page's promises read as lifecycle.py says, from the same row
        assert set(v.sla) <= {label for label, _, _ in lifecycle.PROMISES}


def _clear_ideas(s, at: datetime) -> None:
    """Delete every idea and every row that hangs on one, then write an audit entry so that cached reads (keyed
    on the audit trail's head) see the change. The trail itself stays: it only grows."""
    doomed = {"ideas"}
    for table in Base.metadata.sorted_tables:  # parents before children: one pass finds every dependant
        if table.name != "audit_entries" and any(fk.column.table.name in doomed for fk in table.foreign_keys):
            doomed.add(table.name)
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in doomed and table.name != "ideas":
            s.execute(table.delete())
    s.execute(Idea.__table__.update().values(merged_into_id=None))
    s.execute(Idea.__table__.delete())
    audit.record(s, at=at, actor_id=None, actor_email="system", action="test_walk_cleared",
                 entity_type="test", entity_id="walk")
