"""The compact scorecard: has every party kept its promise? Per team and over the quarters."""

import pandas as pd
import streamlit as st

from hero_app import ui
from hero_core.charts_compact import promises_kept_chart, scorecard_trend_chart
from hero_core.services import people, scorecard, scorecard_reads

K = "scorecard_"
QUARTERS_SHOWN = 8

db, user = ui.require_page("scorecard")
st.title("Compact scorecard")
st.caption(
    "Each party's promises, kept or not: frontline ideas, managers' reviews and decisions, IT's claims and "
    "scaling, e-coaches' first answers to calls for help, and the wins measured in customer metrics. Quarters "
    "are those of the milestone that starts each promise; see the definitions at the bottom."
)

# Checked for this person, then the shared copy of this data version and deadlines passed (hero_core.cache).
frame = scorecard_reads.scorecard(db, actor_id=user.id, last_quarters=QUARTERS_SHOWN)
if frame.empty:
    st.info("No idea has been submitted yet, so there is nothing to score.")
    st.stop()

LABELS = {m.column: m.label for m in scorecard.MEASURES}
TEAM_NAMES = people.team_names(db)  # the scorecard's rows carry team codes; people read the teams' names


def team_name(code: str) -> str:
    """A team's name ("All teams" stays as it is)."""
    return TEAM_NAMES.get(code, code)


overall = frame[frame["team"] == scorecard.ALL_TEAMS]
latest = overall.iloc[-1]


def show(column: str, value) -> str:
    kind = next(m.kind for m in scorecard.MEASURES if m.column == column)
    if value is None or pd.isna(value):
        return "–"
    if kind == "share":
        return f"{value:.0%}"
    if kind == "days":
        return f"{value:.1f} d"
    return f"{value:g}"


st.subheader(f"Latest quarter, whole organisation: {latest['quarter']}")
for party in ("frontline", "managers", "IT", "e-coaches", "everyone"):
    measures = [m for m in scorecard.MEASURES if m.party == party]
    # Figures as wide as their labels, not equal columns: in five columns "High risk with a second approver" was
    # cut. They wrap within their own column, beside the party's name.
    label, figures = st.columns([1, 6])
    label.markdown(f"**{party[:1].upper() + party[1:]}**")  # "IT" stays IT (capitalize() made it "It")
    with figures.container(horizontal=True, gap="medium"):
        for m in measures:
            st.metric(m.label, show(m.column, latest[m.column]), width="content")

st.altair_chart(promises_kept_chart(frame))

st.subheader("One measure over time")
c1, c2 = st.columns([1, 2])
measure = c1.selectbox("Measure", list(LABELS), format_func=LABELS.get, key=f"{K}measure")
team_choices = sorted((t for t in frame["team"].drop_duplicates() if t != scorecard.ALL_TEAMS), key=team_name)
default = [scorecard.ALL_TEAMS] + [t for t in user.managed_team_codes if t in team_choices]
teams = c2.multiselect("Teams", [scorecard.ALL_TEAMS, *team_choices], default=default, key=f"{K}teams",
                       format_func=team_name)
named = frame.assign(team=frame["team"].map(team_name))
st.altair_chart(scorecard_trend_chart(named, measure, [team_name(t) for t in teams] or None))

st.subheader("Per team")
quarter = st.selectbox("Quarter", sorted(frame["quarter"].unique(), reverse=True), key=f"{K}quarter")
rows = frame[frame["quarter"] == quarter]
table = pd.DataFrame(
    {
        "Team": rows["team"].map(team_name),
        "Staff": rows["staff"],
        **{LABELS[c]: [show(c, v) for v in rows[c]] for c in LABELS},
    }
)
ui.grid(table, hide_index=True, key=f"{K}table")


def with_team_names(scores: pd.DataFrame) -> pd.DataFrame:
    """The download: each team's code (what imports and the command line use) and, beside it, its name."""
    out = scores.copy()
    out.insert(out.columns.get_loc("team") + 1, "team_name", out["team"].map(team_name))
    return out


ui.download_buttons(lambda: with_team_names(frame), name="compact-scorecard", key=f"{K}download")

with st.expander("How each measure is defined"):
    ui.grid(scorecard.measures_table(), hide_index=True)
    st.caption(
        "Within the SLA: the milestone came by the due date the service-level clock set; an idea still "
        "waiting past its due date counts as a promise broken. Staff are the team's active people today."
    )
