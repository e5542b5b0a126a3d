"""Propose an idea: describe the customer's roadblock and the fix, keep to the safe framework, draft or submit.

Not an st.form: each field sends what was typed when the person leaves it, and the page saves it as a private draft
as soon as it has a title (one draft per form, however often it saves: the form's token, hero_core create_idea).
A proposal, saved or submitted, empties the form for the next one under a new token.
"""

import secrets

import streamlit as st

from hero_app import conversation, idea_form, ui
from hero_core.errors import HeroError, InvalidInput
from hero_core.services import ideas

P = "propose"
TOKEN_KEY = f"{P}_token"  # which form this is: one idea per token
SAVED_KEY = f"{P}_saved"  # what the draft holds (the IdeaInput last saved), and its id
DRAFT_KEY = f"{P}_draft"

db, user = ui.require_page("submit")

st.title("Propose an idea")
st.caption("You see the customer's roadblocks first. Tell us about one, and how you would remove it.")

with st.expander("How to describe a good idea", expanded=True, icon=":material/tips_and_updates:"):
    st.markdown(
        "- **Start from one real moment.** Where did a customer get stuck — on the website, on the phone, at "
        "the counter, in the self-service portal? What were they trying to do, and what stopped them?\n"
        "- **Say how often it happens** and what it costs: repeat calls, complaints, errors, time, lost sales.\n"
        "- **Describe the fix you would try**, as small as it can be to learn something: a clearer form, a "
        "checklist, a saved reply, a short video, a change to a screen. Say what you would need to try it.\n"
        "- **Name the metric** you expect to move (handle time, first-contact resolution, satisfaction...).\n"
        "- **Describe situations, never people**: no customer names, account numbers or contact details."
    )

if st.session_state.pop(f"{P}_reset", False):
    idea_form.empty(P)
    for key in (TOKEN_KEY, SAVED_KEY, DRAFT_KEY):
        st.session_state.pop(key, None)
token = st.session_state.setdefault(TOKEN_KEY, secrets.token_urlsafe(24))
last = st.session_state.get(f"{P}_last")
if last:
    ui.idea_link(last[0], last[1])

conversation.similar_ideas(db, prefix=P)  # has a colleague had this idea already?
if st.query_params.get("campaign", "").isdigit():  # "Answer this campaign" on the campaign page
    st.session_state.setdefault(f"{P}_campaign_id", int(st.query_params["campaign"]))

idea_form.show_general_errors(P)
idea_form.fields(db, P, with_guardrails=True)
with st.container(horizontal=True):
    save_draft = st.button("Save as draft", icon=":material/save:", key=f"{P}_save")
    send = st.button("Submit for review", type="primary", icon=":material/send:", key=f"{P}_send")
status = st.empty()


def autosave(data: ideas.IdeaInput) -> None:
    """Save what the form holds as this form's draft, once it has a title and whenever it changed."""
    if not data.title.strip() or data == st.session_state.get(SAVED_KEY):
        return
    try:
        draft_id = ideas.create_idea(db, actor_id=user.id, data=data, form_token=token)
    except InvalidInput as exc:  # e.g. a title still too short: said quietly; the buttons show it in full
        status.caption(f"Not saved as a draft yet: {ui.md(next(iter(exc.fields.values()), str(exc)))}.")
        return
    st.session_state[DRAFT_KEY] = draft_id  # stored before anything is drawn: a rerun cannot lose it
    st.session_state[SAVED_KEY] = data


data = idea_form.read(P)
if not (save_draft or send):
    autosave(data)
    draft_id = st.session_state.get(DRAFT_KEY)
    if draft_id and data == st.session_state.get(SAVED_KEY):
        status.caption(f"Saved as draft #{draft_id} while you type; only you can see it (My ideas).")
    elif not data.title.strip():
        status.caption("Give it a title and it is saved as a private draft as you go.")
    idea_form.guard(P, unsaved=idea_form.has_text(data) and data != st.session_state.get(SAVED_KEY))
else:
    if send and not idea_form.guardrails_acknowledged(P):
        # Check the fields too, so the person sees everything to fix at once.
        problems = ideas.validate_idea_input(db, data=data)
        problems[idea_form.GUARDRAILS_FIELD] = (
            "Tick the safe framework box to submit (you can save a draft without it).")
        idea_form.remember_errors(P, problems)
        st.rerun()
    try:
        new_id = ideas.create_idea(db, actor_id=user.id, data=data, submit=bool(send), form_token=token)
    except HeroError as exc:
        idea_form.remember_exception(P, exc)
        st.rerun()
    except Exception:  # noqa: BLE001
        ui.show_unexpected("propose an idea")
    else:
        st.session_state[f"{P}_reset"] = True
        st.session_state[f"{P}_last"] = (new_id, data.title.strip())
        ui.flash(f"Idea #{new_id} submitted: it now waits for a manager of your team." if send else
                 f"Idea #{new_id} saved as a draft. Only you can see it until you submit it from My ideas.")
        st.rerun()
