"""Labels and type lists that several packages share are declared once, in data_loaders.schema."""

from __future__ import annotations

import ast
from pathlib import Path

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


UI_PACKAGES = ("components", "app_pages")
"""Folders of UI code, which must name the total row by ``TOTAL`` and never spell its label."""


def _spelled_total_labels(root: Path) -> list[str]:
    """``file:line`` of every string literal equal to the total label (``schema.TOTAL``) in the UI packages."""
    found = []
    for package in UI_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, ast.Constant) and node.value == schema.TOTAL:
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_ui_code_names_the_total_row_by_the_shared_constant_not_by_spelling_its_label():
    root = Path(__file__).resolve().parents[1]
    assert all((root / package).is_dir() for package in UI_PACKAGES)
    assert _spelled_total_labels(root) == []


def test_the_label_scan_sees_a_spelled_total_label(tmp_path):
    (tmp_path / "components").mkdir()
    (tmp_path / "app_pages").mkdir()
    (tmp_path / "app_pages" / "page.py").write_text('role = "RN"\nunits = "all units"\nif role == "All":\n    pass\n')
    assert _spelled_total_labels(tmp_path) == ["app_pages/page.py:3"]


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
