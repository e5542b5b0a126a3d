"""The erosion board's chart: a pure function from an alarm's weekly series to an Altair chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

PERIOD_COLOURS = {"Baseline": "#9e9e9e", "Evaluation": "#1a9850", "Later": "#d62728"}
GROUP_DASH = {"Pilot teams": [1, 0], "Other teams": [4, 3]}


def erosion_chart(series: pd.DataFrame, *, unit: str = "", title: str = "") -> alt.LayerChart:
    """Weekly means of the pilot and the other teams (series: week_start, group, value, period), each period
    shaded: the baseline before the launch, the evaluation window that showed the effect, the later weeks."""
    frame = series.assign(week_start=[pd.Timestamp(d).strftime("%Y-%m-%d") for d in series["week_start"]])
    spans = (frame.groupby("period", as_index=False)["week_start"].agg(start="min", end="max")
             if len(frame) else pd.DataFrame(columns=["period", "start", "end"]))
    shade = (
        alt.Chart(spans)
        .mark_rect(opacity=0.10)
        .encode(
            x="start:T",
            x2="end:T",
            color=alt.Color("period:N", title="Period",
                            scale=alt.Scale(domain=list(PERIOD_COLOURS), range=list(PERIOD_COLOURS.values()))),
            tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("start:T", title="From"),
                     alt.Tooltip("end:T", title="To (week of)")],
        )
    )
    lines = (
        alt.Chart(frame)
        .mark_line(point=True, color="#333333")
        .encode(
            x=alt.X("week_start:T", title="Week"),
            y=alt.Y("value:Q", title=f"Mean ({unit})" if unit else "Mean", scale=alt.Scale(zero=False)),
            strokeDash=alt.StrokeDash("group:N", title=None,
                                      scale=alt.Scale(domain=list(GROUP_DASH), range=list(GROUP_DASH.values()))),
            tooltip=[alt.Tooltip("week_start:T", title="Week of"), alt.Tooltip("group:N", title="Teams"),
                     alt.Tooltip("period:N", title="Period"), alt.Tooltip("value:Q", format=".3g")],
        )
    )
    return alt.layer(shade, lines).properties(title=title, height=220)


def adoption_chart(frame: pd.DataFrame, *, title: str = "") -> alt.Chart:
    """Adopted share per team over time (frame: day, team, adopted_share), 0 to 100%."""
    data = frame.assign(day=[pd.Timestamp(d).strftime("%Y-%m-%d") for d in frame["day"]])
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title="Date"),
            y=alt.Y("adopted_share:Q", title="Adopted share", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("team:N", title="Team"),
            tooltip=[alt.Tooltip("day:T", title="Date"), alt.Tooltip("team:N", title="Team"),
                     alt.Tooltip("adopted_share:Q", title="Adopted", format=".0%")],
        )
        .properties(title=title, height=220)
    )
