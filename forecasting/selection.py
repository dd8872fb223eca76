"""Rolling-origin backtest, model choice and empirically calibrated prediction intervals.

A backtest fits every candidate at a few forecast origins near the end of the history (each on
its trailing ``fit_window``), forecasts the next ``horizon`` steps and keeps the out-of-sample
errors ``actual - forecast`` (Tashman 2000, "Out-of-sample tests of forecasting accuracy").

* **MASE** (Hyndman & Koehler 2006): mean absolute error over the test window divided by the
  mean absolute in-sample error of the seasonal naive method on that origin's training window,
  averaged over origins. Below 1 the model beats seasonal naive's typical error.
* **Relative MAE**: the model's MAE divided by seasonal naive's MAE over the same test windows
  (0.62 = errors 38% smaller than seasonal naive).
* **Intervals** are empirical (Williams & Goodman 1971; the split-conformal idea of Vovk et al.
  2005): the 2.5/10/90/97.5% quantiles of the backtest errors in the same horizon bucket (first
  day, rest of the first week, second week, later) are added to the point forecast. They are as
  wide as the model's real out-of-sample errors, not as its own (usually too narrow) theory says.
* **Coverage** is measured honestly by leave-one-origin-out: the intervals tested on an origin's
  window are calibrated only on the errors of the other origins.
* **Calibration** (:func:`interval_scales`): when that leave-one-origin-out coverage falls short of
  80% / 95%, the chosen model's intervals are widened about the median error by the smallest factor
  (steps of 0.05, at most 3) with which the left-out windows would have been covered as promised -
  conformal calibration of the width on the backtest windows only (Vovk et al. 2005).
* **Speed**: every fit runs with one BLAS thread (``threadpoolctl``): the matrices are small
  (at most a few thousand rows by ~40 columns), and multi-threaded OpenBLAS on a busy 2-core
  machine made a single least-squares fit up to 100x slower.
* **Choice**: the lowest ``score = MASE x (1 + max(0, 0.80 - coverage80) + max(0, 0.95 - coverage95))``
  - accuracy first, with a penalty for intervals that cover less than they promise - except that
  the ensemble is taken when its score is within 5% of the best.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from forecasting.models import CANDIDATES, SeasonalSetup

QUANTILES = (0.025, 0.1, 0.5, 0.8, 0.9, 0.95, 0.975)
"""Error quantiles kept per horizon bucket: interval ends (80%, 95%) and service levels (p80, p95)."""

ENSEMBLE_MEMBERS = ("seasonal_mean", "ets", "mstl_arima", "fourier_regression")
MIN_ERRORS_PER_BUCKET = 30
MAX_BACKTEST_DAYS = 28


@dataclass
class Backtest:
    """Result of :func:`run_backtest`.

    ``table``: one row per model (index ``model``), columns ``MASE``, ``relative_MAE`` (vs seasonal
    naive), ``coverage80``, ``coverage95`` (fractions 0-1, NaN with a single origin), ``score``.
    ``errors``: per model a frame with columns ``origin`` (int), ``step`` (0-based int) and
    ``error`` (actual - forecast, in the series' unit). ``horizon`` steps per origin; ``origins``
    number of origins; ``failures`` model -> reason for models that could not be fitted.
    """

    table: pd.DataFrame
    errors: dict[str, pd.DataFrame]
    horizon: int
    origins: int
    failures: dict[str, str] = field(default_factory=dict)


def minimum_training(setup: SeasonalSetup) -> int:
    """Fewest values a seasonal model is fitted on: two full seasons."""
    return 2 * setup.season


def backtest_design(n: int, horizon: int, setup: SeasonalSetup, max_origins: int = 3) -> tuple[int, list[int]]:
    """Test-window length and origin positions for a history of ``n`` values.

    The test window is the requested horizon, capped at 28 days (12 steps for weekly/monthly data),
    and shortened if the history cannot hold three windows after the minimum training (to no less
    than a day of hourly data or one step otherwise). Origins are
    the starts of non-overlapping test windows ending at the last value. Returns ``(0, [])`` when
    no backtest is possible.
    """
    cap = MAX_BACKTEST_DAYS * setup.steps_per_day if setup.steps_per_day else 12
    test = min(horizon, cap)
    spare = n - minimum_training(setup)
    if spare < max(1, min(test, setup.season // 2)):
        return 0, []
    test = min(test, spare)
    if spare // test < 3:  # three shorter windows judge models better than one long one, and measure coverage
        test = max(min(test, spare // 3), min(max(1, setup.steps_per_day), test))
    count = max(1, min(max_origins, spare // test))
    return test, [n - k * test for k in range(count, 0, -1)]


def horizon_buckets(steps: np.ndarray, setup: SeasonalSetup) -> np.ndarray:
    """Bucket number of each 0-based forecast step: first day / rest of week 1 / week 2 / later."""
    if setup.steps_per_day:
        edges = np.array([setup.steps_per_day, 7 * setup.steps_per_day, 14 * setup.steps_per_day])
    else:
        edges = np.array([3, 6])
    return np.searchsorted(edges, steps, side="right")


def error_quantiles(errors: pd.DataFrame, setup: SeasonalSetup) -> pd.DataFrame:
    """Quantiles of backtest errors per horizon bucket.

    ``errors`` has columns ``step`` and ``error``. Returns a frame indexed by bucket (0..3) with
    one column per level in :data:`QUANTILES`. A bucket with fewer than 30 errors uses all errors
    pooled, so sparse buckets do not give falsely narrow intervals.
    """
    buckets = horizon_buckets(errors["step"].to_numpy(), setup)
    values = errors["error"].to_numpy(dtype=float)
    pooled = np.quantile(values, QUANTILES, method="higher") if len(values) else np.zeros(len(QUANTILES))
    rows = {}
    for bucket in range(4):
        chosen = values[buckets == bucket]
        rows[bucket] = (
            np.quantile(chosen, QUANTILES, method="higher") if len(chosen) >= MIN_ERRORS_PER_BUCKET else pooled
        )
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(QUANTILES))


def quantiles_for_steps(table: pd.DataFrame, steps: np.ndarray, setup: SeasonalSetup, tested: int) -> pd.DataFrame:
    """Error quantiles for each forecast step; beyond the tested horizon widened by sqrt(step / tested)."""
    frame = table.loc[horizon_buckets(steps, setup)].reset_index(drop=True)
    if tested > 0:
        widen = np.sqrt(np.maximum(1.0, (steps + 1) / tested))
        frame = frame.mul(widen, axis=0)
    return frame


def _forecast_or_reason(name: str, train: pd.Series, horizon: int, setup: SeasonalSetup) -> np.ndarray | str:
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            forecast = CANDIDATES[name](train, horizon, setup)
    except Exception as exc:  # any fitting failure demotes the model instead of crashing the page
        return f"{type(exc).__name__}: {exc}"
    if len(forecast) != horizon or not np.all(np.isfinite(forecast)):
        return "the fit produced non-finite forecasts"
    return forecast


def candidate_forecasts(
    train: pd.Series, horizon: int, setup: SeasonalSetup, names: tuple[str, ...], nonnegative: bool
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Point forecasts of each named candidate (plus ``ensemble``) and the reasons for any failure."""
    forecasts: dict[str, np.ndarray] = {}
    failures: dict[str, str] = {}
    for name in names:
        result = _forecast_or_reason(name, train, horizon, setup)
        if isinstance(result, str):
            failures[name] = result
        else:
            forecasts[name] = result
    members = [forecasts[m] for m in ENSEMBLE_MEMBERS if m in forecasts]
    if len(members) >= 2:
        forecasts["ensemble"] = np.mean(members, axis=0)
    if nonnegative:
        forecasts = {name: np.clip(values, 0, None) for name, values in forecasts.items()}
    return forecasts, failures


def naive_scale(train: np.ndarray, season: int) -> float:
    """MASE denominator: mean |y_t - y_(t-m)| over the training values (Hyndman & Koehler 2006)."""
    m = season if len(train) > season else 1
    diffs = np.abs(train[m:] - train[:-m])
    return float(diffs.mean()) if len(diffs) else float("nan")


def _coverage(errors: pd.DataFrame, setup: SeasonalSetup, forecasts: pd.DataFrame) -> tuple[float, float]:
    """Leave-one-origin-out coverage of the 80% and 95% intervals (NaN with one origin)."""
    origins = errors["origin"].unique()
    if len(origins) < 2:
        return float("nan"), float("nan")
    inside80 = inside95 = total = 0
    for origin in origins:
        held = errors["origin"] == origin
        table = error_quantiles(errors[~held], setup)
        steps = errors.loc[held, "step"].to_numpy()
        q = table.loc[horizon_buckets(steps, setup)].to_numpy()
        point = forecasts.loc[held, "forecast"].to_numpy()
        actual = point + errors.loc[held, "error"].to_numpy()
        lo80, hi80 = point + q[:, 1], point + q[:, 4]
        lo95, hi95 = point + q[:, 0], point + q[:, 6]
        inside80 += int(((actual >= lo80) & (actual <= hi80)).sum())
        inside95 += int(((actual >= lo95) & (actual <= hi95)).sum())
        total += len(actual)
    return inside80 / total, inside95 / total


MAX_INTERVAL_SCALE = 3.0
SCALE_STEP = 0.05


def interval_scales(errors: pd.DataFrame, setup: SeasonalSetup) -> tuple[float, float]:
    """Widening factors ``(s80, s95)`` for the 80% and 95% intervals, from leave-one-origin-out coverage.

    ``errors`` as :attr:`Backtest.errors` (columns ``origin``, ``step``, ``error``). For each origin
    the error quantiles of the other origins give its intervals; each interval end is moved away from
    the median error by the factor s: ``median + s * (end - median)``. Returns the smallest s in
    1.0, 1.05, ..., 3.0 for which at least 80% (resp. 95%) of the left-out errors fall inside
    (3.0 if none does; 1.0 with fewer than two origins, when nothing can be left out).
    """
    origins = errors["origin"].unique()
    if len(origins) < 2:
        return 1.0, 1.0
    parts = []
    for origin in origins:
        held = (errors["origin"] == origin).to_numpy()
        table = error_quantiles(errors[~held], setup)
        parts.append(table.loc[horizon_buckets(errors.loc[held, "step"].to_numpy(), setup)].to_numpy())
        parts[-1] = np.column_stack([parts[-1], errors.loc[held, "error"].to_numpy(dtype=float)])
    stacked = np.vstack(parts)
    q, actual = stacked[:, : len(QUANTILES)], stacked[:, -1]
    median = q[:, QUANTILES.index(0.5)]
    grid = np.arange(1.0, MAX_INTERVAL_SCALE + SCALE_STEP / 2, SCALE_STEP)

    def smallest(low: float, high: float, target: float) -> float:
        lo, hi = q[:, QUANTILES.index(low)] - median, q[:, QUANTILES.index(high)] - median
        for scale in grid:
            if np.mean((actual >= median + scale * lo) & (actual <= median + scale * hi)) >= target:
                return float(round(scale, 2))
        return float(round(grid[-1], 2))

    return smallest(0.1, 0.9, 0.80), smallest(0.025, 0.975, 0.95)


def widen_intervals(q: pd.DataFrame, scales: tuple[float, float]) -> pd.DataFrame:
    """Error quantiles (columns = QUANTILES) with the 80% ends (0.1, 0.9) and 95% ends (0.025, 0.975) moved
    away from the median by the factors ``scales`` (from :func:`interval_scales`); other columns unchanged."""
    widened = q.copy()
    median = q[0.5]
    for scale, columns in zip(scales, ((0.1, 0.9), (0.025, 0.975)), strict=True):
        for column in columns:
            widened[column] = median + scale * (q[column] - median)
    return widened


def default_origins(setup: SeasonalSetup) -> int:
    """Backtest origins: 6 for hourly and other sub-daily series (each fit costs most), 8 for daily, weekly and monthly
    ones."""
    return 6 if setup.steps_per_day > 1 else 8


def run_backtest(
    history: pd.Series,
    horizon: int,
    setup: SeasonalSetup,
    names: tuple[str, ...] = tuple(CANDIDATES),
    max_origins: int | None = None,
    nonnegative: bool = True,
) -> Backtest:
    """Rolling-origin backtest of the candidates ``names`` (and their ensemble) on ``history``.

    ``history``: float Series on a regular DatetimeIndex, no NaN. Raises ``ValueError`` when the
    history is too short for even one test window (see :func:`backtest_design`).
    """
    test, origins = backtest_design(len(history), horizon, setup, max_origins or default_origins(setup))
    if not origins:
        raise ValueError("The history is too short for a backtest.")
    values = history.to_numpy(dtype=float)
    errors: dict[str, list[pd.DataFrame]] = {}
    points: dict[str, list[np.ndarray]] = {}
    mae: dict[str, list[float]] = {}
    mase: dict[str, list[float]] = {}
    failures: dict[str, str] = {}
    for number, origin in enumerate(origins):
        start = 0 if setup.fit_window is None else max(0, origin - setup.fit_window)
        train = history.iloc[start:origin]
        actual = values[origin : origin + test]
        forecasts, failed = candidate_forecasts(train, test, setup, names, nonnegative)
        failures.update(failed)
        scale = naive_scale(train.to_numpy(dtype=float), setup.season)
        for name, forecast in forecasts.items():
            error = actual - forecast
            errors.setdefault(name, []).append(
                pd.DataFrame({"origin": number, "step": np.arange(test), "error": error})
            )
            points.setdefault(name, []).append(forecast)
            mae.setdefault(name, []).append(float(np.abs(error).mean()))
            mase.setdefault(name, []).append(float(np.abs(error).mean() / scale) if scale > 0 else float("nan"))
    complete = [name for name in errors if len(errors[name]) == len(origins)]
    naive_mae = float(np.mean(mae["seasonal_naive"])) if "seasonal_naive" in complete else float("nan")
    rows = []
    error_frames = {}
    for name in complete:
        frame = pd.concat(errors[name], ignore_index=True)
        error_frames[name] = frame
        forecast_frame = pd.DataFrame({"forecast": np.concatenate(points[name])})
        cov80, cov95 = _coverage(frame, setup, forecast_frame)
        model_mase = float(np.mean(mase[name]))
        relative = float(np.mean(mae[name]) / naive_mae) if naive_mae > 0 else float("nan")
        penalty = (max(0.0, 0.80 - cov80) if np.isfinite(cov80) else 0.0) + (
            max(0.0, 0.95 - cov95) if np.isfinite(cov95) else 0.0
        )
        score = model_mase * (1 + penalty) if np.isfinite(model_mase) else float(np.mean(mae[name]))
        rows.append(
            {
                "model": name,
                "MASE": model_mase,
                "relative_MAE": relative,
                "coverage80": cov80,
                "coverage95": cov95,
                "score": score,
            }
        )
    table = pd.DataFrame(rows).set_index("model").sort_values("score")
    return Backtest(table, error_frames, test, len(origins), failures)


ENSEMBLE_TOLERANCE = 0.05
"""The ensemble is preferred when its score is within 5% of the best single model's."""


def choose_model(backtest: Backtest) -> str:
    """The model with the lowest backtest score, or the ensemble if its score is within 5% of it.

    With a handful of backtest windows, small score differences are noise; an average of models is
    the more robust choice then (the "forecast combination puzzle", Claeskens et al. 2016).
    """
    scores = backtest.table["score"]
    best = str(scores.idxmin())
    if "ensemble" in scores and scores["ensemble"] <= scores[best] * (1 + ENSEMBLE_TOLERANCE):
        return "ensemble"
    return best


def naive_interval_quantiles(history: pd.Series, steps: np.ndarray, setup: SeasonalSetup) -> pd.DataFrame:
    """Error quantiles for seasonal naive when no backtest is possible.

    Uses the in-sample seasonal-naive errors (lag m, or lag 1 when shorter than two seasons),
    widened by sqrt(k) for the k-th season ahead (FPP3 section 5.5, seasonal naive
    sigma_h = sigma * sqrt(floor((h-1)/m) + 1)). Shape as :func:`quantiles_for_steps`.
    """
    values = history.to_numpy(dtype=float)
    lag = setup.season if len(values) > setup.season else 1
    residuals = values[lag:] - values[:-lag]
    base = np.quantile(residuals, QUANTILES) if len(residuals) else np.zeros(len(QUANTILES))
    seasons_ahead = np.floor(steps / lag) + 1
    return pd.DataFrame(np.outer(np.sqrt(seasons_ahead), base), columns=list(QUANTILES))
