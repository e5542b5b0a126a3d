"""Impact: what launched ideas measurably did to customer metrics, the compact's funnel, and the risk picture.

Who: executives, managers, admins (permission "view_impact"). Every number comes from hero_core: estimates
from impact.py, aggregates from services/impact_views.py, charts from charts.py; this page picks filters,
calls them (cached in hero_app/impact_panel.py) and draws.
"""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from hero_app import impact_panel, ui
from hero_core import charts, impact
from hero_core.services import catalog, ideas, people
from hero_core.services.impact_views import ViewFilters
from hero_core.vocab import TOUCHPOINT_LABELS, State

K = "impact_"  # widget keys of this page
TABLE_LIMIT, FOREST_LIMIT = impact_panel.TABLE_LIMIT, impact_panel.FOREST_LIMIT
PERIODS = ("All time", "Last 3 months", "Last 6 months", "Last 12 months", "Year to date", "Custom range")
LAUNCHED = tuple(s.value for s in State if s in impact.LAUNCHED_STATES)
VERDICT_ORDER = (impact.IMPROVED, impact.WORSENED, impact.NO_CLEAR_CHANGE, impact.NOT_ATTRIBUTABLE,
                 impact.NOT_ENOUGH_DATA)

db, user = ui.require_page("impact")
today = db.now().date()
st.title("Impact")
st.caption("Measured effects of launched ideas on customer metrics, not projected ROI; how ideas move through "
           "the compact; and the risks managers assessed.")


def period_bounds(choice: str, custom) -> tuple[date | None, date | None]:
    if choice == "Last 3 months":
        return today - timedelta(days=91), today
    if choice == "Last 6 months":
        return today - timedelta(days=182), today
    if choice == "Last 12 months":
        return today - timedelta(days=365), today
    if choice == "Year to date":
        return date(today.year, 1, 1), today
    if choice == "Custom range" and isinstance(custom, (tuple, list)) and custom:
        return custom[0], custom[1] if len(custom) > 1 else custom[0]
    return None, None


# ---- filters -------------------------------------------------------------------------------------------------

teams = people.team_names(db)
campaign_titles = dict(ideas.list_campaigns(db))
metric_defs = catalog.list_metrics(db)
metric_names = {m.code: m.name for m in metric_defs}

with st.container(border=True):
    c1, c2, c3, c4 = st.columns(4)
    period = c1.selectbox("Period", PERIODS, key=f"{K}period",
                          help="Launch date for measured effects; submission date for the funnel and risks.")
    custom = None
    if period == "Custom range":
        custom = c1.date_input("From – to", value=(today - timedelta(days=365), today), key=f"{K}range",
                               format="YYYY-MM-DD")
    team_pick = c2.multiselect("Team", list(teams), key=f"{K}teams", placeholder="All teams",
                               format_func=lambda c: teams[c])
    touch_pick = c3.multiselect("Touch point", [t.value for t in TOUCHPOINT_LABELS], key=f"{K}touchpoints",
                                placeholder="All touch points", format_func=ui.touchpoint_label)
    campaign_pick = c4.multiselect("Campaign", list(campaign_titles), key=f"{K}campaigns",
                                   placeholder="All campaigns", format_func=lambda i: campaign_titles[i])
    c5, c6, c7, _ = st.columns(4)
    metric_pick = c5.multiselect("Metric", list(metric_names), key=f"{K}metrics", placeholder="All metrics",
                                 format_func=lambda c: f"{metric_names[c]} ({c})")
    state_pick = c6.multiselect("State", list(LAUNCHED), key=f"{K}states", placeholder="Piloting, scaling, scaled",
                                format_func=ui.state_label)
    verdict_pick = c7.multiselect("Verdict", list(VERDICT_ORDER), key=f"{K}verdicts", placeholder="All verdicts",
                                  format_func=lambda v: impact_panel.VERDICT_BADGES[v][0])

date_from, date_to = period_bounds(period, custom)
filters = ViewFilters(team_codes=tuple(team_pick), touchpoints=tuple(touch_pick), campaign_ids=tuple(campaign_pick),
                      date_from=date_from, date_to=date_to)
w = impact_panel.windows()

picks = (tuple(metric_pick), tuple(state_pick), tuple(verdict_pick))
everything, table = impact_panel.portfolio_view(db, user.id, filters, picks)
# The shared table holds team codes (as the downloads do); the page shows the teams' names (a copy: it is shared).
table = table.assign(Team=table["Team"].map(teams).fillna(table["Team"]))
positions = impact_panel.kept(everything, picks)
rows = everything.iloc[positions].reset_index(drop=True)

# ---- headline ------------------------------------------------------------------------------------------------

# Ideas, not idea x metric pairs: an idea with two improved metrics is one improved idea.
verdicts = rows.groupby("verdict", observed=True)["idea_id"].nunique()
head = [*st.columns(3), *st.columns(3)]  # two rows of three: in one row of six the labels were cut off
head[0].metric("Launched ideas measured", rows["idea_id"].nunique(),
               help="Launched ideas (piloting, scaling, scaled) matching the filters, with their target metrics.")
for column, verdict in zip(head[1:], VERDICT_ORDER, strict=True):
    column.metric(impact_panel.VERDICT_BADGES[verdict][0], int(verdicts.get(verdict, 0)),
                  help="Ideas with at least one target metric with this verdict. "
                  + impact_panel.VERDICT_SENTENCES[verdict])
st.caption("Better when: " + " · ".join(
    f"{ui.md(m.name)} {'higher' if m.direction == 'higher' else 'lower'}"
    + (" (a share: effects in percentage points)" if m.unit == "share" else "") for m in metric_defs))
with st.expander("How are effects measured?"):
    st.markdown(impact_panel.how_measured(w))

# Only the open tab runs and is drawn (on_change="rerun"): a filter change recomputes one tab, not four.
tab_portfolio, tab_idea, tab_funnel, tab_risk = st.tabs(
    ["Portfolio", "One idea over time", "Funnel and stage times", "Risk heat map"], key=f"{K}tab", on_change="rerun")

# ---- portfolio -----------------------------------------------------------------------------------------------

if tab_portfolio.open:
    with tab_portfolio:
        if rows.empty:
            st.info("No launched idea matches these filters. Pilots appear here as soon as they start.")
        else:
            measured = rows[rows["effect"].notna()]
            forest = impact_panel.chart_spec("forest_plot", measured.head(FOREST_LIMIT),
                                             metric_names=tuple(sorted(metric_names.items())))
            event = st.vega_lite_chart(forest, on_select="rerun", selection_mode=[charts.IDEA_SELECTION],
                                       key=f"{K}forest")
            picked = impact_panel.picked_idea(event)
            if picked is not None:
                st.switch_page(ui.IDEA_PAGE, query_params={"id": str(picked)})
            st.caption("Each dot is an idea's effect on one of its target metrics, the line its 95% confidence "
                       "interval, the dashed line zero. Click a dot to open the idea. Ideas without enough data "
                       "have no dot; they are in the table."
                       + (f" The chart shows the {FOREST_LIMIT} most recently launched of {len(measured):,} measured "
                          "effects; narrow the filters to chart others. The table lists them all."
                          if len(measured) > FOREST_LIMIT else ""))
            picked_row = ui.grid(table, hide_index=True, key=f"{K}table", column_config=impact_panel.TABLE_CONFIG,
                                 on_select="rerun", selection_mode="single-row")
            selected = picked_row.selection.rows if picked_row else []
            if selected:
                st.switch_page(ui.IDEA_PAGE, query_params={"id": str(int(table.iloc[selected[0]]["#"]))})
            st.caption("Select a row to open the idea." + (
                f" The table shows the {TABLE_LIMIT:,} most recently launched of {len(rows):,} idea × metric rows; "
                "the downloads hold them all." if len(rows) > TABLE_LIMIT else ""))
            with st.container(horizontal=True):
                impact_panel.table_downloads(lambda: impact_panel.readable_table(rows), name="impact-portfolio",
                                             key=f"{K}portfolio_download")
                impact_panel.png_button(forest, name="impact-portfolio", key=f"{K}forest_png")

# ---- one idea ------------------------------------------------------------------------------------------------

if tab_idea.open:
    with tab_idea:
        if rows.empty:
            st.info("No launched idea matches these filters.")
        else:
            recent = rows.head(TABLE_LIMIT)  # the most recently launched first; the filters reach older ones
            titles = dict(zip(recent["idea_id"].astype(int), recent["title"], strict=False))
            idea_id = st.selectbox("Idea", list(titles), key=f"{K}idea", format_func=lambda i: f"#{i} · {titles[i]}",
                                   help=f"The {len(titles):,} most recently launched ideas matching the filters."
                                   if len(rows) > TABLE_LIMIT else None)
            idea_rows = rows[rows["idea_id"] == idea_id]
            metric = st.selectbox("Metric", list(idea_rows["metric"]), key=f"{K}idea_metric",
                                  format_func=lambda c: f"{metric_names.get(c, c)} ({c})" if c else "no target metric")
            row = idea_rows[idea_rows["metric"] == metric].iloc[0]
            first = row
            st.page_link(ui.IDEA_PAGE, label=f"Open idea #{idea_id}", query_params={"id": str(idea_id)},
                         icon=":material/description:")
            st.caption(f"{ui.md(teams.get(first['team'], first['team']))} · "
                       f"{ui.touchpoint_label(first['touchpoint'])} · "
                       f"{ui.state_label(first['state'])} · launched {ui.fmt_date(first['launch_date'])}")
            if metric:
                impact_panel.show_estimate(row, metric_name=metric_names.get(metric, metric))
                impact_panel.show_series(db, user, int(idea_id), str(metric), key=f"{K}series")
            else:
                st.info(ui.md(row["warnings"]))

# ---- funnel --------------------------------------------------------------------------------------------------

if tab_funnel.open:
    with tab_funnel:
        flow = impact_panel.funnel(db, user.id, filters)
        st.caption("Submitted ideas matching the filters (period: submission date): how many reached each stage, and "
                   "the median days they spent in it. Ideas that need no IT go from approved straight to piloting.")
        left, right = st.columns(2)
        with left:
            funnel_chart = impact_panel.chart_spec("funnel_chart", flow.counts)
            st.vega_lite_chart(funnel_chart, key=f"{K}funnel_chart")
            impact_panel.png_button(funnel_chart, name="compact-funnel", key=f"{K}funnel_png")
        with right:
            durations_chart = impact_panel.chart_spec("stage_duration_chart", flow.durations)
            st.vega_lite_chart(durations_chart, key=f"{K}durations_chart")
            impact_panel.png_button(durations_chart, name="stage-durations", key=f"{K}durations_png")
        stages = flow.counts.merge(flow.durations, on=["stage", "label"], how="left", suffixes=("", "_left"))
        stage_table = pd.DataFrame({
            "Stage": stages["label"],
            "Ideas that reached it": stages["ideas"],
            "Median days in stage": pd.to_numeric(stages["median_days"], errors="coerce").astype("float64").round(1),
            "Ideas that moved on": stages["ideas_left"].astype("Int64"),
        })
        # A stage nobody left (Scaled) has no time in it and nobody moved on: "–", not the grid's grey "None".
        shown = stage_table.assign(**{c: ["–" if pd.isna(v) else f"{v:g}" for v in stage_table[c]]
                                      for c in ("Median days in stage", "Ideas that moved on")})
        ui.grid(shown, hide_index=True, key=f"{K}stage_table")
        impact_panel.table_downloads(stage_table, name="compact-funnel", key=f"{K}funnel_download")

# ---- risk ----------------------------------------------------------------------------------------------------

if tab_risk.open:
    with tab_risk:
        cells = impact_panel.risk_cells(db, user.id, filters)
        assessed = int(cells["ideas"].sum())
        st.caption(f"{assessed} assessed idea{'s' if assessed != 1 else ''} matching the filters (period: submission "
                   "date), each placed by the worst-scoring category of its latest assessment.")
        heat = impact_panel.chart_spec("risk_heatmap_chart", cells, title="Assessed ideas: likelihood × impact")
        st.vega_lite_chart(heat, key=f"{K}risk_chart")
        risk_table = pd.DataFrame({
            "Likelihood": [f"{li} {lb}" for li, lb in zip(cells["likelihood"], cells["likelihood_label"], strict=True)],
            "Impact": [f"{im} {lb}" for im, lb in zip(cells["impact"], cells["impact_label"], strict=True)],
            "Score": cells["score"], "Band": cells["band"], "Ideas": cells["ideas"],
        })
        with st.container(horizontal=True):
            impact_panel.png_button(heat, name="risk-heat-map", key=f"{K}risk_png")
            impact_panel.table_downloads(risk_table, name="risk-heat-map", key=f"{K}risk_download")
