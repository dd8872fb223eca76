"""Problem rows: one row per failed check, in the shape every loader reports.

Columns :data:`PROBLEM_COLUMNS`: ``table, sheet, row, column, value, reason, severity`` (``row`` is
``Int64``, the sheet row the user sees; the others ``string``). ``severity`` is ``error`` (the row or
sheet was rejected) or ``warning`` (kept but noted). Values are cut to
:data:`MAX_VALUE_CHARS_IN_REPORT` characters.
"""

from __future__ import annotations

import pandas as pd

from data_loaders.validation.parsing import as_text

PROBLEM_COLUMNS = ["table", "sheet", "row", "column", "value", "reason", "severity"]
MAX_VALUE_CHARS_IN_REPORT = 200


class Problems:
    """Collects problem rows for one table as small DataFrames (fast for many bad rows)."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.parts: list[pd.DataFrame] = []

    def add_rows(
        self, rows: pd.DataFrame, column: str, values: pd.Series | str, reason: pd.Series | str, severity="error"
    ) -> None:
        """One problem per row of ``rows`` (which has ``source_row``/``source_sheet``)."""
        if rows.empty:
            return
        if isinstance(values, pd.Series):
            values = as_text(values).str.slice(0, MAX_VALUE_CHARS_IN_REPORT)
        self.parts.append(
            pd.DataFrame(
                {
                    "table": self.table,
                    "sheet": rows["source_sheet"].astype(object),
                    "row": rows["source_row"].astype("Int64"),
                    "column": column,
                    "value": values,
                    "reason": reason,
                    "severity": severity,
                }
            )
        )

    def add(self, sheet: str, row: int | None, column: str, value: str, reason: str, severity="error") -> None:
        """One problem not tied to a parsed row (e.g. a missing column)."""
        self.parts.append(
            pd.DataFrame(
                {
                    "table": [self.table],
                    "sheet": [sheet],
                    "row": pd.array([row], dtype="Int64"),
                    "column": [column],
                    "value": [str(value)[:MAX_VALUE_CHARS_IN_REPORT]],
                    "reason": [reason],
                    "severity": [severity],
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        return concat_problems(self.parts)


def empty_problems() -> pd.DataFrame:
    """An empty problems frame with the canonical columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in PROBLEM_COLUMNS})
    frame["row"] = frame["row"].astype("Int64")
    return frame


def concat_problems(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate problem frames into the canonical shape (``row`` Int64, text as ``string``)."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_problems()
    frame = pd.concat(parts, ignore_index=True)[PROBLEM_COLUMNS]
    for col in PROBLEM_COLUMNS:
        frame[col] = frame[col].astype("Int64") if col == "row" else frame[col].astype("string")
    return frame
