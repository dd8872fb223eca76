"""The unit plan (forecast -> staffing -> pattern) and its XLSX workbook (the command: tests/cli)."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from forecasting.plan_export import build_unit_plan, plan_sheets, plan_workbook
from tests.test_shift_patterns import plan_coverage


def _census(unit: str = "ICU", weeks: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    hours = pd.date_range("2026-01-05", periods=weeks * 168, freq="h")
    values = rng.poisson(9 + 3 * np.sin(2 * np.pi * (hours.hour - 9) / 24)).astype(float)
    return pd.DataFrame({"unit": unit, "timestamp": hours, "census": values})


def _shifts(unit: str = "ICU") -> pd.DataFrame:
    days = pd.date_range("2026-01-05", periods=35, freq="D")
    rows = [
        {
            "employee_id": f'=HYPERLINK("x")-{d}-{k}',
            "unit": unit,
            "start": day + pd.Timedelta(hours=7 + 12 * k),
            "end": day + pd.Timedelta(hours=19 + 12 * k),
            "role": "RN",
            "status": "worked",
            "overtime_hours": 2.0 if k else 0.0,
        }
        for d, day in enumerate(days)
        for k in (0, 1)
        for _ in range(4)
    ]
    return pd.DataFrame(rows)


FAST = ("seasonal_naive", "fourier_regression")
"""Cheap candidates: these tests are about staffing and the pattern, not model choice."""


@pytest.fixture(scope="module")
def plan():
    return build_unit_plan(_census(), "ICU", "ICU", _shifts(), horizon_days=14, service_level="p80", candidates=FAST)


def test_plan_needs_follow_the_icu_ratio_of_the_p80_census(plan):
    expected = np.ceil(plan.hourly["p80"].to_numpy() / 2 - 1e-9)
    np.testing.assert_array_equal(plan.needed["RN"].to_numpy(), expected)


def test_recommended_pattern_covers_the_weekly_need_recomputed_from_its_rows(plan):
    rn = plan.plans["RN"]
    assert (plan_coverage(rn.plan) >= rn.need).all()


def test_current_four_nurse_pattern_comes_from_worked_timecards_with_their_overtime(plan):
    comparison = plan.comparisons["RN"]
    assert comparison.loc["paid hours per week", "current"] == pytest.approx(4 * 168)
    assert comparison.loc["overtime hours per week", "current"] == pytest.approx(4 * 2 * 7)
    assert plan.current.weeks == 5  # timecards start inside the 8-week window: counted from their first day


def test_after_the_last_timecard_the_forecast_hours_are_not_yet_scheduled_not_short(plan):
    # timecards end 2026-02-09 07:00 (the last night in progress at the first forecast hour 2026-02-09 00:00)
    summary = plan.summary.loc["RN"]
    assert plan.gaps.index[0] == pd.Timestamp("2026-02-09 00:00")
    assert summary["scheduled_hours"] == 7
    assert summary["not_yet_scheduled_hours"] == 14 * 24 - 7
    assert plan.gaps["RN_scheduled"].iloc[:7].tolist() == [4.0] * 7  # the 4 night nurses are counted
    assert summary["staff_hours_to_schedule"] == plan.needed["RN"].iloc[7:].sum()
    assert summary["understaffed_hours"] == (plan.needed["RN"].iloc[:7] > 4).sum()


def test_workbook_says_not_yet_scheduled_and_the_honest_pattern_like_the_page(plan):
    sheets = plan_sheets(plan)
    staffing = sheets["Staffing"]
    assert (staffing["schedule"] == "not yet scheduled").sum() == 14 * 24 - 7
    assert staffing.loc[staffing["schedule"] == "not yet scheduled", "RN_gap"].isna().all()
    notes = sheets["Notes"]
    assert plan.statements["RN"] in notes.loc[notes["item"] == "recommended pattern", "value"].tolist()
    assert "hours not yet scheduled" in notes.loc[notes["item"] == "schedule", "value"].iloc[0]
    comparison = sheets["Comparison"].set_index("measure")
    assert (comparison.loc["overtime hours removed per week", "recommended"] >= 0).all()  # RN and CNA


def test_staffing_is_capped_at_the_staffed_beds_and_the_hours_above_are_flagged():
    plan = build_unit_plan(_census(), "ICU", "ICU", _shifts(), horizon_days=7, candidates=FAST, beds=8)
    above = int((plan.hourly["p80"] > 8).sum())
    assert above > 0  # the fixture's p80 census peaks above 8 patients
    assert plan.capacity.hours_above["p80"] == above
    assert plan.needed["RN"].max() == 4  # 8 beds / 2 patients per RN, never more
    np.testing.assert_array_equal(plan.needed["RN"], np.ceil(np.minimum(plan.hourly["p80"], 8) / 2 - 1e-9))
    assert any("at most 8 patients" in m for m in plan.messages())
    assert plan_sheets(plan)["Forecast"]["census_staffed_for"].max() == 8


def test_plan_without_shifts_still_has_needs_and_pattern_but_no_comparison():
    plan = build_unit_plan(_census(), "ICU", "ICU", None, horizon_days=7, candidates=FAST)
    assert plan.scheduled is None
    assert plan.comparisons == {}
    assert "RN" in plan.plans


def test_workbook_has_every_sheet_and_no_formula_cells(plan):
    sheets = plan_sheets(plan)
    sheets["Notes"].loc[len(sheets["Notes"])] = ["message", "=1+1"]
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan)))
    assert book.sheetnames == ["Forecast", "Staffing", "Pattern", "Comparison", "Backtest", "Notes"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "@")))


def test_sample_hospital_icu_plan_through_the_data_access_layer(sample_engine):
    from access.data_access import DataAccess, UserContext

    da = DataAccess(sample_engine, UserContext("head", "dept_head", frozenset({"ICU"})))
    census = da.table("census", units=["ICU"])
    since = census["timestamp"].max() - pd.Timedelta(weeks=8, days=1)
    shifts = da.table("shifts", units=["ICU"], start=since)
    plan = build_unit_plan(census, "ICU", "ICU", shifts, horizon_days=7, candidates=FAST)
    assert plan.hourly.index[0] == census["timestamp"].max() + pd.Timedelta(hours=1)
    assert plan.schedule_source.startswith("published roster until")
    assert (plan_coverage(plan.plans["RN"].plan) >= plan.plans["RN"].need).all()
    assert plan.summary.loc["RN", "understaffed_hours"] <= plan.summary.loc["RN", "scheduled_hours"]
    # shifts in progress at the first forecast hour (a night that began the evening before) are counted for it
    first = plan.hourly.index[0]
    rn = shifts[shifts["role"] == "RN"]
    in_progress = rn.loc[(rn["start"] < first) & (rn["end"] > first), "employee_id"].nunique()
    assert plan.gaps["RN_scheduled"].iloc[0] >= in_progress
    everyone = shifts.loc[(shifts["start"] < first) & (shifts["end"] > first)]
    assert not everyone.empty  # the sample has someone on the night in progress (so the check above can fail)
