"""Your account: change your password, and see and end the places you are logged in."""

import streamlit as st

from hero_app import ui
from hero_core.errors import HeroError
from hero_core.services import people, sessions

db, user = ui.require_page("account")
token = st.session_state.get(ui.TOKEN_KEY)

st.title("Your account")
st.caption(f"Logged in as {ui.md(user.email)} ({ui.md(user.roles_text)}).")

st.subheader("Change your password")
with st.form("account_password", clear_on_submit=True):
    current = st.text_input("Current password", type="password", key="account_current_password",
                            autocomplete="current-password")
    new = st.text_input("New password", type="password", key="account_new_password", autocomplete="new-password",
                        help="At least 12 characters, and not your email address. A few words you remember work well.")
    again = st.text_input("New password again", type="password", key="account_new_password_again",
                          autocomplete="new-password")
    change = st.form_submit_button("Change password", type="primary", icon=":material/key:")
if change:
    if new != again:
        st.error("The two new passwords are not the same. Nothing was changed.")
    else:
        ui.attempt(lambda: people.change_own_password(db, actor_id=user.id, current_password=current,
                                                      new_password=new, keep_token=token),
                   success=lambda ended: "Your password was changed. " + (
                       f"You were logged out everywhere else ({ended} other session{'s' if ended != 1 else ''})."
                       if ended else "You were not logged in anywhere else."),
                   where="change a password")

st.subheader("Where you are logged in")
st.caption(f"A session ends after {int(sessions.IDLE_LIMIT.total_seconds() // 3600)} hours without activity, and "
           f"{sessions.max_age().days} days after logging in however active. If you see one you do not recognise, "
           "end it and change your password.")
try:
    mine = sessions.list_own(db, actor_id=user.id, current_token=token)
except HeroError as exc:
    ui.show_error(exc)
    st.stop()
for view in mine:
    with st.container(border=True):
        cols = st.columns([6, 2], vertical_alignment="center")
        cols[0].markdown(("**This browser** · " if view.current else "")
                         + f"logged in {ui.fmt_dt(view.created_at)} · last active {ui.fmt_dt(view.last_seen)} · "
                         f"ends by {ui.fmt_dt(view.expires_at)}")
        if not view.current:
            ui.action_button("End this session", lambda view=view: sessions.end_own(
                db, actor_id=user.id, current_token=token, session_id=view.id),
                key=f"account_end_{view.id}", success="That session was ended.", container=cols[1],
                where="end a session", icon=":material/logout:")
others = sum(not v.current for v in mine)
if others:
    ui.action_button("End all other sessions", lambda: sessions.end_other_own(db, actor_id=user.id,
                                                                               current_token=token),
                     key="account_end_others", icon=":material/devices_off:",
                     success=lambda n: f"Ended {n} other session{'s' if n != 1 else ''}: you are logged in "
                                       "only here now.")
else:
    st.caption("You are logged in only here.")
