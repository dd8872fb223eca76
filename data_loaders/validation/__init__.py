"""Parse raw cells per canonical kind and validate rows against the data model.

Input is one :class:`Piece` per sheet: canonical column names (from :mod:`data_loaders.mapping`),
cells as text (or already-typed values from a DataFrame or database), plus ``source_row`` and
``source_sheet``. :func:`validate_table` returns the accepted rows with canonical dtypes and one
problem row per failed check. Nothing is dropped or coerced silently. The modules, one idea each:

* :mod:`~data_loaders.validation.parsing` — cells to values per column kind (the accepted spellings);
* :mod:`~data_loaders.validation.problems` — the problem rows and their shape;
* :mod:`~data_loaders.validation.pieces` — one sheet's rows: required columns, every cell parsed;
* :mod:`~data_loaders.validation.checks` — checks from column and key declarations (ranges, future
  dates, one-of-required, duplicates, references);
* :mod:`~data_loaders.validation.rules` — rules across columns declared on a table (``Table.rules``);
* :mod:`~data_loaders.validation.shift_rules` — the shift clock-time rule;
* :mod:`~data_loaders.validation.table` — :func:`validate_table`, which runs them in order.
"""

from __future__ import annotations

from data_loaders.validation.checks import reference_problems
from data_loaders.validation.parsing import (
    CATEGORY_SYNONYMS,
    END_DATE,
    EXCEL_EPOCH,
    FALSE_TOKENS,
    FIRST_DATE,
    TRUE_TOKENS,
    DateParse,
    as_text,
    parse_bools,
    parse_categories,
    parse_datetimes,
    parse_numbers,
    parse_strings,
)
from data_loaders.validation.pieces import (
    ParsedPiece,
    Piece,
    canonical_dtype,
    check_columns,
    empty_table,
    missing_columns_reason,
    parse_piece,
)
from data_loaders.validation.problems import (
    MAX_VALUE_CHARS_IN_REPORT,
    PROBLEM_COLUMNS,
    Problems,
    concat_problems,
    empty_problems,
)
from data_loaders.validation.rules import TableRows
from data_loaders.validation.table import RULE_CHECKS, apply_rule, hospital_today, validate_table

__all__ = [
    "CATEGORY_SYNONYMS",
    "END_DATE",
    "EXCEL_EPOCH",
    "FALSE_TOKENS",
    "FIRST_DATE",
    "MAX_VALUE_CHARS_IN_REPORT",
    "PROBLEM_COLUMNS",
    "RULE_CHECKS",
    "TRUE_TOKENS",
    "DateParse",
    "ParsedPiece",
    "Piece",
    "Problems",
    "TableRows",
    "apply_rule",
    "as_text",
    "canonical_dtype",
    "check_columns",
    "concat_problems",
    "empty_problems",
    "empty_table",
    "hospital_today",
    "missing_columns_reason",
    "parse_bools",
    "parse_categories",
    "parse_datetimes",
    "parse_numbers",
    "parse_piece",
    "parse_strings",
    "reference_problems",
    "validate_table",
]
