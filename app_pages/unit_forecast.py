"""Unit forecast and staffing: expected patients per hour, staff needed vs scheduled, and a better shift pattern.

Storyboard: unit, horizon, service level and staffing rule → forecast with 80/95% intervals and the backtest in
plain words → staff needed vs scheduled, gaps and peak hours → recommended shift pattern beside the current one →
XLSX plan. Computation lives in ``forecasting`` (formulas: docs/forecasting.md); data comes only from the
data-access layer.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access.data_access import AccessDenied, DataAccess
from components.caching import scoped_cache
from components.downloads import audited_download
from components.forecast_charts import forecast_figure, heatmap_figure, pattern_figure, staffing_gap_figure
from components.session import current_access, record_filters
from components.text import md_escape
from forecasting.models import MODEL_LABELS
from forecasting.plan_export import UnitPlan, build_unit_plan, plan_workbook, schedule_statement
from forecasting.staffing import weekday_hour_table
from forecasting.staffing_standards import standard_for

SERVICE_LEVEL_LABELS = {
    "mean": "Expected census (mean)",
    "p80": "80th percentile (enough staff about 4 hours in 5)",
    "p95": "95th percentile (enough staff about 19 hours in 20)",
}
USUAL_PATTERN_WEEKS = 8


@scoped_cache()
def load_plan(
    da: DataAccess,
    unit: str,
    horizon_days: int,
    service_level: str,
    patients_per_rn: float,
    patients_per_cna: float | None,
    hppd: float | None,
) -> UnitPlan:
    """The unit's forecast and staffing plan (components.caching: scope, data version and these arguments).

    The schedule comparison is included when the user's role may read shifts (the role is in the cache key)."""
    units = da.table("units", units=[unit])
    row = units.iloc[0]
    census = da.table("census", units=[unit])
    shifts = None
    if da.can_see_individuals("shifts") and not census.empty:
        since = pd.Timestamp(census["timestamp"].max()) - pd.Timedelta(weeks=USUAL_PATTERN_WEEKS, days=1)
        shifts = da.table("shifts", units=[unit], start=since)
    standard = standard_for(row["unit_type"]).with_overrides(
        patients_per_rn=patients_per_rn, patients_per_cna=patients_per_cna, hppd=hppd
    )
    return build_unit_plan(
        census,
        unit,
        row["unit_type"],
        shifts,
        horizon_days=horizon_days,
        service_level=service_level,
        standard=standard,
        weeks=USUAL_PATTERN_WEEKS,
        opened=row["opened"],
        beds=row.get("beds"),
    )


def percent(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.0%}"


da = current_access()
st.title("Unit forecast and staffing")
st.caption(
    "Patients expected per hour, the nurses and aides that needs, how that compares with the schedule, and a shift "
    "pattern that covers demand with fewer paid hours. All times are the hospital's local time. Formulas and "
    "sources: docs/forecasting.md."
)

visible = da.visible_units()
if not visible:
    st.info("No units are assigned to your account yet. Ask an administrator to assign your units.")
    st.stop()
units_table = da.table("units", units=visible).set_index("unit_id")
names = {u: f"{u} – {units_table.at[u, 'name']}" if pd.notna(units_table.at[u, "name"]) else u for u in visible}

left, middle, right = st.columns([2, 1, 2])
unit = left.selectbox("Unit", visible, format_func=names.get, key="uf_unit")
horizon = middle.number_input("Horizon (days)", min_value=7, max_value=56, value=28, step=7, key="uf_horizon")
level = right.selectbox(
    "Staff for", list(SERVICE_LEVEL_LABELS), index=1, format_func=SERVICE_LEVEL_LABELS.get, key="uf_level"
)
closed = units_table.at[unit, "closed"]
if pd.notna(closed):
    merged = units_table.at[unit, "merged_into"]
    st.warning(
        f"{md_escape(names[unit])} closed on {pd.Timestamp(closed):%Y-%m-%d}"
        + (f" and merged into {md_escape(merged)}; open that unit for current demand." if pd.notna(merged) else ".")
        + " The forecast below continues its last history and is shown for reference only."
    )

default = standard_for(units_table.at[unit, "unit_type"])
with st.expander("Staffing rule for this unit"):
    st.caption(f"RN default: {default.rn_source}. CNA default: {default.cna_source}.")
    c1, c2, c3 = st.columns(3)
    per_rn = c1.number_input(
        "Patients per RN", min_value=0.5, max_value=12.0, value=float(default.patients_per_rn), key=f"uf_rn_{unit}"
    )
    per_cna = c2.number_input(
        "Patients per CNA (0 = no CNAs)",
        min_value=0.0,
        max_value=20.0,
        value=float(default.patients_per_cna or 0),
        key=f"uf_cna_{unit}",
    )
    hppd = c3.number_input(
        "HPPD target (0 = use the ratios)",
        min_value=0.0,
        max_value=40.0,
        value=0.0,
        help=f"Nursing hours per patient day. The ratios imply {default.implied_hppd():.1f} HPPD.",
        key=f"uf_hppd_{unit}",
    )

plan_filters = {
    "unit": unit,
    "horizon_days": int(horizon),
    "staff_for": level,
    "patients_per_rn": per_rn,
    "patients_per_cna": per_cna,
    "hppd_target": hppd,
}
record_filters("Forecast and staffing", **plan_filters)

with st.status("Preparing the forecast and staffing plan…", expanded=False) as status:
    try:
        plan = load_plan(da, unit, int(horizon), level, float(per_rn), float(per_cna) or None, float(hppd) or None)
    except (ValueError, AccessDenied) as error:
        status.update(label="No forecast for this unit", state="error", expanded=True)
        st.error(f"{md_escape(names[unit])}: {md_escape(error)}")
        st.stop()
    status.update(label="Forecast and plan ready", state="complete")

demand = plan.demand
st.subheader("Patients expected")
for message in plan.messages():
    st.info(message)
history = demand.raw_history if demand.raw_history is not None else demand.history
st.plotly_chart(
    forecast_figure(history.dropna(), demand.forecast, names[unit], beds=plan.capacity.beds), key="uf_forecast_chart"
)
st.markdown(demand.summary())
if not demand.backtest.empty:
    table = demand.backtest.reset_index()
    table["model"] = table["model"].map(lambda m: MODEL_LABELS.get(m, m) + (" ← chosen" if m == demand.model else ""))
    table["errors vs seasonal naive"] = table["relative_MAE"].map(lambda r: "–" if pd.isna(r) else f"{r - 1:+.0%}")
    table["inside 80% interval"] = table["coverage80"].map(percent)
    table["inside 95% interval"] = table["coverage95"].map(percent)
    st.dataframe(
        table[["model", "MASE", "errors vs seasonal naive", "inside 80% interval", "inside 95% interval"]],
        hide_index=True,
        width="stretch",
        column_config={"MASE": st.column_config.NumberColumn(format="%.2f")},
    )
    st.caption(
        "MASE: mean absolute error divided by the in-sample error of seasonal naive (below 1 = better). Backtest on "
        f"{demand.backtest_origins} windows of {demand.backtest_horizon} steps at the end of the history."
    )
st.plotly_chart(
    heatmap_figure(weekday_hour_table(plan.hourly["mean"]), "Peak hours: expected patients", "patients"),
    key="uf_census_heatmap",
)

st.subheader("Staff needed and scheduled")
st.caption(
    f"Staffing for the {SERVICE_LEVEL_LABELS[level].lower()}: {plan.standard.patients_per_rn:g} patients per RN"
    + (f", {plan.standard.patients_per_cna:g} per CNA" if plan.standard.patients_per_cna else ", no CNAs")
    + (f", HPPD target {plan.standard.hppd:g}" if plan.standard.hppd else "")
    + (f", for at most the {plan.capacity.beds:g} staffed beds" if plan.capacity.beds is not None else "")
    + "."
)
roles = [r for r in plan.needed.columns if plan.needed[r].any()]
if plan.scheduled is None:
    st.info(
        "The comparison with the schedule uses individual timecards and is for department heads and HR; "
        "the staff needed and the recommended pattern below are computed from the forecast alone."
    )
else:
    st.caption(
        f"Scheduled staff: {plan.schedule_source}. Hours after the published schedule are "
        "**not yet scheduled**: they are not counted as short."
    )
    for role in roles:
        row = plan.summary.loc[role]
        short, open_hours = st.columns(2)
        short.metric(
            f"{role}: scheduled hours short",
            f"{row['understaffed_hours']:.0f} of {row['scheduled_hours']:.0f}",
            help=f"{row['staff_hours_short']:,.0f} {role}-hours short in the scheduled hours; "
            f"{row['overstaffed_hours']:.0f} hours with at least one more person than needed.",
        )
        open_hours.metric(
            f"{role}: hours not yet scheduled",
            f"{row['not_yet_scheduled_hours']:.0f} of {len(plan.gaps)}",
            help=f"{row['staff_hours_to_schedule']:,.0f} {role}-hours needed in hours with no roster yet.",
        )
        st.markdown(schedule_statement(role, plan.summary))
for tab, role in zip(st.tabs(roles or ["RN"]), roles or ["RN"], strict=False):
    with tab:
        if plan.scheduled is not None:
            st.plotly_chart(staffing_gap_figure(plan.gaps, role), key=f"uf_gap_{role}")
            st.plotly_chart(
                heatmap_figure(
                    weekday_hour_table(plan.gaps[f"{role}_gap"], how="min"),
                    f"{role}: worst gap by weekday and hour (negative = short)",
                    "staff",
                ),
                key=f"uf_gap_heatmap_{role}",
            )
        else:
            st.plotly_chart(
                heatmap_figure(weekday_hour_table(plan.needed[role], how="max"), f"{role}s needed at peak", "staff"),
                key=f"uf_need_heatmap_{role}",
            )

st.subheader("Recommended shift pattern")
st.caption(
    "Fewest paid hours of 8- and 12-hour shifts (allowed starts 07, 11, 15, 19, 23 and 07, 19) that cover every "
    "hour of a repeating week at the chosen service level - the largest need of each weekday and hour over the "
    "horizon. Solved as an integer program (HiGHS)."
)
current = plan.current.coverage if plan.current is not None else None
for tab, role in zip(st.tabs([f"{r} pattern" for r in plan.plans] or ["Pattern"]), list(plan.plans), strict=False):
    result = plan.plans[role]
    with tab:
        st.plotly_chart(
            pattern_figure(result.need, result.coverage, None if current is None else current[role].to_numpy(), role),
            key=f"uf_pattern_{role}",
        )
        block_hours = plan.blocks[role].paid_hours
        st.markdown(
            f"Covering the same need with 07:00/19:00 12-hour blocks only would take **{block_hours:,.0f}** "
            f"{role}-hours a week; the recommended mix takes **{result.paid_hours:,.0f}** "
            f"({block_hours - result.paid_hours:,.0f} fewer)."
        )
        if role in plan.comparisons:
            st.markdown(plan.statements[role])
            st.dataframe(plan.comparisons[role].round(1), width="stretch")
        pattern_table = result.plan.drop(columns="weekday").rename(
            columns={"start": "start hour", "end": "end hour", "length": "hours", "staff": f"{role}s starting"}
        )
        st.dataframe(pattern_table, hide_index=True, width="stretch")
        if not result.optimal:
            st.warning(f"The optimiser stopped before proving this pattern optimal ({result.status}).")

audited_download(
    "Download the plan (XLSX)",
    lambda: plan_workbook(plan),
    f"staffing_plan_{unit}.xlsx",
    "staffing plan",
    key="uf_download",
    filters=plan_filters,
    rows=len(plan.demand.forecast),
)
