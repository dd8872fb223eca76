"""The app's exit-risk training: monthly hazard, recalibration on a later window, evaluation on a still later one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.attrition.training import fit_app_model


@pytest.fixture(scope="module")
def app_model(history_panel, synthetic_tables):
    return fit_app_model(history_panel, synthetic_tables["employees"], "2026-06-30", horizon_months=6)


def test_train_validation_and_test_windows_follow_in_time_without_overlapping_outcomes(app_model):
    ev = app_model.evaluation
    assert ev.train_as_of[1] < ev.validation_as_of[0]  # one-month outcomes of training close before validation
    assert ev.validation_as_of[1] + pd.DateOffset(months=6) <= ev.test_as_of[0]  # 6-month outcomes close before test
    assert ev.validation_rows > 0 and ev.test_rows > 0
    a, b = app_model.recalibration
    assert b > 0 and np.isfinite(a)


def test_evaluation_reports_auc_interval_and_calibration_slope_and_intercept(app_model):
    ev = app_model.evaluation.model
    assert ev.auc_low <= ev.auc <= ev.auc_high and ev.auc_low > 0.6  # heavy-overtime staff are the leavers
    assert 0.5 < ev.calibration_slope < 2 and abs(ev.calibration_intercept) < 1


def test_probabilities_follow_the_planted_signal_over_the_horizon(app_model, history_panel):
    p = app_model.predict_proba(history_panel)
    assert ((p > 0) & (p < 1)).all()
    busy = history_panel["hours_per_week_12w"] > history_panel["hours_per_week_12w"].median()
    assert p[busy].mean() > 2 * p[~busy].mean()
