"""Every view of a KPI as one linked table, so that small-group suppression protects all views together.

A reader of the Executive overview can switch the period granularity (month, quarter, year) and "Follow unit
mergers", and download the board report in each setting. The six views of one KPI are not independent tables: a
quarter is the sum of its months, a year of its quarters, an "All" row of its units or roles, and a merged unit of
its parts. Suppressing each view alone lets a hidden month be read as quarter minus the visible months (issue 11,
finding 2). :func:`linked_views` computes all views at once and says, for every row, which **base cells** (month ×
unit × role of the view without mergers) it adds up, so the data layer can suppress them as one problem
(:func:`access.suppression.suppress_linked_tables`).

Why numerators and denominators: the KPIs suppressed here are ratios (absence rate = absence hours ÷ contracted
hours, eNPS = (promoters − detractors) ÷ respondents, pulse average = Σ scores ÷ answers). A ratio is not additive,
but the board report shows each row's numerator and denominator, and both are sums over people, so differencing
works on them and through them on the value. Protecting the additive structure of the base cells protects numerator,
denominator and value at once (a row is hidden whole). ``people`` (distinct persons) is additive over units and
roles within a period but not over time; protecting the stronger additive structure covers it too.
"""

from __future__ import annotations

import pandas as pd

from analytics import catalogue, kpis
from analytics.periods import MONTHS_PER_PERIOD

VIEWS: tuple[tuple[str, bool], ...] = tuple((freq, follow) for freq in ("M", "Q", "Y") for follow in (False, True))
"""(period granularity, follow unit mergers) of every view a page can show."""

VIEW_COLUMNS = ("freq", "follow_mergers")
"""Columns of :func:`linked_views` telling the views apart."""

COVER_COLUMNS = ("cover_months", "cover_units", "cover_roles")
"""Columns of :func:`linked_views` holding each row's base labels per dimension (tuples)."""

ANSWER_RANGES: dict[str, tuple[float, float]] = {"enps": (-1.0, 1.0), "pulse_average": (1.0, 5.0)}
"""What one survey answer adds to the numerator per unit of denominator: eNPS −1 (detractor) … +1 (promoter),
pulse scores 1-5. A row at either end says every respondent gave that answer (see docs/security.md)."""

DERIVED_COLUMNS = ("prior_value", "change")
"""Columns copied from another row; recomputed from published cells by :func:`published_prior_and_change`."""


def linked_views(names: list[str], tables: catalogue.Tables) -> pd.DataFrame:
    """The KPIs ``names`` in every view of :data:`VIEWS`, stacked, with ``freq``, ``follow_mergers`` and covers.

    Returns the columns of :func:`analytics.catalogue.compute_many` plus ``freq`` (str), ``follow_mergers`` (bool)
    and :data:`COVER_COLUMNS`: ``cover_months`` the month starts of the row's period, ``cover_units`` the units of
    the view without mergers that the row adds up (every unit for "All", the parts and the successor for a merged
    unit), ``cover_roles`` its role (every role for "All"). Raises ``KeyError`` for an unknown KPI.
    """
    parts = [
        catalogue.compute_many(names, tables, freq, follow).assign(freq=freq, follow_mergers=follow)
        for freq, follow in VIEWS
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=["kpi", *kpis.KPI_COLUMNS, "freq", "follow_mergers", *COVER_COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    successors = kpis.unit_successors(tables.get("units"))
    plain = out.loc[~out["follow_mergers"]]
    all_units = tuple(sorted(set(plain["unit"].dropna()) - {kpis.TOTAL} | set(successors)))
    all_roles = tuple(sorted(set(out["role"].dropna()) - {kpis.TOTAL}))
    parts_of: dict[str, set[str]] = {}
    for part, whole in successors.items():
        parts_of.setdefault(whole, set()).add(part)
    months_of = {
        (period, freq): tuple(pd.date_range(period, periods=MONTHS_PER_PERIOD[freq], freq="MS"))
        for period, freq in set(zip(out["period"], out["freq"], strict=True))
    }
    out["cover_months"] = [months_of[(p, f)] for p, f in zip(out["period"], out["freq"], strict=True)]
    out["cover_units"] = [
        all_units if unit == kpis.TOTAL else (unit, *sorted(parts_of.get(unit, ()))) if follow else (unit,)
        for unit, follow in zip(out["unit"], out["follow_mergers"], strict=True)
    ]
    out["cover_roles"] = [all_roles if role == kpis.TOTAL else (role,) for role in out["role"]]
    return out


def published_prior_and_change(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a suppressed :func:`linked_views` table) with ``prior_value`` and ``change`` from published values.

    Hidden rows have NaN values, so a prior or change next to a hidden cell is NaN too
    (:func:`analytics.kpis.add_prior_and_change`). Row order is kept.
    """
    if frame.empty:
        return frame.assign(prior_value=pd.Series(dtype="float64"), change=pd.Series(dtype="float64"))
    parts = []
    for freq, rows in frame.groupby("freq", sort=False):
        parts.append(kpis.add_prior_and_change(rows.reset_index(names="_row"), str(freq)))
    return pd.concat(parts, ignore_index=True).sort_values("_row").drop(columns="_row").reset_index(drop=True)


def select_view(frame: pd.DataFrame, freq: str, follow_mergers: bool) -> pd.DataFrame:
    """The rows of one view of a :func:`linked_views` table, without the ``freq`` and ``follow_mergers`` columns."""
    rows = frame.loc[(frame["freq"] == freq) & (frame["follow_mergers"] == follow_mergers)]
    return rows.drop(columns=["freq", "follow_mergers"]).reset_index(drop=True)
