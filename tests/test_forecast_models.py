"""Candidate models and seasonal set-up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.models import (
    CANDIDATES,
    fourier_regression,
    holiday_flags,
    infer_frequency,
    seasonal_mean,
    seasonal_naive,
    seasonal_setup,
)


def _daily(values, start="2025-01-06"):
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values), freq="D"))


def test_frequency_inferred_for_hourly_daily_and_monthly_grids():
    assert infer_frequency(pd.date_range("2026-01-01", periods=5, freq="h")) == "h"
    assert infer_frequency(pd.date_range("2026-01-01", periods=5, freq="D")) == "D"
    assert infer_frequency(pd.date_range("2026-01-01", periods=5, freq="MS")) == "MS"


def test_irregular_grid_is_refused_with_advice():
    index = pd.DatetimeIndex(["2026-01-01 00:00", "2026-01-01 01:00", "2026-01-01 03:00"])
    with pytest.raises(ValueError, match="resample"):
        infer_frequency(index)


def test_seasonal_naive_repeats_last_week():
    history = _daily(range(14))
    forecast = seasonal_naive(history, 9, seasonal_setup("D", 14))
    assert forecast.tolist() == [7, 8, 9, 10, 11, 12, 13, 7, 8]


def test_seasonal_mean_averages_the_same_day_of_week_over_the_last_eight_weeks():
    history = _daily([0] * 7 * 2 + [7 * w + d for w in range(8) for d in range(7)])
    forecast = seasonal_mean(history, 9, seasonal_setup("D", len(history)))
    expected = [24.5 + d for d in range(7)]  # mean over weeks 0..7 of 7w + d; the two older weeks are ignored
    np.testing.assert_allclose(forecast, expected + expected[:2])


def test_seasonal_mean_with_less_than_one_season_is_seasonal_naive():
    history = _daily([3, 4, 5])
    np.testing.assert_array_equal(seasonal_mean(history, 4, seasonal_setup("D", 3)), [3, 4, 5, 3])


def test_fourier_regression_recovers_exact_weekly_pattern():
    week = [10, 12, 14, 13, 11, 6, 5]
    history = _daily(week * 8)
    setup = seasonal_setup("D", len(history), holiday_country=None)
    forecast = fourier_regression(history, 7, setup)
    np.testing.assert_allclose(forecast, week, atol=1e-6)


def test_holiday_flag_marks_us_independence_day():
    index = pd.date_range("2026-07-03", periods=3, freq="D")
    assert holiday_flags(index, "US").tolist() == [1.0, 1.0, 0.0]  # July 4 2026 is Saturday, observed Friday 3rd


@pytest.mark.parametrize("name", sorted(CANDIDATES))
def test_every_candidate_forecasts_a_seasonal_hourly_series_finitely(name):
    hours = pd.date_range("2026-01-05", periods=24 * 7 * 3, freq="h")
    rng = np.random.default_rng(3)
    values = 10 + 4 * np.sin(2 * np.pi * np.arange(len(hours)) / 24) + rng.normal(0, 1, len(hours))
    forecast = CANDIDATES[name](pd.Series(values, hours), 48, seasonal_setup("h", len(hours)))
    assert forecast.shape == (48,)
    assert np.isfinite(forecast).all()
    assert abs(forecast.mean() - 10) < 2


@pytest.mark.parametrize(("step", "alias"), [("30min", "30min"), ("6h", "6h"), ("8h", "8h"), ("12h", "12h")])
def test_grids_that_divide_a_day_are_recognised(step, alias):
    assert infer_frequency(pd.date_range("2026-01-01", periods=5, freq=step)) == alias


def test_a_grid_that_does_not_divide_a_day_is_refused_with_advice():
    with pytest.raises(ValueError, match="divides a day"):
        infer_frequency(pd.date_range("2026-01-01", periods=5, freq="5h"))


def test_six_hour_blocks_have_a_weekly_season_of_28_steps():
    setup = seasonal_setup("6h", 500)
    assert (setup.season, setup.steps_per_day, setup.mstl_periods) == (28, 4, (4, 28))
