"""Touch-point plan: every customer touch point against what is happening there, weakest first."""

import streamlit as st

from hero_app import ui
from hero_core.services import touchpoints

P = "touchpoints"

db, user = ui.require_page("touchpoints")
st.title("Touch-point plan")
st.caption("Wherever customers meet us should have performance support behind it. Each touch point with its open "
           "roadblocks (unsolved help requests), ideas in flight, scaled ideas, ideas with a checked job aid, open "
           "erosion alarms, and the trend "
           "of the metrics its ideas target (the last 8 weeks against the 8 before; better or worse only when the "
           "change is clear). The weakest places come first.")
plan = touchpoints.touchpoint_plan(db, actor_id=user.id)
shown = plan.rename(columns={
    "touchpoint": "Touch point", "open_roadblocks": "Open roadblocks", "ideas_in_flight": "Ideas in flight",
    "scaled_ideas": "Scaled ideas", "job_aids": "With a job aid", "open_alarms": "Open alarms",
    "metrics_worse": "Metrics worse",
    "metrics": "Metrics and trend"})
ui.grid(shown, hide_index=True, key=f"{P}_table")
weak = plan[(plan["open_alarms"] > 0) | (plan["metrics_worse"] > 0)]
for row in weak.itertuples():
    reasons = [x for x in (ui.count(row.open_alarms, "open erosion alarm") if row.open_alarms else "",
                           ui.count(row.metrics_worse, "metric") + " getting worse" if row.metrics_worse else "") if x]
    st.warning(f"{ui.md(row.touchpoint)}: {' and '.join(reasons)}.")
ui.download_buttons(shown, name="touch-point-plan", key=f"{P}_download")
