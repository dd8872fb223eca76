"""Canonical tables read into row-level KPI inputs: typed columns, employees, unit mergers, who was employed when.

Pure helpers shared by the KPI families of :mod:`analytics.kpis`; each takes a canonical table (columns as in
:mod:`data_loaders.schema`) and tolerates a missing optional column (it reads as empty).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analytics.kpis.engine import KpiScope
from analytics.periods import period_end, window

DEFAULT_LOOKBACK_YEARS = 5
"""Default history of employee-based KPIs when no ``start`` is given (years before the latest date)."""


def unit_successors(units: pd.DataFrame | None) -> dict[str, str]:
    """Map each merged unit id to the unit that finally took it over (following chains A→B→C).

    ``units`` is the canonical ``units`` table; a cycle in ``merged_into`` raises ``ValueError``.
    """
    if units is None or units.empty or "merged_into" not in units:
        return {}
    direct = {
        str(u): str(m) for u, m in zip(units["unit_id"], units["merged_into"], strict=True) if pd.notna(m) and m != ""
    }
    final: dict[str, str] = {}
    for unit in direct:
        seen = {unit}
        target = direct[unit]
        while target in direct:
            if target in seen:
                raise ValueError(f"units.merged_into has a cycle through {target!r}; fix the units table.")
            seen.add(target)
            target = direct[target]
        final[unit] = target
    return final


def map_units(frame: pd.DataFrame, scope: KpiScope) -> pd.DataFrame:
    """``frame`` with each merged unit replaced by its successor (:func:`unit_successors` of ``scope.units``) when
    ``scope.follow_mergers``; otherwise ``frame`` itself. Keeps a categorical ``unit`` categorical."""
    if not scope.follow_mergers or "unit" not in frame:
        return frame
    mapping = unit_successors(scope.units)
    if not mapping:
        return frame
    out = frame.copy()
    unit = out["unit"]
    if isinstance(unit.dtype, pd.CategoricalDtype):
        renamed = pd.Index([mapping.get(c, c) for c in unit.cat.categories])
        merged = renamed.unique()
        codes = unit.cat.codes.to_numpy()
        new_codes = np.where(codes >= 0, merged.get_indexer(renamed)[codes], -1)
        out["unit"] = pd.Categorical.from_codes(new_codes, categories=merged)
        return out
    unit = unit.astype("string")
    out["unit"] = unit.map(mapping).astype("string").fillna(unit)
    return out


def date_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column]`` as datetime64[ns]; all NaT when the column is missing."""
    if column not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column]).astype("datetime64[ns]")


def text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column]`` as pandas string dtype; all NA when the column is missing."""
    if column not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[column].astype("string")


def number_column(frame: pd.DataFrame, column: str, default: float = np.nan) -> pd.Series:
    """``frame[column]`` as float64 (unparseable values NaN); ``default`` everywhere when the column is missing."""
    if column not in frame:
        return pd.Series(default, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def parse_employees(employees: pd.DataFrame, employment_types: Sequence[str] | None) -> pd.DataFrame:
    """Employees with parsed dates, limited to ``employment_types`` (a missing type counts as ``staff``)."""
    emp = employees.copy()
    emp["employee_id"] = text_column(emp, "employee_id")
    emp["unit"] = text_column(emp, "unit")
    emp["role"] = text_column(emp, "role")
    emp["hire_date"] = date_column(emp, "hire_date")
    emp["termination_date"] = date_column(emp, "termination_date")
    emp["fte"] = number_column(emp, "fte")
    kind = text_column(emp, "employment_type").fillna("staff")
    if employment_types is not None:
        emp = emp.loc[kind.isin(list(employment_types)).to_numpy()]
    return emp.reset_index(drop=True)


def attach_employee(
    frame: pd.DataFrame, employees: pd.DataFrame | None, id_column: str = "employee_id"
) -> pd.DataFrame:
    """Add ``unit``/``role`` from the employees table where ``frame`` does not carry them itself."""
    out = frame.copy()
    out["person"] = text_column(out, id_column).astype("category")
    for col in ("unit", "role"):
        out[col] = text_column(out, col)
    if employees is not None and not employees.empty:
        lookup = employees.assign(employee_id=text_column(employees, "employee_id")).drop_duplicates("employee_id")
        lookup = lookup.set_index("employee_id")
        codes = out["person"].cat.codes.to_numpy()
        for col in ("unit", "role"):
            missing = out[col].isna().to_numpy()
            if col in lookup and missing.any():
                per_category = lookup[col].astype("string").reindex(out["person"].cat.categories).to_numpy(object)
                fill = np.where(codes >= 0, per_category[codes], None)
                out[col] = out[col].where(~missing, pd.array(fill, dtype="string"))
    for col in ("unit", "role"):
        out[col] = out[col].astype("category")
    return out


def open_units(scope: KpiScope, periods: pd.DatetimeIndex, freq: str) -> pd.DataFrame:
    """(period, unit) pairs of units of ``scope.units`` open at some time during each period (a merged unit is
    left out when ``scope.follow_mergers``)."""
    units = scope.units
    if units is None or units.empty or len(periods) == 0:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "unit": pd.Series(dtype="string")})
    merged = set(unit_successors(units)) if scope.follow_mergers else set()
    table = units.loc[~units["unit_id"].astype("string").isin(merged)]
    opened = date_column(table, "opened").to_numpy()[:, None]
    closed = date_column(table, "closed").to_numpy()[:, None]
    starts = periods.to_numpy()[None, :]
    ends = period_end(periods, freq).to_numpy()[None, :]
    is_open = (np.isnat(opened) | (opened <= ends)) & (np.isnat(closed) | (closed >= starts))
    rows, cols = np.nonzero(is_open)
    return pd.DataFrame(
        {
            "period": periods.to_numpy()[cols].astype("datetime64[ns]"),
            "unit": table["unit_id"].astype("string").to_numpy()[rows],
        }
    )


def employment_overlap(emp: pd.DataFrame, periods: pd.DatetimeIndex, freq: str) -> pd.DataFrame:
    """Days each employee was employed in each period: rows (employee row, period, days > 0)."""
    if emp.empty or len(periods) == 0:
        return pd.DataFrame({"row": [], "period": [], "days": []})
    starts = periods.to_numpy()
    ends = period_end(periods, freq).to_numpy()
    hire = emp["hire_date"].fillna(pd.Timestamp(starts[0])).to_numpy()[:, None]
    term = emp["termination_date"].fillna(pd.Timestamp(ends[-1])).to_numpy()[:, None]
    lo = np.maximum(hire, starts[None, :])
    hi = np.minimum(term, ends[None, :])
    days = (hi - lo) / np.timedelta64(1, "D") + 1
    rows, cols = np.nonzero(days > 0)
    return pd.DataFrame({"row": rows, "period": starts[cols], "days": days[rows, cols]})


def employed_on(emp: pd.DataFrame, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(employee row, date index) pairs of employees employed on each date (hire ≤ d ≤ termination)."""
    hire = emp["hire_date"].to_numpy()[:, None]
    term = emp["termination_date"].to_numpy()[:, None]
    when = dates[None, :]
    employed = (np.isnat(hire) | (hire <= when)) & (np.isnat(term) | (term >= when))
    return np.nonzero(employed)


def snapshot_dates(periods: pd.DatetimeIndex, freq: str, as_of: object) -> np.ndarray:
    """The day each period is measured on: its last day, or ``as_of`` when that is earlier (datetime64[ns])."""
    ends = period_end(periods, freq)
    if as_of is not None:
        ends = ends.where(ends <= pd.Timestamp(as_of), pd.Timestamp(as_of))
    return pd.DatetimeIndex(ends).to_numpy().astype("datetime64[ns]")


def employee_window(emp: pd.DataFrame, freq: str, start: object, end: object) -> pd.DatetimeIndex:
    """Periods for employee-based KPIs: ``start``..``end``, by default the span of hire and termination dates
    but no more than :data:`DEFAULT_LOOKBACK_YEARS` before the latest (staff hired decades ago would otherwise
    stretch every stock KPI back to their hire)."""
    dates = pd.concat([emp["hire_date"], emp["termination_date"]], ignore_index=True).dropna()
    if start is None and len(dates):
        latest = pd.Timestamp(end) if end is not None else dates.max()
        start = max(observed_from(emp), latest - pd.DateOffset(years=DEFAULT_LOOKBACK_YEARS))
    return window([dates], freq, start, end)


def observed_from(emp: pd.DataFrame) -> pd.Timestamp:
    """First day from which leavers are recorded: the earliest termination date (the earliest hire if none).

    HR exports usually list current staff and recent leavers only; before the first recorded exit, headcount
    and turnover would silently count survivors only, so default windows start there."""
    exits = emp["termination_date"].dropna()
    return exits.min() if len(exits) else emp["hire_date"].min()
