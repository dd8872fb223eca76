"""Cache keys and cached lookups shared by the retention-risk pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access.data_access import DataAccess
from components.risk_views import risk_data_end


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
