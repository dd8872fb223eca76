"""Benchmark: the sample hospital's headline levels beside the published targets they are calibrated to.

Usage: ``python -m benchmarks.bench_sample_levels [--scale 1] [--seed 7]``. Prints one line per level:
what it is, the value the generator reaches, the target band and its source (``docs/sample_hospital.md``
holds the same table). Levels are computed through the product's own KPI functions (``analytics.kpis``,
``analytics.recruiting``) over the last 12 months of the sample, so a change in a KPI definition shows here.
``tests/test_sample_data.py`` checks the same levels at a small scale.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.kpis import (
    TOTAL,
    enps,
    first_year_turnover_rate,
    rollout_readiness,
    time_to_fill,
    training_compliance,
    turnover_rate,
    vacancy_rate,
)
from analytics.recruiting import staff_skills
from sample_data import generate_hospital

CLINICAL_ROLES = ("RN", "LPN", "CNA", "tech", "therapist", "physician", "APP")
"""Roles that deliver or support bedside care and must hold basic life support (BLS)."""
ACLS_UNITS = ("ICU", "ED")
"""Units whose RNs must hold advanced cardiovascular life support (ACLS)."""


@dataclass(frozen=True)
class Target:
    """A published or self-declared level: the band the sample must fall in, and where the figure comes from."""

    label: str
    unit: str
    low: float
    high: float
    source: str


TARGETS: dict[str, Target] = {
    "hospital_turnover": Target(
        "Hospital turnover, last 12 months", "%", 15.0, 21.0, "NSI 2025: 18.3 % (2024, all hospital employees)"
    ),
    "rn_turnover": Target("RN turnover, last 12 months", "%", 13.0, 20.0, "NSI 2025: 16.4 % (2024, staff RNs)"),
    "rn_vacancy": Target(
        "RN vacancy, mean of month ends (12 months)", "%", 8.0, 11.5, "NSI 2025: 9.6 % national RN vacancy rate"
    ),
    "rn_first_year_turnover": Target(
        "RN first-year turnover, hires inside the data", "%", 17.0, 27.0, "NSI 2025: 22.3 % of new RNs leave in year 1"
    ),
    "rn_time_to_fill_mean": Target(
        "RN time to fill, mean days (filled, 12 months)",
        "days",
        70.0,
        96.0,
        "NSI 2025: 83 days on average to recruit an experienced RN",
    ),
    "emr_not_ready": Target(
        "Staff not ready at the EMR go-lives", "%", 5.0, 15.0, "docs/sample_hospital.md (own design: 5-15 %)"
    ),
    "census_above_beds": Target(
        "Inpatient unit-hours with census above staffed beds",
        "%",
        0.0,
        2.0,
        "own design: boarding holds patients until a bed frees; surges are rare",
    ),
    "future_roster_ratio": Target(
        "Scheduled hours a week (next 4 weeks) / worked (last 4)",
        "ratio",
        0.85,
        1.05,
        "own design: the posted roster carries the booked extra shifts",
    ),
    "days_to_next_go_live": Target(
        "Days from the last day to the next go-live", "days", 14.0, 120.0, "own design: an upcoming go-live to prepare"
    ),
    "bls_clinical": Target(
        "Clinical staff holding BLS", "%", 95.0, 100.0, "AHA: BLS card (2-year renewal) required for clinical staff"
    ),
    "acls_icu_ed_rn": Target("ICU and ED RNs holding ACLS", "%", 95.0, 100.0, "AHA: ACLS required for ICU/ED RNs"),
    "enps": Target(
        "eNPS, last 12 months",
        "points",
        0.0,
        20.0,
        "assumption (team brief): mildly positive, 0 to +20; no employee-eNPS source cited yet",
    ),
    "training_compliance": Target(
        "Training completed by due date, last 12 months", "%", 85.0, 95.0, "own design: a well-run LMS, 85-95 %"
    ),
}


def _last_months(frame: pd.DataFrame, end: pd.Timestamp, months: int = 12) -> pd.DataFrame:
    first = (end - pd.DateOffset(months=months) + pd.Timedelta(days=1)).to_period("M").start_time
    return frame.loc[(frame["period"] >= first) & (frame["period"] <= end)]


def _total(frame: pd.DataFrame, role: str = TOTAL, unit: str = TOTAL) -> pd.DataFrame:
    return frame.loc[(frame["unit"] == unit) & (frame["role"] == role)]


def headline_levels(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """The sample hospital's headline levels (keys of :data:`TARGETS`), each a float in the target's unit.

    ``tables`` are canonical frames as returned by :func:`sample_data.generate_hospital`. The last day is the
    last worked shift's day; "last 12 months" are the 12 calendar months ending with it. Turnover over 12
    months = separations / mean monthly average headcount (NSI definition, from :func:`turnover_rate`
    month rows); vacancy the mean of the month-end :func:`vacancy_rate` snapshots; first-year turnover
    pooled over the mature hiring cohorts :func:`first_year_turnover_rate` reports; time to fill the mean of
    ``filled - opened`` over RN requisitions filled in the 12 months (NSI reports a mean; the KPI's median is
    :func:`time_to_fill`); readiness from :func:`rollout_readiness`; BLS/ACLS from
    :func:`analytics.recruiting.staff_skills` on the last day.
    """
    employees, shifts = tables["employees"], tables["shifts"]
    worked = shifts.loc[shifts["status"] == "worked"]
    end = worked["start"].max().normalize()
    levels: dict[str, float] = {}

    turnover = _last_months(turnover_rate(employees, "M", annualise=False), end)
    for key, role in (("hospital_turnover", TOTAL), ("rn_turnover", "RN")):
        rows = _total(turnover, role)
        levels[key] = 100.0 * rows["numerator"].sum() / rows["denominator"].mean()

    vacancy = _total(_last_months(vacancy_rate(tables["requisitions"], employees, "M"), end), "RN")
    levels["rn_vacancy"] = float(vacancy["value"].mean())

    first_year = _total(first_year_turnover_rate(employees, "Q"), "RN")
    levels["rn_first_year_turnover"] = 100.0 * first_year["numerator"].sum() / first_year["denominator"].sum()

    req = tables["requisitions"]
    filled = req.loc[(req["role"] == "RN") & req["filled"].between(end - pd.DateOffset(months=12), end)]
    levels["rn_time_to_fill_mean"] = float((filled["filled"] - filled["opened"]).dt.days.mean())
    levels["rn_time_to_fill_median"] = float(
        _total(_last_months(time_to_fill(req, "Y"), end, 24), "RN")["value"].iloc[-1]
    )

    rollouts = tables["tech_rollouts"]
    readiness = rollout_readiness(rollouts, tables["training"], employees, "M")
    emr = readiness.loc[
        readiness["system"].str.startswith("EMR") & (readiness["go_live"] <= end) & (readiness["role"] == TOTAL)
    ]
    emr = emr.loc[emr["unit"] != TOTAL]
    levels["emr_not_ready"] = 100.0 * (1 - emr["numerator"].sum() / emr["denominator"].sum())

    units = tables["units"][["unit_id", "beds", "unit_type"]]
    census = tables["census"].merge(units, left_on="unit", right_on="unit_id")
    inpatient = census.loc[(census["beds"] > 0) & ~census["unit_type"].isin(["ED", "OR"])]
    levels["census_above_beds"] = 100.0 * float((inpatient["census"] > inpatient["beds"]).mean())

    last_4 = worked.loc[worked["start"] > end - pd.Timedelta(days=28)]
    scheduled = shifts.loc[shifts["status"] == "scheduled"]
    ahead = scheduled.loc[scheduled["start"] < end + pd.Timedelta(days=29)]
    levels["future_roster_ratio"] = float(ahead["hours"].sum() / max(last_4["hours"].sum(), 1e-9))

    future = rollouts.loc[rollouts["go_live"] > end, "go_live"]
    levels["days_to_next_go_live"] = float((future.min() - end).days) if len(future) else float("nan")

    skills = staff_skills(employees, tables["training"], end)
    staff = employees.loc[
        (employees["hire_date"] <= end)
        & (employees["termination_date"].isna() | (employees["termination_date"] >= end))
        & employees["employment_type"].isin(["staff", "per_diem"])
    ]
    holders = {key: set(skills.loc[skills["skill_key"] == key, "employee_id"]) for key in ("bls", "acls")}
    clinical = staff.loc[staff["role"].isin(CLINICAL_ROLES), "employee_id"]
    levels["bls_clinical"] = 100.0 * float(clinical.isin(holders["bls"]).mean())
    acute_rn = staff.loc[(staff["role"] == "RN") & staff["unit"].isin(ACLS_UNITS), "employee_id"]
    levels["acls_icu_ed_rn"] = 100.0 * float(acute_rn.isin(holders["acls"]).mean())

    score = _total(_last_months(enps(tables["pulse_surveys"], "M", employees=employees), end))
    levels["enps"] = 100.0 * score["numerator"].sum() / score["denominator"].sum()

    compliance = _total(_last_months(training_compliance(tables["training"], employees, "M"), end))
    levels["training_compliance"] = 100.0 * compliance["numerator"].sum() / compliance["denominator"].sum()
    levels["training_compliance_lowest_month"] = float(compliance["value"].min())
    return levels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t0 = time.perf_counter()
    tables = generate_hospital(scale=args.scale, seed=args.seed)
    generated = time.perf_counter() - t0
    levels = headline_levels(tables)
    print(f"sample hospital scale {args.scale}, seed {args.seed} (generated in {generated:.1f} s)")
    print(f"{'level':56s} {'sample':>8s} {'target':>13s}  source")
    for key, target in TARGETS.items():
        value = levels[key]
        inside = target.low <= value <= target.high if np.isfinite(value) else False
        band = f"{target.low:g}-{target.high:g}"
        flag = "" if inside else "  <-- outside"
        shown = f"{value:8.2f}" if target.unit == "ratio" else f"{value:8.1f}"
        print(f"{target.label:56s} {shown} {band:>13s}  {target.source}{flag}")
    print(f"{'(RN time to fill, median days, KPI time_to_fill)':56s} {levels['rn_time_to_fill_median']:8.1f}")
    print(f"{'(training compliance, lowest month)':56s} {levels['training_compliance_lowest_month']:8.1f}")


if __name__ == "__main__":
    main()
