"""Hours KPIs: worked hours, overtime share, agency/travel share, nursing hours per patient day, absence rate."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analytics.kpis.engine import WHOLE_HISTORY, KpiScope, cube, empty_kpi, reads
from analytics.kpis.inputs import (
    attach_employee,
    date_column,
    employment_overlap,
    map_units,
    number_column,
    open_units,
    parse_employees,
    text_column,
)
from analytics.periods import check_freq, duration_hours, period_start, split_at_period_boundaries, window
from data_loaders.schema import EMPLOYED_TYPES

CONTRACT_TYPES = ("agency", "travel")
"""Employment types whose hours count as agency/travel (contract) hours."""

NURSING_ROLES = ("RN", "LPN", "CNA")
"""Roles whose worked hours are nursing hours for HPPD (direct-care nursing staff, as in CMS PBJ/NDNQI)."""

HOURS_PER_FTE_WEEK = 40.0
"""Contracted hours per week of 1.0 FTE (schema: ``employees.fte``)."""


@reads("shifts", "employees", "staffed_hours")
def worked_hours(
    freq: str,
    shifts: pd.DataFrame | None = None,
    employees: pd.DataFrame | None = None,
    staffed_hours: pd.DataFrame | None = None,
    tz: str | None = None,
) -> pd.DataFrame:
    """Worked hours per period, unit, role and person, split at period boundaries.

    From timecards (``shifts`` with status ``worked``; a missing status counts as worked) when given,
    else from ``staffed_hours`` (CMS PBJ-style daily totals; ``employment == "contract"`` is agency).
    Missing ``hours`` are computed time-zone aware from start/end; a shift crossing a month boundary is
    split at local midnight (:func:`analytics.periods.split_at_period_boundaries`). A shift is agency
    when ``shifts.agency`` is true or, if that is empty, the worker's employment type is agency/travel.
    Returns columns period, unit, role, person (category), hours, overtime_hours (NaN from staffed_hours),
    agency_hours (float64, hours) and continued (bool: the part of a shift after a period boundary).
    """
    freq = check_freq(freq)
    if shifts is not None and not shifts.empty:
        work = attach_employee(shifts, employees)
        status = text_column(work, "status").fillna("worked")
        work = work.loc[(status == "worked").to_numpy()].copy()
        work["start"] = date_column(work, "start")
        work["end"] = date_column(work, "end")
        hours = number_column(work, "hours")
        missing = hours.isna()
        if missing.any():
            hours.loc[missing] = duration_hours(work.loc[missing, "start"], work.loc[missing, "end"], tz).to_numpy()
        work["hours"] = hours
        work["overtime_hours"] = number_column(work, "overtime_hours").fillna(0.0)
        agency = work["agency"].astype("boolean") if "agency" in work else pd.Series(pd.NA, index=work.index)
        agency = agency.astype("boolean")
        if employees is not None and "employment_type" in employees and agency.isna().any():
            kinds = employees.assign(employee_id=text_column(employees, "employee_id")).drop_duplicates("employee_id")
            kind = work["person"].map(kinds.set_index("employee_id")["employment_type"].astype("string"))
            agency = agency.fillna(kind.isin(list(CONTRACT_TYPES)).astype("boolean"))
        work["agency_hours"] = work["hours"].where(agency.fillna(False).to_numpy(), 0.0)
        work = split_at_period_boundaries(work, freq, ("hours", "overtime_hours", "agency_hours"), tz)
        columns = ["period", "unit", "role", "person", "hours", "overtime_hours", "agency_hours", "continued"]
        return work[columns].reset_index(drop=True)
    if staffed_hours is not None and not staffed_hours.empty:
        sh = staffed_hours
        hours = number_column(sh, "hours").fillna(0.0)
        contract = (text_column(sh, "employment") == "contract").fillna(False).to_numpy()
        return pd.DataFrame(
            {
                "period": period_start(date_column(sh, "date"), freq).to_numpy(),
                "unit": text_column(sh, "unit").to_numpy(),
                "role": text_column(sh, "role").to_numpy(),
                "person": pd.array([pd.NA] * len(sh), dtype="string"),
                "hours": hours.to_numpy(),
                "overtime_hours": np.nan,
                "agency_hours": np.where(contract, hours.to_numpy(), 0.0),
                "continued": False,
            }
        )
    return pd.DataFrame(
        {
            "period": pd.Series(dtype="datetime64[ns]"),
            "unit": pd.Series(dtype="string"),
            "role": pd.Series(dtype="string"),
            "person": pd.Series(dtype="string"),
            "hours": pd.Series(dtype="float64"),
            "overtime_hours": pd.Series(dtype="float64"),
            "agency_hours": pd.Series(dtype="float64"),
            "continued": pd.Series(dtype="bool"),
        }
    )


def _started(hours: pd.DataFrame) -> pd.Series:
    """Periods in which shifts started: the default window, so the hours a last night shift carries past the
    end of the data do not open a period of their own."""
    if "continued" not in hours:
        return hours["period"]
    return hours.loc[~hours["continued"].astype(bool).to_numpy(), "period"]


def _hours_share(hours: pd.DataFrame, column: str, freq: str, scope: KpiScope) -> pd.DataFrame:
    hours = map_units(hours, scope)
    periods = window([_started(hours)], freq, scope.start, scope.end)
    if hours.empty or len(periods) == 0:
        return empty_kpi(freq)
    num = hours.rename(columns={column: "num"})[["period", "unit", "role", "num", "person"]]
    den = hours.rename(columns={"hours": "den"})[["period", "unit", "role", "den", "person"]]
    return cube(num, den, periods, freq, scale=100.0, grid=open_units(scope, periods, freq))


@reads("shifts", "employees", "units")
def overtime_share(
    shifts: pd.DataFrame,
    freq: str = "M",
    *,
    employees: pd.DataFrame | None = None,
    tz: str | None = None,
    hours: pd.DataFrame | None = None,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Overtime share (%): overtime hours / worked hours × 100, from timecards (worked shifts).

    Hours of a shift crossing a period boundary are split at local midnight. ``numerator`` = overtime
    hours, ``denominator`` = worked hours. Source of the definition: NSI report / NDNQI (overtime as a
    share of worked hours). ``hours`` may pass a :func:`worked_hours` frame (same ``freq``) computed once
    for several KPIs, as :func:`agency_share` and :func:`hppd` accept too. ``scope`` (:class:`KpiScope`; ``as_of``
    not used; each open unit gets a row).
    """
    freq = check_freq(freq)
    if hours is None:
        hours = worked_hours(freq, shifts=shifts, employees=employees, tz=tz)
    return _hours_share(hours, "overtime_hours", freq, scope or WHOLE_HISTORY)


@reads("shifts", "employees", "staffed_hours", "units")
def agency_share(
    shifts: pd.DataFrame | None = None,
    freq: str = "M",
    *,
    employees: pd.DataFrame | None = None,
    staffed_hours: pd.DataFrame | None = None,
    tz: str | None = None,
    hours: pd.DataFrame | None = None,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Agency/travel share (%): agency and travel hours / all worked hours × 100.

    From timecards, or from ``staffed_hours`` (contract ÷ employee + contract hours, as in the CMS
    Payroll-Based Journal). ``numerator`` = agency hours, ``denominator`` = worked hours. ``scope`` as for
    :func:`overtime_share`.
    """
    freq = check_freq(freq)
    if hours is None:
        hours = worked_hours(freq, shifts=shifts, employees=employees, staffed_hours=staffed_hours, tz=tz)
    return _hours_share(hours, "agency_hours", freq, scope or WHOLE_HISTORY)


@reads("census")
def patient_days(census: pd.DataFrame, freq: str = "M") -> pd.DataFrame:
    """Patient days per period and unit from the census.

    Daily rows are a midnight census (each patient counted = one patient day); hourly rows give patient
    hours, so patient days = sum of hourly census / 24 (a 23- or 25-hour DST day is right automatically).
    The row interval of each unit is the median gap between its timestamps (capped at 24 h); a unit
    with a single row counts as daily. Returns columns period, unit (string), patient_days (float64).
    """
    freq = check_freq(freq)
    cen = pd.DataFrame(
        {
            "unit": text_column(census, "unit"),
            "timestamp": date_column(census, "timestamp"),
            "census": number_column(census, "census"),
        }
    ).dropna(subset=["unit", "timestamp", "census"])
    if cen.empty:
        return pd.DataFrame(
            {
                "period": pd.Series(dtype="datetime64[ns]"),
                "unit": pd.Series(dtype="string"),
                "patient_days": pd.Series(dtype="float64"),
            }
        )
    cen = cen.sort_values(["unit", "timestamp"])
    gaps = cen.groupby("unit", observed=True)["timestamp"].diff().dt.total_seconds() / 3600
    step = gaps.groupby(cen["unit"], observed=True).median().fillna(24.0).clip(upper=24.0)
    cen["patient_days"] = cen["census"] * cen["unit"].map(step).astype("float64") / 24.0
    cen["period"] = period_start(cen["timestamp"], freq)
    return cen.groupby(["period", "unit"], observed=True)["patient_days"].sum().reset_index()


@reads("census", "shifts", "employees", "staffed_hours", "units")
def hppd(
    census: pd.DataFrame,
    freq: str = "M",
    *,
    shifts: pd.DataFrame | None = None,
    staffed_hours: pd.DataFrame | None = None,
    employees: pd.DataFrame | None = None,
    nursing_roles: Sequence[str] = NURSING_ROLES,
    tz: str | None = None,
    hours: pd.DataFrame | None = None,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Nursing hours per patient day (HPPD): worked nursing hours / patient days.

    Source: NDNQI / CMS Payroll-Based Journal staffing measure (nursing hours ÷ resident or patient days).
    Nursing hours are worked hours of ``nursing_roles`` (RN, LPN, CNA) from timecards or
    ``staffed_hours``; patient days come from :func:`patient_days`. Role rows give each role's HPPD over
    the unit's patient days (RN HPPD); ``role == "All"`` sums the nursing roles. A unit without census has
    NaN. ``numerator`` = nursing hours, ``denominator`` = patient days. Value in hours per patient day.
    ``scope`` as for :func:`overtime_share`.
    """
    freq = check_freq(freq)
    scope = scope or WHOLE_HISTORY
    if hours is None:
        hours = worked_hours(freq, shifts=shifts, employees=employees, staffed_hours=staffed_hours, tz=tz)
    hours = map_units(hours.loc[hours["role"].isin(list(nursing_roles)).fillna(False).to_numpy()], scope)
    days = map_units(patient_days(census, freq), scope)
    periods = window([_started(hours), days["period"]], freq, scope.start, scope.end)
    if len(periods) == 0:
        return empty_kpi(freq)
    num = hours.rename(columns={"hours": "num"})[["period", "unit", "role", "num", "person"]]
    den = days.rename(columns={"patient_days": "den"}).assign(role=pd.NA)
    return cube(num, den, periods, freq, den_by_role=False, grid=open_units(scope, periods, freq))


@reads("absences", "employees", "units")
def absence_rate(
    absences: pd.DataFrame,
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    absence_types: Sequence[str] | None = None,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Absence rate (%): absence hours / scheduled (contracted) hours × 100.

    Scheduled hours = contracted FTE × 40 h/week × days employed in the period / 7, as in the NHS
    Digital sickness-absence rate (FTE days lost ÷ FTE days available). ``absence_types=("sick",)``
    gives the sickness-absence rate; default counts all types. Absences of people outside
    ``employment_types`` or with no FTE are ignored. ``numerator`` = absence hours, ``denominator`` =
    contracted hours. Absences are sensitive: call through ``DataAccess.aggregate``. ``scope`` as for
    :func:`overtime_share`.
    """
    freq = check_freq(freq)
    scope = scope or WHOLE_HISTORY
    emp = map_units(parse_employees(employees, employment_types), scope)
    emp = emp.loc[emp["fte"].notna() & (emp["fte"] > 0)].reset_index(drop=True)
    absent = absences.copy()
    if absence_types is not None:
        absent = absent.loc[text_column(absent, "absence_type").isin(list(absence_types)).to_numpy()]
    absent = attach_employee(absent.drop(columns=["unit", "role"], errors="ignore"), emp)
    absent = absent.loc[absent["person"].isin(set(emp["employee_id"])).to_numpy()]
    absent["period"] = period_start(date_column(absent, "date"), freq)
    periods = window([absent["period"]], freq, scope.start, scope.end)
    if emp.empty or len(periods) == 0:
        return empty_kpi(freq)
    overlap = employment_overlap(emp, periods, freq)
    staff = emp.iloc[overlap["row"].to_numpy()]
    den = pd.DataFrame(
        {
            "period": overlap["period"].to_numpy(),
            "unit": staff["unit"].to_numpy(),
            "role": staff["role"].to_numpy(),
            "den": staff["fte"].to_numpy() * HOURS_PER_FTE_WEEK * overlap["days"].to_numpy() / 7.0,
            "person": staff["employee_id"].to_numpy(),
        }
    )
    num = absent.assign(num=number_column(absent, "hours").fillna(0.0))[["period", "unit", "role", "num", "person"]]
    return cube(num, den, periods, freq, scale=100.0, grid=open_units(scope, periods, freq))
