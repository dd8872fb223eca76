"""A recent level shift in demand: a unit that expanded (or lost beds) shows a step in its daily census.

Method (single change point in the mean, the CUSUM / binary-segmentation statistic; Page 1954, Hinkley
1970; Killick & Eckley 2014 for the family): the series is turned into daily means (one value per local
day, so the daily cycle drops out), the day-of-week profile is removed (median deviation per weekday),
and over the last :data:`LOOKBACK_DAYS` days the split that maximises

    |mean(after) - mean(before)| * sqrt(n_before * n_after / n)

is found, with at least :data:`MIN_SIDE_DAYS` days on each side. It is reported as a recent level shift when

* it lies in the last :data:`RECENT_DAYS` days (the trailing window the hourly models are fitted on), and
* the step is larger than both :data:`MIN_SIGMAS` robust standard deviations of the daily values around
  their own side's median (1.4826 x MAD) and :data:`MIN_RELATIVE_CHANGE` of the level before.

Weekly and monthly series, and histories shorter than two sides of the minimum length, are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LOOKBACK_DAYS = 112
RECENT_DAYS = 56
MIN_SIDE_DAYS = 7
MIN_SIGMAS = 4.0
MIN_RELATIVE_CHANGE = 0.10


@dataclass(frozen=True)
class LevelShift:
    """A detected step: ``since`` (first local day at the new level), ``before`` / ``after`` (mean level per step
    of the series, e.g. patients present), ``relative_change`` (after / before - 1; NaN when before is 0)."""

    since: pd.Timestamp
    before: float
    after: float
    relative_change: float

    def message(self) -> str:
        """The shift in plain words for the page and the workbook."""
        direction = "rose" if self.after > self.before else "fell"
        change = "" if not np.isfinite(self.relative_change) else f" ({self.relative_change:+.0%})"
        return (
            f"Demand {direction} to a new level from {self.since:%Y-%m-%d}: about {self.before:.1f} before and "
            f"{self.after:.1f} since{change}. This is what a unit that expanded (or closed beds) looks like; check "
            "the staffed beds in the units table. The models are fitted on the recent weeks, so the forecast "
            "follows the new level only as far as those weeks show it."
        )


def daily_levels(series: pd.Series) -> pd.Series:
    """Mean per local calendar day of a sub-daily or daily series, with the day-of-week profile removed."""
    index = pd.DatetimeIndex(series.index)
    days = index.tz_localize(None).normalize() if index.tz is not None else index.normalize()
    daily = series.groupby(days).mean().dropna()
    weekday = pd.Series(pd.DatetimeIndex(daily.index).day_of_week, index=daily.index)
    profile = (daily - daily.median()).groupby(weekday).median()
    return daily - weekday.map(profile).to_numpy()


def detect_level_shift(series: pd.Series, freq: str) -> LevelShift | None:
    """The recent level shift of ``series`` (module docstring), or ``None``.

    ``series``: values on a regular DatetimeIndex of frequency ``freq`` (pandas alias); NaN ignored.
    """
    if freq in ("W", "MS"):
        return None
    daily = daily_levels(series).iloc[-LOOKBACK_DAYS:]
    n = len(daily)
    if n < 2 * MIN_SIDE_DAYS:
        return None
    values = daily.to_numpy(dtype=float)
    splits = np.arange(MIN_SIDE_DAYS, n - MIN_SIDE_DAYS + 1)
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    before = cumulative[splits] / splits
    after = (cumulative[-1] - cumulative[splits]) / (n - splits)
    statistic = np.abs(after - before) * np.sqrt(splits * (n - splits) / n)
    best = int(splits[np.argmax(statistic)])
    if n - best > RECENT_DAYS:
        return None
    left, right = values[:best], values[best:]
    spread = np.concatenate([left - np.median(left), right - np.median(right)])
    sigma = 1.4826 * float(np.median(np.abs(spread)))
    level_before, level_after = float(left.mean()), float(right.mean())
    step = abs(level_after - level_before)
    if step <= MIN_SIGMAS * sigma or step <= MIN_RELATIVE_CHANGE * abs(level_before):
        return None
    relative = level_after / level_before - 1 if level_before else np.nan
    return LevelShift(pd.Timestamp(daily.index[best]), level_before, level_after, relative)
