"""The adoption page in AppTest: a manager records a figure for their team, the chart shows it per team."""

from __future__ import annotations

import io
from datetime import date

import pyarrow as pa
from sqlalchemy import select

from hero_core.models import IdeaAdoption
from hero_core.services import adoption
from tests.app.conftest import all_text, as_role, assert_clean, open_page, successes
from tests.erosion import world


def test_a_manager_records_their_teams_adoption_and_sees_it_charted(org):
    idea_id = world.build(org, later_effect=-30.0)
    at = open_page(as_role("manager"), "adoption")
    assert_clean(at)
    assert "No adoption figures for this idea yet." in all_text(at)
    at.button(key="adoption_record").click().run()
    assert "Enter the share of the team working the new way" in all_text(at)
    at.number_input(key="adoption_share").set_value(60)
    at.button(key="adoption_record").click().run()
    assert_clean(at)
    assert "Recorded." in successes(at)
    with org.db.read() as s:
        row = s.execute(select(IdeaAdoption)).scalar_one()
    assert (row.idea_id, row.adopted_share) == (idea_id, 0.6)
    chart = at.get("vega_lite_chart")[0]
    rows = [r for ds in chart.proto.datasets for r in pa.ipc.open_stream(ds.data.data).read_all().to_pylist()]
    assert [r["team"] for r in rows] == ["Contact centre"]


def test_an_executive_sees_adoption_but_records_nothing(org):
    world.build(org, later_effect=-30.0)
    at = open_page(as_role("executive"), "adoption")
    assert_clean(at)
    assert not [b for b in at.button if b.key == "adoption_record"]


def test_the_page_sets_adoption_beside_the_gain(org):
    idea_id = world.build(org, later_effect=-30.0)
    adoption.import_adoption(org.db, actor_id=org.admin,
                             source=io.BytesIO(f"idea_id,team,date,adopted_share\n{idea_id},CC,2025-04-07,0.8\n".encode()))
    at = open_page(as_role("executive"), "adoption")
    assert_clean(at)
    assert "Average handle time: adoption beside the gain" in all_text(at).replace("\\", "")
    assert "too few to say" in all_text(at)


def test_an_it_champion_plans_a_team_and_the_plan_shows_its_status(org):
    world.build(org, later_effect=-30.0)
    at = open_page(as_role("it_champion"), "adoption")
    assert "No roll-out planned for this idea yet." in all_text(at)
    at.selectbox(key="adoption_plan_team").select("ST")
    at.date_input(key="adoption_plan_due").set_value(date(2025, 6, 1))
    at.button(key="adoption_plan_save").click().run()
    assert_clean(at)
    assert "Planned." in successes(at)
    plan = next(d.value for d in at.dataframe if "Status" in d.value.columns)
    assert list(plan["Team"]) == ["Stores"] and list(plan["Status"]) == ["late"]
