"""Charts of the impact page: pure functions from a read model's DataFrame to an Altair chart; PNG export.

Nothing here touches the database or Streamlit, so every chart is unit-tested on its Vega-Lite spec.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import altair as alt
import pandas as pd

from hero_core import risk

VERDICT_COLOURS = {
    "improved": "#1a9850",
    "worsened": "#d73027",
    "no clear change": "#737373",
    "not enough data": "#bdbdbd",
    "cannot be attributed": "#9e9ac8",
}
#: The forest plot's click selection; the page reads event.selection[IDEA_SELECTION] -> [{"idea_id": N}].
IDEA_SELECTION = "idea_pick"
WINDOW_COLOURS = {"Baseline": "#9e9e9e", "Evaluation": "#4c78a8"}
GROUP_COLOURS = {"Pilot teams": "#e45756", "Comparison teams": "#4c78a8"}
BAND_COLOURS = {"low": "#cfe8d5", "medium": "#f6d58e", "high": "#e8998d"}


def _verdict_colour(title: str | None = "Verdict") -> alt.Color:
    return alt.Color(
        "verdict:N",
        title=title,
        scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
    )


def _iso(d: date | pd.Timestamp) -> str:
    return pd.Timestamp(d).strftime("%Y-%m-%d")


#: The longest idea label on the forest plot's axis, in characters (it fits the axis's 320 px).
IDEA_LABEL_CHARS = 46


def _short(text: str, limit: int = IDEA_LABEL_CHARS) -> str:
    """Text cut at a word to at most `limit` characters, with "…" when cut (never mid-word, never silently)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"


def forest_plot(portfolio: pd.DataFrame, metric_names: tuple[tuple[str, str], ...] = ()) -> alt.FacetChart:
    """Effect and 95% CI per idea x metric, one panel per metric (each on its own unit's axis, headed by the
    metric's name from `metric_names`, (code, name) pairs), coloured by verdict. Clicking a point selects its idea
    (IDEA_SELECTION): the page opens that idea with st.switch_page. (No href on the points: a plain link opens a
    new browser session, which is not logged in.) A long title is cut at a word with "…" on the axis and shown
    whole in the tooltip."""
    names = dict(metric_names)
    measured = portfolio[portfolio["effect"].notna()] if len(portfolio) else portfolio
    data = pd.DataFrame(
        {
            "idea_id": measured["idea_id"].astype("int64") if len(measured) else pd.Series(dtype="int64"),
            "idea": [f"#{i} {t}" for i, t in zip(measured["idea_id"], measured["title"], strict=True)],
            "label": [
                f"#{i} {_short(t)}" for i, t in zip(measured["idea_id"], measured["title"], strict=True)
            ],
            "metric_code": measured["metric"].astype(str),
            "metric": [
                f"{names.get(str(m), m)} ({u})" if u else str(names.get(str(m), m))
                for m, u in zip(
                    measured["metric"], measured.get("unit", pd.Series([""] * len(measured))), strict=True
                )
            ],
            "effect": measured["effect"].astype(float),
            "ci_low": measured["ci_low"].astype(float),
            "ci_high": measured["ci_high"].astype(float),
            "p_value": measured["p_value"].astype(float),
            "verdict": measured["verdict"].astype(str),
            "method": measured["method"].astype(str),
        }
    )
    pick = alt.selection_point(name=IDEA_SELECTION, fields=["idea_id"], on="click")
    y = alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=320))
    zero = alt.Chart().mark_rule(strokeDash=[4, 4], color="#888888").encode(x=alt.datum(0))
    interval = (
        alt.Chart()
        .mark_rule(strokeWidth=2)
        .encode(
            x=alt.X("ci_low:Q", title="Effect with 95% CI (metric's unit)"),
            x2="ci_high:Q",
            y=y,
            color=_verdict_colour(None),
        )
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=90, cursor="pointer")
        .encode(
            x="effect:Q",
            y=y,
            color=_verdict_colour(),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
            tooltip=[
                alt.Tooltip("idea:N", title="Idea"),
                alt.Tooltip("metric:N", title="Metric"),
                alt.Tooltip("effect:Q", title="Effect", format=".3g"),
                alt.Tooltip("ci_low:Q", title="CI low", format=".3g"),
                alt.Tooltip("ci_high:Q", title="CI high", format=".3g"),
                alt.Tooltip("p_value:Q", title="p", format=".3f"),
                alt.Tooltip("verdict:N", title="Verdict"),
                alt.Tooltip("method:N", title="Method"),
            ],
        )
        .add_params(pick)
    )
    return (
        alt.layer(zero, interval, points, data=data)
        .facet(row=alt.Row("metric:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")))
        .resolve_scale(x="independent", y="independent")
    )


def series_chart(
    data: pd.DataFrame,
    *,
    launch_date: date,
    baseline: tuple[date, date],
    evaluation: tuple[date, date],
    unit: str = "",
    title: str = "",
) -> alt.LayerChart:
    """Weekly means of pilot vs comparison teams (data: week_start, group, value, teams), the baseline and
    evaluation windows shaded, and a rule on the launch date."""
    frame = data.assign(week_start=[_iso(d) for d in data["week_start"]])
    windows = pd.DataFrame(
        {
            "window": ["Baseline", "Evaluation"],
            "start": [_iso(baseline[0]), _iso(evaluation[0])],
            "end": [_iso(baseline[1]), _iso(evaluation[1])],
        }
    )

    def shade(name: str) -> alt.Chart:
        return (
            alt.Chart(windows[windows["window"] == name])
            .mark_rect(opacity=0.12, color=WINDOW_COLOURS[name])
            .encode(x="start:T", x2="end:T", tooltip=["window:N", "start:T", "end:T"])
        )

    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("week_start:T", title="Week"),
            y=alt.Y("value:Q", title=f"Mean ({unit})" if unit else "Mean", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "group:N",
                title=None,
                scale=alt.Scale(domain=list(GROUP_COLOURS), range=list(GROUP_COLOURS.values())),
            ),
            tooltip=[
                alt.Tooltip("week_start:T", title="Week of"),
                "group:N",
                alt.Tooltip("value:Q", format=".3g"),
                alt.Tooltip("teams:Q", title="Teams"),
            ],
        )
    )
    launch = (
        alt.Chart(pd.DataFrame({"launch": [_iso(launch_date)]}))
        .mark_rule(color="#222222", strokeDash=[6, 3], strokeWidth=2)
        .encode(x="launch:T", tooltip=[alt.Tooltip("launch:T", title="Launch")])
    )
    return alt.layer(shade("Baseline"), shade("Evaluation"), lines, launch).properties(title=title)


def funnel_chart(counts: pd.DataFrame) -> alt.LayerChart:
    """Ideas reaching each stage of the compact (counts: stage, label, ideas), in stage order."""
    order = list(counts["label"])
    bars = (
        alt.Chart(counts)
        .mark_bar(color="#4c78a8")
        .encode(
            x=alt.X("ideas:Q", title="Ideas"),
            y=alt.Y("label:N", title=None, sort=order),
            tooltip=[alt.Tooltip("label:N", title="Stage"), alt.Tooltip("ideas:Q", title="Ideas")],
        )
    )
    labels = bars.mark_text(align="left", dx=4).encode(text="ideas:Q")
    return alt.layer(bars, labels)


def stage_duration_chart(durations: pd.DataFrame) -> alt.LayerChart:
    """Median days spent in each stage (durations: stage, label, median_days, ideas)."""
    order = list(durations["label"])
    bars = (
        alt.Chart(durations)
        .mark_bar(color="#f58518")
        .encode(
            x=alt.X("median_days:Q", title="Median days in stage"),
            y=alt.Y("label:N", title=None, sort=order),
            tooltip=[
                alt.Tooltip("label:N", title="Stage"),
                alt.Tooltip("median_days:Q", title="Median days", format=".1f"),
                alt.Tooltip("ideas:Q", title="Ideas that left the stage"),
            ],
        )
    )
    labels = bars.mark_text(align="left", dx=4).encode(text=alt.Text("median_days:Q", format=".1f"))
    return alt.layer(bars, labels)


def risk_grid_frame(ratings: Iterable[risk.Rating]) -> pd.DataFrame:
    """One idea's assessment as the 25 cells of the grid: each cell names the categories rated into it.

    Same columns as `impact_views.risk_heatmap` (count in `ideas`), plus `categories`: one chart draws both.
    """
    placed: dict[tuple[int, int], list[str]] = {}
    for r in ratings:
        placed.setdefault((r.likelihood, r.impact), []).append(risk.CATEGORIES.get(r.category, r.category))
    grid = [(li, im) for li in range(1, 6) for im in range(1, 6)]
    return pd.DataFrame(
        {
            "likelihood": [li for li, _ in grid],
            "impact": [im for _, im in grid],
            "ideas": [len(placed.get(c, [])) for c in grid],
            "score": [li * im for li, im in grid],
            "band": [risk.band(li * im) for li, im in grid],
            "likelihood_label": [risk.LIKELIHOOD_LABELS[li] for li, _ in grid],
            "impact_label": [risk.IMPACT_LABELS[im] for _, im in grid],
            "categories": ["\n".join(placed.get(c, [])) for c in grid],
        }
    )


def _axis_labels(labels: dict[int, str]) -> str:
    """A Vega label expression that writes 3 as '3 Possible'."""
    cases = " : ".join(f"datum.value == {k} ? '{k} {v}'" for k, v in labels.items())
    return f"{cases} : datum.value"


def risk_heatmap_chart(cells: pd.DataFrame, *, text: str = "ideas", title: str = "") -> alt.LayerChart:
    """The 5x5 likelihood x impact grid (cells: likelihood, impact, ideas, band, ...): each cell coloured by
    its risk band, faded when empty, and the `text` column written in it (the count of assessed ideas for the
    portfolio, the category names for one idea's assessment)."""
    base = alt.Chart(cells).encode(
        x=alt.X(
            "impact:O",
            title="Impact",
            sort=[1, 2, 3, 4, 5],
            axis=alt.Axis(labelAngle=0, labelExpr=_axis_labels(risk.IMPACT_LABELS)),
        ),
        y=alt.Y(
            "likelihood:O",
            title="Likelihood",
            sort=[5, 4, 3, 2, 1],
            axis=alt.Axis(labelExpr=_axis_labels(risk.LIKELIHOOD_LABELS)),
        ),
    )
    text_type, text_title = ("Q", "Ideas") if text == "ideas" else ("N", "Categories")
    tooltip = [
        alt.Tooltip("likelihood:O", title="Likelihood"),
        alt.Tooltip("impact:O", title="Impact"),
        alt.Tooltip("score:Q", title="Score"),
        alt.Tooltip("band:N", title="Risk band"),
        alt.Tooltip(f"{text}:{text_type}", title=text_title),
    ]
    rects = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "band:N",
            title="Risk band",
            scale=alt.Scale(domain=list(BAND_COLOURS), range=list(BAND_COLOURS.values())),
        ),
        opacity=alt.condition("datum.ideas > 0", alt.value(1.0), alt.value(0.35)),
        tooltip=tooltip,
    )
    written = (
        alt.Chart(cells[cells["ideas"] > 0])
        .mark_text(fontSize=14 if text == "ideas" else 11, lineBreak="\n")
        .encode(x=alt.X("impact:O", sort=[1, 2, 3, 4, 5]), y=alt.Y("likelihood:O", sort=[5, 4, 3, 2, 1]),
                text=f"{text}:{text_type}", tooltip=tooltip)
    )
    return alt.layer(rects, written).properties(width=360, height=320, title=title)


def chart_png(chart: alt.TopLevelMixin | dict, *, scale: float = 2.0) -> bytes:
    """The chart (or its Vega-Lite spec) as a PNG for a download button; vl-convert renders it, no browser."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart if isinstance(chart, dict) else chart.to_dict(), scale=scale)
