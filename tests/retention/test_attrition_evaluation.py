"""Attrition evaluation: AUC, Brier score and reliability table by hand, and the time-ordered split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.attrition.evaluation import (
    auc_interval,
    brier_score,
    calibration_slope_intercept,
    calibration_table,
    evaluate_time_split,
    roc_auc,
)


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


def test_time_split_trains_only_on_outcomes_known_before_the_test_period(history_panel):
    model, evaluation = evaluate_time_split(history_panel, test_start="2025-05-01", horizon_months=12)
    assert evaluation.train_as_of[1] + pd.DateOffset(months=12) <= pd.Timestamp("2025-05-01")
    assert evaluation.test_as_of[0] >= pd.Timestamp("2025-05-01")
    assert model.evaluation is evaluation
    assert evaluation.model.auc > 0.7  # heavy-overtime staff are the leavers
    assert evaluation.model.brier < evaluation.model.brier_base_rate
    assert evaluation.baseline.auc > 0.7  # here overtime alone is the signal, so the baseline finds it too
    assert evaluation.model.calibration["n"].sum() == evaluation.test_rows


def test_calibration_slope_and_intercept_read_too_extreme_and_too_high_predictions():
    rng = np.random.default_rng(2)
    truth = rng.uniform(0.02, 0.6, 20000)
    y = (rng.random(20000) < truth).astype(float)
    logit = np.log(truth / (1 - truth))
    slope, intercept = calibration_slope_intercept(y, truth)
    assert slope == pytest.approx(1.0, abs=0.06) and intercept == pytest.approx(0.0, abs=0.05)
    extreme = 1 / (1 + np.exp(-2 * logit))  # logits doubled: slope 1/2
    assert calibration_slope_intercept(y, extreme)[0] == pytest.approx(0.5, abs=0.04)
    high = 1 / (1 + np.exp(-(logit + 0.5)))  # every logit 0.5 too high: intercept -0.5
    assert calibration_slope_intercept(y, high)[1] == pytest.approx(-0.5, abs=0.06)


def test_auc_interval_covers_the_auc_and_resamples_whole_employees():
    rng = np.random.default_rng(5)
    score = rng.random(400)
    y = (rng.random(400) < score).astype(float)
    low, high = auc_interval(y, score)
    assert low < roc_auc(y, score) < high
    repeated = np.tile(np.arange(100), 4)  # the same 100 employees at four as-of dates
    y4, s4 = np.tile(y[:100], 4), np.tile(score[:100], 4)
    rows_low, rows_high = auc_interval(y4, s4)
    people_low, people_high = auc_interval(y4, s4, groups=repeated)
    assert people_high - people_low > 1.5 * (rows_high - rows_low)  # rows of one person are not independent
