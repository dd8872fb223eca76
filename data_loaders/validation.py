"""Parse raw cells per canonical kind and validate rows against the data model.

Input is one :class:`Piece` per sheet: canonical column names (from :mod:`data_loaders.mapping`),
cells as text (or already-typed values from a DataFrame or database), plus ``source_row`` and
``source_sheet``. :func:`validate_table` returns the accepted rows with canonical dtypes and one
problem row per failed check. Nothing is dropped or coerced silently.

Parsing rules (documented for users in ``docs/loading.md``)
-----------------------------------------------------------
* **Dates/datetimes**: ISO ``2026-03-08[ 19:00[:00]]`` and ``2026/03/08``; ``YYYYMMDD`` numbers (CMS
  ``WorkDate``); Excel serial numbers (days since 1899-12-30, from 61 = 1900-03-01); ``m/d/Y`` or
  ``d/m/Y`` with ``/``, ``.`` or ``-`` (per column: day-first only when some first field is above 12,
  else US month-first);
  ``d-Mon-Y`` (``05-Jan-2026``), ``Mon d, Y`` and ``Mon-YY`` / ``Month YYYY`` (first of the month).
  Two-digit years 00-68 are 2000-2068, 69-99 are 1969-1999 (POSIX ``strptime`` ``%y``). Times
  ``HH:MM[:SS]`` with optional AM/PM. Results are naive local wall-clock time.
* **Numbers**: thousands separators ``1,234.5``; a decimal comma ``7,5`` only in ``;``-delimited
  files; a trailing ``%`` and a leading currency sign are ignored.
* **Booleans**: ``Y/N``, ``Yes/No``, ``TRUE/FALSE``, ``T/F``, ``1/0``, ``X`` (checked) — any case.
* **Categories**: matched ignoring case, spaces and punctuation (``"pto"`` -> ``PTO``, ``"Per Diem"``
  -> ``per_diem``) plus the documented :data:`CATEGORY_SYNONYMS`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pandera.pandas as pa

from data_loaders import settings
from data_loaders.mapping import normalise_token
from data_loaders.readers import MAX_CELL_CHARS, cell_text
from data_loaders.schema import PANDAS_DTYPES, TABLES, Column, Table

PROBLEM_COLUMNS = ["table", "sheet", "row", "column", "value", "reason", "severity"]
MAX_VALUE_CHARS_IN_REPORT = 200

CATEGORY_SYNONYMS: dict[str, dict[str, str]] = {
    "termination_reason": {
        "resigned": "voluntary",
        "resignation": "voluntary",
        "quit": "voluntary",
        "terminated": "involuntary",
        "dismissed": "involuntary",
    },
    "employment_type": {"prn": "per_diem"},
    "employment": {"emp": "employee", "ctr": "contract", "contractor": "contract"},
    "role": {"registerednurse": "RN", "lvn": "LPN", "licensedpracticalnurse": "LPN", "nurseaide": "CNA"},
    "absence_type": {"sickness": "sick", "sickleave": "sick"},
}
"""Synonyms of allowed values, keyed by column name (normalised source value -> allowed value).
PRN ("pro re nata") is the US term for per-diem staff; LVN is the California/Texas title of an LPN."""

TRUE_TOKENS = frozenset({"y", "yes", "true", "t", "1", "1.0", "x"})
FALSE_TOKENS = frozenset({"n", "no", "false", "f", "0", "0.0"})

_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp])?\.?(?:[Mm]\.?)?"
_MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_DATE_PATTERNS = {
    "iso": re.compile(rf"(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})(?:[T ]+{_TIME})?", re.ASCII),
    "numeric": re.compile(
        rf"(?P<a>\d{{1,2}})[-/.](?P<b>\d{{1,2}})[-/.](?P<y>\d{{4}}|\d{{2}})(?:[T ]+{_TIME})?", re.ASCII
    ),
    "d_mon_y": re.compile(
        rf"(?P<d>\d{{1,2}})[-\s/]+(?P<mon>[A-Za-z]{{3,9}})\.?[-\s/,]+(?P<y>\d{{4}}|\d{{2}})(?:[T ]+{_TIME})?", re.ASCII
    ),
    "mon_d_y": re.compile(
        rf"(?P<mon>[A-Za-z]{{3,9}})\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})(?:[T ]+{_TIME})?", re.ASCII
    ),
    "mon_y": re.compile(r"(?P<mon>[A-Za-z]{3,9})\.?[-\s/,]+(?P<y>\d{4}|\d{2})", re.ASCII),
}
_TIME_ONLY = re.compile(_TIME, re.ASCII)
_SERIAL = re.compile(r"\d{1,5}(?:\.\d+)?", re.ASCII)
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+", re.ASCII)
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


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


# ------------------------------------------------------------------------------------------ parsing


def as_text(series: pd.Series) -> pd.Series:
    """Cells as stripped ``str`` (object dtype); missing values become ``""``."""
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return series.fillna("").str.strip().astype(object)
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=False) == "string":
        return series.str.strip()
    return series.map(cell_text).astype(object).str.strip()


def _year(text: pd.Series) -> pd.Series:
    year = pd.to_numeric(text, errors="coerce")
    two_digit = text.str.len() == 2
    return year.where(~two_digit, year + np.where(year < 69, 2000, 1900))


def _seconds(parts: pd.DataFrame, first: int) -> pd.Series:
    """Seconds since midnight from time groups (hour, minute, second, am/pm) starting at ``first``."""
    hour = pd.to_numeric(parts.iloc[:, first], errors="coerce")
    minute = pd.to_numeric(parts.iloc[:, first + 1], errors="coerce")
    second = pd.to_numeric(parts.iloc[:, first + 2], errors="coerce").fillna(0)
    ampm = parts.iloc[:, first + 3].fillna("").str.lower()
    bad = (minute >= 60) | (second >= 60) | ((ampm != "") & ((hour < 1) | (hour > 12))) | (hour >= 24)
    hour = hour.where(ampm != "p", hour % 12 + 12).where(ampm != "a", hour % 12)
    total = (hour * 3600 + minute * 60 + second).fillna(0)
    return total.where(~bad, np.nan)


FIRST_DATE, END_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01")
"""Dates are accepted from 1900-01-01 up to 2199-12-31 (wider values are typing errors)."""


def _in_range(values: pd.Series) -> pd.Series:
    """``values`` as naive datetime64[ns] with anything outside [FIRST_DATE, END_DATE) or tz-aware as NaT."""
    if getattr(values.dt, "tz", None) is not None:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    inside = values.notna() & (values >= FIRST_DATE) & (values < END_DATE)
    return values.where(inside).astype("datetime64[ns]")


def _assemble(year: pd.Series, month: pd.Series, day: pd.Series, seconds: pd.Series) -> pd.Series:
    year = year.where((year >= FIRST_DATE.year) & (year < END_DATE.year))
    parts = pd.DataFrame({"year": year, "month": month, "day": day})
    date = pd.to_datetime(parts, errors="coerce") if len(parts) else pd.Series([], dtype="datetime64[ns]")
    return date + pd.to_timedelta(seconds, unit="s")


def _month_number(text: pd.Series) -> pd.Series:
    return text.str.lower().str[:3].map(_MONTHS)


@dataclass
class DateParse:
    """Result of :func:`parse_datetimes`: values (datetime64[ns]), unparseable mask, time-only mask
    (``time_of_day`` holds their seconds since midnight) and ``dayfirst`` when d/m/Y was inferred."""

    values: pd.Series
    bad: pd.Series
    time_only: pd.Series
    time_of_day: pd.Series
    dayfirst: bool = False
    mixed_order: bool = False


def parse_datetimes(series: pd.Series) -> DateParse:
    """Parse a column of dates/datetimes by the rules in the module docstring."""
    index = series.index
    empty_mask = pd.Series(False, index=index)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        if getattr(series.dt, "tz", None) is not None:  # e.g. PostgreSQL timestamptz: to hospital wall-clock time
            series = series.dt.tz_convert(settings.hospital_timezone()).dt.tz_localize(None)
        values = _in_range(series)
        bad = series.notna() & values.isna()
        return DateParse(values, bad, empty_mask, pd.Series(np.nan, index=index))
    text = as_text(series)
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    todo = text != ""
    # Fast path: ISO 8601 text of 8+ characters (full dates, never a bare year or year-month).
    fast = todo & (text.str.len() >= 8)
    if fast.any():
        # values with UTC offsets or mixed zones raise here and are left to the strict patterns (which refuse them)
        with contextlib.suppress(ValueError, TypeError, OverflowError):
            out[fast] = _in_range(pd.to_datetime(text[fast], format="ISO8601", errors="coerce"))
        todo &= ~(fast & out.notna())
    result = DateParse(out, empty_mask.copy(), empty_mask.copy(), pd.Series(np.nan, index=index))
    if todo.any():
        _parse_slow(text, todo, result)
    result.bad = (text != "") & result.values.isna() & ~result.time_only
    return result


def _parse_slow(text: pd.Series, todo: pd.Series, result: DateParse) -> None:
    out = result.values
    serial = todo & text.str.fullmatch(_SERIAL)
    if serial.any():
        days = pd.to_numeric(text[serial], errors="coerce")
        # serials below 61 fall before Excel's fictitious 1900-02-29 (Lotus 1-2-3 leap-year bug): refused
        ok = (days >= 61) & (days < (END_DATE - EXCEL_EPOCH).days)
        out[serial] = (EXCEL_EPOCH + pd.to_timedelta(days.where(ok).round(8), unit="D")).dt.round("s")
        todo &= ~serial
    for name, pattern in _DATE_PATTERNS.items():
        mask = todo & text.str.fullmatch(pattern)
        if not mask.any():
            continue
        parts = text[mask].str.extract(pattern)
        if name == "numeric":
            a, b = pd.to_numeric(parts["a"]), pd.to_numeric(parts["b"])
            result.dayfirst = bool((a > 12).any())
            result.mixed_order = bool(result.dayfirst and (b > 12).any())
            month, day = (b, a) if result.dayfirst else (a, b)
            seconds = _seconds(parts, 3)
        elif name == "mon_y":
            month, day, seconds = _month_number(parts["mon"]), pd.Series(1, index=parts.index), 0
        else:
            month = _month_number(parts["mon"]) if "mon" in parts else pd.to_numeric(parts["m"])
            day = pd.to_numeric(parts["d"])
            seconds = _seconds(parts, 3)
        out[mask] = _assemble(_year(parts["y"]), month, day, seconds).astype("datetime64[ns]")
        todo &= ~mask
    times = todo & text.str.fullmatch(_TIME_ONLY)
    if times.any():
        parts = text[times].str.extract(_TIME_ONLY)
        seconds = _seconds(parts, 0)
        result.time_of_day[times] = seconds
        result.time_only[times] = seconds.notna()


def parse_numbers(
    series: pd.Series, *, decimal_comma: bool = False, integer: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Parse numbers (rules in the module docstring). Returns ``(float64 values, unparseable mask)``."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.astype("float64")
        bad = values.notna() & ~np.isfinite(values.fillna(0))
    else:
        text = as_text(series)
        values = pd.to_numeric(text.where(text != "", None), errors="coerce").astype("float64")
        retry = (text != "") & values.isna()
        if retry.any():
            values[retry] = _clean_numbers(text[retry], decimal_comma)
        bad = (text != "") & (values.isna() | ~np.isfinite(values.fillna(0)))
    if integer:
        fractional = values.notna() & (values != values.round())
        bad |= fractional
    values = values.where(~bad, np.nan)
    return values, bad


def _clean_numbers(text: pd.Series, decimal_comma: bool) -> pd.Series:
    """Numbers written with a currency sign, a percent sign, thousands separators or a decimal comma."""
    clean = text.str.replace(r"^[$€£]\s*|\s*%$", "", regex=True)
    thousands = clean.str.fullmatch(_THOUSANDS)
    clean = clean.where(~thousands, clean.str.replace(",", "", regex=False))
    if decimal_comma:
        comma = clean.str.fullmatch(_DECIMAL_COMMA)
        clean = clean.where(~comma, clean.str.replace(",", ".", regex=False))
    return pd.to_numeric(clean, errors="coerce").astype("float64")


def parse_bools(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse booleans from the tokens :data:`TRUE_TOKENS` / :data:`FALSE_TOKENS`. Returns ``(boolean, bad)``."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("boolean"), pd.Series(False, index=series.index)
    token = as_text(series).str.lower()
    values = pd.Series(pd.NA, index=series.index, dtype="boolean")
    values[token.isin(TRUE_TOKENS)] = True
    values[token.isin(FALSE_TOKENS)] = False
    bad = (token != "") & values.isna()
    return values, bad


def parse_categories(series: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """Allowed values exactly as in the schema, matched by :func:`normalise_token` and synonyms."""
    lookup = {normalise_token(a): a for a in column.allowed or ()}
    for source, target in CATEGORY_SYNONYMS.get(column.name, {}).items():
        lookup.setdefault(source, target)
    text = as_text(series)
    matched = {v: lookup.get(normalise_token(v)) for v in text.unique() if v}
    values = text.map(matched)
    bad = (text != "") & values.isna()
    return values.astype("string"), bad


def parse_strings(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Stripped text (``string`` dtype), empty as missing; never bad here (length is checked earlier)."""
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        text = series.str.strip()
        return text.where(text != "").astype("string"), pd.Series(False, index=series.index)
    text = as_text(series)
    return text.where(text != "", None).astype("string"), pd.Series(False, index=series.index)


# ---------------------------------------------------------------------------------------- problems


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


# -------------------------------------------------------------------------------------- validation


def hospital_today() -> dt.date:
    """Today's date in the hospital time zone (``settings.hospital_timezone()``)."""
    return dt.datetime.now(ZoneInfo(settings.hospital_timezone())).date()


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


def parse_piece(piece: Piece, problems: Problems) -> tuple[pd.DataFrame, pd.Series]:
    """Typed columns of ``piece`` (every schema column, missing ones empty) and its bad-row mask."""
    table = TABLES[piece.table]
    raw = piece.frame
    bad = pd.Series(False, index=raw.index)
    typed = pd.DataFrame(index=raw.index)
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
        values, col_bad, reason = _parse_column(raw[col.name], col, piece, problems)
        typed[col.name] = values
        if col_bad.any():
            problems.add_rows(raw[col_bad], col.name, raw[col.name][col_bad], reason)
            bad |= col_bad
        if col.required:
            missing = values.isna() & ~col_bad
            if col.kind == "datetime" and not pd.api.types.is_datetime64_any_dtype(raw[col.name].dtype):
                missing &= as_text(raw[col.name]) == ""  # time-only values are combined with the shift date later
            if missing.any():
                problems.add_rows(
                    raw[missing], col.name, "", f"{col.name} is required but empty. Fill it in or remove the row."
                )
                bad |= missing
    for name in LOADER_ONLY.get(piece.table, ()):
        if name in raw.columns:
            typed[name] = raw[name]
    typed["source_row"] = raw["source_row"].astype("Int64")
    typed["source_sheet"] = raw["source_sheet"].astype("string")
    return typed, bad


LOADER_ONLY = {"shifts": ("shift_date",)}


def _length(value: object) -> int:
    return len(value) if isinstance(value, str) else 0


def _empty(col: Column) -> pd.Series:
    return pd.Series(dtype=canonical_dtype(col))


def canonical_dtype(col: Column) -> str:
    """The pandas dtype of a canonical column kind (:data:`data_loaders.schema.PANDAS_DTYPES`)."""
    return PANDAS_DTYPES[col.kind]


def _parse_column(series: pd.Series, col: Column, piece: Piece, problems: Problems) -> tuple[pd.Series, pd.Series, str]:
    kind = col.kind
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
        elif piece.table == "shifts":
            piece.frame[f"__{col.name}_time"] = parsed.time_of_day
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
        return values.astype("datetime64[ns]"), bad, reason
    if kind in ("int", "float"):
        values, bad = parse_numbers(series, decimal_comma=piece.decimal_comma, integer=kind == "int")
        what = "a whole number" if kind == "int" else "a number"
        unit = f" ({col.unit})" if col.unit else ""
        out = values.round().astype("Int64") if kind == "int" else values
        return out, bad, f"{col.name} must be {what}{unit}; correct the value."
    if kind == "bool":
        values, bad = parse_bools(series)
        return values, bad, f"{col.name} must be yes/no (Y/N, Yes/No, TRUE/FALSE or 1/0); correct the value."
    if kind == "category":
        values, bad = parse_categories(series, col)
        allowed = ", ".join(col.allowed or ())
        return values, bad, f"{col.name} must be one of: {allowed}. Correct the value or recode it in the source."
    values, bad = parse_strings(series)
    return values, bad, ""


def _range_problems(frame: pd.DataFrame, table: Table, problems: Problems) -> pd.Series:
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


def _future_problems(frame: pd.DataFrame, table: Table, today: dt.date, problems: Problems) -> pd.Series:
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
    if table.name == "shifts" and "start" in frame.columns:
        status = frame["status"] if "status" in frame.columns else pd.Series(pd.NA, index=frame.index)
        worked = status.isna() | (status == "worked")
        hit = worked & frame["start"].notna() & (frame["start"] >= limit + pd.Timedelta(days=1)) & ~bad
        if hit.any():
            problems.add_rows(
                frame[hit],
                "start",
                frame.loc[hit, "start"].dt.strftime("%Y-%m-%d %H:%M"),
                f"A worked timecard cannot start after today ({today.isoformat()}). If this is a future roster "
                "shift, give it the status 'scheduled'.",
            )
            bad |= hit
    return bad


def _formula_text_warnings(frame: pd.DataFrame, table: Table, problems: Problems) -> None:
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


def _order_problems(frame: pd.DataFrame, table: Table, problems: Problems) -> pd.Series:
    """Date-order rules: a later event before its earlier one."""
    rules = {
        "units": ("opened", "closed"),
        "employees": ("hire_date", "termination_date"),
        "requisitions": ("opened", "filled"),
    }
    bad = pd.Series(False, index=frame.index)
    if table.name not in rules:
        return bad
    first, later = rules[table.name]
    hit = frame[first].notna() & frame[later].notna() & (frame[later] < frame[first])
    problems.add_rows(
        frame[hit],
        later,
        frame.loc[hit, later].dt.strftime("%Y-%m-%d"),
        f"{later} is before {first}; correct one of the two dates.",
    )
    return bad | hit


def _duplicate_problems(frame: pd.DataFrame, table: Table, problems: Problems) -> pd.Series:
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


def _shift_rules(frame: pd.DataFrame, piece_bad: pd.Series, problems: Problems) -> pd.Series:
    """Shift timestamps, time-only exports, end after start, and timezone-aware hours.

    ``hours`` missing -> clock duration in the hospital time zone (ambiguous fall-back times are the
    first occurrence; times inside the spring-forward gap do not exist and are errors). Given hours
    that differ from the clock duration by more than the duration itself, and shifts over 24 h,
    are errors.
    """
    bad = pd.Series(False, index=frame.index)
    start_t = frame.get("__start_time", pd.Series(np.nan, index=frame.index))
    end_t = frame.get("__end_time", pd.Series(np.nan, index=frame.index))
    time_only = start_t.notna() | end_t.notna()
    if time_only.any():
        day = parse_datetimes(frame["shift_date"]).values.dt.normalize() if "shift_date" in frame else None
        if day is None:
            hit = time_only & ~piece_bad
            problems.add_rows(
                frame[hit],
                "start",
                "",
                "start/end hold clock times without a date; add the shift date column (e.g. 'Shift Date') or give "
                "full date and time.",
            )
            bad |= hit
        else:
            start = day + pd.to_timedelta(start_t, unit="s")
            end = day + pd.to_timedelta(end_t, unit="s")
            end = end.where(end > start, end + pd.Timedelta(days=1))
            frame.loc[time_only, "start"] = start[time_only]
            frame.loc[time_only, "end"] = end[time_only]
            no_day = time_only & day.isna()
            problems.add_rows(frame[no_day & ~piece_bad], "shift_date", "", "The shift date is missing or unreadable.")
            bad |= no_day
    full = ~time_only & frame["start"].notna() & frame["end"].notna()
    order = full & (frame["end"] <= frame["start"])
    problems.add_rows(
        frame[order],
        "end",
        frame.loc[order, "end"].dt.strftime("%Y-%m-%d %H:%M"),
        "The shift ends at or before its start. Check the end date (a night shift ends on the next day).",
    )
    bad |= order
    tz = settings.hospital_timezone()
    flags = np.ones(len(frame), dtype=bool)
    start_utc = frame["start"].dt.tz_localize(tz, ambiguous=flags, nonexistent="NaT")
    end_utc = frame["end"].dt.tz_localize(tz, ambiguous=flags, nonexistent="NaT")
    for name, local, utc in (("start", frame["start"], start_utc), ("end", frame["end"], end_utc)):
        gap = local.notna() & utc.isna()
        problems.add_rows(
            frame[gap],
            name,
            local[gap].dt.strftime("%Y-%m-%d %H:%M"),
            f"This {name} time does not exist in {tz}: clocks skip that hour when daylight-saving time begins. "
            "Correct the time.",
        )
        bad |= gap
    duration = (end_utc - start_utc).dt.total_seconds() / 3600
    too_long = duration > 24
    problems.add_rows(
        frame[too_long],
        "end",
        duration[too_long].round(2).astype(str) + " h",
        "The shift lasts more than 24 hours; check start and end.",
    )
    bad |= too_long
    given = frame["hours"]
    impossible = (given >= 0) & duration.notna() & ((given - duration).abs() > duration) & (duration > 0)
    problems.add_rows(
        frame[impossible],
        "hours",
        given[impossible],
        "hours differs from the clock time between start and end by more than the shift's own length; "
        "check hours, start and end.",
    )
    bad |= impossible
    frame["hours"] = given.where(given.notna(), duration.where(duration > 0).round(4))
    return bad


def _row_rules(frame: pd.DataFrame, table: Table, problems: Problems) -> pd.Series:
    bad = pd.Series(False, index=frame.index)
    if table.one_of_required:
        none = frame[list(table.one_of_required)].isna().all(axis=1)
        names = " or ".join(table.one_of_required)
        problems.add_rows(frame[none], names, "", f"The row has no {names}; give at least one of them.")
        bad |= none
    if table.name == "wellbeing":
        refused = frame["consent"].ne(True).fillna(True) & frame["consent"].notna()
        problems.add_rows(
            frame[refused],
            "consent",
            frame.loc[refused, "consent"].astype(str),
            "Wearable data is stored only with the employee's consent; this row has no consent and was refused.",
        )
        bad |= refused
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


def validate_table(
    table_name: str,
    pieces: list[Piece],
    *,
    known_keys: dict[str, set] | None = None,
    file_keys: dict[str, set] | None = None,
    rejected_keys: dict[str, set] | None = None,
    today: dt.date | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Validate every piece of one table.

    ``file_keys``/``rejected_keys``: accepted/rejected natural-key values (single-column keys) of
    tables validated earlier from the same file. Returns ``(accepted, problems, accepted rows per
    sheet)``; ``accepted`` has the schema columns in order with canonical dtypes plus
    ``source_row`` (Int64) and ``source_sheet`` (string).
    """
    table = TABLES[table_name]
    problems = Problems(table_name)
    today = today or hospital_today()
    typed_parts, bad_parts = [], []
    for piece in pieces:
        if not check_columns(piece, problems):
            continue
        typed, bad = parse_piece(piece, problems)
        for extra in ("__start_time", "__end_time"):
            if extra in piece.frame:
                typed[extra] = piece.frame[extra]
        typed_parts.append(typed)
        bad_parts.append(bad)
    if not typed_parts:
        return empty_table(table), problems.frame(), {}
    frame = pd.concat(typed_parts, ignore_index=True)
    bad = pd.concat(bad_parts, ignore_index=True)
    if table_name == "shifts":
        bad |= _shift_rules(frame, bad, problems)
    bad |= _range_problems(frame, table, problems)
    bad |= _future_problems(frame, table, today, problems)
    bad |= _order_problems(frame, table, problems)
    bad |= _row_rules(frame, table, problems)
    bad |= _duplicate_problems(frame, table, problems)
    bad |= reference_problems(frame, table, known_keys, file_keys or {}, rejected_keys or {}, problems)
    _formula_text_warnings(frame[~bad], table, problems)
    accepted = frame[~bad.to_numpy()]
    accepted = accepted[[*table.column_names, "source_row", "source_sheet"]].reset_index(drop=True)
    for col in table.columns:
        accepted[col.name] = accepted[col.name].astype(canonical_dtype(col))
    per_sheet = accepted.groupby("source_sheet", sort=False).size().to_dict()
    return accepted, problems.frame(), {str(k): int(v) for k, v in per_sheet.items()}


def empty_table(table: Table) -> pd.DataFrame:
    """An empty frame with ``table``'s canonical columns and dtypes plus ``source_row``/``source_sheet``."""
    frame = pd.DataFrame({c.name: _empty(c) for c in table.columns})
    frame["source_row"] = pd.Series(dtype="Int64")
    frame["source_sheet"] = pd.Series(dtype="string")
    return frame
