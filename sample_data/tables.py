"""Turn the simulation into the canonical tables: units, employees, shifts, absences, staffed hours,
pulse surveys and requisitions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_loaders.schema import EMPLOYMENT_TYPES, ROLES
from sample_data import config
from sample_data.canonical import canonical
from sample_data.census import PatientFlow, UnitTimeline, staffed_beds
from sample_data.clock import Clock
from sample_data.simulation import SimulationResult
from sample_data.workforce import (
    AGENCY,
    INVOLUNTARY,
    NO_DAY,
    PATTERN_LENGTH,
    TRAVEL,
    VOLUNTARY,
    names,
)

_EXEMPT = np.array([r in config.EXEMPT_ROLES for r in ROLES])


def employee_ids(n: int) -> np.ndarray:
    """Employee IDs by roster row: ``E100001``, ``E100002`` ..."""
    return np.char.add("E", (100001 + np.arange(n)).astype(str))


def dates(clock: Clock, days: np.ndarray) -> pd.DatetimeIndex:
    """Local calendar dates of day numbers counted from the clock's first Sunday ("never" days -> NaT)."""
    days = np.asarray(days)
    never = np.abs(days) >= NO_DAY
    return pd.DatetimeIndex(clock.day0 + pd.to_timedelta(np.where(never, 0, days), unit="D")).where(~never)


def units_table(clock: Clock, timeline: UnitTimeline, scale: float, rng: np.random.Generator) -> pd.DataFrame:
    """Units with their history: original units opened on a historic date; one opens and one closes
    and merges during the window. ``beds`` are staffed beds at scale (:func:`sample_data.census.staffed_beds`;
    the telehealth unit has none)."""
    rows = []
    for spec in config.UNITS:
        opened = timeline.opened_day[spec.unit_id]
        closed = timeline.closed_day[spec.unit_id]
        historic = pd.Timestamp(int(rng.integers(1972, 2016)), int(rng.integers(1, 13)), 1)
        rows.append(
            {
                "unit_id": spec.unit_id,
                "name": spec.name,
                "unit_type": spec.unit_type,
                "beds": staffed_beds(spec, scale),
                "opened": historic if opened is None else dates(clock, [opened])[0],
                "closed": pd.NaT if closed is None else dates(clock, [closed])[0],
                "merged_into": config.MERGED_INTO if spec.unit_id == config.CLOSING_UNIT else None,
            }
        )
    return canonical("units", pd.DataFrame(rows))


def in_output(sim: SimulationResult) -> np.ndarray:
    """Roster rows that appear in the employees table: hired on or before the last day."""
    return sim.roster.hire_day <= sim.end_day


def employees_table(
    clock: Clock, sim: SimulationResult, rng: np.random.Generator, training_fields: pd.DataFrame
) -> pd.DataFrame:
    """One row per person hired by the last day. Termination dates after the last day (contract ends
    still ahead) are left empty; contract ends have a date but no reason (not a turnover event)."""
    R = sim.roster
    keep = in_output(sim)
    ids = employee_ids(len(R))
    first, last = names(rng, len(R))
    units = np.array([s.unit_id for s in config.UNITS])
    managers = {int(R.unit[i]): ids[i] for i in np.flatnonzero(R.manager)[::-1]}
    manager_id = np.array([managers.get(int(u)) for u in R.unit], dtype=object)
    manager_id[R.manager] = None
    ended = R.term_day <= sim.end_day
    reason = np.select([R.term_reason == VOLUNTARY, R.term_reason == INVOLUNTARY], ["voluntary", "involuntary"], "")
    frame = pd.DataFrame(
        {
            "employee_id": ids,
            "first_name": first,
            "last_name": last,
            "role": np.array(ROLES)[R.role],
            "unit": units[R.unit],
            "hire_date": dates(clock, R.hire_day),
            "termination_date": dates(clock, np.where(ended, R.term_day, 0)).where(ended),
            "termination_reason": pd.Series(reason).where(ended & (reason != "")),
            "fte": R.fte,
            "employment_type": np.array(EMPLOYMENT_TYPES)[R.emp_type],
            "manager_id": manager_id,
            "hourly_rate": R.rate,
        }
    )
    frame = frame[keep].merge(training_fields, on="employee_id", how="left")
    return canonical("employees", frame)


def _busy_index(flow: PatientFlow, rn_supply: np.ndarray, unit: np.ndarray, start: np.ndarray, end: np.ndarray):
    """Mean over a shift's hours of required RNs / RNs on duty in its unit (1 = staffed to ratio)."""
    ratio = np.where(flow.required_rns > 0, flow.required_rns / np.maximum(rn_supply, 0.5), 0.0)
    cs = np.concatenate([np.zeros((ratio.shape[0], 1)), np.cumsum(ratio, axis=1)], axis=1)
    return (cs[unit, end] - cs[unit, start]) / np.maximum(end - start, 1)


def overtime_by_pay_week(
    person: np.ndarray, day: np.ndarray, start: np.ndarray, hours: np.ndarray, exempt: np.ndarray
) -> np.ndarray:
    """Overtime hours of each shift: the part of it beyond 40 h in its pay week (FLSA, 29 CFR 778.101).

    Arrays are per shift: ``person`` (int), ``day`` (day number with day 0 a Sunday, so pay weeks
    are ``day // 7``), ``start`` (sortable start time), ``hours`` (worked hours), ``exempt`` (bool,
    no overtime). Shifts of a pay week count in start order; the shift that crosses 40 h has only
    its excess as overtime. Per person and week the overtime sums to max(0, hours - 40).
    """
    order = np.lexsort((start, day // 7, person))
    key = person[order] * 100000 + day[order] // 7
    h = hours[order]
    cum = np.cumsum(h)
    first = np.r_[True, key[1:] != key[:-1]]
    base = np.maximum.accumulate(np.where(first, cum - h, 0))
    within = cum - base
    ot = np.clip(within - config.OVERTIME_WEEKLY_HOURS, 0, h)
    out = np.empty(len(h))
    out[order] = ot
    return np.where(exempt, 0.0, out)


def shifts_table(
    clock: Clock, flow: PatientFlow, sim: SimulationResult, rng: np.random.Generator
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Worked timecards from the first to the last day and the scheduled roster of the four weeks after.

    ``hours`` is the elapsed time between start and end computed on physical hours (so a
    19:00-07:00 night is 11 h or 13 h on the daylight-saving nights); busy worked shifts may run
    15-45 minutes late. ``overtime_hours`` is the part of the shift beyond 40 h in the pay week.
    ``missed_break`` rises with the unit's RN load (required / on duty) and on 12 h shifts; it is
    unknown (empty) for scheduled shifts. Also returns the arrays other tables reuse.
    """
    R, s = sim.roster, sim.shifts
    keep = (s["day"] >= sim.first_day) & (s["day"] <= R.term_day[s["person"]]) & (s["day"] <= sim.end_day + 28)
    person, unit, day = s["person"][keep], s["unit"][keep], s["day"][keep]
    start, end, pattern = s["start"][keep], s["end"][keep], s["pattern"][keep]
    worked = day <= sim.end_day
    busy = _busy_index(flow, sim.rn_supply, unit, start, end)
    late = worked & (rng.random(len(day)) < 1 / (1 + np.exp(-(-2.6 + 3.0 * (busy - 1)))))
    late_minutes = np.where(late, 15 * rng.integers(1, 4, len(day)), 0)
    hours = (end - start) + late_minutes / 60
    p_missed = 1 / (1 + np.exp(-(-2.2 + 2.5 * (busy - 1) + 0.5 * (PATTERN_LENGTH[pattern] == 12))))
    missed = rng.random(len(day)) < p_missed
    role = R.role[person]
    overtime = overtime_by_pay_week(person, day, start, hours, _EXEMPT[role])
    contract = np.isin(R.emp_type[person], (AGENCY, TRAVEL))
    frame = pd.DataFrame(
        {
            "employee_id": employee_ids(len(R))[person],
            "unit": np.array([u.unit_id for u in config.UNITS])[unit],
            "start": clock.local[start],
            "end": clock.local[end] + pd.to_timedelta(late_minutes, unit="m"),
            "hours": np.round(hours, 2),
            "overtime_hours": np.round(overtime, 2),
            "missed_break": pd.array(np.where(worked, missed, False), dtype="boolean"),
            "agency": contract,
            "role": np.array(ROLES)[role],
            "status": np.where(worked, "worked", "scheduled"),
        }
    )
    frame.loc[~worked, "missed_break"] = pd.NA
    frame = frame.sort_values(["start", "employee_id"], kind="stable")
    arrays = {"person": person, "day": day, "hours": hours, "overtime": overtime, "worked": worked, "unit": unit}
    arrays["pattern"] = pattern
    arrays["start_idx"] = start
    arrays["end_idx"] = end
    arrays["role"] = role
    return canonical("shifts", frame), arrays


def absences_table(clock: Clock, sim: SimulationResult) -> pd.DataFrame:
    """Sick, PTO and leave days from the first to the last day; hours are the shift's hours."""
    a = sim.absences
    keep = (a["day"] >= sim.first_day) & (a["day"] <= sim.end_day)
    frame = pd.DataFrame(
        {
            "employee_id": employee_ids(len(sim.roster))[a["person"][keep]],
            "date": dates(clock, a["day"][keep]),
            "hours": a["hours"][keep].astype(float),
            "absence_type": a["type"][keep],
        }
    )
    return canonical("absences", frame.sort_values(["date", "employee_id"], kind="stable"))


def staffed_hours_table(shifts: pd.DataFrame) -> pd.DataFrame:
    """Paid hours per unit, day (of shift start), role and employee/contract, derived from worked shifts."""
    worked = shifts[shifts["status"] == "worked"]
    frame = (
        worked.assign(
            date=worked["start"].dt.normalize(),
            employment=np.where(worked["agency"].to_numpy(dtype=bool), "contract", "employee"),
        )
        .groupby(["unit", "date", "role", "employment"], as_index=False, observed=True)["hours"]
        .sum()
    )
    frame["hours"] = frame["hours"].round(2)
    return canonical("staffed_hours", frame)


def pulse_table(clock: Clock, sim: SimulationResult) -> pd.DataFrame:
    """Pulse answers; ``enps`` is given once per response, on the engagement row."""
    p = sim.pulse
    frame = pd.DataFrame(
        {
            "respondent_id": employee_ids(len(sim.roster))[p["person"]],
            "unit": np.array([u.unit_id for u in config.UNITS])[p["unit"]],
            "date": dates(clock, p["day"]),
            "dimension": p["dimension"],
            "score": p["score"],
            "enps": p["enps"],
        }
    )
    return canonical("pulse_surveys", frame.sort_values(["date", "respondent_id"], kind="stable"))


_SKILLS = {
    "RN": {
        "ED": "BLS;ACLS;PALS;EMR",
        "ICU": "BLS;ACLS;CCRN;EMR",
        "step_down": "BLS;ACLS;EMR",
        "telemetry": "BLS;ACLS;EMR",
        "L&D": "BLS;NRP;EMR",
        "pediatrics": "BLS;PALS;EMR",
        "OR": "BLS;ACLS;CNOR;EMR",
        "behavioral_health": "BLS;CPI;EMR",
        "telehealth": "BLS;EMR;telemedicine",
    },
    "physician": "BLS;ACLS;board certification;EMR",
    "APP": "BLS;ACLS;EMR",
    "LPN": "BLS;EMR",
    "CNA": "BLS",
    "tech": "BLS;EMR",
    "therapist": "BLS;EMR",
    "admin": "EMR",
    "other": "",
}


def requisitions_table(clock: Clock, sim: SimulationResult) -> pd.DataFrame:
    """Requisitions opened by the last day; ids number them in order of opening."""
    r = sim.requisitions
    units = [u.unit_id for u in config.UNITS]
    types = [u.unit_type for u in config.UNITS]
    frame = pd.DataFrame(
        {
            "unit_idx": r.unit,
            "role": np.array(ROLES)[np.asarray(r.role, dtype=int)],
            "opened_day": r.opened_day,
            "filled_day": r.filled_day,
            "status": r.status,
            "fte": r.fte,
            "source": r.source,
        }
    )
    frame = frame[frame["opened_day"] <= sim.end_day].sort_values("opened_day", kind="stable").reset_index(drop=True)
    filled = frame["status"] == "filled"
    skills = []
    for u, role in zip(frame["unit_idx"], frame["role"], strict=True):
        spec = _SKILLS[role]
        skills.append(
            spec.get(types[u], "BLS;ACLS;EMR" if types[u] in ("ED", "ICU") else "BLS;EMR")
            if isinstance(spec, dict)
            else spec
        )
    opened = dates(clock, frame["opened_day"].to_numpy())
    out = pd.DataFrame(
        {
            "requisition_id": [f"REQ-{d.year}-{i + 1:05d}" for i, d in enumerate(opened)],
            "unit": np.array(units)[frame["unit_idx"].to_numpy(dtype=int)],
            "role": frame["role"],
            "opened": opened,
            "filled": dates(clock, np.where(filled, frame["filled_day"], 0)).where(filled.to_numpy()),
            "status": frame["status"],
            "fte": frame["fte"],
            "required_skills": [s or None for s in skills],
            "source": frame["source"].where(filled),
        }
    )
    return canonical("requisitions", out)
