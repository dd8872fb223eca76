"""forecast_demand / forecast_unit_demand: interface, intervals and the edge-case series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting import forecast_demand, forecast_unit_demand
from forecasting.demand import forecast_series, local_census_series, nonexistent_local_hours

FAST = ("seasonal_naive", "fourier_regression")
"""Cheap candidates for tests about data handling rather than model choice."""


def _daily_census(days: int, seed: int = 0, start: str = "2024-01-01") -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=days, freq="D")
    weekly = np.array([24, 27, 28, 27, 25, 19, 18], dtype=float)
    return pd.Series(rng.poisson(weekly[index.day_of_week]).astype(float), index=index)


def _hourly_census(weeks: int, seed: int = 0, start: str = "2026-01-05") -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=weeks * 168, freq="h")
    level = 14 + 4 * np.sin(2 * np.pi * (index.hour - 9) / 24) + 2 * (index.day_of_week < 5)
    return pd.Series(rng.poisson(level).astype(float), index=index)


def test_forecast_demand_returns_horizon_rows_with_ordered_intervals():
    history = _daily_census(200)
    forecast = forecast_demand(history, 28)
    assert list(forecast.columns) == ["mean", "lo80", "hi80", "lo95", "hi95"]
    assert len(forecast) == 28
    assert forecast.index[0] == history.index[-1] + pd.Timedelta(days=1)
    assert (forecast["lo95"] <= forecast["lo80"]).all()
    assert (forecast["lo80"] <= forecast["mean"]).all()
    assert (forecast["mean"] <= forecast["hi80"]).all()
    assert (forecast["hi80"] <= forecast["hi95"]).all()
    assert (forecast >= 0).all().all()


@pytest.fixture(scope="module")
def held_out_week():
    """Twelve weeks of hourly census: the model selection sees eleven, the last one is held out."""
    series = _hourly_census(12, seed=11)
    return forecast_series(series.iloc[:-168], 168), series.iloc[-168:]


def test_hourly_forecast_beats_seasonal_naive_with_honest_80_percent_interval(held_out_week):
    result, _ = held_out_week
    row = result.backtest.loc[result.model]
    assert row["relative_MAE"] < 0.85
    assert 0.7 <= row["coverage80"] <= 0.9
    assert "smaller than seasonal naive" in result.summary()


def test_held_out_week_falls_inside_the_80_percent_interval_about_80_percent_of_the_time(held_out_week):
    result, actual = held_out_week
    forecast = result.forecast
    inside = ((actual >= forecast["lo80"]) & (actual <= forecast["hi80"])).mean()
    assert 0.65 <= inside <= 0.95


def test_all_zero_history_forecasts_zero_with_a_message():
    history = pd.Series(0.0, index=pd.date_range("2026-01-01", periods=60, freq="D"))
    result = forecast_series(history, 7)
    assert (result.forecast[["mean", "hi95"]] == 0).all().all()
    assert any("zero" in m for m in result.messages)


def test_constant_history_forecasts_the_constant():
    history = pd.Series(12.0, index=pd.date_range("2026-01-01", periods=60, freq="D"))
    assert (forecast_demand(history, 5)["mean"] == 12).all()


def test_very_short_hourly_history_falls_back_to_yesterdays_hours():
    history = _hourly_census(1).iloc[:72]
    result = forecast_series(history, 24)
    assert result.model == "seasonal_naive"
    np.testing.assert_allclose(result.forecast["mean"].to_numpy(), history.iloc[-24:].to_numpy())
    assert any("too short" in m for m in result.messages)


def test_three_values_fall_back_to_the_mean():
    history = pd.Series([4.0, 6.0, 5.0], index=pd.date_range("2026-01-01", periods=3, freq="D"))
    result = forecast_series(history, 3)
    assert result.model == "mean"
    assert (result.forecast["mean"] == 5).all()


def test_gappy_history_is_filled_and_reported():
    history = _daily_census(120)
    history.iloc[30:45] = np.nan
    history.iloc[60] = np.nan
    result = forecast_series(history, 14, candidates=FAST)
    assert result.history.notna().all()
    assert any("16 of 120 values were missing (longest gap 15 days)" in m for m in result.messages)


def test_unit_that_opened_late_starts_its_history_at_the_first_value():
    history = _daily_census(150)
    history.iloc[:100] = np.nan
    result = forecast_series(history, 7, candidates=FAST)
    assert result.history.index[0] == history.index[100]
    assert any("No data before" in m for m in result.messages)


def test_mass_casualty_day_is_flagged_and_not_learned():
    history = _hourly_census(6, seed=2)
    day = history.index[-24 * 10 :][:24]
    history.loc[day] = history.loc[day] + 60
    result = forecast_series(history, 24, candidates=FAST)
    assert any("exceptional" in m for m in result.messages)
    assert result.history.loc[day].max() < 40
    assert result.forecast["mean"].max() < 35


def test_unknown_candidate_is_refused():
    with pytest.raises(ValueError, match="Unknown or no candidate"):
        forecast_series(_daily_census(60), 7, candidates=("prophet",))


def test_empty_history_raises_a_clear_error():
    history = pd.Series(np.nan, index=pd.date_range("2026-01-01", periods=10, freq="D"))
    with pytest.raises(ValueError, match="no numeric values"):
        forecast_demand(history, 3)


def test_spring_forward_hour_is_recognised_as_nonexistent():
    index = pd.date_range("2026-03-08 01:00", periods=3, freq="h")
    assert nonexistent_local_hours(index, "America/New_York").tolist() == [False, True, False]


def _unit_rows(series: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"unit": "ICU", "timestamp": series.index, "census": series.to_numpy()})


def test_spring_forward_hour_absent_from_history_is_not_reported_missing():
    rows = _unit_rows(_hourly_census(3, start="2026-02-23"))
    rows = rows[rows["timestamp"] != pd.Timestamp("2026-03-08 02:00")]
    result = forecast_unit_demand(rows, horizon_days=7, unit="ICU", tz="America/New_York", candidates=FAST)
    assert not any("missing" in m for m in result.messages)
    assert result.history.notna().all()


def test_unit_forecast_in_local_time_has_no_row_for_the_spring_forward_hour():
    rows = _unit_rows(_hourly_census(3, start="2026-02-09"))
    result = forecast_unit_demand(rows, horizon_days=28, unit="ICU", tz="America/New_York", candidates=FAST)
    assert result.forecast.index[0] == pd.Timestamp("2026-03-02 00:00")
    assert len(result.forecast) == 28 * 24 - 1
    assert pd.Timestamp("2026-03-08 02:00") not in result.forecast.index
    assert pd.Timestamp("2026-03-08 03:00") in result.forecast.index


def test_daily_census_rows_give_a_daily_series():
    rows = pd.DataFrame({"timestamp": pd.date_range("2026-01-01", periods=4, freq="D"), "census": [1.0, 2, 3, 4]})
    assert local_census_series(rows).index.freqstr == "D"


def test_recently_opened_unit_gets_a_message():
    series = _daily_census(60, start="2026-01-01")
    rows = pd.DataFrame({"unit": "TH", "timestamp": series.index, "census": series.to_numpy()})
    result = forecast_unit_demand(rows, 14, unit="TH", opened=pd.Timestamp("2026-01-01"), candidates=FAST)
    assert result.messages[0].startswith("This unit opened on 2026-01-01")


@pytest.mark.parametrize(("step", "per_day"), [("6h", 4), ("8h", 3), ("12h", 2)])
def test_forecast_demand_accepts_block_and_shift_grids(step, per_day):
    index = pd.date_range("2026-01-05", periods=10 * 7 * per_day, freq=step)
    rng = np.random.default_rng(3)
    history = pd.Series(20 + 6 * np.cos(2 * np.pi * index.hour / 24) + rng.normal(0, 1, len(index)), index=index)
    forecast = forecast_demand(history, 2 * per_day)
    assert forecast.index[0] == index[-1] + pd.Timedelta(step)
    assert (forecast.index[1:] - forecast.index[:-1] == pd.Timedelta(step)).all()
    # the daily cycle is kept: the first forecast day's midnight block is its busiest (cos peaks at 00:00)
    first_day = forecast["mean"].iloc[:per_day]
    assert first_day.idxmax().hour == 0


def test_naive_local_series_with_the_repeated_fall_back_hour_is_forecast():
    history = _hourly_census(6, start="2026-10-05")
    repeated = pd.Series([history[pd.Timestamp("2026-11-01 01:00")] + 2], index=[pd.Timestamp("2026-11-01 01:00")])
    local = pd.concat([history, repeated]).sort_index()  # 01:00 twice, as a wall-clock export holds it
    assert local.index.has_duplicates
    forecast = forecast_demand(local, 24)
    assert len(forecast) == 24
    assert forecast.index[0] == history.index[-1] + pd.Timedelta(hours=1)
    assert any("repeated timestamps (e.g. 2026-11-01 01:00" in m for m in forecast.attrs["messages"])


def test_naive_local_series_without_the_spring_forward_hour_is_filled_not_refused():
    history = _hourly_census(6, start="2026-02-09").drop(pd.Timestamp("2026-03-08 02:00"))
    result = forecast_series(history, 24, candidates=FAST)
    assert result.freq == "h"
    assert pd.Timestamp("2026-03-08 02:00") in result.history.index
    assert any("1 of" in m and "missing" in m for m in result.messages)


def _expanded_unit(weeks_before: int, weeks_after: int, step: float) -> pd.Series:
    history = _hourly_census(weeks_before + weeks_after, seed=5)
    history.iloc[weeks_before * 168 :] += step
    return history


def test_a_unit_that_expanded_three_weeks_ago_is_flagged_with_its_date_and_levels():
    history = _expanded_unit(9, 3, 6.0)  # about 15.6 patients on average, then 6 more
    result = forecast_series(history, 24, candidates=FAST)
    shift = result.level_shift
    assert shift is not None
    assert shift.since == pd.Timestamp("2026-03-09")  # first day at the new level (9 weeks after 2026-01-05)
    assert shift.after - shift.before == pytest.approx(6.0, abs=0.6)
    assert result.messages[0].startswith("Demand rose to a new level from 2026-03-09")


def test_no_level_shift_on_a_steady_unit_nor_on_a_small_step():
    assert forecast_series(_hourly_census(12, seed=5), 24, candidates=FAST).level_shift is None
    assert forecast_series(_expanded_unit(9, 3, 0.5), 24, candidates=FAST).level_shift is None


def test_a_shift_older_than_the_fit_window_is_not_reported_as_recent():
    assert forecast_series(_expanded_unit(3, 12, 6.0), 24, candidates=FAST).level_shift is None
