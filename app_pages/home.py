"""Home: who you are, what you may see, and what data is loaded (counts within your scope)."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from access.data_access import AccessDenied, DataAccess
from access.roles import ROLE_LABELS
from components.caching import scoped_cache
from components.session import current_access
from components.text import md_join
from data_loaders.schema import TABLES

da = current_access()
st.title("Hospital workforce analytics")
st.write(
    f"You are signed in as **{ROLE_LABELS[da.user.role]}**. "
    + {
        "admin": "You manage imports, users and the audit trail, and see every page.",
        "hr_officer": "You see every unit and individual records, including sensitive ones, for retention work.",
        "dept_head": "You see your own units: forecasts, staffing and schedules. Health and survey answers are "
        "shown only as unit aggregates of at least 5 people.",
        "executive": "You see hospital-wide KPIs as aggregates; no individual records.",
    }[da.user.role]
)


@scoped_cache()
def loaded_rows(da: DataAccess) -> pd.DataFrame:
    """Rows per table visible to the user's scope (components.caching: role, units, data version)."""
    rows = []
    for name, spec in TABLES.items():
        try:
            shown = f"{da.row_count(name):,}"
        except AccessDenied:
            shown = "aggregates only"
        rows.append(
            {"table": name, "rows you can see": shown, "what it holds": re.split(r"(?<!e\.g)\.\s", spec.description)[0]}
        )
    return pd.DataFrame(rows)


units = da.visible_units()
st.metric("Units in your scope", len(units))
st.caption(md_join(units) if units else "No units loaded yet.")
st.subheader("Data loaded")
st.dataframe(loaded_rows(da), hide_index=True, width="stretch")
