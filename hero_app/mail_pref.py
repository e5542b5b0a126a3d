"""The email preference a person sets on their Notifications page (immediate, daily digest or off)."""

from __future__ import annotations

import streamlit as st

from hero_app import ui
from hero_core.db import Database
from hero_core.services import mailer

KEY = "inbox_email_mode"


def email_preference(db: Database, user: ui.CurrentUser) -> None:
    """An expander with the person's own email preference and a Save button."""
    current = mailer.email_mode(db, actor_id=user.id)
    with st.expander(f"Email: {mailer.MODES[current].lower()}", icon=":material/mail:"):
        if not mailer.mail_enabled():
            st.caption("Email is not set up on this server yet; your choice applies as soon as it is.")
        modes = list(mailer.MODES)
        choice = st.radio(
            "How should notifications reach you by email?",
            modes,
            index=modes.index(current),
            format_func=mailer.MODES.get,
            key=KEY,
        )
        if st.button("Save email preference", key=f"{KEY}_save", disabled=choice == current):
            ui.attempt(
                lambda: mailer.set_email_mode(db, actor_id=user.id, mode=choice),
                success=lambda mode: f"Email preference saved: {mailer.MODES[mode].lower()}.",
            )
