"""Outcomes that follow from staffing: monthly patient experience per unit and opt-in wearable wellbeing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_loaders.schema import ROLES
from sample_data import config
from sample_data.canonical import canonical
from sample_data.census import PatientFlow
from sample_data.clock import Clock
from sample_data.simulation import SimulationResult
from sample_data.tables import dates, employee_ids, in_output
from sample_data.workforce import AGENCY, D8, D12, N8, N12, TRAVEL

# Top-box ("9 or 10") share by unit type at target staffing (*assumption*, around the US HCAHPS
# national "rate the hospital 9-10" average of about 70 %; ED and behavioral health lower).
_BASE_TOP_BOX = {
    "ED": 0.62,
    "ICU": 0.75,
    "step_down": 0.7,
    "med_surg": 0.68,
    "telemetry": 0.7,
    "L&D": 0.78,
    "pediatrics": 0.76,
    "OR": 0.8,
    "oncology": 0.74,
    "behavioral_health": 0.6,
    "telehealth": 0.82,
}
_NURSING = np.array([r in ("RN", "LPN", "CNA") for r in ROLES])


def patient_experience_table(
    clock: Clock, flow: PatientFlow, sim: SimulationResult, shifts: dict[str, np.ndarray], rng: np.random.Generator
) -> pd.DataFrame:
    """Monthly top-box score per open unit, moving with RN coverage and overtime share.

    For unit u and month m: coverage = sum_h min(RNs on duty, RNs required) / sum_h RNs required;
    overtime share = overtime hours / worked hours of nursing staff (RN, LPN, CNA). The top-box
    probability is logit^-1(logit(base) + 3 (coverage - 0.92) - 3 (overtime share - 0.05) + noise
    sd 0.05) (*assumption*); ``responses`` ~ Poisson(0.2 x arrivals) (HCAHPS response ~20-25 %) and
    ``score`` = 100 x Binomial(responses, p) / responses, in %.
    """
    in_window = (clock.day >= sim.first_day) & (clock.day <= sim.end_day)
    month_number = np.asarray(clock.local.year * 12 + clock.local.month - 1)
    m0 = int(month_number[in_window].min())
    month_idx = month_number - m0
    n_months = int(month_number[in_window].max()) - m0 + 1
    months = pd.period_range(pd.Period(year=m0 // 12, month=m0 % 12 + 1, freq="M"), periods=n_months, freq="M")
    worked = shifts["worked"] & _NURSING[shifts["role"]]
    shift_dates = dates(clock, shifts["day"][worked])
    shift_month = np.asarray(shift_dates.year * 12 + shift_dates.month - 1) - m0
    ok = (shift_month >= 0) & (shift_month < n_months)
    unit_w = shifts["unit"][worked][ok]
    key = unit_w * n_months + shift_month[ok]
    size = len(config.UNITS) * n_months
    hours = np.bincount(key, shifts["hours"][worked][ok], minlength=size).reshape(-1, n_months)
    overtime = np.bincount(key, shifts["overtime"][worked][ok], minlength=size).reshape(-1, n_months)
    rows = []
    for u, spec in enumerate(config.UNITS):
        open_hours = in_window & flow.open_mask[u]
        for m in range(n_months):
            sel = open_hours & (month_idx == m)
            if sel.sum() < 24 * 7:
                continue
            req = flow.required_rns[u, sel]
            coverage = np.minimum(sim.rn_supply[u, sel], req).sum() / max(req.sum(), 1)
            ot_share = overtime[u, m] / max(hours[u, m], 1)
            base = _BASE_TOP_BOX[spec.unit_type]
            logit = np.log(base / (1 - base)) + 3 * (coverage - 0.92) - 3 * (ot_share - 0.05) + rng.normal(0, 0.05)
            p = 1 / (1 + np.exp(-logit))
            n = int(rng.poisson(config.PATIENT_EXPERIENCE_RESPONSE_RATE * flow.arrivals[u, sel].sum()))
            if n == 0:
                continue
            rows.append(
                {
                    "unit": spec.unit_id,
                    "month": months[m].to_timestamp(),
                    "score": round(100 * rng.binomial(n, p) / n, 1),
                    "responses": n,
                }
            )
    return canonical("patient_experience", pd.DataFrame(rows))


def wellbeing_table(
    clock: Clock, sim: SimulationResult, shifts: dict[str, np.ndarray], rng: np.random.Generator
) -> pd.DataFrame:
    """Daily wearable metrics of consenting staff (~15 %) on the ~85 % of days they wear the device.

    ``sleep_hours`` (the night before) averages 7.1 h, 1.5 h less on the day a night shift ended
    and 0.6 h less before a 12 h day shift (shift-work sleep loss, e.g. Akerstedt 2003, Occup Med
    53(2)); ``resting_heart_rate`` is personal (normal 62, sd 6 bpm) and 3 bpm higher after a night
    shift; ``steps`` about 6,500 on days off, 10,500 on 8 h and 13,500 on 12 h shifts (*assumptions*).
    Only consenting people have rows, and every row has ``consent`` true.
    """
    R = sim.roster
    people = np.flatnonzero(R.consent & in_output(sim) & ~np.isin(R.emp_type, (AGENCY, TRAVEL)))
    first = np.maximum(R.hire_day[people], sim.first_day)
    last = np.minimum(R.term_day[people], sim.end_day)
    span = np.maximum(last - first + 1, 0)
    person = np.repeat(people, span)
    day = np.repeat(first, span) + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
    wear = rng.random(len(day)) < 0.85
    person, day = person[wear], day[wear]
    key = person.astype(np.int64) * 100000 + day
    worked = shifts["worked"]
    pattern = shifts["pattern"][worked]
    end_day = clock.day[shifts["end_idx"][worked]]
    night_keys = (shifts["person"][worked] * 100000 + end_day)[np.isin(pattern, (N12, N8))]
    day_keys = (shifts["person"][worked] * 100000 + shifts["day"][worked])[np.isin(pattern, (D12, D8))]
    long_day = (shifts["person"][worked] * 100000 + shifts["day"][worked])[pattern == D12]
    any_shift = shifts["person"][worked] * 100000 + shifts["day"][worked]
    after_night = np.isin(key, night_keys)
    day_12 = np.isin(key, long_day)
    on_shift = np.isin(key, any_shift)
    on_day = np.isin(key, day_keys)
    n = len(key)
    offsets = rng.normal(0, 0.4, len(R))
    rhr_base = rng.normal(62, 6, len(R))
    sleep = np.clip(7.1 - 1.5 * after_night - 0.6 * day_12 + offsets[person] + rng.normal(0, 0.7, n), 2.5, 11)
    rhr = np.clip(rhr_base[person] + 3 * after_night + rng.normal(0, 2.5, n), 40, 110)
    steps_mean = np.where(day_12, 13500, np.where(on_shift | on_day, 10500, 6500))
    steps = np.clip(rng.normal(steps_mean, 2800), 300, 40000)
    frame = pd.DataFrame(
        {
            "employee_id": employee_ids(len(R))[person],
            "date": dates(clock, day),
            "sleep_hours": np.round(sleep, 1),
            "resting_heart_rate": np.round(rhr),
            "steps": np.round(steps),
            "consent": True,
        }
    )
    return canonical("wellbeing", frame.sort_values(["date", "employee_id"], kind="stable"))
