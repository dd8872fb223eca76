"""Audit trail (administrators): search who did what and when, and export the result as CSV.

The trail is append-only: this page (like the rest of the app) can only read it. Searching is itself audited as a
page view with its filters, and every download as an export.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from access.audit import ACTIONS
from components.downloads import audited_download
from components.session import current_admin, record_filters

MAX_ROWS = 5000

admin = current_admin()
st.title("Audit trail")
st.caption(
    "Sign-ins, failed sign-ins, page views with their filters, data reads, exports, imports, rollbacks and user "
    "changes, newest first. Times are UTC. Entries cannot be changed or deleted from the app."
)

left, middle, right = st.columns(3)
with left:
    username = st.text_input("User (exact username)", key="audit_user").strip()
    action = st.selectbox("Action", ["(any)", *ACTIONS], key="audit_action")
with middle:
    today = datetime.now(UTC).date()
    period = st.date_input(
        "Between (UTC dates)", value=(today - timedelta(days=30), today), max_value=today, key="audit_period"
    )
with right:
    text = st.text_input("Text in the details (table, unit, file name…)", key="audit_text").strip()

start, end = (period[0], period[-1]) if isinstance(period, tuple) and period else (today, today)
filters = {
    "username": username or None,
    "action": None if action == "(any)" else action,
    "since": datetime.combine(start, time.min),
    "until": datetime.combine(end + timedelta(days=1), time.min),
    "text": text or None,
}
record_filters("Audit trail", **{k: str(v) for k, v in filters.items() if v is not None})
entries = admin.audit_entries(**filters, limit=MAX_ROWS)

st.metric(
    "Entries found", f"{len(entries):,}" + (" (newest shown; narrow the search)" if len(entries) == MAX_ROWS else "")
)
st.dataframe(
    entries,
    hide_index=True,
    width="stretch",
    column_config={
        "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "username": "User",
        "action": "Action",
        "details": st.column_config.TextColumn("Details", width="large"),
    },
)
audited_download(
    "Download these entries (CSV)",
    entries,
    f"audit_trail_{start:%Y%m%d}-{end:%Y%m%d}.csv",
    "audit_log",
    key="audit_download",
    filters=filters,
    disabled=entries.empty,
)
