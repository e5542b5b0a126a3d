"""The impact page's charts, checked on their Vega-Lite specs (marks, encodings, layers, selection)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from hero_core import charts

PORTFOLIO = pd.DataFrame(
    {
        "idea_id": [3, 5, 3],
        "title": ["Shorter wrap-up form", "Store greeting", "Shorter wrap-up form"],
        "metric": ["aht", "aht", "csat"],
        "unit": ["seconds", "seconds", "score 1-5"],
        "effect": [-24.0, 3.0, None],
        "ci_low": [-30.0, -1.0, None],
        "ci_high": [-18.0, 7.0, None],
        "p_value": [0.001, 0.2, None],
        "verdict": ["improved", "no clear change", "not enough data"],
        "method": ["difference-in-differences", "difference-in-differences", "before-after"],
    }
)


def rows_of(spec: dict, layer: dict | None = None) -> list[dict]:
    name = (layer or spec).get("data", spec.get("data", {})).get("name")
    return spec["datasets"][name]


def test_the_forest_plot_draws_a_zero_line_ci_rules_and_clickable_points_per_metric_panel():
    spec = charts.forest_plot(PORTFOLIO).to_dict()

    assert spec["facet"]["row"]["field"] == "metric"
    assert spec["resolve"]["scale"] == {"x": "independent", "y": "independent"}
    zero, interval, points = spec["spec"]["layer"]
    assert zero["mark"]["type"] == "rule" and zero["encoding"]["x"] == {"datum": 0}
    assert interval["mark"]["type"] == "rule"
    assert (interval["encoding"]["x"]["field"], interval["encoding"]["x2"]["field"]) == ("ci_low", "ci_high")
    assert points["mark"]["type"] == "point"
    assert points["encoding"]["x"]["field"] == "effect"
    assert "href" not in points["encoding"]  # a plain link would open a new, logged-out browser session
    assert points["encoding"]["color"]["field"] == "verdict"
    assert points["encoding"]["color"]["scale"]["domain"] == list(charts.VERDICT_COLOURS)
    assert {t["field"] for t in points["encoding"]["tooltip"]} >= {
        "idea",
        "effect",
        "ci_low",
        "ci_high",
        "verdict",
    }


def test_the_forest_plot_selects_an_idea_by_click_and_draws_only_measured_effects():
    spec = charts.forest_plot(PORTFOLIO).to_dict()

    (param,) = spec["params"]
    assert param["name"] == charts.IDEA_SELECTION
    assert param["select"] == {"type": "point", "fields": ["idea_id"], "on": "click"}
    rows = rows_of(spec)
    assert [(r["idea_id"], r["metric"], r["verdict"]) for r in rows] == [
        (3, "aht (seconds)", "improved"),
        (5, "aht (seconds)", "no clear change"),
    ]  # no number, no point


def test_the_forest_plot_of_an_empty_portfolio_keeps_its_selection_so_the_page_can_still_listen():
    spec = charts.forest_plot(PORTFOLIO.iloc[0:0]).to_dict()

    assert spec["params"][0]["name"] == charts.IDEA_SELECTION
    assert rows_of(spec) == []


def series_frame() -> pd.DataFrame:
    weeks = [date(2025, 1, 6) + timedelta(days=7 * k) for k in range(-3, 3)]
    return pd.DataFrame(
        {
            "week_start": weeks * 2,
            "group": ["Pilot teams"] * 6 + ["Comparison teams"] * 6,
            "value": [300, 301, 299, 260, 258, 259, 310, 311, 309, 280, 281, 279.0],
            "teams": [2] * 6 + [6] * 6,
        }
    )


def test_the_series_chart_shades_both_windows_and_marks_the_launch_date():
    chart = charts.series_chart(
        series_frame(),
        launch_date=date(2025, 1, 8),
        baseline=(date(2024, 10, 10), date(2025, 1, 8)),
        evaluation=(date(2025, 1, 15), date(2025, 4, 15)),
        unit="seconds",
    )
    spec = chart.to_dict()

    baseline, evaluation, lines, launch = spec["layer"]
    for shade, start, end in (
        (baseline, "2024-10-10", "2025-01-08"),
        (evaluation, "2025-01-15", "2025-04-15"),
    ):
        assert shade["mark"]["type"] == "rect"
        assert (shade["encoding"]["x"]["field"], shade["encoding"]["x2"]["field"]) == ("start", "end")
        assert [(r["start"], r["end"]) for r in rows_of(spec, shade)] == [(start, end)]
    assert lines["mark"] == {"type": "line", "point": True}
    assert lines["encoding"]["x"] == {"field": "week_start", "title": "Week", "type": "temporal"}
    assert lines["encoding"]["color"]["field"] == "group"
    assert lines["encoding"]["y"]["title"] == "Mean (seconds)"
    assert launch["mark"]["type"] == "rule"
    assert rows_of(spec, launch) == [{"launch": "2025-01-08"}]


def test_the_funnel_is_bars_in_stage_order_with_counts_written_on_them():
    counts = pd.DataFrame(
        {
            "stage": ["submitted", "reviewed", "approved"],
            "label": ["Submitted", "Reviewed", "Approved"],
            "ideas": [9, 6, 2],
        }
    )
    spec = charts.funnel_chart(counts).to_dict()

    bars, text = spec["layer"]
    assert bars["mark"]["type"] == "bar" and text["mark"]["type"] == "text"
    assert bars["encoding"]["y"]["sort"] == ["Submitted", "Reviewed", "Approved"]
    assert bars["encoding"]["x"]["field"] == "ideas" and text["encoding"]["text"]["field"] == "ideas"


def test_the_stage_duration_chart_shows_median_days_per_stage():
    durations = pd.DataFrame(
        {
            "stage": ["submitted", "reviewed"],
            "label": ["Submitted", "Reviewed"],
            "median_days": [2.0, None],
            "ideas": [3, 0],
        }
    )
    spec = charts.stage_duration_chart(durations).to_dict()

    bars, text = spec["layer"]
    assert bars["encoding"]["x"]["field"] == "median_days"
    assert text["encoding"]["text"]["format"] == ".1f"


def test_the_risk_heat_map_is_a_five_by_five_grid_coloured_by_band_with_counts():
    cells = pd.DataFrame(
        {
            "likelihood": [li for li in range(1, 6) for _ in range(5)],
            "impact": [im for _ in range(5) for im in range(1, 6)],
            "ideas": [0] * 24 + [4],
            "score": [li * im for li in range(1, 6) for im in range(1, 6)],
            "band": ["low"] * 24 + ["high"],
        }
    )
    spec = charts.risk_heatmap_chart(cells).to_dict()

    rects, text = spec["layer"]
    assert rects["mark"]["type"] == "rect" and text["mark"]["type"] == "text"
    for layer in (rects, text):
        assert (layer["encoding"]["x"]["field"], layer["encoding"]["x"]["type"]) == ("impact", "ordinal")
        assert layer["encoding"]["y"]["sort"] == [5, 4, 3, 2, 1]  # likely at the top
    assert rects["encoding"]["color"]["field"] == "band"
    assert rects["encoding"]["color"]["scale"]["range"] == list(charts.BAND_COLOURS.values())
    assert rects["encoding"]["opacity"]["condition"]["test"] == "datum.ideas > 0"  # empty cells fade
    assert "Severe" in rects["encoding"]["x"]["axis"]["labelExpr"]
    assert text["encoding"]["text"]["field"] == "ideas"
    assert len(rows_of(spec, rects)) == 25
    assert [(r["likelihood"], r["impact"], r["ideas"]) for r in rows_of(spec, text)] == [(5, 5, 4)]


def test_one_ideas_assessment_writes_its_category_names_in_their_cells():
    from hero_core import risk

    grid = charts.risk_grid_frame([risk.Rating("financial", 2, 3), risk.Rating("operational", 2, 3)])
    spec = charts.risk_heatmap_chart(grid, text="categories").to_dict()

    _, text = spec["layer"]
    assert text["encoding"]["text"]["field"] == "categories"
    assert [(r["likelihood"], r["impact"], r["categories"]) for r in rows_of(spec, text)] == [
        (2, 3, "Financial\nOperational")
    ]


@pytest.mark.parametrize(
    "make",
    [
        lambda: charts.forest_plot(PORTFOLIO),
        lambda: charts.risk_heatmap_chart(
            charts.risk_grid_frame([]).assign(ideas=[0] * 24 + [2])
        ),
        lambda: charts.series_chart(
            series_frame(),
            launch_date=date(2025, 1, 8),
            baseline=(date(2024, 10, 10), date(2025, 1, 8)),
            evaluation=(date(2025, 1, 8), date(2025, 4, 8)),
        ),
    ],
)
def test_a_chart_downloads_as_a_png(make):
    png = charts.chart_png(make(), scale=1)

    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
