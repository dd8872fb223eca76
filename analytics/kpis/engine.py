"""The aggregation engine every KPI shares: row-level contributions in, the tidy KPI frame out.

A KPI function turns canonical tables into row-level contributions (a numerator row per event or person, a
denominator row per person-period) and hands them to :func:`cube`, which sums them to the four levels of
:data:`LEVELS` (each unit and role, each unit over all roles, each role over all units, the hospital total),
counts the distinct persons behind each row, divides, and :func:`finish` orders the rows and adds the prior period's
value. The output columns are :data:`KPI_COLUMNS` (described in :mod:`analytics.kpis`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

from analytics.periods import MONTHS_PER_PERIOD, check_freq
from data_loaders.schema import TOTAL

KPI_COLUMNS = ["period", "unit", "role", "value", "numerator", "denominator", "people", "prior_value", "change"]
"""Columns of every KPI frame, in order (meaning and dtypes: :mod:`analytics.kpis`)."""

KpiFunction = TypeVar("KpiFunction", bound=Callable[..., object])


def reads(*tables: str) -> Callable[[KpiFunction], KpiFunction]:
    """Declare the canonical tables (names in ``data_loaders.schema.TABLES``) a KPI function reads.

    The names are stored on the function as ``tables``; :mod:`analytics.catalogue` takes each KPI's tables from
    there (and hands a KPI no other table), so what a KPI reads is declared once, next to the code that reads it.
    ``"units"`` is read through ``scope.units`` (:class:`KpiScope`: unit rows and mergers).
    """

    def declare(function: KpiFunction) -> KpiFunction:
        function.tables = tables  # type: ignore[attr-defined]
        return function

    return declare


@dataclass(frozen=True, eq=False)
class KpiScope:
    """Which periods, which day and which units a KPI covers: the ``scope`` argument of every KPI function.

    - ``start``, ``end`` (anything ``pd.Timestamp`` accepts, or None): the periods reported are those from the one
      containing ``start`` to the one containing ``end``; by default the span of the KPI's own dates (employee KPIs:
      at most :data:`analytics.kpis.inputs.DEFAULT_LOOKBACK_YEARS` back, from the first recorded exit).
    - ``as_of`` (a day, or None): the day the data is read on. Stock KPIs (headcount, FTE, vacancy) measure a
      period that ends later on this day; cohort and due-date KPIs count only cohorts and assignments whose
      year or due date is over by it; readiness gaps count days to go-live from it. None: each KPI's default
      (the period's last day, or the latest date in the data), named in its docstring.
    - ``units`` (the canonical ``units`` table, or None): the unit mergers (``units.merged_into``), and for KPIs
      whose docstring says so, a unit-total row for every unit open during a period even without data.
    - ``follow_mergers`` (bool): map the history of a merged unit into its successor (needs ``units``).

    A KPI that has no use for a field ignores it (its docstring says which fields it uses). ``eq=False``: the
    scope holds a DataFrame, so it compares and hashes by identity.
    """

    start: object = None
    end: object = None
    as_of: object = None
    units: pd.DataFrame | None = None
    follow_mergers: bool = False


WHOLE_HISTORY = KpiScope()
"""The default scope: every period of the data, read on the latest day, no unit table, mergers not followed."""


LEVELS: tuple[tuple[str, ...], ...] = (("unit", "role"), ("unit",), ("role",), ())
"""The dimensions each KPI is given by: unit and role, unit, role, and neither (the hospital total)."""


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


def cube(
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
    for level in LEVELS:
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
    return finish(out, freq)


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


def finish(out: pd.DataFrame, freq: str, extra_columns: Sequence[str] = ()) -> pd.DataFrame:
    """The KPI frame of ``out``: prior_value and change added, dtypes fixed, rows in period order with each period's
    unit and role totals last; columns :data:`KPI_COLUMNS` then ``extra_columns`` (a KPI's own columns, which
    must be in ``out``). Working columns (``num``, ``den``, grid columns) are dropped."""
    out = out.copy()
    out["period"] = pd.to_datetime(out["period"]).astype("datetime64[ns]")
    out["unit"] = out["unit"].astype("string")
    out["role"] = out["role"].astype("string")
    for col in ("value", "numerator", "denominator"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    out = add_prior_and_change(out.drop(columns=["prior_value", "change"], errors="ignore"), freq)
    is_total_unit = (out["unit"] == TOTAL).astype(int)
    is_total_role = (out["role"] == TOTAL).astype(int)
    out = (
        out.assign(_u=is_total_unit, _r=is_total_role)
        .sort_values(["period", "_u", "unit", "_r", "role"])
        .drop(columns=["_u", "_r"])
    )
    return out[[*KPI_COLUMNS, *extra_columns]].reset_index(drop=True)


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


def empty_kpi(freq: str) -> pd.DataFrame:
    """A KPI frame with no rows (the columns and dtypes of :data:`KPI_COLUMNS`)."""
    return finish(
        pd.DataFrame(
            {"period": [], "unit": [], "role": [], "value": [], "numerator": [], "denominator": [], "people": []}
        ).astype({"people": "int64"}),
        freq,
    )
