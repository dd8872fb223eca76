"""Patient-demand forecasts per unit: cleaning, model selection, calibrated intervals, plain messages.

``forecast_demand(history, horizon)`` is the interface other tools use; ``forecast_unit_demand``
reads canonical ``census`` rows of one unit (local wall-clock time) and returns the forecast with
its backtest and messages for the page.

Time
----
Census is stamped in **local wall-clock time** (``data_loaders.settings.hospital_timezone()``),
naive. Hospital demand follows the wall clock (admissions, rounds and discharges happen at local
hours), so models run on the regular local wall-clock grid: one value per local clock hour. On the
spring-forward day the 02:00 hour does not exist: it is filled by interpolation for modelling and
removed from the forecast. On the fall-back day the store holds the 01:00 hour once (the natural key
is unit + timestamp); it stands for both real 01:00 hours. Forecasts are returned in the same local
wall-clock time.

Edge cases (each adds a message; none raises for a non-empty numeric history)
---------------------------------------------------------------------------
* leading missing values (a unit that opened later) are dropped;
* negative values are treated as missing (census cannot be negative);
* missing values: gaps up to 3 steps interpolated, longer gaps filled with the usual value for that
  position in the week (median by position in the season plus the local level);
* outliers (e.g. a mass-casualty day): values more than 6 robust standard deviations from the usual
  level for that hour of the week are replaced by the usual value *for fitting only*;
* constant or all-zero history: the constant is forecast with zero-width intervals;
* too short for two seasons: hourly series with at least 2 days use a daily seasonal naive, else
  the mean of the history, both with intervals from the in-sample spread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_loaders.settings import hospital_timezone
from forecasting.level_shift import LevelShift, detect_level_shift
from forecasting.models import (
    CANDIDATES,
    MODEL_LABELS,
    SeasonalSetup,
    future_index,
    infer_frequency,
    seasonal_setup,
    subdaily_alias,
)
from forecasting.selection import (
    ENSEMBLE_MEMBERS,
    MIN_ERRORS_PER_BUCKET,
    QUANTILES,
    candidate_forecasts,
    choose_model,
    error_quantiles,
    interval_scales,
    minimum_training,
    naive_interval_quantiles,
    quantiles_for_steps,
    run_backtest,
    widen_intervals,
)

FORECAST_COLUMNS = ["mean", "lo80", "hi80", "lo95", "hi95"]
MAX_INTERPOLATED_GAP = 3
OUTLIER_SIGMAS = 6.0
RECENT_OPENING_DAYS = 365


@dataclass
class DemandForecast:
    """A forecast with the evidence behind it.

    ``forecast``: index = future timestamps (``horizon`` rows, same kind as the history's index),
    float columns ``mean``, ``lo80``, ``hi80``, ``lo95``, ``hi95`` (80%/95% prediction interval)
    and ``p80``, ``p95`` (80th/95th percentile, for staffing service levels), in the history's unit
    (patients), clipped at 0. ``backtest``: one row per candidate (index ``model``) with ``MASE``,
    ``relative_MAE`` (vs seasonal naive), ``coverage80``, ``coverage95`` (fractions), ``score``;
    empty when no backtest was possible. ``model``: name of the chosen model. ``messages``: plain
    sentences about fallbacks and data problems. ``history``: the cleaned history the models saw.
    ``level_shift``: a recent step in the level (``forecasting.level_shift``; its message is first in
    ``messages``), or ``None``.
    """

    forecast: pd.DataFrame
    backtest: pd.DataFrame
    model: str
    messages: list[str]
    history: pd.Series
    freq: str
    backtest_horizon: int = 0
    backtest_origins: int = 0
    unit: str | None = None
    raw_history: pd.Series | None = field(default=None, repr=False)
    level_shift: LevelShift | None = None

    def summary(self) -> str:
        """The backtest in plain words, e.g. "errors 38% smaller than seasonal naive; 81% of ..."."""
        label = MODEL_LABELS.get(self.model, self.model)
        if self.backtest.empty or self.model not in self.backtest.index:
            return f"Model used: {label}. No backtest was possible on this history."
        row = self.backtest.loc[self.model]
        parts = [f"Chosen model: {label}."]
        relative = row["relative_MAE"]
        if self.model != "seasonal_naive" and np.isfinite(relative):
            if relative < 1:
                parts.append(f"Its errors are {1 - relative:.0%} smaller than seasonal naive's.")
            else:
                parts.append(f"Its errors are {relative - 1:.0%} larger than seasonal naive's.")
        if np.isfinite(row["MASE"]):
            parts.append(f"MASE {row['MASE']:.2f}.")
        if np.isfinite(row["coverage80"]):
            parts.append(
                f"{row['coverage80']:.0%} of actual values fell inside the 80% interval and "
                f"{row['coverage95']:.0%} inside the 95% interval"
                f" ({self.backtest_origins} backtest windows of {self.backtest_horizon} steps)."
            )
        return " ".join(parts)


def step_word(freq: str) -> str:
    """Plural name of one step of ``freq`` for messages ("hours", "days", "6h steps")."""
    return {"h": "hours", "D": "days", "W": "weeks", "MS": "months"}.get(freq, f"{freq} steps")


def regular_grid(history: pd.Series) -> tuple[pd.Series, list[str]]:
    """``history`` on a regular grid, with a message for each repair.

    * Repeated timestamps are averaged into one value: a naive local series holds the fall-back hour twice
      (01:00 on the night daylight-saving time ends); as in the store, one 01:00 value stands for both hours.
    * When every step is a whole multiple of the smallest step and that step divides a day (or is a day or a
      week), the missing timestamps are added as NaN (e.g. the spring-forward 02:00 hour that does not exist
      in local time); :func:`fill_missing` fills them.

    Any other index is returned unchanged (:func:`forecasting.models.infer_frequency` then explains the
    problem).
    """
    messages: list[str] = []
    index = pd.DatetimeIndex(history.index)
    if index.has_duplicates:
        repeated = index[index.duplicated()].unique()
        history = history.groupby(level=0, sort=True).mean()
        messages.append(
            f"{len(repeated)} repeated timestamps (e.g. {repeated[0]:%Y-%m-%d %H:%M}: the hour clocks repeat when "
            "daylight-saving time ends) were averaged into one value each."
        )
    elif not index.is_monotonic_increasing:
        history = history.sort_index()
    index = pd.DatetimeIndex(history.index)
    if len(index) < 3:
        return history, messages
    steps = pd.Series(index[1:] - index[:-1])
    base = steps.min()
    regular = subdaily_alias(base) is not None or base in (pd.Timedelta(days=1), pd.Timedelta(weeks=1))
    if regular and (steps != base).any() and (steps % base == pd.Timedelta(0)).all():
        history = history.asfreq(base)
    return history, messages


def _position(index: pd.DatetimeIndex, setup: SeasonalSetup) -> np.ndarray:
    """Position of each timestamp in the season (hour of week, day of week, month of year ...)."""
    if setup.steps_per_day > 1:
        minute_of_day = np.asarray(index.hour * 60 + index.minute)
        return np.asarray(index.day_of_week) * setup.steps_per_day + minute_of_day * setup.steps_per_day // 1440
    if setup.freq == "D":
        return np.asarray(index.day_of_week)
    if setup.freq == "W":
        return np.asarray(index.isocalendar().week.to_numpy() % 52)
    return np.asarray(index.month - 1)


def usual_values(series: pd.Series, setup: SeasonalSetup) -> pd.Series:
    """The usual value at each time: median by position in the season plus a centred rolling level.

    Robust to outliers and gaps (medians). Same index as ``series``; NaN only if ``series`` is all NaN.
    """
    position = _position(pd.DatetimeIndex(series.index), setup)
    profile = series.groupby(position).median()
    seasonal = pd.Series(profile.reindex(position).to_numpy(), index=series.index)
    deviation = series - seasonal
    window = max(3, setup.season)
    level = deviation.rolling(window, center=True, min_periods=1).median()
    level = level.fillna(deviation.median()).fillna(0.0)
    return (seasonal + level).fillna(series.median())


def fill_missing(series: pd.Series, setup: SeasonalSetup) -> tuple[pd.Series, list[str]]:
    """Fill NaN: short gaps by linear interpolation, longer ones by :func:`usual_values`."""
    missing = int(series.isna().sum())
    if missing == 0:
        return series, []
    filled = series.interpolate(limit=MAX_INTERPOLATED_GAP, limit_area="inside")
    still = filled.isna()
    if still.any():
        filled = filled.where(~still, usual_values(series, setup))
    runs = series.isna().astype(int).groupby(series.notna().cumsum()).sum()
    longest = int(runs.max())
    step = step_word(setup.freq)
    return filled, [
        f"{missing} of {len(series)} values were missing (longest gap {longest} {step}); gaps up to "
        f"{MAX_INTERPOLATED_GAP} {step} were interpolated, longer ones filled with the usual value for that time."
    ]


def replace_outliers(series: pd.Series, setup: SeasonalSetup) -> tuple[pd.Series, list[str]]:
    """Replace values more than 6 robust SDs (1.4826 x MAD) from the usual value; message for each run."""
    if len(series) < 2 * setup.season:
        return series, []
    usual = usual_values(series, setup)
    residual = series - usual
    sigma = 1.4826 * float((residual - residual.median()).abs().median())
    if not sigma > 0:
        return series, []
    flagged = (residual.abs() > OUTLIER_SIGMAS * sigma) & (residual.abs() >= 2)
    if not flagged.any():
        return series, []
    worst = residual.abs()[flagged].idxmax()
    step = step_word(setup.freq)
    message = (
        f"{int(flagged.sum())} {step} look exceptional (largest at {worst:%Y-%m-%d %H:%M}: "
        f"{series[worst]:.0f} against about {usual[worst]:.0f} usual), e.g. a mass-casualty event; "
        "they were replaced by the usual value for fitting the models (the chart shows the real values)."
    )
    return series.where(~flagged, usual), [message]


def _frame_from_quantiles(future: pd.DatetimeIndex, point: np.ndarray, q: pd.DataFrame, clip: bool) -> pd.DataFrame:
    """Forecast frame from point forecasts and per-step error quantiles (columns = QUANTILES)."""
    q = q.to_numpy()
    level = {value: i for i, value in enumerate(QUANTILES)}
    frame = pd.DataFrame(
        {
            "mean": point,
            "lo80": point + q[:, level[0.1]],
            "hi80": point + q[:, level[0.9]],
            "lo95": point + q[:, level[0.025]],
            "hi95": point + q[:, level[0.975]],
            "p80": point + q[:, level[0.8]],
            "p95": point + q[:, level[0.95]],
        },
        index=future,
    )
    frame["lo80"] = np.minimum(frame["lo80"], frame["mean"])
    frame["lo95"] = np.minimum(frame["lo95"], frame["lo80"])
    for upper in ("hi80", "p80", "p95", "hi95"):
        frame[upper] = np.maximum(frame[upper], frame["mean"])
    frame["hi95"] = np.maximum(frame["hi95"], frame["hi80"])
    frame["p95"] = np.maximum(frame["p95"], frame["p80"])
    return frame.clip(lower=0) if clip else frame


def widest(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Per step, the lower of two lower error quantiles and the higher of two upper ones (columns = QUANTILES)."""
    lower = [q for q in QUANTILES if q < 0.5]
    upper = [q for q in QUANTILES if q >= 0.5]
    merged = first.copy()
    merged[lower] = np.minimum(first[lower].to_numpy(), second[lower].to_numpy())
    merged[upper] = np.maximum(first[upper].to_numpy(), second[upper].to_numpy())
    return merged


def _empty_backtest() -> pd.DataFrame:
    return pd.DataFrame(columns=["MASE", "relative_MAE", "coverage80", "coverage95", "score"]).rename_axis("model")


def _fallback(history: pd.Series, horizon: int, setup: SeasonalSetup, clip: bool) -> tuple[pd.DataFrame, str, str]:
    """Forecast for a history too short to backtest: daily seasonal naive (hourly, >= 2 days) or the mean."""
    future = future_index(pd.DatetimeIndex(history.index), horizon, setup.freq)
    steps = np.arange(horizon)
    per_day = setup.steps_per_day
    if per_day > 1 and len(history) >= 2 * per_day:
        daily = SeasonalSetup(setup.freq, per_day, (), (), None, per_day, None)
        point = np.resize(history.to_numpy(dtype=float)[-per_day:], horizon)
        q = naive_interval_quantiles(history, steps, daily)
        return _frame_from_quantiles(future, point, q, clip), "seasonal_naive", "same hour yesterday"
    values = history.to_numpy(dtype=float)
    point = np.full(horizon, values.mean())
    spread = np.quantile(values - values.mean(), QUANTILES)
    q = pd.DataFrame(np.tile(spread, (horizon, 1)), columns=list(QUANTILES))
    return _frame_from_quantiles(future, point, q, clip), "mean", "the mean of the history"


def forecast_series(
    history: pd.Series,
    horizon: int,
    holiday_country: str | None = "US",
    nonnegative: bool = True,
    candidates: tuple[str, ...] = tuple(CANDIDATES),
) -> DemandForecast:
    """Forecast ``horizon`` steps of a regular series with per-series model selection.

    ``history``: numeric Series on a regular hourly/daily/weekly/monthly ``DatetimeIndex`` (NaN
    allowed). ``candidates``: models compared (default all of ``models.CANDIDATES``; the ensemble is
    added when two of its members are present). Returns a :class:`DemandForecast`. Raises
    ``TypeError`` if the index is not a DatetimeIndex, ``ValueError`` if ``horizon < 1``, the grid
    is irregular, there is no value, or a candidate name is unknown.
    """
    unknown = set(candidates) - set(CANDIDATES)
    if unknown or not candidates:
        raise ValueError(f"Unknown or no candidate models {sorted(unknown)}; choose from {sorted(CANDIDATES)}.")
    if not isinstance(history.index, pd.DatetimeIndex):
        raise TypeError("history must be indexed by timestamps (a pandas DatetimeIndex).")
    if horizon < 1:
        raise ValueError("horizon must be at least 1 step.")
    history, messages = regular_grid(history)
    freq = infer_frequency(pd.DatetimeIndex(history.index))
    raw = pd.to_numeric(history, errors="coerce").astype(float)
    if raw.notna().sum() == 0:
        raise ValueError("The history has no numeric values to forecast from.")
    first = raw.first_valid_index()
    if first != raw.index[0]:
        messages.append(f"No data before {first:%Y-%m-%d %H:%M}; the history starts there.")
    series = raw.loc[first : raw.last_valid_index()]
    if (series < 0).any():
        messages.append(f"{int((series < 0).sum())} negative values were treated as missing.")
        series = series.where(series >= 0)
    setup = seasonal_setup(freq, len(series), holiday_country)
    series, notes = fill_missing(series, setup)
    messages += notes
    cleaned, notes = replace_outliers(series, setup)
    messages += notes
    shift = detect_level_shift(series, freq)
    if shift is not None:
        messages.insert(0, shift.message())
    clip = nonnegative
    future = future_index(pd.DatetimeIndex(series.index), horizon, freq)

    if cleaned.nunique() == 1:
        value = float(cleaned.iloc[0])
        word = "zero" if value == 0 else f"constant at {value:g}"
        messages.append(f"The history is {word}; the forecast repeats it with no uncertainty band.")
        frame = pd.DataFrame({c: value for c in [*FORECAST_COLUMNS, "p80", "p95"]}, index=future)
        return DemandForecast(
            frame, _empty_backtest(), "constant", messages, cleaned, freq, raw_history=raw, level_shift=shift
        )

    if len(cleaned) < minimum_training(setup) + max(1, setup.season // 2):
        frame, model, words = _fallback(cleaned, horizon, setup, clip)
        messages.append(
            f"Only {len(cleaned)} values of history: too short to compare models "
            f"(two full seasons of {setup.season} steps plus a test window are needed); forecasting {words}."
        )
        return DemandForecast(
            frame, _empty_backtest(), model, messages, cleaned, freq, raw_history=raw, level_shift=shift
        )

    backtest = run_backtest(cleaned, horizon, setup, names=candidates, nonnegative=nonnegative)
    for name, reason in backtest.failures.items():
        messages.append(f"Model {MODEL_LABELS.get(name, name)} could not be fitted and was skipped ({reason}).")
    model = choose_model(backtest)
    train = cleaned if setup.fit_window is None else cleaned.iloc[-setup.fit_window :]
    names = tuple(m for m in ENSEMBLE_MEMBERS if m in candidates) if model == "ensemble" else (model,)
    forecasts, failures = candidate_forecasts(train, horizon, setup, names, nonnegative)
    if model not in forecasts:
        messages.append(f"The chosen model failed on the full history ({failures}); using seasonal naive.")
        model = "seasonal_naive"
        forecasts, _ = candidate_forecasts(train, horizon, setup, (model,), nonnegative)
    if backtest.origins < 2:
        messages.append("Only one backtest window fits in the history: interval coverage could not be measured.")
    steps = np.arange(horizon)
    q = quantiles_for_steps(error_quantiles(backtest.errors[model], setup), steps, setup, backtest.horizon)
    scales = interval_scales(backtest.errors[model], setup)
    if max(scales) > 1:
        q = widen_intervals(q, scales)
        messages.append(
            f"Intervals widened x{scales[0]:.2f} (80%) and x{scales[1]:.2f} (95%): in the backtest, narrower ones "
            "covered less than promised."
        )
    if len(backtest.errors[model]) < MIN_ERRORS_PER_BUCKET:
        q = widest(q, naive_interval_quantiles(cleaned, steps, setup))
        messages.append(
            f"Only {len(backtest.errors[model])} backtest errors: intervals are at least as wide as seasonal naive's."
        )
    if horizon > backtest.horizon:
        messages.append(
            f"Intervals beyond the tested {backtest.horizon} steps are widened by the square root of the horizon."
        )
    frame = _frame_from_quantiles(future, forecasts[model], q, clip)
    if model != "seasonal_naive" and backtest.table.loc[model, "relative_MAE"] >= 1:
        messages.append("No model beat seasonal naive clearly on this unit's history.")
    return DemandForecast(
        frame,
        backtest.table,
        model,
        messages,
        cleaned,
        freq,
        backtest.horizon,
        backtest.origins,
        raw_history=raw,
        level_shift=shift,
    )


def forecast_demand(history: pd.Series, horizon: int) -> pd.DataFrame:
    """Forecast ``horizon`` future steps of ``history`` with the app's model selection.

    ``history``: numeric Series on any regular ``DatetimeIndex`` - hourly, another step that divides a day
    (6-hour blocks, 8- or 12-hour shifts, half hours), daily, weekly or monthly; naive or time-zone aware;
    frequency inferred; NaN allowed. A naive local series may hold the fall-back hour twice (averaged) and
    lack the spring-forward hour (filled): :func:`regular_grid`. Returns a DataFrame with ``horizon`` rows
    indexed by the future timestamps and float columns ``mean``, ``lo80``, ``hi80``, ``lo95``, ``hi95`` (80%
    and 95% prediction intervals, empirically calibrated from the rolling-origin backtest), clipped at 0.
    ``frame.attrs["messages"]`` holds the plain-words messages (data repairs, a recent level shift first)
    and ``frame.attrs["level_shift"]`` the :class:`~forecasting.level_shift.LevelShift` or ``None``.
    Raises ``TypeError``/``ValueError`` as :func:`forecast_series`.
    """
    result = forecast_series(history, horizon)
    frame = result.forecast[FORECAST_COLUMNS].copy()
    frame.attrs["messages"] = list(result.messages)
    frame.attrs["level_shift"] = result.level_shift
    return frame


def local_census_series(census: pd.DataFrame, value: str = "census") -> pd.Series:
    """Regular local wall-clock series of one unit's canonical census rows.

    ``census``: rows with ``timestamp`` (local naive datetime64) and ``value`` column. Hourly when
    any timestamp is not at midnight, else daily. Duplicate timestamps are averaged; missing hours or
    days become NaN (the spring-forward hour included; :func:`forecast_series` fills it). Raises
    ``ValueError`` if there are no rows with a value.
    """
    rows = census.dropna(subset=[value])
    if rows.empty:
        raise ValueError(f"No {value} values recorded for this unit.")
    stamps = pd.to_datetime(rows["timestamp"])
    series = rows.assign(timestamp=stamps).groupby("timestamp")[value].mean().astype(float).sort_index()
    hourly = bool((series.index != series.index.normalize()).any())
    return series.asfreq("h" if hourly else "D")


def nonexistent_local_hours(index: pd.DatetimeIndex, tz: str) -> np.ndarray:
    """True for naive local timestamps that do not exist in ``tz`` (the spring-forward hour)."""
    localized = index.tz_localize(tz, nonexistent="NaT", ambiguous=np.ones(len(index), dtype=bool))
    return np.asarray(localized.isna())


def forecast_unit_demand(
    census: pd.DataFrame,
    horizon_days: int = 28,
    unit: str | None = None,
    value: str = "census",
    opened: pd.Timestamp | None = None,
    tz: str | None = None,
    holiday_country: str | None = "US",
    candidates: tuple[str, ...] = tuple(CANDIDATES),
) -> DemandForecast:
    """Forecast one unit's census (or arrivals) ``horizon_days`` ahead from canonical census rows.

    ``census``: canonical ``census`` rows (``unit``, ``timestamp`` local naive, ``census``...),
    filtered to ``unit`` when given. ``opened``: the unit's opening date from ``units`` (adds a
    message when the history is short because the unit is new). ``tz``: hospital time zone
    (default ``hospital_timezone()``); hourly forecasts drop local hours that do not exist.
    ``candidates``: as in :func:`forecast_series`.
    Returns a :class:`DemandForecast` whose ``forecast`` has one row per local hour (or day).
    Raises ``ValueError`` if the unit has no values.
    """
    rows = census if unit is None else census[census["unit"] == unit]
    series = local_census_series(rows, value)
    zone = tz or hospital_timezone()
    if series.index.freqstr in ("h", "H"):
        skipped = nonexistent_local_hours(pd.DatetimeIndex(series.index), zone) & series.isna().to_numpy()
        series[skipped] = series.interpolate(limit_area="inside")[skipped]
    steps = horizon_days * (24 if series.index.freqstr in ("h", "H") else 1)
    result = forecast_series(series, steps, holiday_country=holiday_country, candidates=candidates)
    result.unit = unit
    if opened is not None and pd.notna(opened):
        days = (series.index[-1] - pd.Timestamp(opened)).days
        if days < RECENT_OPENING_DAYS:
            result.messages.insert(0, f"This unit opened on {pd.Timestamp(opened):%Y-%m-%d}: {days} days of history.")
    if result.freq == "h":
        gone = nonexistent_local_hours(pd.DatetimeIndex(result.forecast.index), zone)
        result.forecast = result.forecast[~gone]
    return result
