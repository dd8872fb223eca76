"""The retention pages' cached computations, under the one caching policy (:mod:`components.caching`).

Each function is :func:`components.caching.scoped_cache`: keyed on the user's access scope (role and units), the
store's data version and its arguments, so an import invalidates it and a department head of one unit never
receives another unit's result; every call records the reads behind the result for the user asking, whether the
cache served it or not. The computation is ``retention``'s; the access rules are :mod:`components.risk_views`'.
"""

from __future__ import annotations

import pandas as pd

from access.data_access import DataAccess
from components.caching import scoped_cache
from components.risk_views import (
    risk_data_end,
    risk_tables,
    suppress_unit_views,
    unit_burnout_summary,
    unit_burnout_trend,
)
from retention.service import RetentionView, RiskHistory, retention_view, risk_history


@scoped_cache()
def data_end(da: DataAccess) -> pd.Timestamp | None:
    """Last day of timecard data the user's scope holds (None when there is none)."""
    try:
        return risk_data_end(da)
    except ValueError:
        return None


@scoped_cache(
    show_spinner="Reading the risk tables, building monthly risk features and fitting the attrition model "
    "(about a minute the first time after an import)…"
)
def risk_inputs(da: DataAccess) -> tuple[dict[str, pd.DataFrame], RiskHistory]:
    """The user's risk tables and their :func:`retention.service.risk_history`; HR officers and admins only
    (:class:`access.data_access.AccessDenied` otherwise)."""
    frames = risk_tables(da)
    return frames, risk_history(frames)


@scoped_cache(show_spinner="Scoring staff as of the chosen date…")
def retention_view_for(da: DataAccess, as_of: pd.Timestamp) -> RetentionView:
    """:func:`retention.service.retention_view` as of ``as_of`` (a day) with its unit tables suppressed below 5
    people."""
    frames, history = risk_inputs(da)
    return suppress_unit_views(retention_view(frames, as_of, history=history))


@scoped_cache()
def unit_summary_for(da: DataAccess, as_of: pd.Timestamp) -> pd.DataFrame:
    """:func:`components.risk_views.unit_burnout_summary` for any role as of ``as_of``."""
    return unit_burnout_summary(da, as_of)


@scoped_cache()
def unit_trend_for(da: DataAccess, months: tuple[pd.Timestamp, ...]) -> pd.DataFrame:
    """:func:`components.risk_views.unit_burnout_trend` for any role over ``months`` (month starts)."""
    return unit_burnout_trend(da, months)
