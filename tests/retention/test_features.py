"""Risk features on small hand-built timecards (America/New_York: DST 2026-03-08 and 2026-11-01)."""

from __future__ import annotations

import pandas as pd
import pytest

from retention.features import (
    FEATURES,
    compute_risk_features,
    daily_census,
    feature_panel,
    prepare_shifts,
    unit_patients_per_rn,
)

TZ = "America/New_York"


def _shifts(rows, employee="E1", unit="U1", **extra):
    frame = pd.DataFrame(
        {
            "employee_id": pd.array([employee] * len(rows), dtype="string"),
            "unit": pd.array([unit] * len(rows), dtype="string"),
            "start": pd.to_datetime([r[0] for r in rows]),
            "end": pd.to_datetime([r[1] for r in rows]),
        }
    )
    for name, values in extra.items():
        frame[name] = values
    return frame


def _employees(ids=("E1",), hire="2020-01-01", fte=1.0, unit="U1", **extra):
    frame = pd.DataFrame(
        {
            "employee_id": pd.array(list(ids), dtype="string"),
            "unit": pd.array([unit] * len(ids), dtype="string"),
            "hire_date": pd.to_datetime([hire] * len(ids)),
            "fte": [fte] * len(ids),
            "role": pd.array(["RN"] * len(ids), dtype="string"),
        }
    )
    for name, values in extra.items():
        frame[name] = values
    return frame


def test_quick_return_not_counted_at_exactly_11_hours():
    shifts = _shifts([("2026-05-04 07:00", "2026-05-04 19:00"), ("2026-05-05 06:00", "2026-05-05 18:00")])
    prepared = prepare_shifts(shifts, TZ)
    assert prepared["rest_hours"].iloc[1] == 11.0
    assert not prepared["quick_return"].iloc[1]


def test_quick_return_counted_at_10_hours_59_minutes():
    shifts = _shifts([("2026-05-04 07:00", "2026-05-04 19:01"), ("2026-05-05 06:00", "2026-05-05 18:00")])
    prepared = prepare_shifts(shifts, TZ)
    assert prepared["quick_return"].iloc[1]
    features = compute_risk_features({"employees": _employees(), "shifts": shifts}, "2026-05-10", tz=TZ)
    assert features.loc["E1", "quick_returns_4w"] == 1
    assert features.loc["E1", "quick_returns_12w"] == 1


def test_rest_across_spring_forward_is_real_elapsed_time():
    # 21:00 EST to 08:00 EDT looks like 11 h on the wall clock but is 10 h of real rest.
    shifts = _shifts([("2026-03-07 09:00", "2026-03-07 21:00"), ("2026-03-08 08:00", "2026-03-08 20:00")])
    prepared = prepare_shifts(shifts, TZ)
    assert prepared["rest_hours"].iloc[1] == pytest.approx(10.0)
    assert prepared["quick_return"].iloc[1]


def test_night_shift_lasts_11_hours_on_spring_forward_and_13_on_fall_back():
    shifts = _shifts([("2026-03-07 19:00", "2026-03-08 07:00"), ("2026-10-31 19:00", "2026-11-01 07:00")])
    prepared = prepare_shifts(shifts, TZ)
    assert prepared["duration_hours"].tolist() == [11.0, 13.0]
    assert prepared["night_hours"].tolist() == [6.0, 8.0]  # 23:00-06:00 is 6 h, then 8 h, of real time
    assert prepared["is_night"].all()


def test_night_shift_needs_three_hours_between_23_and_6():
    shifts = _shifts([("2026-05-04 20:00", "2026-05-05 02:00"), ("2026-05-06 21:00", "2026-05-07 01:59")])
    prepared = prepare_shifts(shifts, TZ)
    assert prepared["night_hours"].round(4).tolist() == [3.0, round(2 + 59 / 60, 4)]
    assert prepared["is_night"].tolist() == [True, False]


def test_early_morning_shift_counts_night_hours_before_6():
    shifts = _shifts([("2026-05-04 03:00", "2026-05-04 15:00")])
    assert prepare_shifts(shifts, TZ)["night_hours"].iloc[0] == 3.0


def test_consecutive_day_run_continues_across_month_end():
    days = ["2026-01-29", "2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02", "2026-02-04"]
    shifts = _shifts([(f"{d} 19:00", (pd.Timestamp(d) + pd.Timedelta(hours=31)).isoformat()) for d in days])
    features = compute_risk_features({"employees": _employees(), "shifts": shifts}, "2026-02-10", tz=TZ)
    assert features.loc["E1", "longest_run_days_12w"] == 5


def test_consecutive_day_run_ignores_two_shifts_on_one_day_and_is_zero_without_shifts():
    twice = [("2026-12-31 07:00", "2026-12-31 11:00"), ("2026-12-31 15:00", "2026-12-31 19:00")]
    shifts = _shifts([("2026-12-30 07:00", "2026-12-30 19:00"), *twice, ("2027-01-01 07:00", "2027-01-01 19:00")])
    employees = _employees(ids=("E1", "E2"))
    features = compute_risk_features({"employees": employees, "shifts": shifts}, "2027-01-10", tz=TZ)
    assert features.loc["E1", "longest_run_days_12w"] == 3
    assert features.loc["E2", "longest_run_days_12w"] == 0


def test_overtime_derived_from_hours_over_40_a_week_when_not_exported():
    # Four 12-hour shifts in one week = 48 h -> 8 h overtime in a 4-week window -> 2 h/week.
    days = ["2026-05-04", "2026-05-05", "2026-05-06", "2026-05-07"]
    shifts = _shifts([(f"{d} 07:00", f"{d} 19:00") for d in days])
    features = compute_risk_features({"employees": _employees(), "shifts": shifts}, "2026-05-25", tz=TZ)
    assert features.loc["E1", "hours_per_week_4w"] == pytest.approx(48 / 4)
    assert features.loc["E1", "overtime_hours_per_week_4w"] == pytest.approx(8 / 4)


def test_exported_overtime_hours_are_used_when_present():
    shifts = _shifts([("2026-05-04 07:00", "2026-05-04 19:00")], overtime_hours=[4.0])
    features = compute_risk_features({"employees": _employees(), "shifts": shifts}, "2026-05-25", tz=TZ)
    assert features.loc["E1", "overtime_hours_per_week_4w"] == pytest.approx(1.0)


def test_new_starter_rates_divide_by_weeks_employed():
    shifts = _shifts([("2026-05-18 07:00", "2026-05-18 19:00"), ("2026-05-20 07:00", "2026-05-20 19:00")])
    employees = _employees(hire="2026-05-11")
    features = compute_risk_features({"employees": employees, "shifts": shifts}, "2026-05-25", tz=TZ)
    assert features.loc["E1", "hours_per_week_4w"] == pytest.approx(24 / 2)  # employed 2 of the 4 weeks
    assert features.loc["E1", "tenure_years"] == pytest.approx(14 / 365.25)
    assert features.loc["E1", "new_starter"] == 1.0


def test_shares_of_long_weekend_and_missed_break_shifts():
    shifts = _shifts(
        [
            ("2026-05-02 07:00", "2026-05-02 19:00"),  # Saturday, 12 h
            ("2026-05-04 07:00", "2026-05-04 15:00"),  # Monday, 8 h
        ],
        missed_break=pd.array([True, False], dtype="boolean"),
    )
    features = compute_risk_features({"employees": _employees(), "shifts": shifts}, "2026-05-25", tz=TZ)
    row = features.loc["E1"]
    assert (row["long_shift_share_12w"], row["weekend_shift_share_12w"], row["missed_break_share_12w"]) == (
        0.5,
        0.5,
        0.5,
    )


def test_sick_episodes_are_runs_of_consecutive_sick_days_and_pto_shortfall_is_prorated():
    absences = pd.DataFrame(
        {
            "employee_id": pd.array(["E1"] * 5, dtype="string"),
            "date": pd.to_datetime(["2026-04-01", "2026-04-02", "2026-04-03", "2026-04-10", "2026-04-20"]),
            "hours": [12.0, 12.0, 12.0, 12.0, 120 * 12 / 52 / 2],
            "absence_type": pd.array(["sick", "sick", "sick", "sick", "PTO"], dtype="string"),
        }
    )
    features = compute_risk_features({"employees": _employees(), "absences": absences}, "2026-05-25", tz=TZ)
    row = features.loc["E1"]
    assert row["sick_episodes_12w"] == 2
    assert row["sick_hours_per_week_12w"] == pytest.approx(48 / 12)
    assert row["pto_not_taken_share_12w"] == pytest.approx(0.5)  # half of 120 h/year x 12/52 taken


def test_pulse_level_and_change_between_quarters():
    pulse = pd.DataFrame(
        {
            "respondent_id": pd.array(["E1"] * 4, dtype="string"),
            "unit": pd.array(["U1"] * 4, dtype="string"),
            "date": pd.to_datetime(["2026-01-15", "2026-02-01", "2026-04-15", "2026-05-01"]),
            "dimension": pd.array(["workload"] * 4, dtype="string"),
            "score": [4.0, 4.0, 3.0, 2.0],
        }
    )
    features = compute_risk_features({"employees": _employees(), "pulse_surveys": pulse}, "2026-05-25", tz=TZ)
    assert features.loc["E1", "pulse_score"] == 2.5
    assert features.loc["E1", "pulse_change"] == -1.5


def test_sleep_uses_consented_rows_only():
    wellbeing = pd.DataFrame(
        {
            "employee_id": pd.array(["E1", "E1"], dtype="string"),
            "date": pd.to_datetime(["2026-05-10", "2026-05-11"]),
            "sleep_hours": [5.0, 9.0],
            "consent": pd.array([True, False], dtype="boolean"),
        }
    )
    features = compute_risk_features({"employees": _employees(), "wellbeing": wellbeing}, "2026-05-25", tz=TZ)
    assert features.loc["E1", "sleep_hours_4w"] == 5.0


def test_training_due_and_go_live_within_four_weeks():
    training = pd.DataFrame(
        {
            "employee_id": pd.array(["E1"] * 3, dtype="string"),
            "course": pd.array(["A", "B", "C"], dtype="string"),
            "due_date": pd.to_datetime(["2026-05-01", "2026-06-10", "2026-08-01"]),
        }
    )
    rollouts = pd.DataFrame(
        {"system": pd.array(["EMR"], dtype="string"), "unit": pd.array(["U1"], dtype="string")},
    ).assign(go_live=pd.to_datetime(["2026-06-15"]))
    tables = {"employees": _employees(), "training": training, "tech_rollouts": rollouts}
    features = compute_risk_features(tables, "2026-05-25", tz=TZ)
    assert features.loc["E1", "training_courses_due"] == 2
    assert features.loc["E1", "go_live_near"] == 1


def test_patients_per_rn_is_patient_days_times_24_over_rn_hours():
    census = pd.DataFrame(
        {
            "unit": pd.array(["U1"] * 24, dtype="string"),
            "timestamp": pd.date_range("2026-05-04", periods=24, freq="h"),
            "census": [10.0] * 24,
        }
    )
    shifts = _shifts(
        [("2026-05-04 07:00", "2026-05-04 19:00")] * 1, role=pd.array(["RN"], dtype="string")
    )  # one RN for 12 h
    shifts = pd.concat([shifts] * 4, ignore_index=True)
    shifts["employee_id"] = pd.array(["E1", "E2", "E3", "E4"], dtype="string")
    ratio = unit_patients_per_rn(
        daily_census(census), prepare_shifts(shifts, TZ), pd.Timestamp("2026-05-01"), pd.Timestamp("2026-05-10")
    )
    assert ratio["U1"] == pytest.approx(10 * 24 / 48)


def test_only_employees_active_on_the_as_of_date_are_scored():
    employees = _employees(ids=("E1", "E2", "E3"))
    employees["termination_date"] = pd.to_datetime([pd.NaT, "2026-05-01", "2026-06-01"])
    employees.loc[2, "hire_date"] = pd.Timestamp("2026-05-01")
    features = compute_risk_features({"employees": employees}, "2026-05-25", tz=TZ)
    assert list(features.index) == ["E1", "E3"]
    assert list(features.columns[: len(FEATURES)]) == list(FEATURES)


def test_feature_panel_stacks_as_of_dates():
    shifts = _shifts([("2026-05-04 07:00", "2026-05-04 19:00")])
    panel = feature_panel({"employees": _employees(), "shifts": shifts}, ["2026-05-10", "2026-06-10"], tz=TZ)
    assert panel["as_of"].tolist() == [pd.Timestamp("2026-05-10"), pd.Timestamp("2026-06-10")]
    assert panel["hours_per_week_4w"].tolist() == [3.0, 0.0]
