"""Plotly figures for demand forecasts, staffing gaps, peak heatmaps and shift patterns.

Pure figure builders (no Streamlit calls): each takes the frames computed in ``forecasting`` and
returns a ``plotly.graph_objects.Figure``; pages show them with ``st.plotly_chart``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.text import plot_text
from forecasting.shift_patterns import HOURS_PER_WEEK, WEEKDAYS

BAND_95 = "rgba(31, 119, 180, 0.15)"
BAND_80 = "rgba(31, 119, 180, 0.30)"
SHORT = "#d62728"
OVER = "#2ca02c"
NOT_YET = "#d9d9d9"


def _band(figure: go.Figure, index: pd.Index, low: pd.Series, high: pd.Series, colour: str, name: str) -> None:
    figure.add_trace(go.Scatter(x=index, y=high, line={"width": 0}, showlegend=False, hoverinfo="skip"))
    figure.add_trace(
        go.Scatter(x=index, y=low, line={"width": 0}, fill="tonexty", fillcolor=colour, name=name, hoverinfo="skip")
    )


@plot_text
def forecast_figure(
    history: pd.Series, forecast: pd.DataFrame, unit_label: str, history_days: int = 28, beds: float | None = None
) -> go.Figure:
    """History (last ``history_days`` days) and forecast mean with 80% and 95% prediction bands.

    ``history``: observed values on a DatetimeIndex (local time); ``forecast``: columns ``mean``,
    ``lo80``, ``hi80``, ``lo95``, ``hi95`` on the future local timestamps. ``beds``: staffed beds, drawn as a
    dashed line (``None``: no line).
    """
    recent = history[history.index >= history.index[-1] - pd.Timedelta(days=history_days)]
    figure = go.Figure()
    _band(figure, forecast.index, forecast["lo95"], forecast["hi95"], BAND_95, "95% interval")
    _band(figure, forecast.index, forecast["lo80"], forecast["hi80"], BAND_80, "80% interval")
    figure.add_trace(go.Scatter(x=recent.index, y=recent, name="Actual", line={"color": "#444", "width": 1}))
    figure.add_trace(go.Scatter(x=forecast.index, y=forecast["mean"], name="Forecast", line={"color": "#1f77b4"}))
    if beds is not None:
        figure.add_trace(
            go.Scatter(
                x=[recent.index[0], forecast.index[-1]],
                y=[beds, beds],
                name=f"staffed beds ({beds:g})",
                line={"color": SHORT, "dash": "dash", "width": 1},
            )
        )
    figure.update_layout(
        title=f"{unit_label}: patients present, history and forecast (local time)",
        yaxis_title="patients",
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.15},
        margin={"t": 50, "b": 10},
    )
    return figure


@plot_text
def staffing_gap_figure(gaps: pd.DataFrame, role: str) -> go.Figure:
    """Staff needed vs scheduled per hour for ``role`` with the gap as bars (red = short, green = over).

    ``gaps``: output of ``forecasting.staffing.staffing_gaps`` (columns ``<role>_needed``,
    ``<role>_scheduled``, ``<role>_gap``, ``not_yet_scheduled``). Hours not yet scheduled have no bar and are
    shaded grey, labelled "not yet scheduled": they are not short.
    """
    gap = gaps[f"{role}_gap"]
    figure = go.Figure()
    if "not_yet_scheduled" in gaps and gaps["not_yet_scheduled"].any():
        open_hours = gaps.index[gaps["not_yet_scheduled"].to_numpy()]
        figure.add_vrect(
            x0=open_hours[0],
            x1=open_hours[-1] + pd.Timedelta(hours=1),
            fillcolor=NOT_YET,
            opacity=0.5,
            line_width=0,
            annotation_text="not yet scheduled",
            annotation_position="top left",
        )
    figure.add_trace(
        go.Bar(x=gaps.index, y=gap, name="scheduled − needed", marker_color=np.where(gap < 0, SHORT, OVER), opacity=0.6)
    )
    figure.add_trace(
        go.Scatter(x=gaps.index, y=gaps[f"{role}_needed"], name="needed", line={"shape": "hv", "color": "#111"})
    )
    figure.add_trace(
        go.Scatter(
            x=gaps.index,
            y=gaps[f"{role}_scheduled"],
            name="scheduled",
            line={"shape": "hv", "color": "#1f77b4", "dash": "dot"},
        )
    )
    figure.update_layout(
        title=f"{role}s on duty: needed vs scheduled per hour",
        yaxis_title=f"{role}s on duty",
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.15},
        margin={"t": 50, "b": 10},
    )
    return figure


@plot_text
def heatmap_figure(table: pd.DataFrame, title: str, value_label: str) -> go.Figure:
    """Hour (rows 0-23) x weekday (columns) heatmap, e.g. from ``staffing.weekday_hour_table``."""
    figure = go.Figure(
        go.Heatmap(
            z=table.to_numpy(),
            x=list(table.columns),
            y=[f"{h:02d}:00" for h in table.index],
            colorscale="YlOrRd",
            colorbar={"title": value_label},
            hovertemplate="%{x} %{y}: %{z:.1f}<extra></extra>",
        )
    )
    figure.update_layout(title=title, yaxis={"autorange": "reversed"}, margin={"t": 50, "b": 10})
    return figure


@plot_text
def pattern_figure(need: np.ndarray, recommended: np.ndarray, current: np.ndarray | None, role: str) -> go.Figure:
    """Staff on duty over the 168 hours of the planning week: need, recommended pattern, current pattern."""
    labels = [f"{WEEKDAYS[h // 24]} {h % 24:02d}:00" for h in range(HOURS_PER_WEEK)]
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=labels, y=need, name="needed", line={"shape": "hv", "color": "#111"}))
    figure.add_trace(
        go.Scatter(x=labels, y=recommended, name="recommended pattern", line={"shape": "hv", "color": "#2ca02c"})
    )
    if current is not None:
        figure.add_trace(
            go.Scatter(x=labels, y=current, name="current pattern", line={"shape": "hv", "color": "#ff7f0e"})
        )
    figure.update_layout(
        title=f"{role}s on duty over the planning week",
        yaxis_title=f"{role}s on duty",
        xaxis={"tickmode": "array", "tickvals": labels[::24], "ticktext": list(WEEKDAYS)},
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.15},
        margin={"t": 50, "b": 10},
    )
    return figure
