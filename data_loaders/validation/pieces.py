"""One sheet's rows for one table: required columns, then every cell parsed per its column's kind.

A :class:`Piece` arrives with canonical column names (from :mod:`data_loaders.mapping`) and cells as
text or already-typed values. :func:`check_columns` refuses a sheet that lacks a required column;
:func:`parse_piece` returns a :class:`ParsedPiece` with every schema column typed and the mask of
rows that failed (unreadable values, empty required values, formulas without a saved result, cells
over Excel's length limit), one problem row per failure. The caller's frame is never modified.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from data_loaders.readers import MAX_CELL_CHARS
from data_loaders.schema import PANDAS_DTYPES, TABLES, Column, Table
from data_loaders.validation.parsing import (
    as_text,
    parse_bools,
    parse_categories,
    parse_datetimes,
    parse_numbers,
    parse_strings,
)
from data_loaders.validation.problems import Problems


@dataclass
class Piece:
    """One sheet's rows for one table, canonical column names, cells not yet typed.

    ``frame`` holds the mapped columns plus ``source_row`` (sheet row number) and ``source_sheet``.
    ``header_row`` is the sheet row of the header; ``decimal_comma`` is true for ``;``-delimited
    text; ``formula_cells`` maps sheet rows to cells with a formula but no saved result.
    """

    table: str
    sheet: str
    frame: pd.DataFrame
    header_row: int = 1
    decimal_comma: bool = False
    formula_cells: dict[int, list[str]] = field(default_factory=dict)


@dataclass
class ParsedPiece:
    """A piece after :func:`parse_piece`, on the piece frame's index.

    ``typed``: every schema column in its canonical dtype (absent ones empty), the loader-only columns
    the table's rules read (``Rule.loader_columns``, raw), ``source_row`` (Int64) and ``source_sheet``
    (string). ``bad``: rows rejected while parsing. ``clock_times``: for each column a rule accepts as a
    clock time alone (``Rule.clock_time_columns``), seconds since midnight (float) where the cell held
    only a clock time, else NaN; the rule combines them with a date.
    """

    typed: pd.DataFrame
    bad: pd.Series
    clock_times: dict[str, pd.Series] = field(default_factory=dict)


def clock_time_columns(table: Table) -> set[str]:
    """Datetime columns of ``table`` whose cells may hold a clock time alone (declared by its rules)."""
    return {name for rule in table.rules for name in rule.clock_time_columns}


def loader_columns(table: Table) -> list[str]:
    """Columns the rules of ``table`` read that the store does not keep, in declaration order."""
    return list(dict.fromkeys(name for rule in table.rules for name in rule.loader_columns))


def missing_columns_reason(table: Table, missing: list[str], present: list[str]) -> str:
    """Sentence for a sheet refused for missing required columns."""
    need = ", ".join(missing)
    hints = "; ".join(
        f"{m} (e.g. '{table.column(m).aliases[0]}')"
        for m in missing
        if m in table.column_names and table.column(m).aliases
    )
    return (
        f"The sheet was not imported: the {table.name} table needs the column(s) {need}, which were not found. "
        f"Rename the header(s) or map them in the mapping panel{': ' + hints if hints else ''}."
    )


def check_columns(piece: Piece, problems: Problems) -> bool:
    """True if the piece has every required column (and one of ``one_of_required``); else a problem row."""
    table = TABLES[piece.table]
    present = [c for c in piece.frame.columns if c in table.column_names]
    missing = [c.name for c in table.columns if c.required and c.name not in piece.frame.columns]
    if missing:
        problems.add(
            piece.sheet, piece.header_row, ", ".join(missing), "", missing_columns_reason(table, missing, present)
        )
        return False
    if table.one_of_required and not set(table.one_of_required) & set(piece.frame.columns):
        names = " or ".join(table.one_of_required)
        problems.add(
            piece.sheet,
            piece.header_row,
            names,
            "",
            f"The sheet was not imported: the {table.name} table needs at least one of the columns {names}. "
            "Rename the header or map it in the mapping panel.",
        )
        return False
    for col in table.recommended:
        if col not in piece.frame.columns:
            problems.add(
                piece.sheet,
                piece.header_row,
                col,
                "",
                f"The recommended column {col} is missing; rows were imported but KPIs that need {col} will be "
                "incomplete. Add the column or map it in the mapping panel.",
                severity="warning",
            )
    return True


def parse_piece(piece: Piece, problems: Problems) -> ParsedPiece:
    """Typed columns of ``piece`` (every schema column, missing ones empty), its bad-row mask and clock times."""
    table = TABLES[piece.table]
    raw = piece.frame
    bad = pd.Series(False, index=raw.index)
    typed = pd.DataFrame(index=raw.index)
    clock_columns = clock_time_columns(table)
    clock_times: dict[str, pd.Series] = {}
    for row, cells in piece.formula_cells.items():
        hit = raw["source_row"] == row
        if hit.any():
            refs = ", ".join(cells)
            problems.add_rows(
                raw[hit],
                "",
                refs,
                f"Cell(s) {refs} hold a formula without a saved result; formulas are never evaluated here. Open the "
                "file in Excel, let it calculate and save, or paste the values, then upload again.",
            )
            bad |= hit
    for name in [c for c in raw.columns if c not in ("source_row", "source_sheet")]:
        column = raw[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            lengths = column.str.len().fillna(0) if column.dtype != object else column.map(_length)
            long = lengths > MAX_CELL_CHARS
            if long.any():
                problems.add_rows(
                    raw[long],
                    name,
                    column[long],
                    lengths[long].map(
                        lambda n: (
                            f"The cell holds {n:,} characters; the longest accepted is {MAX_CELL_CHARS:,} "
                            "(Excel's own cell limit). Check that the right file and column were exported."
                        )
                    ),
                )
                bad |= long
    for col in table.columns:
        if col.name not in raw.columns:
            typed[col.name] = _empty(col)
            continue
        values, col_bad, reason, clock = _parse_column(raw[col.name], col, piece, problems, col.name in clock_columns)
        typed[col.name] = values
        if clock is not None:
            clock_times[col.name] = clock
        if col_bad.any():
            problems.add_rows(raw[col_bad], col.name, raw[col.name][col_bad], reason)
            bad |= col_bad
        if col.required:
            missing = values.isna() & ~col_bad
            if col.kind == "datetime" and not pd.api.types.is_datetime64_any_dtype(raw[col.name].dtype):
                missing &= as_text(raw[col.name]) == ""  # clock times alone are combined with a date by a rule
            if missing.any():
                problems.add_rows(
                    raw[missing], col.name, "", f"{col.name} is required but empty. Fill it in or remove the row."
                )
                bad |= missing
    for name in loader_columns(table):
        if name in raw.columns:
            typed[name] = raw[name]
    typed["source_row"] = raw["source_row"].astype("Int64")
    typed["source_sheet"] = raw["source_sheet"].astype("string")
    return ParsedPiece(typed, bad, clock_times)


def _length(value: object) -> int:
    return len(value) if isinstance(value, str) else 0


def _empty(col: Column) -> pd.Series:
    return pd.Series(dtype=canonical_dtype(col))


def canonical_dtype(col: Column) -> str:
    """The pandas dtype of a canonical column kind (:data:`data_loaders.schema.PANDAS_DTYPES`)."""
    return PANDAS_DTYPES[col.kind]


def empty_table(table: Table) -> pd.DataFrame:
    """An empty frame with ``table``'s canonical columns and dtypes plus ``source_row``/``source_sheet``."""
    frame = pd.DataFrame({c.name: _empty(c) for c in table.columns})
    frame["source_row"] = pd.Series(dtype="Int64")
    frame["source_sheet"] = pd.Series(dtype="string")
    return frame


def _parse_column(
    series: pd.Series, col: Column, piece: Piece, problems: Problems, clock_time_allowed: bool
) -> tuple[pd.Series, pd.Series, str, pd.Series | None]:
    """``(values, bad mask, reason for bad cells, clock times or None)`` of one column."""
    kind = col.kind
    clock = None
    if kind in ("date", "datetime"):
        parsed = parse_datetimes(series)
        values, bad = parsed.values, parsed.bad
        if parsed.dayfirst:
            problems.add(
                piece.sheet,
                piece.header_row,
                col.name,
                "",
                f"Dates in column {col.name} were read as day/month/year because some first fields are above 12.",
                severity="warning",
            )
        if kind == "date":
            values = values.dt.normalize()
            bad = bad | parsed.time_only
        elif clock_time_allowed:
            clock = parsed.time_of_day
        else:
            bad = bad | parsed.time_only
        reason = (
            f"{col.name} could not be read as a date"
            + (" and time" if kind == "datetime" else "")
            + " (accepted: 2026-03-08, 03/08/2026, 08-Mar-2026, Mar-26, 20260308, Excel dates"
            + (", with a time such as 19:00 or 7:00 PM" if kind == "datetime" else "")
            + ")."
            + (" Day and month order is mixed in this column; use one order." if parsed.mixed_order else "")
        )
        return values.astype("datetime64[ns]"), bad, reason, clock
    if kind in ("int", "float"):
        values, bad = parse_numbers(series, decimal_comma=piece.decimal_comma, integer=kind == "int")
        what = "a whole number" if kind == "int" else "a number"
        unit = f" ({col.unit})" if col.unit else ""
        out = values.round().astype("Int64") if kind == "int" else values
        return out, bad, f"{col.name} must be {what}{unit}; correct the value.", None
    if kind == "bool":
        values, bad = parse_bools(series)
        return values, bad, f"{col.name} must be yes/no (Y/N, Yes/No, TRUE/FALSE or 1/0); correct the value.", None
    if kind == "category":
        values, bad = parse_categories(series, col)
        allowed = ", ".join(col.allowed or ())
        return values, bad, f"{col.name} must be one of: {allowed}. Correct the value or recode it in the source.", None
    values, bad = parse_strings(series)
    return values, bad, "", None
