"""Training KPIs: on-time training compliance, technology-rollout readiness and who is not ready for a go-live."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analytics.kpis.engine import KPI_COLUMNS, LEVELS, TOTAL, WHOLE_HISTORY, KpiScope, cube, empty_kpi, reads
from analytics.kpis.inputs import attach_employee, date_column, map_units, open_units, parse_employees, text_column
from analytics.periods import check_freq, period_start, window


@reads("tech_rollouts")
def rollout_courses(tech_rollouts: pd.DataFrame) -> list[str]:
    """All course names listed in ``tech_rollouts.required_courses`` (``;``-separated), sorted."""
    courses: set[str] = set()
    for cell in text_column(tech_rollouts, "required_courses").dropna():
        courses.update(c.strip() for c in str(cell).split(";") if c.strip())
    return sorted(courses)


@reads("training", "employees", "units")
def training_compliance(
    training: pd.DataFrame,
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    categories: Sequence[str] | None = None,
    courses: Sequence[str] | None = None,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Training compliance (%): assignments completed by their due date / assignments due × 100.

    An assignment counts in the period of its ``due_date`` once that date has passed by ``scope.as_of`` (default:
    the latest completion date in the data — an assignment not yet due cannot be late; assignments without a
    due date are not measured); it is compliant when ``completion_date ≤ due_date``. ``categories`` (e.g.
    ``("EMR", "HIS", "telemedicine")``) or ``courses`` (e.g. :func:`rollout_courses`) narrow it to required
    tech-rollout courses. This is the usual learning-system "completed on time" measure. ``numerator`` =
    on-time completions, ``denominator`` = assignments due. ``scope`` (:class:`KpiScope`, every field used; each
    open unit gets a row).
    """
    freq = check_freq(freq)
    scope = scope or WHOLE_HISTORY
    rows = training.copy()
    if categories is not None:
        rows = rows.loc[text_column(rows, "category").isin(list(categories)).to_numpy()]
    if courses is not None:
        rows = rows.loc[text_column(rows, "course").isin(list(courses)).to_numpy()]
    emp = map_units(parse_employees(employees, None), scope)
    rows = attach_employee(rows.drop(columns=["unit", "role"], errors="ignore"), emp)
    due = date_column(rows, "due_date")
    done = date_column(rows, "completion_date")
    cutoff = pd.Timestamp(scope.as_of) if scope.as_of is not None else done.max()
    measurable = due.notna() & ((due <= cutoff) if pd.notna(cutoff) else True)
    rows = rows.assign(period=period_start(due, freq), den=1.0, num=(done.notna() & (done <= due)).astype(float))
    rows = rows.loc[measurable.to_numpy()]
    periods = window([rows["period"]], freq, scope.start, scope.end)
    if rows.empty or len(periods) == 0:
        return empty_kpi(freq)
    return cube(rows, rows, periods, freq, scale=100.0, grid=open_units(scope, periods, freq))


_STAFF_COLUMNS = [
    "system",
    "rollout_type",
    "unit",
    "go_live",
    "employee_id",
    "first_name",
    "last_name",
    "role",
    "missing_courses",
    "ready",
]


def _rollout_staff(
    tech_rollouts: pd.DataFrame,
    training: pd.DataFrame,
    employees: pd.DataFrame,
    scope: KpiScope,
) -> pd.DataFrame:
    """One row per rollout and staff member of its unit on go-live, with ``ready`` and ``missing_courses``."""
    emp = map_units(parse_employees(employees, None), scope)
    emp["unit"] = emp["unit"].astype("string")
    roll = map_units(tech_rollouts.assign(unit=text_column(tech_rollouts, "unit")), scope).copy()
    roll["unit"] = roll["unit"].astype("string")
    roll["go_live"] = date_column(roll, "go_live")
    roll = roll.dropna(subset=["go_live"]).reset_index(drop=True)
    roll["rollout"] = np.arange(len(roll))
    if "required_courses" not in roll:
        roll["required_courses"] = pd.NA
    if "rollout_type" not in roll:
        roll["rollout_type"] = pd.NA
    staff = roll[["rollout", "system", "rollout_type", "unit", "go_live"]].merge(
        emp[["employee_id", "first_name", "last_name", "role", "unit", "hire_date", "termination_date"]]
        if {"first_name", "last_name"} <= set(emp.columns)
        else emp.assign(first_name=pd.NA, last_name=pd.NA)[
            ["employee_id", "first_name", "last_name", "role", "unit", "hire_date", "termination_date"]
        ],
        on="unit",
    )
    employed = (staff["hire_date"].isna() | (staff["hire_date"] <= staff["go_live"])) & (
        staff["termination_date"].isna() | (staff["termination_date"] >= staff["go_live"])
    )
    staff = staff.loc[employed.to_numpy()].reset_index(drop=True)
    if staff.empty:
        return pd.DataFrame(columns=_STAFF_COLUMNS)
    required = roll[["rollout", "required_courses"]].assign(
        course=lambda r: r["required_courses"].map(
            lambda c: [x.strip() for x in str(c).split(";") if x.strip()] if pd.notna(c) else []
        )
    )
    required = required.explode("course").dropna(subset=["course"])
    required["position"] = required.groupby("rollout").cumcount()
    done = pd.DataFrame(
        {
            "employee_id": text_column(training, "employee_id"),
            "course": text_column(training, "course").str.strip(),
            "completed": date_column(training, "completion_date"),
        }
    ).dropna(subset=["completed"])
    first_done = done.groupby(["employee_id", "course"], observed=True)["completed"].min().reset_index()
    needs = staff[["rollout", "employee_id", "go_live"]].merge(
        required[["rollout", "course", "position"]], on="rollout"
    )
    needs = needs.merge(first_done, on=["employee_id", "course"], how="left")
    gaps = needs.loc[~(needs["completed"] <= needs["go_live"]).fillna(False).to_numpy()]
    gaps = gaps.sort_values(["rollout", "employee_id", "position"])
    missing = gaps.groupby(["rollout", "employee_id"])["course"].agg("; ".join).rename("missing_courses").reset_index()
    staff = staff.merge(missing, on=["rollout", "employee_id"], how="left")
    staff["missing_courses"] = staff["missing_courses"].fillna("")
    staff["ready"] = staff["missing_courses"] == ""
    staff["go_live"] = pd.to_datetime(staff["go_live"]).astype("datetime64[ns]")
    staff["system"] = staff["system"].astype("string")
    return staff[_STAFF_COLUMNS]


@reads("tech_rollouts", "training", "employees", "units")
def rollout_readiness(
    tech_rollouts: pd.DataFrame,
    training: pd.DataFrame,
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Rollout readiness (%): staff of the unit who completed every required course by go-live / staff.

    For each go-live (``tech_rollouts`` row: system, unit, go_live, required_courses), the staff are the
    unit's employees (any employment type) employed on the go-live day; a person is ready when each
    required course has a ``completion_date`` on or before go-live (for a future go-live: completed so
    far). A rollout with no required course counts everyone as ready. Returns :data:`KPI_COLUMNS` plus
    ``system`` and ``go_live``; ``period`` is the go-live's period; rows per unit/role of that rollout and
    its totals (``unit == "All"`` equals the rollout's unit). ``prior_value`` and ``change`` are NaN (each
    go-live stands alone). ``scope`` (:class:`KpiScope`): only ``units`` and ``follow_mergers`` are used.
    """
    freq = check_freq(freq)
    staff = _rollout_staff(tech_rollouts, training, employees, scope or WHOLE_HISTORY)
    if staff.empty:
        return empty_kpi(freq).assign(system=pd.Series(dtype="string"), go_live=pd.Series(dtype="datetime64[ns]"))
    staff["period"] = period_start(staff["go_live"], freq)
    staff["ready"] = staff["ready"].astype(float)
    pieces = []
    for level in LEVELS:
        keys = ["system", "go_live", "period", *level]
        agg = (
            staff.groupby(keys, dropna=True, observed=True)
            .agg(numerator=("ready", "sum"), denominator=("ready", "size"), people=("employee_id", "nunique"))
            .reset_index()
        )
        for missing in ("unit", "role"):
            if missing not in level:
                agg[missing] = TOTAL
        pieces.append(agg)
    out = pd.concat(pieces, ignore_index=True)
    out["value"] = 100.0 * out["numerator"] / out["denominator"]
    out["prior_value"] = np.nan
    out["change"] = np.nan
    out = out.astype(
        {
            "period": "datetime64[ns]",
            "unit": "string",
            "role": "string",
            "value": "float64",
            "numerator": "float64",
            "denominator": "float64",
            "people": "int64",
            "system": "string",
            "go_live": "datetime64[ns]",
        }
    )
    out = out.sort_values(["go_live", "system", "period", "unit", "role"]).reset_index(drop=True)
    return out[[*KPI_COLUMNS, "system", "go_live"]]


@reads("tech_rollouts", "training", "employees", "units")
def readiness_gaps(
    tech_rollouts: pd.DataFrame,
    training: pd.DataFrame,
    employees: pd.DataFrame,
    *,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Who is not ready for which go-live: one row per person and rollout with missing courses.

    Columns: system, rollout_type, unit, go_live (datetime64[ns]), employee_id, first_name, last_name,
    role, missing_courses (``;``-joined course names), days_to_go_live (float64; negative when past,
    measured from ``scope.as_of``, default the latest go-live). ``scope`` (:class:`KpiScope`): ``as_of``,
    ``units`` and ``follow_mergers`` are used. Personal data: pages show names only to roles allowed to see
    that unit's employees.
    """
    scope = scope or WHOLE_HISTORY
    staff = _rollout_staff(tech_rollouts, training, employees, scope)
    gaps = staff.loc[~staff["ready"].astype(bool)].drop(columns=["ready"]).copy()
    day = pd.Timestamp(scope.as_of) if scope.as_of is not None else staff["go_live"].max()
    gaps["days_to_go_live"] = (gaps["go_live"] - day).dt.days.astype("float64")
    return gaps.sort_values(["go_live", "system", "unit", "last_name"]).reset_index(drop=True)


@reads("tech_rollouts", "training", "employees", "units")
def readiness_gap_counts(
    tech_rollouts: pd.DataFrame,
    training: pd.DataFrame,
    employees: pd.DataFrame,
    *,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """How many people are not ready for each go-live, by unit and role — :func:`readiness_gaps` without names.

    Columns: system (string), go_live (datetime64[ns]), days_to_go_live (float64), unit, role (string),
    not_ready (int64, persons), people (int64, = not_ready, for the data layer). ``scope`` as for
    :func:`readiness_gaps`.
    """
    gaps = readiness_gaps(tech_rollouts, training, employees, scope=scope)
    keys = ["system", "go_live", "days_to_go_live", "unit", "role"]
    counts = gaps.groupby(keys, dropna=False).size().rename("not_ready").reset_index()
    counts["not_ready"] = counts["not_ready"].astype("int64")
    counts["people"] = counts["not_ready"]
    return counts.astype({"system": "string", "unit": "string", "role": "string"})
