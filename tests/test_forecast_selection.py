"""Rolling-origin backtest, MASE, empirical intervals and model choice."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.models import seasonal_setup
from forecasting.selection import (
    Backtest,
    backtest_design,
    choose_model,
    error_quantiles,
    horizon_buckets,
    interval_scales,
    naive_scale,
    run_backtest,
    widen_intervals,
)


def _weekly_daily_series(weeks: int, noise: float = 0.5, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    week = np.array([30, 34, 36, 35, 32, 22, 20], dtype=float)
    values = np.tile(week, weeks) + rng.normal(0, noise, 7 * weeks)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=7 * weeks, freq="D"))


def test_mase_scale_is_mean_absolute_seasonal_difference():
    assert naive_scale(np.array([1.0, 2, 3, 5, 2, 3]), 3) == (4 + 0 + 0) / 3


def test_backtest_origins_are_non_overlapping_windows_ending_at_the_last_value():
    test, origins = backtest_design(100, 10, seasonal_setup("D", 100))
    assert test == 10
    assert origins == [70, 80, 90]


def test_short_history_gets_three_short_windows_rather_than_one_long_one():
    test, origins = backtest_design(20, 28, seasonal_setup("D", 20))
    assert (test, origins) == (2, [14, 16, 18])


def test_no_backtest_when_history_is_below_two_seasons_plus_a_window():
    assert backtest_design(15, 28, seasonal_setup("D", 15)) == (0, [])


def test_horizon_buckets_split_first_day_first_week_second_week_and_later():
    buckets = horizon_buckets(np.array([0, 23, 24, 167, 168, 335, 336, 700]), seasonal_setup("h", 2000))
    assert buckets.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]


def test_sparse_bucket_uses_pooled_errors():
    errors = pd.DataFrame({"step": np.arange(40), "error": np.arange(40, dtype=float)})
    table = error_quantiles(errors, seasonal_setup("D", 100))
    assert table.loc[0, 0.5] == table.loc[3, 0.5]


def test_model_beating_naive_on_a_noisy_seasonal_series_is_chosen_and_scored_below_one():
    history = _weekly_daily_series(30, noise=3.0)
    backtest = run_backtest(history, 14, seasonal_setup("D", len(history)))
    assert backtest.table.loc["seasonal_naive", "relative_MAE"] == 1.0
    chosen = choose_model(backtest)
    assert chosen != "seasonal_naive"
    assert backtest.table.loc[chosen, "relative_MAE"] < 0.9


def test_interval_coverage_is_close_to_nominal_on_stationary_noise():
    history = _weekly_daily_series(60, noise=2.0, seed=5)
    backtest = run_backtest(history, 28, seasonal_setup("D", len(history)), max_origins=6)
    row = backtest.table.loc["fourier_regression"]
    assert 0.65 <= row["coverage80"] <= 0.95
    assert row["coverage95"] >= 0.85


def test_failing_candidate_is_reported_not_raised(monkeypatch):
    from forecasting import selection

    def broken(history, horizon, setup):
        raise np.linalg.LinAlgError("singular")

    monkeypatch.setitem(selection.CANDIDATES, "ets", broken)
    history = _weekly_daily_series(20)
    backtest = run_backtest(history, 7, seasonal_setup("D", len(history)))
    assert "ets" in backtest.failures
    assert "ets" not in backtest.table.index


def _backtest_with_scores(scores: dict[str, float]) -> Backtest:
    table = pd.DataFrame({"score": scores}).rename_axis("model")
    return Backtest(table, {}, 7, 3)


def test_ensemble_is_preferred_when_within_five_percent_of_the_best():
    assert choose_model(_backtest_with_scores({"ets": 0.70, "ensemble": 0.73, "seasonal_naive": 1.0})) == "ensemble"


def test_clearly_better_single_model_beats_the_ensemble():
    assert choose_model(_backtest_with_scores({"ets": 0.70, "ensemble": 0.80, "seasonal_naive": 1.0})) == "ets"


def _errors_by_origin(per_origin: list[np.ndarray]) -> pd.DataFrame:
    return pd.concat(
        [pd.DataFrame({"origin": k, "step": np.arange(len(e)), "error": e}) for k, e in enumerate(per_origin)],
        ignore_index=True,
    )


def test_intervals_are_not_widened_when_left_out_windows_are_covered():
    errors = _errors_by_origin([np.linspace(-3, 3, 201) for _ in range(6)])
    assert interval_scales(errors, seasonal_setup("D", 2000)) == (1.0, 1.0)


def test_intervals_are_widened_when_the_error_level_drifts_between_windows():
    rng = np.random.default_rng(0)
    errors = _errors_by_origin([rng.normal(1.5 * k, 1, 200) for k in range(6)])
    s80, s95 = interval_scales(errors, seasonal_setup("D", 2000))
    assert s80 > 1.0 and s95 > 1.0
    assert s80 <= 3.0 and s95 <= 3.0


def test_no_widening_with_a_single_origin():
    errors = _errors_by_origin([np.linspace(-5, 5, 50)])
    assert interval_scales(errors, seasonal_setup("D", 2000)) == (1.0, 1.0)


def test_widening_moves_interval_ends_away_from_the_median_only():
    q = pd.DataFrame([[-4.0, -2.0, 1.0, 2.0, 3.0, 4.0, 5.0]], columns=[0.025, 0.1, 0.5, 0.8, 0.9, 0.95, 0.975])
    widened = widen_intervals(q, (2.0, 1.5))
    assert widened.iloc[0].tolist() == [1 - 1.5 * 5, 1 - 2 * 3, 1.0, 2.0, 1 + 2 * 2, 4.0, 1 + 1.5 * 4]
