"""The simulation clock: physical hours (UTC) mapped to the hospital's local wall-clock time.

The generator simulates in physical hours so that a night across a daylight-saving change really
lasts 11 or 13 hours; every stamp it writes is converted back to naive local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

WARM_UP_DAYS = 35
"""Days simulated before the first day so that census starts at its steady state."""


@dataclass(frozen=True)
class Clock:
    """Hour grid of the simulation.

    ``local`` holds the naive local start of each physical hour (one entry per UTC hour, so the
    repeated 01:00 on the autumn change appears twice and the skipped 02:00 in spring not at all);
    ``day`` is the local day number of each hour counted from ``day0`` (negative in the warm-up);
    ``hour`` the local hour of day; ``start_of[d, h]`` the physical hour index at which local day
    ``d`` (counted from ``day0``) shows ``h`` o'clock (first occurrence when repeated, the next
    hour when skipped).
    """

    timezone: str
    day0: pd.Timestamp
    first: pd.Timestamp
    last: pd.Timestamp
    n_days: int
    local: pd.DatetimeIndex
    day: np.ndarray
    hour: np.ndarray
    start_of: np.ndarray
    weekday: np.ndarray
    day_of_year: np.ndarray

    @property
    def n_hours(self) -> int:
        return len(self.local)

    def index_of_day(self, day: date | pd.Timestamp) -> int:
        """Local day number of ``day`` counted from ``day0``."""
        return int((pd.Timestamp(day) - self.day0).days)

    def hour_index(self, day_number: np.ndarray, hour: np.ndarray) -> np.ndarray:
        """Physical hour index of local ``hour`` o'clock on local day ``day_number`` (arrays).

        ``hour`` may exceed 23 for times on following days (31 = 07:00 the next day).
        """
        hour = np.asarray(hour)
        return self.start_of[np.asarray(day_number) + hour // 24 + WARM_UP_DAYS, hour % 24]


def build_clock(first: date, last: date, timezone: str, ahead_days: int = 0) -> Clock:
    """Clock covering the warm-up, the Sunday before ``first``, every day up to ``last`` inclusive and
    ``ahead_days`` more (the published roster after the last worked day).

    ``first``/``last`` are local calendar dates. Raises ``ValueError`` if ``last`` precedes ``first``.
    """
    if pd.Timestamp(last) < pd.Timestamp(first):
        raise ValueError(f"The last day {last} is before the first day {first}.")
    first_ts = pd.Timestamp(first)
    day0 = first_ts - pd.Timedelta(days=(first_ts.day_of_week + 1) % 7)  # Sunday starts the pay week
    grid_start = day0 - pd.Timedelta(days=WARM_UP_DAYS)
    grid_end = pd.Timestamp(last) + pd.Timedelta(days=2 + ahead_days)
    utc_start = grid_start.tz_localize(timezone).tz_convert("UTC")
    utc_end = grid_end.tz_localize(timezone).tz_convert("UTC")
    utc = pd.date_range(utc_start, utc_end, freq="h", inclusive="left")
    local_aware = utc.tz_convert(timezone)
    local = local_aware.tz_localize(None)
    day = np.asarray((local.normalize() - day0).days, dtype=np.int64)
    hour = np.asarray(local.hour, dtype=np.int64)
    n_days = int((grid_end - grid_start).days)
    wall = pd.DatetimeIndex(
        np.repeat(pd.date_range(grid_start, periods=n_days, freq="D").values, 24)
        + np.tile(np.arange(24), n_days).astype("timedelta64[h]")
    )
    aware = wall.tz_localize(timezone, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="shift_forward")
    offsets = (aware.tz_convert("UTC") - utc_start) // pd.Timedelta(hours=1)
    start_of = np.asarray(offsets, dtype=np.int64).reshape(n_days, 24)
    return Clock(
        timezone=timezone,
        day0=day0,
        first=first_ts,
        last=pd.Timestamp(last),
        n_days=n_days,
        local=local,
        day=day,
        hour=hour,
        start_of=start_of,
        weekday=np.asarray(local.day_of_week, dtype=np.int64),
        day_of_year=np.asarray(local.day_of_year, dtype=np.int64),
    )
