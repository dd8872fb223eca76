"""Outcome model: within-unit, response-weighted, lagged; plain sentences at any magnitude; refuses too little data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import kpis
from analytics.outcomes import (
    CAUTION,
    DRIVERS,
    fit_outcome_model,
    lagged_panel,
    outcome_panel,
    sentence,
)

HPPD = next(d for d in DRIVERS if d.column == "hppd")
MONTH0 = pd.Timestamp("2024-01-01")


def _panel(seed: int = 7, units: int = 12, months: int = 24, lag: int = 1) -> pd.DataFrame:
    """Scores driven by the drivers of ``lag`` months before (3 points per HPPD hour, −0.8 per overtime pp)."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(units):
        unit_effect = rng.normal(0, 5.0)
        drivers = {
            "hppd": rng.uniform(5, 12, months + lag),
            "overtime_share": rng.uniform(0, 10, months + lag),
            "turnover_rate": rng.uniform(0, 40, months + lag),
            "training_compliance": rng.uniform(60, 100, months + lag),
        }
        for m in range(lag, months + lag):
            score = 40 + 3.0 * drivers["hppd"][m - lag] - 0.8 * drivers["overtime_share"][m - lag] + unit_effect
            rows.append(
                {
                    "period": MONTH0 + pd.DateOffset(months=m),
                    "unit": f"U{u}",
                    "patient_experience_score": score + rng.normal(0, 1.0),
                    "responses": float(rng.integers(20, 200)),
                    **{name: values[m] for name, values in drivers.items()},
                }
            )
    return pd.DataFrame(rows)


def _row(coefficients: pd.DataFrame, column: str) -> pd.Series:
    return coefficients.set_index("column").loc[column]


# ---- the estimate: within units, weighted, lagged --------------------------------------------------------------


def _opposite_signs_panel() -> pd.DataFrame:
    """Three units; the better-staffed units score lower overall, but within every unit one more HPPD hour in the
    previous month goes with +2 points. Month effects are zero and noise is small, so the within slope is 2."""
    rng = np.random.default_rng(3)
    rows = []
    for u, (base_hppd, base_score) in enumerate([(6.0, 80.0), (9.0, 70.0), (12.0, 60.0)]):
        hppd = base_hppd + rng.uniform(-1, 1, 13)
        for m in range(1, 13):
            rows.append(
                {
                    "period": MONTH0 + pd.DateOffset(months=m),
                    "unit": f"U{u}",
                    "patient_experience_score": base_score + 2.0 * (hppd[m - 1] - base_hppd) + rng.normal(0, 0.05),
                    "responses": 50.0,
                    "hppd": hppd[m],
                }
            )
        rows.append(
            {
                "period": MONTH0,
                "unit": f"U{u}",
                "patient_experience_score": np.nan,
                "responses": np.nan,
                "hppd": hppd[0],
            }
        )
    return pd.DataFrame(rows)


def test_within_unit_slope_is_found_where_the_pooled_slope_has_the_opposite_sign():
    panel = _opposite_signs_panel()
    lagged = lagged_panel(panel, 1).dropna()
    pooled_slope = np.polyfit(lagged["hppd"], lagged["patient_experience_score"], 1)[0]
    assert pooled_slope < 0  # the fixture really has the property: across units, more HPPD, lower scores
    model = fit_outcome_model(panel, (HPPD,))
    hppd = _row(model.coefficients, "hppd")
    assert hppd["estimate"] == pytest.approx(2.0 * HPPD.step, abs=0.02)
    assert hppd["ci_low"] > 0


def test_scores_are_weighted_by_responses_as_if_each_response_were_a_row():
    """WLS with integer weights equals OLS on rows repeated that many times (computed by hand with numpy)."""
    rng = np.random.default_rng(11)
    panel = _panel(units=4, months=8, lag=0).assign(
        responses=lambda f: rng.choice([1.0, 2.0, 30.0], len(f)),
        patient_experience_score=lambda f: f["patient_experience_score"] + rng.normal(0, 4.0, len(f)),
    )
    drivers = tuple(d for d in DRIVERS if d.column in ("hppd", "overtime_share"))
    model = fit_outcome_model(panel, drivers, lag=0, inference="cr2")

    repeated = panel.loc[panel.index.repeat(panel["responses"].astype(int))]
    design = np.column_stack(
        [
            repeated[["hppd", "overtime_share"]].to_numpy(),
            pd.get_dummies(repeated["unit"]).to_numpy(float),
            pd.get_dummies(repeated["period"], drop_first=True).to_numpy(float),
        ]
    )
    by_hand = np.linalg.lstsq(design, repeated["patient_experience_score"].to_numpy(), rcond=None)[0]
    unweighted = fit_outcome_model(panel.assign(responses=1.0), drivers, lag=0, inference="cr2")

    assert _row(model.coefficients, "hppd")["estimate"] == pytest.approx(by_hand[0] * HPPD.step, rel=1e-9)
    assert _row(model.coefficients, "overtime_share")["estimate"] == pytest.approx(by_hand[1], rel=1e-9)
    assert abs(_row(unweighted.coefficients, "hppd")["estimate"] - by_hand[0] * HPPD.step) > 0.05


def test_default_lag_relates_the_score_to_the_previous_months_staffing():
    panel = _panel(units=8, months=18, lag=1)
    lagged = fit_outcome_model(panel, inference="cr2")
    same_month = fit_outcome_model(panel, lag=0, inference="cr2")
    assert lagged.lag == 1
    assert _row(lagged.coefficients, "hppd")["estimate"] == pytest.approx(3.0 * HPPD.step, abs=0.1)
    assert abs(_row(same_month.coefficients, "hppd")["estimate"]) < 0.5  # staffing of the same month is noise here


def test_lag_matches_calendar_months_not_rows():
    panel = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-04-01"]),
            "unit": "A",
            "patient_experience_score": [70.0, 71.0, 72.0],
            "responses": 10.0,
            "hppd": [8.0, 9.0, 10.0],
        }
    )
    shifted = lagged_panel(panel, 1)
    assert shifted["hppd"].tolist()[:2] == [pytest.approx(np.nan, nan_ok=True), 8.0]
    assert np.isnan(shifted["hppd"].iloc[2])  # March is missing, so April has no previous month


def test_model_recovers_known_effects_within_their_bootstrap_intervals():
    model = fit_outcome_model(_panel())
    hppd = _row(model.coefficients, "hppd")
    assert hppd["ci_low"] < 3.0 * HPPD.step < hppd["ci_high"]
    assert hppd["method"] == "wild cluster bootstrap"
    assert model.n_units == 12 and model.n_obs == 12 * 23  # a unit's first month has no month before it


def test_same_panel_gives_the_same_result_so_it_can_be_cached():
    panel = _panel(units=6, months=10)
    first, second = fit_outcome_model(panel), fit_outcome_model(panel)
    pd.testing.assert_frame_equal(first.coefficients, second.coefficients)


# ---- sentences -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("estimate", "low", "high", "expected"),
    [
        (-0.034, -0.061, -0.007, "0.034 points lower (95% CI −0.061 to −0.007)"),
        (3.04, 2.41, 3.67, "3.0 points higher (95% CI +2.4 to +3.7)"),
        (15.2, 9.1, 21.4, "15 points higher (95% CI +9 to +21)"),
        (0.5, 0.0004, 1.0, "0.50 points higher (95% CI +0.0004 to +1.00)"),
    ],
)
def test_sentence_digits_follow_the_interval(estimate, low, high, expected):
    text = sentence(HPPD, estimate, low, high)
    assert expected in text
    assert text.startswith("Within a unit, 0.5 more nursing hours per patient day in the month before")


def test_sentence_never_reads_zero_points_for_a_small_clear_effect():
    text = sentence(HPPD, -0.03, -0.07, -0.004)
    assert "0.0 points" not in text and "−0.0 " not in text and "−0.0)" not in text
    assert "0.030 points lower (95% CI −0.070 to −0.004)" in text


def test_sentence_says_no_clear_association_when_the_interval_spans_zero():
    text = sentence(HPPD, -0.4, -1.3, 0.6, lag=0)
    assert text.startswith("No clear association with nursing hours per patient day of the same month")
    assert "(−1.3 to +0.6) includes zero" in text


def test_sentence_for_an_unbounded_interval():
    assert "cannot bound" in sentence(HPPD, 1.0, -np.inf, np.inf)


def test_model_sentences_and_caution():
    model = fit_outcome_model(_panel())
    by_column = dict(zip(model.coefficients["column"], model.sentences, strict=True))
    assert "higher" in by_column["hppd"] and "95% CI" in by_column["hppd"]
    assert "lower" in by_column["overtime_share"]
    assert by_column["turnover_rate"].startswith("No clear association")
    assert "not proof" in model.caution == CAUTION
    assert "unit and month fixed effects" in model.description and "survey responses" in model.description


# ---- refusals --------------------------------------------------------------------------------------------------


def test_too_few_units_is_a_sentence_not_a_crash():
    with pytest.raises(ValueError, match="at least 3 units"):
        fit_outcome_model(_panel(units=2))


def test_panel_without_responses_is_a_sentence():
    with pytest.raises(ValueError, match="number of survey responses"):
        fit_outcome_model(_panel().drop(columns="responses"))


def test_unknown_inference_method_and_negative_lag_are_sentences():
    with pytest.raises(ValueError, match="Unknown inference method"):
        fit_outcome_model(_panel(), inference="bayes")
    with pytest.raises(ValueError, match="0 or more"):
        fit_outcome_model(_panel(), lag=-1)


def test_driver_constant_within_units_is_left_out():
    panel = _panel().assign(training_compliance=lambda f: f["unit"].str[1:].astype(float))
    model = fit_outcome_model(panel, inference="cr2")
    assert "training_compliance" not in set(model.coefficients["column"])


# ---- the panel -------------------------------------------------------------------------------------------------


def test_panel_lines_up_unit_months_and_responses_from_kpi_frames():
    px = pd.DataFrame(
        {
            "unit": ["A", "A", "B"],
            "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01"]),
            "score": [80.0, 70.0, 60.0],
            "responses": [10, 12, 30],
        }
    )
    census = pd.DataFrame({"unit": "A", "timestamp": pd.date_range("2025-01-01", periods=31, freq="D"), "census": 2.0})
    staffed = pd.DataFrame(
        {"unit": "A", "date": pd.to_datetime(["2025-01-05"]), "role": "RN", "employment": "employee", "hours": [62.0]}
    )
    panel = outcome_panel(
        {
            "patient_experience_score": kpis.patient_experience_score(px, "M"),
            "hppd": kpis.hppd(census, "M", staffed_hours=staffed),
        }
    )
    assert list(panel["unit"]) == ["A", "A", "B"]
    assert list(panel["responses"]) == [10.0, 12.0, 30.0]
    jan_a = panel.iloc[0]
    assert jan_a["patient_experience_score"] == 80.0
    assert jan_a["hppd"] == pytest.approx(1.0)
    assert panel["overtime_share"].isna().all()
