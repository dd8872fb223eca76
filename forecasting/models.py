"""Candidate demand models: small functions from a regular history to point forecasts.

Every candidate has the signature ``model(history, horizon, setup) -> numpy.ndarray`` where
``history`` is a float ``pd.Series`` on a regular ``DatetimeIndex`` without missing values,
``horizon`` the number of future steps and ``setup`` the :class:`SeasonalSetup` of the series'
frequency. The result has ``horizon`` point forecasts (patients, or whatever unit the history is in).
Prediction intervals are not made here: :mod:`forecasting.selection` calibrates them empirically
from each model's out-of-sample backtest errors, the same way for every model.

Models (formulas in ``docs/forecasting.md``):

* ``seasonal_naive`` - the value one season earlier (Hyndman & Athanasopoulos, *Forecasting:
  Principles and Practice*, 3rd ed., section 5.2). The benchmark every other model must beat.
* ``seasonal_mean`` - the mean of the same position in the season over the last 8 seasons (for
  hourly census: the same hour of the week in the last 8 weeks), a robust seasonal-naive variant
  that averages out one unusual week.
* ``ets`` - additive Holt-Winters exponential smoothing with damped trend
  (``statsmodels.tsa.holtwinters.ExponentialSmoothing``; Hyndman et al. 2008).
* ``mstl_arima`` - MSTL decomposition (Bandara, Hyndman & Bergmeir 2021;
  ``statsmodels.tsa.seasonal.MSTL``) with hour-of-day and day-of-week seasonal components; the
  seasonal components are repeated from their last cycle and the seasonally adjusted series
  (trend + remainder) is forecast with an AR(2) = ARIMA(2,0,0) with constant (mean-reverting level),
  fitted by conditional least squares.
* ``fourier_regression`` - ordinary least squares on Fourier terms for each seasonal period
  (daily, weekly, yearly as the history allows) plus a public-holiday dummy
  (``holidays`` package; FPP3 section 7.4 "Fourier series").
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import holidays
import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tsa.ar_model import AutoReg
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.seasonal import MSTL

HOURS_PER_DAY = 24
HOURS_PER_WEEK = 168


@dataclass(frozen=True)
class SeasonalSetup:
    """How a series of a given frequency is modelled.

    ``freq`` pandas offset alias (``"h"``, a sub-daily grid such as ``"6h"``, ``"8h"``, ``"12h"`` or
    ``"30min"``, ``"D"``, ``"W"``, ``"MS"``); ``season`` the seasonal period in steps used by seasonal naive
    and by MASE (one week of steps for hourly and sub-daily grids: 168 hourly, 28 for 6-hour blocks; 7 daily,
    52 weekly, 12 monthly);
    ``fourier`` pairs of (period in steps, number of harmonics K); ``mstl_periods`` the periods MSTL
    extracts; ``fit_window`` the trailing number of steps each model is fitted on (``None`` = all);
    ``steps_per_day`` steps in one day (0 for weekly/monthly series); ``holiday_country`` ISO code
    of the public holidays used as a regressor (``None`` = none).
    """

    freq: str
    season: int
    fourier: tuple[tuple[float, int], ...]
    mstl_periods: tuple[int, ...]
    fit_window: int | None
    steps_per_day: int
    holiday_country: str | None = "US"


def subdaily_alias(step: pd.Timedelta) -> str | None:
    """Offset alias of a step that divides a day evenly and is shorter than it (``"h"``, ``"6h"``, ``"30min"``)."""
    day = pd.Timedelta(days=1)
    if not pd.Timedelta(0) < step < day or day % step != pd.Timedelta(0):
        return None
    if step == pd.Timedelta(hours=1):
        return "h"
    if step % pd.Timedelta(hours=1) == pd.Timedelta(0):
        return f"{step // pd.Timedelta(hours=1)}h"
    if step % pd.Timedelta(minutes=1) == pd.Timedelta(0):
        return f"{step // pd.Timedelta(minutes=1)}min"
    return None


def steps_per_day(freq: str) -> int:
    """Steps in one day of a sub-daily or daily alias (24 for ``"h"``, 4 for ``"6h"``, 1 for ``"D"``), else 0."""
    if freq in ("W", "MS"):
        return 0
    return int(pd.Timedelta(days=1) // pd.Timedelta(pd.tseries.frequencies.to_offset(freq)))


def infer_frequency(index: pd.DatetimeIndex) -> str:
    """Return ``"h"``, another sub-daily alias (``"6h"``, ``"8h"``, ``"12h"``, ``"30min"`` ...), ``"D"``, ``"W"``
    or ``"MS"`` for a regular index.

    Raises ``ValueError`` if the index has fewer than 3 timestamps, is not strictly increasing, or
    its steps are not all equal to one step that divides a day, one day, one week or one calendar month.
    """
    if len(index) < 3:
        raise ValueError("A forecast needs at least 3 past values; the history has fewer.")
    if not index.is_monotonic_increasing or index.has_duplicates:
        raise ValueError("The history's timestamps must be strictly increasing without duplicates.")
    steps = pd.Series(index[1:] - index[:-1])
    alias = subdaily_alias(steps.iloc[0])
    if alias is not None and (steps == steps.iloc[0]).all():
        return alias
    if (steps == pd.Timedelta(days=1)).all():
        return "D"
    if (steps == pd.Timedelta(days=7)).all():
        return "W"
    if steps.dt.days.between(28, 31).all() and (index.day == index[0].day).all():
        return "MS"
    raise ValueError(
        "The history is not on a regular grid (a step that divides a day, such as 1, 6, 8 or 12 hours; or daily, "
        "weekly or monthly); resample it first (e.g. series.resample('6h').mean())."
    )


def seasonal_setup(freq: str, n_history: int, holiday_country: str | None = "US") -> SeasonalSetup:
    """Modelling choices for a series of frequency ``freq`` with ``n_history`` values.

    Hourly models are fitted on the trailing 8 weeks (recent level and pattern matter most for
    census; this keeps every fit well under a second). Daily models use up to 3 years so the
    yearly Fourier terms (added from 2 years of history) can be estimated.
    """
    if freq == "h":
        return SeasonalSetup(
            "h", HOURS_PER_WEEK, ((24, 8), (168, 10)), (24, 168), 8 * HOURS_PER_WEEK, 24, holiday_country
        )
    per_day = steps_per_day(freq) if freq not in ("D", "W", "MS") else 0
    if per_day > 1:  # 6-hour blocks, 8- or 12-hour shifts, half hours: daily and weekly cycles as for hourly data
        week = 7 * per_day
        # weekly harmonics 1-6 only: the 7th is the daily cycle, already in the daily terms
        fourier = ((per_day, min(8, per_day // 2)), (week, min(6, week // 2)))
        return SeasonalSetup(freq, week, fourier, (per_day, week), 8 * week, per_day, holiday_country)
    if freq == "D":
        fourier: tuple[tuple[float, int], ...] = ((7, 3),)
        if n_history >= 2 * 365:
            fourier += ((365.25, 8),)
        return SeasonalSetup("D", 7, fourier, (7,), 3 * 365, 1, holiday_country)
    if freq == "W":
        return SeasonalSetup("W", 52, ((52.18, 6),) if n_history >= 104 else (), (52,), None, 0, None)
    return SeasonalSetup("MS", 12, ((12, 5),), (12,), None, 0, None)


def future_index(history_index: pd.DatetimeIndex, horizon: int, freq: str) -> pd.DatetimeIndex:
    """The ``horizon`` timestamps after the last one of ``history_index`` (same time zone)."""
    offset = pd.tseries.frequencies.to_offset(freq)
    return pd.date_range(history_index[-1] + offset, periods=horizon, freq=offset)


def seasonal_naive(history: pd.Series, horizon: int, setup: SeasonalSetup) -> np.ndarray:
    """Repeat the last full season: forecast at t+h is the value at t+h-k*m (FPP3 section 5.2)."""
    m = min(setup.season, len(history))
    last = history.to_numpy(dtype=float)[-m:]
    return np.resize(last, horizon)


SEASONAL_MEAN_SEASONS = 8


def seasonal_mean(history: pd.Series, horizon: int, setup: SeasonalSetup) -> np.ndarray:
    """Mean of the value at the same position in each of the last 8 full seasons (fewer if the history is shorter).

    With less than one full season this is :func:`seasonal_naive`.
    """
    m = setup.season
    values = history.to_numpy(dtype=float)
    seasons = min(SEASONAL_MEAN_SEASONS, len(values) // m)
    if seasons < 1:
        return seasonal_naive(history, horizon, setup)
    profile = values[len(values) - seasons * m :].reshape(seasons, m).mean(axis=0)
    return np.resize(profile, horizon)


def ets(history: pd.Series, horizon: int, setup: SeasonalSetup) -> np.ndarray:
    """Additive damped-trend Holt-Winters; non-seasonal when fewer than two seasons are available."""
    seasonal = "add" if len(history) >= 2 * setup.season else None
    model = ExponentialSmoothing(
        history.to_numpy(dtype=float),
        trend="add",
        damped_trend=True,
        seasonal=seasonal,
        seasonal_periods=setup.season if seasonal else None,
        initialization_method="heuristic" if seasonal and len(history) >= 2 * setup.season + 10 else "estimated",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(model.fit(use_brute=False).forecast(horizon), dtype=float)


def mstl_arima(history: pd.Series, horizon: int, setup: SeasonalSetup) -> np.ndarray:
    """MSTL seasonal components repeated forward plus an AR(2) with constant on the seasonally adjusted series.

    The AR(2) (= ARIMA(2,0,0)) is fitted by conditional least squares (``statsmodels AutoReg``): as
    accurate as exact likelihood on these lengths and ~100x faster on near-unit-root census levels.
    """
    values = history.to_numpy(dtype=float)
    periods = tuple(p for p in setup.mstl_periods if len(values) > 2 * p)  # MSTL drops periods >= nobs / 2
    if periods:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            decomposition = MSTL(values, periods=periods if len(periods) > 1 else periods[0], iterate=1).fit()
        seasonal = np.asarray(decomposition.seasonal, dtype=float).reshape(len(values), -1)
        adjusted = values - seasonal.sum(axis=1)
        future_seasonal = np.zeros(horizon)
        for j, period in enumerate(periods):
            future_seasonal += np.resize(seasonal[-period:, j], horizon)
    else:
        adjusted, future_seasonal = values, np.zeros(horizon)
    fitted = AutoReg(adjusted, lags=2, trend="c").fit()
    level = np.asarray(fitted.predict(start=len(adjusted), end=len(adjusted) + horizon - 1), dtype=float)
    return level + future_seasonal


def holiday_flags(index: pd.DatetimeIndex, country: str | None) -> np.ndarray:
    """1.0 where the local calendar date of ``index`` is a public holiday of ``country``, else 0.0."""
    if not country:
        return np.zeros(len(index))
    dates = index.tz_localize(None).normalize() if index.tz is not None else index.normalize()
    years = range(int(dates.year.min()), int(dates.year.max()) + 1)
    calendar = holidays.country_holidays(country, years=years)
    holiday_days = pd.DatetimeIndex(sorted(pd.Timestamp(d) for d in calendar))
    return np.asarray(dates.isin(holiday_days), dtype=float)


def fourier_terms(steps: np.ndarray, pairs: tuple[tuple[float, int], ...]) -> np.ndarray:
    """Columns sin(2πkt/P), cos(2πkt/P) for each (P, K) and k = 1..K (a cos/sin pair that is all zero is dropped)."""
    columns = []
    for period, harmonics in pairs:
        for k in range(1, harmonics + 1):
            angle = 2 * np.pi * k * steps / period
            if 2 * k != period:
                columns.append(np.sin(angle))
            columns.append(np.cos(angle))
    return np.column_stack(columns) if columns else np.empty((len(steps), 0))


def _step_numbers(index: pd.DatetimeIndex, setup: SeasonalSetup) -> np.ndarray:
    """Steps since a fixed epoch, so Fourier phases agree between history and future."""
    naive = index.tz_localize(None) if index.tz is not None else index
    if setup.steps_per_day > 1:
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(setup.freq))
        return np.asarray((naive - pd.Timestamp("2000-01-03")) / step, dtype=float)
    if setup.freq in ("D", "W"):
        days = np.asarray((naive - pd.Timestamp("2000-01-03")) / pd.Timedelta(days=1), dtype=float)
        return days / 7 if setup.freq == "W" else days
    return np.asarray((naive.year - 2000) * 12 + naive.month - 1, dtype=float)


def fourier_design(index: pd.DatetimeIndex, setup: SeasonalSetup) -> np.ndarray:
    """Regression design: constant, Fourier terms of each seasonal period, holiday dummy (if any)."""
    steps = _step_numbers(index, setup)
    parts = [np.ones((len(index), 1)), fourier_terms(steps, setup.fourier)]
    if setup.holiday_country:
        parts.append(holiday_flags(index, setup.holiday_country)[:, None])
    return np.hstack(parts)


def fourier_regression(history: pd.Series, horizon: int, setup: SeasonalSetup) -> np.ndarray:
    """OLS on Fourier terms and a holiday dummy; coefficients by least squares (statsmodels OLS)."""
    index = pd.DatetimeIndex(history.index)
    future = future_index(index, horizon, setup.freq)
    design = fourier_design(index, setup)
    keep = design.std(axis=0) > 0
    keep[0] = True
    fitted = sm.OLS(history.to_numpy(dtype=float), design[:, keep]).fit()
    return np.asarray(fitted.predict(fourier_design(future, setup)[:, keep]), dtype=float)


Model = Callable[[pd.Series, int, SeasonalSetup], np.ndarray]

CANDIDATES: dict[str, Model] = {
    "seasonal_naive": seasonal_naive,
    "seasonal_mean": seasonal_mean,
    "ets": ets,
    "mstl_arima": mstl_arima,
    "fourier_regression": fourier_regression,
}
"""The fitted candidates; ``selection`` adds ``ensemble`` (mean of every candidate but seasonal naive)."""

MODEL_LABELS: dict[str, str] = {
    "seasonal_naive": "Seasonal naive (same time one season earlier)",
    "seasonal_mean": "Seasonal mean (same time in the last 8 seasons, averaged)",
    "ets": "Exponential smoothing (Holt-Winters, damped trend)",
    "mstl_arima": "MSTL decomposition + ARIMA",
    "fourier_regression": "Regression on Fourier terms + holidays",
    "ensemble": "Average of seasonal mean, ETS, MSTL and regression",
    "constant": "Constant (history has no variation)",
    "mean": "Mean of the short history",
}
"""Plain-words names of the models for the page and the exports."""
