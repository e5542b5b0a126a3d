"""The erosion board in AppTest: open alarms with their evidence and chart, closed with what was done, by whom the
matrix allows; the check runs from the page."""

from __future__ import annotations

import io
from datetime import timedelta

import pyarrow as pa
from sqlalchemy import select

from hero_core.models import ErosionAlarm
from hero_core.services import adoption, erosion
from tests.app.conftest import all_text, as_role, assert_clean, open_page, successes
from tests.erosion import world


def _fading(org) -> int:
    world.build(org, later_effect=-5.0)
    (alarm_id,) = erosion.refresh_alarms(org.db).opened
    return alarm_id


def test_a_manager_sees_the_alarm_its_evidence_and_the_chart_of_its_weeks(org):
    alarm_id = _fading(org)
    at = open_page(as_role("manager"), "erosion")
    assert_clean(at)
    text = all_text(at).replace("\\", "")
    assert "Effect fading · Average handle time · Contact centre" in text
    assert "the pilot teams lost" in text
    at.session_state[f"erosion_{alarm_id}_chart"] = True  # what opening the expander sets
    at.run()
    assert_clean(at)
    chart = at.get("vega_lite_chart")[0]
    rows = [row for ds in chart.proto.datasets for row in pa.ipc.open_stream(ds.data.data).read_all().to_pylist()]
    periods = {row["period"] for row in rows if "period" in row}
    assert periods == {"Baseline", "Evaluation", "Later"}


def test_the_it_champion_closes_an_alarm_with_what_was_done(org):
    alarm_id = _fading(org)
    at = open_page(as_role("it_champion"), "erosion")
    at.selectbox(key=f"erosion_{alarm_id}_action").select("People retrained")
    at.text_area(key=f"erosion_{alarm_id}_note").input("Refresher for Contact centre on the short form.")
    at.button(key=f"erosion_{alarm_id}_close").click().run()
    assert_clean(at)
    assert any("closed" in m for m in successes(at))
    with org.db.read() as s:
        alarm = s.get(ErosionAlarm, alarm_id)
    assert (alarm.action_taken, alarm.closed_by) == ("people_retrained", org.it)
    assert "No open erosion alarm" in all_text(at)


def test_closing_without_saying_what_was_done_names_the_choices(org):
    alarm_id = _fading(org)
    at = open_page(as_role("admin"), "erosion")
    at.button(key=f"erosion_{alarm_id}_close").click().run()
    assert "What was done must be one of: Job aid refreshed" in all_text(at).replace("\\", "")
    with org.db.read() as s:
        assert s.get(ErosionAlarm, alarm_id).closed_at is None


def test_an_executive_sees_alarms_but_has_no_close_form(org):
    alarm_id = _fading(org)
    at = open_page(as_role("executive"), "erosion")
    assert_clean(at)
    assert "Effect fading" in all_text(at)
    assert not [b for b in at.button if b.key == f"erosion_{alarm_id}_close"]


def test_check_now_opens_the_alarms_that_are_due(org):
    world.build(org, later_effect=-5.0)
    at = open_page(as_role("manager"), "erosion")
    assert "No open erosion alarm" in all_text(at)
    at.button(key="erosion_refresh").click().run()
    assert_clean(at)
    assert "1 new alarm" in " ".join(successes(at))
    with org.db.read() as s:
        assert s.execute(select(ErosionAlarm.kind)).scalars().all() == ["effect_fading"]


def test_an_adoption_alarm_shows_adoption_per_team(org):
    idea_id = world.build(org, later_effect=-30.0)
    last_monday = world.NOW.date() - timedelta(days=world.NOW.weekday() + 7)
    lines = ["idea_id,team,date,adopted_share"] + [
        f"{idea_id},{team},{(last_monday - timedelta(weeks=15 - w)).isoformat()},{0.8 if w < 8 else 0.5}"
        for w in range(16) for team in ("CC", "ST")]
    adoption.import_adoption(org.db, actor_id=org.admin, source=io.BytesIO("\n".join(lines).encode()))
    (alarm_id,) = erosion.refresh_alarms(org.db).opened
    at = open_page(as_role("manager"), "erosion")
    assert "Adoption falling" in all_text(at)
    at.session_state[f"erosion_{alarm_id}_chart"] = True
    at.run()
    assert_clean(at)
    chart = at.get("vega_lite_chart")[0]
    rows = [row for ds in chart.proto.datasets for row in pa.ipc.open_stream(ds.data.data).read_all().to_pylist()]
    assert {r["team"] for r in rows} == {"Contact centre", "Stores"}
