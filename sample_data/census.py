"""Hourly patient flow per unit: arrivals, lengths of stay, census, acuity and the RNs it requires.

Patients are simulated one by one (vectorised): arrivals per physical hour are Poisson with a rate
that carries the daily, weekly and yearly cycles; each patient stays a lognormal length of stay
(inpatients are discharged at a typical discharge hour); the census at an hour is the number of
patients present at its start. The required RNs follow the unit's nurse-to-patient ratio.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sample_data import config
from sample_data.canonical import canonical
from sample_data.clock import WARM_UP_DAYS, Clock

# Relative arrival intensity by local hour 0..23 (*assumptions*). ED attendances peak late morning
# and early evening with a trough at 04:00-06:00 (the pattern of NHS A&E and US NHAMCS arrivals);
# inpatient admissions come mostly in the afternoon/evening from the ED; elective admissions in
# the early morning; OR cases start 07:30-15:00; telehealth visits run 08:00-21:00.
_PROFILES: dict[str, list[float]] = {
    "ed": [
        0.55,
        0.45,
        0.38,
        0.33,
        0.3,
        0.32,
        0.45,
        0.7,
        1.0,
        1.3,
        1.5,
        1.6,
        1.55,
        1.45,
        1.4,
        1.38,
        1.38,
        1.42,
        1.5,
        1.52,
        1.4,
        1.2,
        0.95,
        0.72,
    ],
    "inpatient": [
        0.5,
        0.4,
        0.35,
        0.3,
        0.3,
        0.3,
        0.4,
        0.6,
        0.8,
        0.95,
        1.05,
        1.15,
        1.25,
        1.35,
        1.45,
        1.5,
        1.55,
        1.55,
        1.5,
        1.45,
        1.35,
        1.1,
        0.85,
        0.65,
    ],
    "elective": [
        0.3,
        0.25,
        0.2,
        0.2,
        0.2,
        0.3,
        1.2,
        2.0,
        2.0,
        1.6,
        1.3,
        1.2,
        1.2,
        1.2,
        1.25,
        1.3,
        1.3,
        1.25,
        1.2,
        1.1,
        1.0,
        0.8,
        0.55,
        0.4,
    ],
    "ld": [
        0.85,
        0.85,
        0.85,
        0.85,
        0.85,
        0.85,
        1.0,
        1.2,
        1.2,
        1.1,
        1.1,
        1.05,
        1.05,
        1.05,
        1.05,
        1.05,
        1.0,
        1.0,
        1.0,
        0.95,
        0.95,
        0.9,
        0.9,
        0.85,
    ],
    "or": [
        0.1,
        0.08,
        0.06,
        0.06,
        0.06,
        0.08,
        0.6,
        3.0,
        2.6,
        2.4,
        2.4,
        2.2,
        2.0,
        2.0,
        1.8,
        1.5,
        0.8,
        0.5,
        0.35,
        0.3,
        0.25,
        0.2,
        0.15,
        0.12,
    ],
    "tele": [
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        1.2,
        1.6,
        1.7,
        1.6,
        1.4,
        1.5,
        1.6,
        1.5,
        1.4,
        1.4,
        1.5,
        1.5,
        1.2,
        0.9,
        0.0,
        0.0,
    ],
}
# Share of inpatient discharges by local hour (*assumption*: discharges cluster 10:00-16:00).
_DISCHARGE_PROFILE = np.array(
    [
        0.2,
        0.1,
        0.1,
        0.1,
        0.1,
        0.1,
        0.2,
        0.3,
        0.6,
        1.2,
        2.2,
        3.0,
        3.4,
        3.4,
        3.0,
        2.4,
        1.8,
        1.3,
        1.0,
        0.8,
        0.6,
        0.5,
        0.3,
        0.3,
    ]
)
_LOS_SIGMA = {"ed": 0.6, "or": 0.45, "tele": 0.4, "inpatient": 0.75, "elective": 0.75, "ld": 0.45}


@dataclass(frozen=True)
class UnitTimeline:
    """When each unit is open, as local day numbers of the clock (``closed`` exclusive, None = open)."""

    opened_day: dict[str, int | None]
    closed_day: dict[str, int | None]


@dataclass(frozen=True)
class PatientFlow:
    """Per unit and physical hour: ``census`` (patients present at the start of the hour),
    ``arrivals`` (patients arriving during the hour), ``acuity`` (mean acuity 1-5) and
    ``required_rns`` (RNs the ratio asks for, charge nurse included). Arrays are (units, hours)."""

    units: list[str]
    census: np.ndarray
    arrivals: np.ndarray
    acuity: np.ndarray
    required_rns: np.ndarray
    open_mask: np.ndarray


def _seasonality(clock: Clock, spec: config.UnitSpec) -> np.ndarray:
    """Yearly cycle (peak mid-January) plus the winter respiratory surge (peak early January)."""
    doy = clock.day_of_year.astype(float)
    yearly = spec.winter * np.cos(2 * np.pi * (doy - 15) / 365.25)
    distance = np.minimum(np.abs(doy - 5), 365.25 - np.abs(doy - 5))
    surge = spec.respiratory * np.exp(-0.5 * (distance / 20.0) ** 2)
    return 1.0 + yearly + surge


def _arrival_rate(clock: Clock, spec: config.UnitSpec, scale: float) -> np.ndarray:
    """Expected arrivals per physical hour for a unit that is open all the time."""
    profile = np.asarray(_PROFILES[spec.arrival_profile])
    profile = profile / profile.mean()
    weekday = np.where(clock.weekday >= 5, spec.weekend, 1.0)
    weekday = weekday / ((5 + 2 * spec.weekend) / 7)
    return spec.arrivals_per_day / 24 * scale * profile[clock.hour] * weekday * _seasonality(clock, spec)


def _stays(
    rng: np.random.Generator,
    clock: Clock,
    spec: config.UnitSpec,
    rate: np.ndarray,
    close_hour: int | None,
    beds: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival counts per hour and each patient's admission and discharge time (physical hours).

    With ``beds`` (inpatient units) a patient is admitted when a staffed bed is free; otherwise they
    board (wait, in the ED or the referring unit) until the first bed frees, for at most
    ``config.BOARDING_HOURS_MAX`` hours; a patient still waiting then is placed over capacity (a surge
    bed), so the census exceeds staffed beds only in rare surges. Counts are of admissions to the unit.
    """
    counts = rng.poisson(rate)
    arrived = np.repeat(np.arange(len(rate)), counts) + rng.random(counts.sum())
    sigma = _LOS_SIGMA[spec.arrival_profile]
    mu = np.log(spec.los_hours) - sigma**2 / 2
    los = rng.lognormal(mu, sigma, len(arrived))
    if spec.arrival_profile not in ("inpatient", "elective", "ld"):
        discharged = arrived + los
        if close_hour is not None:
            discharged = np.minimum(discharged, close_hour)
        return counts, arrived, discharged
    hours = rng.choice(24, size=len(arrived), p=_DISCHARGE_PROFILE / _DISCHARGE_PROFILE.sum())
    within = rng.random(len(arrived))
    if beds is None:
        admitted = arrived
        at = np.clip((admitted + los).astype(np.int64), 0, clock.n_hours - 1)
        discharged = clock.hour_index(clock.day[at], hours) + within
        discharged = np.where(discharged < admitted + 4, discharged + 24, discharged)
    else:
        admitted, discharged = _admit_to_beds(clock, arrived, los, hours, within, beds)
    if close_hour is not None:
        discharged = np.minimum(discharged, close_hour)
    counts = np.bincount(np.floor(admitted).astype(np.int64), minlength=len(rate))[: len(rate)]
    return counts, admitted, discharged


def _admit_to_beds(
    clock: Clock, arrived: np.ndarray, los: np.ndarray, hours: np.ndarray, within: np.ndarray, beds: int
) -> tuple[np.ndarray, np.ndarray]:
    """Admission and discharge times of patients arriving at ``arrived`` on a unit of ``beds`` staffed beds.

    Patients are taken in arrival order (first come, first served); a patient finding every bed taken
    waits for the earliest discharge, up to ``config.BOARDING_HOURS_MAX`` hours, then takes a surge bed.
    The discharge is at local hour ``hours`` of the day the stay ``los`` ends (+ ``within`` of the hour),
    at least 4 hours after admission.
    """
    order = np.argsort(arrived, kind="stable")
    admitted = np.empty(len(arrived))
    discharged = np.empty(len(arrived))
    day = clock.day.tolist()
    start_of = clock.start_of.tolist()
    last = clock.n_hours - 1
    wait_max = config.BOARDING_HOURS_MAX
    present: list[float] = []
    arrived_l, los_l, hours_l, within_l = arrived.tolist(), los.tolist(), hours.tolist(), within.tolist()
    for i in order.tolist():
        t = arrived_l[i]
        while present and present[0] <= t:
            heapq.heappop(present)
        if len(present) >= beds and present[0] - t <= wait_max:
            t = heapq.heappop(present)
        at = min(max(int(t + los_l[i]), 0), last)
        out = start_of[day[at] + WARM_UP_DAYS][hours_l[i]] + within_l[i]
        if out < t + 4:
            out += 24
        admitted[i] = t
        discharged[i] = out
        heapq.heappush(present, out)
    return admitted, discharged


def _present(n_hours: int, admitted: np.ndarray, discharged: np.ndarray) -> np.ndarray:
    """Patients present at the start of each hour: admitted before it and discharged after it."""
    diff = np.zeros(n_hours + 2, dtype=np.int64)
    start = np.clip(np.ceil(admitted).astype(np.int64), 0, n_hours + 1)
    stop = np.clip(np.ceil(discharged).astype(np.int64), 0, n_hours + 1)
    keep = stop > start
    np.add.at(diff, start[keep], 1)
    np.add.at(diff, stop[keep], -1)
    return np.cumsum(diff)[:n_hours].astype(float)


def _expected_census(spec: config.UnitSpec) -> float:
    """Mean census at scale 1 (arrivals x mean stay), including the share of the closing unit it takes over."""
    own = spec.arrivals_per_day * spec.los_hours / 24
    share = config.MERGER_SPLIT.get(spec.unit_id, 0.0)
    if share:
        closing = next(u for u in config.UNITS if u.unit_id == config.CLOSING_UNIT)
        own += share * closing.arrivals_per_day * spec.los_hours / 24
    return own


def staffed_beds(spec: config.UnitSpec, scale: float) -> int:
    """Staffed beds (treatment spaces, operating rooms) of a unit at ``scale``; 0 for the telehealth unit.

    Square-root rule (Halfin & Whitt 1981; de Bruin et al. 2010, *Ann Oper Res* 178:23-43, for
    hospital beds): beds = L + beta x sqrt(L) for a mean census L, with beta fixed by the unit's scale-1
    beds and census, so a small-scale unit is as often full as the full-size one (scaling beds linearly
    would fill a 2-bed unit most of the time). Scale 1 gives ``spec.beds`` exactly.
    """
    if spec.beds <= 0:
        return 0
    load = _expected_census(spec)
    beta = (spec.beds - load) / np.sqrt(load)
    return max(1, round(load * scale + beta * np.sqrt(load * scale)))


def required_rns(spec: config.UnitSpec, census: np.ndarray, local_hour: np.ndarray, scale: float) -> np.ndarray:
    """RNs required at each hour: ceil(census / ratio), plus a charge nurse on units of 20+ staffed
    beds, and a floor of 2 RNs on inpatient units of 10+ beds (1 on smaller ones); the OR needs one
    RN per patient and the telehealth unit staffs 07:00-23:00 only (Title 22 §70217)."""
    beds = staffed_beds(spec, scale)
    need = np.ceil(census / spec.rn_ratio - 1e-9)
    if spec.inpatient and spec.unit_type not in ("OR",):
        need = need + (1 if beds >= config.CHARGE_NURSE_MIN_BEDS else 0)
        need = np.maximum(need, 2 if beds >= 10 else 1)
    elif spec.unit_type == "telehealth":
        need = np.where((local_hour >= 7) & (local_hour < 23), np.maximum(need, 1), need)
    elif spec.unit_type == "OR":
        need = np.maximum(need, 1)
    return need


def simulate_patient_flow(rng: np.random.Generator, clock: Clock, timeline: UnitTimeline, scale: float) -> PatientFlow:
    """Simulate every unit's patients over the whole clock (warm-up included)."""
    specs = list(config.UNITS)
    n_hours = clock.n_hours
    rates = {s.unit_id: _arrival_rate(clock, s, scale) for s in specs}
    open_mask = np.ones((len(specs), n_hours), dtype=bool)
    for i, s in enumerate(specs):
        opened, closed = timeline.opened_day[s.unit_id], timeline.closed_day[s.unit_id]
        if opened is not None:
            open_mask[i] &= clock.day >= opened
        if closed is not None:
            open_mask[i] &= clock.day < closed
    closing = config.CLOSING_UNIT
    closing_row = [s.unit_id for s in specs].index(closing)
    closed_rate = rates[closing] * ~open_mask[closing_row]
    for unit, share in config.MERGER_SPLIT.items():
        rates[unit] = rates[unit] + share * closed_rate
    opening_row = [s.unit_id for s in specs].index(config.OPENING_UNIT)
    opened_day = timeline.opened_day[config.OPENING_UNIT] or 0
    ramp = np.clip(0.4 + 0.6 * (clock.day - opened_day) / 84.0, 0.4, 1.0)
    rates[config.OPENING_UNIT] = rates[config.OPENING_UNIT] * ramp

    census = np.zeros((len(specs), n_hours))
    arrivals = np.zeros((len(specs), n_hours))
    acuity = np.zeros((len(specs), n_hours))
    required = np.zeros((len(specs), n_hours))
    for i, s in enumerate(specs):
        rate = rates[s.unit_id] * open_mask[i]
        close_hour = None
        if timeline.closed_day[s.unit_id] is not None:
            close_hour = int(clock.hour_index(np.array([timeline.closed_day[s.unit_id]]), np.array([0]))[0])
        beds = staffed_beds(s, scale) if s.inpatient and s.beds > 0 and s.unit_type not in ("ED", "OR") else None
        counts, admitted, discharged = _stays(rng, clock, s, rate, close_hour, beds)
        arrivals[i] = counts
        census[i] = _present(n_hours, admitted, discharged) * open_mask[i]
        noise = np.cumsum(rng.normal(0, 0.02, n_hours))
        noise = noise - np.convolve(noise, np.ones(168) / 168, mode="same")
        acuity[i] = np.clip(s.acuity + 0.35 * (_seasonality(clock, s) - 1) + noise, 1, 5).round(2)
        required[i] = required_rns(s, census[i], clock.hour, scale) * open_mask[i]
        if opening_row == i:
            required[i] *= rate > 0
    return PatientFlow([s.unit_id for s in specs], census, arrivals, acuity, required, open_mask)


def census_frame(clock: Clock, flow: PatientFlow) -> pd.DataFrame:
    """The canonical ``census`` table: one row per open unit and local hour from the first to the last day.

    On the autumn change the local hour 01:00 occurs twice; its row reports the mean census and
    acuity of the two physical hours and the sum of their arrivals, so (unit, timestamp) stays unique.
    The spring change has no 02:00 row (that local hour does not exist).
    """
    first, last = clock.index_of_day(clock.first), clock.index_of_day(clock.last)
    in_window = (clock.day >= first) & (clock.day <= last)
    frames = []
    for i, unit in enumerate(flow.units):
        keep = in_window & flow.open_mask[i]
        if not keep.any():
            continue
        frames.append(
            pd.DataFrame(
                {
                    "unit": unit,
                    "timestamp": clock.local[keep],
                    "census": flow.census[i, keep],
                    "arrivals": flow.arrivals[i, keep],
                    "acuity": flow.acuity[i, keep],
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    if frame.duplicated(["unit", "timestamp"]).any():
        frame = frame.groupby(["unit", "timestamp"], as_index=False, sort=False).agg(
            census=("census", "mean"), arrivals=("arrivals", "sum"), acuity=("acuity", "mean")
        )
    return canonical("census", frame.sort_values(["unit", "timestamp"], kind="stable"))
