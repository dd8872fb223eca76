"""Retention risk through the data-access layer: individual views for HR, suppressed unit aggregates for all.

Where access rules meet the risk computation (``retention``): ``access`` hands DataFrames over, ``retention``
computes, and this module decides who gets what. Individual burnout and exit risk is derived from sensitive data
(sick absence, survey answers, wearable sleep), so the watch list and every per-person score are for roles that may
read all of :data:`retention.features.RISK_TABLES` row by row (HR officers and administrators); anyone else gets
:class:`access.data_access.AccessDenied`. Department heads and executives see unit aggregates computed inside
:meth:`DataAccess.aggregate`, which suppresses groups of fewer than 5 people (with complementary suppression)
because the inputs include sensitive tables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from access.data_access import AccessDenied, DataAccess
from access.suppression import suppress_small_groups
from retention.attrition.dataset import data_end_of
from retention.burnout import DRIVER_COLUMNS
from retention.features import RISK_TABLES, compute_risk_features, feature_panel
from retention.service import RetentionView
from retention.unit_burnout import unit_summary_table, unit_trend_table


def may_see_individual_risk(da: DataAccess) -> bool:
    """Whether ``da``'s user may see per-person burnout and exit risk (row-level access to every risk table)."""
    return all(da.can_see_individuals(name) for name in RISK_TABLES)


def require_individual_risk(da: DataAccess) -> None:
    """Raise :class:`AccessDenied` unless ``da``'s user may see per-person risk."""
    if not may_see_individual_risk(da):
        raise AccessDenied(
            f"The {da.user.role} role may not see individual burnout or attrition risk: it is derived from sick "
            "absence, survey answers and wellbeing data. Unit aggregates of at least 5 people are shown instead."
        )


def risk_tables(da: DataAccess) -> dict[str, pd.DataFrame]:
    """Row-level risk tables for an HR officer or administrator (within their unit scope), each read audited.

    Returns ``{table: DataFrame}`` for :data:`RISK_TABLES` with canonical columns. Raises
    :class:`AccessDenied` for other roles.
    """
    require_individual_risk(da)
    return {name: da.table(name) for name in RISK_TABLES}


def suppress_unit_views(view: RetentionView) -> RetentionView:
    """``view`` with its unit summary and trend suppressed below 5 people, as :meth:`DataAccess.aggregate` does
    (complementary suppression across units, and across units and months for the trend)."""
    return dataclasses.replace(
        view,
        unit_summary=suppress_small_groups(view.unit_summary, ["burnout_index", *DRIVER_COLUMNS], ("unit",)),
        unit_trend=suppress_small_groups(view.unit_trend, ["burnout_index"], ("unit", "period")),
    )


def unit_burnout_summary(da: DataAccess, as_of: object, units: Iterable[str] | None = None) -> pd.DataFrame:
    """Mean burnout index and mean driver points per unit, plus an ``All`` row, for any role.

    Returns columns ``unit`` (string), ``people`` (Int64, active employees; blank when suppressed),
    ``burnout_index`` (mean, 0-100), the ``driver_*`` columns (mean points; they sum to the unit's index) and
    ``suppressed`` (bool). Units of fewer than 5 people are suppressed, with complementary suppression.
    """
    return da.aggregate(
        lambda frames: unit_summary_table(compute_risk_features(frames, as_of)),
        RISK_TABLES,
        ["burnout_index", *DRIVER_COLUMNS],
        units=units,
        dimensions=("unit",),
    )


def unit_burnout_trend(da: DataAccess, months: Sequence[object], units: Iterable[str] | None = None) -> pd.DataFrame:
    """Mean burnout index per unit and month (as of each month's first day), plus ``All``, for any role.

    ``months``: as-of dates (e.g. first days of the last 12 months). Returns columns ``unit``, ``period``
    (datetime64), ``people`` (Int64), ``burnout_index`` (mean 0-100) and ``suppressed``; groups of fewer than
    5 people are suppressed with complementary suppression across units and months.
    """
    as_of = [pd.Timestamp(m) for m in months]
    return da.aggregate(
        lambda frames: unit_trend_table(feature_panel(frames, as_of)),
        RISK_TABLES,
        ["burnout_index"],
        units=units,
        dimensions=("unit", "period"),
    )


def _data_end_frame(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.DataFrame({"people": [len(frames["employees"])], "data_end": [data_end_of(frames)]})


def risk_data_end(da: DataAccess) -> pd.Timestamp:
    """Last date the risk data covers (latest shift end, hire or termination), for any role.

    Raises ``ValueError`` when no employees or shifts are loaded.
    """
    result = da.aggregate(_data_end_frame, ("employees", "shifts"), [], dimensions=())
    return pd.Timestamp(result["data_end"].iloc[0])
