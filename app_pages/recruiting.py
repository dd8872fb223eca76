"""Recruiting: open requisitions and their age, time to fill, the pipeline by unit and role, and the skills open
roles need against the skills on staff.

Storyboard: filters → vacancy and time-to-fill tiles → open requisitions → pipeline → time to fill by unit →
skills gap → download. Requisitions are not personal data; skills on staff are counted inside the data layer.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access.data_access import DataAccess
from analytics import kpis, recruiting
from analytics.catalogue import KPIS
from analytics.reference_benchmarks import benchmark_for
from components.caching import scoped_cache
from components.downloads import audited_download
from components.kpi_charts import pipeline_figure, trend_figure
from components.kpi_tiles import apply_filters, benchmarks, load_kpis, period_controls, scope_controls, tiles
from components.session import current_access, record_filters

RECRUITING_KPIS = ["vacancy_rate", "time_to_fill"]

da = current_access()
st.title("Recruiting")
st.caption("Open positions, how long they take to fill, and the skills they need. Definitions: docs/kpis.md.")

freq, follow = period_controls("recruiting")
everything = load_kpis(da, RECRUITING_KPIS, freq, follow)
filters = scope_controls(da, "recruiting", everything, freq, follow)
frame = apply_filters(everything, filters)
record_filters("Recruiting", **filters.recorded())
tiles(frame, RECRUITING_KPIS, freq, per_row=2)

as_of = pd.Timestamp.today().normalize()


@scoped_cache()
def _requisitions(da: DataAccess) -> pd.DataFrame:
    return da.table("requisitions")


@scoped_cache(show_spinner="Matching skills…")
def _skills(da: DataAccess, day: pd.Timestamp) -> pd.DataFrame:
    return da.aggregate(
        lambda t: recruiting.skills_gap(t["requisitions"], t["employees"], t["training"], day),
        tables=["requisitions", "employees", "training"],
        value_columns=["staff_with_skill", "hospital_staff_with_skill"],
        dimensions=("unit", "skill"),
    )


requisitions = _requisitions(da)
requisitions = requisitions.loc[requisitions["unit"].isin(filters.units)]

st.subheader(f"Open requisitions on {as_of:%Y-%m-%d}")
open_now = kpis.open_requisitions(requisitions, as_of)
if open_now.empty:
    st.success("No open requisitions in these units.")
else:
    shown = open_now[["requisition_id", "unit", "role", "opened", "open_days", "fte", "required_skills"]]
    st.dataframe(
        shown.sort_values("open_days", ascending=False),
        hide_index=True,
        width="stretch",
        column_config={
            "opened": st.column_config.DateColumn("Opened"),
            "open_days": st.column_config.NumberColumn("Open (days)", format="%d"),
            "fte": st.column_config.NumberColumn("FTE", format="%.1f"),
        },
    )
    st.caption(
        f"{len(open_now)} open requisitions, {open_now['fte'].sum():.1f} FTE; median open age "
        f"{open_now['open_days'].median():.0f} days. Open ones are excluded from time to fill and counted in vacancy."
    )

st.subheader("Pipeline by unit and role")
flow = recruiting.pipeline(requisitions, as_of)
if flow.empty:
    st.info("No requisitions in these units.")
else:
    st.plotly_chart(pipeline_figure(flow), key="recruiting_pipeline")

st.subheader("Time to fill")
role = st.segmented_control("Role", ["RN", kpis.TOTAL], default="RN", required=True, key="recruiting_role")
st.plotly_chart(
    trend_figure(frame, KPIS["time_to_fill"], benchmark_for(benchmarks(), "time_to_fill", role or "RN"), role=role),
    key="recruiting_ttf",
)

st.subheader("Skills the open roles need")
skills = _skills(da, as_of)
skills = skills.loc[skills["unit"].isin(filters.units)]
if skills.empty:
    st.info("The open requisitions list no required skills.")
else:
    st.dataframe(
        skills.drop(columns=["people", "suppressed"], errors="ignore"),
        hide_index=True,
        width="stretch",
        column_config={
            "open_requisitions": st.column_config.NumberColumn("Open requisitions", format="%d"),
            "open_fte": st.column_config.NumberColumn("Open FTE", format="%.1f"),
            "staff_with_skill": st.column_config.NumberColumn("Staff in unit with skill", format="%d"),
            "hospital_staff_with_skill": st.column_config.NumberColumn("Staff hospital-wide with skill", format="%d"),
        },
    )
    st.caption(
        "Skills on staff: licence/role, completed courses and their categories, EMR proficiency (proficient or "
        "super-user) and telemedicine certification; matched case-insensitively."
    )
audited_download(
    "Download open requisitions (CSV)",
    open_now,
    f"open_requisitions_{as_of:%Y%m%d}.csv",
    "open requisitions",
    key="recruiting_download",
    filters={**filters.recorded(), "as_of": f"{as_of:%Y-%m-%d}"},
)
