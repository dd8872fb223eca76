"""The aggregation engine of analytics.kpis: what finish keeps and drops, independent of any one KPI; the scope."""

from __future__ import annotations

import inspect

import pandas as pd

from analytics import kpis
from analytics.kpis import KPI_COLUMNS, TOTAL
from analytics.kpis.engine import KpiScope, finish


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


SCOPE_FIELDS = {"start", "end", "as_of", "units", "follow_mergers"}


def test_every_kpi_function_takes_the_scope_as_one_value_not_as_loose_keywords():
    kpi_functions = [f for f in vars(kpis).values() if callable(f) and "units" in getattr(f, "tables", ())]
    assert len(kpi_functions) >= 15
    for function in kpi_functions:
        parameters = inspect.signature(function).parameters
        assert not SCOPE_FIELDS & set(parameters), function.__name__
        assert "scope" in parameters or "options" in parameters, function.__name__


def test_the_scope_names_exactly_the_fields_the_kpis_share():
    assert set(inspect.signature(KpiScope).parameters) == SCOPE_FIELDS
