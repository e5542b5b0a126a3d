"""Erosion board: launched ideas whose gain is wearing off, with the evidence, closed with what was done."""

import streamlit as st

from hero_app import ui
from hero_core.charts_erosion import adoption_chart, erosion_chart
from hero_core.services import adoption, erosion

P = "erosion"

db, user = ui.require_page("erosion")
ui.show_flash()
st.title("Erosion board")
st.caption("Every launched idea is watched after its evaluation window. An alarm opens when the pilot teams' lead "
           "fades back towards the baseline (with evidence, not one bad week) or help requests about its system "
           "rise again. Close it with what was done.")

left, right = st.columns([3, 1])
with right:
    ui.action_button("Check now", lambda: erosion.refresh_alarms(db, actor_id=user.id), key=f"{P}_refresh",
                     icon=":material/refresh:",
                     success=lambda r: (f"Checked {ui.count(r.ideas_watched, 'launched idea')}: "
                                        f"{ui.count(len(r.opened), 'new alarm')}."),
                     where="check for erosion")
alarms = erosion.open_alarms(db, actor_id=user.id)
checked = erosion.last_checked(db)
with left:
    st.caption(f"Last checked {ui.fmt_dt(checked)}." if checked else
               "No open alarm. Check now, or let `hero watch` run daily.")
if not alarms:
    st.info("No open erosion alarm: the launched ideas are holding their gains.")

labels = list(erosion.ACTIONS.values())
for alarm in ui.paged(alarms, key=f"{P}_page", page_size=10):
    k = f"{P}_{alarm.id}"
    with st.container(border=True):
        ui.idea_link(alarm.idea_id, alarm.idea_title)
        what = " · ".join(x for x in (alarm.kind_label, alarm.metric_name, alarm.team_name) if x)
        st.markdown(f"**{ui.md(what)}** · open since {ui.fmt_date(alarm.opened_at.date())}")
        st.write(alarm.detail)
        if alarm.kind == "effect_fading":
            box = ui.lazy_expander("The metric week by week", key=f"{k}_chart")
            if box.open:
                with box:
                    series = erosion.alarm_series(db, actor_id=user.id, alarm_id=alarm.id)
                    st.altair_chart(erosion_chart(series, unit=alarm.unit, title=alarm.metric_name or ""))
        if alarm.kind == "adoption_falling":
            box = ui.lazy_expander("Adoption per team", key=f"{k}_chart")
            if box.open:
                with box:
                    frame = adoption.adoption_series(db, actor_id=user.id, idea_id=alarm.idea_id)
                    st.altair_chart(adoption_chart(frame, title=alarm.idea_title))
        if not alarm.may_close:
            continue
        with st.popover("Close with what was done", icon=":material/task_alt:"):
            st.selectbox("What was done", labels, key=f"{k}_action", index=None, placeholder="Choose one")
            st.text_area("Note", key=f"{k}_note", max_chars=2000,
                         help="What changed, for whom, and when to look again.")
            ui.action_button("Close the alarm", lambda a=alarm, k=k: erosion.close_alarm(
                db, user.id, a.id, st.session_state.get(f"{k}_action") or "",
                st.session_state.get(f"{k}_note") or ""), key=f"{k}_close", type="primary",
                success=f"Alarm on idea #{alarm.idea_id} closed.", where="close an erosion alarm")

closed_box = ui.lazy_expander("Recently closed", key=f"{P}_closed")
if closed_box.open:
    with closed_box:
        closed = erosion.closed_alarms(db, actor_id=user.id, limit=50)
        if not closed:
            st.caption("No alarm has been closed yet.")
        for a in closed:
            st.markdown(f"#{a.idea_id} {ui.md(a.idea_title)} · {ui.md(a.kind_label)} · closed "
                        f"{ui.fmt_date(a.closed_at.date() if a.closed_at else None)} by {ui.md(a.closed_by_name or '')}"
                        f": **{ui.md(a.action_label or '')}** {ui.md(a.action_note)}")
