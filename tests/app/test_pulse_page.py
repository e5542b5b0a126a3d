"""The HERO Index pulse page: all answer once a quarter; managers, executives and admins see aggregates of
five or more answers, smaller groups only as "fewer than 5 answers"."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from hero_core.services import people, pulse
from tests.app.conftest import ROLES, all_text, as_role, assert_clean, errors, open_page, successes, table

Q3 = datetime(2026, 8, 14, 10, 0, tzinfo=UTC)


def chart_rows(chart) -> list[dict]:
    """A chart's data rows (Streamlit ships them as Arrow beside the spec)."""
    return [
        row for ds in chart.proto.datasets for row in pa.ipc.open_stream(ds.data.data).read_all().to_pylist()
    ]


def answer_form(at, empowered, tools):
    at.radio(key="pulse_empowered").set_value(empowered)
    at.number_input(key="pulse_tools").set_value(tools)
    at.button(key="FormSubmitter:pulse_form-Send my answer").click()
    return at.run()


def add(org, team: str, n: int, prefix: str) -> list[int]:
    return [
        people.add_user(
            org.db,
            actor_id=None,
            email=f"{prefix}{i}@example.com",
            name=f"{prefix} {i}",
            roles=["frontline"],
            team_code=team,
            password="a long enough password",
        )
        for i in range(n)
    ]


def answer_all(org, user_ids, empowered=9, tools=3, when=None):
    real = org.db.clock
    if when:
        org.db.clock = lambda: when
    try:
        for uid in user_ids:
            pulse.answer(org.db, actor_id=uid, empowered=empowered, unsanctioned_tools=tools)
    finally:
        org.db.clock = real


@pytest.mark.parametrize("role", ROLES)
def test_every_role_answers_once_through_the_form(org, role):
    at = open_page(as_role(role), "pulse")
    assert_clean(at)
    assert at.title[0].value == "HERO Index pulse"
    quarter = pulse.my_pulse(org.db, actor_id=org.frontline).quarter
    at = answer_form(at, 8, 2)
    assert_clean(at)
    assert successes(at)[0] == f"Thank you: your answer for {quarter} is in."
    assert any(s.value.startswith("Thank you: you answered this quarter's pulse on") for s in at.success)
    assert not at.get("radio"), "no second form once answered"


def test_an_answer_without_a_score_is_refused_naming_the_field(org):
    at = open_page(as_role("frontline"), "pulse")
    at.number_input(key="pulse_tools").set_value(1)
    at.button(key="FormSubmitter:pulse_form-Send my answer").click()
    at.run()
    assert_clean(at)
    assert errors(at) == ["Choose how empowered you feel, from 1 (not at all) to 10 (completely)"]
    assert pulse.my_pulse(org.db, actor_id=org.frontline).answered_at is None


def test_answering_a_second_time_from_a_page_opened_earlier_is_refused(org):
    at = open_page(as_role("frontline"), "pulse")
    answer_all(org, [org.frontline], empowered=3, tools=0)  # answered in another tab meanwhile
    at = answer_form(at, 10, 5)
    assert_clean(at)
    assert len(errors(at)) == 1 and "You already answered the HERO Index pulse for" in errors(at)[0]


@pytest.mark.parametrize("role", ["frontline", "it_champion"])
def test_frontline_and_it_do_not_see_the_results(org, role):
    answer_all(org, [org.frontline, org.frontline_b, org.manager, org.it, org.executive, org.admin])
    at = open_page(as_role(role), "pulse")
    assert_clean(at)
    assert "Results" not in [h.value for h in at.header]
    assert not at.dataframe and not at.get("vega_lite_chart")
    assert "shared with managers, executives and admins" in all_text(at)


@pytest.mark.parametrize("role", ["manager", "executive", "admin"])
def test_results_show_teams_of_five_or_more_and_hide_smaller_ones(org, role):
    # CC: 6 answers; ST: 3; DIG: 3. Hidden groups hold 6 answers together, so CC can be shown safely.
    people.create_team(org.db, actor_id=None, code="DIG", name="Digital")
    cc = [org.frontline, org.frontline_b, org.manager, org.it, org.executive, org.admin]
    answer_all(org, cc[:3], empowered=9, tools=3)  # HEROes
    answer_all(org, cc[3:], empowered=4, tools=0)  # disenfranchised
    answer_all(org, [org.other_frontline, org.other_manager, *add(org, "ST", 1, "st")], empowered=10, tools=9)
    answer_all(org, add(org, "DIG", 3, "dig"), empowered=2, tools=0)
    at = open_page(as_role(role), "pulse")
    assert_clean(at)
    at.tabs  # noqa: B018 - tabs render in order; every tab's content is in the tree
    rows = table(at, "Group", "Answers", "HERO")
    by_group = dict(zip(rows["Group"], rows.to_dict("records"), strict=True))
    assert "CC" not in by_group, "teams by name, not code"
    assert by_group["Contact centre"]["Answers"] == "6" and by_group["Contact centre"]["HERO"] == "50%"
    assert by_group["Contact centre"]["disenfranchised"] == "50%"
    for small in ("Stores", "Digital"):
        assert by_group[small]["Answers"] == "fewer than 5 answers"
        assert by_group[small]["HERO"] == "" and by_group[small]["Mean empowerment (1-10)"] == ""
    assert by_group["Whole organisation"]["Answers"] == "12"
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    hero_lines = chart_rows(charts[1])
    assert {r["group"] for r in hero_lines} == {"Whole organisation", "Contact centre"}, (
        "hidden groups never reach a chart"
    )
    assert "segments over time: Whole organisation" in charts[0].proto.spec
    assert {r["segment"] for r in chart_rows(charts[0])} == set(pulse.SEGMENTS)


def test_results_over_time_list_each_quarter_and_the_complement_is_hidden(org):
    cc = [org.frontline, org.frontline_b, org.manager, org.it, org.executive, org.admin]
    answer_all(org, cc, when=Q3)
    answer_all(org, [*cc, org.other_frontline])  # this quarter: ST has 1 answer, so CC must hide too
    at = open_page(as_role("executive"), "pulse")
    assert_clean(at)
    hero_lines = chart_rows(at.get("vega_lite_chart")[1])
    assert {(r["quarter"], r["group"]) for r in hero_lines} == {
        ("2026Q3", "Whole organisation"),
        ("2026Q3", "Contact centre"),
        (pulse.quarter_of(datetime.now(UTC)), "Whole organisation"),
    }
    rows = table(at, "Group", "Answers")
    assert set(rows["Group"]) == {"Whole organisation", "Contact centre", "Stores"}
    assert "hidden so that smaller groups cannot be worked out" in set(rows["Answers"])
    at.selectbox(key="pulse_quarter").select("2026Q3").run()
    rows = table(at, "Group", "Answers")
    assert dict(zip(rows["Group"], rows["Answers"], strict=True)) == {"Whole organisation": "6", "Contact centre": "6"}
    at.selectbox(key="pulse_group").select("CC").run()  # a team is picked by its code, shown by its name
    assert at.selectbox(key="pulse_group").format_func("CC") == "Contact centre"
    assert "segments over time: Contact centre" in at.get("vega_lite_chart")[0].proto.spec


def test_nobody_has_answered_yet(org):
    at = open_page(as_role("manager"), "pulse")
    assert_clean(at)
    assert any(i.value == "Nobody has answered yet." for i in at.info)
