"""Board report: one sheet per area, values as written, and no cell a spreadsheet would execute."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analytics import board_report, kpis
from analytics.catalogue import compute_many
from analytics.outcomes import fit_outcome_model
from analytics.reference_benchmarks import load_benchmarks

HOSTILE_UNIT = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    employees = pd.DataFrame(
        {
            "employee_id": ["E1", "E2", "E3", "E4"],
            "first_name": ["+Ann", "Bob", "Cat", "Dan"],
            "last_name": ["Lee", "@Ng", "Diaz", "Oh"],
            "role": ["RN", "RN", "CNA", "RN"],
            "unit": [HOSTILE_UNIT, HOSTILE_UNIT, "B", "B"],
            "hire_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-03-01", "2024-01-01"]),
            "termination_date": pd.to_datetime([None, "2024-02-10", None, None]),
            "termination_reason": [None, "voluntary", None, None],
            "fte": [1.0, 0.9, 1.0, 0.5],
            "employment_type": ["staff"] * 4,
        }
    )
    requisitions = pd.DataFrame(
        {
            "requisition_id": ["R1", "R2"],
            "unit": [HOSTILE_UNIT, "B"],
            "role": ["RN", "RN"],
            "opened": pd.to_datetime(["2024-01-05", "2024-02-01"]),
            "filled": pd.to_datetime(["2024-03-01", None]),
            "status": ["filled", "open"],
            "fte": [1.0, 1.0],
        }
    )
    return {"employees": employees, "requisitions": requisitions}


def _workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_report_has_one_sheet_per_area_plus_summary_and_definitions(tables):
    frame = compute_many(["headcount", "turnover_rate", "vacancy_rate", "time_to_fill"], tables, "M")
    book = _workbook(board_report.board_report_xlsx(frame, load_benchmarks()))
    assert book.sheetnames == ["Summary", *board_report.AREAS, "Definitions"]


def test_no_cell_is_a_formula_and_hostile_text_is_neutralised(tables):
    frame = compute_many(["headcount", "turnover_rate", "vacancy_rate"], tables, "M")
    book = _workbook(board_report.board_report_xlsx(frame, load_benchmarks(), scope="=cmd|' /C calc'!A0"))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert "'" + HOSTILE_UNIT in texts
    assert HOSTILE_UNIT not in texts
    assert not any(t.startswith(("=", "+", "@")) for t in texts)


def test_summary_values_match_the_kpi_engine(tables):
    frame = compute_many(["headcount", "turnover_rate"], tables, "M")
    summary = board_report.latest_summary(frame, load_benchmarks())
    expected = kpis.turnover_rate(tables["employees"], "M")
    last = expected.loc[(expected["unit"] == "All") & (expected["role"] == "All")].iloc[-1]
    row = summary.set_index("kpi").loc["turnover_rate"]
    assert row["value"] == pytest.approx(last["value"])
    assert row["benchmark"] == pytest.approx(18.3)
    book = _workbook(board_report.board_report_xlsx(frame, load_benchmarks()))
    sheet = book["Summary"]
    header = [c.value for c in sheet[2]]
    values = {r[header.index("kpi")]: r[header.index("value")] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert values["turnover_rate"] == pytest.approx(last["value"])


def test_outcome_sheet_carries_sentences_and_caution(tables):
    rng = np.random.default_rng(1)
    panel = pd.DataFrame(
        {
            "unit": np.repeat([f"U{i}" for i in range(5)], 12),
            "period": np.tile(pd.date_range("2025-01-01", periods=12, freq="MS"), 5),
            "responses": rng.integers(12, 400, 60).astype(float),
            "patient_experience_score": rng.normal(70, 5, 60),
            "hppd": rng.uniform(6, 10, 60),
            "overtime_share": rng.uniform(0, 10, 60),
        }
    )
    model = fit_outcome_model(panel)
    data = board_report.board_report_xlsx(compute_many(["headcount"], tables, "M"), load_benchmarks(), outcome=model)
    cells = [c for row in _workbook(data)["Outcomes"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("not proof" in c for c in cells)
    assert any("95% CI" in c for c in cells)
