"""Workforce KPIs: headcount, FTE, turnover (all and voluntary) and first-year turnover of hiring cohorts."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analytics.kpis.engine import WHOLE_HISTORY, KpiScope, cube, empty_kpi, reads
from analytics.kpis.inputs import (
    employed_on,
    employee_window,
    employment_overlap,
    map_units,
    observed_from,
    open_units,
    parse_employees,
    snapshot_dates,
    text_column,
)
from analytics.periods import MONTHS_PER_PERIOD, check_freq, period_end, period_start, window
from data_loaders.schema import EMPLOYED_TYPES

FIRST_YEAR_DAYS = 365
"""A separation within this many days of hire is a first-year separation."""


@reads("employees", "units")
def headcount(
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Headcount: persons employed on the last day of each period (or ``scope.as_of`` if earlier).

    Employed on day d means ``hire_date ≤ d ≤ termination_date`` (termination date is the last day
    employed). Agency and travel staff are excluded by default (``employment_types``). ``value`` is
    persons; numerator and denominator are NaN. ``scope`` (:class:`KpiScope`, every field used; each open unit
    gets a row). Returns :data:`KPI_COLUMNS`.
    """
    return _stock(employees, freq, "count", employment_types, scope or WHOLE_HISTORY)


@reads("employees", "units")
def fte(
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Contracted FTE on the last day of each period: sum of ``employees.fte`` of those employed then.

    1.0 FTE = 40 contracted hours a week (schema). A missing ``fte`` adds nothing. ``value`` is FTE. ``scope`` as
    for :func:`headcount`.
    """
    return _stock(employees, freq, "fte", employment_types, scope or WHOLE_HISTORY)


def _stock(
    employees: pd.DataFrame, freq: str, what: str, employment_types: Sequence[str] | None, scope: KpiScope
) -> pd.DataFrame:
    freq = check_freq(freq)
    emp = map_units(parse_employees(employees, employment_types), scope)
    periods = employee_window(emp, freq, scope.start, scope.end)
    if emp.empty or len(periods) == 0:
        return empty_kpi(freq)
    snaps = snapshot_dates(periods, freq, scope.as_of)
    rows, cols = employed_on(emp, snaps)
    picked = emp.iloc[rows]
    num = pd.DataFrame(
        {
            "period": periods.to_numpy()[cols],
            "unit": picked["unit"].to_numpy(),
            "role": picked["role"].to_numpy(),
            "num": 1.0 if what == "count" else picked["fte"].fillna(0.0).to_numpy(),
            "person": picked["employee_id"].to_numpy(),
        }
    )
    return cube(num, None, periods, freq, grid=open_units(scope, periods, freq))


@reads("employees", "units")
def turnover_rate(
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    reasons: Sequence[str] | None = None,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    annualise: bool = True,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Turnover rate (%), annualised: separations / average headcount × 100 × (12 / months in period).

    Source: NSI Nursing Solutions, *National Health Care Retention & RN Staffing Report* (turnover =
    separations ÷ average headcount). A separation is a ``termination_date`` inside the period (counted
    in the person's home unit and role); ``reasons`` limits it (``("voluntary",)`` for voluntary
    turnover). Average headcount = person-days employed in the period ÷ days in the period. A period with
    no exit gives 0; a unit with nobody employed gives NaN. ``numerator`` = separations,
    ``denominator`` = average headcount. ``scope`` (:class:`KpiScope`; ``as_of`` not used; each open unit gets a
    row). Returns :data:`KPI_COLUMNS`.
    """
    freq = check_freq(freq)
    scope = scope or WHOLE_HISTORY
    emp = map_units(parse_employees(employees, employment_types), scope)
    periods = employee_window(emp, freq, scope.start, scope.end)
    if emp.empty or len(periods) == 0:
        return empty_kpi(freq)
    overlap = employment_overlap(emp, periods, freq)
    period_days = (period_end(periods, freq) - periods).days.to_numpy() + 1
    days_in = pd.Series(period_days, index=periods.to_numpy())
    employed = emp.iloc[overlap["row"].to_numpy()]
    den = pd.DataFrame(
        {
            "period": overlap["period"].to_numpy(),
            "unit": employed["unit"].to_numpy(),
            "role": employed["role"].to_numpy(),
            "den": overlap["days"].to_numpy() / days_in.loc[overlap["period"].to_numpy()].to_numpy(),
            "person": employed["employee_id"].to_numpy(),
        }
    )
    leavers = emp.loc[emp["termination_date"].notna()]
    if reasons is not None:
        leavers = leavers.loc[text_column(leavers, "termination_reason").isin(list(reasons)).to_numpy()]
    num = pd.DataFrame(
        {
            "period": period_start(leavers["termination_date"], freq).to_numpy(),
            "unit": leavers["unit"].to_numpy(),
            "role": leavers["role"].to_numpy(),
            "num": 1.0,
            "person": leavers["employee_id"].to_numpy(),
        }
    )
    scale = 100.0 * (12 / MONTHS_PER_PERIOD[freq] if annualise else 1.0)
    return cube(num, den, periods, freq, scale=scale, grid=open_units(scope, periods, freq))


@reads("employees", "units")
def voluntary_turnover_rate(employees: pd.DataFrame, freq: str = "M", **options) -> pd.DataFrame:
    """Voluntary turnover (%), annualised: voluntary separations / average headcount × 100 × 12/months.

    As :func:`turnover_rate` with ``reasons=("voluntary",)`` (NSI separates voluntary from involuntary
    turnover; resignations and retirements are voluntary).
    """
    return turnover_rate(employees, freq, reasons=("voluntary",), **options)


@reads("employees", "units")
def first_year_turnover_rate(
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """First-year turnover (%) of each hiring cohort: hires who left within 365 days / hires × 100.

    The cohort of a period is everyone hired in it (``hire_date`` in the period); a first-year
    separation has ``termination_date - hire_date < 365`` days. Only cohorts whose first year is over by
    ``scope.as_of`` (default: the latest hire or termination date in the data) are reported, so a young cohort
    is never shown as falsely low; nor are cohorts hired before the first recorded exit (an export of current
    staff and recent leavers would show them at 0%). Source: NSI report, "first-year turnover" (share of
    new hires leaving within one year). ``numerator`` = first-year leavers, ``denominator`` = hires.
    ``scope`` (:class:`KpiScope`; ``units`` only for mergers: no row for a unit without hires).
    """
    freq = check_freq(freq)
    scope = scope or WHOLE_HISTORY
    as_of = scope.as_of
    emp = map_units(parse_employees(employees, employment_types), scope)
    emp = emp.loc[emp["hire_date"].notna()]
    if emp.empty:
        return empty_kpi(freq)
    cutoff = (
        pd.Timestamp(as_of)
        if as_of is not None
        else pd.concat([emp["hire_date"], emp["termination_date"]]).dropna().max()
    )
    cohort = period_start(emp["hire_date"], freq)
    observed = pd.Timestamp(observed_from(emp)).to_period(freq).start_time
    mature = ((period_end(cohort, freq) + pd.Timedelta(days=FIRST_YEAR_DAYS)) <= cutoff) & (cohort >= observed)
    emp, cohort = emp.loc[mature.to_numpy()], cohort.loc[mature.to_numpy()]
    periods = window([cohort], freq, scope.start, scope.end)
    if emp.empty or len(periods) == 0:
        return empty_kpi(freq)
    tenure = (emp["termination_date"] - emp["hire_date"]).dt.days
    base = pd.DataFrame(
        {
            "period": cohort.to_numpy(),
            "unit": emp["unit"].to_numpy(),
            "role": emp["role"].to_numpy(),
            "person": emp["employee_id"].to_numpy(),
        }
    )
    den = base.assign(den=1.0)
    num = base.assign(num=(tenure < FIRST_YEAR_DAYS).fillna(False).astype(float).to_numpy())
    return cube(num, den, periods, freq, scale=100.0)
