"""Charts of the pulse and scorecard pages: pure functions from a read model's DataFrame to an Altair chart.

Nothing here touches the database or Streamlit; hidden pulse groups (fewer than 5 answers) never reach a
chart, because only rows with `shown` True are drawn.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from hero_core.services import pulse, scorecard

SEGMENT_COLOURS = {
    pulse.HERO: "#1a9850",
    pulse.LOCKED_DOWN: "#4c78a8",
    pulse.ROGUE: "#f58518",
    pulse.DISENFRANCHISED: "#9e9e9e",
}


def pulse_segments_long(summary: pd.DataFrame, group: str) -> pd.DataFrame:
    """quarter, segment, share for one group's shown quarters (long form, for stacking)."""
    shown = summary[(summary["group"] == group) & summary["shown"].astype(bool)]
    rows = [
        {"quarter": q, "segment": name, "share": float(r[f"share_{name}"]), "answers": int(r["answers"])}
        for q, (_, r) in zip(shown["quarter"], shown.iterrows(), strict=True)
        for name in pulse.SEGMENTS
    ]
    return pd.DataFrame(rows, columns=["quarter", "segment", "share", "answers"])


def pulse_segments_chart(summary: pd.DataFrame, group: str) -> alt.Chart:
    """Stacked bars: each quarter's split into Forrester's four segments, for one group."""
    data = pulse_segments_long(summary, group)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("quarter:O", title="Quarter", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title="Share of answers", axis=alt.Axis(format="%"), stack="normalize"),
            color=alt.Color(
                "segment:N",
                title="Segment",
                sort=list(SEGMENT_COLOURS),
                scale=alt.Scale(domain=list(SEGMENT_COLOURS), range=list(SEGMENT_COLOURS.values())),
            ),
            order=alt.Order("segment_order:Q"),
            tooltip=[
                alt.Tooltip("quarter:O", title="Quarter"),
                alt.Tooltip("segment:N", title="Segment"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
                alt.Tooltip("answers:Q", title="Answers in the group"),
            ],
        )
        .transform_calculate(segment_order=f"indexof({list(SEGMENT_COLOURS)!r}, datum.segment)")
        .properties(height=280, title=f"HERO Index segments over time: {group}")
    )


def pulse_hero_share_chart(summary: pd.DataFrame) -> alt.Chart:
    """The share of HEROes per quarter, one line per group that has enough answers."""
    shown = summary[summary["shown"].astype(bool)]
    data = pd.DataFrame(
        {
            "quarter": shown["quarter"].astype(str),
            "group": shown["group"].astype(str),
            "share": shown[f"share_{pulse.HERO}"].astype(float),
            "answers": shown["answers"].astype(int),
        }
    )
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:O", title="Quarter", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title="Share of HEROes", axis=alt.Axis(format="%")),
            color=alt.Color("group:N", title="Group"),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("quarter:O", title="Quarter"),
                alt.Tooltip("share:Q", title="HEROes", format=".0%"),
                alt.Tooltip("answers:Q", title="Answers"),
            ],
        )
        .properties(height=260, title="Share of HEROes (groups of 5 or more answers)")
    )


def scorecard_trend_chart(frame: pd.DataFrame, column: str, teams: list[str] | None = None) -> alt.Chart:
    """One measure of the scorecard over the quarters, one line per team ("All teams" drawn thicker)."""
    measure = next(m for m in scorecard.MEASURES if m.column == column)
    data = frame[["quarter", "team", column]].rename(columns={column: "value"}).dropna(subset=["value"])
    if teams:
        data = data[data["team"].isin(teams)]
    data = data.assign(
        value=data["value"].astype(float),
        overall=(data["team"] == scorecard.ALL_TEAMS).map({True: 3.5, False: 1.5}),
    )
    axis = alt.Axis(format="%") if measure.kind == "share" else alt.Axis()
    fmt = ".0%" if measure.kind == "share" else ".1f"
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:O", title="Quarter", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=measure.label, axis=axis),
            color=alt.Color("team:N", title="Team"),
            strokeWidth=alt.StrokeWidth("overall:Q", legend=None, scale=None),
            tooltip=[
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip("quarter:O", title="Quarter"),
                alt.Tooltip("value:Q", title=measure.label, format=fmt),
            ],
        )
        .properties(height=260, title=f"{measure.label} ({measure.better} is better)")
    )


def promises_kept_chart(frame: pd.DataFrame) -> alt.Chart:
    """The whole organisation's promise-keeping shares over the quarters, one line per promise."""
    shares = [m for m in scorecard.MEASURES if m.kind == "share"]
    overall = frame[frame["team"] == scorecard.ALL_TEAMS]
    rows = [
        {"quarter": q, "promise": f"{m.party}: {m.label}", "share": float(v)}
        for m in shares
        for q, v in zip(overall["quarter"], overall[m.column], strict=True)
        if v is not None and v == v
    ]
    data = pd.DataFrame(rows, columns=["quarter", "promise", "share"])
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:O", title="Quarter", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title="Share", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            # Labels whole (no limit): they were cut at 160 px ("managers: Decided withi…"). Beside the chart, not
            # below it: below, the legend took the chart's fixed height and squashed the lines flat.
            color=alt.Color("promise:N", title="Promise", legend=alt.Legend(labelLimit=0)),
            tooltip=[
                alt.Tooltip("promise:N", title="Promise"),
                alt.Tooltip("quarter:O", title="Quarter"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
            ],
        )
        .properties(height=300, title="Promises kept, whole organisation")
    )
