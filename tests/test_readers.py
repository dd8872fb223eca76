"""Guarded reading of CSV and XLSX into text grids (data_loaders.readers)."""

from __future__ import annotations

import datetime as dt

import pytest

from data_loaders.readers import (
    cell_text,
    read_csv,
    read_file,
    read_xlsx,
    sniff_delimiter,
    sniff_kind,
)
from tests.bad_files import (
    entity_expansion_xlsx,
    formula_with_cache_xlsx,
    formula_without_cache_xlsx,
    huge_dimension_xlsx,
    xlsx_bytes,
    zip_bomb_xlsx,
)


def test_utf8_with_bom_is_detected_and_bom_removed(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffUnit ID,Name\nICU,Intensiv\u00e4\n".encode())
    [sheet], problems = read_csv(path)
    assert sheet.encoding == "utf-8-sig"
    assert sheet.grid.iloc[0, 0] == "Unit ID"
    assert sheet.grid.iloc[1, 1] == "Intensiv\u00e4"
    assert problems == []


def test_cp1252_is_the_fallback_when_bytes_are_not_utf8(tmp_path):
    path = tmp_path / "win.csv"
    path.write_bytes("Unit ID;Name\nICU;Caf\u00e9 \u20ac\n".encode("cp1252"))
    [sheet], _ = read_csv(path)
    assert sheet.encoding == "cp1252"
    assert sheet.delimiter == ";"
    assert sheet.grid.iloc[1, 1] == "Caf\u00e9 \u20ac"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    text = delimiter.join(["Employee ID", "Unit", "Hours"]) + "\n" + delimiter.join(["E1", "ICU", "12"]) + "\n"
    assert sniff_delimiter(text) == delimiter


def test_all_csv_cells_stay_text_including_leading_zeros_and_na(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Employee ID,Hours\n00123,NA\n")
    [sheet], _ = read_csv(path)
    assert sheet.grid.iloc[1].tolist() == ["00123", "NA"]


def test_ragged_csv_is_padded_to_its_widest_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("Timecard export\nUnit ID,Name\nICU,Intensive care,EXTRA\nED\n")
    [sheet], problems = read_csv(path)
    assert sheet.grid.values.tolist() == [
        ["Timecard export", "", ""],
        ["Unit ID", "Name", ""],
        ["ICU", "Intensive care", "EXTRA"],
        ["ED", "", ""],
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("head", "fragment"),
    [(b"%PDF-1.4", "PDF"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old-format"), (b"hello", "not an Excel workbook")],
)
def test_real_file_type_is_named_from_its_first_bytes(head, fragment):
    assert fragment in sniff_kind(head, ".xlsx")


def test_cell_text_keeps_what_the_user_sees():
    assert cell_text(20170101.0) == "20170101"
    assert cell_text(7.5) == "7.5"
    assert cell_text(dt.datetime(2026, 3, 8, 19, 0)) == "2026-03-08 19:00:00"
    assert cell_text(dt.datetime(2026, 3, 8)) == "2026-03-08"
    assert cell_text(True) == "TRUE"
    assert cell_text(None) == ""


def test_xlsx_rows_keep_sheet_row_numbers_below_title_rows(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(xlsx_bytes({"units": [[], ["Unit list"], [], ["Unit ID", "Beds"], ["ICU", 12]]}))
    [sheet], problems = read_xlsx(path)
    assert problems == []
    assert sheet.first_row == 2
    assert sheet.grid.iloc[3].tolist() == ["ICU", "12"]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_both_xlsx_engines_give_the_same_cells(tmp_path, engine):
    path = tmp_path / "book.xlsx"
    path.write_bytes(xlsx_bytes({"units": [["Unit ID", "Beds"], ["ICU", 12], ["ED", 30.5]]}))
    [sheet], _ = read_xlsx(path, engine=engine)
    assert sheet.grid.values.tolist()[-2:] == [["ICU", "12"], ["ED", "30.5"]]


def test_formula_with_cached_value_reads_the_value(tmp_path):
    [sheet], _ = read_xlsx(formula_with_cache_xlsx(tmp_path))
    assert sheet.grid.iloc[2].tolist() == ["ED", "30"]
    assert sheet.formula_cells == {}


def test_formula_without_cached_value_is_listed_by_cell(tmp_path):
    [sheet], _ = read_xlsx(formula_without_cache_xlsx(tmp_path))
    assert sheet.formula_cells == {3: ["B3"]}


@pytest.mark.parametrize(
    ("builder", "fragment"),
    [(entity_expansion_xlsx, "ENTITY"), (zip_bomb_xlsx, "zip bomb"), (huge_dimension_xlsx, "1,048,576 rows")],
)
def test_hostile_workbooks_are_refused_before_parsing(tmp_path, builder, fragment):
    sheets, problems = read_file(builder(tmp_path))
    assert sheets == []
    assert fragment in problems[0].reason


def test_file_over_upload_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setenv("HOSPITAL_MAX_UPLOAD_MB", "1")
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 300_000)
    sheets, problems = read_file(path)
    assert sheets == []
    assert "largest accepted upload is 1 MB" in problems[0].reason


def test_hidden_sheet_is_reported_not_silently_skipped(tmp_path):
    import xlsxwriter

    path = tmp_path / "hidden.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("units").write_row(0, 0, ["Unit ID"])
    secret = workbook.add_worksheet("old units")
    secret.write_row(0, 0, ["Unit ID"])
    secret.hide()
    workbook.close()
    sheets, problems = read_xlsx(path)
    assert [s.name for s in sheets] == ["units"]
    assert problems[0].severity == "warning"
    assert "'old units' is hidden" in problems[0].reason
