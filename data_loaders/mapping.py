"""Match real-world headers to the canonical data model: header row, table and column mapping.

Headers are compared after :func:`normalise_header` (case, spaces and punctuation removed, ``#``
and ``number`` read as ``no``), against each column's name and ``Column.aliases`` in
:mod:`data_loaders.schema`. The header row is the row among the first :data:`HEADER_SEARCH_ROWS`
with the most alias matches (title rows above it are skipped). The table of a sheet is decided by
its name when it names a table (``"Shifts"``, ``"employees"``), else by column overlap (most
required columns matched, then most columns matched).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from data_loaders.schema import TABLES, Table

HEADER_SEARCH_ROWS = 20

LOADER_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    table.name: {name: aliases for rule in table.rules for name, aliases in rule.loader_columns.items()}
    for table in TABLES.values()
}
"""Columns the loader understands but the store does not keep (table -> column -> header aliases), as
declared by the table's rules: e.g. a shift export that gives the date in one column and clock times in
``start``/``end`` is combined into full timestamps (``schema.ShiftClockTimes``)."""

PERSONAL_DATA_WORDS = frozenset(
    {
        "birth",
        "dob",
        "birthday",
        "gender",
        "sex",
        "marital",
        "nationality",
        "address",
        "street",
        "city",
        "state",
        "province",
        "zip",
        "postal",
        "postcode",
        "country",
        "telephone",
        "phone",
        "mobile",
        "email",
        "ssn",
        "passport",
        "license",
        "licence",
        "middle",
        "religion",
        "ethnicity",
    }
)
"""Words in headers of personal data the product does not store (data minimisation,
GDPR Art. 5(1)(c)): such columns are ignored with a warning saying why."""


def normalise_header(text: object) -> str:
    """Compare-form of a header: lower case, ``#`` and ``number`` as ``no``, only letters and digits."""
    value = str(text).strip().lower().replace("#", "no")
    value = re.sub(r"[^0-9a-z]", "", value)
    return value.replace("number", "no")


def normalise_token(text: object) -> str:
    """Compare-form of a category value: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", str(text).strip().lower())


def alias_index(table: Table) -> dict[str, str]:
    """Normalised header -> canonical column of ``table`` (column names first, then aliases in order)."""
    index: dict[str, str] = {}
    for col in table.columns:
        index.setdefault(normalise_header(col.name), col.name)
    for col in table.columns:
        for alias in col.aliases:
            index.setdefault(normalise_header(alias), col.name)
    for name, aliases in LOADER_COLUMNS.get(table.name, {}).items():
        for alias in (name, *aliases):
            index.setdefault(normalise_header(alias), name)
    return index


_INDEXES = {name: alias_index(table) for name, table in TABLES.items()}
_ANY_ALIAS = set().union(*(set(ix) for ix in _INDEXES.values()))


def table_for_sheet_name(sheet_name: str) -> str | None:
    """The table a sheet name names (``"Shifts"``, ``"staffed hours"``, ``"Employee"``), else ``None``."""
    key = normalise_header(sheet_name)
    for name in TABLES:
        table_key = normalise_header(name)
        if key in {table_key, table_key.rstrip("s"), table_key + "s"}:
            return name
    return None


def find_header_row(grid: pd.DataFrame, table: str | None = None) -> int:
    """Position (0-based, in ``grid``) of the header row: most alias matches in the first rows.

    Ties go to the upper row; a grid with no alias at all has its first non-empty row as header.
    """
    known = set(_INDEXES[table]) if table else _ANY_ALIAS
    best, best_score, first_nonempty = 0, 0, None
    for pos in range(min(HEADER_SEARCH_ROWS, len(grid))):
        cells = [str(v) for v in grid.iloc[pos].tolist()]
        if first_nonempty is None and any(c.strip() for c in cells):
            first_nonempty = pos
        score = len({normalise_header(c) for c in cells if c.strip()} & known)
        if score > best_score:
            best, best_score = pos, score
    return best if best_score else (first_nonempty or 0)


def detect_table(
    headers: list[str],
    sheet: str,
    overrides: dict[str, str] | None = None,
    table_mappings: dict[str, dict[str, str]] | None = None,
) -> str | None:
    """The canonical table a sheet holds: its name if it names one, else best column overlap, else ``None``.

    ``overrides`` (header -> column) apply to every candidate table; ``table_mappings`` (table -> header ->
    column, e.g. mappings users saved for a table) count only for their own table."""
    named = table_for_sheet_name(sheet)
    if named:
        return named
    overrides = overrides or {}
    best, best_score = None, (0.0, 0)
    for name, table in TABLES.items():
        index = _INDEXES[name]
        matched = set()
        for header in headers:
            target = overrides.get(header)
            if target is None:
                target = (table_mappings or {}).get(name, {}).get(header)
            if target is None:
                target = index.get(normalise_header(header))
            if target in table.column_names:
                matched.add(target)
        required = [c.name for c in table.columns if c.required]
        score = (len(matched & set(required)) / max(len(required), 1), len(matched))
        if score[1] and score > best_score:
            best, best_score = name, score
    return best


@dataclass
class ColumnMapping:
    """How one sheet's headers map onto ``table``.

    ``mapping``: source header -> canonical (or loader) column; ``unmapped``: headers ignored;
    ``notes``: ``(header, reason)`` warnings for the user.
    """

    table: str
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


def map_columns(headers: list[str], table: str, overrides: dict[str, str] | None = None) -> ColumnMapping:
    """Map ``headers`` onto ``table``; user ``overrides`` (header -> column, ``""`` = ignore) win over aliases.

    An override naming a column ``table`` does not have (e.g. saved for another table) falls back to
    the aliases. A canonical column is filled from the first header that maps to it; later ones are
    ignored with a note.
    """
    overrides = overrides or {}
    index = _INDEXES[table]
    allowed = set(TABLES[table].column_names) | set(LOADER_COLUMNS.get(table, {}))
    result = ColumnMapping(table)
    taken: dict[str, str] = {}
    for header in headers:
        if header in overrides:
            target = overrides[header]
            if target == "":
                result.unmapped.append(header)
                result.notes.append((header, f"column '{header}' was ignored as set in the mapping panel."))
                continue
            if target not in allowed:
                # a mapping saved for another table: fall back to the aliases of this one
                target = index.get(normalise_header(header))
                if target is None:
                    result.unmapped.append(header)
                    result.notes.append(
                        (
                            header,
                            f"the mapping panel maps column '{header}' to '{overrides[header]}', which is not a "
                            f"column of {table}; the column was ignored. Choose one of: {', '.join(sorted(allowed))}.",
                        )
                    )
                    continue
        else:
            target = index.get(normalise_header(header))
        if target is None:
            result.unmapped.append(header)
            result.notes.append((header, unmapped_reason(header, table)))
            continue
        if target in taken:
            result.unmapped.append(header)
            result.notes.append(
                (
                    header,
                    f"column '{header}' also maps to {target}, which is already read from column '{taken[target]}'; "
                    "it was ignored. Use the mapping panel if it is the one to use.",
                )
            )
            continue
        taken[target] = header
        result.mapping[header] = target
    return result


def unmapped_reason(header: str, table: str) -> str:
    """Warning sentence for a header that is not in the data model."""
    if re.fullmatch(r"\(column \d+\)", header):
        return (
            f"{header} has no header but holds values; it was ignored. Give it a header or map it in the mapping "
            "panel (a delimiter inside an unquoted value also causes this)."
        )
    words = set(re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", str(header)).lower()))
    if words & PERSONAL_DATA_WORDS:
        return f"column '{header}' holds personal data the product does not store (data minimisation); it was ignored."
    columns = ", ".join(c.name for c in TABLES[table].columns)
    return (
        f"column '{header}' is not in the data model and was ignored; map it in the mapping panel if it holds "
        f"one of the {table} columns ({columns})."
    )
