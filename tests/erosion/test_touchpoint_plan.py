"""The touch-point plan: each touch point's open roadblocks, ideas in flight, scaled ideas, open alarms and the
trend of the metrics its ideas target, weakest first."""

from __future__ import annotations

import pytest

from hero_core.errors import PermissionDenied
from hero_core.services import erosion, job_aids, people, touchpoints
from hero_core.services import help as help_service
from tests.conftest import PASSWORD
from tests.erosion import world


def test_every_touch_point_is_listed_and_the_one_with_an_alarm_comes_first(org):
    world.build(org, later_effect=-5.0)
    erosion.refresh_alarms(org.db)
    help_service.ask(org.db, actor_id=org.frontline, data=help_service.HelpInput(
        question="Where is the refund form on the website?", touchpoint="website"))
    plan = touchpoints.touchpoint_plan(org.db, actor_id=org.executive)
    assert plan["touchpoint"].iloc[0] == "Call centre"
    assert set(plan["touchpoint"]) == {"Website", "Call centre", "Self-service portal", "Face-to-face",
                                       "Social media", "Other"}
    first = plan.iloc[0]
    assert (first["open_alarms"], first["scaled_ideas"], first["ideas_in_flight"]) == (1, 1, 0)
    assert first["metrics"].startswith("Average handle time: ")
    website = plan[plan["touchpoint"] == "Website"].iloc[0]
    assert (website["open_roadblocks"], website["open_alarms"]) == (1, 0)
    assert plan.iloc[1]["touchpoint"] == "Website"  # an open roadblock, no alarm: next


def test_ideas_with_a_checked_job_aid_are_counted_at_their_touch_point(org):
    idea_id = world.build(org, later_effect=-30.0)
    coach = people.add_user(org.db, actor_id=None, email="cora@example.com", name="Cora Coach", roles=["ecoach"],
                            team_code="ST", password=PASSWORD)
    job_aids.write_job_aid(org.db, actor_id=org.frontline, idea_id=idea_id, title="Three fields",
                           steps="1. Open the form. 2. Fill three fields.")
    plan = touchpoints.touchpoint_plan(org.db, actor_id=org.executive).set_index("touchpoint")
    assert plan.loc["Call centre", "job_aids"] == 0  # not checked yet
    (waiting,) = job_aids.waiting_for_check(org.db, actor_id=coach)
    job_aids.check_job_aid(org.db, actor_id=coach, job_aid_id=waiting.id)
    plan = touchpoints.touchpoint_plan(org.db, actor_id=org.executive).set_index("touchpoint")
    assert plan.loc["Call centre", "job_aids"] == 1


def test_a_metric_trend_reads_better_or_worse_only_when_clear(org):
    world.build(org, later_effect=-30.0)
    trend = touchpoints.metric_trends(org.db, codes=["aht"])["aht"]
    assert trend.reading == touchpoints.STEADY
    assert trend.text().startswith("Average handle time: steady (")


def test_only_executives_and_managers_see_the_plan(org):
    with pytest.raises(PermissionDenied, match="executives and managers"):
        touchpoints.touchpoint_plan(org.db, actor_id=org.it)
    assert len(touchpoints.touchpoint_plan(org.db, actor_id=org.manager)) == 6
