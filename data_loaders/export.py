"""Safe exports: CSV/XLSX cells that a spreadsheet would execute are neutralised.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel and LibreOffice (OWASP, "CSV Injection"). Every export of data from this product
goes through :func:`neutralise_cells`, which prefixes such text with an apostrophe so it is shown,
never evaluated. Numbers are left as numbers (a negative number is data, not a formula).
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(value: object) -> object:
    """Return ``value`` with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` whose text cells and column names are safe to open in a spreadsheet.

    Shape and dtypes are kept; only object/string columns change. Raises nothing.
    """
    safe = frame.copy()
    safe.columns = [neutralise_text(str(c)) for c in safe.columns]
    for name in safe.columns:
        col = safe[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            safe[name] = col.map(neutralise_text, na_action="ignore")
    return safe


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 (with BOM, so Excel detects it) CSV bytes of ``frame`` with formula cells neutralised."""
    return neutralise_cells(frame).to_csv(index=False).encode("utf-8-sig")


def to_safe_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """XLSX bytes, one sheet per item, every data cell neutralised and written as a value, never a formula."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(
        buffer, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}
    ) as writer:
        for name, frame in sheets.items():
            neutralise_cells(frame).to_excel(writer, sheet_name=str(name)[:31], index=False)
    return buffer.getvalue()
