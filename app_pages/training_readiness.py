"""Training and rollout readiness: who is trained before each EMR/HIS upgrade or telemedicine go-live.

Storyboard: filters → compliance and readiness tiles → readiness per go-live and unit → who is not ready
(names for HR officers, administrators and the department head of that unit; counts for executives).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access.data_access import DataAccess
from analytics import kpis
from analytics.catalogue import KPIS
from components.caching import scoped_cache
from components.downloads import audited_download
from components.kpi_charts import readiness_figure
from components.kpi_tiles import apply_filters, load_kpis, period_controls, scope_controls, tiles
from components.session import current_access, record_filters

TRAINING_KPIS = ["training_compliance", "rollout_training_compliance", "rollout_readiness"]
ROLLOUT_TABLES = ["tech_rollouts", "training", "employees", "units"]

da = current_access()
st.title("Training and rollout readiness")
st.caption(
    "Share of each unit's staff who completed every course required before a technology go-live (EMR/HIS "
    "upgrades, telemedicine, remote monitoring), and on-time training compliance. Definitions: docs/kpis.md."
)

freq, follow = period_controls("training")
everything = load_kpis(da, TRAINING_KPIS, freq, follow)
filters = scope_controls(da, "training", everything, freq, follow)
frame = apply_filters(everything, filters)
tiles(frame, TRAINING_KPIS, freq, per_row=3)

st.subheader("Readiness per go-live")
readiness = everything.loc[
    (everything["kpi"] == "rollout_readiness") & (everything["unit"].isin(filters.units))
].dropna(subset=["value"])
if readiness.empty:
    st.info("No technology go-lives with staff in your units.")
else:
    st.plotly_chart(readiness_figure(readiness), key="training_readiness_chart")

st.subheader("Who is not ready")
today = pd.Timestamp.today().normalize()
upcoming_only = st.toggle("Only go-lives still ahead", value=False, key="training_upcoming")
record_filters("Training and rollout readiness", **filters.recorded(), only_upcoming_go_lives=upcoming_only)
names_allowed = da.can_see_individuals("employees") and da.can_see_individuals("training")


@scoped_cache(show_spinner="Checking course completions…")
def _named_gaps(da: DataAccess, as_of: pd.Timestamp, follow_mergers: bool) -> pd.DataFrame:
    tables = {name: da.table(name) for name in ROLLOUT_TABLES}
    return kpis.readiness_gaps(
        tables["tech_rollouts"],
        tables["training"],
        tables["employees"],
        scope=kpis.KpiScope(as_of=as_of, units=tables["units"], follow_mergers=follow_mergers),
    )


@scoped_cache(show_spinner="Counting course completions…")
def _gap_counts(da: DataAccess, as_of: pd.Timestamp, follow_mergers: bool) -> pd.DataFrame:
    return da.aggregate(
        lambda t: kpis.readiness_gap_counts(
            t["tech_rollouts"],
            t["training"],
            t["employees"],
            scope=kpis.KpiScope(as_of=as_of, units=t["units"], follow_mergers=follow_mergers),
        ),
        tables=ROLLOUT_TABLES,
        value_columns=["not_ready"],
        dimensions=("system", "unit", "role"),
    )


if names_allowed:
    gaps = _named_gaps(da, today, follow)
    gaps = gaps.loc[gaps["unit"].isin(filters.units)]
    if upcoming_only:
        gaps = gaps.loc[gaps["days_to_go_live"] >= 0]
    if gaps.empty:
        st.success("Everyone in your units has completed the courses required before their go-lives.")
    else:
        shown = gaps[
            ["system", "go_live", "days_to_go_live", "unit", "last_name", "first_name", "role", "missing_courses"]
        ]
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_config={
                "go_live": st.column_config.DateColumn("Go-live"),
                "days_to_go_live": st.column_config.NumberColumn("Days to go-live", format="%d"),
                "missing_courses": "Missing courses",
            },
        )
        audited_download(
            "Download the list (CSV)",
            shown,
            f"not_ready_{today:%Y%m%d}.csv",
            "staff not ready for go-live",
            key="training_download",
            filters={**filters.recorded(), "only_upcoming_go_lives": upcoming_only},
        )
else:
    counts = _gap_counts(da, today, follow)
    counts = counts.loc[counts["unit"].isin(filters.units)]
    if upcoming_only:
        counts = counts.loc[counts["days_to_go_live"] >= 0]
    st.caption("Your role sees counts of people, not names.")
    if counts.empty:
        st.success("Everyone in these units has completed the courses required before their go-lives.")
    else:
        st.dataframe(
            counts.drop(columns=["people"]),
            hide_index=True,
            width="stretch",
            column_config={
                "go_live": st.column_config.DateColumn("Go-live"),
                "not_ready": st.column_config.NumberColumn("People not ready", format="%d"),
            },
        )
st.caption(f"{KPIS['rollout_readiness'].help} Compared with completion dates on or before the go-live day.")
