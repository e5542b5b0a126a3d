"""Panels for acting on one idea, shared by the review queue, the IT board and the idea page.

Each panel shows only the actions the services say this person may take now (`IdeaView.available_actions`,
`may_assess`, `may_plan`), passes the version the page showed (`expected_version`) and leaves every rule to
the services: a refused action comes back as a HeroError and is shown as it is.
"""

from __future__ import annotations

import functools
import json
from datetime import date

import pandas as pd
import streamlit as st

from hero_app import risk_grid, ui
from hero_core import risk, workflow
from hero_core.charts import risk_grid_frame, risk_heatmap_chart
from hero_core.db import Database
from hero_core.errors import HeroError
from hero_core.services import ideas, people
from hero_core.services.ideas import AssessmentView, IdeaView

L = workflow.ACTION_LABELS
RISK_TITLE = "Risk matrix: likelihood × impact"
#: The launch-date picker's own bounds, wide: the service decides which dates a pilot may launch on.
PICKER_FIRST_DAY, PICKER_LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


# ---- the idea a work page picked ----------------------------------------------------------------------------


def open_picked(db: Database, user: ui.CurrentUser, idea_id: int) -> IdeaView:
    """The idea picked on a work page (review queue, IT board), remembered as opened at its version so that a
    change by someone else meanwhile is caught; stops the page with the reason when it cannot be shown."""
    try:
        view = ideas.get_idea(db, actor_id=user.id, idea_id=idea_id)
    except HeroError as exc:
        ui.show_error(exc)
        st.stop()
    ui.opened_version(view.id, view.version)
    return view


def picked_heading(view: IdeaView) -> None:
    st.subheader(f"#{view.id} · {ui.md(view.title)}")
    ui.idea_link(view.id, "open the full idea")


# ---- the assessment, read-only ------------------------------------------------------------------------------


def ratings_frame(ratings) -> pd.DataFrame:
    return pd.DataFrame([{
        "Category": risk.CATEGORIES.get(r.category, r.category),
        "Likelihood": f"{r.likelihood} {risk.LIKELIHOOD_LABELS.get(r.likelihood, '')}",
        "Impact": f"{r.impact} {risk.IMPACT_LABELS.get(r.impact, '')}",
        "Score": r.score, "Band": risk.band(r.score), "Mitigation": r.mitigation,
    } for r in ratings], columns=["Category", "Likelihood", "Impact", "Score", "Band", "Mitigation"])


def effort_value_frame(ev: risk.EffortValue) -> pd.DataFrame:
    return pd.DataFrame([
        {"Question": "Needs IT work", "Answer": "yes" if ev.needs_it else "no"},
        {"Question": "Needs legal review", "Answer": "yes" if ev.needs_legal else "no"},
        {"Question": "Budget", "Answer": risk.BUDGET_LABELS.get(ev.budget, ev.budget)},
        {"Question": "People and systems touched", "Answer": str(ev.people_systems_touched)},
        {"Question": "Customers reached", "Answer": risk.REACH_LABELS.get(ev.customers_reached, ev.customers_reached)},
        {"Question": "Expected metric change",
         "Answer": risk.CHANGE_LABELS.get(ev.expected_change, ev.expected_change)},
        {"Question": "Strategic fit", "Answer": risk.FIT_LABELS.get(ev.strategic_fit, ev.strategic_fit)},
    ])


def show_effort_value(ev: risk.EffortValue, category: str) -> None:
    st.markdown(f"**Effort-value evaluation: {risk.EV_LABELS.get(category, category)}** "
                f"(effort {ev.effort_score} of 10, value {ev.value_score} of 9)")
    st.info(risk.EV_CATEGORIES.get(category, category))


@functools.lru_cache(maxsize=1024)
def _heatmap_spec(ratings: tuple[risk.Rating, ...]) -> str:
    return json.dumps(risk_heatmap_chart(risk_grid_frame(ratings), text="categories", title=RISK_TITLE).to_dict())


def heatmap_spec(ratings: tuple[risk.Rating, ...]) -> dict:
    """The risk heat map's Vega-Lite spec, built once per set of ratings: Altair validates a chart against its
    JSON schema on every build, and the review page builds it twice per run (measured: docs/measurements.md)."""
    return json.loads(_heatmap_spec(ratings))


def show_assessment(a: AssessmentView, *, key: str, matrix_on_demand: bool = False) -> None:
    """The latest risk assessment and effort-value evaluation, with the heat map.

    `matrix_on_demand` puts the heat map and the per-category ratings in an expander that draws them only when
    opened: on the review queue, where the scores, bands and answers above are what a decision needs, the chart
    and the grid were most of what a click on "Review queue" waited for in the browser."""
    cols = st.columns(3)
    cols[0].metric("Overall risk", f"{a.overall} ({a.band})")
    cols[1].metric("Effort-value", risk.EV_LABELS.get(a.ev_category, a.ev_category))
    cols[2].metric("Approvals", len(a.approver_emails))
    st.caption(f"Assessed by {ui.md(a.assessor_name or a.assessor_email)} on {ui.fmt_dt(a.created_at)}")
    if a.round_highest is not None and risk.is_high(a.round_highest) and not risk.is_high(a.overall):
        st.warning(f"An earlier assessment in this review rated the risk {a.round_highest} (high): the highest "
                   "rating of a review governs, so two different people must still approve.")
    approvers = a.approver_names or a.approver_emails  # names, read by people; emails only for old values
    if a.needs_second_approver:
        st.warning(
            f"High risk (score {a.round_highest}): approved by {ui.md(approvers[0])}; it waits for its "
            "second approver, another manager or an admin who did not propose it."
        )
    elif a.approver_emails:
        st.caption("Approved by " + ", ".join(ui.md(e) for e in approvers))
    area = ui.on_demand(matrix_on_demand, "Risk matrix and each category's rating", key=f"{key}_matrix_open",
                        icon=":material/grid_on:")
    if area is not None:
        with area:
            st.vega_lite_chart(heatmap_spec(tuple(a.ratings)), key=f"{key}_matrix")
            ui.grid(ratings_frame(a.ratings), hide_index=True, key=f"{key}_ratings")
    show_effort_value(a.effort_value, a.ev_category)
    # Seven answers read better as a list than as a grid, and a data grid is the costliest element for the browser
    # to draw (measured: docs/measurements.md).
    st.markdown("\n".join(f"- {q}: **{ui.md(a)}**"
                          for q, a in effort_value_frame(a.effort_value).itertuples(index=False)))
    if a.notes:
        st.caption("Notes")
        st.text(a.notes)


# ---- assessing -------------------------------------------------------------------------------------------------


def _choice(label: str, options: dict, labels: dict, key: str, default=None):
    keys = list(options)
    index = keys.index(default) if default in keys else None
    return st.selectbox(label, keys, index=index, format_func=lambda k: labels.get(k, k), key=key,
                        placeholder="Choose…")


#: A band's colour on the badge beside each category while rating (the heat map's own colours are BAND_COLOURS in
#: hero_core/charts.py; the band itself is risk.band).
BAND_BADGE = {"low": "green", "medium": "orange", "high": "red"}
#: A mitigation box's width in pixels, beside its grid (or under it when the page is narrower).
MITIGATION_WIDTH = 280


def rating_badge(rating: risk.Rating) -> str:
    """The category's cell on the grid in words, with its score and band, as a badge in the band's colour."""
    if not (rating.likelihood and rating.impact):
        return ":gray-badge[not rated yet]"
    band = risk.band(rating.score)
    return (f":{BAND_BADGE[band]}-badge[{risk.LIKELIHOOD_LABELS[rating.likelihood]} × "
            f"{risk.IMPACT_LABELS[rating.impact].lower()} = {rating.score} · {band}]")


# A fragment: each click reruns only this form and its heat map, not the whole page with its queue, tables and
# charts (a full rerun per choice made assessing sluggish). Saving reruns the whole app.
@st.fragment
def assessment_form(db: Database, user: ui.CurrentUser, view: IdeaView, *, where: str) -> None:
    """Each category's cell on its 5 × 5 likelihood × impact grid, picked with one click (hero_app/risk_grid.py),
    its mitigation beside it, and the heat map of every category beside them all (it moves as cells are picked,
    and stays in view while scrolling through the grids); the effort-value questions, a live preview."""
    k = f"{where}_assess_{view.id}"
    previous = view.assessment
    prev_ratings = {r.category: r for r in previous.ratings} if previous else {}
    risk_grid.use_style()
    st.markdown("**Risk: click the cell where each category's risk sits; the heat map shows them all.**")
    ratings: list[risk.Rating] = []
    pick, heat = st.columns(2, gap="medium")
    with pick:
        st.caption("Likelihood up the side (5 almost certain at the top), impact along the bottom (5 severe on the "
                   "right). Click a picked cell again to clear it.")
        for code, label in risk.CATEGORIES.items():
            old = prev_ratings.get(code)
            badge = st.empty()  # written once the grid is read
            # The mitigation beside the grid where the page is wide enough, under it where it is not.
            with st.container(horizontal=True, gap="medium"):
                cell = risk_grid.pick_cell(f"{label}: risk", key=risk_grid.cell_key(k, code),
                                           default=(old.likelihood, old.impact) if old else None)
                mitigation = st.text_input(f"{label}: mitigation", key=f"{k}_{code}_mitigation",
                                           value=old.mitigation if old else "", width=MITIGATION_WIDTH,
                                           placeholder="How would you reduce this risk?")
            likelihood, impact = cell or (None, None)
            badge.markdown(f"**{label}** {rating_badge(risk.Rating(code, likelihood, impact))}")  # type: ignore[arg-type]
            ratings.append(risk.Rating(code, likelihood, impact, mitigation))  # type: ignore[arg-type]
    with heat, st.container(key=f"{k}{risk_grid.HEAT_SUFFIX}"):
        rated = tuple(risk.Rating(r.category, r.likelihood, r.impact) for r in ratings if r.likelihood and r.impact)
        st.vega_lite_chart(heatmap_spec(rated), key=f"{k}_preview")
        if len(rated) == len(ratings):
            overall = risk.overall(list(rated))
            st.markdown(f"**Preview: overall risk {overall} ({risk.band(overall)})**"
                        + (" — high risk needs a second approver." if risk.is_high(overall) else ""))
        else:
            st.caption(f"{len(rated)} of {len(ratings)} categories rated.")

    st.markdown("**Effort and value**")
    ev_old = previous.effort_value if previous else None
    c1, c2 = st.columns(2)
    with c1:
        needs_it = st.checkbox("Needs IT work", key=f"{k}_needs_it",
                               value=ev_old.needs_it if ev_old else view.involves_technology)
        needs_legal = st.checkbox("Needs legal review", key=f"{k}_needs_legal",
                                  value=ev_old.needs_legal if ev_old else False)
        budget = _choice("Budget", risk.BUDGET_CHOICES, risk.BUDGET_LABELS, f"{k}_budget",
                         ev_old.budget if ev_old else None)
        touched = st.number_input("People and systems touched", min_value=0, max_value=100_000, step=1,
                                  key=f"{k}_touched", value=ev_old.people_systems_touched if ev_old else 0)
    with c2:
        reach = _choice("Customers reached", risk.REACH_CHOICES, risk.REACH_LABELS, f"{k}_reach",
                        ev_old.customers_reached if ev_old else None)
        change = _choice("Expected metric change", risk.CHANGE_CHOICES, risk.CHANGE_LABELS, f"{k}_change",
                         ev_old.expected_change if ev_old else None)
        fit = _choice("Strategic fit", risk.FIT_CHOICES, risk.FIT_LABELS, f"{k}_fit",
                      ev_old.strategic_fit if ev_old else None)
    notes = st.text_area("Assessment notes", key=f"{k}_notes", value=previous.notes if previous else "")
    effort_value = risk.EffortValue(needs_it, needs_legal, budget, int(touched), reach, change, fit)  # type: ignore[arg-type]

    if not effort_value.problems():
        show_effort_value(effort_value, effort_value.category)
    expected = ui.opened_version(view.id, view.version)
    if st.button("Save assessment", key=f"{k}_save", type="primary"):
        data = ideas.AssessmentInput(ratings=ratings, effort_value=effort_value, notes=notes)
        ui.attempt(lambda: ideas.assess_risk(db, actor_id=user.id, idea_id=view.id, assessment=data,
                                             expected_version=expected),
                   success=f"Assessment of idea #{view.id} saved.", idea_id=view.id, where="assess_risk")


# ---- deciding ------------------------------------------------------------------------------------------------


def assess_key(where: str, idea_id: int) -> str:
    """The session key of the "Assess risk and effort-value" expander on a page (True while it is open)."""
    return f"{where}_assess_open_{idea_id}"


def assessment_on_demand(db: Database, user: ui.CurrentUser, view: IdeaView, *, where: str) -> None:
    """The assessment form in an expander, closed until asked for (Start review opens it): its thirty fields were
    most of the time a click on "Review queue" took in the browser (measured: docs/measurements.md)."""
    if not view.may_assess:
        return
    label = "Re-assess risk and effort-value" if view.assessment else "Assess risk and effort-value (not assessed yet)"
    box = ui.lazy_expander(label, key=assess_key(where, view.id))
    if box.open:  # the form's fields are drawn only while it is open
        with box:
            assessment_form(db, user, view, where=where)


def decision_panel(db: Database, user: ui.CurrentUser, view: IdeaView, *, where: str) -> None:
    """Start the review; approve, ask for changes or decline with a reason.

    The buttons act in on_click callbacks (`ui.action_button`): the click's one run already shows the new state.
    """
    k = f"{where}_decide_{view.id}"
    acts = view.available_actions
    expected = ui.opened_version(view.id, view.version)
    if "start_review" in acts:
        st.caption("Starting the review tells the submitter their idea is being looked at; then assess it.")

        def start() -> None:
            ideas.start_review(db, actor_id=user.id, idea_id=view.id, expected_version=expected)
            st.session_state[assess_key(where, view.id)] = True  # the next step: the assessment form opens

        ui.action_button(L["start_review"], start,
                         key=f"{k}_start", type="primary", success=f"Review of idea #{view.id} started.",
                         idea_id=view.id, where="start_review")
    deciding = [a for a in ("approve", "request_changes", "decline") if a in acts]
    if not deciding:
        return
    a = view.assessment
    second = a is not None and a.needs_second_approver
    reason_key = f"{k}_reason"
    st.text_area("Reason for the submitter (required for a second approval: why the risk is acceptable)" if second
                 else "Reason for the submitter (required to ask for changes or to decline)", key=reason_key)

    def reason() -> str:  # read at the click: the text typed just before it
        return st.session_state.get(reason_key) or ""

    def decided(result: object) -> object:
        """After a decision the reason box starts empty (for the next idea, or this one's next round); a refused
        decision keeps what was typed."""
        st.session_state[reason_key] = ""
        return result

    cols = st.columns(3)
    if "approve" in deciding:
        ui.action_button(
            "Approve as second approver" if second else L["approve"],
            lambda: decided(ideas.approve(db, actor_id=user.id, idea_id=view.id, expected_version=expected,
                                          reason=reason())),
            key=f"{k}_approve", type="primary", container=cols[0],
            success=lambda result: (f"Idea #{view.id}: approved." if result == "approved" else
                                    f"Idea #{view.id}: first approval recorded; it is high risk and now waits "
                                    "for a second approver."),
            idea_id=view.id, where="approve",
        )
    with_reason = (
        ("request_changes", ideas.request_changes, "changes",
         f"Idea #{view.id} went back to its submitter for changes."),
        ("decline", ideas.decline, "decline", f"Idea #{view.id} was declined; the submitter has your reason."),
    )
    for column, (action, service, suffix, message) in zip(cols[1:], with_reason, strict=True):
        if action in deciding:
            ui.action_button(
                L[action],
                lambda service=service: decided(service(db, actor_id=user.id, idea_id=view.id, reason=reason(),
                                                        expected_version=expected)),
                key=f"{k}_{suffix}", container=column, success=message, idea_id=view.id, where=action)


# ---- IT and scaling ------------------------------------------------------------------------------------------


def it_panel(db: Database, user: ui.CurrentUser, view: IdeaView, *, where: str) -> None:
    """Claim, plan (effort, blockers), start the pilot, scale."""
    k = f"{where}_it_{view.id}"
    acts = view.available_actions
    expected = ui.opened_version(view.id, view.version)
    if "claim" in acts:
        ui.action_button(L["claim"], lambda: ideas.claim(db, actor_id=user.id, idea_id=view.id,
                                                         expected_version=expected),
                         key=f"{k}_claim", type="primary",
                         success=f"You claimed idea #{view.id}; it is now in build.",
                         idea_id=view.id, where="claim")
    if view.may_plan:
        with st.form(f"{k}_plan_form"):
            st.markdown("**IT plan**")
            plan = st.text_area("Plan", value=view.it_plan, key=f"{k}_plan")
            effort = st.number_input("Effort estimate (days)", min_value=0.0, max_value=10_000.0, step=0.5,
                                     value=view.it_effort_days, key=f"{k}_effort", placeholder="not estimated")
            blockers = st.text_area("Blockers", value=view.it_blockers, key=f"{k}_blockers")
            if st.form_submit_button("Save plan"):
                ui.attempt(lambda: ideas.plan_it(db, actor_id=user.id, idea_id=view.id, plan=plan,
                                                 effort_days=effort, blockers=blockers, expected_version=expected),
                           success=f"Plan for idea #{view.id} saved.", idea_id=view.id, where="plan_it")
    if "start_pilot" in acts:
        # On the idea page the pilot form opens when asked for: its team picker and date field were the last
        # things drawn after an approval, and slowed the Approve click (measured: docs/measurements.md). The IT
        # board, where starting pilots is the job, keeps it open.
        area = ui.on_demand(where == "idea", "Start the pilot: pilot teams and launch date", key=f"{k}_pilot_open",
                            icon=":material/rocket_launch:")
        if area is not None:
            with area:
                _pilot_form(db, user, view, k, expected)
    if "start_scaling" in acts:
        _scaling(db, user, view, k, expected)
    if "complete_scaling" in acts:
        ui.action_button(L["complete_scaling"], lambda: ideas.complete_scaling(db, actor_id=user.id, idea_id=view.id,
                                                                               expected_version=expected),
                         key=f"{k}_scaled", type="primary", success=f"Idea #{view.id} is scaled.",
                         idea_id=view.id, where="complete_scaling")


def _pilot_form(db: Database, user: ui.CurrentUser, view: IdeaView, k: str, expected: int) -> None:
    with st.form(f"{k}_pilot_form"):
        st.markdown("**Start the pilot**")
        teams = list(people.team_names(db, active_only=True))
        pilot_teams = st.multiselect("Pilot teams", teams, key=f"{k}_pilot_teams")
        # Wide bounds on purpose: the service says which launch dates it takes and why (a date outside the
        # widget's own bounds came back as no date at all: "needs a launch date").
        launch = st.date_input("Launch date", value=None, key=f"{k}_launch", format="YYYY-MM-DD",
                               min_value=PICKER_FIRST_DAY, max_value=PICKER_LAST_DAY,
                               help="On or after the day the idea was approved, and at most a year from today.")
        if st.form_submit_button(L["start_pilot"], type="primary"):
            ui.attempt(lambda: ideas.start_pilot(db, actor_id=user.id, idea_id=view.id,
                                                 pilot_team_codes=pilot_teams, launch_date=launch,
                                                 expected_version=expected),
                       success=f"Pilot of idea #{view.id} started.", idea_id=view.id, where="start_pilot")


def _scaling(db: Database, user: ui.CurrentUser, view: IdeaView, k: str, expected: int) -> None:
    """Start scaling; when the service would refuse (no data in the pilot's window, an open blocker), say why and
    offer to scale anyway with a reason, which the audit trail keeps."""
    try:
        problems = ideas.scaling_problems(db, actor_id=user.id, idea_id=view.id)
    except HeroError as exc:
        ui.show_error(exc)
        return
    success = f"Idea #{view.id} is being scaled."
    if not problems:
        ui.action_button(L["start_scaling"], lambda: ideas.start_scaling(db, actor_id=user.id, idea_id=view.id,
                                                                         expected_version=expected),
                         key=f"{k}_scaling", type="primary", success=success, idea_id=view.id,
                         where="start_scaling")
        return
    st.warning("Not ready to scale: " + "; ".join(ui.md(p) for p in problems) + ".",
               icon=":material/rule:")
    reason_key = f"{k}_override"
    st.text_area("Why scale anyway? (required: it goes in the audit trail)", key=reason_key)
    ui.action_button("Scale anyway", lambda: ideas.start_scaling(
        db, actor_id=user.id, idea_id=view.id, expected_version=expected,
        override_reason=st.session_state.get(reason_key) or ""),
        key=f"{k}_scaling_anyway", success=success, idea_id=view.id, where="start_scaling", clear=[reason_key])


# ---- retiring ----------------------------------------------------------------------------------------------


def retire_panel(db: Database, user: ui.CurrentUser, view: IdeaView, *, where: str) -> None:
    if "retire" not in view.available_actions:
        return
    k = f"{where}_retire_{view.id}"
    expected = ui.opened_version(view.id, view.version)
    box = ui.lazy_expander("Retire this idea", key=f"{k}_open")
    if not box.open:
        return
    with box:
        st.text_area("Why retire it? (required)", key=f"{k}_reason")
        ui.action_button(L["retire"], lambda: ideas.retire(db, actor_id=user.id, idea_id=view.id,
                                                           reason=st.session_state.get(f"{k}_reason") or "",
                                                           expected_version=expected),
                         key=f"{k}_go", success=f"Idea #{view.id} was retired.", idea_id=view.id, where="retire")
