"""Attrition model: encoding, a planted signal, explanations, calibration on its training rows, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.attrition.model import coerce_target, fit_attrition_model


@pytest.fixture(scope="module")
def planted():
    """4,000 made-up employees whose log-odds of leaving = -2 + 0.15 x overtime - 0.1 x tenure + 0.5 if CNA."""
    rng = np.random.default_rng(7)
    n = 4000
    overtime = rng.gamma(2.0, 3.0, n)
    tenure = rng.exponential(5.0, n)
    role = rng.choice(["RN", "CNA", "LPN"], n, p=[0.6, 0.3, 0.1])
    logit = -2.0 + 0.15 * overtime - 0.1 * tenure + np.where(role == "CNA", 0.5, 0.0)
    left = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {
            "Employee ID": [f"E{i:05d}" for i in range(n)],
            "overtime": overtime,
            "tenure": tenure,
            "role": pd.array(role, dtype="string"),
            "hired": pd.Timestamp("2020-01-01"),
            "Left": np.where(left, "Yes", "No"),
        }
    )
    frame.loc[::10, "tenure"] = np.nan
    return frame


def test_recovers_sign_and_size_of_planted_coefficients(planted):
    model = fit_attrition_model(planted, "Left", id_columns=("Employee ID",))
    coef = model.coefficients
    assert coef.loc["overtime", "coef"] == pytest.approx(0.15, abs=0.03)
    assert coef.loc["overtime", "ci_low"] < coef.loc["overtime", "coef"] < coef.loc["overtime", "ci_high"]
    assert coef.loc["overtime", "ci_high"] - coef.loc["overtime", "ci_low"] < 0.06
    assert coef.loc["tenure", "coef"] == pytest.approx(-0.1, abs=0.03)
    assert coef.loc["role=CNA", "coef"] == pytest.approx(0.5, abs=0.2)
    assert coef.loc["role=CNA", "per"] == "CNA vs RN"
    assert "tenure missing" in coef.index  # missing values imputed, with an indicator
    assert model.ignored["Employee ID"] == "declared identifier"
    assert model.ignored["hired"].startswith("date column")


def test_predict_proba_gives_one_probability_per_row_even_for_unseen_levels(planted):
    model = fit_attrition_model(planted, "Left", id_columns=("Employee ID",))
    new = planted.head(3).assign(role=pd.array(["surgeon", None, "RN"], dtype="string"))
    new.index = ["a", "b", "c"]
    p = model.predict_proba(new)
    assert list(p.index) == ["a", "b", "c"]
    assert ((p > 0) & (p < 1)).all()
    rn = model.predict_proba(new.assign(role=pd.array(["RN"] * 3, dtype="string")))
    assert p["a"] == pytest.approx(rn["a"])  # an unseen level scores as the reference level


def test_missing_model_column_is_a_clear_error(planted):
    model = fit_attrition_model(planted, "Left", id_columns=("Employee ID",))
    with pytest.raises(ValueError, match="overtime"):
        model.predict_proba(planted.drop(columns=["overtime"]))


def test_contributions_add_up_to_the_log_odds(planted):
    model = fit_attrition_model(planted, "Left", id_columns=("Employee ID",))
    rows = planted.head(20)
    contrib = model.contributions(rows).sum(axis=1)
    at_means = model.params["(intercept)"] + float((model.design_means * model.params[model.design_means.index]).sum())
    p = model.predict_proba(rows)
    np.testing.assert_allclose(contrib + at_means, np.log(p / (1 - p)), atol=1e-9)


def test_drivers_rank_contributions_and_explain_them_in_words(planted):
    model = fit_attrition_model(planted, "Left", id_columns=("Employee ID",))
    row = planted.head(1).assign(overtime=30.0, tenure=0.5, role=pd.array(["CNA"], dtype="string"))
    drivers = model.drivers(row, top=3)
    assert drivers["feature"].tolist() == ["overtime", "tenure", "role"]
    assert (drivers["contribution"].diff().dropna() <= 0).all()
    assert drivers.loc[0, "text"].startswith("overtime 30.0 (typical")
    assert "raises the odds" in drivers.loc[0, "text"]
    assert "role = CNA (most common: RN)" in drivers.loc[2, "text"]
    calm = row.assign(overtime=0.0, tenure=20.0, role=pd.array(["RN"], dtype="string"))
    assert model.drivers(calm, direction="up").empty
    assert len(model.drivers(calm, direction="abs", top=2)) == 2


def test_target_words_are_read_and_unknown_words_rejected():
    assert coerce_target(pd.Series(["Left", "stayed", None, "YES"])).tolist()[:2] == [1.0, 0.0]
    assert coerce_target(pd.Series([True, False])).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="maybe"):
        coerce_target(pd.Series(["yes", "maybe"]))
    with pytest.raises(ValueError, match="0/1"):
        coerce_target(pd.Series([0, 2]))


def test_target_without_leavers_cannot_be_modelled():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "left": [0, 0, 0]})
    with pytest.raises(ValueError, match="both leavers and stayers"):
        fit_attrition_model(frame, "left")


def test_a_separated_input_gets_a_bounded_coefficient_and_nobody_scores_zero():
    frame = pd.DataFrame(
        {
            "on_leave": [1.0] * 20 + [0.0] * 80,
            "overtime": np.linspace(0, 10, 100),
            "left": [0] * 20 + [1, 0, 0, 0] * 20,  # nobody on leave ever leaves
        }
    )
    model = fit_attrition_model(frame, "left")
    assert abs(model.coefficients.loc["on_leave", "coef"]) < 3  # maximum likelihood runs off to -infinity here
    p = model.predict_proba(frame)
    assert p.min() > 0.01 and p.max() < 0.99


def test_a_gap_seen_only_among_a_few_stayers_does_not_score_zero():
    """35 rows without a value (like new hires with no shift yet), none of whom left: no indicator, median imputed."""
    rng = np.random.default_rng(4)
    overtime = rng.gamma(2.0, 3.0, 2000)
    left = rng.random(2000) < 1 / (1 + np.exp(-(-2.0 + 0.1 * overtime)))
    frame = pd.DataFrame({"overtime": overtime, "left": left})
    frame.loc[:34, "overtime"] = np.nan
    frame.loc[:34, "left"] = False
    model = fit_attrition_model(frame, "left")
    assert "overtime missing" not in model.coefficients.index
    p = model.predict_proba(frame)
    assert p.iloc[:35].min() > 0.5 * p.mean()


def test_scores_do_not_extrapolate_beyond_the_training_range(planted):
    model = fit_attrition_model(planted, "Left", id_columns=("Employee ID",))
    row = planted.head(1)
    extreme = model.predict_proba(row.assign(overtime=1e6)).iloc[0]
    at_max = model.predict_proba(row.assign(overtime=planted["overtime"].quantile(0.99))).iloc[0]
    assert extreme == pytest.approx(at_max) and extreme < 1


def test_a_nonnegative_input_is_held_at_zero_when_the_data_point_the_other_way(planted):
    model = fit_attrition_model(planted, "Left", id_columns=("Employee ID",), nonnegative=["tenure"])
    assert model.coefficients.loc["tenure", "coef"] == 0.0  # planted -0.1 per year
    assert model.coefficients.loc["tenure", "held_at_zero"]
    assert not model.coefficients.loc["overtime", "held_at_zero"]
    assert model.coefficients.loc["overtime", "coef"] == pytest.approx(0.15, abs=0.03)


def test_calibration_is_in_the_large_on_training_rows_only_as_maximum_likelihood_gives(planted):
    """What the docs claim about calibration and no more: the fitted mean equals the observed rate on the rows the
    model was fitted to (the intercept's score equation); later rows are measured in evaluation, not adjusted."""
    model = fit_attrition_model(planted, "Left", id_columns=("Employee ID",))
    observed = coerce_target(planted["Left"]).mean()
    assert model.predict_proba(planted).mean() == pytest.approx(observed, abs=1e-6)
    shifted = planted.assign(overtime=planted["overtime"] + 5)  # a different population: no longer matched
    assert model.predict_proba(shifted).mean() > observed + 0.05
