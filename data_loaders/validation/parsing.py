"""Parse raw cells per canonical column kind: dates and times, numbers, yes/no, categories, text.

Each parser takes one column (text cells, or values already typed by a DataFrame or database) and
returns the values in the canonical dtype plus a mask of cells that could not be read. Nothing is
coerced silently: an unreadable cell is marked, never guessed.

Rules (documented for users in ``docs/loading.md``)
---------------------------------------------------
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
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_loaders import settings
from data_loaders.mapping import normalise_token
from data_loaders.readers import cell_text
from data_loaders.schema import Column

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
