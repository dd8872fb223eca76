"""Rules across columns of one row, applied as the table declares them (``Table.rules`` in the schema).

:class:`TableRows` is what a rule sees: the table's typed rows (all its pieces in one frame), the
rows rejected so far, clock times parsed for the rule to combine with a date, today's date and the
problem collector. Each check adds one problem row per failure, with the rule's declared
``message``, and returns the mask of rows it rejects. The checks of the generic rules are here; the
shift clock rule is in :mod:`data_loaders.validation.shift_rules`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from data_loaders.schema import DateOrder, NotInFuture, RequiresConsent, Table
from data_loaders.validation.problems import Problems


@dataclass
class TableRows:
    """The rows of one table while its rules run.

    ``frame``: every schema column in its canonical dtype plus the loader-only columns the rules read,
    ``source_row`` and ``source_sheet``; it belongs to the validation run (never the caller's frame)
    and a rule with ``derives = True`` may complete values in it. ``bad``: rows rejected so far.
    ``clock_times``: per column a rule accepts as a clock time alone, seconds since midnight (float,
    NaN where the cell held a full timestamp or nothing). ``today``: the limit for future dates.
    """

    table: Table
    frame: pd.DataFrame
    bad: pd.Series
    clock_times: dict[str, pd.Series]
    today: dt.date
    problems: Problems


def shown_as_text(values: pd.Series, kind: str) -> pd.Series:
    """Dates as ``YYYY-MM-DD``, datetimes as ``YYYY-MM-DD HH:MM``, for the ``value`` of a problem row."""
    return values.dt.strftime("%Y-%m-%d %H:%M" if kind == "datetime" else "%Y-%m-%d")


def check_date_order(rule: DateOrder, rows: TableRows) -> pd.Series:
    """Rows whose ``rule.later`` is before ``rule.first`` (both given)."""
    frame = rows.frame
    hit = frame[rule.first].notna() & frame[rule.later].notna() & (frame[rule.later] < frame[rule.first])
    rows.problems.add_rows(
        frame[hit],
        rule.later,
        shown_as_text(frame.loc[hit, rule.later], rows.table.column(rule.later).kind),
        rule.message.format(first=rule.first, later=rule.later),
    )
    return hit


def check_consent(rule: RequiresConsent, rows: TableRows) -> pd.Series:
    """Rows whose yes/no ``rule.column`` is given and not yes."""
    frame = rows.frame
    consent = frame[rule.column]
    refused = consent.ne(True).fillna(True) & consent.notna()
    rows.problems.add_rows(
        frame[refused],
        rule.column,
        frame.loc[refused, rule.column].astype(str),
        rule.message.format(column=rule.column),
    )
    return refused


def check_not_in_future(rule: NotInFuture, rows: TableRows) -> pd.Series:
    """Rows whose ``rule.column`` falls on a day after ``rows.today``, except those matching ``rule.unless``."""
    frame = rows.frame
    values = frame[rule.column]
    hit = values.notna() & (values >= pd.Timestamp(rows.today) + pd.Timedelta(days=1))
    if rule.unless is not None:
        column, exempt = rule.unless
        hit &= ~frame[column].eq(exempt).fillna(False).astype(bool)
    rows.problems.add_rows(
        frame[hit],
        rule.column,
        shown_as_text(values[hit], rows.table.column(rule.column).kind),
        rule.message.format(column=rule.column, today=rows.today.isoformat()),
    )
    return hit
