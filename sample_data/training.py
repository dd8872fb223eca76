"""Technology go-lives and the LMS: tech_rollouts, training, and the EMR/telemedicine fields of employees.

Rollouts (dates relative to the window, *assumptions*): an EMR upgrade going live in two waves
(70 % into the window for the acute and med-surg units, six weeks later for the rest), the
telemedicine platform opening with the telehealth unit (ED included), and remote patient monitoring
on telemetry and oncology (85 % into the window). Staff of a unit are assigned its required courses
eight weeks before go-live (due one week before); later hires are assigned at hire (due in 30
days). Completion delays are lognormal and longer for people with low morale, so some staff are not
complete at go-live. Annual compliance (assigned 15 January, due 31 March), VR simulation and a
clinical update run alongside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_loaders.schema import ROLES
from sample_data import config
from sample_data.canonical import canonical
from sample_data.clock import Clock
from sample_data.simulation import SimulationResult
from sample_data.tables import dates, employee_ids, in_output


@dataclass(frozen=True)
class _Assignment:
    course: str
    category: str
    units: tuple[str, ...] | None  # None = every unit
    roles: tuple[str, ...] | None  # None = every role
    assign_day: int
    due_day: int
    hires_assigned: bool  # people hired after assign_day get it at hire (due 30 days later)
    median_days: float  # median days from assignment to completion
    never_share: float  # share who never complete


_EMR_WAVE_1 = ("ED", "ICU", "SDU", "TELE", "MS3", "MS4")
_EMR_WAVE_2 = ("LD", "PEDS", "OR", "ONC", "BH", "TH")
_EMR_TRACK = {
    "ED": 210,
    "ICU": 210,
    "SDU": 210,
    "TELE": 210,
    "MS3": 220,
    "MS4": 220,
    "ONC": 220,
    "PEDS": 220,
    "BH": 220,
    "LD": 230,
    "OR": 230,
    "TH": 240,
}
_CLINICAL_ROLES = ("RN", "LPN", "physician", "APP")


def _rollouts(first_day: int, end_day: int, th_open: int) -> list[tuple[str, str, str, int, str]]:
    span = end_day - first_day
    go1 = first_day + int(0.70 * span)
    go2 = go1 + 42
    rpm = first_day + int(0.85 * span)
    rows = []
    for units, go in ((_EMR_WAVE_1, go1), (_EMR_WAVE_2, go2)):
        for u in units:
            rows.append(("EMR upgrade", "EMR_upgrade", u, go, f"EMR-101;EMR-{_EMR_TRACK[u]}"))
    for u in ("TH", "ED"):
        rows.append(("Telemedicine platform", "telemedicine", u, th_open, "TELEMED-CERT"))
    for u in ("TELE", "ONC"):
        rows.append(("Remote patient monitoring", "remote_patient_monitoring", u, rpm, "RPM-101"))
    return rows


def _assignments(clock: Clock, first_day: int, end_day: int, th_open: int) -> list[_Assignment]:
    out = []
    for _system, _, unit, go, courses in _rollouts(first_day, end_day, th_open):
        for course in courses.split(";"):
            category = {"EMR": "EMR", "TELEMED": "telemedicine", "RPM": "clinical"}[course.split("-")[0]]
            roles = _CLINICAL_ROLES if category != "EMR" else None
            out.append(_Assignment(course, category, (unit,), roles, go - 56, go - 7, True, 25.0, 0.03))
    start_year = (clock.day0 + pd.Timedelta(days=first_day)).year
    end_year = (clock.day0 + pd.Timedelta(days=end_day)).year
    for year in range(start_year, end_year + 1):
        assign = clock.index_of_day(pd.Timestamp(year, 1, 15))
        if first_day <= assign <= end_day:
            due = clock.index_of_day(pd.Timestamp(year, 3, 31))
            out.append(_Assignment(f"COMPLIANCE-{year}", "compliance", None, None, assign, due, False, 30.0, 0.02))
    acute = ("ED", "ICU", "SDU", "TELE")
    out.append(
        _Assignment(
            "VR-SIM-SEPSIS", "VR_simulation", acute, ("RN",), first_day + 120, first_day + 210, False, 40.0, 0.06
        )
    )
    out.append(
        _Assignment(
            "VR-SIM-CODE-BLUE", "VR_simulation", acute, ("RN",), first_day + 400, first_day + 490, False, 40.0, 0.06
        )
    )
    out.append(
        _Assignment(
            "STROKE-CARE-UPDATE",
            "clinical",
            ("ED", "ICU", "TELE", "SDU"),
            ("RN", "APP"),
            first_day + 250,
            first_day + 310,
            False,
            20.0,
            0.04,
        )
    )
    return out


def tech_rollouts_table(clock: Clock, sim: SimulationResult, th_open: int) -> pd.DataFrame:
    """One row per system and unit with its go-live date and the courses required before it."""
    rows = [
        {
            "system": f"{system} {dates(clock, [go])[0].year}",
            "rollout_type": kind,
            "unit": unit,
            "go_live": dates(clock, [go])[0],
            "required_courses": courses,
        }
        for system, kind, unit, go, courses in _rollouts(sim.first_day, sim.end_day, th_open)
    ]
    return canonical("tech_rollouts", pd.DataFrame(rows))


def training_table(
    clock: Clock, sim: SimulationResult, rng: np.random.Generator, th_open: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training table and, per employee, ``emr_proficiency`` and ``telemedicine_certified``.

    Completion day = assignment + lognormal delay (sigma 0.8) scaled by exp(-0.4 x morale); no
    completion is recorded after the person left or after the last day. Scores are normal(88, 7)
    clipped to 60-100. Proficiency: EMR course completed with score >= 85 -> proficient (the top 4 %
    scores -> super_user), completed below 85 -> basic, not completed -> none; people without an EMR
    course are basic after six months of tenure, none before.
    """
    R = sim.roster
    units = np.array([u.unit_id for u in config.UNITS])
    ids = employee_ids(len(R))
    present = in_output(sim)
    parts = []
    for a in _assignments(clock, sim.first_day, sim.end_day, th_open):
        mask = present & (R.term_day >= a.assign_day)
        if a.units is not None:
            mask &= np.isin(units[R.unit], a.units)
        if a.roles is not None:
            mask &= np.isin(np.array(ROLES)[R.role], a.roles)
        if a.hires_assigned:
            mask &= R.hire_day <= sim.end_day
        else:
            mask &= R.hire_day <= a.assign_day
        who = np.flatnonzero(mask)
        assigned = np.maximum(a.assign_day, R.hire_day[who])
        due = np.where(R.hire_day[who] > a.assign_day, R.hire_day[who] + 30, a.due_day)
        delay = a.median_days * rng.lognormal(0.0, 0.8, len(who)) * np.exp(-0.4 * R.morale_base[who])
        done = assigned + np.round(delay).astype(np.int64)
        completed = (done <= np.minimum(R.term_day[who], sim.end_day)) & (rng.random(len(who)) >= a.never_share)
        score = np.clip(np.round(rng.normal(88, 7, len(who))), 60, 100)
        parts.append(
            pd.DataFrame(
                {
                    "person": who,
                    "course": a.course,
                    "category": a.category,
                    "due_day": due,
                    "done_day": np.where(completed, done, -1),
                    "score": np.where(completed, score, np.nan),
                }
            )
        )
    raw = pd.concat(parts, ignore_index=True).drop_duplicates(["person", "course"])
    completed = raw["done_day"] >= 0
    frame = pd.DataFrame(
        {
            "employee_id": ids[raw["person"].to_numpy()],
            "course": raw["course"].to_numpy(),
            "category": raw["category"].to_numpy(),
            "due_date": dates(clock, raw["due_day"].to_numpy()),
            "completion_date": dates(clock, np.where(completed, raw["done_day"], 0)).where(completed.to_numpy()),
            "score": raw["score"].to_numpy(),
        }
    )
    training = canonical("training", frame.sort_values(["due_date", "employee_id", "course"], kind="stable"))
    return training, _employee_fields(raw, sim, ids)


def _employee_fields(raw: pd.DataFrame, sim: SimulationResult, ids: np.ndarray) -> pd.DataFrame:
    R = sim.roster
    n = len(R)
    tenure_days = sim.end_day - R.hire_day
    proficiency = np.where(tenure_days >= 182, "basic", "none").astype(object)
    emr = raw[raw["category"] == "EMR"]
    best = emr.groupby("person")["score"].min(skipna=False)
    person = best.index.to_numpy()
    score = best.to_numpy()
    proficiency[person] = np.where(np.isnan(score), "none", np.where(score >= 85, "proficient", "basic"))
    if np.isfinite(score).any():
        top = np.nanquantile(score, 0.96)
        proficiency[person[np.nan_to_num(score) >= max(top, 97)]] = "super_user"
    tele = raw[(raw["course"] == "TELEMED-CERT") & (raw["done_day"] >= 0)]["person"].to_numpy()
    certified = np.zeros(n, dtype=bool)
    certified[tele] = True
    return pd.DataFrame({"employee_id": ids, "emr_proficiency": proficiency, "telemedicine_certified": certified})
