"""Home: what waits for me today, and where to do it."""

import streamlit as st

from hero_app import ui
from hero_app.navigation import HOME, pages_for
from hero_core.services import ideas, notifications
from hero_core.services.ideas import IdeaFilter

db, user = ui.require_page("home")

st.title(f"Hello, {ui.md(user.name)}")
st.caption("The HERO compact: you propose fixes for what gets in customers' way, managers encourage them and "
           "manage the risk, IT helps scale what works.")

mine_waiting = ideas.list_ideas(db, actor_id=user.id, page_size=1,
                                flt=IdeaFilter(submitter_id=user.id, states=("draft", "needs_changes")))[1]
unread = notifications.unread_count(db, actor_id=user.id)
cols = st.columns(4)
cols[0].metric("My ideas waiting on me", mine_waiting)
cols[1].metric("Unread notifications", unread)
if user.may("view_review_queue"):
    cols[2].metric("Ideas in my review queue", len(ideas.review_queue(db, actor_id=user.id)))
if user.may("view_it_board"):
    counts = ideas.it_board_counts(db, actor_id=user.id)
    cols[3].metric("Waiting for IT to claim", counts["awaiting_it"].total)

st.subheader("Where to go")
for spec in pages_for(user.actor):
    if spec.in_menu and spec.url_path != HOME:
        st.page_link(spec.file, label=spec.title, icon=spec.icon)
