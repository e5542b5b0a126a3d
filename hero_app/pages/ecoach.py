"""The e-coach queue: requests waiting for a first answer, a waiting customer first, then the longest wait."""

import streamlit as st

from hero_app import ui
from hero_core.services import help

P = "ecoach"
REQUEST_PAGE = "hero_app/pages/help_request.py"

db, user = ui.require_page("ecoach")
st.title("E-coach queue")
systems, touchpoints = help.my_scope(db, actor_id=user.id)
scope = ", ".join(systems + touchpoints)
cfg = help.settings()
st.caption(f"First response promised within {cfg.first_response_hours} business hours "
           f"({cfg.urgent_response_hours} when a customer is waiting), "
           f"weekdays {cfg.day_start}:00–{cfg.day_end}:00 UTC.")
with st.container(horizontal=True):
    mine = st.toggle(f"Only mine ({scope})" if scope else "Only mine", value=bool(scope), key=f"{P}_mine",
                     disabled=not scope)
    answered = st.toggle("Include answered, not yet solved", key=f"{P}_answered")
items = help.queue(db, actor_id=user.id, mine_only=mine, include_answered=answered)
if not items:
    st.info("Nobody is waiting for an answer. Known answers that need a look are under Known answers.")
    st.stop()
st.caption(ui.count(len(items), "request") + " waiting")
for r in ui.paged(items, key=f"{P}_page", page_size=20):
    with st.container(border=True):
        urgent = "🔴 customer waiting · " if r.customer_waiting else ""
        st.caption(f"{urgent}asked {ui.fmt_dt(r.created_at)} by {r.asker_name}"
                   + (f" ({r.team_name})" if r.team_name else "")
                   + f" · {r.system_name or r.touchpoint_label} · due {ui.fmt_dt(r.first_response_due)} "
                   f"({ui.sla_label(r.sla_status)}) · {ui.count(r.answers, 'answer')}")
        st.page_link(REQUEST_PAGE, label=f"#{r.id} · {ui.md(r.question)}", query_params={"id": str(r.id)},
                     icon=":material/forum:")
