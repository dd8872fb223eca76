"""What-if levers edit a unit's features under their stated assumptions and re-score burnout and exits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.attrition.model import fit_attrition_model
from retention.whatif import ASSUMPTIONS, apply_levers, simulate_unit


def _features() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": pd.array(["ICU", "ICU", "ED"], dtype="string"),
            "unit_type": pd.array(["ICU", "ICU", "ED"], dtype="string"),
            "hours_per_week_4w": [52.0, 40.0, 36.0],
            "hours_per_week_12w": [50.0, 40.0, 36.0],
            "overtime_hours_per_week_4w": [12.0, 0.0, 0.0],
            "overtime_hours_per_week_12w": [10.0, 0.0, 0.0],
            "quick_returns_4w": [3.0, 1.0, 0.0],
            "quick_returns_12w": [6.0, 2.0, 0.0],
            "patients_per_rn_12w": [3.0, 3.0, 5.0],
        },
        index=pd.Index(["a", "b", "c"], name="employee_id"),
    )


def test_overtime_cap_removes_hours_above_the_cap():
    out = apply_levers(_features(), overtime_cap=4.0)
    assert out["overtime_hours_per_week_4w"].tolist() == [4.0, 0.0, 0.0]
    assert out["hours_per_week_4w"].tolist() == [44.0, 40.0, 36.0]
    assert out["overtime_hours_per_week_12w"].tolist() == [4.0, 0.0, 0.0]


def test_removing_quick_returns_sets_them_to_zero():
    out = apply_levers(_features(), remove_quick_returns=True)
    assert out["quick_returns_4w"].tolist() == [0.0, 0.0, 0.0]


def test_staffing_increase_divides_patients_per_rn_and_absorbs_overtime_first():
    features = _features().iloc[:2]  # ICU: 92 h/week worked (4w), 12 h/week overtime
    out = apply_levers(features, staffing_increase_pct=10.0)
    assert out["patients_per_rn_12w"].tolist() == pytest.approx([3.0 / 1.1, 3.0 / 1.1])
    # 10% of 92 h = 9.2 h of added regular time replaces 9.2 of the 12 overtime hours.
    assert out["overtime_hours_per_week_4w"].tolist() == pytest.approx([12.0 - 9.2, 0.0])
    big = apply_levers(features, staffing_increase_pct=50.0)
    assert big["overtime_hours_per_week_4w"].tolist() == [0.0, 0.0]


def test_negative_levers_are_refused():
    with pytest.raises(ValueError, match="cap"):
        apply_levers(_features(), overtime_cap=-1)
    with pytest.raises(ValueError, match="staffing"):
        apply_levers(_features(), staffing_increase_pct=-5)


def test_simulation_reports_burnout_and_expected_exits_for_the_unit():
    rng = np.random.default_rng(1)
    train = pd.DataFrame(
        {
            "overtime_hours_per_week_4w": rng.uniform(0, 15, 600),
            "quick_returns_4w": rng.integers(0, 5, 600).astype(float),
        }
    )
    logit = -2.5 + 0.15 * train["overtime_hours_per_week_4w"] + 0.3 * train["quick_returns_4w"]
    train["left"] = rng.random(600) < 1 / (1 + np.exp(-logit))
    model = fit_attrition_model(train, "left")
    result = simulate_unit(_features(), "ICU", model, overtime_cap=0.0, remove_quick_returns=True)
    assert result.employees == 2
    assert result.burnout_after < result.burnout_before
    assert result.exits_change < 0
    assert result.expected_exits_before == pytest.approx(model.predict_proba(_features().iloc[:2]).sum())
    assert result.assumptions == (ASSUMPTIONS["overtime_cap"], ASSUMPTIONS["remove_quick_returns"])


def test_unknown_unit_is_an_error_and_no_model_means_no_exits():
    with pytest.raises(ValueError, match="no active employees"):
        simulate_unit(_features(), "OR")
    result = simulate_unit(_features(), "ED", staffing_increase_pct=10.0)
    assert np.isnan(result.expected_exits_before)
    assert result.burnout_after < result.burnout_before  # ED runs 5 patients per RN against a standard of 4
    assert np.isnan(result.expected_exits_after) and np.isnan(result.exits_change)  # unknown, not zero
