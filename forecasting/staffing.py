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
* **Usual pattern**: when no future shifts are scheduled, scheduled staff = mean staff on duty in
  the same weekday and hour over the last ``weeks`` weeks of worked timecards.
* **Gap** = scheduled - needed (staff); an hour is *understaffed* when gap < 0 and *overstaffed*
  when gap >= 1 (at least one whole person more than needed).
"""

from __future__ import annotations

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


def timecard_window_start(worked: pd.DataFrame, until: pd.Timestamp, weeks: int) -> pd.Timestamp:
    """Start of the usual-pattern window: ``weeks`` weeks before ``until``, or the first worked shift if later.

    Timecards that begin inside the window (a new unit, a recent import) must not be averaged with
    weeks that have no data, which would understate the staff usually on duty.
    """
    start = pd.Timestamp(until) - pd.Timedelta(weeks=weeks)
    starts = pd.to_datetime(worked["start"]).dropna() if len(worked) else pd.Series(dtype="datetime64[ns]")
    recent = starts[(starts >= start) & (starts < until)]
    if len(recent) and recent.min().ceil("h") > start and (starts < start).sum() == 0:
        return recent.min().ceil("h")
    return start


def usual_pattern(shifts: pd.DataFrame, until: pd.Timestamp, weeks: int = 8) -> pd.DataFrame:
    """Mean staff on duty per weekday and hour over the ``weeks`` weeks of worked shifts before ``until``.

    The window starts later when timecards start later (:func:`timecard_window_start`).
    Returns a float frame with a (``weekday`` 0=Monday, ``hour``) MultiIndex of 168 rows and
    columns ``RN`` and ``CNA``. All zeros when there are no worked shifts in that window.
    """
    until = pd.Timestamp(until).floor("h")
    worked = shifts[shifts["status"].astype(str) != "scheduled"] if "status" in shifts else shifts
    start = timecard_window_start(worked, until, weeks)
    window = pd.date_range(start, until, freq="h", inclusive="left")
    on_duty = staff_on_duty(worked, window)
    keys = [window.day_of_week.rename("weekday"), window.hour.rename("hour")]
    pattern = on_duty.groupby(keys).mean()
    full = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    return pattern.reindex(full).fillna(0.0)


def scheduled_staff(shifts: pd.DataFrame, hours: pd.DatetimeIndex, weeks: int = 8) -> tuple[pd.DataFrame, str]:
    """Staff scheduled per forecast hour, and which source it came from.

    Uses future shifts with status ``scheduled`` when any overlap ``hours``; otherwise the
    :func:`usual_pattern` of the last ``weeks`` weeks before the first forecast hour, laid onto each
    hour by weekday and hour. Returns (frame indexed by ``hours`` with ``RN``/``CNA`` floats,
    ``"scheduled shifts"`` or ``"usual pattern of the last N weeks"``).
    """
    status = shifts["status"].astype(str) if "status" in shifts else pd.Series("worked", index=shifts.index)
    future = shifts[(status == "scheduled") & (shifts["end"] > hours[0]) & (shifts["start"] < hours[-1])]
    if len(future):
        return staff_on_duty(future, hours), "scheduled shifts"
    pattern = usual_pattern(shifts, hours[0], weeks)
    keys = pd.MultiIndex.from_arrays([hours.day_of_week, hours.hour])
    laid = pattern.reindex(keys)
    laid.index = hours
    return laid, f"usual pattern of the last {weeks} weeks of timecards"


def staffing_gaps(needed: pd.DataFrame, scheduled: pd.DataFrame) -> pd.DataFrame:
    """Needed vs scheduled per hour and role.

    Returns a frame on ``needed``'s index with, per role R, columns ``R_needed``, ``R_scheduled`` and
    ``R_gap`` (= scheduled - needed; negative = short).
    """
    columns = {}
    for role in needed.columns:
        have = scheduled[role].reindex(needed.index).fillna(0.0) if role in scheduled else 0.0
        columns[f"{role}_needed"] = needed[role].astype(float)
        columns[f"{role}_scheduled"] = have
        columns[f"{role}_gap"] = have - needed[role]
    return pd.DataFrame(columns, index=needed.index)


def gap_summary(gaps: pd.DataFrame) -> pd.DataFrame:
    """Per role: understaffed hours, staff-hours short, overstaffed hours, staff-hours over.

    Returns a frame indexed by role with float columns ``understaffed_hours`` (hours with gap < 0),
    ``staff_hours_short`` (sum of shortfalls, staff x hours), ``overstaffed_hours`` (gap >= 1) and
    ``staff_hours_over`` (sum of the excess in those hours).
    """
    rows = {}
    for column in [c for c in gaps.columns if c.endswith("_gap")]:
        gap = gaps[column]
        rows[column.removesuffix("_gap")] = {
            "understaffed_hours": float((gap < -1e-9).sum()),
            "staff_hours_short": float((-gap.clip(upper=0)).sum()),
            "overstaffed_hours": float((gap >= 1).sum()),
            "staff_hours_over": float(gap.where(gap >= 1, 0).sum()),
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
