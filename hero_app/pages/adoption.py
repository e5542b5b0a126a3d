"""Adoption: how much of each team works a piloted or scaled idea's new way, over time; managers record their
teams' figures (files come in with `hero adoption import`)."""

import streamlit as st

from hero_app import ui
from hero_core.charts_erosion import adoption_chart
from hero_core.services import adoption, people
from hero_core.vocab import Role

P = "adoption"

db, user = ui.require_page("adoption")
ui.show_flash()
st.title("Adoption")
st.caption("The share of each team working the new way of a piloted or scaled idea. A fall shows on the Erosion "
           "board as an alarm. Files of figures (idea_id, team, date, adopted_share) come in with "
           "`hero adoption import`.")
ideas = dict(adoption.launched_ideas(db, actor_id=user.id))
if not ideas:
    st.info("No idea is piloting, scaling or scaled yet.")
    st.stop()
idea_id = st.selectbox("Idea", list(ideas), key=f"{P}_idea", format_func=lambda i: f"#{i} · {ideas[i]}")
series = adoption.adoption_series(db, actor_id=user.id, idea_id=idea_id)
if series.empty:
    st.caption("No adoption figures for this idea yet.")
else:
    st.altair_chart(adoption_chart(series, title=ideas[idea_id]))
    for found in adoption.adoption_vs_gain(db, actor_id=user.id, idea_id=idea_id):
        st.markdown(f"**{ui.md(found.metric_name)}: adoption beside the gain**")
        st.caption(found.reading)
        ui.grid(found.table.rename(columns={"team": "Team", "adopted_share": "Adopted (mean)",
                                                 "gain": "Gain over the other teams"}),
                     hide_index=True, key=f"{P}_gain_{found.metric}")

st.subheader("Roll-out plan")
plan = adoption.rollout_status(db, actor_id=user.id, idea_id=idea_id)
if plan.empty:
    st.caption("No roll-out planned for this idea yet.")
else:
    st.caption(f"A team counts as reached from the first day {adoption.REACHED_SHARE:.0%} of it works the new way.")
    ui.grid(plan.rename(columns={"team": "Team", "due": "Due", "reached": "Reached", "status": "Status"})
                 .fillna(""), hide_index=True, key=f"{P}_plan")
if user.actor.has(Role.IT_CHAMPION) or user.actor.has(Role.MANAGER):
    all_teams = {t.code: t.name for t in people.list_teams(db)}
    with st.popover("Plan a team", icon=":material/event:"):
        st.selectbox("Team to reach", list(all_teams), key=f"{P}_plan_team", format_func=all_teams.get)
        st.date_input("By when", key=f"{P}_plan_due", value=None)
        ui.action_button("Save the plan", lambda: adoption.plan_rollout(
            db, actor_id=user.id, idea_id=st.session_state.get(f"{P}_idea"),
            team_code=st.session_state.get(f"{P}_plan_team"), due=st.session_state.get(f"{P}_plan_due")),
            key=f"{P}_plan_save", type="primary", where="plan a roll-out", success="Planned.")

teams = dict(adoption.teams_i_manage(db, actor_id=user.id)) if user.may("record_adoption") else {}
if teams:
    st.subheader("Record your team's adoption")
    st.selectbox("Team", list(teams), key=f"{P}_team", format_func=teams.get)
    today = db.now().date()
    st.date_input("Date", key=f"{P}_day", value=today, max_value=today)
    st.number_input("Share of the team working the new way (%)", key=f"{P}_share", min_value=0, max_value=100,
                    value=None, step=5)
    ui.action_button("Record", lambda: adoption.record_adoption(
        db, actor_id=user.id, idea_id=st.session_state.get(f"{P}_idea"), team_code=st.session_state.get(f"{P}_team"),
        day=st.session_state.get(f"{P}_day"),
        adopted_share=(st.session_state.get(f"{P}_share") / 100 if st.session_state.get(f"{P}_share") is not None
                       else None)),
        key=f"{P}_record", type="primary", where="record adoption", success="Recorded.")
