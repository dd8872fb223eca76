"""Workforce KPIs, one function per KPI, each defined the way the industry defines it.

Every function takes canonical tables (DataFrames shaped as in :mod:`data_loaders.schema`) and a period
granularity ``freq`` (``"M"``, ``"Q"`` or ``"Y"``) and returns a **tidy** DataFrame with the columns of
:data:`KPI_COLUMNS`:

=============  ==================  ==================================================================
column         dtype               meaning
=============  ==================  ==================================================================
period         datetime64[ns]      first day of the month/quarter/year (see :mod:`analytics.periods`)
unit           string              unit id, or ``"All"`` for the hospital total
role           string              role (``schema.ROLES``), or ``"All"`` for all roles
value          float64             the KPI in its unit (%, days, hours per patient day, persons ...)
numerator      float64             what is counted above the line (NaN for medians and stocks)
denominator    float64             what is counted below the line (NaN for medians and stocks)
people         int64               distinct persons behind the row (for small-group suppression)
prior_value    float64             value of the same unit and role in the previous period
change         float64             ``value - prior_value`` (percentage points for % KPIs)
=============  ==================  ==================================================================

``prior_value`` and ``change`` copy a neighbouring row's value: on a table that will be suppressed they must be
derived again after suppression (:func:`add_prior_and_change`), as ``DataAccess.aggregate`` does for linked KPI
views (:mod:`analytics.kpi_views`).

Rows are given at four levels: each unit and role, each unit over all roles, each role over all units,
and the hospital total. A unit with nobody in the denominator has ``value`` NaN (never a 0/0 error);
a period with no event in the numerator (a month with no exits) has ``value`` 0. When ``units`` (the
``units`` table) is passed, every unit open during a period gets a unit-total row even without data, and
``follow_mergers=True`` maps the history of a merged unit (``units.merged_into``) into its successor.

The formulas and their published sources are in ``docs/kpis.md``; each docstring repeats the formula.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from analytics.periods import (
    MONTHS_PER_PERIOD,
    check_freq,
    duration_hours,
    period_end,
    period_start,
    split_at_period_boundaries,
    window,
)

TOTAL = "All"
"""Label of total rows in the ``unit`` and ``role`` columns."""

KPI_COLUMNS = ["period", "unit", "role", "value", "numerator", "denominator", "people", "prior_value", "change"]

EMPLOYED_TYPES = ("staff", "per_diem")
"""Employment types counted as the hospital's own employees (agency and travel staff are contract labour)."""

CONTRACT_TYPES = ("agency", "travel")
"""Employment types whose hours count as agency/travel (contract) hours."""

NURSING_ROLES = ("RN", "LPN", "CNA")
"""Roles whose worked hours are nursing hours for HPPD (direct-care nursing staff, as in CMS PBJ/NDNQI)."""

HOURS_PER_FTE_WEEK = 40.0
"""Contracted hours per week of 1.0 FTE (schema: ``employees.fte``)."""

FIRST_YEAR_DAYS = 365
"""A separation within this many days of hire is a first-year separation."""

DEFAULT_LOOKBACK_YEARS = 5
"""Default history of employee-based KPIs when no ``start`` is given (years before the latest date)."""

DEFAULT_REQUISITION_FTE = 1.0
"""FTE assumed for a requisition whose ``fte`` is missing."""

_LEVELS: tuple[tuple[str, ...], ...] = (("unit", "role"), ("unit",), ("role",), ())


# --------------------------------------------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------------------------------------------


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


def _map_units(frame: pd.DataFrame, units: pd.DataFrame | None, follow_mergers: bool) -> pd.DataFrame:
    if not follow_mergers or "unit" not in frame:
        return frame
    mapping = unit_successors(units)
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


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column]).astype("datetime64[ns]")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[column].astype("string")


def _numbers(frame: pd.DataFrame, column: str, default: float = np.nan) -> pd.Series:
    if column not in frame:
        return pd.Series(default, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _employees(employees: pd.DataFrame, employment_types: Sequence[str] | None) -> pd.DataFrame:
    """Employees with parsed dates, limited to ``employment_types`` (a missing type counts as ``staff``)."""
    emp = employees.copy()
    emp["employee_id"] = _text(emp, "employee_id")
    emp["unit"] = _text(emp, "unit")
    emp["role"] = _text(emp, "role")
    emp["hire_date"] = _dates(emp, "hire_date")
    emp["termination_date"] = _dates(emp, "termination_date")
    emp["fte"] = _numbers(emp, "fte")
    kind = _text(emp, "employment_type").fillna("staff")
    if employment_types is not None:
        emp = emp.loc[kind.isin(list(employment_types)).to_numpy()]
    return emp.reset_index(drop=True)


def _attach_employee(
    frame: pd.DataFrame, employees: pd.DataFrame | None, id_column: str = "employee_id"
) -> pd.DataFrame:
    """Add ``unit``/``role`` from the employees table where ``frame`` does not carry them itself."""
    out = frame.copy()
    out["person"] = _text(out, id_column).astype("category")
    for col in ("unit", "role"):
        out[col] = _text(out, col)
    if employees is not None and not employees.empty:
        lookup = employees.assign(employee_id=_text(employees, "employee_id")).drop_duplicates("employee_id")
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


def _open_units(units: pd.DataFrame | None, periods: pd.DatetimeIndex, freq: str, follow_mergers: bool) -> pd.DataFrame:
    """(period, unit) pairs of units open at some time during each period."""
    if units is None or units.empty or len(periods) == 0:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "unit": pd.Series(dtype="string")})
    merged = set(unit_successors(units)) if follow_mergers else set()
    table = units.loc[~units["unit_id"].astype("string").isin(merged)]
    opened = _dates(table, "opened").to_numpy()[:, None]
    closed = _dates(table, "closed").to_numpy()[:, None]
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


def _group_sum(frame: pd.DataFrame, keys: list[str], column: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=[*keys, column])
    return frame.groupby(keys, dropna=True, observed=True)[column].sum().reset_index()


_FINE = ["period", "unit", "role"]


def _fine_sum(frame: pd.DataFrame, column: str, extra: str | None = None) -> pd.DataFrame:
    """Sum ``column`` (and ``extra``) to period × unit × role once, keeping missing units/roles as groups, so the
    four levels are rolled up from a small frame instead of the row-level one."""
    columns = [c for c in (column, extra) if c is not None]
    keys = [k for k in _FINE if k in frame]
    if frame.empty:
        return frame[[*keys, *columns]]
    return frame.groupby(keys, dropna=False, observed=True)[columns].sum().reset_index()


def _fine_persons(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Distinct (period, unit, role, person) combinations over ``frames`` (persons as integer codes)."""
    parts = [f[[*_FINE, "person"]] for f in frames if "person" in f and "role" in f and not f.empty]
    parts += [f[["period", "unit", "person"]].assign(role=pd.NA) for f in frames if "person" in f and "role" not in f]
    if not parts:
        return pd.DataFrame(columns=[*_FINE, "person"])
    distinct = [
        p.groupby([*_FINE, "person"], dropna=False, observed=True, sort=False).size().index.to_frame(index=False)
        for p in parts
    ]
    persons = pd.concat(distinct, ignore_index=True).dropna(subset=["person"])
    return persons.drop_duplicates(ignore_index=True)


def _group_people(persons: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if persons.empty:
        return pd.DataFrame(columns=[*keys, "people"])
    return persons.groupby(keys, dropna=True, observed=True)["person"].nunique().rename("people").reset_index()


def _cube(
    num: pd.DataFrame,
    den: pd.DataFrame | None,
    periods: pd.DatetimeIndex,
    freq: str,
    *,
    scale: float = 1.0,
    den_by_role: bool = True,
    grid: pd.DataFrame | None = None,
    people_weight: str | None = None,
) -> pd.DataFrame:
    """Aggregate row-level contributions to the four levels and compute ``value = scale * num / den``.

    ``num`` has columns period, unit, role, num, person; ``den`` (or None for a plain count/stock) has
    period, unit, role, den and optionally person. ``den_by_role=False`` means the denominator does not
    depend on role (patient days), so every role of a unit shares the unit's denominator.
    """
    in_window = set(periods)
    num = num.loc[num["period"].isin(in_window)]
    den = den.loc[den["period"].isin(in_window)] if den is not None else None
    num, den = _encode(num, den)
    persons = _fine_persons([num] if den is None else [num, den])
    num = _fine_sum(num, "num", people_weight)
    den = _fine_sum(den, "den") if den is not None else None
    pieces = []
    for level in _LEVELS:
        keys = ["period", *level]
        agg = _group_sum(num, keys, "num")
        if den is not None:
            den_keys = keys if den_by_role else [k for k in keys if k != "role"]
            den_agg = _group_sum(den, den_keys, "den")
            if den_by_role or "role" not in level:
                agg = agg.merge(den_agg, on=keys, how="outer")
            else:
                agg = agg.merge(den_agg, on=den_keys, how="left")
        if people_weight is not None:
            people = _group_sum(num, keys, people_weight).rename(columns={people_weight: "people"})
        else:
            people = _group_people(persons, keys)
        agg = agg.merge(people, on=keys, how="left")
        for missing in ("unit", "role"):
            if missing not in level:
                agg[missing] = TOTAL
        pieces.append(agg)
    out = pd.concat([p for p in pieces if not p.empty], ignore_index=True) if any(not p.empty for p in pieces) else None
    if out is None:
        out = pd.DataFrame(columns=["period", "unit", "role", "num", "den", "people"])
    if grid is not None and not grid.empty:
        grid = grid.loc[grid["period"].isin(in_window)].assign(role=TOTAL)
        out = out.merge(grid, on=["period", "unit", "role"], how="outer") if not out.empty else grid
    out["num"] = pd.to_numeric(out.get("num"), errors="coerce").astype("float64").fillna(0.0)
    if den is None:
        out["value"] = out["num"] * scale
        out["numerator"] = out["num"]
        out["denominator"] = np.nan
    else:
        denominator = pd.to_numeric(out["den"], errors="coerce").astype("float64")
        out["numerator"] = out["num"]
        out["denominator"] = denominator
        out["value"] = scale * out["num"] / denominator.where(denominator > 0)
    out["people"] = pd.to_numeric(out["people"], errors="coerce").fillna(0).astype("int64")
    return _finish(out, freq)


def _encode(num: pd.DataFrame, den: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Unit, role and person as categoricals sharing one category list (person then as integer codes, NaN
    when missing): the same groups as the text, grouped and counted much faster."""
    out = [num.copy()] if den is None else [num.copy(), den.copy()]
    for col in ("unit", "role", "person"):
        present = [f for f in out if col in f]
        cats = [
            f[col] if isinstance(f[col].dtype, pd.CategoricalDtype) else f[col].astype("string").astype("category")
            for f in present
        ]
        categories = cats[0].cat.categories
        for extra in cats[1:]:
            categories = categories.union(extra.cat.categories)
        for f, cat in zip(present, cats, strict=True):
            cat = cat.cat.set_categories(categories)
            if col == "person":
                codes = cat.cat.codes.to_numpy()
                f[col] = np.where(codes < 0, np.nan, codes.astype("float64"))
            else:
                f[col] = cat
    return out[0], (out[1] if den is not None else None)


def _finish(out: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Add prior_value/change, fix dtypes and order."""
    out = out.copy()
    out["period"] = pd.to_datetime(out["period"]).astype("datetime64[ns]")
    out["unit"] = out["unit"].astype("string")
    out["role"] = out["role"].astype("string")
    for col in ("value", "numerator", "denominator"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    extra = [c for c in out.columns if c not in KPI_COLUMNS and c not in ("num", "den")]
    out = add_prior_and_change(out.drop(columns=["prior_value", "change"], errors="ignore"), freq)
    is_total_unit = (out["unit"] == TOTAL).astype(int)
    is_total_role = (out["role"] == TOTAL).astype(int)
    out = (
        out.assign(_u=is_total_unit, _r=is_total_role)
        .sort_values(["period", "_u", "unit", "_r", "role"])
        .drop(columns=["_u", "_r"])
    )
    keep = [*KPI_COLUMNS, *[c for c in extra if c in ("system", "go_live")]]
    return out[keep].reset_index(drop=True)


SERIES_KEYS = ("kpi", "freq", "follow_mergers", "unit", "role", "system")
"""Columns that, where present, tell one KPI series from another (everything but the period)."""


def add_prior_and_change(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    """``frame`` plus ``prior_value`` (the value of the same series one period earlier) and ``change``.

    A series is the rows sharing the :data:`SERIES_KEYS` columns present in ``frame``. ``change = value −
    prior_value`` (percentage points for % KPIs). Both are NaN when either value is NaN, so on a suppressed table
    (hidden values NaN) they are derived from published cells only — a hidden value never reappears in the next
    period's row. ``frame`` must not already have the two columns. Rows keep their order.
    """
    keys = [c for c in SERIES_KEYS if c in frame.columns]
    prior = frame[["period", *keys, "value"]].copy()
    prior["period"] = prior["period"] + pd.DateOffset(months=MONTHS_PER_PERIOD[check_freq(freq)])
    prior = prior.rename(columns={"value": "prior_value"}).drop_duplicates(["period", *keys])
    out = frame.merge(prior, on=["period", *keys], how="left")
    out["prior_value"] = out["prior_value"].astype("float64")
    out["change"] = out["value"] - out["prior_value"]
    return out


def _empty(freq: str) -> pd.DataFrame:
    return _finish(
        pd.DataFrame(
            {"period": [], "unit": [], "role": [], "value": [], "numerator": [], "denominator": [], "people": []}
        ).astype({"people": "int64"}),
        freq,
    )


def _employment_overlap(emp: pd.DataFrame, periods: pd.DatetimeIndex, freq: str) -> pd.DataFrame:
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


def _employed_on(emp: pd.DataFrame, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(employee row, date index) pairs of employees employed on each date (hire ≤ d ≤ termination)."""
    hire = emp["hire_date"].to_numpy()[:, None]
    term = emp["termination_date"].to_numpy()[:, None]
    when = dates[None, :]
    employed = (np.isnat(hire) | (hire <= when)) & (np.isnat(term) | (term >= when))
    return np.nonzero(employed)


def _snapshot_dates(periods: pd.DatetimeIndex, freq: str, as_of: object) -> np.ndarray:
    ends = period_end(periods, freq)
    if as_of is not None:
        ends = ends.where(ends <= pd.Timestamp(as_of), pd.Timestamp(as_of))
    return pd.DatetimeIndex(ends).to_numpy().astype("datetime64[ns]")


def _employee_window(emp: pd.DataFrame, freq: str, start: object, end: object) -> pd.DatetimeIndex:
    """Periods for employee-based KPIs: ``start``..``end``, by default the span of hire and termination dates
    but no more than :data:`DEFAULT_LOOKBACK_YEARS` before the latest (staff hired decades ago would otherwise
    stretch every stock KPI back to their hire)."""
    dates = pd.concat([emp["hire_date"], emp["termination_date"]], ignore_index=True).dropna()
    if start is None and len(dates):
        latest = pd.Timestamp(end) if end is not None else dates.max()
        start = max(_observed_from(emp), latest - pd.DateOffset(years=DEFAULT_LOOKBACK_YEARS))
    return window([dates], freq, start, end)


def _observed_from(emp: pd.DataFrame) -> pd.Timestamp:
    """First day from which leavers are recorded: the earliest termination date (the earliest hire if none).

    HR exports usually list current staff and recent leavers only; before the first recorded exit, headcount
    and turnover would silently count survivors only, so default windows start there."""
    exits = emp["termination_date"].dropna()
    return exits.min() if len(exits) else emp["hire_date"].min()


# --------------------------------------------------------------------------------------------------------------
# Headcount, FTE, turnover
# --------------------------------------------------------------------------------------------------------------


def headcount(
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    as_of: object = None,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Headcount: persons employed on the last day of each period (or ``as_of`` if earlier).

    Employed on day d means ``hire_date ≤ d ≤ termination_date`` (termination date is the last day
    employed). Agency and travel staff are excluded by default (``employment_types``). ``value`` is
    persons; numerator and denominator are NaN. Returns :data:`KPI_COLUMNS`.
    """
    return _stock(employees, freq, "count", employment_types, as_of, units, follow_mergers, start, end)


def fte(
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    as_of: object = None,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Contracted FTE on the last day of each period: sum of ``employees.fte`` of those employed then.

    1.0 FTE = 40 contracted hours a week (schema). A missing ``fte`` adds nothing. ``value`` is FTE.
    """
    return _stock(employees, freq, "fte", employment_types, as_of, units, follow_mergers, start, end)


def _stock(employees, freq, what, employment_types, as_of, units, follow_mergers, start, end) -> pd.DataFrame:
    freq = check_freq(freq)
    emp = _map_units(_employees(employees, employment_types), units, follow_mergers)
    periods = _employee_window(emp, freq, start, end)
    if emp.empty or len(periods) == 0:
        return _empty(freq)
    snaps = _snapshot_dates(periods, freq, as_of)
    rows, cols = _employed_on(emp, snaps)
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
    return _cube(num, None, periods, freq, grid=_open_units(units, periods, freq, follow_mergers))


def turnover_rate(
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    reasons: Sequence[str] | None = None,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    annualise: bool = True,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Turnover rate (%), annualised: separations / average headcount × 100 × (12 / months in period).

    Source: NSI Nursing Solutions, *National Health Care Retention & RN Staffing Report* (turnover =
    separations ÷ average headcount). A separation is a ``termination_date`` inside the period (counted
    in the person's home unit and role); ``reasons`` limits it (``("voluntary",)`` for voluntary
    turnover). Average headcount = person-days employed in the period ÷ days in the period. A period with
    no exit gives 0; a unit with nobody employed gives NaN. ``numerator`` = separations,
    ``denominator`` = average headcount. Returns :data:`KPI_COLUMNS`.
    """
    freq = check_freq(freq)
    emp = _map_units(_employees(employees, employment_types), units, follow_mergers)
    periods = _employee_window(emp, freq, start, end)
    if emp.empty or len(periods) == 0:
        return _empty(freq)
    overlap = _employment_overlap(emp, periods, freq)
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
        leavers = leavers.loc[_text(leavers, "termination_reason").isin(list(reasons)).to_numpy()]
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
    return _cube(num, den, periods, freq, scale=scale, grid=_open_units(units, periods, freq, follow_mergers))


def voluntary_turnover_rate(employees: pd.DataFrame, freq: str = "M", **options) -> pd.DataFrame:
    """Voluntary turnover (%), annualised: voluntary separations / average headcount × 100 × 12/months.

    As :func:`turnover_rate` with ``reasons=("voluntary",)`` (NSI separates voluntary from involuntary
    turnover; resignations and retirements are voluntary).
    """
    return turnover_rate(employees, freq, reasons=("voluntary",), **options)


def first_year_turnover_rate(
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    as_of: object = None,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """First-year turnover (%) of each hiring cohort: hires who left within 365 days / hires × 100.

    The cohort of a period is everyone hired in it (``hire_date`` in the period); a first-year
    separation has ``termination_date - hire_date < 365`` days. Only cohorts whose first year is over by
    ``as_of`` (default: the latest hire or termination date in the data) are reported, so a young cohort is
    never shown as falsely low; nor are cohorts hired before the first recorded exit (an export of current
    staff and recent leavers would show them at 0%). Source: NSI report, "first-year turnover" (share of
    new hires leaving within one year). ``numerator`` = first-year leavers, ``denominator`` = hires.
    """
    freq = check_freq(freq)
    emp = _map_units(_employees(employees, employment_types), units, follow_mergers)
    emp = emp.loc[emp["hire_date"].notna()]
    if emp.empty:
        return _empty(freq)
    cutoff = (
        pd.Timestamp(as_of)
        if as_of is not None
        else pd.concat([emp["hire_date"], emp["termination_date"]]).dropna().max()
    )
    cohort = period_start(emp["hire_date"], freq)
    observed = pd.Timestamp(_observed_from(emp)).to_period(freq).start_time
    mature = ((period_end(cohort, freq) + pd.Timedelta(days=FIRST_YEAR_DAYS)) <= cutoff) & (cohort >= observed)
    emp, cohort = emp.loc[mature.to_numpy()], cohort.loc[mature.to_numpy()]
    periods = window([cohort], freq, start, end)
    if emp.empty or len(periods) == 0:
        return _empty(freq)
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
    return _cube(num, den, periods, freq, scale=100.0)


# --------------------------------------------------------------------------------------------------------------
# Recruiting
# --------------------------------------------------------------------------------------------------------------


def _requisitions(requisitions: pd.DataFrame) -> pd.DataFrame:
    req = requisitions.copy()
    req["requisition_id"] = _text(req, "requisition_id")
    req["unit"] = _text(req, "unit")
    req["role"] = _text(req, "role")
    req["status"] = _text(req, "status")
    req["opened"] = _dates(req, "opened")
    req["filled"] = _dates(req, "filled")
    req["fte"] = _numbers(req, "fte").fillna(DEFAULT_REQUISITION_FTE)
    return req


def open_requisitions(requisitions: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """Requisitions open on ``as_of`` with their open age in days.

    Open on day d: ``opened ≤ d``, not yet filled on d (``filled`` empty or after d) and status not
    ``cancelled`` or ``on_hold`` (a paused requisition is not being recruited to). Returns the
    requisitions rows plus ``open_days`` (float64, days from ``opened`` to ``as_of``).
    """
    req = _requisitions(requisitions)
    day = pd.Timestamp(as_of)
    is_open = _open_mask(req, day)
    out = req.loc[is_open].copy()
    out["open_days"] = ((day - out["opened"]).dt.days).astype("float64")
    return out.reset_index(drop=True)


def _open_on(req: pd.DataFrame, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(requisition row, day index) pairs of requisitions open on each of ``days`` (rule of :func:`_open_mask`)."""
    active = (~req["status"].isin(["cancelled", "on_hold"]).fillna(False)).to_numpy()
    dateless_fill = ((req["status"] == "filled").fillna(False) & req["filled"].isna()).to_numpy()
    opened = req["opened"].to_numpy()[:, None]
    filled = req["filled"].to_numpy()[:, None]
    when = days[None, :]
    is_open = (opened <= when) & (np.isnat(filled) | (filled > when)) & (active & ~dateless_fill)[:, None]
    return np.nonzero(is_open)


def _open_mask(req: pd.DataFrame, day: pd.Timestamp) -> np.ndarray:
    active = ~req["status"].isin(["cancelled", "on_hold"]).fillna(False)
    unfilled = req["filled"].isna() | (req["filled"] > day)
    filled_status_without_date = (req["status"] == "filled").fillna(False) & req["filled"].isna()
    return (active & unfilled & (req["opened"] <= day) & ~filled_status_without_date).to_numpy()


def vacancy_rate(
    requisitions: pd.DataFrame,
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    as_of: object = None,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Vacancy rate (%) on the last day of each period: open FTE / (filled FTE + open FTE) × 100.

    Source: NSI report, RN vacancy rate = vacant positions ÷ (filled + vacant positions), in FTE.
    Open FTE = ``fte`` of requisitions open that day (see :func:`open_requisitions`; a missing fte counts
    as 1.0); filled FTE = contracted ``fte`` of employees employed that day. ``numerator`` = open FTE,
    ``denominator`` = filled + open FTE, ``people`` = employees behind the filled FTE.
    """
    freq = check_freq(freq)
    req = _map_units(_requisitions(requisitions), units, follow_mergers)
    emp = _map_units(_employees(employees, employment_types), units, follow_mergers)
    periods = window([req["opened"], req["filled"]], freq, start, end)
    if len(periods) == 0:
        return _empty(freq)
    snaps = _snapshot_dates(periods, freq, as_of)
    req_rows, req_cols = _open_on(req, snaps)
    opened = pd.DataFrame(
        {
            "period": periods.to_numpy()[req_cols],
            "unit": req["unit"].to_numpy()[req_rows],
            "role": req["role"].to_numpy()[req_rows],
            "num": req["fte"].to_numpy()[req_rows],
            "person": np.nan,
        }
    )
    rows, cols = _employed_on(emp, snaps) if not emp.empty else (np.array([], int), np.array([], int))
    staff = emp.iloc[rows]
    filled = pd.DataFrame(
        {
            "period": periods.to_numpy()[cols],
            "unit": staff["unit"].to_numpy(),
            "role": staff["role"].to_numpy(),
            "den": staff["fte"].fillna(0.0).to_numpy(),
            "person": staff["employee_id"].to_numpy(),
        }
    )
    den = pd.concat([filled, opened.rename(columns={"num": "den"})], ignore_index=True)
    return _cube(opened, den, periods, freq, scale=100.0, grid=_open_units(units, periods, freq, follow_mergers))


def time_to_fill(
    requisitions: pd.DataFrame,
    freq: str = "M",
    *,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Median time to fill (days) of requisitions filled in each period: ``filled - opened``.

    Source: NSI report ("time to recruit": days from requisition approval to offer acceptance). A
    requisition still open (no ``filled`` date) or cancelled is excluded; it counts in
    :func:`vacancy_rate` and in :func:`open_requisitions` instead. ``value`` = median days,
    ``denominator`` = requisitions filled, ``numerator`` = NaN, ``people`` = requisitions filled.
    """
    freq = check_freq(freq)
    req = _map_units(_requisitions(requisitions), units, follow_mergers)
    done = req.loc[req["filled"].notna() & (req["status"] != "cancelled").fillna(True).to_numpy()].copy()
    periods = window([done["filled"]], freq, start, end)
    if done.empty or len(periods) == 0:
        return _empty(freq)
    done["period"] = period_start(done["filled"], freq)
    done["days"] = (done["filled"] - done["opened"]).dt.days.astype("float64")
    done = done.loc[done["period"].isin(set(periods))]
    pieces = []
    for level in _LEVELS:
        keys = ["period", *level]
        agg = done.groupby(keys, dropna=True, observed=True)["days"].agg(["median", "count"]).reset_index()
        for missing in ("unit", "role"):
            if missing not in level:
                agg[missing] = TOTAL
        pieces.append(agg)
    out = pd.concat(pieces, ignore_index=True).rename(columns={"median": "value", "count": "denominator"})
    out["numerator"] = np.nan
    out["people"] = out["denominator"].astype("int64")
    return _finish(out, freq)


# --------------------------------------------------------------------------------------------------------------
# Hours: overtime, agency, HPPD, absence
# --------------------------------------------------------------------------------------------------------------


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
        work = _attach_employee(shifts, employees)
        status = _text(work, "status").fillna("worked")
        work = work.loc[(status == "worked").to_numpy()].copy()
        work["start"] = _dates(work, "start")
        work["end"] = _dates(work, "end")
        hours = _numbers(work, "hours")
        missing = hours.isna()
        if missing.any():
            hours.loc[missing] = duration_hours(work.loc[missing, "start"], work.loc[missing, "end"], tz).to_numpy()
        work["hours"] = hours
        work["overtime_hours"] = _numbers(work, "overtime_hours").fillna(0.0)
        agency = work["agency"].astype("boolean") if "agency" in work else pd.Series(pd.NA, index=work.index)
        agency = agency.astype("boolean")
        if employees is not None and "employment_type" in employees and agency.isna().any():
            kinds = employees.assign(employee_id=_text(employees, "employee_id")).drop_duplicates("employee_id")
            kind = work["person"].map(kinds.set_index("employee_id")["employment_type"].astype("string"))
            agency = agency.fillna(kind.isin(list(CONTRACT_TYPES)).astype("boolean"))
        work["agency_hours"] = work["hours"].where(agency.fillna(False).to_numpy(), 0.0)
        work = split_at_period_boundaries(work, freq, ("hours", "overtime_hours", "agency_hours"), tz)
        columns = ["period", "unit", "role", "person", "hours", "overtime_hours", "agency_hours", "continued"]
        return work[columns].reset_index(drop=True)
    if staffed_hours is not None and not staffed_hours.empty:
        sh = staffed_hours
        hours = _numbers(sh, "hours").fillna(0.0)
        contract = (_text(sh, "employment") == "contract").fillna(False).to_numpy()
        return pd.DataFrame(
            {
                "period": period_start(_dates(sh, "date"), freq).to_numpy(),
                "unit": _text(sh, "unit").to_numpy(),
                "role": _text(sh, "role").to_numpy(),
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


def _hours_share(hours: pd.DataFrame, column: str, freq, units, follow_mergers, start, end) -> pd.DataFrame:
    hours = _map_units(hours, units, follow_mergers)
    periods = window([_started(hours)], freq, start, end)
    if hours.empty or len(periods) == 0:
        return _empty(freq)
    num = hours.rename(columns={column: "num"})[["period", "unit", "role", "num", "person"]]
    den = hours.rename(columns={"hours": "den"})[["period", "unit", "role", "den", "person"]]
    return _cube(num, den, periods, freq, scale=100.0, grid=_open_units(units, periods, freq, follow_mergers))


def overtime_share(
    shifts: pd.DataFrame,
    freq: str = "M",
    *,
    employees: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
    tz: str | None = None,
    hours: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Overtime share (%): overtime hours / worked hours × 100, from timecards (worked shifts).

    Hours of a shift crossing a period boundary are split at local midnight. ``numerator`` = overtime
    hours, ``denominator`` = worked hours. Source of the definition: NSI report / NDNQI (overtime as a
    share of worked hours). ``hours`` may pass a :func:`worked_hours` frame (same ``freq``) computed once
    for several KPIs, as :func:`agency_share` and :func:`hppd` accept too.
    """
    freq = check_freq(freq)
    if hours is None:
        hours = worked_hours(freq, shifts=shifts, employees=employees, tz=tz)
    return _hours_share(hours, "overtime_hours", freq, units, follow_mergers, start, end)


def agency_share(
    shifts: pd.DataFrame | None = None,
    freq: str = "M",
    *,
    employees: pd.DataFrame | None = None,
    staffed_hours: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
    tz: str | None = None,
    hours: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Agency/travel share (%): agency and travel hours / all worked hours × 100.

    From timecards, or from ``staffed_hours`` (contract ÷ employee + contract hours, as in the CMS
    Payroll-Based Journal). ``numerator`` = agency hours, ``denominator`` = worked hours.
    """
    freq = check_freq(freq)
    if hours is None:
        hours = worked_hours(freq, shifts=shifts, employees=employees, staffed_hours=staffed_hours, tz=tz)
    return _hours_share(hours, "agency_hours", freq, units, follow_mergers, start, end)


def patient_days(census: pd.DataFrame, freq: str = "M") -> pd.DataFrame:
    """Patient days per period and unit from the census.

    Daily rows are a midnight census (each patient counted = one patient day); hourly rows give patient
    hours, so patient days = sum of hourly census / 24 (a 23- or 25-hour DST day is right automatically).
    The row interval of each unit is the median gap between its timestamps (capped at 24 h); a unit
    with a single row counts as daily. Returns columns period, unit (string), patient_days (float64).
    """
    freq = check_freq(freq)
    cen = pd.DataFrame(
        {"unit": _text(census, "unit"), "timestamp": _dates(census, "timestamp"), "census": _numbers(census, "census")}
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


def hppd(
    census: pd.DataFrame,
    freq: str = "M",
    *,
    shifts: pd.DataFrame | None = None,
    staffed_hours: pd.DataFrame | None = None,
    employees: pd.DataFrame | None = None,
    nursing_roles: Sequence[str] = NURSING_ROLES,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
    tz: str | None = None,
    hours: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Nursing hours per patient day (HPPD): worked nursing hours / patient days.

    Source: NDNQI / CMS Payroll-Based Journal staffing measure (nursing hours ÷ resident or patient days).
    Nursing hours are worked hours of ``nursing_roles`` (RN, LPN, CNA) from timecards or
    ``staffed_hours``; patient days come from :func:`patient_days`. Role rows give each role's HPPD over
    the unit's patient days (RN HPPD); ``role == "All"`` sums the nursing roles. A unit without census has
    NaN. ``numerator`` = nursing hours, ``denominator`` = patient days. Value in hours per patient day.
    """
    freq = check_freq(freq)
    if hours is None:
        hours = worked_hours(freq, shifts=shifts, employees=employees, staffed_hours=staffed_hours, tz=tz)
    hours = _map_units(
        hours.loc[hours["role"].isin(list(nursing_roles)).fillna(False).to_numpy()], units, follow_mergers
    )
    days = _map_units(patient_days(census, freq), units, follow_mergers)
    periods = window([_started(hours), days["period"]], freq, start, end)
    if len(periods) == 0:
        return _empty(freq)
    num = hours.rename(columns={"hours": "num"})[["period", "unit", "role", "num", "person"]]
    den = days.rename(columns={"patient_days": "den"}).assign(role=pd.NA)
    return _cube(num, den, periods, freq, den_by_role=False, grid=_open_units(units, periods, freq, follow_mergers))


def absence_rate(
    absences: pd.DataFrame,
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    absence_types: Sequence[str] | None = None,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Absence rate (%): absence hours / scheduled (contracted) hours × 100.

    Scheduled hours = contracted FTE × 40 h/week × days employed in the period / 7, as in the NHS
    Digital sickness-absence rate (FTE days lost ÷ FTE days available). ``absence_types=("sick",)``
    gives the sickness-absence rate; default counts all types. Absences of people outside
    ``employment_types`` or with no FTE are ignored. ``numerator`` = absence hours, ``denominator`` =
    contracted hours. Absences are sensitive: call through ``DataAccess.aggregate``.
    """
    freq = check_freq(freq)
    emp = _map_units(_employees(employees, employment_types), units, follow_mergers)
    emp = emp.loc[emp["fte"].notna() & (emp["fte"] > 0)].reset_index(drop=True)
    absent = absences.copy()
    if absence_types is not None:
        absent = absent.loc[_text(absent, "absence_type").isin(list(absence_types)).to_numpy()]
    absent = _attach_employee(absent.drop(columns=["unit", "role"], errors="ignore"), emp)
    absent = absent.loc[absent["person"].isin(set(emp["employee_id"])).to_numpy()]
    absent["period"] = period_start(_dates(absent, "date"), freq)
    periods = window([absent["period"]], freq, start, end)
    if emp.empty or len(periods) == 0:
        return _empty(freq)
    overlap = _employment_overlap(emp, periods, freq)
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
    num = absent.assign(num=_numbers(absent, "hours").fillna(0.0))[["period", "unit", "role", "num", "person"]]
    return _cube(num, den, periods, freq, scale=100.0, grid=_open_units(units, periods, freq, follow_mergers))


# --------------------------------------------------------------------------------------------------------------
# Training and rollout readiness
# --------------------------------------------------------------------------------------------------------------


def rollout_courses(tech_rollouts: pd.DataFrame) -> list[str]:
    """All course names listed in ``tech_rollouts.required_courses`` (``;``-separated), sorted."""
    courses: set[str] = set()
    for cell in _text(tech_rollouts, "required_courses").dropna():
        courses.update(c.strip() for c in str(cell).split(";") if c.strip())
    return sorted(courses)


def training_compliance(
    training: pd.DataFrame,
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    categories: Sequence[str] | None = None,
    courses: Sequence[str] | None = None,
    as_of: object = None,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Training compliance (%): assignments completed by their due date / assignments due × 100.

    An assignment counts in the period of its ``due_date`` once that date has passed by ``as_of`` (default:
    the latest completion date in the data — an assignment not yet due cannot be late; assignments without a
    due date are not measured); it is compliant when ``completion_date ≤ due_date``. ``categories`` (e.g.
    ``("EMR", "HIS", "telemedicine")``) or ``courses`` (e.g. :func:`rollout_courses`) narrow it to required
    tech-rollout courses. This is the usual learning-system "completed on time" measure. ``numerator`` =
    on-time completions, ``denominator`` = assignments due.
    """
    freq = check_freq(freq)
    rows = training.copy()
    if categories is not None:
        rows = rows.loc[_text(rows, "category").isin(list(categories)).to_numpy()]
    if courses is not None:
        rows = rows.loc[_text(rows, "course").isin(list(courses)).to_numpy()]
    emp = _map_units(_employees(employees, None), units, follow_mergers)
    rows = _attach_employee(rows.drop(columns=["unit", "role"], errors="ignore"), emp)
    due = _dates(rows, "due_date")
    done = _dates(rows, "completion_date")
    cutoff = pd.Timestamp(as_of) if as_of is not None else done.max()
    measurable = due.notna() & ((due <= cutoff) if pd.notna(cutoff) else True)
    rows = rows.assign(period=period_start(due, freq), den=1.0, num=(done.notna() & (done <= due)).astype(float))
    rows = rows.loc[measurable.to_numpy()]
    periods = window([rows["period"]], freq, start, end)
    if rows.empty or len(periods) == 0:
        return _empty(freq)
    return _cube(rows, rows, periods, freq, scale=100.0, grid=_open_units(units, periods, freq, follow_mergers))


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
    units: pd.DataFrame | None,
    follow_mergers: bool,
) -> pd.DataFrame:
    """One row per rollout and staff member of its unit on go-live, with ``ready`` and ``missing_courses``."""
    emp = _map_units(_employees(employees, None), units, follow_mergers)
    emp["unit"] = emp["unit"].astype("string")
    roll = _map_units(tech_rollouts.assign(unit=_text(tech_rollouts, "unit")), units, follow_mergers).copy()
    roll["unit"] = roll["unit"].astype("string")
    roll["go_live"] = _dates(roll, "go_live")
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
            "employee_id": _text(training, "employee_id"),
            "course": _text(training, "course").str.strip(),
            "completed": _dates(training, "completion_date"),
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


def rollout_readiness(
    tech_rollouts: pd.DataFrame,
    training: pd.DataFrame,
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
) -> pd.DataFrame:
    """Rollout readiness (%): staff of the unit who completed every required course by go-live / staff.

    For each go-live (``tech_rollouts`` row: system, unit, go_live, required_courses), the staff are the
    unit's employees (any employment type) employed on the go-live day; a person is ready when each
    required course has a ``completion_date`` on or before go-live (for a future go-live: completed so
    far). A rollout with no required course counts everyone as ready. Returns :data:`KPI_COLUMNS` plus
    ``system`` and ``go_live``; ``period`` is the go-live's period; rows per unit/role of that rollout and
    its totals (``unit == "All"`` equals the rollout's unit). ``prior_value`` and ``change`` are NaN (each
    go-live stands alone).
    """
    freq = check_freq(freq)
    staff = _rollout_staff(tech_rollouts, training, employees, units, follow_mergers)
    if staff.empty:
        return _empty(freq).assign(system=pd.Series(dtype="string"), go_live=pd.Series(dtype="datetime64[ns]"))
    staff["period"] = period_start(staff["go_live"], freq)
    staff["ready"] = staff["ready"].astype(float)
    pieces = []
    for level in _LEVELS:
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


def readiness_gaps(
    tech_rollouts: pd.DataFrame,
    training: pd.DataFrame,
    employees: pd.DataFrame,
    *,
    as_of: object = None,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
) -> pd.DataFrame:
    """Who is not ready for which go-live: one row per person and rollout with missing courses.

    Columns: system, rollout_type, unit, go_live (datetime64[ns]), employee_id, first_name, last_name,
    role, missing_courses (``;``-joined course names), days_to_go_live (float64; negative when past,
    measured from ``as_of``, default the latest go-live). Personal data: pages show names only to roles
    allowed to see that unit's employees.
    """
    staff = _rollout_staff(tech_rollouts, training, employees, units, follow_mergers)
    gaps = staff.loc[~staff["ready"].astype(bool)].drop(columns=["ready"]).copy()
    day = pd.Timestamp(as_of) if as_of is not None else staff["go_live"].max()
    gaps["days_to_go_live"] = (gaps["go_live"] - day).dt.days.astype("float64")
    return gaps.sort_values(["go_live", "system", "unit", "last_name"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------------
# Surveys and outcomes
# --------------------------------------------------------------------------------------------------------------


def _pulse(pulse_surveys: pd.DataFrame, employees: pd.DataFrame | None, units, follow_mergers) -> pd.DataFrame:
    rows = _attach_employee(pulse_surveys, employees, id_column="respondent_id")
    rows["date"] = _dates(rows, "date")
    return _map_units(rows, units, follow_mergers)


def enps(
    pulse_surveys: pd.DataFrame,
    freq: str = "M",
    *,
    employees: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Employee Net Promoter Score: % promoters (9-10) − % detractors (0-6), from −100 to +100.

    Source: Bain & Company, Net Promoter System (eNPS). One answer per respondent and survey date (the
    first non-empty ``enps`` of that respondent's rows that day). The respondent's role comes from the
    employees table when ``respondent_id`` is an employee id; anonymous answers count in the "All" rows
    only. ``numerator`` = promoters − detractors, ``denominator`` = respondents. Sensitive: aggregate
    through ``DataAccess.aggregate`` (groups under 5 people are suppressed).
    """
    freq = check_freq(freq)
    rows = _pulse(pulse_surveys, employees, units, follow_mergers)
    rows["enps"] = _numbers(rows, "enps")
    rows = rows.dropna(subset=["enps"]).drop_duplicates(["person", "date"])
    rows["period"] = period_start(rows["date"], freq)
    periods = window([rows["period"]], freq, start, end)
    if rows.empty or len(periods) == 0:
        return _empty(freq)
    rows["num"] = (rows["enps"] >= 9).astype(float) - (rows["enps"] <= 6).astype(float)
    rows["den"] = 1.0
    return _cube(rows, rows, periods, freq, scale=100.0)


def pulse_average(
    pulse_surveys: pd.DataFrame,
    freq: str = "M",
    *,
    dimension: str | None = None,
    employees: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Pulse-survey average: mean Likert ``score`` (1 worst - 5 best) of the answers in the period.

    ``dimension`` (e.g. ``"workload"``) limits it to one question theme; default all dimensions pooled.
    ``numerator`` = sum of scores, ``denominator`` = answers. Sensitive (see :func:`enps`).
    """
    freq = check_freq(freq)
    rows = _pulse(pulse_surveys, employees, units, follow_mergers)
    if dimension is not None:
        rows = rows.loc[(_text(rows, "dimension") == dimension).fillna(False).to_numpy()]
    rows["num"] = _numbers(rows, "score")
    rows = rows.dropna(subset=["num"])
    rows["period"] = period_start(rows["date"], freq)
    rows["den"] = 1.0
    periods = window([rows["period"]], freq, start, end)
    if rows.empty or len(periods) == 0:
        return _empty(freq)
    return _cube(rows, rows, periods, freq)


def patient_experience_score(
    patient_experience: pd.DataFrame,
    freq: str = "M",
    *,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Patient-experience top-box score (%): response-weighted mean of monthly unit scores.

    value = Σ(score × responses) / Σ responses (HCAHPS top-box scores are percentages of respondents; a
    month without ``responses`` weighs 1). Role is not meaningful: only ``role == "All"`` rows.
    ``people`` = survey responses behind the row.
    """
    freq = check_freq(freq)
    px = pd.DataFrame(
        {
            "unit": _text(patient_experience, "unit"),
            "month": _dates(patient_experience, "month"),
            "score": _numbers(patient_experience, "score"),
            "den": _numbers(patient_experience, "responses").fillna(1.0),
        }
    ).dropna(subset=["score", "month"])
    px = _map_units(px, units, follow_mergers)
    px["period"] = period_start(px["month"], freq)
    px["num"] = px["score"] * px["den"]
    px["role"] = pd.NA
    px["person"] = pd.NA
    periods = window([px["period"]], freq, start, end)
    if px.empty or len(periods) == 0:
        return _empty(freq)
    out = _cube(px, px, periods, freq, people_weight="den")
    return out.loc[out["role"] == TOTAL].reset_index(drop=True)


def readiness_gap_counts(
    tech_rollouts: pd.DataFrame,
    training: pd.DataFrame,
    employees: pd.DataFrame,
    *,
    as_of: object = None,
    units: pd.DataFrame | None = None,
    follow_mergers: bool = False,
) -> pd.DataFrame:
    """How many people are not ready for each go-live, by unit and role — :func:`readiness_gaps` without names.

    Columns: system (string), go_live (datetime64[ns]), days_to_go_live (float64), unit, role (string),
    not_ready (int64, persons), people (int64, = not_ready, for the data layer).
    """
    gaps = readiness_gaps(tech_rollouts, training, employees, as_of=as_of, units=units, follow_mergers=follow_mergers)
    keys = ["system", "go_live", "days_to_go_live", "unit", "role"]
    counts = gaps.groupby(keys, dropna=False).size().rename("not_ready").reset_index()
    counts["not_ready"] = counts["not_ready"].astype("int64")
    counts["people"] = counts["not_ready"]
    return counts.astype({"system": "string", "unit": "string", "role": "string"})
