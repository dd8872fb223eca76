"""Recruiting KPIs: open requisitions, vacancy rate and time to fill, from the ``requisitions`` table."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analytics.kpis.engine import LEVELS, TOTAL, WHOLE_HISTORY, KpiScope, cube, empty_kpi, finish, reads
from analytics.kpis.inputs import (
    date_column,
    employed_on,
    map_units,
    number_column,
    open_units,
    parse_employees,
    snapshot_dates,
    text_column,
)
from analytics.periods import check_freq, period_start, window
from data_loaders.schema import EMPLOYED_TYPES

DEFAULT_REQUISITION_FTE = 1.0
"""FTE assumed for a requisition whose ``fte`` is missing."""


def parse_requisitions(requisitions: pd.DataFrame) -> pd.DataFrame:
    """The ``requisitions`` table with typed columns (ids, unit, role, status as strings; opened and filled as
    datetime64[ns]); a missing ``fte`` counts as :data:`DEFAULT_REQUISITION_FTE`."""
    req = requisitions.copy()
    req["requisition_id"] = text_column(req, "requisition_id")
    req["unit"] = text_column(req, "unit")
    req["role"] = text_column(req, "role")
    req["status"] = text_column(req, "status")
    req["opened"] = date_column(req, "opened")
    req["filled"] = date_column(req, "filled")
    req["fte"] = number_column(req, "fte").fillna(DEFAULT_REQUISITION_FTE)
    return req


@reads("requisitions")
def open_requisitions(requisitions: pd.DataFrame, as_of: object) -> pd.DataFrame:
    """Requisitions open on ``as_of`` with their open age in days.

    Open on day d: ``opened ≤ d``, not yet filled on d (``filled`` empty or after d) and status not
    ``cancelled`` or ``on_hold`` (a paused requisition is not being recruited to). Returns the
    requisitions rows plus ``open_days`` (float64, days from ``opened`` to ``as_of``).
    """
    req = parse_requisitions(requisitions)
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


@reads("requisitions", "employees", "units")
def vacancy_rate(
    requisitions: pd.DataFrame,
    employees: pd.DataFrame,
    freq: str = "M",
    *,
    employment_types: Sequence[str] | None = EMPLOYED_TYPES,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Vacancy rate (%) on the last day of each period (or ``scope.as_of`` if earlier): open FTE / (filled FTE +
    open FTE) × 100.

    Source: NSI report, RN vacancy rate = vacant positions ÷ (filled + vacant positions), in FTE.
    Open FTE = ``fte`` of requisitions open that day (see :func:`open_requisitions`; a missing fte counts
    as 1.0); filled FTE = contracted ``fte`` of employees employed that day. ``numerator`` = open FTE,
    ``denominator`` = filled + open FTE, ``people`` = employees behind the filled FTE. ``scope``
    (:class:`KpiScope`, every field used; each open unit gets a row).
    """
    freq = check_freq(freq)
    scope = scope or WHOLE_HISTORY
    req = map_units(parse_requisitions(requisitions), scope)
    emp = map_units(parse_employees(employees, employment_types), scope)
    periods = window([req["opened"], req["filled"]], freq, scope.start, scope.end)
    if len(periods) == 0:
        return empty_kpi(freq)
    snaps = snapshot_dates(periods, freq, scope.as_of)
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
    rows, cols = employed_on(emp, snaps) if not emp.empty else (np.array([], int), np.array([], int))
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
    return cube(opened, den, periods, freq, scale=100.0, grid=open_units(scope, periods, freq))


@reads("requisitions", "units")
def time_to_fill(
    requisitions: pd.DataFrame,
    freq: str = "M",
    *,
    scope: KpiScope | None = None,
) -> pd.DataFrame:
    """Median time to fill (days) of requisitions filled in each period: ``filled - opened``.

    Source: NSI report ("time to recruit": days from requisition approval to offer acceptance). A
    requisition still open (no ``filled`` date) or cancelled is excluded; it counts in
    :func:`vacancy_rate` and in :func:`open_requisitions` instead. ``value`` = median days,
    ``denominator`` = requisitions filled, ``numerator`` = NaN, ``people`` = requisitions filled. ``scope``
    (:class:`KpiScope`; ``as_of`` not used, ``units`` only for mergers).
    """
    freq = check_freq(freq)
    scope = scope or WHOLE_HISTORY
    req = map_units(parse_requisitions(requisitions), scope)
    done = req.loc[req["filled"].notna() & (req["status"] != "cancelled").fillna(True).to_numpy()].copy()
    periods = window([done["filled"]], freq, scope.start, scope.end)
    if done.empty or len(periods) == 0:
        return empty_kpi(freq)
    done["period"] = period_start(done["filled"], freq)
    done["days"] = (done["filled"] - done["opened"]).dt.days.astype("float64")
    done = done.loc[done["period"].isin(set(periods))]
    pieces = []
    for level in LEVELS:
        keys = ["period", *level]
        agg = done.groupby(keys, dropna=True, observed=True)["days"].agg(["median", "count"]).reset_index()
        for missing in ("unit", "role"):
            if missing not in level:
                agg[missing] = TOTAL
        pieces.append(agg)
    out = pd.concat(pieces, ignore_index=True).rename(columns={"median": "value", "count": "denominator"})
    out["numerator"] = np.nan
    out["people"] = out["denominator"].astype("int64")
    return finish(out, freq)
