"""The home read model (hero_core/services/home.py) on SQLite and PostgreSQL: a few rows per question, right ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from hero_core import risk
from hero_core.errors import PermissionDenied
from hero_core.models import Idea
from hero_core.services import home, ideas, ideas_io, metrics_io


def new_idea(org, title: str, *, submitter: int | None = None, submit: bool = True, tech: bool = False) -> int:
    return ideas.create_idea(org.db, actor_id=submitter or org.frontline, submit=submit, data=ideas.IdeaInput(
        title=title, roadblock="Customers ring us three times about it.", proposal="Send the form pre-filled.",
        touchpoint="call_centre", category="complex_form", involves_technology=tech))


def approved(org, title: str) -> int:
    idea_id = new_idea(org, title, tech=True)
    ideas.start_review(org.db, actor_id=org.manager, idea_id=idea_id)
    ideas.assess_risk(org.db, actor_id=org.manager, idea_id=idea_id, assessment=ideas.AssessmentInput(
        ratings=[risk.Rating(c, 1, 2) for c in risk.CATEGORIES],
        effort_value=risk.EffortValue(False, False, "none", 2, "many_teams", "clear", "strong")))
    ideas.approve(org.db, actor_id=org.manager, idea_id=idea_id)
    return idea_id


def set_state(org, idea_id: int, **values) -> None:
    with org.db.write() as s:
        s.execute(update(Idea).where(Idea.id == idea_id).values(**values))


def test_my_ideas_that_need_me_are_my_drafts_and_those_sent_back_newest_first(org):
    draft = new_idea(org, "A draft of mine", submit=False)
    back = new_idea(org, "Sent back to me")
    ideas.start_review(org.db, actor_id=org.manager, idea_id=back)
    ideas.request_changes(org.db, actor_id=org.manager, idea_id=back, reason="Which form?")
    new_idea(org, "Waiting for the manager")
    listing = home.needs_me(org.db, actor_id=org.frontline, limit=1)
    assert listing.total == 2 and [i.id for i in listing.items] == [back]
    assert [i.id for i in home.needs_me(org.db, actor_id=org.frontline).items] == [back, draft]
    assert home.needs_me(org.db, actor_id=org.frontline_b).total == 0


def test_a_team_s_recent_wins_are_its_ideas_scaled_in_the_last_ninety_days(org):
    recent = new_idea(org, "Scaled last week", submitter=org.frontline_b)
    set_state(org, recent, state="scaled", scaled_at=org.db.now() - timedelta(days=7))
    old = new_idea(org, "Scaled long ago")
    set_state(org, old, state="scaled", scaled_at=org.db.now() - timedelta(days=home.RECENT_WINS_DAYS + 1))
    elsewhere = new_idea(org, "Another team's win", submitter=org.other_frontline)
    set_state(org, elsewhere, state="scaled", scaled_at=org.db.now())
    wins = home.team_wins(org.db, actor_id=org.frontline)
    assert (wins.total, [w.id for w in wins.items]) == (1, [recent])


def test_the_review_summary_counts_the_queue_the_overdue_and_the_second_approvals(org):
    late = new_idea(org, "Waited too long")
    set_state(org, late, review_start_due=org.db.now() - timedelta(days=2))
    new_idea(org, "Fresh")
    summary = home.review_summary(org.db, actor_id=org.manager, limit=1)
    assert (summary.total, summary.overdue, summary.second_approvals) == (2, 1, 0)
    assert [q.idea.id for q in summary.items] == [late]
    with pytest.raises(PermissionDenied):
        home.review_summary(org.db, actor_id=org.frontline)


def test_it_sees_what_waits_to_be_claimed_and_its_own_pilots(org):
    waiting = approved(org, "Waiting for IT")
    mine = approved(org, "Claimed by me")
    ideas.claim(org.db, actor_id=org.it, idea_id=mine)
    ready, late = home.claimable(org.db, actor_id=org.it)
    assert (ready.total, [i.id for i in ready.items], late) == (1, [waiting], 0)
    pilots = home.my_pilots(org.db, actor_id=org.it)
    assert (pilots.total, [(i.id, i.state) for i in pilots.items]) == (1, [(mine, "in_build")])


def test_impact_this_quarter_counts_the_ideas_launched_since_the_quarter_began(org):
    today = org.db.now().date()
    now_launched = approved(org, "Launched today")
    set_state(org, now_launched, state="piloting", launch_date=today)
    before = approved(org, "Launched last year")
    set_state(org, before, state="scaled", launch_date=today - timedelta(days=370))
    quarter = home.quarter_impact(org.db, actor_id=org.executive)
    assert quarter.first_day.day == 1 and quarter.first_day.month in (1, 4, 7, 10) and quarter.first_day <= today
    assert quarter.launched == 1
    assert quarter.improved in (0, None)  # no observations: nothing measured as improved
    with pytest.raises(PermissionDenied):
        home.quarter_impact(org.db, actor_id=org.frontline)


def test_recent_imports_list_idea_and_metric_imports_newest_first(org, tmp_path):
    assert home.recent_imports(org.db, actor_id=org.admin) == ()
    ideas_csv = tmp_path / "suggestions.csv"
    ideas_csv.write_text(",".join(ideas_io.COLUMNS) + "\n" + "".join(
        f"Shorter hold music {n},Callers hang up during the long hold message.,Cut the message to ten seconds.,"
        "frank@example.com,CC,call_centre,other,no,2025-03-31,submitted,,,\n" for n in range(3)))
    ideas_io.import_ideas_csv(org.db, path=ideas_csv, actor_id=org.admin)
    metrics_csv = tmp_path / "csat.csv"
    metrics_csv.write_text("metric,team,date,value,sample_size\ncsat,CC,2025-03-31,4.2,118\n")
    metrics_io.import_metrics(org.db, source=metrics_csv, actor_id=org.admin)
    found = home.recent_imports(org.db, actor_id=org.admin)
    assert sorted((i.kind, i.rows, i.source) for i in found) == [("ideas", 3, "suggestions.csv"),
                                                                   ("metrics", 1, "csat.csv")]
    with pytest.raises(PermissionDenied):
        home.recent_imports(org.db, actor_id=org.manager)
