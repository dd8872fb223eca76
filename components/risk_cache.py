"""Cached retention-risk results for the pages, keyed by who is asking and the data version.

Every cached function takes the user's scope (:func:`cache_scope`) and ``DataAccess.data_version()`` in its key, so
one user's results never serve another and an import invalidates them. Results are kept with ``st.cache_data``
(copies, not shared objects). The computation is ``retention``'s; the access rules are
:mod:`components.risk_views`'.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access.data_access import DataAccess
from components.risk_views import (
    risk_data_end,
    risk_tables,
    suppress_unit_views,
    unit_burnout_summary,
    unit_burnout_trend,
)
from retention.service import RetentionView, RiskHistory, retention_view, risk_history


def cache_scope(da: DataAccess) -> tuple:
    """Who is asking, as a small hashable cache key: (username, role, units)."""
    return (da.user.username, da.user.role, tuple(sorted(da.user.units or ())))


@st.cache_data(show_spinner=False, ttl=3600)
def data_end(_da: DataAccess, scope: tuple, version: str) -> pd.Timestamp | None:
    """Last day of timecard data the user's scope holds (None when there is none), cached per scope and version."""
    try:
        return risk_data_end(_da)
    except ValueError:
        return None


@st.cache_data(
    show_spinner="Reading the risk tables, building monthly risk features and fitting the attrition model "
    "(about a minute the first time after an import)…",
    ttl=3600,
    max_entries=2,
)
def risk_inputs(_da: DataAccess, scope: tuple, version: str) -> tuple[dict[str, pd.DataFrame], RiskHistory]:
    """The user's risk tables and their :func:`retention.service.risk_history`; HR officers and admins only
    (:class:`access.data_access.AccessDenied` otherwise)."""
    frames = risk_tables(_da)
    return frames, risk_history(frames)


@st.cache_data(show_spinner="Scoring staff as of the chosen date…", ttl=3600, max_entries=16)
def retention_view_for(_da: DataAccess, scope: tuple, version: str, as_of: pd.Timestamp) -> RetentionView:
    """:func:`retention.service.retention_view` as of ``as_of`` with its unit tables suppressed below 5 people."""
    frames, history = risk_inputs(_da, scope, version)
    return suppress_unit_views(retention_view(frames, as_of, history=history))


@st.cache_data(show_spinner=False, ttl=3600)
def unit_summary_for(_da: DataAccess, scope: tuple, version: str, as_of: pd.Timestamp) -> pd.DataFrame:
    """:func:`components.risk_views.unit_burnout_summary` for any role, cached per scope, version and date."""
    return unit_burnout_summary(_da, as_of)


@st.cache_data(show_spinner=False, ttl=3600)
def unit_trend_for(_da: DataAccess, scope: tuple, version: str, months: tuple[pd.Timestamp, ...]) -> pd.DataFrame:
    """:func:`components.risk_views.unit_burnout_trend` for any role, cached per scope, version and months."""
    return unit_burnout_trend(_da, months)
