"""Administration: people and roles, teams and their managers, the metric catalog, importing ideas."""

import logging
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from hero_app import metrics_admin, ui
from hero_core.errors import HeroError, ImportRejected
from hero_core.services import catalog, ideas_io, people
from hero_core.vocab import ROLE_LABELS, Role

log = logging.getLogger("hero_app")
db, user = ui.require_page("admin")
st.title("Administration")

ROLES = [r.value for r in Role]

# Only the open tab runs and is drawn (on_change="rerun"): a company's people list is read only for the tabs that
# show it.
tab_users, tab_teams, tab_metrics, tab_import, tab_observations = st.tabs(
    ["Users", "Teams", "Metric catalog", "Import ideas", "Import metrics"], key="admin_tab", on_change="rerun")
if tab_users.open or tab_teams.open:
    users = people.list_users(db, actor_id=user.id)
    team_names = people.team_names(db)  # code -> name, for the pickers; each team's managers and head count below
    team_codes = list(team_names)
    person_names = {u.email: u.name or u.email for u in users}


def team_label(code: str) -> str:
    """A team in a picker: its name, and its code beside it (the code is what the import files and the command
    line use, and two teams may share a name)."""
    return f"{team_names.get(code, code)} ({code})"


# ---- users ---------------------------------------------------------------------------------------------------

USER_COLUMNS = ["Email", "Name", "Roles", "Team", "Manages", "Active"]


def users_frame(rows, *, codes: bool = False) -> pd.DataFrame:
    """People with their teams by name; `codes` adds the teams' codes (for the download: what imports and the
    command line use)."""
    frame = pd.DataFrame([{
        "Email": u.email, "Name": u.name, "Roles": ", ".join(ROLE_LABELS.get(r, r) for r in u.roles),
        "Team": u.team_name or u.team_code or "",
        "Manages": ", ".join(team_names.get(c, c) for c in u.managed_team_codes),
        "Active": "yes" if u.active else "no",
        "Team code": u.team_code or "", "Manages (codes)": ", ".join(u.managed_team_codes),
    } for u in rows], columns=[*USER_COLUMNS, "Team code", "Manages (codes)"])
    return frame if codes else frame[USER_COLUMNS]


if tab_users.open:
    with tab_users:
        # The shown page's 50 people in a frame, not the whole company's (about 4,000 at 100k ideas) on every run;
        # the downloads build the whole list when asked for.
        ui.grid(users_frame(ui.paged(users, key="admin_users_page", page_size=50)), hide_index=True,
                key="admin_users_table")
        ui.download_buttons(lambda: users_frame(users, codes=True), name="users", key="admin_users_download")

        st.subheader("Add a user")
        with st.form("admin_add_user", clear_on_submit=False):
            c1, c2 = st.columns(2)
            email = c1.text_input("New user's email", key="admin_new_email")
            name = c2.text_input("New user's name", key="admin_new_name")
            roles = c1.multiselect("New user's roles", ROLES, format_func=ROLE_LABELS.get,
                                   default=["frontline"], key="admin_new_roles")
            team = c2.selectbox("New user's team", team_codes, index=None, key="admin_new_team",
                                placeholder="No team yet", format_func=team_label)
            password = st.text_input("Initial password (at least 12 characters; they can change it later)",
                                     type="password", key="admin_new_password")
            if st.form_submit_button("Add user", type="primary"):
                ui.attempt(lambda: people.add_user(db, actor_id=user.id, email=email, name=name, roles=roles,
                                                   team_code=team, password=password or None),
                           success=f"Added {email.strip().lower()}.", where="add_user",
                           clear=("admin_new_email", "admin_new_name", "admin_new_roles", "admin_new_team",
                                  "admin_new_password"))

        st.subheader("Change a user")
        by_email = {u.email: u for u in users}
        chosen = st.selectbox("User to change", list(by_email), index=None, key="admin_user_choice",
                              placeholder="Choose a person")
        if chosen:
            target = by_email[chosen]
            k = f"admin_user_{target.id}"
            st.caption(f"{ui.md(target.name)} · {'active' if target.active else 'deactivated'} · team "
                       f"{ui.md(target.team_name or target.team_code or 'none')}")
            c1, c2 = st.columns(2)
            with c1:
                new_roles = st.multiselect("Roles", ROLES, default=list(target.roles),
                                           format_func=ROLE_LABELS.get, key=f"{k}_roles")
                if st.button("Save roles", key=f"{k}_save_roles"):
                    ui.attempt(lambda: people.set_roles(db, actor_id=user.id, email=target.email, roles=new_roles),
                               success=f"Roles of {target.email} saved; they apply at once.", where="set_roles")
            with c2:
                new_team = st.selectbox("Team", team_codes, key=f"{k}_team", format_func=team_label,
                                        index=team_codes.index(target.team_code) if target.team_code in team_codes
                                        else None)
                if st.button("Save team", key=f"{k}_save_team"):
                    ui.attempt(lambda: people.set_team(db, actor_id=user.id, email=target.email, team_code=new_team),
                               success=f"{target.email} moved to team {team_names.get(new_team, new_team)}.",
                               where="set_team")
            c1, c2 = st.columns(2)
            with c1:
                new_password = st.text_input("New password", type="password", key=f"{k}_password")
                if st.button("Reset password", key=f"{k}_reset_password"):
                    ui.attempt(lambda: people.set_password(db, actor_id=user.id, email=target.email,
                                                           password=new_password),
                               success=f"Password of {target.email} reset; their sessions have ended.",
                               where="set_password", clear=(f"{k}_password",))
            with c2:
                st.caption("Accounts are never deleted: their history stays in the audit trail.")
                if target.active:
                    if st.button("Deactivate", key=f"{k}_deactivate"):
                        ui.attempt(lambda: people.set_active(db, actor_id=user.id, email=target.email, active=False),
                                   success=f"{target.email} is deactivated and logged out everywhere.",
                                   where="deactivate")
                elif st.button("Reactivate", key=f"{k}_reactivate"):
                    ui.attempt(lambda: people.set_active(db, actor_id=user.id, email=target.email, active=True),
                               success=f"{target.email} is active again.", where="reactivate")

# ---- teams ---------------------------------------------------------------------------------------------------

if tab_teams.open:
    # With managers and head counts (measured: docs/measurements.md): the Teams tab only.
    teams = people.list_teams(db)
    with tab_teams:
        table = pd.DataFrame([{
            "Code": t.code, "Name": t.name, "Managers": ", ".join(person_names.get(e, e) for e in t.manager_emails),
            "Members": t.members,
            "Active": "yes" if t.active else "no",
        } for t in teams], columns=["Code", "Name", "Managers", "Members", "Active"])
        ui.grid(table, hide_index=True, key="admin_teams_table")
        ui.download_buttons(table, name="teams", key="admin_teams_download")

        st.subheader("Add a team")
        with st.form("admin_add_team"):
            c1, c2 = st.columns([1, 2])
            code = c1.text_input("Team code", key="admin_team_code", help="Letters, digits, - and _, e.g. CC-NORTH")
            team_name = c2.text_input("Team name", key="admin_team_name")
            if st.form_submit_button("Add team", type="primary"):
                ui.attempt(lambda: people.create_team(db, actor_id=user.id, code=code, name=team_name),
                           success=f"Team {team_name.strip()} ({code.strip()}) added.", where="create_team",
                           clear=("admin_team_code", "admin_team_name"))

        st.subheader("Managers and name of a team")
        chosen_team = st.selectbox("Team to change", team_codes, index=None, key="admin_team_choice",
                                   placeholder="Choose a team", format_func=team_label)
        if chosen_team:
            target_team = next(t for t in teams if t.code == chosen_team)
            k = f"admin_team_{target_team.id}"
            managers = sorted(u.email for u in users if "manager" in u.roles)
            chosen_managers = st.multiselect(
                "Managers (people with the manager role)", managers, key=f"{k}_managers",
                default=[e for e in target_team.manager_emails if e in managers])
            if st.button("Save managers", key=f"{k}_save_managers"):
                ui.attempt(lambda: people.set_team_managers(db, actor_id=user.id, team_code=target_team.code,
                                                            manager_emails=chosen_managers),
                           success=f"Managers of {target_team.name} saved.", where="set_team_managers")
            new_name = st.text_input("New team name", value=target_team.name, key=f"{k}_name")
            if st.button("Rename team", key=f"{k}_rename"):
                ui.attempt(lambda: people.rename_team(db, actor_id=user.id, team_code=target_team.code, name=new_name),
                           success=f"Team {target_team.name} is now called {new_name.strip()}.",
                           where="rename_team")

# ---- metric catalog ------------------------------------------------------------------------------------------

if tab_metrics.open:
    with tab_metrics:
        metrics = catalog.list_metrics(db)
        table = pd.DataFrame([{
            "Code": m.code, "Name": m.name, "Unit": m.unit, "Better when": m.direction,
            "Minimum": "" if m.min_value is None else f"{m.min_value:g}",  # a grid shows a missing number as None
            "Maximum": "" if m.max_value is None else f"{m.max_value:g}", "Aggregation": m.aggregation,
            "Description": m.description,
        } for m in metrics])
        ui.grid(table, hide_index=True, key="admin_metrics_table")
        ui.download_buttons(table, name="metrics", key="admin_metrics_download")

        st.subheader("Add or change a metric")
        by_code = {m.code: m for m in metrics}
        base_code = st.selectbox("Metric to change", list(by_code), index=None, key="admin_metric_choice",
                                 placeholder="A new metric")
        base = by_code.get(base_code) if base_code else None
        with st.form(f"admin_metric_form_{base_code or 'new'}"):
            c1, c2, c3 = st.columns(3)
            m_code = c1.text_input("Metric code", value=base.code if base else "", disabled=base is not None)
            m_name = c2.text_input("Metric name", value=base.name if base else "")
            m_unit = c3.text_input("Unit", value=base.unit if base else "")
            m_direction = c1.selectbox("Better when", ["higher", "lower"],
                                       index=["higher", "lower"].index(base.direction) if base else 0)
            m_aggregation = c2.selectbox("Aggregation", ["mean", "rate", "sum"],
                                         index=["mean", "rate", "sum"].index(base.aggregation) if base else 0)
            m_min = c3.number_input("Minimum (optional)", value=base.min_value if base else None, format="%g")
            m_max = c3.number_input("Maximum (optional)", value=base.max_value if base else None, format="%g")
            m_description = st.text_area("Description", value=base.description if base else "")
            if st.form_submit_button("Save metric", type="primary"):
                metric = catalog.MetricDef(code=base.code if base else m_code, name=m_name, unit=m_unit,
                                           direction=m_direction, min_value=m_min, max_value=m_max,
                                           aggregation=m_aggregation, description=m_description)
                ui.attempt(lambda: catalog.save_metric(db, actor_id=user.id, metric=metric),
                           success=f"Metric {metric.code.strip().lower()} saved.", where="save_metric")

# ---- import ----------------------------------------------------------------------------------------------------

DATE_ORDERS = {
    "iso": ("Year first only (2025-03-31); refuse ambiguous dates", None),
    "day": ("Day first (31/03/2025)", True),
    "month": ("Month first (03/31/2025)", False),
}


def import_ideas(upload, *, dayfirst: bool | None) -> None:
    """Import the uploaded file: the bar follows the service's progress and ends full whatever the outcome; the
    outcome (a success, or an error box with the problems) is shown below the progress box, which then closes."""
    with st.status(f"Importing {upload.name}…", expanded=True) as status:
        bar = st.progress(0.0, text="Starting")
        outcome = None
        try:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "import.csv"
                path.write_bytes(upload.getvalue())
                count = ideas_io.import_ideas_csv(
                    db, path=path, actor_id=user.id, dayfirst=dayfirst, source_name=upload.name, via="web",
                    progress=ui.import_progress(bar))
        except Exception as exc:  # noqa: BLE001 - shown below: a refusal as it is, anything else calmly
            outcome = exc
            ui.import_not_stored(bar, status, exc)
        else:
            bar.progress(1.0, text="Done")
            status.update(label=f"Imported {ui.count(count, 'idea')}", state="complete", expanded=False)
    if outcome is None:
        st.success(f"Imported {ui.count(count, 'idea')} from {ui.md(upload.name)}.")
    elif isinstance(outcome, ImportRejected):
        st.error(f"{ui.count(outcome.total, 'problem')} found in {ui.md(upload.name)}; nothing was stored. "
                 + ("The first 50 are listed below." if outcome.total > 50 else "They are listed below."))
        ui.grid(pd.DataFrame({"Problem": outcome.problems[:50]}), hide_index=True, key="admin_import_problems")
    elif isinstance(outcome, HeroError):
        ui.show_error(outcome)
    else:
        log.error("unexpected error in import ideas", exc_info=outcome)
        st.error(ui.UNEXPECTED)


if tab_import.open:
    with tab_import:
        st.markdown(
            "Move a suggestion-box spreadsheet in: save it as CSV with the columns "
            f"`{','.join(ideas_io.COLUMNS)}`. The import is all or nothing: every row is checked first and every "
            "problem is listed with its row number; nothing is stored unless the whole file is clean."
        )
        upload = st.file_uploader("CSV file of ideas", type=["csv"], key="admin_import_file")
        order = st.radio("How are dates written in the file?", list(DATE_ORDERS), key="admin_import_dates",
                         format_func=lambda k: DATE_ORDERS[k][0])
        with st.container(horizontal=True):
            go = st.button("Import ideas", type="primary", key="admin_import_go", disabled=upload is None)
            # The same export as Browse ideas and `hero ideas export`, made only when clicked.
            st.download_button(
                "Export ideas", lambda: ui.csv_bytes(pd.DataFrame(ideas_io.export_rows(db, actor_id=user.id),
                                                                  columns=ideas_io.EXPORT_COLUMNS)),
                file_name="ideas.csv", mime="text/csv", key="admin_export_ideas", on_click="ignore",
                icon=":material/download:",
                help="Every idea except drafts, in these columns (with the idea number): the file imports back "
                     "here or with `hero ideas import`.")
        if go:
            import_ideas(upload, dayfirst=DATE_ORDERS[order][1])

if tab_observations.open:
    with tab_observations:
        metrics_admin.metrics_import_tab(db, user)  # hero_app/metrics_admin.py
