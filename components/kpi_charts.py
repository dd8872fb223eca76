"""Plotly figures for KPI pages: trend by unit with the benchmark, and drivers by unit and role."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from analytics.catalogue import KpiSpec
from analytics.kpis import TOTAL
from analytics.reference_benchmarks import Benchmark
from components.text import plot_text


@plot_text
def trend_figure(
    frame: pd.DataFrame, spec: KpiSpec, benchmark: Benchmark | None = None, role: str = TOTAL
) -> go.Figure:
    """Line per unit (and the total, bold) of ``spec`` over the periods in ``frame``; benchmark as a dashed line."""
    rows = frame.loc[(frame["kpi"] == spec.name) & (frame["role"] == role)].dropna(subset=["value"])
    fig = px.line(
        rows.sort_values("period"),
        x="period",
        y="value",
        color="unit",
        markers=True,
        labels={"value": f"{spec.label} ({spec.unit})", "period": "", "unit": "Unit"},
    )
    for trace in fig.data:
        if trace.name == TOTAL:
            trace.update(line={"width": 4, "color": "#222222"}, name="All (your units)")
    if benchmark is not None:
        fig.add_hline(
            y=benchmark.value,
            line_dash="dash",
            line_color="#c0392b",
            annotation_text=f"{benchmark.label} {benchmark.value:g}{benchmark.unit if benchmark.unit == '%' else ''}",
        )
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend_title_text="")
    return fig


@plot_text
def drivers_figure(frame: pd.DataFrame, spec: KpiSpec, period: pd.Timestamp) -> go.Figure:
    """Bars of ``spec`` for each unit in ``period``, split by role (where the KPI has roles)."""
    rows = frame.loc[
        (frame["kpi"] == spec.name) & (frame["period"] == period) & (frame["unit"] != TOTAL) & (frame["role"] != TOTAL)
    ].dropna(subset=["value"])
    if rows.empty:
        rows = frame.loc[(frame["kpi"] == spec.name) & (frame["period"] == period) & (frame["unit"] != TOTAL)].dropna(
            subset=["value"]
        )
    fig = px.bar(
        rows.sort_values(["unit", "role"]),
        x="unit",
        y="value",
        color="role",
        barmode="group",
        labels={"value": f"{spec.label} ({spec.unit})", "unit": "Unit", "role": "Role"},
    )
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


@plot_text
def readiness_figure(readiness: pd.DataFrame) -> go.Figure:
    """Horizontal bars: readiness (%) of each unit for each go-live, with a 100% target line."""
    rows = readiness.loc[(readiness["role"] == TOTAL) & (readiness["unit"] != TOTAL)].copy()
    rows["go-live"] = rows["system"].astype(str) + " · " + pd.to_datetime(rows["go_live"]).dt.strftime("%Y-%m-%d")
    fig = px.bar(
        rows.sort_values("go_live"),
        x="value",
        y="go-live",
        color="unit",
        barmode="group",
        orientation="h",
        labels={"value": "Staff trained before go-live (%)", "go-live": ""},
        range_x=[0, 100],
    )
    fig.add_vline(x=100, line_dash="dot", line_color="#2e7d32")
    fig.update_layout(
        height=max(300, 40 * rows["go-live"].nunique() + 120), margin={"l": 10, "r": 10, "t": 30, "b": 10}
    )
    return fig


@plot_text
def pipeline_figure(pipeline: pd.DataFrame) -> go.Figure:
    """Stacked bars of requisitions by unit, coloured by status, one facet per role."""
    fig = px.bar(
        pipeline,
        x="unit",
        y="requisitions",
        color="status",
        facet_col="role",
        facet_col_wrap=4,
        labels={"requisitions": "Requisitions", "unit": "Unit", "status": "Status"},
        category_orders={"status": ["open", "on_hold", "filled", "cancelled"]},
    )
    fig.update_layout(height=420, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig
