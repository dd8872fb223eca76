"""``generate_hospital``: the whole sample hospital as canonical DataFrames."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from tqdm import tqdm

from data_loaders.schema import TABLES
from data_loaders.settings import hospital_timezone
from sample_data import config
from sample_data.census import UnitTimeline, census_frame, simulate_patient_flow
from sample_data.clock import build_clock
from sample_data.outcomes import patient_experience_table, wellbeing_table
from sample_data.simulation import SCHEDULE_WEEKS_AHEAD, simulate_workforce
from sample_data.tables import (
    absences_table,
    employees_table,
    pulse_table,
    requisitions_table,
    shifts_table,
    staffed_hours_table,
    units_table,
)
from sample_data.training import tech_rollouts_table, training_table


def _month_start_after(day: pd.Timestamp) -> pd.Timestamp:
    return day if day.day == 1 else (day + pd.offsets.MonthBegin(1))


def generate_hospital(
    scale: float = 1.0, seed: int = 7, end: date = date(2026, 10, 31), years: int = 2, progress: bool = False
) -> dict[str, pd.DataFrame]:
    """Generate the sample hospital: every canonical table of ``data_loaders/schema.py``.

    ``scale`` multiplies beds, patient arrivals and therefore staff (scale 1: ~2,000 people, 13 units);
    ``seed`` seeds one ``numpy.random.Generator`` (same arguments -> identical frames); the window is
    the ``years`` years ending on ``end`` (local dates); shifts continue as a ``scheduled`` roster for
    four weeks after ``end``. Timestamps are naive local time of ``hospital_timezone()``. With
    ``progress`` a tqdm bar shows the phases and the simulated weeks.

    Returns a dict keyed by table name (in ``TABLES`` order) of DataFrames with exactly the canonical
    columns and dtypes (text ``string``, integers ``Int64``, numbers ``float64``, flags ``boolean``,
    dates/datetimes ``datetime64[ns]``). Raises ``ValueError`` for a non-positive scale or years.
    Assumptions and sources: ``docs/sample_hospital.md``.
    """
    if scale <= 0 or years <= 0:
        raise ValueError(f"scale and years must be positive (got scale={scale}, years={years}).")
    rng = np.random.default_rng(seed)
    end_ts = pd.Timestamp(end)
    first = end_ts - pd.DateOffset(years=years) + pd.Timedelta(days=1)
    clock = build_clock(first, end_ts, hospital_timezone(), ahead_days=7 * (SCHEDULE_WEEKS_AHEAD + 1) + 2)
    span = end_ts - first
    opened = _month_start_after(first + config.OPENING_FRACTION * span).normalize()
    closed = _month_start_after(first + config.CLOSING_FRACTION * span).normalize()
    timeline = UnitTimeline(
        opened_day={
            u.unit_id: clock.index_of_day(opened) if u.unit_id == config.OPENING_UNIT else None for u in config.UNITS
        },
        closed_day={
            u.unit_id: clock.index_of_day(closed) if u.unit_id == config.CLOSING_UNIT else None for u in config.UNITS
        },
    )
    steps = tqdm(total=4, desc="Sample hospital", disable=not progress)
    steps.set_postfix_str("patient flow")
    flow = simulate_patient_flow(rng, clock, timeline, scale)
    steps.update()
    steps.set_postfix_str("workforce")
    sim = simulate_workforce(rng, clock, flow, timeline, progress=progress)
    steps.update()
    steps.set_postfix_str("tables")
    th_open = timeline.opened_day[config.OPENING_UNIT]
    shifts, shift_arrays = shifts_table(clock, flow, sim, rng)
    training, employee_fields = training_table(clock, sim, rng, th_open)
    employees = employees_table(clock, sim, rng, employee_fields)
    # People who start after ``end`` are not in the HRMS export yet, so their future roster rows are left out too.
    shifts = shifts[shifts["employee_id"].isin(employees["employee_id"])].reset_index(drop=True)
    tables = {
        "units": units_table(clock, timeline, scale, rng),
        "employees": employees,
        "shifts": shifts,
        "absences": absences_table(clock, sim),
        "census": census_frame(clock, flow),
        "staffed_hours": staffed_hours_table(shifts),
        "training": training,
        "tech_rollouts": tech_rollouts_table(clock, sim, th_open),
        "pulse_surveys": pulse_table(clock, sim),
        "requisitions": requisitions_table(clock, sim),
    }
    steps.update()
    steps.set_postfix_str("outcomes")
    tables["patient_experience"] = patient_experience_table(clock, flow, sim, shift_arrays, rng)
    tables["wellbeing"] = wellbeing_table(clock, sim, shift_arrays, rng)
    known = set(employees["employee_id"])
    for name, column in (("absences", "employee_id"), ("training", "employee_id"), ("wellbeing", "employee_id")):
        tables[name] = tables[name][tables[name][column].isin(known)].reset_index(drop=True)
    steps.update()
    steps.close()
    return {name: tables[name] for name in TABLES}
