"""Ratio maths, staff on duty from shifts, usual pattern and gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecasting.staffing import (
    census_at_service_level,
    clock_hours,
    current_pattern,
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


def test_future_roster_shifts_are_the_schedule():
    shifts = pd.DataFrame(
        [
            _shift("2026-03-02 07:00", "2026-03-02 19:00"),
            _shift("2026-03-09 07:00", "2026-03-09 15:00", status="scheduled"),
        ]
    )
    hours = pd.date_range("2026-03-09", periods=24, freq="h")
    schedule = scheduled_staff(shifts, hours)
    assert schedule.source.startswith("published roster until 2026-03-09 15:00")
    assert schedule.on_duty["RN"].sum() == 8


def test_night_shift_started_before_the_first_forecast_hour_counts_for_the_hours_it_covers():
    shifts = pd.DataFrame(
        [
            _shift("2026-03-09 19:00", "2026-03-10 07:00"),  # timecard of the night in progress
            _shift("2026-03-10 07:00", "2026-03-10 19:00", status="scheduled", employee="e2"),
        ]
    )
    hours = pd.date_range("2026-03-10", periods=24, freq="h")
    on_duty = scheduled_staff(shifts, hours).on_duty["RN"]
    assert on_duty.iloc[:19].tolist() == [1.0] * 19  # 00:00-06:59 the night nurse, 07:00-18:59 the day nurse
    assert on_duty.iloc[19:].isna().all()  # after the roster ends at 19:00: not yet scheduled


def test_hours_after_the_published_roster_are_not_yet_scheduled_not_short():
    hours = pd.date_range("2026-03-09", periods=24, freq="h")
    shifts = pd.DataFrame([_shift("2026-03-09 00:00", "2026-03-09 12:00", status="scheduled")])
    needed = pd.DataFrame({"RN": 2, "CNA": 0}, index=hours)
    gaps = staffing_gaps(needed, scheduled_staff(shifts, hours).on_duty)
    summary = gap_summary(gaps).loc["RN"]
    assert summary["scheduled_hours"] == 12
    assert summary["understaffed_hours"] == 12  # one nurse of two in the rostered hours
    assert summary["staff_hours_short"] == 12
    assert summary["not_yet_scheduled_hours"] == 12
    assert summary["staff_hours_to_schedule"] == 24
    assert gaps["not_yet_scheduled"].sum() == 12


def test_without_any_shift_in_the_forecast_every_hour_is_not_yet_scheduled():
    shifts = pd.DataFrame([_shift("2026-03-02 07:00", "2026-03-02 19:00")])
    hours = pd.date_range("2026-03-09", periods=48, freq="h")
    schedule = scheduled_staff(shifts, hours)
    assert schedule.published_until is None
    assert schedule.not_yet_scheduled.all()
    summary = gap_summary(staffing_gaps(pd.DataFrame({"RN": 3}, index=hours), schedule.on_duty)).loc["RN"]
    assert summary["understaffed_hours"] == 0
    assert summary["staff_hours_to_schedule"] == 3 * 48


def test_a_timecard_replaces_the_roster_shift_of_the_same_person():
    shifts = pd.DataFrame(
        [
            _shift("2026-03-09 07:00", "2026-03-09 19:00", status="scheduled"),
            _shift("2026-03-09 06:45", "2026-03-09 19:30"),  # the same nurse's timecard
            _shift("2026-03-09 07:00", "2026-03-09 19:00", status="scheduled", employee="e2"),
        ]
    )
    on_duty = scheduled_staff(shifts, pd.date_range("2026-03-09", periods=24, freq="h")).on_duty["RN"]
    assert on_duty.sum() == pytest.approx(12.75 + 12)


def test_fall_back_night_is_13_hours_and_spring_forward_night_11():
    shifts = pd.DataFrame(
        [
            _shift("2026-10-31 19:00", "2026-11-01 07:00"),
            _shift("2026-03-07 19:00", "2026-03-08 07:00"),
            _shift("2026-03-02 19:00", "2026-03-03 07:00"),
        ]
    )
    assert clock_hours(shifts, "America/New_York").tolist() == [13.0, 11.0, 12.0]


def _nights(first: str, days: int, **extra) -> pd.DataFrame:
    starts = pd.date_range(first, periods=days, freq="D") + pd.Timedelta(hours=19)
    return pd.DataFrame(
        [{**_shift(str(s), str(s + pd.Timedelta(hours=12)), employee=f"e{i}"), **extra} for i, s in enumerate(starts)]
    )


def test_current_paid_hours_over_the_fall_back_week_count_the_13_hour_night():
    shifts = _nights("2026-10-26", 7).drop(columns="overtime_hours")  # Mon-Sun nights, no hours column
    current = current_pattern(shifts, pd.Timestamp("2026-11-02"), weeks=1, tz="America/New_York")
    assert current.paid_hours["RN"] == pytest.approx(6 * 12 + 13)
    assert current.coverage["RN"].sum() == pytest.approx(7 * 12)  # one staff per local clock hour
    assert current.weeks == 1


def test_current_paid_hours_over_the_spring_forward_week_count_the_11_hour_night():
    shifts = _nights("2026-03-02", 7).drop(columns="overtime_hours")
    current = current_pattern(shifts, pd.Timestamp("2026-03-09"), weeks=1, tz="America/New_York")
    assert current.paid_hours["RN"] == pytest.approx(6 * 12 + 11)


def test_current_pattern_uses_worked_timecards_and_their_own_overtime_not_the_roster():
    worked = _nights("2026-03-02", 14, overtime_hours=1.5)
    roster = _nights("2026-03-16", 7).assign(status="scheduled", overtime_hours=5.0)
    padded = pd.concat([worked, roster, roster.assign(employee_id="x")], ignore_index=True)
    current = current_pattern(padded, pd.Timestamp("2026-03-16"), weeks=2, tz="America/New_York")
    assert current.paid_hours["RN"] == pytest.approx((13 * 12 + 11) / 2)  # 2026-03-08 is the spring-forward night
    assert current.overtime_hours["RN"] == pytest.approx(14 * 1.5 / 2)
    assert current.shifts["RN"] == 14


def test_gaps_count_understaffed_and_overstaffed_hours():
    index = pd.date_range("2026-03-09", periods=3, freq="h")
    needed = pd.DataFrame({"RN": [2, 2, 2], "CNA": [1, 1, 1]}, index=index)
    scheduled = pd.DataFrame({"RN": [1.0, 2.0, 4.0], "CNA": [1.0, 1.0, 1.0]}, index=index)
    summary = gap_summary(staffing_gaps(needed, scheduled))
    assert summary.loc["RN"].to_dict() == {
        "scheduled_hours": 3.0,
        "understaffed_hours": 1.0,
        "staff_hours_short": 1.0,
        "overstaffed_hours": 1.0,
        "staff_hours_over": 2.0,
        "not_yet_scheduled_hours": 0.0,
        "staff_hours_to_schedule": 0.0,
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


def test_with_overrides_changes_only_the_named_fields_and_keeps_the_default():
    icu = standard_for("ICU")
    policy = icu.with_overrides(patients_per_rn=1, patients_per_cna=None)
    assert (policy.patients_per_rn, policy.patients_per_cna, policy.hppd) == (1, None, None)
    assert policy.rn_source == icu.rn_source and policy.unit_type == "ICU"
    assert policy.implied_hppd() == 24.0  # 24 h / 1 patient, no CNAs
    assert (icu.patients_per_rn, icu.patients_per_cna) == (2, 8)  # the shared default is not changed
    assert DEFAULT_STANDARDS["ICU"] is icu


@pytest.mark.parametrize(
    "changes",
    [{"patients_per_rn": 0}, {"patients_per_rn": -2}, {"patients_per_cna": 0}, {"hppd": -1}, {"rn_share": 1.5}],
)
def test_with_overrides_refuses_a_rule_that_cannot_staff_a_unit(changes):
    """0 patients per RN would divide by zero deep inside the plan; the page shows this sentence instead."""
    [field] = changes
    with pytest.raises(ValueError, match=field):
        standard_for("med_surg").with_overrides(**changes)


def test_with_overrides_names_an_unknown_field():
    with pytest.raises(TypeError, match="patients_per_lpn"):
        standard_for("ICU").with_overrides(patients_per_lpn=3)
