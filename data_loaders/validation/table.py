"""Validate one table: parse its pieces, then apply the checks and rules its schema declares.

Order (it decides the order of problem rows): required columns per sheet; parsing per column kind;
rules that complete values (``Rule.derives``); ranges; ``not_future`` columns; the other declared
rules in declaration order; ``one_of_required``; duplicate natural keys; references; warnings about
text that looks like a spreadsheet formula. A row failing any check is rejected with one problem row
per failed check; nothing is dropped or coerced silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from data_loaders import settings
from data_loaders.schema import TABLES, DateOrder, NotInFuture, RequiresConsent, Rule, ShiftClockTimes
from data_loaders.validation.checks import (
    duplicate_problems,
    formula_text_warnings,
    future_problems,
    one_of_required_problems,
    range_problems,
    reference_problems,
)
from data_loaders.validation.pieces import (
    ParsedPiece,
    Piece,
    canonical_dtype,
    check_columns,
    clock_time_columns,
    empty_table,
    parse_piece,
)
from data_loaders.validation.problems import Problems
from data_loaders.validation.rules import TableRows, check_consent, check_date_order, check_not_in_future
from data_loaders.validation.shift_rules import check_shift_clock_times

RULE_CHECKS: dict[type[Rule], Callable[[Any, TableRows], pd.Series]] = {
    DateOrder: check_date_order,
    RequiresConsent: check_consent,
    NotInFuture: check_not_in_future,
    ShiftClockTimes: check_shift_clock_times,
}
"""The check of each kind of rule the schema can declare (rule type -> check returning rejected rows)."""


def hospital_today() -> dt.date:
    """Today's date in the hospital time zone (``settings.hospital_timezone()``)."""
    return dt.datetime.now(ZoneInfo(settings.hospital_timezone())).date()


def apply_rule(rule: Rule, rows: TableRows) -> pd.Series:
    """Run the check of ``rule`` on ``rows``; returns the rows it rejects.

    Raises ``TypeError`` for a kind of rule that has no check in :data:`RULE_CHECKS` (a programming error).
    """
    check = RULE_CHECKS.get(type(rule))
    if check is None:
        raise TypeError(f"{type(rule).__name__} has no check in data_loaders.validation.table.RULE_CHECKS")
    return check(rule, rows)


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
    ``source_row`` (Int64) and ``source_sheet`` (string). The pieces' frames are not modified.
    """
    table = TABLES[table_name]
    problems = Problems(table_name)
    today = today or hospital_today()
    parsed = [parse_piece(piece, problems) for piece in pieces if check_columns(piece, problems)]
    if not parsed:
        return empty_table(table), problems.frame(), {}
    frame = pd.concat([p.typed for p in parsed], ignore_index=True)
    rows = TableRows(
        table,
        frame,
        pd.concat([p.bad for p in parsed], ignore_index=True),
        _clock_times(parsed, clock_time_columns(table)),
        today,
        problems,
    )
    for rule in table.rules:
        if rule.derives:
            rows.bad |= apply_rule(rule, rows)
    rows.bad |= range_problems(frame, table, problems)
    rows.bad |= future_problems(frame, table, today, problems)
    for rule in table.rules:
        if not rule.derives:
            rows.bad |= apply_rule(rule, rows)
    rows.bad |= one_of_required_problems(frame, table, problems)
    rows.bad |= duplicate_problems(frame, table, problems)
    rows.bad |= reference_problems(frame, table, known_keys, file_keys or {}, rejected_keys or {}, problems)
    bad = rows.bad
    formula_text_warnings(frame[~bad], table, problems)
    accepted = frame[~bad.to_numpy()]
    accepted = accepted[[*table.column_names, "source_row", "source_sheet"]].reset_index(drop=True)
    for col in table.columns:
        accepted[col.name] = accepted[col.name].astype(canonical_dtype(col))
    per_sheet = accepted.groupby("source_sheet", sort=False).size().to_dict()
    return accepted, problems.frame(), {str(k): int(v) for k, v in per_sheet.items()}


def _clock_times(parsed: list[ParsedPiece], columns: set[str]) -> dict[str, pd.Series]:
    """Clock times per column over all pieces, aligned with their concatenated frame (NaN where none)."""
    return {
        name: pd.concat(
            [p.clock_times.get(name, pd.Series(np.nan, index=p.typed.index)) for p in parsed], ignore_index=True
        )
        for name in sorted(columns)
        if any(name in p.clock_times for p in parsed)
    }
