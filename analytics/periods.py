"""Reporting periods (month, quarter, year) and the splitting of hours across period boundaries.

A period is identified in every KPI frame by its **first day** (``datetime64[ns]`` at midnight),
e.g. ``2026-04-01`` for April 2026, Q2 2026 (``freq="Q"``) or, with ``freq="Y"``, the year 2026 starts
``2026-01-01``. Periods are calendar periods; quarters and years start in January.

Hospitals never close, so a night shift from 19:00 on 31 January to 07:00 on 1 February belongs to two
months. :func:`split_at_period_boundaries` cuts such shifts at local midnight of the boundary and measures
each piece in the hospital's time zone, so a piece that contains a daylight-saving change has its true
length (a 19:00-07:00 night lasts 11 or 13 hours on those nights).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from data_loaders.settings import hospital_timezone

FREQS = {"M": "M", "Q": "Q", "Y": "Y"}
"""Accepted period granularities: month, quarter, year."""

MONTHS_PER_PERIOD = {"M": 1, "Q": 3, "Y": 12}


def check_freq(freq: str) -> str:
    """Return ``freq`` upper-cased if it is ``"M"``, ``"Q"`` or ``"Y"``; raises ``ValueError`` otherwise."""
    key = str(freq).upper()
    if key not in FREQS:
        raise ValueError(f"Period granularity {freq!r} is not supported: use 'M' (month), 'Q' (quarter) or 'Y' (year).")
    return key


def period_start(dates: pd.Series | pd.DatetimeIndex, freq: str) -> pd.Series:
    """First day of the period containing each date (``datetime64[ns]``; NaT stays NaT)."""
    key = check_freq(freq)
    series = pd.Series(pd.to_datetime(dates)).astype("datetime64[ns]")
    months = series.to_numpy().astype("datetime64[M]")
    if key == "Q":
        number = months.astype("int64")
        months = (number - number % 3).astype("datetime64[M]")
    elif key == "Y":
        months = months.astype("datetime64[Y]").astype("datetime64[M]")
    starts = months.astype("datetime64[ns]")
    starts[series.isna().to_numpy()] = np.datetime64("NaT")
    return pd.Series(starts, index=series.index, dtype="datetime64[ns]")


def period_end(starts: pd.Series | pd.Timestamp, freq: str) -> pd.Series | pd.Timestamp:
    """Last day (midnight) of the period beginning at each ``starts``."""
    offset = pd.DateOffset(months=MONTHS_PER_PERIOD[check_freq(freq)])
    return starts + offset - pd.Timedelta(days=1)


def period_range(start: object, end: object, freq: str) -> pd.DatetimeIndex:
    """Starts of all whole periods from the one containing ``start`` to the one containing ``end``."""
    key = check_freq(freq)
    first = pd.Timestamp(start).to_period(key).start_time
    last = pd.Timestamp(end).to_period(key).start_time
    return pd.DatetimeIndex(pd.period_range(first, last, freq=key).start_time).astype("datetime64[ns]")


def window(dates: Iterable[pd.Series], freq: str, start: object = None, end: object = None) -> pd.DatetimeIndex:
    """Period starts covering ``start``..``end``; missing bounds default to the earliest/latest of ``dates``.

    Returns an empty index when there is no date at all.
    """
    values = pd.concat([pd.Series(pd.to_datetime(d)) for d in dates], ignore_index=True).dropna()
    lo = pd.Timestamp(start) if start is not None else (values.min() if len(values) else None)
    hi = pd.Timestamp(end) if end is not None else (values.max() if len(values) else None)
    if lo is None or hi is None or lo > hi:
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    return period_range(lo, hi, freq)


def duration_hours(start: pd.Series, end: pd.Series, tz: str | None = None) -> pd.Series:
    """Elapsed hours between local wall-clock ``start`` and ``end``, measured in time zone ``tz``.

    ``tz`` defaults to :func:`data_loaders.settings.hospital_timezone`. Ambiguous wall-clock times (the
    repeated hour when clocks go back) are read as the first occurrence for a start and the second for an
    end, so a night across the change lasts 13 hours; non-existent times (clocks go forward) move forward.
    """
    zone = tz or hospital_timezone()
    start_utc = _localize(start, zone, first=True)
    end_utc = _localize(end, zone, first=False)
    return (end_utc - start_utc).dt.total_seconds() / 3600.0


def _localize(values: pd.Series, zone: str, first: bool) -> pd.Series:
    naive = pd.Series(pd.to_datetime(values)).astype("datetime64[ns]")
    ambiguous = np.full(len(naive), first, dtype=bool)
    return naive.dt.tz_localize(zone, ambiguous=ambiguous, nonexistent="shift_forward")


def split_at_period_boundaries(
    frame: pd.DataFrame,
    freq: str,
    additive: tuple[str, ...] = ("hours",),
    tz: str | None = None,
) -> pd.DataFrame:
    """Cut rows with ``start``/``end`` (local times) that cross a period boundary into one row per period.

    Returns a copy of ``frame`` with ``period`` (period start) and ``continued`` (bool: this piece is the part
    after the boundary) added; a row that crosses a boundary becomes two rows, and each column in ``additive``
    (e.g. worked and overtime hours) is shared between them in proportion to the elapsed time (time-zone aware)
    before and after local midnight of the boundary. Rows are assumed to span at most one boundary (a shift
    lasts at most 24 hours; schema rule).
    """
    key = check_freq(freq)
    out = frame.copy()
    out["period"] = period_start(out["start"], key)
    out["continued"] = False
    last_instant = pd.to_datetime(out["end"]) - pd.Timedelta(microseconds=1)
    end_period = period_start(last_instant, key)
    crossing = (end_period > out["period"]).fillna(False).to_numpy()
    if not crossing.any():
        return out
    cross = out.loc[crossing]
    boundary = end_period.loc[crossing]
    total = duration_hours(cross["start"], cross["end"], tz)
    before = duration_hours(cross["start"], boundary, tz)
    share = (before / total.where(total > 0)).fillna(0.5).clip(0, 1)
    first, second = cross.copy(), cross.copy()
    first["end"] = boundary
    second["start"] = boundary
    second["period"] = boundary
    second["continued"] = True
    for col in additive:
        if col in cross.columns:
            first[col] = cross[col] * share
            second[col] = cross[col] * (1 - share)
    return pd.concat([out.loc[~crossing], first, second], ignore_index=True)
