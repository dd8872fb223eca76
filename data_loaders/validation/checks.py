"""Checks every table gets from its column and key declarations in :mod:`data_loaders.schema`.

Each check takes the table's typed rows (one frame over all its pieces), adds one problem row per
failure and returns the mask of rows it rejects: ranges (``Column.min``/``max``, with pandera),
dates after today (``Column.not_future``), rows missing all of ``Table.one_of_required``,
repeated natural keys (``Table.key``) and references to other tables (``Column.references``).
:func:`formula_text_warnings` only warns. Rules across columns are in
:mod:`data_loaders.validation.rules`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pandera.pandas as pa

from data_loaders import settings
from data_loaders.schema import Table
from data_loaders.validation.problems import Problems


def range_problems(frame: pd.DataFrame, table: Table, problems: Problems) -> pd.Series:
    """Range checks (schema ``min``/``max``) with pandera; returns the mask of failing rows."""
    checks = {
        c.name: pa.Column(
            nullable=True,
            required=False,
            checks=pa.Check.in_range(c.min if c.min is not None else -np.inf, c.max if c.max is not None else np.inf),
        )
        for c in table.columns
        if c.kind in ("int", "float") and (c.min is not None or c.max is not None)
    }
    bad = pd.Series(False, index=frame.index)
    if not checks or frame.empty:
        return bad
    data = frame[list(checks)].astype("float64").reset_index(drop=True)
    try:
        pa.DataFrameSchema(checks).validate(data, lazy=True)
        return bad
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    failures = failures[failures["index"].notna()]
    for name, group in failures.groupby("column"):
        col = table.column(str(name))
        positions = group["index"].astype(int).unique()
        hit = pd.Series(False, index=frame.index)
        hit.iloc[positions] = True
        unit = f" {col.unit}" if col.unit else ""
        lo = "" if col.min is None else f"{col.min:g}"
        hi = "" if col.max is None else f"{col.max:g}"
        problems.add_rows(
            frame[hit],
            col.name,
            frame.loc[hit, col.name],
            f"{col.name} is outside the allowed range {lo} to {hi}{unit}. Correct the value.",
        )
        bad |= hit
    return bad


def future_problems(frame: pd.DataFrame, table: Table, today: dt.date, problems: Problems) -> pd.Series:
    """Dates after ``today`` in columns declared ``not_future``."""
    bad = pd.Series(False, index=frame.index)
    limit = pd.Timestamp(today)
    for col in table.columns:
        if col.not_future:
            hit = frame[col.name].notna() & (frame[col.name] > limit)
            if hit.any():
                problems.add_rows(
                    frame[hit],
                    col.name,
                    frame.loc[hit, col.name].dt.strftime("%Y-%m-%d"),
                    f"{col.name} is in the future (today is {today.isoformat()} in {settings.hospital_timezone()}). "
                    "Correct the date.",
                )
                bad |= hit
    return bad


def one_of_required_problems(frame: pd.DataFrame, table: Table, problems: Problems) -> pd.Series:
    """Rows with none of ``table.one_of_required`` given."""
    bad = pd.Series(False, index=frame.index)
    if table.one_of_required:
        none = frame[list(table.one_of_required)].isna().all(axis=1)
        names = " or ".join(table.one_of_required)
        problems.add_rows(frame[none], names, "", f"The row has no {names}; give at least one of them.")
        bad |= none
    return bad


def duplicate_problems(frame: pd.DataFrame, table: Table, problems: Problems) -> pd.Series:
    """All rows repeating an earlier row's natural key are rejected, naming the first row."""
    key = list(table.key)
    complete = frame[key].notna().all(axis=1)
    keyed = frame[complete]
    dup = keyed.duplicated(subset=key, keep="first")
    bad = pd.Series(False, index=frame.index)
    if not dup.any():
        return bad
    first_row = keyed.groupby(key, sort=False, dropna=False)["source_row"].transform("first")
    first_sheet = keyed.groupby(key, sort=False, dropna=False)["source_sheet"].transform("first")
    rows = keyed[dup]
    where = first_sheet[dup].astype(str) + " row " + first_row[dup].astype(str)
    values = rows[key].astype(str).agg(" | ".join, axis=1)
    problems.add_rows(
        rows,
        ", ".join(key),
        values,
        "Duplicate of " + where + f" (same {', '.join(key)}); only the first is kept. Remove or correct this row.",
    )
    bad[rows.index] = True
    return bad


def reference_problems(
    frame: pd.DataFrame,
    table: Table,
    known_keys: dict[str, set] | None,
    file_keys: dict[str, set],
    rejected_keys: dict[str, set],
    problems: Problems,
) -> pd.Series:
    """Rows whose reference (``Column.references``) is neither in the store (``known_keys``) nor accepted in this file.

    With ``known_keys=None`` a reference to a table absent from the file is not checked (one warning).
    """
    bad = pd.Series(False, index=frame.index)
    for col in table.columns:
        if not col.references:
            continue
        ref_table, ref_col = col.references
        valid = set(file_keys.get(ref_table, set()))
        if ref_table == table.name:
            valid |= set(frame[ref_col].dropna())
        if known_keys is None and ref_table not in file_keys and ref_table != table.name:
            if frame[col.name].notna().any():
                problems.add(
                    str(frame["source_sheet"].iloc[0]),
                    None,
                    col.name,
                    "",
                    f"{col.name} values were not checked against {ref_table}: the file has no {ref_table} and no "
                    "store was given.",
                    severity="warning",
                )
            continue
        if known_keys is not None:
            valid |= set(known_keys.get(ref_table, set()))
        values = frame[col.name]
        hit = values.notna() & ~values.isin(valid)
        if not hit.any():
            continue
        rejected = values.isin(rejected_keys.get(ref_table, set()))
        reasons = pd.Series(
            f"{col.name} '" + values[hit].astype(str) + f"' is not in {ref_table} (neither in the store nor in this "
            f"file). Import {ref_table} first or correct the value.",
            index=values[hit].index,
        )
        reasons[rejected[hit]] = (
            f"{col.name} '" + values[hit][rejected[hit]].astype(str) + f"' is in this file's {ref_table}, but that "
            "row was rejected; fix it first."
        )
        problems.add_rows(frame[hit], col.name, values[hit], reasons)
        bad |= hit
    return bad


def formula_text_warnings(frame: pd.DataFrame, table: Table, problems: Problems) -> None:
    """Warn (row kept) about text a spreadsheet would run as a formula (OWASP "CSV injection"): it is stored as
    text, shown as text and neutralised in every export (:mod:`data_loaders.export`), but the source file is
    suspicious and worth a look."""
    for col in table.columns:
        if col.kind != "str" or col.name not in frame.columns:
            continue
        text = frame[col.name].astype("string")
        hit = text.str.match(r"^[=+\-@\t\r]", na=False) & ~text.str.fullmatch(r"[+\-]?\d+(\.\d+)?", na=False)
        if hit.any():
            problems.add_rows(
                frame[hit],
                col.name,
                frame.loc[hit, col.name],
                f"{col.name} begins like a spreadsheet formula. It is kept as plain text and exported neutralised "
                "(never evaluated); check the source file if you did not expect it.",
                severity="warning",
            )
