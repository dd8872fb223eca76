"""Burnout index 0-100 without labels: weighted, thresholded fatigue and burnout drivers.

Each driver turns one risk feature (``retention.features``) into a sub-score between 0 and 1 with a
linear ramp: 0 at or below the ``low`` threshold (no concern), 1 at or beyond the ``high`` threshold (full
concern), straight line between. For drivers where less is worse (pulse score, sleep) the ramp runs the other
way. The index is ``100 x sum(weight x sub-score)`` with weights summing to 1, so it is bounded to [0, 100]
for any input. A driver whose feature is missing for a person contributes 0 (no evidence of concern), and the
``coverage`` column gives the share of the total weight that had data, so a low index with low coverage reads
as "unknown", not "fine".

The cited studies support the direction of each driver (what is associated with burnout or fatigue); the
exact thresholds and weights are house choices informed by them, not values taken from the studies. The weights
rank drivers by our reading of the strength and consistency of the published associations with burnout
(emotional exhaustion, the core Maslach Burnout Inventory dimension; Maslach & Jackson 1981, J Occup Behav
2(2):99-113). They are a transparent house model, not a fitted one: ``docs/risk_model.md`` gives each source
and the reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.staffing_standards import DEFAULT_STANDARDS, standard_for


@dataclass(frozen=True)
class Driver:
    """One burnout driver: the feature it reads, its ramp thresholds, weight and source.

    ``low``/``high`` are in the feature's unit (see ``retention.features.FEATURES``); when ``low > high`` the
    ramp is reversed (lower values are worse).
    """

    name: str
    label: str
    feature: str
    low: float
    high: float
    weight: float
    source: str


DRIVERS: tuple[Driver, ...] = (
    Driver(
        "overtime",
        "overtime",
        "overtime_hours_per_week_4w",
        0.0,
        12.0,
        0.15,
        "Bae & Fabry 2014, Nurs Outlook 62(2):138-156 (systematic review): strong evidence linking long work "
        "hours/overtime to adverse nurse outcomes; evidence for patient outcomes not yet conclusive. Threshold "
        "(house choice): 12 h/week = one extra 12-hour shift a week.",
    ),
    Driver(
        "long_shifts",
        "12 h+ shifts",
        "long_shift_share_12w",
        0.0,
        1.0,
        0.10,
        "Dall'Ora et al. 2015, BMJ Open 5(9):e008331: shifts >= 12 h vs <= 8 h, burnout (emotional exhaustion) "
        "aOR 1.26; Stimpfel, Sloane & Aiken 2012, Health Aff 31(11):2501-2509: nurses on shifts of 10 h or longer "
        "up to 2.5 times as likely to report burnout as those on shorter shifts.",
    ),
    Driver(
        "quick_returns",
        "quick returns",
        "quick_returns_4w",
        0.0,
        4.0,
        0.12,
        "Vedaa et al. 2016, Ergonomics 59(1):1-14 (systematic review; quick return = 11.0 h or less between "
        "shifts): some evidence of shorter sleep, sleepiness and fatigue, evidence on chronic health inconclusive; "
        "Geiger-Brown & Trinkoff 2010, J Nurs Adm 40(3) (Is it time to pull the plug on 12-hour shifts? Part 1): "
        "evidence against long shifts. Threshold (house choice): 4 in 4 weeks = one a week.",
    ),
    Driver(
        "consecutive_days",
        "consecutive days",
        "longest_run_days_12w",
        3.0,
        7.0,
        0.08,
        "Geiger-Brown et al. 2012, Chronobiol Int 29(2):211-219: over three consecutive 12-hour shifts nurses slept "
        "about 5.5 h between shifts, grew sleepier each shift and accrued a sleep debt; 7 days in a row normally "
        "leaves no 24-hour weekly rest (EU Directive 2003/88/EC, Article 5).",
    ),
    Driver(
        "night_work",
        "night shifts",
        "night_shift_share_12w",
        0.0,
        0.75,
        0.08,
        "Caruso 2014, Rehabil Nurs 39(1):16-25 (review): shift work and long hours raise the risk of short and "
        "disturbed sleep, fatigue-related errors and chronic disease; night shift follows the night time and night "
        "worker definitions of EU Directive 2003/88/EC, Article 2(3)-(4). Threshold (house choice): 0.75.",
    ),
    Driver(
        "missed_breaks",
        "missed breaks",
        "missed_break_share_12w",
        0.0,
        0.5,
        0.07,
        "Rogers, Hwang & Scott 2004, J Nurs Adm 34(11): 393 RNs had a break free of patient care on fewer than "
        "half of shifts; skipped breaks were not linked to more errors, and the burnout link is the authors' "
        "hypothesis, not a finding; Witkoski & Dickson 2010, AAOHN J (now Workplace Health Saf) 58(11):489-497 "
        "(review: long hours without adequate breaks, fatigue). Threshold: missing every other break is full "
        "concern (house choice).",
    ),
    Driver(
        "patients_per_rn",
        "patients per RN",
        "patients_per_rn_excess",
        0.0,
        2.0,
        0.12,
        "Aiken et al. 2002, JAMA 288(16):1987-1993 (cross-sectional, 168 Pennsylvania hospitals): each additional "
        "patient per nurse was associated with 23% higher odds of high burnout (OR 1.23). Measured here as patients "
        "per RN above the California Title 22 s.70217 ratio for the unit type (house choice of baseline); "
        "+2 patients = 1.23^2 = 1.51 times the odds.",
    ),
    Driver(
        "sick_absence",
        "sick absence",
        "sick_hours_per_week_12w",
        0.0,
        4.0,
        0.06,
        "Borritz et al. 2006, Occup Environ Med 63(2):98-106: burnout predicted later sickness absence (+1 SD "
        "burnout, 21% more absence days), so sick hours are a marker. Threshold (house choice): 4 h/week = about "
        "one 12-hour shift in three weeks.",
    ),
    Driver(
        "pto_not_taken",
        "PTO not taken",
        "pto_not_taken_share_12w",
        0.25,
        1.0,
        0.04,
        "de Bloom et al. 2009, J Occup Health 51(1):13-25 (meta-analysis of 7 studies): vacation has small positive "
        "effects on health and well-being that fade soon after return to work; expected leave per "
        "retention.features.PTO_HOURS_PER_YEAR_AT_1_FTE (BLS paid vacation).",
    ),
    Driver(
        "pulse_score",
        "low pulse score",
        "pulse_score",
        3.5,
        2.0,
        0.08,
        "Self-reported workload, support and burnout items (Maslach Burnout Inventory dimensions as context; the "
        "pulse survey is not the MBI): 3.5 of 5 is neutral-positive, 2 of 5 is disagreement on average (house "
        "thresholds).",
    ),
    Driver(
        "pulse_decline",
        "falling pulse score",
        "pulse_change",
        0.0,
        -1.0,
        0.03,
        "A fall of one point on the 1-5 scale between consecutive quarters (house threshold).",
    ),
    Driver(
        "training_load",
        "training load",
        "training_courses_due",
        0.0,
        4.0,
        0.03,
        "Shanafelt et al. 2016, Mayo Clin Proc (US physicians, not nurses): computerised physician order entry use "
        "associated with burnout (OR 1.29), EHR use not after adjustment. That required courses around a go-live "
        "add to burnout is a house assumption, not a finding.",
    ),
    Driver(
        "short_sleep",
        "short sleep",
        "sleep_hours_4w",
        7.0,
        5.0,
        0.04,
        "Watson et al. 2015, Sleep 38(6):843-844 (AASM/SRS consensus): adults should sleep 7 h or more per night; "
        "5 h or less is full concern (house choice).",
    ),
)
"""The index's drivers; weights sum to 1."""

DRIVER_COLUMNS = tuple(f"driver_{d.name}" for d in DRIVERS)
"""Columns of :func:`burnout_index` holding each driver's points (0-100 scale, summing to the index)."""

BANDS = ((0.0, "low"), (25.0, "moderate"), (50.0, "high"), (75.0, "very high"))
"""Index bands (lower bound, label): quartiles of the 0-100 scale (house choice, for display)."""


def patients_per_rn_excess(features: pd.DataFrame) -> pd.Series:
    """Patients per RN above the California Title 22 ratio for the person's unit type (floored at 0).

    ``features`` needs ``patients_per_rn_12w`` and ``unit_type``. The ratio is the unit type's default
    ``patients_per_rn`` in :data:`forecasting.staffing_standards.DEFAULT_STANDARDS` (CCR Title 22 s.70217(a));
    other or unknown types get the medical-surgical ratio (:func:`~forecasting.staffing_standards.standard_for`).
    Returns a float Series (patients per RN).
    """
    ratios = {unit_type: standard.patients_per_rn for unit_type, standard in DEFAULT_STANDARDS.items()}
    unit_type = features.get("unit_type", pd.Series(pd.NA, index=features.index))
    ratio = pd.to_numeric(unit_type.map(ratios), errors="coerce").fillna(standard_for(None).patients_per_rn)
    excess = pd.to_numeric(features.get("patients_per_rn_12w"), errors="coerce") - ratio
    return excess.clip(lower=0.0).astype(float)


def ramp(values: pd.Series | np.ndarray, low: float, high: float) -> np.ndarray:
    """Linear ramp to [0, 1]: 0 at ``low``, 1 at ``high`` (reversed when ``low > high``); NaN stays NaN."""
    x = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.clip((x - low) / (high - low), 0.0, 1.0)


def burnout_index(features: pd.DataFrame) -> pd.DataFrame:
    """Burnout index and its drivers for each row of a risk-feature frame.

    ``features``: rows from ``retention.features.compute_risk_features`` (any index; the feature columns that
    :data:`DRIVERS` read, plus ``unit_type``; missing columns count as missing data).

    Returns a DataFrame with the same index and columns ``burnout_index`` (float, 0-100), ``band``
    (string, see :data:`BANDS`), ``coverage`` (float 0-1: share of driver weight with data) and one
    ``driver_<name>`` column per driver (float points; the driver columns sum to the index).
    """
    feats = features.copy()
    feats["patients_per_rn_excess"] = patients_per_rn_excess(feats) if "patients_per_rn_12w" in feats else np.nan
    out = pd.DataFrame(index=features.index)
    coverage = np.zeros(len(feats))
    total = np.zeros(len(feats))
    for driver, column in zip(DRIVERS, DRIVER_COLUMNS, strict=True):
        raw = feats[driver.feature] if driver.feature in feats else pd.Series(np.nan, index=feats.index)
        sub = ramp(pd.to_numeric(raw, errors="coerce"), driver.low, driver.high)
        has = ~np.isnan(sub)
        points = np.where(has, 100.0 * driver.weight * np.nan_to_num(sub), 0.0)
        out[column] = points
        total += points
        coverage += np.where(has, driver.weight, 0.0)
    out.insert(0, "burnout_index", np.clip(total, 0.0, 100.0))
    out.insert(1, "band", band(out["burnout_index"]))
    out.insert(2, "coverage", np.clip(coverage, 0.0, 1.0))
    return out


def band(index: pd.Series) -> pd.Series:
    """Band label (low / moderate / high / very high) for burnout index values (string Series)."""
    edges = [b for b, _ in BANDS] + [np.inf]
    labels = [name for _, name in BANDS]
    return pd.cut(index, bins=edges, labels=labels, right=False, include_lowest=True).astype("string")


def driver_label(column: str) -> str:
    """Plain-words label of a ``driver_<name>`` column."""
    by_column = dict(zip(DRIVER_COLUMNS, DRIVERS, strict=True))
    return by_column[column].label


def top_drivers(scored: pd.DataFrame, top: int = 3, min_points: float = 0.5) -> pd.Series:
    """Each row's largest drivers in plain words, e.g. ``"overtime +11.3, quick returns +9.0"``.

    ``scored``: output of :func:`burnout_index`. Drivers with fewer than ``min_points`` points are left out.
    Returns a string Series with the same index ("" when no driver reaches ``min_points``).
    """
    points = scored[list(DRIVER_COLUMNS)]
    labels = [driver_label(c) for c in DRIVER_COLUMNS]
    values = points.to_numpy(dtype=float)
    order = np.argsort(-values, axis=1, kind="stable")[:, :top]
    texts = []
    for row, idx in zip(values, order, strict=True):
        parts = [f"{labels[i]} +{row[i]:.1f}" for i in idx if row[i] >= min_points]
        texts.append(", ".join(parts))
    return pd.Series(texts, index=scored.index, dtype="string")


def individual_burnout(features: pd.DataFrame) -> pd.DataFrame:
    """Each person's features with their burnout index, band, coverage, driver points and drivers in words.

    ``features``: :func:`retention.features.compute_risk_features` output. Returns ``features`` joined with the
    :func:`burnout_index` columns plus ``burnout_drivers`` (string, :func:`top_drivers`), same index.
    """
    scored = burnout_index(features)
    out = features.join(scored)
    out["burnout_drivers"] = top_drivers(scored)
    return out


def unit_driver_table(scored: pd.DataFrame, units: pd.Series) -> pd.DataFrame:
    """Mean burnout index and mean driver points per unit.

    ``scored``: output of :func:`burnout_index`; ``units``: unit of each row (same index). Returns a frame
    indexed by unit with ``people`` (int, distinct rows), ``burnout_index`` (mean, 0-100) and the driver
    columns (mean points). A unit's driver means sum to its mean index.
    """
    frame = scored[["burnout_index", *DRIVER_COLUMNS]].copy()
    frame["unit"] = units.reindex(scored.index).astype("string").fillna("(no unit)")
    grouped = frame.groupby("unit")
    table = grouped[["burnout_index", *DRIVER_COLUMNS]].mean()
    table.insert(0, "people", grouped.size().astype(int))
    return table
