"""Burnout and attrition risk through the data-access layer: individual views for HR, unit aggregates for all.

Individual burnout and exit risk is derived from sensitive data (sick absence, survey answers, wearable sleep),
so the watch list and every per-person score are for roles that may read all of :data:`RISK_TABLES` row by row
(HR officers and administrators); anyone else gets :class:`access.data_access.AccessDenied`. Department heads
and executives see unit aggregates computed inside :meth:`DataAccess.aggregate`, which suppresses groups of
fewer than 5 people (with complementary suppression) because the inputs include sensitive tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from access.data_access import AccessDenied, DataAccess
from access.suppression import suppress_small_groups
from retention.attrition import data_end_of
from retention.burnout import DRIVER_COLUMNS, burnout_index, top_drivers, unit_driver_table
from retention.features import compute_risk_features, feature_panel

RISK_TABLES = (
    "units",
    "employees",
    "shifts",
    "absences",
    "pulse_surveys",
    "training",
    "tech_rollouts",
    "wellbeing",
    "census",
)
"""Canonical tables the risk features read."""

ALL_UNITS = "All"
"""Label of the hospital-wide total row in unit aggregates."""


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
    """Row-level risk tables for an HR officer or administrator (within their unit scope).

    Returns ``{table: DataFrame}`` for :data:`RISK_TABLES` with canonical columns. Raises
    :class:`AccessDenied` for other roles.
    """
    require_individual_risk(da)
    return {name: da.table(name) for name in RISK_TABLES}


def individual_burnout(tables: Mapping[str, pd.DataFrame], as_of: object) -> pd.DataFrame:
    """Per-person risk features, burnout index and plain-words drivers as of a date (pure; HR data only).

    Returns :func:`retention.features.compute_risk_features` columns plus the
    :func:`retention.burnout.burnout_index` columns and ``burnout_drivers`` (string), indexed by employee_id.
    """
    features = compute_risk_features(tables, as_of)
    scored = burnout_index(features)
    out = features.join(scored)
    out["burnout_drivers"] = top_drivers(scored)
    return out


def unit_summary_table(features: pd.DataFrame) -> pd.DataFrame:
    """Unit aggregate of a risk-feature frame, before suppression (pure).

    Returns columns ``unit``, ``people`` (active employees), ``burnout_index`` (mean 0-100) and the mean
    ``driver_*`` points, one row per unit plus an ``All`` row.
    """
    scored = burnout_index(features)
    per_unit = unit_driver_table(scored, features["unit"]).reset_index()
    total = scored[["burnout_index", *DRIVER_COLUMNS]].mean().to_frame().T
    total.insert(0, "people", len(scored))
    total.insert(0, "unit", ALL_UNITS)
    out = pd.concat([per_unit, total], ignore_index=True) if len(scored) else per_unit
    out["unit"] = out["unit"].astype("string")
    out["people"] = out["people"].astype(int)
    return out


def suppressed_unit_summary(features: pd.DataFrame) -> pd.DataFrame:
    """:func:`unit_summary_table` with small-group suppression, as :meth:`DataAccess.aggregate` applies it."""
    return suppress_small_groups(unit_summary_table(features), ["burnout_index", *DRIVER_COLUMNS], ("unit",))


def unit_burnout_summary(da: DataAccess, as_of: object, units: Iterable[str] | None = None) -> pd.DataFrame:
    """Mean burnout index and mean driver points per unit, plus an ``All`` row, for any role.

    Returns columns ``unit`` (string), ``people`` (Int64, active employees; blank when suppressed),
    ``burnout_index`` (mean, 0-100), the ``driver_*`` columns (mean points; they sum to the unit's index) and
    ``suppressed`` (bool). Units of fewer than 5 people are suppressed, with complementary suppression.
    """
    value_columns = ["burnout_index", *DRIVER_COLUMNS]
    return da.aggregate(
        lambda frames: unit_summary_table(compute_risk_features(frames, as_of)),
        RISK_TABLES,
        value_columns,
        units=units,
        dimensions=("unit",),
    )


def unit_trend_table(panel: pd.DataFrame) -> pd.DataFrame:
    """Mean burnout index per unit and as-of date of a feature panel, plus ``All`` per date (pure, unsuppressed).

    ``panel``: :func:`retention.features.feature_panel` output. Returns columns ``unit``, ``period``
    (datetime64), ``people`` and ``burnout_index``.
    """
    if panel.empty:
        return pd.DataFrame(columns=["unit", "period", "people", "burnout_index"])
    scored = burnout_index(panel)
    frame = pd.DataFrame(
        {
            "unit": panel["unit"].astype("string").fillna("(no unit)"),
            "period": pd.to_datetime(panel["as_of"]),
            "burnout_index": scored["burnout_index"],
        }
    )
    stats = {"people": ("burnout_index", "size"), "burnout_index": ("burnout_index", "mean")}
    per_unit = frame.groupby(["unit", "period"]).agg(**stats).reset_index()
    total = frame.groupby("period").agg(**stats).reset_index().assign(unit=ALL_UNITS)
    out = pd.concat([per_unit, total[per_unit.columns]], ignore_index=True)
    out["unit"] = out["unit"].astype("string")
    return out


def suppressed_unit_trend(panel: pd.DataFrame) -> pd.DataFrame:
    """:func:`unit_trend_table` with small-group suppression across units and months."""
    return suppress_small_groups(unit_trend_table(panel), ["burnout_index"], ("unit", "period"))


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
