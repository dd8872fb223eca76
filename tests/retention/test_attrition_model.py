"""Attrition model: encoding, a planted signal, explanations, evaluation metrics and the time split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.attrition import (
    attrition_dataset,
    brier_score,
    calibration_table,
    coerce_target,
    evaluate_time_split,
    fit_app_model,
    fit_attrition_model,
    model_columns,
    roc_auc,
    voluntary_exit_labels,
)


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


def test_auc_equals_the_hand_counted_share_of_correctly_ordered_pairs():
    # pairs (event, non-event): (0.35 vs 0.1) yes, (0.35 vs 0.4) no, (0.8 vs 0.1) yes, (0.8 vs 0.4) yes -> 3/4
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert roc_auc([0, 1], [0.5, 0.5]) == 0.5  # ties count one half
    with pytest.raises(ValueError):
        roc_auc([1, 1], [0.2, 0.3])


def test_brier_score_and_calibration_table_by_hand():
    assert brier_score([0, 1], [0.2, 0.6]) == pytest.approx((0.04 + 0.16) / 2)
    table = calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], bins=2)
    assert table["n"].tolist() == [2, 2]
    assert table["mean_predicted"].tolist() == pytest.approx([0.15, 0.8])
    assert table["observed_rate"].tolist() == [0.0, 1.0]


def test_voluntary_exits_counted_within_horizon_only():
    employees = pd.DataFrame(
        {
            "employee_id": pd.array(["a", "b", "c", "d"], dtype="string"),
            "termination_date": pd.to_datetime(["2027-01-01", "2027-01-02", "2026-06-01", "2026-03-01"]),
            "termination_reason": pd.array(["voluntary", "voluntary", "involuntary", "voluntary"], dtype="string"),
        }
    )
    labels = voluntary_exit_labels(employees, "2026-01-01", 12)
    assert labels.to_dict() == {"a": 1.0, "b": 0.0, "c": 0.0, "d": 1.0}


def _synthetic_history(seed: int = 3) -> dict[str, pd.DataFrame]:
    """100 staff over 30 months; those on a heavy overtime roster leave (voluntarily) far more often."""
    rng = np.random.default_rng(seed)
    ids = [f"E{i:03d}" for i in range(100)]
    heavy = rng.random(100) < 0.4
    leave_month = np.where(rng.random(100) < np.where(heavy, 0.6, 0.1), rng.integers(4, 30, 100), -1)
    start = pd.Timestamp("2024-01-01")
    term = [start + pd.DateOffset(months=int(m)) if m >= 0 else pd.NaT for m in leave_month]
    employees = pd.DataFrame(
        {
            "employee_id": pd.array(ids, dtype="string"),
            "unit": pd.array(["U1"] * 100, dtype="string"),
            "role": pd.array(rng.choice(["RN", "CNA"], 100), dtype="string"),
            "hire_date": pd.to_datetime(["2020-01-01"] * 100),
            "termination_date": pd.to_datetime(term),
            "termination_reason": pd.array(["voluntary"] * 100, dtype="string"),
            "fte": 1.0,
            "employment_type": pd.array(["staff"] * 100, dtype="string"),
        }
    )
    days = pd.date_range(start, "2026-06-30", freq="D")
    works = rng.random((len(days), 100)) < np.where(heavy, 0.6, 0.4)  # heavy roster: ~4 shifts a week
    rows = []
    for i, emp in enumerate(ids):
        worked = days[works[:, i]]
        if pd.notna(term[i]):
            worked = worked[worked < term[i]]
        rows.append(pd.DataFrame({"employee_id": emp, "start": worked + pd.Timedelta(hours=7)}))
    shifts = pd.concat(rows, ignore_index=True)
    shifts["end"] = shifts["start"] + pd.Timedelta(hours=12)
    shifts["unit"] = "U1"
    return {"employees": employees, "shifts": shifts.astype({"employee_id": "string", "unit": "string"})}


@pytest.fixture(scope="module")
def history_panel():
    tables = _synthetic_history()
    dates = pd.date_range("2024-04-01", "2026-06-01", freq="MS")
    return attrition_dataset(tables, dates, horizon_months=12, tz="America/New_York")


def test_labels_are_missing_where_the_window_runs_past_the_data(history_panel):
    late = history_panel[history_panel["as_of"] > pd.Timestamp("2025-06-30")]
    early = history_panel[history_panel["as_of"] <= pd.Timestamp("2025-06-01")]
    assert late["left_within_12m"].isna().all()
    assert early["left_within_12m"].notna().all()


def test_time_split_trains_only_on_outcomes_known_before_the_test_period(history_panel):
    model, evaluation = evaluate_time_split(history_panel, test_start="2025-05-01", horizon_months=12)
    assert evaluation.train_as_of[1] + pd.DateOffset(months=12) <= pd.Timestamp("2025-05-01")
    assert evaluation.test_as_of[0] >= pd.Timestamp("2025-05-01")
    assert model.evaluation is evaluation
    assert evaluation.model.auc > 0.7  # heavy-overtime staff are the leavers
    assert evaluation.model.brier < evaluation.model.brier_base_rate
    assert evaluation.baseline.auc > 0.7  # here overtime alone is the signal, so the baseline finds it too
    assert evaluation.model.calibration["n"].sum() == evaluation.test_rows


def test_app_model_is_refitted_on_all_labelled_rows_and_keeps_its_evaluation(history_panel):
    model = fit_app_model(history_panel)
    assert model.n_train == int(history_panel["left_within_12m"].notna().sum())
    assert model.evaluation.test_rows > 0
    p = model.predict_proba(history_panel)
    busy = history_panel["hours_per_week_12w"] > history_panel["hours_per_week_12w"].median()
    assert p[busy].mean() > 2 * p[~busy].mean()


def test_model_inputs_limited_to_ten_distinct_leavers_per_coefficient():
    n = 300
    rng = np.random.default_rng(5)
    panel = pd.DataFrame(
        {
            "employee_id": [f"E{i % 150}" for i in range(n)],  # each person at two as-of dates
            "overtime_hours_per_week_12w": rng.uniform(0, 10, n),
            "new_starter": rng.integers(0, 2, n).astype(float),
            "pulse_score": np.where(rng.random(n) < 0.5, np.nan, 3.0 + rng.random(n)),
            "quick_returns_12w": rng.integers(0, 4, n).astype(float),
            "role": pd.array(rng.choice(["RN", "CNA", "LPN"], n), dtype="string"),
            "left": 0.0,
        }
    )
    panel.loc[panel["employee_id"].isin([f"E{i}" for i in range(35)]), "left"] = 1.0  # 35 distinct leavers
    # Budget 3: overtime (1) + new_starter (1); pulse_score has gaps (2: value + missing indicator) and no longer
    # fits, so the next affordable one, quick returns (1), is taken.
    assert model_columns(panel, "left") == ["overtime_hours_per_week_12w", "new_starter", "quick_returns_12w"]
    assert len(model_columns(panel)) == 5


def test_separation_is_reported_as_a_fit_warning():
    frame = pd.DataFrame(
        {
            "on_leave": [1.0] * 20 + [0.0] * 80,
            "overtime": np.linspace(0, 10, 100),
            "left": [0] * 20 + [1, 0, 0, 0] * 20,  # nobody on leave ever leaves
        }
    )
    model = fit_attrition_model(frame, "left")
    assert any(w.startswith("on_leave: coefficient") and "separation" in w for w in model.fit_warnings)
