"""The validation report of an upload or database read: what was loaded, what was rejected and why."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.downloads import audited_download


def render_load_report(result, key: str, source: str = "") -> None:
    """Per-sheet summary, rejected rows with sheet/row/column/reason, and a CSV download of the problems.

    ``result`` is a :class:`data_loaders.LoadResult`; ``source`` (the file name) is recorded with the download.
    """
    sheets = pd.DataFrame(
        [
            {
                "sheet": s.sheet,
                "table": s.table or "(not recognised)",
                "header row": s.header_row,
                "rows read": s.rows_read,
                "accepted": s.rows_accepted,
                "rejected": s.rows_read - s.rows_accepted,
            }
            for s in result.sheets
        ]
    )
    problems = result.problems
    errors = problems[problems["severity"] == "error"]
    warnings = problems[problems["severity"] != "error"]
    accepted = sum(len(f) for f in result.tables.values())
    c1, c2, c3 = st.columns(3)
    c1.metric("Rows accepted", f"{accepted:,}")
    c2.metric("Rows rejected", f"{errors['row'].dropna().nunique() if not errors.empty else 0:,}")
    c3.metric("Warnings", f"{len(warnings):,}")
    if not sheets.empty:
        st.dataframe(sheets, hide_index=True, width="stretch")
    if problems.empty:
        st.success("Every row passed validation.")
        return
    if not errors.empty:
        st.error(
            f"{len(errors):,} problem(s) rejected rows or sheets. They will not be imported; fix them in the "
            "source file and upload it again."
        )
    st.dataframe(
        problems[["severity", "table", "sheet", "row", "column", "value", "reason"]],
        hide_index=True,
        width="stretch",
        height=min(400, 40 + 35 * len(problems)),
    )
    audited_download(
        "Download the problem report (CSV)",
        problems,
        "import_problems.csv",
        "import problem report",
        key=f"{key}_problems_download",
        filters={"source": source} if source else None,
    )
