"""The admin page's "Import metrics" tab: upload a CSV or XLSX of observations, all rows or none, with a
progress bar and row-numbered problems; and what is stored per metric.

The rules (header, codes, dates, ranges, repeats, clashes, replacing stored values) live in
hero_core.services.metrics_io; this tab passes the file and the person's choices and shows the result.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from hero_app import ui
from hero_core import impact_store
from hero_core.db import Database
from hero_core.errors import HeroError
from hero_core.services import catalog, metrics_io, people
from hero_core.services.metrics_io import ObservationsRejected

log = logging.getLogger("hero_app")
K = "admin_metrics_"
DATE_ORDERS = {
    "iso": ("Year first only (2025-03-31); refuse ambiguous dates like 03/04/2025", None),
    "day": ("Day first (31/03/2025)", True),
    "month": ("Month first (03/31/2025)", False),
}
EXAMPLE = (
    "metric,team,date,value,sample_size\n"
    "csat,CC-BIL,2025-03-31,4.2,118\n"
    "aht,CC-BIL,2025-03-31,412,\n"
)


def problems_frame(exc: ObservationsRejected) -> pd.DataFrame:
    """One line per problem. A problem of the whole file (its header, its size) has no row: the column is then
    text, empty for it, since a grid shows a missing number as "None"."""
    frame = pd.DataFrame(
        [{"Row": p.row or None, "Column": p.column, "Value": p.value, "Problem": p.reason} for p in exc.details],
        columns=["Row", "Column", "Value", "Problem"],
    )
    if frame["Row"].isna().any():
        return frame.assign(Row=["" if pd.isna(r) else str(int(r)) for r in frame["Row"]])
    return frame.astype({"Row": "Int64"})


def metrics_import_tab(db: Database, user: ui.CurrentUser) -> None:
    """Upload observations; on refusal list the first 50 problems and the total, and store nothing."""
    st.markdown(
        "Customer metrics per team and day, from a spreadsheet saved as CSV (UTF-8) or XLSX with the header "
        f"`{','.join(metrics_io.COLUMNS)}` (`sample_size` optional; metric and team by code). The import is all "
        "or nothing: every row is checked first, and every problem is listed with the row number your "
        "spreadsheet shows; nothing is stored unless the whole file is clean."
    )
    st.download_button("Download an example file", EXAMPLE.encode(), file_name="metrics-example.csv",
                       mime="text/csv", key=f"{K}example", on_click="ignore", icon=":material/download:")
    upload = st.file_uploader("CSV or XLSX file of observations", type=["csv", "xlsx"], key=f"{K}file")
    order = st.radio("How are dates written in the file?", list(DATE_ORDERS), key=f"{K}dates",
                     format_func=lambda k: DATE_ORDERS[k][0])
    replace = st.checkbox("Replace stored values for the same metric, team and date (otherwise such rows are "
                          "refused)", key=f"{K}replace")
    if st.button("Import metrics", type="primary", key=f"{K}go", disabled=upload is None):
        _run_import(db, user, upload, dayfirst=DATE_ORDERS[order][1], replace=replace)

    st.subheader("Stored observations")
    try:
        stored = metrics_io.stored_summary(db, actor_id=user.id)
    except HeroError as exc:
        ui.show_error(exc)
        return
    if stored.empty:
        st.info("No observations are stored yet.")
        return
    metric_names = {m.code: m.name for m in catalog.list_metrics(db)}
    table = stored.assign(metric=[metric_names.get(c, c) for c in stored["metric"]]).rename(columns={
        "metric": "Metric", "teams": "Teams", "observations": "Observations", "first_day": "First day",
        "last_day": "Last day"})
    ui.grid(table, hide_index=True, key=f"{K}stored")


def _run_import(db: Database, user: ui.CurrentUser, upload, *, dayfirst: bool | None, replace: bool) -> None:
    """The bar follows the import, then the re-measuring of launched ideas, and ends full whatever the outcome;
    the outcome (a success with the rows per metric and team, or an error box) is shown below the progress box."""
    outcome: BaseException | None = None
    with st.status(f"Importing {upload.name}…", expanded=True) as status:
        bar = st.progress(0.0, text="Starting")
        try:
            summary = metrics_io.import_metrics(
                db, source=upload, file_name=upload.name, actor_id=user.id, dayfirst=dayfirst, replace=replace,
                via="web", progress=ui.import_progress(bar, ceiling=0.9),
            )
        except Exception as exc:  # noqa: BLE001 - shown below: a refusal as it is, anything else calmly
            outcome = exc
            ui.import_not_stored(bar, status, exc)
        else:
            refreshed = True
            try:  # the last tenth of the bar: launched ideas measured again with the new days
                impact_store.refresh(db, progress=lambda done, total: bar.progress(
                    0.9 + 0.1 * min(done / max(total, 1), 1.0),
                    text=f"Measuring launched ideas again: {done:,} of {total:,}"))
            except Exception:  # the import is stored; the verdicts are refreshed on the next read
                log.exception("unexpected error while re-measuring the launched ideas")
                refreshed = False
            bar.progress(1.0, text="Done")
            status.update(label=f"Imported {ui.count(summary.rows, 'observation')}", state="complete",
                          expanded=False)
    if isinstance(outcome, ObservationsRejected):
        shown = len(outcome.details)
        st.error(f"{ui.count(outcome.total, 'problem')} found in {ui.md(upload.name)}; nothing was stored. "
                 + (f"The first {shown} are listed below." if outcome.total > shown else "They are listed below."))
        ui.grid(problems_frame(outcome), hide_index=True, key=f"{K}problems")
        return
    if isinstance(outcome, HeroError):
        ui.show_error(outcome)
        return
    if outcome is not None:
        log.error("unexpected error in import metrics", exc_info=outcome)
        st.error(ui.UNEXPECTED)
        return
    replaced = f" ({summary.replaced:,} replaced)" if summary.replaced else ""
    st.success(f"Stored {ui.count(summary.rows, 'observation')}{replaced} from {ui.md(summary.file_name)}.")
    if not refreshed:
        st.warning("The observations are stored, but the launched ideas could not be measured again just now; "
                   "the Impact page measures them the next time it is opened.")
    # The file names metrics and teams by code; people read their names.
    metric_names = {m.code: m.name for m in catalog.list_metrics(db)}
    team_names = people.team_names(db)
    per = pd.DataFrame([{"Metric": metric_names.get(m, m), "Team": team_names.get(t, t), "Rows": n}
                        for m, teams in summary.counts.items() for t, n in teams.items()])
    ui.grid(per, hide_index=True, key=f"{K}imported")
