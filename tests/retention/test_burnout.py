"""Burnout index: bounds, ramps, drivers and unit tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention.burnout import (
    DRIVER_COLUMNS,
    DRIVERS,
    burnout_index,
    patients_per_rn_excess,
    ramp,
    top_drivers,
    unit_driver_table,
)
from retention.features import FEATURES

FEATURE_NAMES = [d.feature for d in DRIVERS if d.feature in FEATURES]


def _calm() -> dict[str, object]:
    return {
        "overtime_hours_per_week_4w": 0.0,
        "long_shift_share_12w": 0.0,
        "quick_returns_4w": 0.0,
        "longest_run_days_12w": 3.0,
        "night_shift_share_12w": 0.0,
        "missed_break_share_12w": 0.0,
        "patients_per_rn_12w": 4.0,
        "unit_type": "med_surg",
        "sick_hours_per_week_12w": 0.0,
        "pto_not_taken_share_12w": 0.0,
        "pulse_score": 4.5,
        "pulse_change": 0.3,
        "training_courses_due": 0.0,
        "sleep_hours_4w": 8.0,
    }


def _worst() -> dict[str, object]:
    return {
        "overtime_hours_per_week_4w": 20.0,
        "long_shift_share_12w": 1.0,
        "quick_returns_4w": 8.0,
        "longest_run_days_12w": 9.0,
        "night_shift_share_12w": 1.0,
        "missed_break_share_12w": 1.0,
        "patients_per_rn_12w": 9.0,
        "unit_type": "med_surg",
        "sick_hours_per_week_12w": 10.0,
        "pto_not_taken_share_12w": 1.0,
        "pulse_score": 1.0,
        "pulse_change": -2.0,
        "training_courses_due": 6.0,
        "sleep_hours_4w": 4.0,
    }


def test_weights_sum_to_one():
    assert sum(d.weight for d in DRIVERS) == pytest.approx(1.0)


def test_calm_person_scores_zero_and_overloaded_person_scores_100():
    scored = burnout_index(pd.DataFrame([_calm(), _worst()], index=["calm", "worst"]))
    assert scored.loc["calm", "burnout_index"] == 0.0
    assert scored.loc["worst", "burnout_index"] == pytest.approx(100.0)
    assert scored.loc["worst", "band"] == "very high"
    assert scored["coverage"].tolist() == [1.0, 1.0]


def test_overtime_ramp_is_linear_between_thresholds():
    row = _calm() | {"overtime_hours_per_week_4w": 6.0}  # halfway to 12 h/week
    scored = burnout_index(pd.DataFrame([row]))
    assert scored.loc[0, "driver_overtime"] == pytest.approx(100 * 0.15 * 0.5)
    assert scored.loc[0, "burnout_index"] == pytest.approx(7.5)


def test_reversed_ramp_for_low_pulse_score_and_short_sleep():
    assert ramp(np.array([4.0, 3.5, 2.75, 2.0, 1.0]), 3.5, 2.0).tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    scored = burnout_index(pd.DataFrame([_calm() | {"sleep_hours_4w": 6.0}]))
    assert scored.loc[0, "driver_short_sleep"] == pytest.approx(100 * 0.04 * 0.5)


def test_patients_per_rn_measured_against_unit_type_ratio():
    frame = pd.DataFrame(
        {"patients_per_rn_12w": [3.0, 3.0, 7.0, 6.0], "unit_type": pd.array(["ICU", "med_surg", None, "other"])}
    )
    assert patients_per_rn_excess(frame).tolist() == [1.0, 0.0, 2.0, 1.0]


def test_patients_per_rn_baseline_is_the_staffing_standard_a_unit_type_is_staffed_to(monkeypatch):
    """One ratio table: a changed default standard (forecasting.staffing_standards) moves the burnout baseline."""
    from forecasting import staffing_standards

    icu = staffing_standards.DEFAULT_STANDARDS["ICU"].with_overrides(patients_per_rn=2.5)
    monkeypatch.setitem(staffing_standards.DEFAULT_STANDARDS, "ICU", icu)
    frame = pd.DataFrame({"patients_per_rn_12w": [3.0], "unit_type": pd.array(["ICU"])})
    assert patients_per_rn_excess(frame).tolist() == [0.5]


def test_missing_data_adds_nothing_and_lowers_coverage():
    row = {k: np.nan for k in _calm()} | {"overtime_hours_per_week_4w": 12.0, "unit_type": None}
    scored = burnout_index(pd.DataFrame([row]))
    assert scored.loc[0, "burnout_index"] == pytest.approx(15.0)
    assert scored.loc[0, "coverage"] == pytest.approx(0.15)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none()),
            min_size=len(FEATURE_NAMES),
            max_size=len(FEATURE_NAMES),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_index_stays_between_0_and_100_and_drivers_sum_to_it(rows):
    frame = pd.DataFrame(rows, columns=FEATURE_NAMES, dtype=float)
    frame["unit_type"] = "ICU"
    scored = burnout_index(frame)
    assert scored["burnout_index"].between(0, 100).all()
    np.testing.assert_allclose(scored[list(DRIVER_COLUMNS)].sum(axis=1), scored["burnout_index"], atol=1e-9)


def test_top_drivers_name_the_largest_contributions_in_words():
    row = _calm() | {"quick_returns_4w": 4.0, "overtime_hours_per_week_4w": 6.0}
    text = top_drivers(burnout_index(pd.DataFrame([row])), top=3)
    assert text.iloc[0] == "quick returns +12.0, overtime +7.5"


def test_unit_driver_table_means_sum_to_unit_index():
    frame = pd.DataFrame([_calm(), _worst(), _worst()])
    scored = burnout_index(frame)
    table = unit_driver_table(scored, pd.Series(["A", "A", "B"]))
    assert table.loc["A", "people"] == 2
    assert table.loc["A", "burnout_index"] == pytest.approx(50.0)
    assert table.loc["B", list(DRIVER_COLUMNS)].sum() == pytest.approx(table.loc["B", "burnout_index"])
