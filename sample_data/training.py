"""Technology go-lives and the LMS: tech_rollouts, training, and the EMR/telemedicine fields of employees.

Rollouts (dates relative to the window, *assumptions*): an EMR upgrade going live in two waves
(70 % into the window for the acute and med-surg units, six weeks later for the rest), the
telemedicine platform opening with the telehealth unit (ED included), and remote patient monitoring
on telemetry and oncology (85 % into the window), and smart infusion pumps going live 45 days after
the window (the upcoming go-live). Staff of a unit are assigned its required courses
eight weeks before go-live (due one week before); later hires are assigned at hire (due in 30
days). Completion delays are lognormal and longer for people with low morale, so some staff are not
complete at go-live. Annual compliance (assigned 15 January, due 31 March), VR simulation and a
clinical update run alongside, and every clinical person's current life-support card (BLS, ACLS,
PALS, NRP; two-year renewals) is a training row.
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
from sample_data.workforce import NO_DAY

_NOT_DONE = -NO_DAY
"""``done_day`` of an assignment not completed."""


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
_PUMP_UNITS = ("ICU", "SDU", "TELE", "MS3", "MS4", "ONC", "PEDS")
PUMP_GO_LIVE_AFTER_END = 45
"""Days after the last day of the window that the smart-pump rollout goes live (the upcoming go-live)."""
_LEAD_DAYS = {"EMR_upgrade": 56, "telemedicine": 56, "remote_patient_monitoring": 56, "other": 84}
"""Days before go-live that a rollout's courses are assigned (due one week before go-live)."""
_COURSE_KIND = {
    "EMR": ("EMR", None),
    "TELEMED": ("telemedicine", _CLINICAL_ROLES),
    "RPM": ("clinical", _CLINICAL_ROLES),
    "PUMP": ("clinical", ("RN", "LPN")),
}
"""Course prefix -> (training category, roles assigned; None = every role)."""
# Life-support certifications: course, roles, unit types (None = every unit). American Heart Association
# provider cards are valid for two years; clinical staff hold BLS, acute-care RNs and physicians ACLS,
# ED and pediatric RNs PALS, labor & delivery RNs NRP (as in the requisitions' required skills).
CERTIFICATIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...] | None], ...] = (
    ("BLS", ("RN", "LPN", "CNA", "tech", "therapist", "physician", "APP"), None),
    ("ACLS", ("RN", "physician", "APP"), ("ED", "ICU", "step_down", "telemetry", "OR")),
    ("PALS", ("RN",), ("ED", "pediatrics")),
    ("NRP", ("RN",), ("L&D",)),
)
_ORIENTATION_MEDIAN_DAYS = 7.0
"""Median days to complete a course assigned at hire: new staff take it during orientation (*assumption*)."""
CERT_VALID_DAYS = 730
CERT_ON_TIME_SHARE = 0.94
"""Share of renewals completed by the card's expiry (*assumption*); late ones follow within weeks."""
CERT_LAPSED_SHARE = 0.01
"""Share of renewals not done at all by the last day (*assumption*)."""


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
    for u in _PUMP_UNITS:
        rows.append(("Smart infusion pumps", "other", u, end_day + PUMP_GO_LIVE_AFTER_END, "PUMP-101"))
    return rows


def _assignments(clock: Clock, first_day: int, end_day: int, th_open: int) -> list[_Assignment]:
    out = []
    for _system, kind, unit, go, courses in _rollouts(first_day, end_day, th_open):
        for course in courses.split(";"):
            category, roles = _COURSE_KIND[course.split("-")[0]]
            out.append(_Assignment(course, category, (unit,), roles, go - _LEAD_DAYS[kind], go - 7, True, 14.0, 0.015))
    start_year = (clock.day0 + pd.Timedelta(days=first_day)).year
    end_year = (clock.day0 + pd.Timedelta(days=end_day)).year
    for year in range(start_year, end_year + 1):
        assign = clock.index_of_day(pd.Timestamp(year, 1, 15))
        if first_day <= assign <= end_day:
            due = clock.index_of_day(pd.Timestamp(year, 3, 31))
            out.append(_Assignment(f"COMPLIANCE-{year}", "compliance", None, None, assign, due, False, 25.0, 0.015))
    acute = ("ED", "ICU", "SDU", "TELE")
    out.append(
        _Assignment(
            "VR-SIM-SEPSIS", "VR_simulation", acute, ("RN",), first_day + 120, first_day + 210, False, 28.0, 0.03
        )
    )
    out.append(
        _Assignment(
            "VR-SIM-CODE-BLUE", "VR_simulation", acute, ("RN",), first_day + 400, first_day + 490, False, 28.0, 0.03
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
            18.0,
            0.02,
        )
    )
    return out


def _certifications(sim: SimulationResult, rng: np.random.Generator) -> pd.DataFrame:
    """Each certified person's current life-support card as a training row (course BLS, ACLS, PALS, NRP).

    The LMS keeps one row per person and course: the renewal that gave the card now held. Cards run
    ``CERT_VALID_DAYS`` (two years) on a personal cycle; the row's due date is the last expiry on or before
    the last day (or the person's exit), its completion the renewal: within 60 days before it with
    probability ``CERT_ON_TIME_SHARE``, else a lognormal 3 weeks after (empty if that is after the last
    day, or for ``CERT_LAPSED_SHARE`` of renewals). People hired after their cycle's last expiry brought a
    card: due = hire day, completed up to two years before. Contract staff hold cards too (agencies check
    them). Columns as the assignment parts of :func:`training_table`; no score (pass/fail).
    """
    R = sim.roster
    unit_types = np.array([u.unit_type for u in config.UNITS])[R.unit]
    roles = np.array(ROLES)[R.role]
    parts = []
    for course, cert_roles, cert_units in CERTIFICATIONS:
        mask = in_output(sim) & np.isin(roles, cert_roles)
        if cert_units is not None:
            mask &= np.isin(unit_types, cert_units)
        who = np.flatnonzero(mask)
        last_day = np.minimum(R.term_day[who], sim.end_day)
        phase = rng.integers(0, CERT_VALID_DAYS, len(who))
        due = last_day - (last_day - phase) % CERT_VALID_DAYS
        brought = due < R.hire_day[who]
        due = np.where(brought, R.hire_day[who], due)
        early = rng.integers(0, 61, len(who))
        late = np.round(21 * rng.lognormal(0.0, 0.6, len(who))).astype(np.int64)
        on_time = brought | (rng.random(len(who)) < CERT_ON_TIME_SHARE)
        renewed = np.where(on_time, due - early, due + late)
        done = np.where(brought, due - rng.integers(1, CERT_VALID_DAYS, len(who)), renewed)
        lapsed = ~brought & (rng.random(len(who)) < CERT_LAPSED_SHARE)
        completed = ~lapsed & (done <= last_day)
        parts.append(
            pd.DataFrame(
                {
                    "person": who,
                    "course": course,
                    "category": "clinical",
                    "due_day": due,
                    "done_day": np.where(completed, done, _NOT_DONE),
                    "score": np.nan,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


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
    diligence = rng.lognormal(0.0, 0.6, len(R))
    parts = [_certifications(sim, rng)]
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
        hired_later = R.hire_day > a.assign_day
        mask &= np.where(hired_later, R.hire_day + 30, a.due_day) <= R.term_day  # leavers' assignments are dropped
        who = np.flatnonzero(mask)
        assigned = np.maximum(a.assign_day, R.hire_day[who])
        due = np.where(hired_later[who], R.hire_day[who] + 30, a.due_day)
        median = np.where(hired_later[who], min(a.median_days, _ORIENTATION_MEDIAN_DAYS), a.median_days)
        noise = rng.lognormal(0.0, 0.5, len(who))
        delay = median * diligence[who] * noise * np.exp(-0.4 * R.morale_base[who])
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
                    "done_day": np.where(completed, done, _NOT_DONE),
                    "score": np.where(completed, score, np.nan),
                }
            )
        )
    raw = pd.concat(parts, ignore_index=True).drop_duplicates(["person", "course"])
    completed = raw["done_day"] > _NOT_DONE
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
    tele = raw[(raw["course"] == "TELEMED-CERT") & (raw["done_day"] > _NOT_DONE)]["person"].to_numpy()
    certified = np.zeros(n, dtype=bool)
    certified[tele] = True
    return pd.DataFrame({"employee_id": ids, "emr_proficiency": proficiency, "telemedicine_certified": certified})
