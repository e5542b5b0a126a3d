"""Chart labels people can read whole: the forest plot names metrics and cuts long titles at a word, with "…"."""

from __future__ import annotations

import pandas as pd

from hero_core import charts


def test_a_long_title_is_cut_at_a_word_with_an_ellipsis_and_a_short_one_is_kept():
    title = "Tag social-media questions so common ones get a ready answer"
    short = charts._short(title)
    assert short == "Tag social-media questions so common ones…"
    assert len(short) <= charts.IDEA_LABEL_CHARS and title.startswith(short[:-1])
    assert charts._short("Shorter returns form") == "Shorter returns form"


def test_the_forest_plot_heads_each_panel_with_the_metrics_name_and_shows_whole_titles_in_the_tooltip():
    portfolio = pd.DataFrame({
        "idea_id": [35], "title": ["Tag social-media questions so common ones get a ready answer"],
        "metric": ["aht"], "unit": ["seconds"], "effect": [-12.0], "ci_low": [-20.0], "ci_high": [-4.0],
        "p_value": [0.01], "verdict": ["improved"], "method": ["did"],
    })
    spec = charts.forest_plot(portfolio, metric_names=(("aht", "Average handle time"),)).to_dict()
    [row] = next(iter(spec["datasets"].values()))
    assert row["metric"] == "Average handle time (seconds)" and row["metric_code"] == "aht"
    assert row["label"] == "#35 Tag social-media questions so common ones…"
    assert row["idea"] == "#35 Tag social-media questions so common ones get a ready answer"
    points = spec["spec"]["layer"][2]["encoding"]
    assert points["y"]["field"] == "label"
    assert {"field": "idea", "title": "Idea", "type": "nominal"} in points["tooltip"]
