"""HR workforce overview: headcount, FTE, turnover, vacancies, absence and engagement by unit and role.

Storyboard: filters → tiles → one KPI's trend by unit → latest period, units × KPIs → download. Absence rate,
eNPS and pulse averages come from sensitive tables: groups under 5 people are suppressed by the data layer.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.catalogue import KPIS
from analytics.kpis import TOTAL
from analytics.reference_benchmarks import benchmark_for
from components.downloads import audited_download
from components.kpi_charts import trend_figure
from components.kpi_tiles import apply_filters, benchmarks, load_kpis, period_controls, scope_controls, tiles
from components.session import current_access, record_filters

WORKFORCE_KPIS = [
    "headcount",
    "fte",
    "turnover_rate",
    "voluntary_turnover_rate",
    "first_year_turnover_rate",
    "vacancy_rate",
    "absence_rate",
    "overtime_share",
    "agency_share",
    "enps",
    "pulse_average",
]

da = current_access()
st.title("Workforce overview")
st.caption("Headcount, turnover, vacancies, absence and engagement of your units. Definitions: docs/kpis.md.")

freq, follow = period_controls("hr")
everything = load_kpis(da, WORKFORCE_KPIS, freq, follow)
filters = scope_controls(da, "hr", everything, freq, follow)
frame = apply_filters(everything, filters)
record_filters("Workforce overview", **filters.recorded())

tiles(frame, WORKFORCE_KPIS, freq)

st.divider()
choice = st.selectbox("Trend of", WORKFORCE_KPIS, format_func=lambda n: KPIS[n].label, key="hr_trend_kpi")
role = st.segmented_control(
    "Role", [TOTAL, "RN", "LPN", "CNA"], default=TOTAL, required=True, key="hr_trend_role", width="content"
)
st.plotly_chart(
    trend_figure(frame, KPIS[choice], benchmark_for(benchmarks(), choice, role or TOTAL), role=role or TOTAL),
    key="hr_trend",
)

st.subheader("Latest period by unit")
unit_rows = frame.loc[(frame["role"] == TOTAL)].dropna(subset=["period"])
if unit_rows.empty:
    st.info("No workforce data in this range.")
else:
    latest = unit_rows.groupby("kpi")["period"].transform("max")
    latest_rows = unit_rows.loc[unit_rows["period"] == latest]
    table = latest_rows.pivot_table(index="unit", columns="kpi", values="value", aggfunc="first")
    table = table[[k for k in WORKFORCE_KPIS if k in table.columns]].rename(columns=lambda k: KPIS[k].label)
    table = table.reset_index()
    st.dataframe(table, hide_index=True, width="stretch", column_config={"unit": "Unit"})
    st.caption(
        "Each KPI at its latest period in the range; a blank cell is no data or a group under 5 people "
        "(sensitive KPIs)."
    )
    export = frame.assign(label=frame["kpi"].map(lambda k: KPIS[k].label))
    audited_download(
        "Download these KPIs (CSV)",
        export,
        f"workforce_kpis_{pd.Timestamp.today():%Y%m%d}.csv",
        "workforce KPIs",
        key="hr_download",
        filters=filters.recorded(),
    )
