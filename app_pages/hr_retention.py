"""Retention risk (HR officers and administrators): burnout index, voluntary-exit risk, watch list, what-if.

Storyboard: as-of date -> one view (``retention.service.retention_view`` on tables read through the data-access
layer, cached per access scope and data version by ``components.risk_cache``) -> overview and distribution -> unit
heatmap and trend (suppressed below 5 people) -> watch list with drivers and CSV export -> what-if for a unit -> how
good the attrition model is. The page composes; it computes nothing. Formulas: docs/risk_model.md.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from access.data_access import AccessDenied
from components import risk_charts
from components.downloads import audited_download
from components.risk_cache import data_end, retention_view_for
from components.risk_views import may_see_individual_risk
from components.session import current_access, record_filters
from components.text import md_escape
from retention.features import LONG_WEEKS
from retention.service import RetentionView

da = current_access()
st.title("Retention risk")
st.caption(
    "Burnout index (0-100, from schedule, absence, survey and wellbeing data, no labels needed) and the probability "
    "of a voluntary exit within the next 12 or 6 months, as the history allows (a monthly hazard model fitted on this "
    "hospital's own exits and recalibrated on its most recent outcomes). Definitions, weights and sources: "
    "docs/risk_model.md."
)
if not may_see_individual_risk(da):
    st.info("Individual risk is visible to HR officers and administrators only. See *Burnout by unit*.")
    st.stop()

end = data_end(da)
if end is None:
    st.warning("No employees or timecards are loaded yet. Import them on the *Data import* page.")
    st.stop()
default_as_of = min(end + pd.Timedelta(days=1), pd.Timestamp(dt.date.today())).date()
as_of = pd.Timestamp(
    st.date_input("Risk as of", value=default_as_of, max_value=dt.date.today(), key="risk_as_of")
).normalize()
st.caption(f"Data runs to {end:%d %b %Y}. Features use the {LONG_WEEKS} weeks before the as-of date.")

try:
    view = retention_view_for(da, as_of)
except AccessDenied as denied:
    st.error(str(denied))
    st.stop()
if view.model_problem:
    st.warning(f"The attrition model could not be fitted: {md_escape(view.model_problem)}")
if view.people.empty:
    st.warning(f"Nobody was employed on {as_of:%d %b %Y}.")
    st.stop()
people, model, horizon = view.people, view.model, view.horizon_months

# -- overview ----------------------------------------------------------------------------------------------------
cols = st.columns(4)
cols[0].metric("Employees scored", f"{len(people):,}")
cols[1].metric("Mean burnout index", f"{people['burnout_index'].mean():.1f}")
cols[2].metric("High or very high burnout", f"{people['band'].isin(['high', 'very high']).sum():,}")
if model is not None:
    cols[3].metric(
        f"Expected voluntary exits, next {horizon} months",
        f"{people['exit_probability'].sum():.0f}",
        help=f"Sum of each employee's probability of a voluntary exit within {horizon} months.",
    )

st.subheader("Burnout risk distribution")
st.plotly_chart(risk_charts.risk_distribution(people), width="stretch", key="risk_distribution")
st.caption(f"Mean share of driver weight with data (coverage): {people['coverage'].mean():.0%}.")

st.subheader("Units and drivers")
st.plotly_chart(risk_charts.unit_driver_heatmap(view.unit_summary), width="stretch", key="unit_heatmap")
st.caption("Mean points each driver adds to the unit's index. Units under 5 people are suppressed.")

st.subheader("Trend: monthly mean burnout index by unit")
if not view.unit_trend.empty:
    st.plotly_chart(risk_charts.burnout_trend(view.unit_trend), width="stretch", key="trend")


# -- watch list ----------------------------------------------------------------------------------------------------
@st.fragment
def watch_list_section(view: RetentionView, as_of: pd.Timestamp) -> None:
    """Filters, table and download of the watch list; a filter change reruns only this part of the page."""
    st.subheader("Watch list")
    left, middle, right = st.columns(3)
    unit_choice = left.multiselect("Units", sorted(view.people["unit"].dropna().unique()), key="watch_units")
    min_index = middle.slider("Minimum burnout index", 0, 100, 0, key="watch_min_index")
    top_n = right.number_input("Show top", min_value=5, max_value=1000, value=25, step=5, key="watch_top")
    filters = {"as_of": as_of.date(), "units": unit_choice, "min_index": min_index, "top": top_n}
    record_filters("Retention risk: watch list", **filters)
    watch_table = view.watch_list(unit_choice, min_index, int(top_n))
    st.dataframe(
        watch_table,
        hide_index=True,
        width="stretch",
        column_config={
            "burnout_index": st.column_config.ProgressColumn(
                "Burnout index", min_value=0, max_value=100, format="%.0f"
            ),
            "exit_percent_horizon": st.column_config.NumberColumn(
                f"Chance of leaving within {view.horizon_months} months (%)", format="%.1f%%"
            ),
            "overtime_hours_per_week_4w": st.column_config.NumberColumn("Overtime h/week (4 wk)", format="%.1f"),
            "tenure_years": st.column_config.NumberColumn("Tenure (years)", format="%.1f"),
        },
    )
    audited_download(
        "Download watch list (CSV)",
        watch_table,
        f"watch_list_{as_of:%Y-%m-%d}.csv",
        "retention watch list",
        key="watch_download",
        filters=filters,
    )


# -- what-if -------------------------------------------------------------------------------------------------------
@st.fragment
def what_if_section(view: RetentionView, as_of: pd.Timestamp) -> None:
    """The what-if form for one unit and its result; submitting it reruns only this part of the page."""
    st.subheader("What if…")
    units = sorted(view.people["unit"].dropna().unique())
    with st.form("whatif"):
        c1, c2, c3, c4 = st.columns(4)
        unit = c1.selectbox("Unit", units, key="whatif_unit")
        cap_on = c2.checkbox("Cap overtime", key="whatif_cap_on")
        cap = c2.number_input("at hours/week", min_value=0.0, max_value=40.0, value=4.0, step=1.0, key="whatif_cap")
        no_qr = c3.checkbox("Remove quick returns", key="whatif_qr")
        staffing = c4.slider("Raise staffing by %", 0, 50, 0, key="whatif_staffing")
        submitted = st.form_submit_button("Run scenario")
    if not (submitted and unit):
        return
    scenario = {
        "overtime_cap": cap if cap_on else None,
        "remove_quick_returns": no_qr,
        "staffing_increase_pct": float(staffing),
    }
    record_filters("Retention risk: what-if", as_of=as_of.date(), unit=unit, **scenario)
    result = view.what_if(unit, **scenario)
    r1, r2 = st.columns(2)
    r1.metric(
        f"Mean burnout index, {md_escape(unit)} ({result.employees} people)",
        f"{result.burnout_after:.1f}",
        f"{result.burnout_change:+.1f}",
        delta_color="inverse",
    )
    if view.model is not None:
        r2.metric(
            f"Expected voluntary exits, next {view.horizon_months} months",
            f"{result.expected_exits_after:.1f}",
            f"{result.exits_change:+.2f}",
            delta_color="inverse",
        )
    for note in result.notes:
        st.info(note)
    for assumption in result.assumptions or ("No lever chosen: the scenario equals today.",):
        st.caption(f"Assumption: {assumption}")


watch_list_section(view, as_of)
what_if_section(view, as_of)

# -- model evaluation ----------------------------------------------------------------------------------------------
st.subheader("How good is the attrition model?")
if model is None or model.evaluation is None:
    st.info("Needs enough labelled history with voluntary exits for a time-ordered test (see docs/risk_model.md).")
else:
    ev = model.evaluation
    st.caption(
        f"Trained on as-of dates {ev.train_as_of[0]:%b %Y}–{ev.train_as_of[1]:%b %Y} ({ev.train_rows:,} rows), tested "
        f"on later dates {ev.test_as_of[0]:%b %Y}–{ev.test_as_of[1]:%b %Y} ({ev.test_rows:,} rows, "
        f"{ev.model.events:,} voluntary exits within {horizon} months), after recalibrating on "
        f"{ev.validation_as_of[0]:%b %Y}–{ev.validation_as_of[1]:%b %Y}. The page scores with the same procedure "
        "rolled forward: fitted on the earlier history and recalibrated on the latest outcomes."
    )
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(
        "ROC AUC",
        f"{ev.model.auc:.3f}",
        f"{ev.model.auc - ev.baseline.auc:+.3f} vs overtime only",
        help=f"95% interval {ev.model.auc_low:.3f}–{ev.model.auc_high:.3f} (bootstrap over employees).",
    )
    m2.metric(
        "Brier score",
        f"{ev.model.brier:.4f}",
        f"{ev.model.brier - ev.baseline.brier:+.4f} vs overtime only",
        delta_color="inverse",
    )
    m3.metric("Brier score of the base rate", f"{ev.model.brier_base_rate:.4f}")
    m4.metric(
        "Calibration slope",
        f"{ev.model.calibration_slope:.2f}",
        help=f"1 is ideal; calibration intercept {ev.model.calibration_intercept:+.2f} (0 is ideal).",
    )
    st.plotly_chart(risk_charts.calibration_chart(ev.model, ev.baseline, horizon), width="stretch", key="calibration")
    st.caption(
        "Odds ratios of leaving in a month (the hazard model before recalibration), penalised fit, 95% intervals "
        "clustered by employee; inputs held at zero by the monotone constraint have no interval."
    )
    st.plotly_chart(risk_charts.coefficient_chart(model.coefficients), width="stretch", key="coefficients")
    with st.expander("Coefficients table"):
        st.dataframe(model.coefficients.reset_index(), hide_index=True, width="stretch")
    if model.ignored or model.fit_warnings:
        with st.expander("Columns not used and fit notes"):
            for column, reason in model.ignored.items():
                st.write(f"- {md_escape(column)}: {md_escape(reason)}")
            for note in model.fit_warnings:
                st.write(f"- {md_escape(note)}")
