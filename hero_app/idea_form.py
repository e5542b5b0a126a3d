"""The idea form, shared by "Propose an idea" and the edit-and-resubmit form on "My ideas".

Field-level errors come from the service (`InvalidInput.fields`: field name -> message) and are shown under
the field they belong to; the page keeps them in session state across the rerun that follows a submit.
"""

from __future__ import annotations

import time

import streamlit as st

from hero_app import ui
from hero_core.db import Database
from hero_core.errors import HeroError, InvalidInput
from hero_core.services import campaigns as campaign_service
from hero_core.services import ideas
from hero_core.services.ideas import IdeaInput, IdeaView
from hero_core.vocab import PROBLEM_KIND_LABELS, TOUCHPOINT_LABELS

FIELDS = ("title", "roadblock", "proposal", "touchpoint", "category", "involves_technology", "expected_benefit",
          "target_metrics", "campaign_id")
GUARDRAILS_FIELD = "guardrails"
#: The labels of the text fields, each with its limit from the service (hero_core FIELD_LIMITS): `max_chars` shows
#: a counter and stops typing at the limit, and the guard below cuts a longer paste to it.
LABELS = {"title": "Title", "roadblock": "The customer roadblock", "proposal": "Your proposed fix",
          "expected_benefit": "Expected benefit (optional)"}
#: What an untouched form holds: setting these (not deleting the keys) makes the browser show an empty form too.
EMPTY = {"title": "", "roadblock": "", "proposal": "", "touchpoint": None, "category": None,
         "involves_technology": False, "expected_benefit": "", "target_metrics": [], "campaign_id": None,
         GUARDRAILS_FIELD: False}

GUARDRAILS = (
    "**The safe framework.** I put my name on this idea and stay with it as it is tried. "
    "The text names no customer and holds no customer's personal data (no names, account numbers, addresses "
    "or contact details). If what I propose goes wrong, I say so straight away and help put it right."
)


def errors_key(prefix: str) -> str:
    return f"{prefix}_errors"


def field_error(prefix: str, field: str) -> None:
    message = st.session_state.get(errors_key(prefix), {}).get(field)
    if message:
        st.error(ui.md(message), icon=":material/error:")


def seed_from(prefix: str, view: IdeaView) -> None:
    """Fill the form's widgets with an idea's current text, once (widgets keep what the person types next)."""
    values = {
        "title": view.title, "roadblock": view.roadblock, "proposal": view.proposal,
        "touchpoint": view.touchpoint or None, "category": view.category or None,  # a draft may have none yet
        "involves_technology": view.involves_technology, "expected_benefit": view.expected_benefit,
        "target_metrics": list(view.target_metrics), "campaign_id": view.campaign_id,
    }
    for name, value in values.items():
        st.session_state.setdefault(f"{prefix}_{name}", value)


def clear(prefix: str) -> None:
    for name in (*FIELDS, GUARDRAILS_FIELD):
        st.session_state.pop(f"{prefix}_{name}", None)
    forget_errors(prefix)


def empty(prefix: str) -> None:
    """Empty the form for the next idea, in the browser too (call before its widgets are drawn). Deleting the
    widgets' keys is not enough: the browser keeps showing what was typed and sends it back on the next click."""
    for name, value in EMPTY.items():
        st.session_state[f"{prefix}_{name}"] = value
    forget_errors(prefix)


def forget_errors(prefix: str) -> None:
    st.session_state.pop(errors_key(prefix), None)
    st.session_state.pop(f"{prefix}_general", None)


def fields(db: Database, prefix: str, *, with_guardrails: bool) -> None:
    """Draw the idea's fields (inside the caller's st.form) with any errors beneath them."""
    metrics = dict(ideas.list_metric_codes(db))
    campaigns = dict(campaign_service.answerable(db))  # open campaigns only (the one already chosen stays)
    current = st.session_state.get(f"{prefix}_campaign_id")
    if current is not None and current not in campaigns:
        campaigns.update((i, t) for i, t in ideas.list_campaigns(db) if i == current)
    limits = ideas.FIELD_LIMITS
    st.text_input(LABELS["title"], key=f"{prefix}_title", max_chars=limits["title"],
                  help="A short name colleagues will recognise, e.g. 'Pre-filled direct debit form'.")
    field_error(prefix, "title")
    st.text_area(
        LABELS["roadblock"], key=f"{prefix}_roadblock", height=140, max_chars=limits["roadblock"],
        help="What gets in the customer's way, where, and how often? Describe the situation, not the customer.",
    )
    field_error(prefix, "roadblock")
    st.text_area(
        LABELS["proposal"], key=f"{prefix}_proposal", height=140, max_chars=limits["proposal"],
        help="What would you change, who would do what differently, and what would you need to try it?",
    )
    field_error(prefix, "proposal")
    c1, c2 = st.columns(2)
    with c1:
        st.selectbox("Touch point", [t.value for t in TOUCHPOINT_LABELS], key=f"{prefix}_touchpoint",
                     format_func=ui.touchpoint_label, index=None, placeholder="Where does the customer meet it?")
        field_error(prefix, "touchpoint")
    with c2:
        st.selectbox("Kind of problem", [k.value for k in PROBLEM_KIND_LABELS], key=f"{prefix}_category",
                     format_func=ui.category_label, index=None, placeholder="What gets in the way?")
        field_error(prefix, "category")
    st.checkbox("The fix involves technology (a tool, a system change, an app, automation)",
                key=f"{prefix}_involves_technology")
    field_error(prefix, "involves_technology")
    st.text_area(LABELS["expected_benefit"], key=f"{prefix}_expected_benefit", max_chars=limits["expected_benefit"],
                 help="What would improve for customers or colleagues, and how would we notice?")
    field_error(prefix, "expected_benefit")
    c1, c2 = st.columns(2)
    with c1:
        st.multiselect("Customer metrics it should move (optional)", list(metrics), key=f"{prefix}_target_metrics",
                       format_func=lambda c: f"{metrics.get(c, c)} ({c})")
        field_error(prefix, "target_metrics")
    with c2:
        st.selectbox("Campaign (optional)", list(campaigns), key=f"{prefix}_campaign_id", index=None,
                     format_func=lambda i: campaigns.get(i, str(i)), placeholder="No campaign")
        field_error(prefix, "campaign_id")
    if with_guardrails:
        st.markdown(GUARDRAILS)
        st.checkbox("I have read the safe framework and this idea keeps to it", key=f"{prefix}_{GUARDRAILS_FIELD}")
        field_error(prefix, GUARDRAILS_FIELD)


def read(prefix: str) -> IdeaInput:
    """The form's current values as the service's input."""
    get = st.session_state.get
    return IdeaInput(
        title=get(f"{prefix}_title") or "", roadblock=get(f"{prefix}_roadblock") or "",
        proposal=get(f"{prefix}_proposal") or "", touchpoint=get(f"{prefix}_touchpoint") or "",
        category=get(f"{prefix}_category") or "", involves_technology=bool(get(f"{prefix}_involves_technology")),
        expected_benefit=get(f"{prefix}_expected_benefit") or "",
        target_metrics=tuple(get(f"{prefix}_target_metrics") or ()), campaign_id=get(f"{prefix}_campaign_id"),
    )


def has_text(data: IdeaInput) -> bool:
    """True when something was typed into the form's text fields."""
    return any(str(v).strip() for v in (data.title, data.roadblock, data.proposal, data.expected_benefit))


def guardrails_acknowledged(prefix: str) -> bool:
    return bool(st.session_state.get(f"{prefix}_{GUARDRAILS_FIELD}"))


def remember_errors(prefix: str, field_errors: dict[str, str], others: list[str] = ()) -> None:
    """Keep errors for the next run: those naming a field of this form go beside it, the rest on top."""
    known = {*FIELDS, GUARDRAILS_FIELD}
    st.session_state[errors_key(prefix)] = {f: m for f, m in field_errors.items() if f in known}
    shown = set(st.session_state[errors_key(prefix)].values())
    st.session_state[f"{prefix}_general"] = [m for f, m in field_errors.items() if f not in known] + [
        m for m in others if m not in shown and m not in field_errors.values()]


def remember_exception(prefix: str, exc: HeroError) -> None:
    if isinstance(exc, InvalidInput):
        remember_errors(prefix, exc.fields, exc.problems)
    else:
        remember_errors(prefix, {}, [str(exc)])


def show_general_errors(prefix: str) -> None:
    """Errors naming no field of this form (e.g. 'you belong to no team yet')."""
    messages = st.session_state.get(f"{prefix}_general") or []
    if len(messages) == 1:
        st.error(ui.md(messages[0]))
    elif messages:
        st.error("Please fix these problems:\n\n" + "\n".join(f"- {ui.md(m)}" for m in messages))
    if st.session_state.get(errors_key(prefix)):
        st.error("Some fields need another look: see the messages under them.")


# ---- the browser's side: no text lost to a closed tab or a long paste -------------------------------------------

_GUARD_JS = """
export default function ({ data }) {
  const w = window;
  if (!w.__heroForm) {
    const f = (w.__heroForm = { active: false, unsaved: false, typed: false, limits: {} });
    const limitOf = (el) => {
      const label = el && el.getAttribute ? el.getAttribute("aria-label") : null;
      return label && Object.prototype.hasOwnProperty.call(f.limits, label) ? f.limits[label] : null;
    };
    document.addEventListener("input", (e) => { if (limitOf(e.target)) f.typed = true; }, true);
    // Streamlit ignores a change longer than max_chars, so a long paste would leave the field as it was: paste
    // what fits instead (the field's counter then shows it is full).
    document.addEventListener("paste", (e) => {
      const el = e.target, max = limitOf(el);
      if (!max || typeof el.value !== "string") return;
      const text = (e.clipboardData || w.clipboardData).getData("text");
      const start = el.selectionStart ?? el.value.length, end = el.selectionEnd ?? el.value.length;
      const room = max - (el.value.length - (end - start));
      if (text.length <= room) return;
      e.preventDefault();
      document.execCommand("insertText", false, text.slice(0, Math.max(0, room)));
    }, true);
    w.addEventListener("beforeunload", (e) => {
      if (f.active && (f.unsaved || f.typed)) { e.preventDefault(); e.returnValue = ""; }
    });
  }
  const f = w.__heroForm;
  f.limits = data.limits || {};
  f.unsaved = !!data.unsaved;
  // What the server holds was just drawn; text still being typed in a field is not in it yet.
  f.typed = f.typed && limitOf_(document.activeElement, f.limits);
  f.active = true;
  return () => { f.active = false; f.typed = false; f.unsaved = false; };
}
function limitOf_(el, limits) {
  const label = el && el.getAttribute ? el.getAttribute("aria-label") : null;
  return !!(label && Object.prototype.hasOwnProperty.call(limits, label));
}
"""

_guard = st.components.v2.component("hero_idea_form_guard", js=_GUARD_JS)


def guard(prefix: str, *, unsaved: bool) -> None:
    """Warn before the tab is closed or reloaded while the form holds text that is not saved (`unsaved`, or typed
    since this run), and cut an over-long paste to the field's limit. Draws nothing."""
    limits = {LABELS[name]: ideas.FIELD_LIMITS[name] for name in LABELS}
    _guard(key=f"{prefix}_guard", data={"limits": limits, "unsaved": unsaved, "at": time.time()})
