"""Shift clock times (``schema.ShiftClockTimes``): clock-only exports, end after start, time-zone-aware hours.

``hours`` missing -> clock duration in the hospital time zone (``settings.hospital_timezone()``):
ambiguous fall-back times are the first occurrence; times inside the spring-forward gap do not
exist and are errors. Given hours that differ from the clock duration by more than the duration
itself, and shifts longer than ``rule.max_hours``, are errors. The rule completes values (it
``derives``): it runs before the column checks, which then see full timestamps and the hours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_loaders import settings
from data_loaders.schema import ShiftClockTimes
from data_loaders.validation.parsing import parse_datetimes
from data_loaders.validation.rules import TableRows


def check_shift_clock_times(rule: ShiftClockTimes, rows: TableRows) -> pd.Series:
    """Combine clock times with the shift date, then check order, existence, length and hours.

    Writes the combined ``rule.start``/``rule.end`` and the computed ``rule.hours`` into ``rows.frame``;
    returns the mask of rows rejected. Problems on rows already rejected while parsing are not repeated.
    """
    frame, problems, parse_bad = rows.frame, rows.problems, rows.bad
    start_col, end_col, hours_col = rule.start, rule.end, rule.hours
    bad = pd.Series(False, index=frame.index)
    no_clock = pd.Series(np.nan, index=frame.index)
    start_t = rows.clock_times.get(start_col, no_clock)
    end_t = rows.clock_times.get(end_col, no_clock)
    start_clock, end_clock = start_t.notna(), end_t.notna()
    time_only = start_clock | end_clock
    if time_only.any():
        day = parse_datetimes(frame[rule.day]).values.dt.normalize() if rule.day in frame else None
        if day is None:
            hit = time_only & ~parse_bad
            problems.add_rows(frame[hit], start_col, "", rule.no_day_message.format(start=start_col, end=end_col))
            bad |= hit
        else:
            # only the cells that held a clock time alone take the date; a full timestamp beside one is kept
            start = frame[start_col].where(~start_clock, day + pd.to_timedelta(start_t, unit="s"))
            end = day + pd.to_timedelta(end_t, unit="s")
            end = end.where(end > start, end + pd.Timedelta(days=1))
            frame.loc[start_clock, start_col] = start[start_clock]
            frame.loc[end_clock, end_col] = end[end_clock]
            no_day = time_only & day.isna()
            problems.add_rows(frame[no_day & ~parse_bad], rule.day, "", rule.missing_day_message)
            bad |= no_day
    # an end given as a clock time alone was put after its start above; a full end timestamp must be after it
    full = ~end_clock & frame[start_col].notna() & frame[end_col].notna()
    order = full & (frame[end_col] <= frame[start_col])
    problems.add_rows(frame[order], end_col, frame.loc[order, end_col].dt.strftime("%Y-%m-%d %H:%M"), rule.message)
    bad |= order
    tz = settings.hospital_timezone()
    flags = np.ones(len(frame), dtype=bool)
    start_utc = frame[start_col].dt.tz_localize(tz, ambiguous=flags, nonexistent="NaT")
    end_utc = frame[end_col].dt.tz_localize(tz, ambiguous=flags, nonexistent="NaT")
    for name, local, utc in ((start_col, frame[start_col], start_utc), (end_col, frame[end_col], end_utc)):
        gap = local.notna() & utc.isna()
        problems.add_rows(
            frame[gap],
            name,
            local[gap].dt.strftime("%Y-%m-%d %H:%M"),
            rule.gap_message.format(column=name, timezone=tz),
        )
        bad |= gap
    duration = (end_utc - start_utc).dt.total_seconds() / 3600
    too_long = duration > rule.max_hours
    problems.add_rows(
        frame[too_long],
        end_col,
        duration[too_long].round(2).astype(str) + " h",
        rule.too_long_message.format(max_hours=rule.max_hours),
    )
    bad |= too_long
    given = frame[hours_col]
    impossible = (given >= 0) & duration.notna() & ((given - duration).abs() > duration) & (duration > 0)
    problems.add_rows(frame[impossible], hours_col, given[impossible], rule.hours_message.format(hours=hours_col))
    bad |= impossible
    frame[hours_col] = given.where(given.notna(), duration.where(duration > 0).round(4))
    return bad
