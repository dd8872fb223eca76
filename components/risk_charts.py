"""Plotly figures for the retention-risk page: distribution, unit x driver heatmap, trend, calibration, coefficients.

Each function takes the frames produced by ``forecasting`` / ``components.risk_views`` and returns a
``plotly.graph_objects.Figure``; none computes a number the page shows, they only draw.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.text import plot_text
from data_loaders.schema import TOTAL
from retention.attrition import Evaluation
from retention.burnout import BANDS, DRIVER_COLUMNS, driver_label

BAND_COLOURS = {"low": "#4c9f70", "moderate": "#e0b43c", "high": "#e07b39", "very high": "#c0392b"}


@plot_text
def risk_distribution(scored: pd.DataFrame) -> go.Figure:
    """Histogram of the burnout index (0-100, 5-point bins) coloured by band. ``scored``: burnout_index output."""
    fig = go.Figure()
    edges = [b for b, _ in BANDS] + [100.0001]
    for (low, name), high in zip(BANDS, edges[1:], strict=True):
        values = scored.loc[(scored["burnout_index"] >= low) & (scored["burnout_index"] < high), "burnout_index"]
        fig.add_trace(
            go.Histogram(
                x=values,
                xbins={"start": 0, "end": 100.0001, "size": 5},
                name=f"{name} ({low:.0f}+)",
                marker_color=BAND_COLOURS[name],
            )
        )
    fig.update_layout(
        barmode="stack",
        xaxis_title="Burnout index (0-100)",
        yaxis_title="Employees",
        xaxis_range=[0, 100],
        height=320,
        margin={"t": 30, "b": 40},
    )
    return fig


@plot_text
def unit_driver_heatmap(summary: pd.DataFrame) -> go.Figure:
    """Units (rows) x drivers (columns), mean points of the burnout index; suppressed units shown blank.

    ``summary``: :func:`components.risk_views.unit_burnout_summary` output.
    """
    rows = summary.sort_values("burnout_index", ascending=False, na_position="last")
    z = rows[list(DRIVER_COLUMNS)].to_numpy(dtype=float)
    labels = [driver_label(c) for c in DRIVER_COLUMNS]
    units = [
        f"{u} (suppressed: < 5 people)" if s else f"{u} · index {b:.0f}"
        for u, s, b in zip(rows["unit"], rows["suppressed"], rows["burnout_index"].fillna(np.nan), strict=True)
    ]
    text = np.where(np.isnan(z), "", np.vectorize(lambda v: f"{v:.1f}")(np.nan_to_num(z)))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=units,
            text=text,
            texttemplate="%{text}",
            colorscale="OrRd",
            zmin=0,
            colorbar={"title": "points"},
            hovertemplate="%{y}<br>%{x}: %{z:.1f} points<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(300, 28 * len(units) + 120),
        yaxis={"autorange": "reversed"},
        xaxis_title="Driver (mean points of the index)",
        margin={"t": 30},
    )
    return fig


@plot_text
def burnout_trend(trend: pd.DataFrame) -> go.Figure:
    """Monthly mean burnout index per unit (lines); the line of all units (unit ``TOTAL``) is dashed.

    ``trend``: :func:`components.risk_views.unit_burnout_trend` output (suppressed points are gaps).
    """
    fig = go.Figure()
    for unit, rows in trend.sort_values("period").groupby("unit", sort=True):
        is_all = unit == TOTAL
        fig.add_trace(
            go.Scatter(
                x=rows["period"],
                y=rows["burnout_index"],
                mode="lines+markers",
                name=str(unit),
                line={"dash": "dash", "width": 3, "color": "black"} if is_all else {"width": 1.5},
                connectgaps=False,
            )
        )
    fig.update_layout(
        xaxis_title="As of (first day of month)", yaxis_title="Mean burnout index", height=380, margin={"t": 30}
    )
    return fig


@plot_text
def calibration_chart(model: Evaluation, baseline: Evaluation, horizon_months: int | None = 12) -> go.Figure:
    """Reliability curve: mean predicted vs observed exit rate per bin, model vs overtime-only baseline."""
    fig = go.Figure()
    top = float(
        max(
            model.calibration[["mean_predicted", "observed_rate"]].to_numpy().max(),
            baseline.calibration[["mean_predicted", "observed_rate"]].to_numpy().max(),
            0.05,
        )
    )
    fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", name="perfect calibration", line={"dash": "dot"}))
    for name, ev in (("model", model), ("overtime-only baseline", baseline)):
        fig.add_trace(
            go.Scatter(
                x=ev.calibration["mean_predicted"],
                y=ev.calibration["observed_rate"],
                mode="lines+markers",
                name=f"{name} (AUC {ev.auc:.2f}, Brier {ev.brier:.3f})",
                customdata=ev.calibration["n"],
                hovertemplate="predicted %{x:.1%}<br>observed %{y:.1%}<br>%{customdata} rows<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis_title=f"Mean predicted probability of a voluntary exit within {horizon_months} months",
        yaxis_title="Observed exit rate",
        xaxis_tickformat=".0%",
        yaxis_tickformat=".0%",
        height=380,
        margin={"t": 30},
    )
    return fig


@plot_text
def coefficient_chart(coefficients: pd.DataFrame) -> go.Figure:
    """Odds ratios with confidence intervals (log axis), one row per model feature (intercept left out)."""
    rows = coefficients[coefficients["kind"] != "intercept"].sort_values("odds_ratio")
    labels = [f"{name} ({per})" for name, per in zip(rows.index, rows["per"], strict=True)]
    fig = go.Figure(
        go.Scatter(
            x=rows["odds_ratio"],
            y=labels,
            mode="markers",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": rows["or_ci_high"] - rows["odds_ratio"],
                "arrayminus": rows["odds_ratio"] - rows["or_ci_low"],
            },
            hovertemplate="%{y}<br>odds ratio %{x:.2f}<extra></extra>",
        )
    )
    fig.add_vline(x=1.0, line_dash="dot")
    fig.update_layout(
        xaxis_type="log",
        xaxis_title="Odds ratio of leaving (95% CI)",
        height=max(300, 24 * len(labels) + 100),
        margin={"t": 30},
    )
    return fig
