"""Charts: pure functions from a DataFrame to an Altair chart, testable on their spec without a running app."""

from __future__ import annotations

import altair as alt
import pandas as pd

from hero_core import risk

BAND_COLOURS = {"low": "#cfe8d5", "medium": "#f6d58e", "high": "#e8998d"}


def risk_grid_frame(ratings: list[risk.Rating]) -> pd.DataFrame:
    """The 25 cells of the likelihood x impact grid, each with its band and the categories placed in it."""
    rows = []
    for impact in range(1, 6):
        for likelihood in range(1, 6):
            here = [risk.CATEGORIES.get(r.category, r.category) for r in ratings
                    if r.likelihood == likelihood and r.impact == impact]
            score = likelihood * impact
            rows.append({
                "likelihood": likelihood, "impact": impact, "score": score, "band": risk.band(score),
                "likelihood_label": f"{likelihood} {risk.LIKELIHOOD_LABELS[likelihood]}",
                "impact_label": f"{impact} {risk.IMPACT_LABELS[impact]}",
                "categories": "\n".join(here), "count": len(here),
            })
    return pd.DataFrame(rows)


def risk_matrix_chart(grid: pd.DataFrame) -> alt.Chart:
    """The 5 x 5 heat map: cells coloured by band, each category written where it sits."""
    x = alt.X("likelihood_label:O", title="Likelihood", sort=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y("impact_label:O", title="Impact", sort="descending")
    cells = alt.Chart(grid).mark_rect(stroke="white", strokeWidth=2).encode(
        x=x, y=y,
        color=alt.Color("band:N", title="Risk band",
                        scale=alt.Scale(domain=list(BAND_COLOURS), range=list(BAND_COLOURS.values()))),
        tooltip=[alt.Tooltip("likelihood_label:O", title="Likelihood"), alt.Tooltip("impact_label:O", title="Impact"),
                 alt.Tooltip("score:Q", title="Score"), alt.Tooltip("categories:N", title="Categories")],
    )
    labels = alt.Chart(grid[grid["count"] > 0]).mark_text(fontSize=11, lineBreak="\n").encode(
        x=x, y=y, text="categories:N",
    )
    return alt.layer(cells, labels).properties(height=320, title="Risk matrix: likelihood × impact")
