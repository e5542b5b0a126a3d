"""HERO Index pulse: everyone answers once a quarter; managers, executives and admins see group aggregates."""

import pandas as pd
import streamlit as st

from hero_app import ui
from hero_core.charts_compact import pulse_hero_share_chart, pulse_segments_chart
from hero_core.services import pulse

K = "pulse_"

db, user = ui.require_page("pulse")
st.title("HERO Index pulse")
st.caption(
    "Two questions, once a quarter, after Forrester's HERO Index. Answers are only ever shown as totals of "
    f"a team or the whole organisation, and only for groups of at least {pulse.MIN_GROUP} answers."
)

mine = pulse.my_pulse(db, actor_id=user.id)
st.header(f"This quarter: {mine.quarter}")
# A form drawn before the person answered (say, in another tab) stays drawn for one more run, so that pressing
# its button gets the service's clear refusal instead of silently losing the click.
form_open = st.session_state.get(f"{K}open") == mine.quarter
if mine.answered_at is not None and not form_open:
    st.success(
        f"Thank you: you answered this quarter's pulse on {ui.fmt_dt(mine.answered_at)}. "
        "The next quarter opens a new one."
    )
else:
    st.session_state[f"{K}open"] = mine.quarter
    with st.form(f"{K}form"):
        empowered = st.radio(
            pulse.QUESTION_EMPOWERED,
            list(range(1, 11)),
            index=None,
            horizontal=True,
            key=f"{K}empowered",
            help="1 = not at all, 10 = completely",
        )
        tools = st.number_input(
            pulse.QUESTION_TOOLS,
            min_value=0,
            max_value=pulse.MAX_TOOLS,
            step=1,
            value=None,
            key=f"{K}tools",
            placeholder="0, 1, 2, …",
            help="Apps, web sites or devices you chose yourself, such as a note-taking app "
            "or a shared spreadsheet service.",
        )
        sent = st.form_submit_button("Send my answer", type="primary")
    if sent:
        ui.attempt(
            lambda: pulse.answer(db, actor_id=user.id, empowered=empowered, unsanctioned_tools=tools),
            success=lambda q: f"Thank you: your answer for {q} is in.",
            clear=[f"{K}open"],
        )
    if mine.answered_at is not None:
        st.session_state.pop(f"{K}open", None)

if not user.may("view_pulse"):
    st.caption("The results are shared with managers, executives and admins as team and organisation totals.")
    st.stop()

st.header("Results")
summary = pulse.summary(db, actor_id=user.id)
if summary.empty:
    st.info("Nobody has answered yet.")
    st.stop()

# Groups are kept by team code (a name may change); people read the teams' names, on the charts too.
names = dict(zip(summary["group"], summary["group_name"], strict=True))
by_name = summary.assign(group=summary["group_name"])
tab_over_time, tab_teams, tab_rules = st.tabs(["Over time", "Per team", "How the segments are defined"])
with tab_over_time:
    groups = [
        g for g in summary["group"].drop_duplicates() if summary[(summary["group"] == g)]["shown"].any()
    ]
    if not groups:
        st.info(f"No group has {pulse.MIN_GROUP} or more answers yet, so nothing can be shown.")
    else:
        group = st.selectbox("Group", groups, key=f"{K}group", format_func=names.get)
        st.altair_chart(pulse_segments_chart(by_name[summary["group"] == group], names[group]))
        st.altair_chart(pulse_hero_share_chart(by_name))
with tab_teams:
    quarters = sorted(summary["quarter"].unique(), reverse=True)
    quarter = st.selectbox("Quarter", quarters, key=f"{K}quarter")
    rows = summary[summary["quarter"] == quarter]

    def pct(value) -> str:
        return "" if value is None or pd.isna(value) else f"{value:.0%}"

    view = pd.DataFrame(
        {
            "Group": rows["group_name"],
            "Answers": [
                n if shown else note
                for n, shown, note in zip(rows["answers"], rows["shown"], rows["note"], strict=True)
            ],
            "Mean empowerment (1-10)": [("" if pd.isna(v) else f"{v:.1f}") for v in rows["mean_empowered"]],
            **{name: [pct(v) for v in rows[f"share_{name}"]] for name in pulse.SEGMENTS},
        }
    )
    view["Answers"] = view["Answers"].map(lambda v: f"{int(v)}" if not isinstance(v, str) else v)
    ui.grid(view, hide_index=True, key=f"{K}table")
with tab_rules:
    ui.grid(pulse.segment_counts_table(), hide_index=True)
    st.caption(
        f"Empowered: {pulse.EMPOWERED_MIN} or more on the 1-10 scale. Resourceful: "
        f"{pulse.RESOURCEFUL_MIN_TOOLS} or more apps or tools not provided by IT. Groups with fewer than "
        f"{pulse.MIN_GROUP} answers are hidden, and so is the smallest other team when the hidden ones "
        "could otherwise be worked out from the organisation's total."
    )
