"""Ratio maths, staff on duty from shifts, usual pattern and gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecasting.staffing import (
    census_at_service_level,
    gap_summary,
    hourly_from_daily,
    scheduled_staff,
    staff_needed,
    staff_on_duty,
    staffing_gaps,
    usual_pattern,
    weekday_hour_table,
)
from forecasting.staffing_standards import DEFAULT_STANDARDS, standard_for

ICU = DEFAULT_STANDARDS["ICU"]
MED_SURG = DEFAULT_STANDARDS["med_surg"]


def _shift(start: str, end: str, role: str = "RN", status: str = "worked", employee: str = "e1") -> dict:
    return {
        "employee_id": employee,
        "start": pd.Timestamp(start),
        "end": pd.Timestamp(end),
        "role": role,
        "status": status,
        "overtime_hours": 0.0,
    }


def test_icu_needs_one_rn_per_two_patients_rounded_up():
    needed = staff_needed(pd.Series([0.0, 1.0, 2.0, 3.0, 10.0]), ICU)
    assert needed["RN"].tolist() == [0, 1, 1, 2, 5]


def test_med_surg_ratio_and_cna_policy():
    needed = staff_needed(pd.Series([25.0, 26.0]), MED_SURG)
    assert needed["RN"].tolist() == [5, 6]
    assert needed["CNA"].tolist() == [4, 4]


def test_ratio_implied_hppd_for_med_surg_is_7_8_hours():
    assert MED_SURG.implied_hppd() == pytest.approx(24 / 5 + 24 / 8)


def test_hppd_target_overrides_ratios():
    rule = MED_SURG.with_overrides(hppd=12.0, rn_share=0.5)
    needed = staff_needed(pd.Series([20.0]), rule)  # 20 x 12 / 24 = 10 nursing staff, half RN
    assert needed[["RN", "CNA"]].iloc[0].tolist() == [5, 5]


def test_unknown_unit_type_gets_med_surg_ratio():
    assert standard_for("quantum_ward").patients_per_rn == 5
    assert standard_for(None).patients_per_rn == 5


@given(st.lists(st.floats(min_value=0, max_value=300), min_size=1, max_size=30))
def test_needed_rns_always_cover_the_ratio(census):
    needed = staff_needed(pd.Series(census), ICU)["RN"].to_numpy()
    assert (needed * ICU.patients_per_rn >= np.asarray(census) - 1e-6).all()
    assert ((needed - 1) * ICU.patients_per_rn < np.asarray(census) + 1e-6).all()


def test_service_level_picks_the_percentile_column():
    forecast = pd.DataFrame({"mean": [10.0], "p80": [12.0], "p95": [15.0]})
    assert census_at_service_level(forecast, "p95").iloc[0] == 15
    with pytest.raises(ValueError, match="Service level"):
        census_at_service_level(forecast, "p99")


def test_night_shift_counts_in_both_days_and_partial_hours():
    shifts = pd.DataFrame([_shift("2026-03-02 19:00", "2026-03-03 07:30")])
    hours = pd.date_range("2026-03-02 18:00", "2026-03-03 08:00", freq="h")
    on_duty = staff_on_duty(shifts, hours)["RN"]
    assert on_duty[pd.Timestamp("2026-03-02 18:00")] == 0
    assert on_duty[pd.Timestamp("2026-03-02 23:00")] == 1
    assert on_duty[pd.Timestamp("2026-03-03 00:00")] == 1
    assert on_duty[pd.Timestamp("2026-03-03 07:00")] == 0.5
    assert on_duty.sum() == 12.5


def test_shift_overlapping_fall_back_night_covers_each_local_hour_once():
    shifts = pd.DataFrame([_shift("2026-10-31 19:00", "2026-11-01 07:00")])
    hours = pd.date_range("2026-10-31 19:00", periods=12, freq="h")
    assert staff_on_duty(shifts, hours)["RN"].tolist() == [1.0] * 12


def test_usual_pattern_averages_weekday_hours_over_the_window():
    shifts = pd.DataFrame(
        [
            _shift("2026-02-23 07:00", "2026-02-23 19:00"),  # a Monday
            _shift("2026-02-23 07:00", "2026-02-23 19:00", employee="e2"),
            _shift("2026-03-02 07:00", "2026-03-02 19:00"),  # the next Monday, one nurse
        ]
    )
    pattern = usual_pattern(shifts, pd.Timestamp("2026-03-09"), weeks=2)
    assert pattern.loc[(0, 8), "RN"] == 1.5
    assert pattern.loc[(0, 20), "RN"] == 0
    assert len(pattern) == 168


def test_future_scheduled_shifts_are_preferred_over_the_usual_pattern():
    shifts = pd.DataFrame(
        [
            _shift("2026-03-02 07:00", "2026-03-02 19:00"),
            _shift("2026-03-09 07:00", "2026-03-09 15:00", status="scheduled"),
        ]
    )
    hours = pd.date_range("2026-03-09", periods=24, freq="h")
    scheduled, source = scheduled_staff(shifts, hours)
    assert source == "scheduled shifts"
    assert scheduled["RN"].sum() == 8


def test_without_future_shifts_the_usual_pattern_is_laid_onto_the_forecast_hours():
    shifts = pd.DataFrame([_shift("2026-03-02 07:00", "2026-03-02 19:00")])
    hours = pd.date_range("2026-03-09", periods=48, freq="h")
    scheduled, source = scheduled_staff(shifts, hours, weeks=1)
    assert source.startswith("usual pattern")
    assert scheduled["RN"].sum() == 12  # Monday only; Tuesday had no shifts


def test_gaps_count_understaffed_and_overstaffed_hours():
    index = pd.date_range("2026-03-09", periods=3, freq="h")
    needed = pd.DataFrame({"RN": [2, 2, 2], "CNA": [1, 1, 1]}, index=index)
    scheduled = pd.DataFrame({"RN": [1.0, 2.0, 4.0], "CNA": [1.0, 1.0, 1.0]}, index=index)
    summary = gap_summary(staffing_gaps(needed, scheduled))
    assert summary.loc["RN"].to_dict() == {
        "understaffed_hours": 1.0,
        "staff_hours_short": 1.0,
        "overstaffed_hours": 1.0,
        "staff_hours_over": 2.0,
    }
    assert summary.loc["CNA", "understaffed_hours"] == 0


def test_heatmap_table_is_hour_by_weekday():
    hours = pd.date_range("2026-03-09", periods=168 * 2, freq="h")  # two weeks from a Monday
    table = weekday_hour_table(pd.Series(np.asarray(hours.hour, dtype=float), index=hours))
    assert table.shape == (24, 7)
    assert table.loc[13, "Wed"] == 13


def test_daily_forecast_spreads_to_24_hours_a_day():
    daily = pd.DataFrame({"mean": [5.0, 7.0]}, index=pd.date_range("2026-03-09", periods=2, freq="D"))
    hourly = hourly_from_daily(daily)
    assert len(hourly) == 48
    assert hourly["mean"].iloc[30] == 7
