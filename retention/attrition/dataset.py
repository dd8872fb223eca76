"""The attrition model's data set: risk features at monthly as-of dates, labelled "voluntary exit within h months".

Labels need the whole window to have closed: a row whose window runs past the end of the data is unlabelled
(its outcome is unknown) and only scored. Which inputs the app's model takes, and how many the number of leavers
allows, is decided here too (:func:`model_columns`). Definitions: docs/risk_model.md section 3.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from data_loaders.schema import EMPLOYED_TYPES
from retention.attrition.model import coerce_target
from retention.features import feature_panel

TARGET_COLUMN = "left_within_12m"
"""Label column built by :func:`attrition_dataset` for the default 12-month horizon."""

APP_MODEL_FEATURES = (
    "overtime_hours_per_week_12w",
    "new_starter",
    "pulse_score",
    "quick_returns_12w",
    "pulse_change",
    "tenure_years",
    "long_shift_share_12w",
    "night_shift_share_12w",
    "sick_hours_per_week_12w",
    "patients_per_rn_12w",
    "role",
    "regular_hours_per_week_12w",
    "longest_run_days_12w",
    "missed_break_share_12w",
    "pto_not_taken_share_12w",
    "training_courses_due",
    "unit_type",
    "employment_type",
    "fte",
)
"""Pre-specified inputs of the app's model in priority order (see docs/risk_model.md): overtime, 12 h+ shifts and
workload (Dall'Ora et al. 2015, BMJ Open 5:e008331, intention to leave; Aiken et al. 2002, JAMA 288:1987-1993, job
dissatisfaction), first-year tenure (NSI 2025: the highest turnover), satisfaction and engagement measured by the
pulse survey and absence as a withdrawal behaviour (Griffeth, Hom & Gaertner 2000, J Manage 26(3):463-488, turnover
meta-analysis). :func:`fit_app_model` keeps them in this order while the events allow (see
:data:`EVENTS_PER_PARAMETER`). ``unit`` itself is left out so that the model carries across unit openings and
mergers."""

MONOTONE_INPUTS = ("overtime_hours_per_week_12w", "patients_per_rn_12w", "quick_returns_12w")
"""Inputs the what-if levers move, whose coefficient is constrained to be >= 0: more overtime, more patients per RN
or more quick returns never lower the exit risk. The direction is the published one (Dall'Ora et al. 2015 and
Aiken et al. 2002 for hours and patient load; Vedaa et al. 2016 for quick returns); where a hospital's history
points the other way (for example busier units keeping their staff for other reasons), the coefficient is held at 0
and the lever says so instead of promising more exits from more staff."""

EVENTS_PER_PARAMETER = 10
"""At least 10 distinct leavers per estimated coefficient in the training rows (Peduzzi et al. 1996, J Clin
Epidemiol 49(12):1373-1379), so the model is not overfitted to a small hospital's few exits."""


def voluntary_exit_labels(employees: pd.DataFrame, as_of: object, horizon_months: int = 12) -> pd.Series:
    """1.0 if the employee left voluntarily within ``(as_of, as_of + horizon_months]``, else 0.0.

    ``employees``: canonical employees table. Returns a float Series indexed by ``employee_id`` (string).
    """
    as_of = pd.Timestamp(as_of)
    end = as_of + pd.DateOffset(months=horizon_months)
    term = pd.to_datetime(employees["termination_date"]) if "termination_date" in employees else None
    reason = employees.get("termination_reason", pd.Series(pd.NA, index=employees.index)).astype("string")
    left = pd.Series(False, index=employees.index)
    if term is not None:
        left = ((term > as_of) & (term <= end) & (reason == "voluntary")).fillna(False).astype(bool)
    return pd.Series(left.astype(float).to_numpy(), index=employees["employee_id"].astype("string").to_numpy())


def attrition_dataset(
    tables: Mapping[str, pd.DataFrame],
    as_of_dates: Iterable[object],
    *,
    horizon_months: int = 12,
    data_end: object | None = None,
    tz: str | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Risk features at each as-of date with the label "voluntary exit within ``horizon_months``".

    Only ``staff`` and ``per_diem`` employees (or unknown type) are kept. The label column is named
    ``left_within_{horizon_months}m``: 1.0/0.0, or NaN where the label window runs past ``data_end`` (default:
    the last shift or termination date in the data), because who leaves then is not yet known.

    Returns the :func:`retention.features.feature_panel` frame plus the label column.
    """
    panel = feature_panel(tables, as_of_dates, tz=tz, progress=progress)
    return label_panel(
        panel, tables["employees"], horizon_months, data_end_of(tables) if data_end is None else data_end
    )


def label_panel(panel: pd.DataFrame, employees: pd.DataFrame, horizon_months: int, data_end: object) -> pd.DataFrame:
    """Add the ``left_within_{horizon_months}m`` label to a feature panel and keep modelled employment types.

    ``panel``: :func:`retention.features.feature_panel` output; ``employees``: canonical employees table;
    ``data_end``: last date the data covers (labels whose window runs past it are NaN). Returns a new frame.
    """
    data_end = pd.Timestamp(data_end)
    label_name = f"left_within_{horizon_months}m"
    labels = pd.Series(np.nan, index=panel.index)
    for as_of, rows in panel.groupby("as_of", sort=False):
        if pd.Timestamp(as_of) + pd.DateOffset(months=horizon_months) <= data_end:
            lab = voluntary_exit_labels(employees, as_of, horizon_months)
            labels[rows.index] = rows["employee_id"].map(lab).to_numpy(dtype=float)
    out = panel.assign(**{label_name: labels})
    etype = out["employment_type"]
    return out[etype.isna() | etype.isin(EMPLOYED_TYPES)].reset_index(drop=True)


def data_end_of(tables: Mapping[str, pd.DataFrame]) -> pd.Timestamp:
    """Last date the data covers: the latest worked shift end, termination or hire date (normalised to midnight).

    Future ``scheduled`` shifts do not count: nothing is known yet about who leaves while they are worked.
    """
    candidates = []
    shifts = tables.get("shifts")
    if shifts is not None and not shifts.empty:
        if "status" in shifts:
            shifts = shifts[shifts["status"].isna() | (shifts["status"].astype("string") == "worked")]
        candidates.append(pd.to_datetime(shifts["end"]).max())
    employees = tables["employees"]
    for col in ("termination_date", "hire_date"):
        if col in employees:
            candidates.append(pd.to_datetime(employees[col]).max())
    found = [c for c in candidates if pd.notna(c)]
    if not found:
        raise ValueError("Cannot tell where the data ends: give data_end or shifts/termination dates.")
    return max(found).normalize()


def model_columns(panel: pd.DataFrame, target: str | None = None, id_column: str = "employee_id") -> list[str]:
    """Inputs of the app's model: :data:`APP_MODEL_FEATURES` present in ``panel``, in priority order, as many as
    the number of distinct leavers allows (:data:`EVENTS_PER_PARAMETER`; a categorical column costs one parameter
    per non-reference level, a numeric column with gaps two). Without ``target`` every present feature is used.
    """
    present = [c for c in APP_MODEL_FEATURES if c in panel.columns]
    if target is None:
        return present
    labelled = panel[panel[target].notna()]
    leavers = labelled.loc[coerce_target(labelled[target]) == 1, id_column].nunique()
    budget = leavers // EVENTS_PER_PARAMETER
    chosen: list[str] = []
    used = 0
    for column in present:
        values = labelled[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            if values.nunique(dropna=True) < 2:
                continue
            cost = 2 if values.isna().any() else 1
        else:
            cost = max(values.astype("string").fillna("(missing)").nunique() - 1, 0)
            if cost == 0:
                continue
        if used + cost > budget:
            continue
        chosen.append(column)
        used += cost
    if not chosen:
        raise ValueError(
            f"Only {leavers} distinct voluntary leavers in the training rows: at least {EVENTS_PER_PARAMETER} are "
            "needed per model coefficient."
        )
    return chosen


def monthly_as_of_dates(start: object, end: object) -> list[pd.Timestamp]:
    """First days of the months from ``start`` to ``end`` inclusive (as-of dates for a panel)."""
    return list(pd.date_range(pd.Timestamp(start).to_period("M").start_time, pd.Timestamp(end), freq="MS"))
