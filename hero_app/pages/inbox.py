"""Notifications: what changed on the ideas that concern me, each linking to its idea."""

import streamlit as st

from hero_app import ui
from hero_app.mail_pref import email_preference
from hero_core.services import notifications

db, user = ui.require_page("inbox")
st.title("Notifications")
email_preference(db, user)

only_unread = st.toggle("Show unread only", key="inbox_unread_only")
items = notifications.inbox(db, actor_id=user.id, unread_only=only_unread, limit=500)
unread = notifications.unread_count(db, actor_id=user.id)
st.caption(f"{unread} unread")
if unread and st.button("Mark all as read", key="inbox_mark_all", icon=":material/done_all:"):
    ui.attempt(lambda: notifications.mark_read(db, actor_id=user.id),
               success="All notifications marked as read.")
if not items:
    st.info("Nothing here yet. You hear from the compact when something happens to an idea that concerns you.")
    st.stop()

for item in ui.paged(items, key="inbox_page", page_size=20):
    with st.container(border=True):
        head = st.columns([6, 2], vertical_alignment="center")
        with head[0]:
            st.caption(("● unread · " if not item.read else "") + ui.fmt_dt(item.created_at) + " · "
                       + notifications.kind_label(item.kind))
            st.text(item.message)
        with head[1]:
            if not item.read and st.button("Mark read", key=f"inbox_read_{item.id}"):
                ui.attempt(lambda item=item: notifications.mark_read(db, actor_id=user.id,
                                                                     notification_ids=[item.id]),
                           success="Marked as read.")
        if item.idea_id is not None:
            st.page_link(ui.IDEA_PAGE, label=f"Open idea #{item.idea_id}", query_params={"id": str(item.idea_id)},
                         icon=":material/description:")
        elif item.help_request_id is not None:
            st.page_link("hero_app/pages/help_request.py", label=f"Open help request #{item.help_request_id}",
                         query_params={"id": str(item.help_request_id)}, icon=":material/forum:")
