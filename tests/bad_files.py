"""Builds the hostile and bad file corpus in a temporary folder at test time (nothing binary is committed).

Each builder writes one file and returns its path. :data:`BAD_FILES` maps a case name to its
builder and a fragment the problem reason must contain (case-insensitive).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

SHIFT_HEADER = "Employee ID,Unit,Shift Start,Shift End,Hours\n"


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    """A valid XLSX workbook with the given rows per sheet (written by XlsxWriter)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def rewrite_member(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """Copy of zip ``data`` with ``member`` replaced by ``change(old content)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(content) if info.filename == member else content)
    return out.getvalue()


def _units_rows() -> list[list[object]]:
    return [["Unit ID", "Unit Name", "Unit Type"], ["ICU", "Intensive care", "ICU"]]


def empty_csv(folder: Path) -> Path:
    path = folder / "empty.csv"
    path.write_bytes(b"")
    return path


def zero_byte_xlsx(folder: Path) -> Path:
    path = folder / "zero.xlsx"
    path.write_bytes(b"")
    return path


def pdf_renamed_xlsx(folder: Path) -> Path:
    path = folder / "report.xlsx"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
    return path


def docx_renamed_xlsx(folder: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    path = folder / "letter.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


def truncated_xlsx(folder: Path) -> Path:
    data = xlsx_bytes({"units": _units_rows() * 50})
    path = folder / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def huge_cell_csv(folder: Path) -> Path:
    path = folder / "huge_cell.csv"
    path.write_text("Unit ID,Unit Name\nICU," + "x" * 1_000_000 + "\nED,Emergency\n", encoding="utf-8")
    return path


def duplicate_ids_csv(folder: Path) -> Path:
    path = folder / "units_dup.csv"
    path.write_text("Unit ID,Unit Name\nICU,Intensive care\nED,Emergency\nICU,Intensive care again\n")
    return path


def negative_hours_csv(folder: Path) -> Path:
    path = folder / "shifts_negative.csv"
    path.write_text(SHIFT_HEADER + "E1,ICU,2026-01-05 07:00,2026-01-05 19:00,-12\n")
    return path


def future_dates_csv(folder: Path) -> Path:
    path = folder / "employees_future.csv"
    path.write_text("Employee ID,Job,Hire Date\nE1,RN,2099-01-01\nE2,RN,2020-01-01\n")
    return path


def unknown_units_csv(folder: Path) -> Path:
    path = folder / "shifts_unknown_unit.csv"
    path.write_text(SHIFT_HEADER + "E1,MARS,2026-01-05 07:00,2026-01-05 19:00,12\n")
    return path


def entity_expansion_xlsx(folder: Path) -> Path:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>'
    )
    data = rewrite_member(
        xlsx_bytes({"units": _units_rows()}),
        "xl/sharedStrings.xml",
        lambda old: bomb + old.split(b"?>", 1)[1].replace(b"Intensive care", b"&lol3;"),
    )
    path = folder / "entities.xlsx"
    path.write_bytes(data)
    return path


def zip_bomb_xlsx(folder: Path) -> Path:
    padding = b" " * (24 * 1024 * 1024)
    data = rewrite_member(
        xlsx_bytes({"units": _units_rows()}),
        "xl/worksheets/sheet1.xml",
        lambda old: old.replace(b"<sheetData>", b"<sheetData>" + padding),
    )
    path = folder / "bomb.xlsx"
    path.write_bytes(data)
    return path


def huge_dimension_xlsx(folder: Path) -> Path:
    data = rewrite_member(
        xlsx_bytes({"units": _units_rows()}),
        "xl/worksheets/sheet1.xml",
        lambda old: old.replace(b'<dimension ref="A1:C2"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )
    path = folder / "dimension.xlsx"
    path.write_bytes(data)
    return path


def header_only_csv(folder: Path) -> Path:
    path = folder / "header_only.csv"
    path.write_text("Unit ID,Unit Name,Unit Type\n")
    return path


def garbage_csv(folder: Path) -> Path:
    path = folder / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 40)
    return path


def formula_without_cache_xlsx(folder: Path) -> Path:
    """Units sheet whose ``beds`` cell on row 3 is a formula never calculated (``<f>`` and no ``<v>``)."""
    data = xlsx_bytes({"units": [["Unit ID", "Beds"], ["ICU", 12], ["ED", 30]]})
    data = rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda old: old.replace(b'<c r="B3"><v>30</v></c>', b'<c r="B3"><f>SUM(B2,18)</f></c>'),
    )
    path = folder / "formula_no_cache.xlsx"
    path.write_bytes(data)
    return path


def formula_with_cache_xlsx(folder: Path) -> Path:
    """Units sheet whose ``beds`` on row 3 is a formula with its saved result 30."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("units")
    sheet.write_row(0, 0, ["Unit ID", "Beds"])
    sheet.write_row(1, 0, ["ICU", 12])
    sheet.write(2, 0, "ED")
    sheet.write_formula(2, 1, "=SUM(B2,18)", None, 30)
    workbook.close()
    path = folder / "formula_cached.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty file": (empty_csv, "empty"),
    "zero-byte xlsx": (zero_byte_xlsx, "empty"),
    "pdf renamed xlsx": (pdf_renamed_xlsx, "pdf"),
    "docx renamed xlsx": (docx_renamed_xlsx, "word document"),
    "truncated xlsx": (truncated_xlsx, "damaged"),
    "huge cell": (huge_cell_csv, "characters"),
    "duplicate ids": (duplicate_ids_csv, "duplicate of"),
    "negative hours": (negative_hours_csv, "outside the allowed range"),
    "future dates": (future_dates_csv, "in the future"),
    "unknown units": (unknown_units_csv, "is not in units"),
    "xml entity expansion": (entity_expansion_xlsx, "entity"),
    "zip bomb": (zip_bomb_xlsx, "zip bomb"),
    "claimed dimension": (huge_dimension_xlsx, "claims"),
    "csv with only a header": (header_only_csv, "no data rows"),
    "binary garbage csv": (garbage_csv, "binary"),
    "formula without cached value": (formula_without_cache_xlsx, "formula without a saved result"),
}
