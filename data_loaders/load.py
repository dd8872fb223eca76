"""Load a file or in-memory frames into canonical, validated tables: the public entry points.

``load_file(path)`` = :mod:`~data_loaders.readers` (guarded reading, text cells) ->
:mod:`~data_loaders.mapping` (header row, table, column mapping) or :mod:`~data_loaders.formats`
(known public exports) -> :mod:`~data_loaders.validation` (parse and check, tables in the
load order of ``schema.TABLES`` so references to units and employees resolve within the file).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from data_loaders import formats, mapping
from data_loaders.readers import RawSheet, read_file
from data_loaders.schema import TABLES
from data_loaders.validation import Piece, as_text, concat_problems, empty_problems, validate_table


@dataclass
class SheetReport:
    """What happened to one sheet (or one table cut from a sheet).

    ``header_row`` is the sheet row number of the header (1-based; ``None`` for database sources);
    ``rows_read`` counts the non-blank data rows below it (for a known export reshaped into several
    tables: the rows produced for this table); ``mapping`` is source header -> canonical column;
    ``unmapped`` lists the headers that were ignored, once per sheet (the UI offers them in the
    mapping panel).
    """

    sheet: str
    table: str
    header_row: int | None
    encoding: str | None
    delimiter: str | None
    rows_read: int
    rows_accepted: int = 0
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    """Accepted rows per canonical table, every problem found, and a report per sheet.

    ``tables[name]`` has the schema columns with canonical dtypes plus ``source_row`` (Int64, the
    row number the user sees) and ``source_sheet`` (string). ``problems`` has the columns
    ``table, sheet, row, column, value, reason, severity`` (``error`` = row or sheet rejected,
    ``warning`` = kept but noted).
    """

    tables: dict[str, pd.DataFrame]
    problems: pd.DataFrame
    sheets: list[SheetReport]

    @property
    def errors(self) -> pd.DataFrame:
        """Problem rows with severity ``error``."""
        return self.problems[self.problems["severity"] == "error"]


@dataclass
class _Prepared:
    pieces: list[Piece] = field(default_factory=list)
    reports: list[SheetReport] = field(default_factory=list)
    problems: list[pd.DataFrame] = field(default_factory=list)


def _problem(table: str, sheet: str, row: int | None, column: str, value: str, reason: str, severity: str):
    return pd.DataFrame(
        {
            "table": [table],
            "sheet": [sheet],
            "row": pd.array([row], dtype="Int64"),
            "column": [column],
            "value": [str(value)[:200]],
            "reason": [reason],
            "severity": [severity],
        }
    )


def load_file(
    path: str | Path,
    *,
    mappings: dict[str, dict[str, str]] | None = None,
    table_mappings: dict[str, dict[str, str]] | None = None,
    table_hint: str | None = None,
    known_keys: dict[str, set] | None = None,
    today: dt.date | None = None,
) -> LoadResult:
    """Read, map and validate a CSV or XLSX file.

    ``mappings``: per sheet name (or ``"*"``) source header -> canonical column (``""`` ignores it).
    ``table_mappings``: per canonical table, source header -> column (the mappings users saved for that table);
    they help detect and map only sheets of their own table, never another's.
    ``table_hint`` forces the table of every sheet. ``known_keys``: natural-key values already in
    the store per table (``{"units": {...}, "employees": {...}}``) for reference checks; ``None``
    checks references within the file only. ``today`` (default: today in the hospital time zone)
    is the limit for ``not_future`` dates. Bad content never raises: it becomes problem rows.
    """
    if table_hint is not None and table_hint not in TABLES:
        raise ValueError(f"table_hint must be one of {sorted(TABLES)}, not {table_hint!r}")
    raw_sheets, read_problems = read_file(path)
    prepared = _Prepared()
    for p in read_problems:
        prepared.problems.append(_problem("", p.sheet, p.row, p.column, p.value, p.reason, p.severity))
    for raw in raw_sheets:
        _prepare_sheet(raw, mappings, table_hint, prepared, table_mappings)
    return _validate(prepared, known_keys, today)


def load_frames(
    frames: dict[str, pd.DataFrame], *, known_keys: dict[str, set] | None = None, today: dt.date | None = None
) -> LoadResult:
    """Map and validate DataFrames already in memory, keyed by table (or sheet/source) name.

    A key that is a canonical table name fixes the table; otherwise it is detected as for a sheet.
    Column names are headers (aliases apply); values may be text or already typed. ``source_row``
    is the position as if the frame were a sheet with its header on row 1 (first data row = 2).
    """
    prepared = _Prepared()
    for name, frame in frames.items():
        _prepare_frame(name, frame, prepared, table_hint=name if name in TABLES else None, first_data_row=2)
    return _validate(prepared, known_keys, today)


def _prepare_frame(
    name: str,
    frame: pd.DataFrame,
    prepared: _Prepared,
    *,
    table_hint: str | None = None,
    first_data_row: int = 2,
    mappings: dict[str, dict[str, str]] | None = None,
    table_mappings: dict[str, dict[str, str]] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int = 1,
    formula_cells: dict[int, list[str]] | None = None,
    source_rows: np.ndarray | None = None,
) -> None:
    """Map one frame whose columns are headers (used by files, in-memory frames and databases)."""
    headers = _unique_headers([str(c) for c in frame.columns])
    data = frame.copy()
    data.columns = headers
    data = data.reset_index(drop=True)
    if source_rows is None:
        source_rows = np.arange(first_data_row, first_data_row + len(data))
    data["source_row"] = pd.array(source_rows, dtype="Int64")
    data["source_sheet"] = name
    report = SheetReport(name, "", header_row, encoding, delimiter, len(data))
    if data.empty:
        report.table = (
            table_hint or mapping.detect_table(headers, name, _overrides(mappings, name), table_mappings) or ""
        )
        prepared.reports.append(report)
        prepared.problems.append(
            _problem(
                report.table,
                name,
                header_row,
                "",
                "",
                "The sheet has a header but no data rows. Export it again with the data.",
                "error",
            )
        )
        return
    fmt = formats.detect_format(headers)
    if fmt and table_hint is None:
        _prepare_format(fmt, name, data, headers, report, prepared)
        return
    overrides = _overrides(mappings, name)
    table = table_hint or mapping.detect_table(headers, name, overrides, table_mappings)
    if table is None:
        report.unmapped = list(headers)
        prepared.reports.append(report)
        prepared.problems.append(
            _problem(
                "",
                name,
                header_row,
                "",
                ", ".join(headers)[:200],
                "Could not tell which table this sheet holds: none of its headers is in the data model. Choose the "
                "table and map the columns in the mapping panel, or rename the headers.",
                "error",
            )
        )
        return
    cols = mapping.map_columns(headers, table, {**(table_mappings or {}).get(table, {}), **overrides})
    report.table, report.mapping, report.unmapped = table, cols.mapping, cols.unmapped
    prepared.reports.append(report)
    for header, reason in cols.notes:
        prepared.problems.append(_problem(table, name, header_row, header, "", reason, "warning"))
    mapped = data[list(cols.mapping)].rename(columns=cols.mapping)
    mapped["source_row"], mapped["source_sheet"] = data["source_row"], data["source_sheet"]
    prepared.pieces.append(
        Piece(table, name, mapped, header_row, decimal_comma=delimiter == ";", formula_cells=formula_cells or {})
    )


def _prepare_format(
    fmt: str, name: str, data: pd.DataFrame, headers: list[str], report: SheetReport, prepared: _Prepared
) -> None:
    shaped = formats.reshape(fmt, data, headers)
    header_row = report.header_row
    for header, reason in shaped.ignored:
        prepared.problems.append(_problem("", name, header_row, header, "", reason, "warning"))
    for table, row, column, value, reason, severity in shaped.problems:
        prepared.problems.append(_problem(table, name, row, column, value, reason, severity))
    for position, (table, frame) in enumerate(shaped.tables.items()):
        table_report = SheetReport(
            name,
            table,
            header_row,
            report.encoding,
            report.delimiter,
            len(frame),
            mapping={h: target for h, target in shaped.mapping.items() if table in target},
            unmapped=[h for h, _ in shaped.ignored] if position == 0 else [],
        )
        prepared.reports.append(table_report)
        prepared.pieces.append(Piece(table, name, frame, header_row))


def _overrides(mappings: dict[str, dict[str, str]] | None, sheet: str) -> dict[str, str]:
    if not mappings:
        return {}
    merged = dict(mappings.get("*", {}))
    merged.update(mappings.get(sheet, {}))
    return merged


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for position, header in enumerate(headers, start=1):
        header = header.strip() or f"(column {position})"
        if header in seen:
            seen[header] += 1
            header = f"{header} ({seen[header]})"
        else:
            seen[header] = 1
        out.append(header)
    return out


def _prepare_sheet(
    raw: RawSheet,
    mappings: dict[str, dict[str, str]] | None,
    table_hint: str | None,
    prepared: _Prepared,
    table_mappings: dict[str, dict[str, str]] | None = None,
) -> None:
    grid = raw.grid
    nonblank = grid.ne("").any(axis=1) if not grid.empty else pd.Series(dtype=bool)
    if grid.empty or not nonblank.any():
        prepared.reports.append(SheetReport(raw.name, table_hint or "", None, raw.encoding, raw.delimiter, 0))
        prepared.problems.append(
            _problem(
                table_hint or "",
                raw.name,
                None,
                "",
                "",
                "The sheet is empty. Check that the right sheet or file was exported.",
                "error",
            )
        )
        return
    header_pos = mapping.find_header_row(grid, table_hint)
    headers = [str(v).strip() for v in grid.iloc[header_pos].tolist()]
    body = grid.iloc[header_pos + 1 :]
    body_nonblank = nonblank.iloc[header_pos + 1 :]
    keep_cols = [i for i, h in enumerate(headers) if h or body.iloc[:, i].ne("").any()]
    data = body[body_nonblank.to_numpy()].iloc[:, keep_cols]
    data.columns = [headers[i] for i in keep_cols]
    rows = raw.first_row + header_pos + 1 + pd.Series(range(len(body)))[body_nonblank.to_numpy()].to_numpy()
    header_row = raw.first_row + header_pos
    _prepare_frame(
        raw.name,
        data,
        prepared,
        table_hint=table_hint,
        mappings=mappings,
        table_mappings=table_mappings,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        header_row=header_row,
        formula_cells=raw.formula_cells,
        source_rows=rows,
    )


def _validate(prepared: _Prepared, known_keys: dict[str, set] | None, today: dt.date | None) -> LoadResult:
    tables: dict[str, pd.DataFrame] = {}
    problems = list(prepared.problems)
    file_keys: dict[str, set] = {}
    rejected_keys: dict[str, set] = {}
    accepted_counts: dict[tuple[str, str], int] = {}
    for name in TABLES:
        pieces = [p for p in prepared.pieces if p.table == name]
        if not pieces:
            continue
        accepted, table_problems, per_sheet = validate_table(
            name, pieces, known_keys=known_keys, file_keys=file_keys, rejected_keys=rejected_keys, today=today
        )
        tables[name] = accepted
        problems.append(table_problems)
        for sheet, count in per_sheet.items():
            accepted_counts[(sheet, name)] = count
        key = TABLES[name].key
        if len(key) == 1:
            seen = set()
            for piece in pieces:
                if key[0] in piece.frame:
                    seen |= set(as_text(piece.frame[key[0]]))
            file_keys[name] = set(accepted[key[0]].dropna())
            rejected_keys[name] = seen - file_keys[name]
    for report in prepared.reports:
        report.rows_accepted = accepted_counts.get((report.sheet, report.table), 0)
    frame = concat_problems(problems) if problems else empty_problems()
    return LoadResult(tables, frame, prepared.reports)
