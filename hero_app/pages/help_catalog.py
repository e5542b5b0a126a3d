"""Help catalog and e-coaches (admins): the systems and documents people ask about, and who answers for what."""

import pandas as pd
import streamlit as st

from hero_app import ui
from hero_core.services import help
from hero_core.vocab import TOUCHPOINT_LABELS

P = "helpcat"

db, user = ui.require_page("help-catalog")
st.title("Help catalog and e-coaches")

st.subheader("Systems and documents")
systems = help.list_systems(db, include_inactive=True)
if systems:
    ui.grid(pd.DataFrame([{"Code": s.code, "Name": s.name, "Kind": help.KIND_LABELS[s.kind],
                                "In use": "yes" if s.active else "retired"} for s in systems]),
                 hide_index=True, width="stretch")
    with st.popover("Retire or bring back", icon=":material/archive:"):
        st.caption("A retired system is no longer offered when asking; its requests and known answers stay.")
        st.selectbox("System or document", [s.code for s in systems], key=f"{P}_retire_code",
                     format_func={s.code: f"{s.name} ({'in use' if s.active else 'retired'})" for s in systems}.get)

        def toggle() -> None:
            code = st.session_state.get(f"{P}_retire_code") or ""
            active = next((s.active for s in systems if s.code == code), True)
            help.set_system_active(db, actor_id=user.id, code=code, active=not active)

        ui.action_button("Retire / bring back", toggle, key=f"{P}_retire", success="The catalog is updated.",
                         where="retire a help system")
c1, c2, c3 = st.columns([1, 3, 1], vertical_alignment="bottom")
c1.text_input("Code", key=f"{P}_code", max_chars=32, placeholder="CRM")
c2.text_input("Name", key=f"{P}_name", max_chars=200, placeholder="Customer CRM")
c3.selectbox("Kind", list(help.KIND_LABELS), format_func=help.KIND_LABELS.get, key=f"{P}_kind")
ui.action_button("Add to the catalog", lambda: help.add_system(
    db, actor_id=user.id, code=st.session_state.get(f"{P}_code") or "", name=st.session_state.get(f"{P}_name") or "",
    kind=st.session_state.get(f"{P}_kind") or "system"), key=f"{P}_add", icon=":material/add:",
    success="Added to the catalog.", where="add a help system", clear=[f"{P}_code", f"{P}_name"])

st.subheader("E-coaches")
assignments = help.list_assignments(db)
if assignments:
    for a in assignments:
        c1, c2 = st.columns([5, 1], vertical_alignment="center")
        c1.text(f"{a.user_name} ({a.user_email}) — {a.scope_label}")
        with c2:
            ui.action_button("Remove", lambda a=a: help.unassign_ecoach(db, actor_id=user.id, assignment_id=a.id),
                             key=f"{P}_rm_{a.id}", success=f"{a.user_name} no longer answers for {a.scope_label}.",
                             where="remove an e-coach")
else:
    st.info("No e-coach yet. Assign trainers and experienced people per system or touch point.")
active = [s for s in systems if s.active]
st.text_input("Email of the e-coach", key=f"{P}_email", max_chars=254)
scope = st.radio("Answers for", ["A system or document", "A touch point"], key=f"{P}_scope", horizontal=True)
if scope == "A touch point":
    st.selectbox("Touch point", list(TOUCHPOINT_LABELS), format_func=TOUCHPOINT_LABELS.get, key=f"{P}_tp")
else:
    st.selectbox("System or document", [s.code for s in active], format_func={s.code: s.name for s in active}.get,
                 key=f"{P}_sys")


def assign() -> int:
    state = st.session_state
    by_tp = state.get(f"{P}_scope") == "A touch point"
    return help.assign_ecoach(db, actor_id=user.id, email=state.get(f"{P}_email") or "",
                              system="" if by_tp else state.get(f"{P}_sys") or "",
                              touchpoint=state.get(f"{P}_tp") or "" if by_tp else "")


ui.action_button("Assign", assign, key=f"{P}_assign", icon=":material/person_add:", type="primary",
                 success="E-coach assigned.", where="assign an e-coach", clear=[f"{P}_email"])
