"""The aggregation engine of analytics.kpis: what finish keeps and drops, independent of any one KPI."""

from __future__ import annotations

import pandas as pd

from analytics.kpis import KPI_COLUMNS, TOTAL
from analytics.kpis.engine import finish


def _rows(**extra: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-01-01"]),
            "unit": ["A", TOTAL],
            "role": ["RN", TOTAL],
            "value": [1.0, 2.0],
            "numerator": [1.0, 2.0],
            "denominator": [1.0, 1.0],
            "people": [1, 2],
            "num": [1.0, 2.0],
            **extra,
        }
    )


def test_finish_keeps_the_extra_columns_its_caller_names_after_the_kpi_columns():
    out = finish(_rows(shift=["day", "night"], system=["EMR", "EMR"]), "M", extra_columns=["shift"])
    assert list(out.columns) == [*KPI_COLUMNS, "shift"]
    assert out["shift"].tolist() == ["day", "night"]


def test_finish_drops_columns_no_caller_asked_for_whatever_their_name():
    out = finish(_rows(system=["EMR", "EMR"], go_live=pd.to_datetime(["2025-01-10"] * 2)), "M")
    assert list(out.columns) == KPI_COLUMNS
