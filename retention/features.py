"""Burnout and attrition risk features per employee, as of a date, from the canonical tables.

One row per employee active on the as-of date, computed from the trailing windows that end the day
before it (a 4-week short window and a 12-week long window). Every feature, its unit and its source
is listed in :data:`FEATURES` and documented in ``docs/risk_model.md``.

Time is handled the way hospitals run: shift start/end are local wall-clock times
(``data_loaders.settings.hospital_timezone()``) that are made timezone-aware before any duration is
taken, so a 19:00-07:00 night lasts 11 h on the spring-forward night and 13 h on the fall-back night,
and rest between shifts is measured in real elapsed time. Runs of consecutive days use calendar-date
arithmetic, so they continue across month and year ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_loaders.settings import hospital_timezone

SHORT_WEEKS = 4
"""Short trailing window, weeks (about one roster period)."""
LONG_WEEKS = 12
"""Long trailing window, weeks (a quarter)."""

QUICK_RETURN_REST_HOURS = 11.0
"""Minimum daily rest, hours: EU Working Time Directive 2003/88/EC, Article 3 ("a minimum daily rest period
of 11 consecutive hours per 24-hour period"). Rest strictly shorter than this is a quick return; exactly
11 h is not, because it meets the Directive's minimum. Note that Vedaa et al. 2016 (Ergonomics 59(1):1-14)
define quick returns as 11.0 h or less between shifts, so this count is slightly narrower than theirs."""

NIGHT_WINDOW = (23, 6)
"""Night period, local hours [23:00, 06:00): the default "night time" of the UK Working Time Regulations 1998,
reg. 2(1), which implements EU Directive 2003/88/EC Article 2(3) (a period of at least 7 h including
midnight-05:00)."""
NIGHT_SHIFT_MIN_HOURS = 3.0
"""A shift is a night shift if at least 3 h fall in the night period: EU Directive 2003/88/EC Article 2(4)(a)
(a night worker works "at least three hours of his daily working time" during night time)."""

LONG_SHIFT_HOURS = 12.0
"""A long shift lasts 12 h or more: Dall'Ora et al. 2015, BMJ Open 5(9):e008331 (shifts >= 12 h, compared with
<= 8 h, associated with burnout, job dissatisfaction and intention to leave among 31,627 European nurses)."""

STANDARD_WEEK_HOURS = 40.0
"""Hours per week at 1.0 FTE (schema ``employees.fte``) and the US FLSA overtime threshold (29 U.S.C. 207(a)),
used to derive overtime when a timecard export does not give ``overtime_hours``."""

PTO_HOURS_PER_YEAR_AT_1_FTE = 120.0
"""Expected paid time off, hours per year at 1.0 FTE: 15 days of 8 h, the mean paid vacation of US private
industry workers after 5 years of service (US Bureau of Labor Statistics, National Compensation Survey, paid
vacation provisions, December 2022 estimates, published April 2023; paid vacation only, excluding holidays and
sick leave; the 8 h day is a house conversion). Prorated by FTE and by weeks employed in the window."""

TRAINING_WINDOW_WEEKS = 4
"""Training load counts required courses due, and unit go-lives, within +/- 4 weeks of the as-of date."""

RISK_TABLES = (
    "units",
    "employees",
    "shifts",
    "absences",
    "pulse_surveys",
    "training",
    "tech_rollouts",
    "wellbeing",
    "census",
)
"""Canonical tables :func:`compute_risk_features` reads (all but ``employees`` optional)."""

ATTRIBUTE_COLUMNS = ("unit", "unit_type", "role", "employment_type", "fte")
"""Employee attributes carried into the feature frame (categoricals for the attrition model)."""


@dataclass(frozen=True)
class FeatureSpec:
    """One risk feature: its column name, unit and meaning."""

    name: str
    unit: str
    description: str


FEATURES: dict[str, FeatureSpec] = {
    f.name: f
    for f in (
        FeatureSpec("hours_per_week_4w", "hours/week", "Worked hours per week employed, last 4 weeks."),
        FeatureSpec("hours_per_week_12w", "hours/week", "Worked hours per week employed, last 12 weeks."),
        FeatureSpec(
            "overtime_hours_per_week_4w",
            "hours/week",
            "Overtime hours per week, last 4 weeks (timecard `overtime_hours`; hours over 40 in a week if absent).",
        ),
        FeatureSpec("overtime_hours_per_week_12w", "hours/week", "Overtime hours per week, last 12 weeks."),
        FeatureSpec("long_shift_share_12w", "share 0-1", "Share of shifts lasting 12 h or more, last 12 weeks."),
        FeatureSpec(
            "longest_run_days_12w", "days", "Longest run of consecutive days with a shift start, last 12 weeks."
        ),
        FeatureSpec(
            "night_shift_share_12w", "share 0-1", "Share of shifts with >= 3 h between 23:00 and 06:00, last 12 weeks."
        ),
        FeatureSpec(
            "weekend_shift_share_12w", "share 0-1", "Share of shifts starting on Saturday or Sunday, last 12 weeks."
        ),
        FeatureSpec("quick_returns_4w", "count", "Shifts started < 11 h after the previous shift ended, last 4 weeks."),
        FeatureSpec("quick_returns_12w", "count", "Quick returns, last 12 weeks."),
        FeatureSpec("missed_break_share_12w", "share 0-1", "Share of shifts with a missed break, last 12 weeks."),
        FeatureSpec("sick_hours_per_week_12w", "hours/week", "Sick absence hours per week employed, last 12 weeks."),
        FeatureSpec(
            "sick_episodes_12w", "count", "Sick absence episodes (runs of consecutive sick days), last 12 weeks."
        ),
        FeatureSpec(
            "pto_not_taken_share_12w",
            "share 0-1",
            "1 - PTO hours taken / FTE-prorated expected PTO (120 h/year at 1.0 FTE), floored at 0, last 12 weeks.",
        ),
        FeatureSpec("pulse_score", "1-5", "Mean pulse-survey score (all dimensions; 5 best), last 12 weeks."),
        FeatureSpec(
            "pulse_change",
            "points (1-5 scale)",
            "Mean pulse score last 12 weeks minus the mean in the 12 weeks before (negative = worsening).",
        ),
        FeatureSpec(
            "training_courses_due", "courses", "Required courses due within 4 weeks either side of the as-of date."
        ),
        FeatureSpec("go_live_near", "0/1", "1 if the home unit has a technology go-live within 4 weeks either side."),
        FeatureSpec("tenure_years", "years", "Years since hire at the as-of date."),
        FeatureSpec(
            "new_starter",
            "0/1",
            "1 if hired less than a year before the as-of date (first-year turnover is the highest: NSI 2025 "
            "National Health Care Retention & RN Staffing Report).",
        ),
        FeatureSpec(
            "sleep_hours_4w", "hours/night", "Mean consented wearable sleep, last 4 weeks (empty without consent)."
        ),
        FeatureSpec(
            "patients_per_rn_12w",
            "patients per RN",
            "Home unit's patients per RN on duty, last 12 weeks: patient-days x 24 / RN worked hours.",
        ),
        FeatureSpec("fte", "FTE", "Contracted FTE (1.0 = 40 h/week)."),
    )
}
"""Numeric risk features, in display order."""

_NS_PER_HOUR = 3_600_000_000_000


def _localise(naive: pd.Series, tz: str, *, first: bool) -> pd.Series:
    """Naive local wall-clock times -> UTC instants as ``datetime64[ns]`` (naive, UTC).

    An ambiguous time (the repeated hour when clocks fall back) is read as its first occurrence when
    ``first`` is true (shift starts) and as the second otherwise (shift ends), so rest is never overstated.
    A non-existent time (the skipped hour when clocks spring forward) is moved forward to the first valid
    instant.
    """
    values = pd.to_datetime(naive).astype("datetime64[ns]")
    flags = np.full(len(values), first, dtype=bool)
    aware = values.dt.tz_localize(tz, ambiguous=flags, nonexistent="shift_forward")
    return aware.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")


def _ns(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="datetime64[ns]").astype(np.int64)


def prepare_shifts(shifts: pd.DataFrame, tz: str | None = None) -> pd.DataFrame:
    """Per-shift facts used by the window features, computed once for a whole timecard table.

    Input: canonical ``shifts`` (``employee_id``, ``unit``, ``start``, ``end`` required; ``hours``,
    ``overtime_hours``, ``missed_break``, ``role``, ``status`` used if present). Only ``worked`` shifts
    (or rows without status) are kept.

    Returns one row per shift, sorted by employee and start, with columns ``employee_id``, ``unit``,
    ``role``, ``local_date`` (datetime64 at midnight of the local start date), ``duration_hours``
    (tz-aware elapsed hours), ``hours`` (the export's worked hours, else the duration), ``overtime_hours``
    (float, NaN where not exported), ``night_hours``, ``is_night``, ``is_weekend``, ``is_long``,
    ``missed_break`` (float 0/1/NaN), ``rest_hours`` (hours since the same employee's previous shift
    ended; NaN for the first) and ``quick_return`` (bool: 0 < rest < 11 h).
    """
    tz = tz or hospital_timezone()
    frame = shifts
    if "status" in frame.columns:
        frame = frame[frame["status"].isna() | (frame["status"].astype("string") == "worked")]
    frame = frame.dropna(subset=["employee_id", "start", "end"])
    start_local = pd.to_datetime(frame["start"]).astype("datetime64[ns]").reset_index(drop=True)
    end_local = pd.to_datetime(frame["end"]).astype("datetime64[ns]").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "employee_id": frame["employee_id"].astype("string").to_numpy(),
            "unit": frame["unit"].astype("string").to_numpy() if "unit" in frame else pd.NA,
            "role": frame["role"].astype("string").to_numpy() if "role" in frame else pd.NA,
        }
    )
    out["role"] = out["role"].astype("string")
    out["unit"] = out["unit"].astype("string")
    start_ns = _ns(_localise(start_local, tz, first=True))
    end_ns = _ns(_localise(end_local, tz, first=False))
    out["start_ns"] = start_ns
    out["end_ns"] = end_ns
    out["local_date"] = start_local.dt.normalize().to_numpy()
    duration = np.clip(end_ns - start_ns, 0, None) / _NS_PER_HOUR
    out["duration_hours"] = duration
    hours = pd.to_numeric(frame["hours"], errors="coerce").to_numpy(dtype=float) if "hours" in frame else None
    out["hours"] = duration if hours is None else np.where(np.isnan(hours), duration, hours)
    out["overtime_hours"] = (
        pd.to_numeric(frame["overtime_hours"], errors="coerce").to_numpy(dtype=float)
        if "overtime_hours" in frame
        else np.nan
    )
    out["night_hours"] = _night_hours(start_local, start_ns, end_ns, tz)
    out["is_night"] = out["night_hours"] >= NIGHT_SHIFT_MIN_HOURS
    out["is_weekend"] = (start_local.dt.day_of_week >= 5).to_numpy()
    out["is_long"] = duration >= LONG_SHIFT_HOURS
    if "missed_break" in frame:
        out["missed_break"] = frame["missed_break"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    else:
        out["missed_break"] = np.nan
    out = out.sort_values(["employee_id", "start_ns"], kind="stable").reset_index(drop=True)
    previous_end = out.groupby("employee_id", sort=False)["end_ns"].shift(1)
    rest_ns = out["start_ns"] - previous_end
    out["rest_hours"] = rest_ns / _NS_PER_HOUR
    out["quick_return"] = ((rest_ns > 0) & (rest_ns < int(QUICK_RETURN_REST_HOURS * _NS_PER_HOUR))).fillna(False)
    out["quick_return"] = out["quick_return"].astype(bool)
    return out


def _night_hours(start_local: pd.Series, start_ns: np.ndarray, end_ns: np.ndarray, tz: str) -> np.ndarray:
    """Real elapsed hours of each shift inside local [23:00, 06:00) night periods (shifts up to 48 h)."""
    day = start_local.dt.normalize()
    night_start, night_end = NIGHT_WINDOW
    total = np.zeros(len(day), dtype=float)
    for offset in (-1, 0, 1):
        w_start = _ns(_localise(day + pd.Timedelta(days=offset, hours=night_start), tz, first=True))
        w_end = _ns(_localise(day + pd.Timedelta(days=offset + 1, hours=night_end), tz, first=False))
        overlap = np.minimum(end_ns, w_end) - np.maximum(start_ns, w_start)
        total += np.clip(overlap, 0, None) / _NS_PER_HOUR
    return total


def _runs_per_group(frame: pd.DataFrame, key: str, date_col: str) -> pd.DataFrame:
    """Per group: longest run of consecutive days and number of runs (episodes)."""
    if frame.empty:
        return pd.DataFrame(columns=["longest", "runs"], dtype=float)
    days = frame[[key, date_col]].drop_duplicates().sort_values([key, date_col])
    day_int = days[date_col].to_numpy(dtype="datetime64[D]").astype(np.int64)
    same_key = days[key].to_numpy() == np.roll(days[key].to_numpy(), 1)
    new_run = ~((np.diff(day_int, prepend=day_int[0] - 2) == 1) & same_key)
    days = days.assign(run=np.cumsum(new_run))
    sizes = days.groupby([key, "run"]).size()
    return pd.DataFrame(
        {"longest": sizes.groupby(level=0).max(), "runs": sizes.groupby(level=0).size()},
    ).astype(float)


def active_employees(employees: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Employees employed on ``as_of``: hired on or before it and not terminated before it."""
    keep = pd.Series(True, index=employees.index)
    if "hire_date" in employees:
        hire = pd.to_datetime(employees["hire_date"])
        keep &= hire.isna() | (hire <= as_of)
    if "termination_date" in employees:
        term = pd.to_datetime(employees["termination_date"])
        keep &= term.isna() | (term >= as_of)
    return employees[keep]


def compute_risk_features(
    tables: Mapping[str, pd.DataFrame],
    as_of: object,
    *,
    tz: str | None = None,
    prepared_shifts: pd.DataFrame | None = None,
    prepared_census: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Risk features for every employee active on ``as_of``.

    ``tables`` maps canonical table names to frames (schema.py columns). ``employees`` is required;
    ``shifts``, ``absences``, ``pulse_surveys``, ``training``, ``tech_rollouts``, ``wellbeing``,
    ``census`` and ``units`` are used when present (their features are NaN otherwise). Pass
    ``prepared_shifts`` (from :func:`prepare_shifts`) and ``prepared_census`` (from :func:`daily_census`) to
    reuse that work across as-of dates.

    Windows end the day before ``as_of``: the long window covers local dates
    ``[as_of - 12 weeks, as_of)``, the short one ``[as_of - 4 weeks, as_of)``. Per-week rates divide by
    the weeks the person was employed inside the window (at least one), so new starters are not diluted.

    Returns a DataFrame indexed by ``employee_id`` (string) with the float columns of :data:`FEATURES`
    (units there) plus ``unit``, ``unit_type``, ``role``, ``employment_type`` (string), ``shifts_12w``
    (count) and ``as_of`` (datetime64). Raises ``KeyError`` if ``employees`` is missing.
    """
    as_of = pd.Timestamp(as_of).normalize()
    employees = active_employees(tables["employees"], as_of)
    ids = employees["employee_id"].astype("string")
    out = pd.DataFrame(index=pd.Index(ids.to_numpy(), name="employee_id", dtype="string"))
    hire = pd.to_datetime(employees.get("hire_date", pd.Series(pd.NaT, index=employees.index)))
    hire = pd.Series(hire.to_numpy(), index=out.index)
    out["tenure_years"] = (as_of - hire).dt.days / 365.25
    out["new_starter"] = (out["tenure_years"] < 1.0).astype(float).where(out["tenure_years"].notna())
    for col in ATTRIBUTE_COLUMNS:
        if col in employees.columns and col != "unit_type":
            values = employees[col].to_numpy()
            out[col] = pd.Series(values, index=out.index).astype("Float64" if col == "fte" else "string")
    out["fte"] = out.get("fte", pd.Series(np.nan, index=out.index)).astype(float)
    if "unit" not in out:
        out["unit"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["unit_type"] = _unit_types(tables.get("units"), out["unit"])

    long_start = as_of - pd.Timedelta(weeks=LONG_WEEKS)
    short_start = as_of - pd.Timedelta(weeks=SHORT_WEEKS)
    exposure_long = _exposure_weeks(hire, long_start, as_of, LONG_WEEKS)
    exposure_short = _exposure_weeks(hire, short_start, as_of, SHORT_WEEKS)

    shifts = tables.get("shifts")
    if prepared_shifts is None and shifts is not None and not shifts.empty:
        prepared_shifts = prepare_shifts(shifts, tz)
    _shift_features(out, prepared_shifts, as_of, exposure_long, exposure_short)
    _absence_features(out, tables.get("absences"), as_of, exposure_long)
    _pulse_features(out, tables.get("pulse_surveys"), as_of)
    _training_features(out, tables.get("training"), tables.get("tech_rollouts"), as_of)
    _sleep_feature(out, tables.get("wellbeing"), as_of)
    out["patients_per_rn_12w"] = out["unit"].map(
        unit_patients_per_rn(
            daily_census(tables.get("census")) if prepared_census is None else prepared_census,
            prepared_shifts,
            long_start,
            as_of,
        )
    )
    out["patients_per_rn_12w"] = out["patients_per_rn_12w"].astype(float)
    out["as_of"] = as_of
    ordered = [*FEATURES, "unit", "unit_type", "role", "employment_type", "shifts_12w", "as_of"]
    for col in ordered:
        if col not in out:
            out[col] = pd.Series(pd.NA, index=out.index, dtype="string") if col in ATTRIBUTE_COLUMNS else np.nan
    return out[ordered]


def _unit_types(units: pd.DataFrame | None, unit: pd.Series) -> pd.Series:
    if units is None or units.empty or "unit_type" not in units:
        return pd.Series(pd.NA, index=unit.index, dtype="string")
    lookup = pd.Series(units["unit_type"].astype("string").to_numpy(), index=units["unit_id"].astype("string"))
    lookup = lookup[~lookup.index.duplicated()]
    return unit.map(lookup).astype("string")


def _exposure_weeks(hire: pd.Series, window_start: pd.Timestamp, as_of: pd.Timestamp, weeks: int) -> pd.Series:
    """Weeks employed inside the window, between 1 and ``weeks``."""
    employed_from = hire.where(hire > window_start, window_start).fillna(window_start)
    return ((as_of - employed_from).dt.days / 7.0).clip(lower=1.0, upper=float(weeks))


def _shift_features(
    out: pd.DataFrame,
    shifts: pd.DataFrame | None,
    as_of: pd.Timestamp,
    exposure_long: pd.Series,
    exposure_short: pd.Series,
) -> None:
    zero = pd.Series(0.0, index=out.index)
    if shifts is None or shifts.empty:
        for name in ("hours_per_week", "overtime_hours_per_week", "quick_returns"):
            out[f"{name}_4w"] = zero
            out[f"{name}_12w"] = zero
        out["shifts_12w"] = zero
        out["longest_run_days_12w"] = zero
        for name in ("long_shift_share_12w", "night_shift_share_12w", "weekend_shift_share_12w"):
            out[name] = np.nan
        out["missed_break_share_12w"] = np.nan
        return
    in_people = shifts["employee_id"].isin(out.index)
    for weeks, exposure in ((SHORT_WEEKS, exposure_short), (LONG_WEEKS, exposure_long)):
        window_start = as_of - pd.Timedelta(weeks=weeks)
        win = shifts[in_people & (shifts["local_date"] >= window_start) & (shifts["local_date"] < as_of)]
        grouped = win.groupby("employee_id")
        hours = grouped["hours"].sum().reindex(out.index, fill_value=0.0)
        out[f"hours_per_week_{weeks}w"] = hours / exposure
        out[f"overtime_hours_per_week_{weeks}w"] = _overtime(win, window_start).reindex(out.index, fill_value=0.0) / (
            exposure
        )
        out[f"quick_returns_{weeks}w"] = grouped["quick_return"].sum().reindex(out.index, fill_value=0).astype(float)
        if weeks == LONG_WEEKS:
            count = grouped.size().reindex(out.index, fill_value=0).astype(float)
            out["shifts_12w"] = count
            with np.errstate(invalid="ignore", divide="ignore"):
                out["long_shift_share_12w"] = grouped["is_long"].sum().reindex(out.index) / count
                out["night_shift_share_12w"] = grouped["is_night"].sum().reindex(out.index) / count
                out["weekend_shift_share_12w"] = grouped["is_weekend"].sum().reindex(out.index) / count
            out["missed_break_share_12w"] = grouped["missed_break"].mean().reindex(out.index)
            runs = _runs_per_group(win, "employee_id", "local_date")
            out["longest_run_days_12w"] = runs["longest"].reindex(out.index, fill_value=0.0)


def _overtime(window: pd.DataFrame, window_start: pd.Timestamp) -> pd.Series:
    """Overtime hours per employee in the window: exported ``overtime_hours`` where the employee's timecards
    carry any, else hours above 40 in each 7-day week counted from the window start."""
    if window.empty:
        return pd.Series(dtype=float)
    recorded = window.groupby("employee_id")["overtime_hours"].sum(min_count=1)
    week = (window["local_date"] - window_start).dt.days // 7
    weekly = window.assign(week=week.to_numpy()).groupby(["employee_id", "week"])["hours"].sum()
    derived = (weekly - STANDARD_WEEK_HOURS).clip(lower=0).groupby(level=0).sum()
    return recorded.fillna(derived.reindex(recorded.index))


def _absence_features(
    out: pd.DataFrame, absences: pd.DataFrame | None, as_of: pd.Timestamp, exposure_long: pd.Series
) -> None:
    if absences is None or absences.empty:
        out["sick_hours_per_week_12w"] = 0.0
        out["sick_episodes_12w"] = 0.0
        taken = pd.Series(0.0, index=out.index)
    else:
        start = as_of - pd.Timedelta(weeks=LONG_WEEKS)
        frame = absences.assign(
            employee_id=absences["employee_id"].astype("string"),
            date=pd.to_datetime(absences["date"]).dt.normalize(),
            absence_type=absences["absence_type"].astype("string"),
            hours=pd.to_numeric(absences["hours"], errors="coerce").fillna(0.0),
        )
        frame = frame[(frame["date"] >= start) & (frame["date"] < as_of) & frame["employee_id"].isin(out.index)]
        sick = frame[frame["absence_type"] == "sick"]
        sick_hours = sick.groupby("employee_id")["hours"].sum().reindex(out.index, fill_value=0.0)
        out["sick_hours_per_week_12w"] = sick_hours / exposure_long
        out["sick_episodes_12w"] = _runs_per_group(sick, "employee_id", "date")["runs"].reindex(
            out.index, fill_value=0.0
        )
        pto = frame[frame["absence_type"] == "PTO"]
        taken = pto.groupby("employee_id")["hours"].sum().reindex(out.index, fill_value=0.0)
    expected = PTO_HOURS_PER_YEAR_AT_1_FTE * out["fte"] * exposure_long / 52.0
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (1.0 - taken / expected).clip(lower=0.0, upper=1.0)
    out["pto_not_taken_share_12w"] = share.where(expected > 0)


def _pulse_features(out: pd.DataFrame, pulse: pd.DataFrame | None, as_of: pd.Timestamp) -> None:
    if pulse is None or pulse.empty or "score" not in pulse:
        out["pulse_score"] = np.nan
        out["pulse_change"] = np.nan
        return
    frame = pd.DataFrame(
        {
            "employee_id": pulse["respondent_id"].astype("string").to_numpy(),
            "date": pd.to_datetime(pulse["date"]).to_numpy(),
            "score": pd.to_numeric(pulse["score"], errors="coerce").to_numpy(),
        }
    ).dropna(subset=["score"])
    frame = frame[frame["employee_id"].isin(out.index)]
    start = as_of - pd.Timedelta(weeks=LONG_WEEKS)
    before = start - pd.Timedelta(weeks=LONG_WEEKS)
    recent = frame[(frame["date"] >= start) & (frame["date"] < as_of)].groupby("employee_id")["score"].mean()
    earlier = frame[(frame["date"] >= before) & (frame["date"] < start)].groupby("employee_id")["score"].mean()
    out["pulse_score"] = recent.reindex(out.index).astype(float)
    out["pulse_change"] = (recent - earlier).reindex(out.index).astype(float)


def _training_features(
    out: pd.DataFrame, training: pd.DataFrame | None, rollouts: pd.DataFrame | None, as_of: pd.Timestamp
) -> None:
    lo = as_of - pd.Timedelta(weeks=TRAINING_WINDOW_WEEKS)
    hi = as_of + pd.Timedelta(weeks=TRAINING_WINDOW_WEEKS)
    if training is None or training.empty or "due_date" not in training:
        out["training_courses_due"] = 0.0
    else:
        due = pd.to_datetime(training["due_date"])
        ids = training["employee_id"].astype("string")
        near = training[(due >= lo) & (due < hi) & ids.isin(out.index)]
        counts = near.groupby(near["employee_id"].astype("string")).size()
        out["training_courses_due"] = counts.reindex(out.index, fill_value=0).astype(float)
    if rollouts is None or rollouts.empty:
        out["go_live_near"] = 0.0
    else:
        go_live = pd.to_datetime(rollouts["go_live"])
        units = set(rollouts.loc[(go_live >= lo) & (go_live < hi), "unit"].astype("string").dropna())
        out["go_live_near"] = out["unit"].isin(units).astype(float).to_numpy()


def _sleep_feature(out: pd.DataFrame, wellbeing: pd.DataFrame | None, as_of: pd.Timestamp) -> None:
    if wellbeing is None or wellbeing.empty or "sleep_hours" not in wellbeing:
        out["sleep_hours_4w"] = np.nan
        return
    consent = wellbeing["consent"].astype("boolean").fillna(False).astype(bool)
    date = pd.to_datetime(wellbeing["date"])
    keep = consent & (date >= as_of - pd.Timedelta(weeks=SHORT_WEEKS)) & (date < as_of)
    rows = wellbeing[keep]
    sleep = pd.to_numeric(rows["sleep_hours"], errors="coerce").groupby(rows["employee_id"].astype("string")).mean()
    out["sleep_hours_4w"] = sleep.reindex(out.index).astype(float)


def daily_census(census: pd.DataFrame | None) -> pd.DataFrame:
    """Mean census per unit and local day from canonical census rows (hourly or daily).

    Returns columns ``unit`` (string), ``date`` (datetime64 at midnight) and ``census`` (float, patients);
    empty when there is no census.
    """
    if census is None or census.empty or "census" not in census:
        return pd.DataFrame(
            {
                "unit": pd.Series(dtype="string"),
                "date": pd.Series(dtype="datetime64[ns]"),
                "census": pd.Series(dtype=float),
            }
        )
    values = pd.to_numeric(census["census"], errors="coerce")
    keys = [
        census["unit"].astype("string").rename("unit"),
        pd.to_datetime(census["timestamp"]).dt.normalize().rename("date"),
    ]
    return values.groupby(keys).mean().rename("census").reset_index()


def unit_patients_per_rn(
    census_by_day: pd.DataFrame,
    shifts: pd.DataFrame | None,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> pd.Series:
    """Patients per RN on duty per unit over local dates ``[start, end)``.

    ``census_by_day``: output of :func:`daily_census`; ``shifts``: output of :func:`prepare_shifts`.
    Formula: patient-days (sum over days of that day's mean census) x 24 h divided by RN worked hours (shifts
    with ``role`` RN; all shifts if no role is recorded). This is the time-averaged number of patients each RN on
    duty cared for, the exposure in Aiken et al. 2002 (JAMA 288(16):1987-1993). Returns a float Series indexed by
    unit; units lacking either input are absent.
    """
    if census_by_day.empty or shifts is None or shifts.empty:
        return pd.Series(dtype=float)
    days = census_by_day[(census_by_day["date"] >= start) & (census_by_day["date"] < end)]
    patient_days = days.groupby("unit")["census"].sum()
    win = shifts[(shifts["local_date"] >= start) & (shifts["local_date"] < end)]
    if win["role"].notna().any():
        win = win[win["role"] == "RN"]
    rn_hours = win.groupby("unit")["hours"].sum()
    ratio = patient_days * 24.0 / rn_hours
    return ratio[np.isfinite(ratio) & (ratio > 0)].astype(float)


def feature_panel(
    tables: Mapping[str, pd.DataFrame],
    as_of_dates: Iterable[object],
    *,
    tz: str | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Risk features at several as-of dates, stacked: one row per (employee, as-of date).

    Returns a frame with ``employee_id`` as a column plus the columns of :func:`compute_risk_features`.
    ``progress`` shows a tqdm bar on the command line.
    """
    shifts = tables.get("shifts")
    prepared = prepare_shifts(shifts, tz) if shifts is not None and not shifts.empty else None
    dates = list(as_of_dates)
    if progress:
        from tqdm import tqdm

        dates = tqdm(dates, desc="risk features", unit="as-of date")
    census = daily_census(tables.get("census"))
    frames = [
        compute_risk_features(tables, d, tz=tz, prepared_shifts=prepared, prepared_census=census).reset_index()
        for d in dates
    ]
    if not frames:
        return compute_risk_features(tables, pd.Timestamp("1970-01-01"), tz=tz).reset_index().iloc[0:0]
    return pd.concat(frames, ignore_index=True)
