"""Executive overview: the handful of numbers, their trend, change and national benchmark, and their drivers.

Storyboard: filters → KPI tiles by area → drivers of a chosen KPI by unit and role → patient experience and
the staffing that goes with it (outcome model) → board report download. Every number is an aggregate computed
inside the data-access layer (formulas: docs/kpis.md).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from access.data_access import DataAccess
from analytics.board_report import AREAS, board_report_xlsx
from analytics.catalogue import KPIS
from analytics.kpis import TOTAL
from analytics.outcomes import (
    CAUTION,
    DEFAULT_LAG,
    DRIVERS,
    OUTCOME,
    OutcomeModel,
    fit_outcome_model,
    outcome_panel,
)
from analytics.reference_benchmarks import benchmark_for
from components.caching import scoped_cache
from components.downloads import audited_download
from components.kpi_charts import drivers_figure, trend_figure
from components.kpi_tiles import (
    KpiFilters,
    apply_filters,
    benchmarks,
    load_kpis,
    period_controls,
    scope_controls,
    tiles,
)
from components.session import current_access, record_filters
from components.text import md_escape


@scoped_cache(show_spinner="Fitting the outcome model…")
def outcome_model(
    da: DataAccess, start: pd.Timestamp, end: pd.Timestamp, units: tuple[str, ...], follow_mergers: bool, lag: int
) -> tuple[OutcomeModel | None, str]:
    """The outcome model over the monthly KPIs of ``units`` in [start, end] on the staffing of ``lag`` months
    before, or None and the sentence why it cannot be fitted. Cached by components.caching (the fit is deterministic:
    fixed bootstrap seed), so a rerun does not refit it; one fit takes about 1.5 s on the sample hospital."""
    outcome_kpis = [OUTCOME, *[d.column for d in DRIVERS]]
    monthly = load_kpis(da, outcome_kpis, "M", follow_mergers)
    monthly = apply_filters(monthly, KpiFilters("M", start, end, units, follow_mergers))
    try:
        panel = outcome_panel({n: monthly.loc[monthly["kpi"] == n] for n in monthly["kpi"].unique()})
    except KeyError:
        return None, "No patient-experience scores are loaded."
    try:
        return fit_outcome_model(panel, lag=lag), ""
    except ValueError as error:
        return None, str(error)


da = current_access()
st.title("Executive overview")
st.caption(
    "Hospital totals of your units, with the change against the prior period and the national benchmark where one "
    "is published. Definitions and sources: docs/kpis.md."
)

freq, follow = period_controls("exec")
everything = load_kpis(da, list(KPIS), freq, follow)
filters = scope_controls(da, "exec", everything, freq, follow)
frame = apply_filters(everything, filters)
record_filters("Executive overview", **filters.recorded())

for area in AREAS:
    names = [n for n, spec in KPIS.items() if spec.area == area]
    st.subheader(area)
    tiles(frame, names, freq)

st.divider()
st.subheader("Drivers")
choice = st.selectbox(
    "Explore a KPI by unit and role", list(KPIS), format_func=lambda n: KPIS[n].label, key="exec_driver"
)
spec = KPIS[choice]
rows = frame.loc[frame["kpi"] == choice]
if rows.dropna(subset=["value"]).empty:
    st.info(f"No {spec.label.lower()} figures in this range (or all groups are below the 5-person minimum).")
else:
    latest = rows.dropna(subset=["value"])["period"].max()
    trend_tab, drivers_tab, table_tab = st.tabs(["Trend by unit", f"By unit and role ({latest:%Y-%m})", "Table"])
    with trend_tab:
        bench = benchmark_for(benchmarks(), choice, TOTAL)
        trend_rows = rows if "system" not in rows or rows["system"].isna().all() else rows.iloc[0:0]
        st.plotly_chart(trend_figure(trend_rows, spec, bench), key="exec_trend")
    with drivers_tab:
        st.plotly_chart(drivers_figure(rows, spec, latest), key="exec_drivers")
    with table_tab:
        shown = rows.loc[rows["period"] == latest].drop(columns=["kpi"]).dropna(axis=1, how="all")
        st.dataframe(shown, hide_index=True, width="stretch")

st.divider()
st.subheader("Patient experience and staffing")
model, reason = outcome_model(da, filters.start, filters.end, filters.units, follow, DEFAULT_LAG)
same_month: OutcomeModel | None = None
if model is not None:
    same_month, _ = outcome_model(da, filters.start, filters.end, filters.units, follow, 0)
if model is None:
    st.info(md_escape(reason))
else:
    for sentence in model.sentences:
        st.markdown(f"- {sentence}")
    st.caption(
        f"{model.description} The drivers explain {model.r_squared:.0%} of the month-to-month variation left "
        f"within units ({model.n_responses:,} survey responses)."
    )
    st.warning(CAUTION, icon=":material/info:")
    with st.expander("Model details"):
        st.dataframe(model.coefficients, hide_index=True, width="stretch")
        if isinstance(same_month, OutcomeModel):
            st.caption(
                "Sensitivity check — the same model on the staffing of the same month (patients surveyed this "
                "month were partly cared for in it):"
            )
            st.dataframe(same_month.coefficients, hide_index=True, width="stretch")
        st.code(model.summary, language=None)

st.divider()
st.subheader("Board report")
scope = "all units" if len(filters.units) == len(da.visible_units()) else ", ".join(filters.units)
audited_download(
    "Download board report (XLSX)",
    lambda: board_report_xlsx(
        frame,
        benchmarks(),
        outcome=model,
        outcome_reason=reason,
        scope=f"{scope} · {filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d}",
        generated=datetime.now(),
    ),
    f"board_report_{pd.Timestamp.today():%Y%m%d}.xlsx",
    "board report",
    key="exec_board_report",
    filters=filters.recorded(),
    rows=len(frame),
)
st.caption(f"One sheet per area; the totals row is labelled '{TOTAL}'. Cells are written as values, never formulas.")
