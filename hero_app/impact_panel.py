"""Measured impact in the UI: cached read models, the words and numbers an executive reads, PNG downloads, and
the impact block of the idea page (`idea_impact`).

Every number comes from hero_core (impact.py estimates, services/impact_views.py aggregates in the database).
The read models are cached in hero_core (hero_core.cache: per filter, measurement windows and data version), so a
page rerun costs milliseconds and a change shows at once. Identity and roles are never cached: each run's page
gate and the services check them afresh, before a cached answer is handed out.
"""

from __future__ import annotations

import hashlib
import math
import pickle
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from hero_app import ui
from hero_core import charts, impact
from hero_core.db import Database
from hero_core.errors import HeroError
from hero_core.services import catalog, impact_reads
from hero_core.services import impact_views as views
from hero_core.services.ideas import IdeaView
from hero_core.services.impact_views import FunnelView, IdeaSeries, ViewFilters

VERDICT_BADGES = {
    impact.IMPROVED: ("Improved", "green", ":material/trending_up:"),
    impact.WORSENED: ("Worsened", "red", ":material/trending_down:"),
    impact.NO_CLEAR_CHANGE: ("No clear change", "gray", ":material/trending_flat:"),
    impact.NOT_ENOUGH_DATA: ("Not enough data", "orange", ":material/hourglass_empty:"),
    impact.NOT_ATTRIBUTABLE: ("Cannot be attributed", "violet", ":material/help:"),
}
#: One sentence per verdict, as an executive should read it.
VERDICT_SENTENCES = {
    impact.IMPROVED: "The pilot teams got better than the comparison teams, beyond their own trend and beyond chance.",
    impact.WORSENED: "The pilot teams got worse than the comparison teams, beyond their own trend and beyond chance.",
    impact.NO_CLEAR_CHANGE: "No change beyond chance yet: either there is none, or it is smaller than these data "
                            "can show (see the smallest detectable effect).",
    impact.NOT_ATTRIBUTABLE: "Too few comparison teams: whatever the pilot teams did, nothing separates the idea "
                             "from other changes at the same time.",
    impact.NOT_ENOUGH_DATA: "Too few weeks of data before or after the launch to measure anything.",
}
PNG_MIME = "image/png"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The portfolio as people read it (and download it): column -> heading.
TABLE_COLUMNS = {
    "idea_id": "#",
    "title": "Idea",
    "team": "Team",
    "touchpoint": "Touch point",
    "campaign": "Campaign",
    "state": "State",
    "launch_date": "Launched",
    "metric": "Metric",
    "unit": "Unit",
    "direction": "Better when",
    "effect": "Effect",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "relative": "Change vs baseline",
    "p_value": "p-value",
    "verdict": "Verdict",
    "method": "Method",
    "pre_trend_p": "Pre-trend p",
    "baseline_mean": "Baseline mean",
    "n_obs": "Observations",
    "warnings": "Notes",
}

HOW_MEASURED = (
    "**How the effect is measured.** The idea's pilot teams are compared with every other team that has data, "
    "over the same weeks: the baseline is the {b} days before the launch, the evaluation the {e} days after it"
    "{r}. The effect is how much more the pilot teams changed than the comparison teams did "
    "(difference-in-differences), in the metric's own unit, so a change that hit the whole organisation at "
    "the same time is not credited to the idea. Each team's step at the launch is measured against that team's "
    "own trend, so pilot teams that were already drifting up or down are not credited either, and each team's "
    "own noise is allowed for, so one small, noisy pilot team does not make chance look like an effect. The 95% "
    "confidence interval shows the range the true effect plausibly lies in: the verdict is *improved* or "
    "*worsened* only when that whole range lies on one side of zero (respecting whether higher or lower is "
    "better), otherwise *no clear change*. Beside it, the *plain comparison* assumes the pilot teams would have "
    "moved in parallel with the others: more sensitive, but fooled by a drift that was already there. The "
    "*smallest detectable effect* is the effect these data would reveal four times in five: a *no clear change* "
    "with a large one means too little data to tell. Without at least two comparison teams the pilot teams' "
    "change *cannot be attributed* to the idea. With too little data the verdict is *not enough data*, and no "
    "number is shown. Validation by simulation: docs/impact-validation.md."
)


# ---- cached read models ------------------------------------------------------------------------------------


def windows() -> impact.ImpactWindows:
    return impact.windows_from_env()


def how_measured(w: impact.ImpactWindows | None = None) -> str:
    w = w or windows()
    ramp = f", after a {w.ramp_days}-day ramp-up" if w.ramp_days else ""
    return HOW_MEASURED.format(b=w.baseline_days, e=w.eval_days, r=ramp)


TABLE_LIMIT = 1_000  # portfolio rows sent to the browser (most recent launches first); the downloads hold every row
#: The page's own picks on the portfolio: (metrics, states, verdicts), each a tuple of codes (empty: all).
Picks = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
FOREST_LIMIT = 80  # effects in the forest plot: a readable chart, and far under Altair's 5,000-row limit


def portfolio(db: Database, actor_id: int, filters: ViewFilters) -> pd.DataFrame:
    """One row per launched idea x target metric with its estimate (views.PORTFOLIO_COLUMNS), for a person who
    may see impact (checked by hero_core on every call, before the shared copy is read). Shared, not copied: a
    company's portfolio has tens of thousands of rows. Read-only by contract: callers filter it into new frames
    (pandas' copy-on-write keeps this one unchanged whatever they do to those)."""
    return views.portfolio_with(db, actor_id=actor_id, filters=filters, shared=True)[0]


def portfolio_view(db: Database, actor_id: int, filters: ViewFilters,
                   picks: Picks) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shared portfolio, and the table the page shows for the picks (readable, its first TABLE_LIMIT kept
    rows), kept per filter, picks and data version (hero_core.cache) instead of relabelled on every run; for a
    person who may see impact (checked by hero_core once for both)."""
    return views.portfolio_with(db, actor_id=actor_id, filters=filters, shared=True, derived=(
        ("table_head", picks), lambda frame: readable_table(frame.iloc[kept(frame, picks)[:TABLE_LIMIT]])))


def kept(frame: pd.DataFrame, picks: Picks) -> np.ndarray:
    """Positions of the portfolio rows the page's picks keep (an empty pick keeps everything)."""
    keep = np.ones(len(frame), dtype=bool)
    for column, wanted in zip(("metric", "state", "verdict"), picks, strict=True):
        if wanted:
            keep &= frame[column].isin(list(wanted)).to_numpy()
    return np.flatnonzero(keep)


def funnel(db: Database, actor_id: int, filters: ViewFilters) -> FunnelView:
    return views.funnel(db, actor_id=actor_id, filters=filters)


def risk_cells(db: Database, actor_id: int, filters: ViewFilters) -> pd.DataFrame:
    return views.risk_heatmap(db, actor_id=actor_id, filters=filters)


def series(db: Database, actor_id: int, idea_id: int, metric: str) -> IdeaSeries:
    return views.idea_series(db, actor_id=actor_id, idea_id=idea_id, metric_code=metric, windows=windows())


def idea_estimate_rows(db: Database, actor_id: int, idea_id: int) -> list[dict]:
    """The idea's estimates as the idea page shows them (one dict a metric), for a person who may see them."""
    units = {m.code: (m.unit, m.name) for m in catalog.list_metrics(db)}
    out = []
    for e in impact_reads.idea_estimates(db, idea_id=idea_id, actor_id=actor_id, windows=windows()):
        row = e.as_json() | {"direction": e.direction, "inference": e.inference, "warnings": " ".join(e.warnings)}
        row["unit"], row["metric_name"] = units.get(e.metric, ("", e.metric))
        out.append(row)
    return out


def picked_idea(event) -> int | None:
    """The idea a click on the forest plot selected: Vega-Lite point selections arrive as a list of the
    selected points' fields ([{"idea_id": 3}]); a {"idea_id": [3]} form is accepted too."""
    picked = (event or {}).get("selection", {}).get(charts.IDEA_SELECTION) if event else None
    if isinstance(picked, dict):
        values = picked.get("idea_id") or []
        picked = [{"idea_id": v} for v in (values if isinstance(values, list) else [values])]
    for point in picked or []:
        if isinstance(point, dict) and point.get("idea_id") is not None:
            try:
                return int(point["idea_id"])
            except (TypeError, ValueError):
                return None
    return None


# ---- words and numbers -------------------------------------------------------------------------------------


def verdict_badge(verdict: str) -> None:
    label, colour, icon = VERDICT_BADGES.get(verdict, (verdict, "gray", None))
    st.badge(label, color=colour, icon=icon)


def _finite(x: object) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def fmt_effect(value: float | None, unit: str, *, signed: bool = True) -> str:
    """An effect in the metric's unit, as people say it: shares in percentage points."""
    if not _finite(value):
        return "—"
    if unit == "share":
        return f"{value * 100:+.1f} percentage points" if signed else f"{value * 100:.1f}%"
    sign = "+" if signed else ""
    return f"{value:{sign}.3g} {unit}".strip()


def _bare(text: str, unit: str) -> str:
    """An effect without its unit (the label names it once)."""
    return text.split(" ")[0] if unit else text


def fmt_p(p: float | None) -> str:
    if not _finite(p):
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


_LABELS = {"state": ui.state_label, "touchpoint": ui.touchpoint_label}
_NUMBERS = ("effect", "ci_low", "ci_high", "p_value", "pre_trend_p", "baseline_mean")


def readable_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The portfolio with people's headings, state and touch point labels, and the change relative to the
    pilot teams' baseline mean (blank where there is no estimate).

    Column by column, never value by value: it runs on every rerun of the impact page for the table's 1,000 rows
    (measured: docs/measurements.md), and over the whole portfolio for a download."""
    wanted = [c for c in TABLE_COLUMNS if c != "relative"]
    frame = rows[wanted].copy()
    for column in wanted:  # the portfolio's text columns are categories (see views.portfolio): label those once
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            if column in _LABELS:
                values = values.cat.rename_categories([_LABELS[column](c) for c in values.cat.categories])
            frame[column] = values.astype("str")
        elif column in _LABELS:
            frame[column] = [_LABELS[column](v) for v in values]
    for column in _NUMBERS:
        if frame[column].dtype != "float64":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    effect, base = frame["effect"].to_numpy(), frame["baseline_mean"].to_numpy()
    ok = np.isfinite(effect) & np.isfinite(base) & (np.abs(base) > 1e-9)
    frame["relative"] = np.where(ok, effect / np.where(ok, np.abs(base), 1.0), np.nan)
    # Shares as people say them: effects in percentage points, the baseline in percent.
    share = (frame["unit"].astype("str") == "share").to_numpy()
    if share.any():
        for column in ("effect", "ci_low", "ci_high", "baseline_mean"):
            frame[column] = np.where(share, frame[column].to_numpy() * 100, frame[column].to_numpy())
        frame["unit"] = np.where(share, "percentage points", frame["unit"].astype("str"))
    dates = frame["launch_date"]
    frame["launch_date"] = (dates.astype("str").fillna("") if isinstance(dates.dtype, pd.ArrowDtype)
                            else [ui.fmt_date(d) for d in dates])
    frame["direction"] = frame["direction"].astype("str")
    frame["campaign"] = frame["campaign"].fillna("")
    return frame[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS).reset_index(drop=True)


TABLE_CONFIG = {
    "#": st.column_config.NumberColumn(format="%d", width="small"),
    "Effect": st.column_config.NumberColumn(format="%.4g", help="In the metric's unit (shares in percentage "
                                            "points); blank: no attributable estimate"),
    "95% CI low": st.column_config.NumberColumn(format="%.4g"),
    "95% CI high": st.column_config.NumberColumn(format="%.4g"),
    "Change vs baseline": st.column_config.NumberColumn(format="percent",
                                                        help="Effect as a share of the pilot teams' baseline"),
    "p-value": st.column_config.NumberColumn(format="%.3f"),
    "Pre-trend p": st.column_config.NumberColumn(format="%.3f",
                                                 help="Small (< 0.10): the groups were drifting apart before"),
    "Baseline mean": st.column_config.NumberColumn(format="%.4g"),
}


# ---- downloads ---------------------------------------------------------------------------------------------


def _frame_digest(frame: pd.DataFrame) -> str:
    """The cache key of a chart's data: a digest of its pickle. Streamlit's own DataFrame hash walks the text
    columns value by value (pyarrow strings) on every run; a digest of the pickle is far quicker (measured:
    docs/measurements.md). Equal digests mean equal data; a frame built another way may miss the cache, which
    only costs time."""
    return hashlib.sha1(pickle.dumps(frame, protocol=5)).hexdigest()


@st.cache_data(show_spinner=False, max_entries=512, ttl=6 * 3600, hash_funcs={pd.DataFrame: _frame_digest})
def _spec(builder: str, frame: pd.DataFrame, options: tuple) -> dict:
    # Altair's to_dict (data conversion and schema validation) is slow (measured: docs/measurements.md); the
    # spec of the same data is the same, so it is built once.
    return getattr(charts, builder)(frame, **dict(options)).to_dict()


def chart_spec(builder: str, frame: pd.DataFrame, **options) -> dict:
    """The Vega-Lite spec of hero_core.charts.<builder>(frame, **options), cached on the data."""
    return _spec(builder, frame, tuple(sorted(options.items())))


def table_downloads(df: pd.DataFrame | Callable[[], pd.DataFrame], *, name: str, key: str) -> None:
    """'Download CSV' and 'Download Excel', formula-safe (ui.csv_bytes / ui.xlsx_bytes). Both files are made
    only when someone clicks: writing a company's portfolio (tens of thousands of rows) on every rerun was
    slow (measured: docs/measurements.md). `df` may be a function that makes the table."""
    if callable(df):
        frame = df
    else:
        kept = df.copy()  # the table as it is now, whatever the caller does to its frame afterwards

        def frame() -> pd.DataFrame:
            return kept
    st.download_button("Download CSV", lambda: ui.csv_bytes(frame()), file_name=f"{name}.csv", mime="text/csv",
                       key=f"{key}_csv", on_click="ignore", icon=":material/download:")
    st.download_button("Download Excel", lambda: ui.xlsx_bytes(frame(), name), file_name=f"{name}.xlsx",
                       mime=XLSX_MIME, key=f"{key}_xlsx", on_click="ignore", icon=":material/download:")


def png_button(spec: dict, *, name: str, key: str, label: str = "Download chart (PNG)") -> None:
    """A PNG of the chart, rendered only when someone clicks (vl-convert takes seconds per chart)."""
    st.download_button(label, lambda: charts.chart_png(spec), file_name=f"{name}.png", mime=PNG_MIME, key=key,
                       on_click="ignore", icon=":material/image:")


# ---- one estimate ------------------------------------------------------------------------------------------


def show_estimate(row, *, metric_name: str) -> None:
    """One idea x metric: verdict, effect, CI, p-value, method, pre-trend, notes; "not enough data" has no number."""
    unit = str(row.get("unit") or "")
    st.markdown(f"**{ui.md(metric_name)}** ({ui.md(row['metric'])}, {ui.md(unit or 'no unit')}; "
                f"{'higher' if row['direction'] == 'higher' else 'lower'} is better)")
    verdict_badge(str(row["verdict"]))
    if row["verdict"] in VERDICT_SENTENCES:
        st.caption(VERDICT_SENTENCES[row["verdict"]])
    if row["verdict"] == impact.NOT_ATTRIBUTABLE:
        st.info("The pilot teams' change cannot be attributed to the idea: too few comparison teams have data, so "
                "nothing separates the idea from whatever else changed at the same time.")
        _show_plain_tier(row, unit)
        return
    if row["verdict"] == impact.NOT_ENOUGH_DATA:
        st.info("Not enough data to measure this yet: " + ui.md(row["warnings"] or "too few weeks of data."))
        _show_plain_tier(row, unit)
        return
    # As wide as each figure, not four equal columns: "-1.1 percentage points" was cut to "-1.1 percen…".
    in_unit = "percentage points" if unit == "share" else unit
    with st.container(horizontal=True, gap="large"):
        st.metric("Effect", fmt_effect(row["effect"], unit), width="content")
        st.metric(f"95% confidence interval ({in_unit})" if in_unit else "95% confidence interval",
                  f"{_bare(fmt_effect(row['ci_low'], unit), unit)} to {_bare(fmt_effect(row['ci_high'], unit), unit)}",
                  width="content")
        st.metric("p-value", fmt_p(row["p_value"]), width="content")
        st.metric("Pilot baseline", fmt_effect(row["baseline_mean"], unit, signed=False), width="content")
    method = "Difference-in-differences" if row["method"] == impact.DID else "Before/after (no comparison)"
    st.caption(f"Method: {method} · {ui.md(row['inference'])} · pre-trend p {fmt_p(row['pre_trend_p'])} · "
               f"{int(row['n_obs']):,} daily observations")
    mde = row.get("mde")
    if _finite(mde):
        detectable = fmt_effect(mde, unit, signed=False) if unit != "share" else f"{mde * 100:.1f} percentage points"
        text = f"Smallest detectable effect: {detectable} (found four times in five with this much data)."
        if row["verdict"] == impact.NO_CLEAR_CHANGE:
            text += " An effect smaller than that would likely go unnoticed: too little data to tell."
        st.caption(text)
    _show_plain_tier(row, unit)
    notes = str(row.get("warnings") or "")
    if notes:
        st.warning(ui.md(notes))


def _show_plain_tier(row, unit: str) -> None:
    """The second tier: the plain comparison and the assumption it rests on, in words."""
    reading = row.get("plain_reading")
    if not reading or not _finite(row.get("plain_effect")):
        return
    low, high = fmt_effect(row.get("plain_ci_low"), unit), fmt_effect(row.get("plain_ci_high"), unit)
    st.caption(f"Plain comparison: {ui.md(reading)} — {fmt_effect(row['plain_effect'], unit)} "
               f"(95% CI {_bare(low, unit)} to {_bare(high, unit)}).")


def show_series(db: Database, user: ui.CurrentUser, idea_id: int, metric: str, *, key: str) -> None:
    """Pilot vs comparison weekly means with the launch marked and both windows shaded, plus downloads."""
    try:
        s = series(db, user.id, idea_id, metric)
    except HeroError as exc:
        ui.show_error(exc)
        return
    if s.data.empty:
        st.info("No observations of this metric around the launch.")
        return
    chart = chart_spec("series_chart", s.data, launch_date=s.launch_date, baseline=s.baseline,
                       evaluation=s.evaluation, unit=s.unit, title=f"#{idea_id} · {s.metric_name}")
    st.vega_lite_chart(chart, key=f"{key}_chart")
    st.caption(f"Weekly means. Launch {ui.fmt_date(s.launch_date)}; baseline {ui.fmt_date(s.baseline[0])} to "
               f"{ui.fmt_date(s.baseline[1])}, evaluation {ui.fmt_date(s.evaluation[0])} to "
               f"{ui.fmt_date(s.evaluation[1])} (shaded).")
    table = s.data.assign(week_start=[ui.fmt_date(d) for d in s.data["week_start"]]).rename(
        columns={"week_start": "Week of", "group": "Group", "value": f"Mean ({s.unit})", "teams": "Teams"})
    with st.container(horizontal=True):
        png_button(chart, name=f"idea-{idea_id}-{metric}-series", key=f"{key}_png")
        table_downloads(table, name=f"idea-{idea_id}-{metric}-weekly", key=f"{key}_table")


# ---- the idea page's block ---------------------------------------------------------------------------------


def idea_impact(db: Database, user: ui.CurrentUser, view: IdeaView) -> None:
    """The impact tab of the idea page: launch, pilot teams and, for those who may see impact, each target
    metric's measured effect with its series."""
    with st.container(horizontal=True, gap="large"):  # as wide as the teams' names, which a column cut off
        st.metric("Launch date", ui.fmt_date(view.launch_date) or "not launched", width="content")
        st.metric("Pilot teams", ", ".join(view.pilot_team_names or view.pilot_team_codes) or "none yet",
                  width="content")
    if view.state not in {s.value for s in impact.LAUNCHED_STATES} or view.launch_date is None:
        if view.launch_date is not None:  # piloted once, then retired
            st.info(f"This idea is {ui.state_label(view.state).lower()}: impact is measured for ideas that are "
                    "piloting, scaling or scaled.")
        else:
            st.info("Impact is measured from the launch date of the idea's pilot; this idea has not been "
                    "launched.")
        return
    if not view.may_view_impact:
        st.info("Measured impact is shown to the idea's submitter, executives, managers and admins.")
        return
    if not view.target_metrics:
        st.info("This idea names no customer metric to measure.")
        return
    try:
        estimates = idea_estimate_rows(db, user.id, view.id)
    except HeroError as exc:
        ui.show_error(exc)
        return
    with st.expander("How is this measured?"):
        st.markdown(how_measured())
    for row in estimates:
        key = f"idea_impact_{row['metric']}"
        with st.container(border=True, key=key):
            show_estimate(row, metric_name=row["metric_name"])
            show_series(db, user, view.id, row["metric"], key=key)
