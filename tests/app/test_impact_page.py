"""The executive impact page: filters, the portfolio forest plot with click-through, one idea's series, the
funnel, the risk heat map, and downloads — on a portfolio whose effects are written into the data."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pandas as pd
import pytest

from hero_app import impact_panel
from tests.app import impact_data
from tests.app.conftest import (
    ALLOWED,
    NOT_IN_NAVIGATION,
    ROLES,
    all_text,
    as_role,
    assert_clean,
    direct_page,
    errors,
    open_page,
    open_tab,
    table,
)
from tests.app.impact_data import HOSTILE, LAUNCH, build_portfolio, chart_data

downloads = impact_data.downloads  # the fixture: what each download button would hand the browser

PORTFOLIO_TABLE = ("#", "Idea", "Verdict", "Effect")


#: AppTest shows a chart's key only when it listens to clicks; the others are told apart by what they draw.
CHARTS = {
    "impact_forest": lambda chart, spec, rows: chart.proto.id.endswith("-impact_forest"),
    "series": lambda chart, spec, rows: any(r.get("group") == "Pilot teams" for r in rows),
    "risk": lambda chart, spec, rows: "Assessed ideas: likelihood" in json.dumps(spec),
    "funnel": lambda chart, spec, rows: bool(rows) and all("stage" in r and "median_days" not in r for r in rows),
}


TAB = "impact_tab"  # the page's tabs run only the open one


def chart_by_key(at, key: str) -> dict:
    """The chart's Vega-Lite spec with its data rows put back under "rows"."""
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        rows = chart_data(chart.proto)
        if CHARTS[key](chart, spec, rows):
            spec["rows"] = rows
            return spec
    raise AssertionError(f"no {key} chart")


def spec_rows(spec: dict) -> list[dict]:
    return spec["rows"]


def chart_rows(at) -> list[dict]:
    return spec_rows(chart_by_key(at, "impact_forest"))


def headline(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def measured(org):
    return org, build_portfolio(org)


def impact_page(role: str = "executive"):
    at = open_page(as_role(role), "impact")
    assert_clean(at)
    return at


def test_the_forest_plot_shows_each_measured_idea_with_the_verdict_the_data_supports(measured):
    _org, p = measured
    at = impact_page()

    forest = chart_by_key(at, "impact_forest")
    points = {(r["idea_id"], r["metric_code"]): r for r in spec_rows(forest)}
    assert {r["metric"] for r in points.values()} == {  # each panel headed by the metric's name and unit
        "Average handle time (seconds)", "Customer satisfaction (score 1-5)", "First-contact resolution (share)"}
    assert {k: r["verdict"] for k, r in points.items()} == {
        (p.improved, "aht"): "improved",  # handle time down 25 s on the pilots, beyond the org-wide 40 s drop
        (p.worsened, "csat"): "worsened",
        (p.unchanged, "fcr"): "no clear change",
    }  # "not enough data" has no point: never a number
    aht = points[(p.improved, "aht")]
    assert aht["ci_low"] < -25 < aht["ci_high"] and aht["ci_high"] < -5  # the true effect, not the naive -65
    assert forest["params"][0]["name"] == "idea_pick"
    assert headline(at) == {"Launched ideas measured": "4", "Improved": "1", "Worsened": "1",
                            "No clear change": "1", "Cannot be attributed": "0", "Not enough data": "1"}

    rows = table(at, *PORTFOLIO_TABLE)
    assert sorted(rows["#"]) == sorted([p.improved, p.worsened, p.unchanged, p.no_data])  # not the unlaunched one
    no_data = rows[rows["#"] == p.no_data].iloc[0]
    assert no_data["Verdict"] == "not enough data" and pd.isna(no_data["Effect"]) and pd.isna(no_data["p-value"])
    assert "at least 2 on each side" in no_data["Notes"]


def test_clicking_a_point_opens_that_idea(measured):
    _org, p = measured
    at = impact_page()
    forest = next(c for c in at.get("vega_lite_chart") if c.proto.id.endswith("impact_forest"))
    # What the browser sends when a point is clicked: the chart's selection state as JSON.
    states = at._tree.get_widget_states()
    click = states.widgets.add()
    click.id = forest.proto.id
    click.string_value = json.dumps({"selection": {"idea_pick": [{"idea_id": p.worsened}]}})
    at._run(states)

    assert_clean(at)
    assert at.title[0].value.startswith(f"#{p.worsened} ")
    assert at.query_params["id"] == [str(p.worsened)] or at.query_params["id"] == str(p.worsened)


def test_the_click_reader_accepts_both_selection_shapes_and_ignores_empty_clicks():
    assert impact_panel.picked_idea({"selection": {"idea_pick": [{"idea_id": 7}]}}) == 7
    assert impact_panel.picked_idea({"selection": {"idea_pick": {"idea_id": [8]}}}) == 8
    assert impact_panel.picked_idea({"selection": {"idea_pick": {}}}) is None
    assert impact_panel.picked_idea({"selection": {"idea_pick": []}}) is None
    assert impact_panel.picked_idea(None) is None


def test_filters_narrow_the_portfolio_funnel_and_risks(measured):
    _org, p = measured
    at = impact_page()
    at.multiselect(key="impact_teams").select("ST").run()
    assert_clean(at)
    assert {r["idea_id"] for r in chart_rows(at)} == {p.worsened}
    assert list(table(at, *PORTFOLIO_TABLE)["#"]) == [p.worsened]
    assert headline(at)["Worsened"] == "1" and headline(at)["Improved"] == "0"
    with pytest.raises(AssertionError, match="no risk chart"):
        chart_by_key(at, "risk")  # the Portfolio tab is open: the others did not run
    cells = spec_rows(chart_by_key(open_tab(at, "Risk heat map", key=TAB), "risk"))
    grid = {(c["likelihood"], c["impact"]): c["ideas"] for c in cells}
    assert len(grid) == 25 and grid[(4, 5)] == 1 and sum(grid.values()) == 1  # only the ST idea's assessment
    open_tab(at, "Portfolio", key=TAB)

    at.multiselect(key="impact_teams").unselect("ST").run()
    at.multiselect(key="impact_touchpoints").select("call_centre").run()
    assert sorted(table(at, *PORTFOLIO_TABLE)["#"]) == sorted([p.improved, p.unchanged, p.no_data])

    at.multiselect(key="impact_verdicts").select("improved").run()
    assert list(table(at, *PORTFOLIO_TABLE)["#"]) == [p.improved]

    at.multiselect(key="impact_verdicts").unselect("improved").run()
    at.multiselect(key="impact_touchpoints").unselect("call_centre").run()
    at.multiselect(key="impact_campaigns").select(p.campaign_id).run()
    assert list(table(at, *PORTFOLIO_TABLE)["#"]) == [p.improved]

    at.multiselect(key="impact_campaigns").unselect(p.campaign_id).run()
    at.multiselect(key="impact_metrics").select("fcr").run()
    assert list(table(at, *PORTFOLIO_TABLE)["#"]) == [p.unchanged]

    at.multiselect(key="impact_metrics").unselect("fcr").run()
    at.multiselect(key="impact_states").select("scaling").run()
    assert list(table(at, *PORTFOLIO_TABLE)["#"]) == [p.worsened]


def test_the_period_filter_keeps_ideas_launched_inside_it(measured):
    _org, p = measured
    at = impact_page()
    at.selectbox(key="impact_period").select("Custom range").run()
    at.date_input(key="impact_range").set_value((LAUNCH, LAUNCH)).run()
    assert_clean(at)
    assert sorted(table(at, *PORTFOLIO_TABLE)["#"]) == sorted([p.improved, p.worsened])

    at.date_input(key="impact_range").set_value((date(2030, 1, 1), date(2030, 12, 31))).run()
    assert_clean(at)
    assert "No launched idea matches these filters" in all_text(at)
    assert headline(at)["Launched ideas measured"] == "0"


def test_one_idea_over_time_shows_pilot_against_comparison_with_the_launch_marked(measured):
    _org, p = measured
    at = open_tab(impact_page(), "One idea over time", key=TAB)
    at.selectbox(key="impact_idea").select(p.worsened).run()
    assert_clean(at)
    series = chart_by_key(at, "series")
    groups = {r["group"] for r in spec_rows(series) if "group" in r}
    assert groups == {"Pilot teams", "Comparison teams"}
    assert any(r.get("launch") == LAUNCH.isoformat() for r in spec_rows(series))
    assert {r.get("window") for r in spec_rows(series)} >= {"Baseline", "Evaluation"}
    assert headline(at)["p-value"] == "< 0.001"
    assert headline(at)["Effect"].startswith("-0.")
    link = [pl for pl in at.get("page_link") if pl.proto.label == f"Open idea #{p.worsened}"]
    assert link and link[0].proto.page.endswith("idea")


@pytest.mark.usefixtures("measured")
def test_the_funnel_counts_ideas_per_stage():
    at = open_tab(impact_page(), "Funnel and stage times", key=TAB)
    stages = table(at, "Stage", "Ideas that reached it")
    assert list(stages["Stage"]) == ["Submitted", "Reviewed", "Approved", "Picked up by IT", "Piloting", "Scaled"]
    assert next(iter(stages["Ideas that reached it"])) == 5  # the five factory ideas were all submitted
    funnel = spec_rows(chart_by_key(at, "funnel"))
    assert next(r["ideas"] for r in funnel) == 5


def test_downloads_carry_the_shown_table_formula_safe_and_charts_as_png(org, downloads):
    p = build_portfolio(org, hostile_title=True)
    at = impact_page()
    shown = table(at, *PORTFOLIO_TABLE)

    csv = pd.read_csv(io.BytesIO(downloads.get("impact-portfolio.csv")), encoding="utf-8-sig")
    assert list(csv.columns) == list(shown.columns)
    assert sorted(csv["#"]) == sorted(shown["#"])
    by_id = csv.set_index("#")
    assert by_id.loc[p.improved, "Idea"] == "'" + HOSTILE  # a spreadsheet shows it as text, never runs it
    assert by_id.loc[p.worsened, "Verdict"] == "worsened"
    assert pd.isna(by_id.loc[p.no_data, "Effect"])

    book = openpyxl.load_workbook(io.BytesIO(downloads.get("impact-portfolio.xlsx")))
    sheet = list(book.active.values)
    assert list(sheet[0]) == list(shown.columns) and len(sheet) == len(shown) + 1
    assert {row[0]: row[1] for row in sheet[1:]}[p.improved] == "'" + HOSTILE

    for tab in ("Funnel and stage times", "Risk heat map"):  # only the open tab offers its downloads
        open_tab(at, tab, key=TAB)
    png = downloads.get("compact-funnel.png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert {"impact-portfolio.png", "stage-durations.png", "risk-heat-map.png", "risk-heat-map.csv",
            "compact-funnel.csv"} <= downloads.names()


@pytest.mark.parametrize("role", sorted(set(ROLES) - ALLOWED["impact"]))
def test_roles_that_may_not_see_impact_are_refused(org, role):
    build_portfolio(org)
    at = as_role(role)
    with pytest.raises(ValueError, match=NOT_IN_NAVIGATION):
        open_page(at, "impact")  # the navigation does not offer it
    user_id = {"frontline": org.frontline, "it_champion": org.it}[role]
    direct = direct_page(org.db, "impact", user_id)  # and the page itself refuses
    assert not direct.exception
    assert "only for executives, managers and admins" in errors(direct)[0]
    assert not direct.get("vega_lite_chart")


def test_a_page_with_nothing_launched_still_shows_the_funnel(org):
    at = impact_page("manager")
    assert "No launched idea matches these filters" in all_text(at)
    assert headline(at)["Launched ideas measured"] == "0"
    assert chart_by_key(open_tab(at, "Funnel and stage times", key=TAB), "funnel")


def test_everyone_allowed_shares_one_portfolio_and_everyone_else_is_refused_by_the_core(measured):
    from hero_core.errors import PermissionDenied
    from hero_core.services.impact_views import ViewFilters

    org, _ = measured
    filters = ViewFilters()
    for_executive = impact_panel.portfolio(org.db, org.executive, filters)
    assert not for_executive.empty
    assert impact_panel.portfolio(org.db, org.manager, filters) is for_executive  # one copy, not one per person
    for refused in (org.frontline, org.it):
        with pytest.raises(PermissionDenied):
            impact_panel.portfolio(org.db, refused, filters)  # checked each call, before the shared copy
        with pytest.raises(PermissionDenied):
            impact_panel.portfolio_view(org.db, refused, filters, ((), (), ()))
    picks = (("fcr",), (), ())
    frame, table = impact_panel.portfolio_view(org.db, org.manager, filters, picks)
    assert frame is for_executive
    # The page's table: the readable rows its picks keep, kept once and shared like the portfolio.
    shown = for_executive[for_executive["metric"] == "fcr"]
    assert len(shown) and len(shown) < len(for_executive)
    pd.testing.assert_frame_equal(table, impact_panel.readable_table(shown))
    assert impact_panel.portfolio_view(org.db, org.executive, filters, picks)[1] is table


def test_the_table_gives_a_shares_effect_in_percentage_points(measured):
    from hero_core.services import impact_views as views

    org, p = measured
    frame = views.portfolio(org.db, actor_id=org.executive)
    row = frame[(frame["idea_id"] == p.unchanged) & (frame["metric"] == "fcr")].iloc[0]

    shown = impact_panel.readable_table(frame[(frame["idea_id"] == p.unchanged) & (frame["metric"] == "fcr")])
    assert shown.loc[0, "Unit"] == "percentage points"
    assert shown.loc[0, "Effect"] == pytest.approx(100 * row["effect"])
    assert shown.loc[0, "95% CI low"] == pytest.approx(100 * row["ci_low"])
