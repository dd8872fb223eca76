"""Read CSV and XLSX files into raw text grids, refusing hostile files before any parser sees them.

A file becomes a list of :class:`RawSheet`: every cell as text exactly as the user would see it
(``""`` for an empty cell), with the sheet row number of each grid row. Nothing is typed here;
:mod:`data_loaders.validation` parses each column per its canonical kind, so no value is coerced
silently.

Guards (all refusals become problem rows, never exceptions):

* size: files larger than ``settings.max_upload_mb()`` are refused unread;
* the file's first bytes decide its real type (a PDF, a Word document or an old ``.xls`` renamed
  ``.xlsx`` is named as such);
* XLSX is a zip: before parsing, the zip directory is checked against :data:`ZIP_LIMITS` (member
  count, total uncompressed size, compression ratio — the classic zip-bomb signs), every XML part
  is streamed and refused if it declares a ``DOCTYPE`` or ``ENTITY`` (entity-expansion attacks;
  spreadsheets never need them), and each worksheet's claimed ``<dimension>`` must be sane;
* cells holding a formula without a saved result are reported (formulas are never evaluated).

CSV: the encoding is UTF-8 (with or without BOM) when the bytes decode strictly, else cp1252; the
delimiter is found by :class:`csv.Sniffer` on a sample among comma, semicolon, tab and pipe, with
the most frequent of those on the first line as fallback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data_loaders import settings

MAX_CELL_CHARS = 32_767
"""Longest cell text accepted: Excel's own limit per cell (Microsoft, "Excel specifications and limits")."""

ZIP_LIMITS = {
    "max_members": 10_000,
    "max_total_uncompressed_bytes": 2 * 1024**3,
    "max_member_ratio": 200,
    "ratio_checked_above_bytes": 10 * 1024**2,
}
"""Zip-bomb guard for XLSX. Real workbooks compress their XML 5-30 times; a member of more than
10 MB that compresses more than 200 times, more than 2 GB uncompressed in total, or more than
10,000 members is refused before parsing."""

MAX_CLAIMED_ROWS = 2_000_000
MAX_CLAIMED_CELLS = 100_000_000
"""A worksheet whose ``<dimension ref>`` claims more rows (Excel's own maximum is 1,048,576) or
cells than this is refused: such claims make some readers allocate the whole grid up front."""

CSV_DELIMITERS = ",;\t|"
_SNIFF_BYTES = 64 * 1024
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    KeyError,
    RuntimeError,
)
"""What a damaged or encrypted zip raises while it is opened or decompressed."""
_XML_SCAN_CHUNK = 1024 * 1024


@dataclass
class ReadProblem:
    """A problem found while reading, before the table is known."""

    sheet: str
    reason: str
    row: int | None = None
    column: str = ""
    value: str = ""
    severity: str = "error"


@dataclass
class RawSheet:
    """One sheet (or CSV file) as text.

    ``grid`` has one row per sheet row from ``first_row`` on (sheet row numbers, 1-based), all
    cells ``str``; columns are positions 0..n-1. ``formula_cells`` maps a sheet row number to the
    cell references in it that hold a formula without a saved result.
    """

    name: str
    grid: pd.DataFrame
    first_row: int = 1
    encoding: str | None = None
    delimiter: str | None = None
    formula_cells: dict[int, list[str]] = field(default_factory=dict)


def read_file(path: str | Path) -> tuple[list[RawSheet], list[ReadProblem]]:
    """Read ``path`` into raw sheets.

    Returns ``(sheets, problems)``; a refused or unreadable file gives no sheets and at least one
    problem. Raises nothing for bad content.
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        return [], [ReadProblem(name, f"The file could not be opened ({exc.strerror or exc}). Upload it again.")]
    limit = settings.max_upload_mb() * 1024 * 1024
    if size > limit:
        return [], [
            ReadProblem(
                name,
                f"The file is {size / 1024**2:,.0f} MB; the largest accepted upload is {settings.max_upload_mb()} MB. "
                "Split it (for example by month) and upload the parts.",
            )
        ]
    if size == 0:
        return [], [ReadProblem(name, "The file is empty (0 bytes). Export it again from the source system.")]
    with path.open("rb") as fh:
        head = fh.read(8)
    kind = sniff_kind(head, path.suffix.lower())
    if kind == "zip":
        return read_xlsx(path)
    if kind == "text":
        return read_csv(path)
    return [], [ReadProblem(name, kind)]


def sniff_kind(head: bytes, suffix: str) -> str:
    """``"zip"``, ``"text"`` or a sentence saying why the file cannot be read, from its first bytes."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"%PDF"):
        return "This file is a PDF document, not a spreadsheet. Export the data as XLSX or CSV and upload that."
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return (
            "This file is an old-format Office document (.xls or .doc), which is not accepted. Open it in Excel and "
            "save it as .xlsx or .csv."
        )
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        return "This file is an empty or split zip archive, not a workbook. Export the data again as XLSX or CSV."
    if suffix in {".xlsx", ".xlsm"}:
        return "This file is named .xlsx but is not an Excel workbook. Export the data as XLSX or CSV and upload that."
    return "text"


# --------------------------------------------------------------------------------------------- CSV


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: strict UTF-8 (BOM removed) first, else cp1252. Returns ``(text, encoding)``.

    Raises ``UnicodeDecodeError`` only if cp1252 also fails (bytes cp1252 leaves undefined).
    """
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def looks_binary(text: str) -> bool:
    """True when decoded text has NUL bytes or more than 5 % control characters: not a CSV."""
    sample = text[:_SNIFF_BYTES]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > 0.05 * max(len(sample), 1)


def sniff_delimiter(text: str) -> str:
    """The CSV delimiter: :class:`csv.Sniffer` on a sample, else the most common candidate on line 1."""
    sample = text[:_SNIFF_BYTES]
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample.splitlines() else ""
        counts = {d: first.count(d) for d in CSV_DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_csv(path: Path) -> tuple[list[RawSheet], list[ReadProblem]]:
    """Read a delimited text file as one raw sheet of strings (see module docstring)."""
    name = path.name
    data = path.read_bytes()
    try:
        text, encoding = decode_text(data)
    except UnicodeDecodeError:
        return [], [
            ReadProblem(
                name, "The file is not readable text (it holds binary data). Export the data as CSV (UTF-8) or XLSX."
            )
        ]
    if looks_binary(text):
        return [], [ReadProblem(name, "The file holds binary data, not text. Export the data as CSV (UTF-8) or XLSX.")]
    if not text.strip():
        return [], [ReadProblem(name, "The file has no data (only blank lines). Export it again from the source.")]
    delimiter = sniff_delimiter(text)
    grid, problems = _parse_delimited(text, delimiter, name)
    return [RawSheet(name, grid, 1, encoding, delimiter)], problems


def _parse_delimited(text: str, delimiter: str, name: str) -> tuple[pd.DataFrame, list[ReadProblem]]:
    """All fields as ``str``; pandas' C parser first, the ``csv`` module for ragged files (title lines
    above the header, or an unquoted delimiter inside a value): short lines are padded, and fields
    beyond the header show up as columns without a header, which the mapping reports."""
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
        return grid.fillna(""), []
    except (pd.errors.ParserError, ValueError, csv.Error):
        pass
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        return pd.DataFrame(), [ReadProblem(name, f"The file is not a valid CSV file ({exc}). Export it again.")]
    width = max((len(row) for row in rows), default=0)
    grid = pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=object).fillna("")
    return grid, []


# -------------------------------------------------------------------------------------------- XLSX


def check_zip(path: Path) -> tuple[zipfile.ZipFile | None, list[ReadProblem]]:
    """Open ``path`` as a zip and check it against :data:`ZIP_LIMITS` and the XML guards.

    Returns the open archive (caller closes it) or ``None`` with problems.
    """
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except _ZIP_ERRORS as exc:
        return None, [
            ReadProblem(name, f"The workbook is damaged or incomplete ({exc}). Save it again in Excel and re-upload.")
        ]
    problems = _zip_directory_problems(name, archive, infos)
    if not problems:
        problems = _xml_part_problems(name, archive, infos)
    if problems:
        archive.close()
        return None, problems
    return archive, []


def _zip_directory_problems(name: str, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> list[ReadProblem]:
    names = {i.filename for i in infos}
    if "word/document.xml" in names:
        return [ReadProblem(name, "This file is a Word document, not a workbook. Export the data as XLSX or CSV.")]
    if "xl/workbook.xml" not in names:
        return [ReadProblem(name, "This zip file is not an Excel workbook (no xl/workbook.xml). Upload XLSX or CSV.")]
    if len(infos) > ZIP_LIMITS["max_members"]:
        return [ReadProblem(name, f"The workbook has {len(infos):,} parts, more than a real workbook; it was refused.")]
    total = sum(i.file_size for i in infos)
    if total > ZIP_LIMITS["max_total_uncompressed_bytes"]:
        return [
            ReadProblem(
                name,
                f"The workbook would unpack to {total / 1024**3:,.1f} GB (limit "
                f"{ZIP_LIMITS['max_total_uncompressed_bytes'] / 1024**3:.0f} GB); it looks like a zip bomb and was "
                "refused. Export the data as CSV instead.",
            )
        ]
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > ZIP_LIMITS["ratio_checked_above_bytes"] and ratio > ZIP_LIMITS["max_member_ratio"]:
            return [
                ReadProblem(
                    name,
                    f"Part {info.filename} compresses {ratio:,.0f} times (limit {ZIP_LIMITS['max_member_ratio']}); "
                    "it looks like a zip bomb and was refused. Export the data as CSV instead.",
                )
            ]
    return []


_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]*)(\d*)(?::([A-Z]+)(\d+))?"')


def _xml_part_problems(name: str, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> list[ReadProblem]:
    """Stream every XML part: refuse DTDs/entities and absurd worksheet dimensions."""
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        try:
            for index, chunk in enumerate(_iter_member(archive, info)):
                if _DOCTYPE.search(chunk):
                    return [
                        ReadProblem(
                            name,
                            f"Part {info.filename} declares a DOCTYPE/ENTITY, which spreadsheets never need (it is "
                            "used for XML entity-expansion attacks); the file was refused. Save it again from Excel.",
                        )
                    ]
                if index == 0 and info.filename.startswith("xl/worksheets/"):
                    problem = _dimension_problem(name, info.filename, chunk)
                    if problem:
                        return [problem]
        except _ZIP_ERRORS as exc:
            return [
                ReadProblem(
                    name, f"The workbook is damaged or incomplete ({exc}). Save it again in Excel and re-upload."
                )
            ]
    return []


def _iter_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Chunks of a member, overlapping by 64 bytes so a tag split across chunks is still seen."""
    tail = b""
    with archive.open(info) as fh:
        while chunk := fh.read(_XML_SCAN_CHUNK):
            yield tail + chunk
            tail = chunk[-64:]


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.decode():
        number = number * 26 + ord(ch) - 64
    return number


def _dimension_problem(name: str, part: str, head: bytes) -> ReadProblem | None:
    match = _DIMENSION.search(head[:4096])
    if not match or not match.group(3):
        return None
    rows = int(match.group(4)) - int(match.group(2) or 1) + 1
    cols = _column_number(match.group(3)) - _column_number(match.group(1) or b"A") + 1
    if rows > MAX_CLAIMED_ROWS or rows * cols > MAX_CLAIMED_CELLS:
        return ReadProblem(
            name,
            f"Worksheet {part} claims {rows:,} rows x {cols:,} columns ({rows * cols:,} cells; limit "
            f"{MAX_CLAIMED_CELLS:,}). Delete unused rows/columns or export the data as CSV.",
        )
    return None


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_HAS_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>|<(?:\w+:)?is>")


def formula_cells_without_value(archive: zipfile.ZipFile, part: str) -> dict[int, list[str]]:
    """Cells of worksheet ``part`` holding a formula but no saved result, as ``{row: [cell refs]}``."""
    data = archive.read(part)
    if not _HAS_FORMULA.search(data):
        return {}
    found: dict[int, list[str]] = {}
    for match in _CELL.finditer(data):
        body = match.group(2) or b""
        if _HAS_FORMULA.search(body) and not _HAS_VALUE.search(body):
            ref = _CELL_REF.search(match.group(1))
            if ref:
                row = int(ref.group(2))
                found.setdefault(row, []).append(ref.group(1).decode() + ref.group(2).decode())
    return found


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part path, from workbook.xml and its relationships (parsed with defusedxml)."""
    from defusedxml import ElementTree

    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.findall("p:Relationship", ns)}
    parts = {}
    for sheet in workbook.findall("m:sheets/m:sheet", ns):
        target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        parts[sheet.get("name", "")] = target
    return parts


def cell_text(value: object) -> str:
    """Text of one spreadsheet or database cell as the user would read it.

    Whole floats lose their ``.0`` (an Excel number 20170101 stays ``"20170101"``); datetimes become
    ISO text (``"2026-03-08 19:00:00"``, or the date alone at midnight); booleans ``"TRUE"``/``"FALSE"``.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value)


def read_xlsx(path: Path, engine: str = "calamine") -> tuple[list[RawSheet], list[ReadProblem]]:
    """Read every visible worksheet of a guarded XLSX file as raw text sheets.

    ``engine`` is ``"calamine"`` (default; fastest, see ``benchmarks/bench_loaders.py``) or
    ``"openpyxl"`` (read-only mode), which is also the fallback when calamine fails.
    """
    archive, problems = check_zip(path)
    if archive is None:
        return [], problems
    with archive:
        try:
            parts = _sheet_parts(archive)
            formulas = {sheet: formula_cells_without_value(archive, part) for sheet, part in parts.items()}
        except Exception as exc:  # any parse failure of a damaged workbook is content, not a bug
            return [], [
                ReadProblem(path.name, f"The workbook structure is damaged ({type(exc).__name__}). Re-save it.")
            ]
    readers = [_read_calamine, _read_openpyxl] if engine == "calamine" else [_read_openpyxl, _read_calamine]
    last_error: Exception | None = None
    for reader in readers:
        try:
            sheets = reader(path)
        except Exception as exc:  # third-party readers raise many types for damaged files
            last_error = exc
            continue
        for sheet in sheets:
            sheet.formula_cells = formulas.get(sheet.name, {})
        read = {sheet.name for sheet in sheets}
        skipped = [
            ReadProblem(
                name,
                f"Sheet '{name}' is hidden (or a chart sheet) and was not read. Unhide it in Excel and upload again "
                "if it holds data to import.",
                severity="warning",
            )
            for name in parts
            if name not in read
        ]
        return sheets, skipped
    return [], [
        ReadProblem(
            path.name,
            f"The workbook could not be read ({type(last_error).__name__}: {str(last_error)[:200]}). "
            "Open it in Excel, save it again as .xlsx and re-upload, or export CSV.",
        )
    ]


def _grid(rows: list[list[object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, dtype=object)
    if frame.empty:
        return frame
    return frame.apply(_column_text).fillna("")


def _column_text(column: pd.Series) -> pd.Series:
    """A grid column as text; columns that are already all text are kept as they are (fast path)."""
    if pd.api.types.infer_dtype(column, skipna=False) == "string":
        return column
    return column.map(cell_text)


def _read_calamine(path: Path) -> list[RawSheet]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        sheets = []
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=True)
            start_row, start_col = sheet.start if sheet.start else (0, 0)
            grid = _grid([([""] * start_col) + list(r) for r in rows])
            sheets.append(RawSheet(meta.name, grid, start_row + 1))
        return sheets
    finally:
        workbook.close()


def _read_openpyxl(path: Path) -> list[RawSheet]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = []
        for ws in workbook.worksheets:
            if ws.sheet_state != "visible":
                continue
            ws.reset_dimensions()
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            sheets.append(RawSheet(ws.title, _grid(rows), 1))
        return sheets
    finally:
        workbook.close()
