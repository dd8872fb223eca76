"""Labels and type lists that several packages share are declared once, in data_loaders.schema."""

from __future__ import annotations

import pandas as pd

from access import data_access
from analytics import catalogue, kpis, reference_benchmarks
from data_loaders import schema
from retention import unit_burnout
from retention.attrition import dataset


def test_the_total_label_is_one_constant_for_kpis_access_and_retention():
    assert kpis.TOTAL is schema.TOTAL
    assert data_access.TOTAL is schema.TOTAL
    assert unit_burnout.TOTAL is schema.TOTAL
    assert catalogue.KpiSpec("x", "X", "%", 0, "A", (), None, "").tile_role is schema.TOTAL
    assert reference_benchmarks.TOTAL is schema.TOTAL


def test_kpis_and_the_attrition_model_count_the_same_employment_types():
    assert kpis.EMPLOYED_TYPES is schema.EMPLOYED_TYPES
    employees = pd.DataFrame(
        {
            "employee_id": ["s", "p", "a", "t"],
            "unit": "A",
            "role": "RN",
            "employment_type": ["staff", "per_diem", "agency", "travel"],
            "hire_date": pd.Timestamp("2020-01-01"),
        }
    )
    counted = set(kpis.parse_employees(employees, kpis.EMPLOYED_TYPES)["employee_id"])
    modelled = set(employees.loc[employees["employment_type"].isin(dataset.EMPLOYED_TYPES), "employee_id"])
    assert counted == modelled == {"s", "p"}
