"""Staff needed per hour from forecast census, staff scheduled, and the gaps between them.

Formulas (also in ``docs/forecasting.md``):

* **Service level**: the census staffed for is the forecast ``mean``, or its 80th (``p80``) or
  95th (``p95``) percentile - covering p80 means about 4 hours in 5 have enough staff.
* **Ratio method**: ``RN needed = ceil(census / patients_per_rn)``, ``CNA needed =
  ceil(census / patients_per_cna)`` (ratios from :mod:`forecasting.staffing_standards`).
* **HPPD method** (when a unit sets ``hppd``): nursing staff on duty in an hour =
  ``census x HPPD / 24``; RNs = ``ceil(that x rn_share)``, CNAs = ``ceil(that x (1 - rn_share))``.
* **Staff on duty** in a local clock hour [h, h+1) = sum over shifts of the fraction of that hour
  the shift covers (a 07:00-19:30 shift counts 0.5 in the 19:00 hour). Shifts crossing midnight
  count in both days; on the fall-back night the repeated 01:00 hour is one local hour.
* **Shifts of record**: worked timecards; a roster (``scheduled``) shift only where the same person has no
  timecard overlapping it (timecards are what happened, the roster what was planned).
* **Scheduled staff** in the forecast hours = staff on duty from the shifts of record that overlap them,
  including the night shift that started before the first forecast hour. The schedule is *published until*
  the latest end of those shifts; later hours are **not yet scheduled** (no roster exists for them yet), which
  is not the same as *short*.
* **Gap** = scheduled - needed (staff), only in scheduled hours; an hour is *understaffed* (short) when
  gap < 0 and *overstaffed* when gap >= 1 (at least one whole person more than needed). Not-yet-scheduled
  hours have no gap: their need is counted as staff-hours still to schedule.
* **Current pattern** (what the unit works today) = worked timecards of the role that start in the last
  ``weeks`` weeks before the first forecast hour (or since the first timecard, if later): staff on duty per
  weekday and hour summed over the window / window length in weeks; paid hours per week = sum of ``hours``
  (time-zone-aware clock duration where ``hours`` is missing: a 19:00-07:00 night is 11 h on the spring-forward
  night and 13 h on the fall-back night) / weeks; overtime per week = sum of ``overtime_hours`` / weeks - the
  same shifts for all three.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.staffing_standards import StaffingStandard

STAFFED_ROLES = ("RN", "CNA")
SERVICE_LEVELS = {"mean": "mean", "p80": "p80", "p95": "p95"}
"""Service level name -> forecast column staffed for."""


def census_at_service_level(forecast: pd.DataFrame, level: str) -> pd.Series:
    """Census to staff for: the forecast column of ``level`` (``mean``, ``p80`` or ``p95``).

    Raises ``ValueError`` for another level or a forecast without that column.
    """
    if level not in SERVICE_LEVELS or SERVICE_LEVELS[level] not in forecast:
        raise ValueError(f"Service level must be one of {sorted(SERVICE_LEVELS)}; got {level!r}.")
    return forecast[SERVICE_LEVELS[level]].astype(float).rename("census")


def staff_needed(census: pd.Series, standard: StaffingStandard) -> pd.DataFrame:
    """Staff needed per period by role.

    ``census``: patients per hour (any index; NaN treated as 0, negatives as 0). Returns a frame
    with the same index and integer columns ``RN`` and ``CNA`` (staff on duty needed).
    """
    patients = census.fillna(0).clip(lower=0).to_numpy(dtype=float)
    eps = 1e-9  # 10.0 / 2 must give 5 nurses, not 6 through floating-point noise
    if standard.hppd:
        share = standard.rn_share if standard.rn_share is not None else standard.implied_rn_share()
        nursing = patients * standard.hppd / 24
        rn = np.ceil(nursing * share - eps)
        cna = np.ceil(nursing * (1 - share) - eps)
    else:
        rn = np.ceil(patients / standard.patients_per_rn - eps)
        cna = np.ceil(patients / standard.patients_per_cna - eps) if standard.patients_per_cna else np.zeros_like(rn)
    return pd.DataFrame({"RN": rn.astype(int), "CNA": np.maximum(cna, 0).astype(int)}, index=census.index)


def staff_on_duty(
    shifts: pd.DataFrame, hours: pd.DatetimeIndex, roles: tuple[str, ...] = STAFFED_ROLES
) -> pd.DataFrame:
    """Staff on duty per local hour and role from shifts.

    ``shifts``: canonical shift rows (``start``, ``end`` local naive datetimes, ``role``).
    ``hours``: hourly local naive DatetimeIndex (start of each hour). Returns a float frame indexed
    by ``hours`` with one column per role: sum of the fraction of each hour covered by each shift.
    Shifts with a missing start/end or end <= start are ignored.
    """
    result = pd.DataFrame(0.0, index=hours, columns=list(roles))
    valid = shifts.dropna(subset=["start", "end"])
    valid = valid[(valid["end"] > valid["start"]) & valid["role"].isin(roles)]
    if valid.empty or len(hours) == 0:
        return result
    start = pd.to_datetime(valid["start"]).to_numpy("datetime64[ns]")
    end = pd.to_datetime(valid["end"]).to_numpy("datetime64[ns]")
    hour = np.timedelta64(1, "h")
    first = start.astype("datetime64[h]").astype("datetime64[ns]")
    slots = np.ceil((end - first) / hour).astype(int)
    owner = np.repeat(np.arange(len(valid)), slots)
    offset = np.arange(slots.sum()) - np.repeat(np.cumsum(slots) - slots, slots)
    slot_start = first[owner] + offset * hour
    overlap = (np.minimum(end[owner], slot_start + hour) - np.maximum(start[owner], slot_start)) / hour
    expanded = pd.DataFrame({"slot": slot_start, "role": valid["role"].astype(str).to_numpy()[owner], "staff": overlap})
    table = expanded.groupby(["slot", "role"])["staff"].sum().unstack("role")
    table = table.reindex(index=hours, columns=list(roles)).fillna(0.0)
    return table.astype(float)


def clock_hours(shifts: pd.DataFrame, tz: str) -> pd.Series:
    """Real hours between each shift's local ``start`` and ``end`` in time zone ``tz`` (DST-aware).

    An ambiguous fall-back time is its first occurrence and a time inside the spring-forward gap is moved
    forward to the first existing time, as the loader does (``data_loaders.validation.shift_rules``): a
    19:00-07:00 night is 11 h on the spring-forward night and 13 h on the fall-back night. Float Series on
    ``shifts.index``; NaN where start or end is missing.
    """
    first = np.ones(len(shifts), dtype=bool)
    start = pd.to_datetime(shifts["start"]).dt.tz_localize(tz, ambiguous=first, nonexistent="shift_forward")
    end = pd.to_datetime(shifts["end"]).dt.tz_localize(tz, ambiguous=first, nonexistent="shift_forward")
    return ((end - start).dt.total_seconds() / 3600).astype(float)


def paid_hours(shifts: pd.DataFrame, tz: str) -> pd.Series:
    """Paid hours per shift: the timecard's ``hours`` where given, else :func:`clock_hours`."""
    clock = clock_hours(shifts, tz)
    if "hours" not in shifts:
        return clock
    return pd.to_numeric(shifts["hours"], errors="coerce").astype(float).fillna(clock)


def _is_worked(shifts: pd.DataFrame) -> pd.Series:
    if "status" not in shifts:
        return pd.Series(True, index=shifts.index)
    return shifts["status"].astype(str) != "scheduled"


def shifts_of_record(shifts: pd.DataFrame) -> pd.DataFrame:
    """Worked timecards, plus roster shifts of people with no timecard overlapping that roster shift.

    ``shifts``: canonical rows (``employee_id``, ``start``, ``end``, ``status``). Without
    ``employee_id`` every row is kept. Returns a subset of ``shifts`` (same columns).
    """
    worked = _is_worked(shifts)
    if "employee_id" not in shifts or worked.all() or not worked.any():
        return shifts
    roster = shifts[~worked].reset_index()
    cards = shifts.loc[worked, ["employee_id", "start", "end"]]
    pairs = roster[["index", "employee_id", "start", "end"]].merge(cards, on="employee_id", suffixes=("", "_card"))
    overlapping = pairs[(pairs["start_card"] < pairs["end"]) & (pairs["end_card"] > pairs["start"])]["index"]
    return shifts[worked | ~shifts.index.isin(overlapping)]


def timecard_window_start(worked: pd.DataFrame, until: pd.Timestamp, weeks: int) -> pd.Timestamp:
    """Start of the current-pattern window: ``weeks`` weeks before ``until``, or the day of the first worked shift if
    later.

    Timecards that begin inside the window (a new unit, a recent import) must not be averaged with
    weeks that have no data, which would understate the staff usually on duty.
    """
    start = pd.Timestamp(until) - pd.Timedelta(weeks=weeks)
    starts = pd.to_datetime(worked["start"]).dropna() if len(worked) else pd.Series(dtype="datetime64[ns]")
    recent = starts[(starts >= start) & (starts < until)]
    if len(recent) and recent.min().floor("D") > start and (starts < start).sum() == 0:
        return recent.min().floor("D")
    return start


@dataclass(frozen=True)
class CurrentPattern:
    """What the unit works today, per role, from worked timecards (module docstring, "Current pattern").

    ``coverage``: float frame with a (``weekday`` 0=Monday, ``hour``) MultiIndex of 168 rows and one column per
    role (mean staff on duty). ``paid_hours`` / ``overtime_hours``: per role, hours per week. ``start`` /
    ``until``: the window (local time); ``weeks``: its length in weeks; ``shifts``: timecards counted per role.
    """

    coverage: pd.DataFrame
    paid_hours: dict[str, float]
    overtime_hours: dict[str, float]
    start: pd.Timestamp
    until: pd.Timestamp
    weeks: float
    shifts: dict[str, int]

    def describe(self) -> str:
        """The window in words, e.g. "worked timecards of the 8.0 weeks 2026-10-07 to 2026-12-01"."""
        last = self.until - pd.Timedelta(seconds=1)
        return f"worked timecards of the {self.weeks:.1f} weeks {self.start:%Y-%m-%d} to {last:%Y-%m-%d}"


def current_pattern(
    shifts: pd.DataFrame, until: pd.Timestamp, weeks: int = 8, tz: str = "UTC", roles: tuple[str, ...] = STAFFED_ROLES
) -> CurrentPattern:
    """The :class:`CurrentPattern` of the worked timecards starting in the ``weeks`` weeks before ``until``.

    The window starts later when timecards start later (:func:`timecard_window_start`). ``tz``: hospital time
    zone for the clock hours of timecards without ``hours``. Coverage, paid hours and overtime are computed from
    the same timecards. All zeros when there are none.
    """
    until = pd.Timestamp(until).floor("h")
    worked = shifts[_is_worked(shifts)] if len(shifts) else shifts
    start = timecard_window_start(worked, until, weeks)
    span = max((until - start) / pd.Timedelta(weeks=1), 1 / 168)
    starts = pd.to_datetime(worked["start"]) if len(worked) else pd.Series(dtype="datetime64[ns]")
    window = worked[(starts >= start) & (starts < until)]
    window = window[window["role"].astype(str).isin(roles)] if len(window) else window
    full = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    if window.empty:
        zeros = dict.fromkeys(roles, 0.0)
        return CurrentPattern(pd.DataFrame(0.0, index=full, columns=list(roles)), zeros, zeros, start, until, span, {})
    hours = pd.date_range(start, pd.Timestamp(window["end"].max()).ceil("h"), freq="h", inclusive="left")
    on_duty = staff_on_duty(window, hours, roles)
    keys = [hours.day_of_week.rename("weekday"), hours.hour.rename("hour")]
    coverage = (on_duty.groupby(keys).sum() / span).reindex(full).fillna(0.0)
    role = window["role"].astype(str)
    paid = paid_hours(window, tz).groupby(role).sum() / span
    overtime = (
        pd.to_numeric(window["overtime_hours"], errors="coerce").fillna(0.0).groupby(role).sum() / span
        if "overtime_hours" in window
        else pd.Series(dtype=float)
    )
    counts = role.value_counts()
    return CurrentPattern(
        coverage,
        {r: float(paid.get(r, 0.0)) for r in roles},
        {r: float(overtime.get(r, 0.0)) for r in roles},
        start,
        until,
        span,
        {r: int(counts.get(r, 0)) for r in roles},
    )


def usual_pattern(shifts: pd.DataFrame, until: pd.Timestamp, weeks: int = 8) -> pd.DataFrame:
    """Mean staff on duty per weekday and hour: ``current_pattern(...).coverage`` (168 rows, ``RN``/``CNA``)."""
    return current_pattern(shifts, until, weeks).coverage


@dataclass(frozen=True)
class Schedule:
    """Staff scheduled per forecast hour.

    ``on_duty``: float frame on the forecast hours, one column per role; NaN in hours not yet scheduled.
    ``published_until``: end of the latest shift of record overlapping the forecast (``None``: nothing is
    scheduled in the forecast hours). ``source``: where the numbers come from, in words.
    """

    on_duty: pd.DataFrame
    published_until: pd.Timestamp | None
    source: str

    @property
    def not_yet_scheduled(self) -> pd.Series:
        """True for forecast hours after the published schedule."""
        return self.on_duty.isna().all(axis=1)


def scheduled_staff(shifts: pd.DataFrame, hours: pd.DatetimeIndex, roles: tuple[str, ...] = STAFFED_ROLES) -> Schedule:
    """Staff on duty per forecast hour from the :func:`shifts_of_record` overlapping ``hours``.

    ``hours``: hourly local naive DatetimeIndex. A night shift that started before ``hours[0]`` counts for the
    hours it covers. Hours starting at or after ``published_until`` are not yet scheduled (NaN).
    """
    hours = pd.DatetimeIndex(hours)
    record = shifts_of_record(shifts)
    horizon_end = hours[-1] + pd.Timedelta(hours=1)
    overlapping = record[(record["end"] > hours[0]) & (record["start"] < horizon_end)]
    if overlapping.empty:
        on_duty = pd.DataFrame(np.nan, index=hours, columns=list(roles))
        return Schedule(on_duty, None, "no roster or timecards for the forecast hours yet")
    until = pd.Timestamp(overlapping["end"].max())
    on_duty = staff_on_duty(overlapping, hours, roles)
    on_duty[hours >= until] = np.nan
    worked = int(_is_worked(overlapping).sum())
    source = f"published roster until {until:%Y-%m-%d %H:%M}" + (
        f" and {worked} worked timecards of shifts in progress at the start" if worked else ""
    )
    return Schedule(on_duty, until, source)


def staffing_gaps(needed: pd.DataFrame, scheduled: pd.DataFrame) -> pd.DataFrame:
    """Needed vs scheduled per hour and role.

    Returns a frame on ``needed``'s index with, per role R, columns ``R_needed``, ``R_scheduled`` and
    ``R_gap`` (= scheduled - needed; negative = short; NaN where the hour is not yet scheduled), and a
    bool column ``not_yet_scheduled`` (no role has a scheduled value in that hour).
    """
    columns: dict[str, pd.Series] = {}
    missing = pd.Series(True, index=needed.index)
    for role in needed.columns:
        have = scheduled[role].reindex(needed.index) if role in scheduled else pd.Series(0.0, index=needed.index)
        missing &= have.isna()
        columns[f"{role}_needed"] = needed[role].astype(float)
        columns[f"{role}_scheduled"] = have
        columns[f"{role}_gap"] = have - needed[role]
    frame = pd.DataFrame(columns, index=needed.index)
    frame["not_yet_scheduled"] = missing
    return frame


def gap_summary(gaps: pd.DataFrame) -> pd.DataFrame:
    """Per role: short and over in scheduled hours, and what is not yet scheduled.

    Returns a frame indexed by role with float columns ``scheduled_hours`` (hours with a schedule),
    ``understaffed_hours`` (scheduled hours with gap < 0), ``staff_hours_short`` (sum of shortfalls, staff x
    hours), ``overstaffed_hours`` (gap >= 1), ``staff_hours_over`` (sum of the excess in those hours),
    ``not_yet_scheduled_hours`` (hours after the published schedule) and ``staff_hours_to_schedule`` (sum of
    the need in those hours).
    """
    rows = {}
    for column in [c for c in gaps.columns if c.endswith("_gap")]:
        role = column.removesuffix("_gap")
        gap = gaps[column]
        open_hours = gap.isna()
        rows[role] = {
            "scheduled_hours": float((~open_hours).sum()),
            "understaffed_hours": float((gap < -1e-9).sum()),
            "staff_hours_short": float((-gap.clip(upper=0)).sum()),
            "overstaffed_hours": float((gap >= 1).sum()),
            "staff_hours_over": float(gap.where(gap >= 1, 0).sum()),
            "not_yet_scheduled_hours": float(open_hours.sum()),
            "staff_hours_to_schedule": float(gaps.loc[open_hours, f"{role}_needed"].sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("role")


def weekday_hour_table(values: pd.Series, how: str = "mean") -> pd.DataFrame:
    """Hour x weekday table of an hourly series (rows hour 0-23, columns Mon..Sun) for the peak heatmap."""
    index = pd.DatetimeIndex(values.index)
    frame = pd.DataFrame({"value": values.to_numpy(), "hour": index.hour, "weekday": index.day_of_week})
    table = frame.pivot_table(index="hour", columns="weekday", values="value", aggfunc=how)
    table = table.reindex(index=range(24), columns=range(7))
    table.columns = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return table


def hourly_from_daily(forecast: pd.DataFrame) -> pd.DataFrame:
    """Spread a daily forecast onto the 24 local hours of each day (census is a level, so it repeats)."""
    hours = pd.date_range(forecast.index[0], forecast.index[-1] + pd.Timedelta(hours=23), freq="h")
    return forecast.reindex(hours, method="ffill")
