"""Burnout by unit (department heads and executives): unit aggregates only, suppressed below 5 people.

Storyboard: as-of date -> unit x driver heatmap and table -> monthly trend. Every number comes from
``components.risk_views`` (cached by ``components.risk_cache``) through ``DataAccess.aggregate``; no individual
score reaches this page. Formulas: docs/risk_model.md.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components import risk_charts
from components.risk_cache import data_end, unit_summary_for, unit_trend_for
from components.session import current_access
from retention.attrition.dataset import monthly_as_of_dates
from retention.burnout import DRIVER_COLUMNS, driver_label

TREND_MONTHS = 12

da = current_access()
st.title("Burnout by unit")
st.caption(
    "Mean burnout index (0-100) of each unit's active staff and the drivers behind it. Units with fewer than 5 "
    "people are suppressed (and one more where needed so totals cannot reveal them). Individual scores are "
    "visible to HR only. Definitions and sources: docs/risk_model.md."
)
end = data_end(da)
if end is None:
    st.warning("No employees or timecards are loaded yet.")
    st.stop()
default_as_of = min(end + pd.Timedelta(days=1), pd.Timestamp(dt.date.today())).date()
as_of = pd.Timestamp(
    st.date_input("As of", value=default_as_of, max_value=dt.date.today(), key="unit_burnout_as_of")
).normalize()

with st.status("Computing unit burnout…", expanded=False) as status:
    bar = st.progress(0.0, text="Unit aggregates")
    summary = unit_summary_for(da, as_of)
    bar.progress(0.4, text="Monthly trend")
    months = tuple(monthly_as_of_dates(as_of - pd.DateOffset(months=TREND_MONTHS - 1), as_of))
    trend = unit_trend_for(da, months)
    bar.progress(1.0, text="Done")
    status.update(label="Unit burnout ready", state="complete")

st.subheader("Units and drivers")
st.plotly_chart(risk_charts.unit_driver_heatmap(summary), width="stretch", key="unit_heatmap")
table = summary.round(1).rename(columns={c: driver_label(c) for c in DRIVER_COLUMNS})
st.dataframe(table, hide_index=True, width="stretch")

st.subheader("Trend: monthly mean burnout index by unit")
st.plotly_chart(risk_charts.burnout_trend(trend), width="stretch", key="unit_trend")
