"""Data values in charts are text: Plotly's HTML subset (links, images via styles, bold) never renders from data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px

from components import kpi_charts, risk_charts
from components.text import escape_figure

HOSTILE = '<a href="http://127.0.0.1:9/phish">ICU</a>'


def test_escape_figure_escapes_categories_names_custom_data_and_facet_labels():
    frame = pd.DataFrame({"unit": [HOSTILE, "ED"], "role": ["<b>RN</b>", "RN"], "value": [1.0, 2.0]})
    figure = px.bar(frame, x="unit", y="value", color="unit", facet_col="role", custom_data=["unit"])
    escape_figure(figure)
    text = figure.to_json()
    assert "\\u003ca " not in text and "\\u003cb\\u003eRN" not in text  # Plotly's JSON writes "<" as \u003c
    assert "&lt;a href=" in text and "ICU&lt;" in text  # shown as text: Plotly decodes the entities
    assert [t.name for t in figure.data][:1] == ['&lt;a href="http://127.0.0.1:9/phish"&gt;ICU&lt;/a&gt;']


def test_numbers_and_dates_are_left_alone():
    figure = px.line(x=pd.date_range("2026-01-01", periods=3, freq="D"), y=np.array([1.0, 2.0, 3.0]))
    before = figure.to_json()
    assert escape_figure(figure).to_json() == before


def test_every_chart_builder_escapes_unit_ids():
    summary = pd.DataFrame(
        {"unit": [HOSTILE, "ED"], "people": [6, 7], "suppressed": [False, False], "burnout_index": [40.0, 30.0]}
        | {c: [1.0, 2.0] for c in risk_charts.DRIVER_COLUMNS}
    )
    built = risk_charts.unit_driver_heatmap(summary)
    assert not any("<" in label for label in built.data[0].y)
    assert any("&lt;a href" in label for label in built.data[0].y)
    assert kpi_charts.trend_figure.__wrapped__  # the builders are wrapped by components.text.plot_text


def test_titles_naming_a_unit_are_text():
    """The forecast chart's title names the unit (id and name): a hostile name must not become a link."""
    from components import forecast_charts

    history = pd.Series([3.0, 4.0], index=pd.date_range("2026-01-01", periods=2, freq="h"))
    forecast = pd.DataFrame(
        {c: [4.0, 5.0] for c in ("mean", "lo80", "hi80", "lo95", "hi95")},
        index=pd.date_range("2026-01-01 02:00", periods=2, freq="h"),
    )
    figure = forecast_charts.forecast_figure(history, forecast, f"{HOSTILE} – name")
    assert "<a" not in figure.layout.title.text and "&lt;a href=" in figure.layout.title.text
