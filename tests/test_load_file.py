"""End-to-end loading of files and frames (data_loaders.load_file / load_frames)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_loaders import LoadResult, load_file, load_frames
from data_loaders.validation import PROBLEM_COLUMNS
from tests.bad_files import BAD_FILES, xlsx_bytes

TODAY = dt.date(2026, 6, 1)
KNOWN = {"units": {"ICU", "ED"}, "employees": {"E1", "E2"}}


def _workbook(tmp_path, sheets) -> str:
    path = tmp_path / "book.xlsx"
    path.write_bytes(xlsx_bytes(sheets))
    return path


def test_workbook_with_a_sheet_per_table_resolves_references_within_the_file(tmp_path):
    path = _workbook(
        tmp_path,
        {
            "Units": [
                ["Unit ID", "Unit Name", "Unit Type"],
                ["ICU", "Intensive care", "icu"],
                ["5W", "Five West", "Med/Surg"],
            ],
            "Staff": [["Emp #", "Job Title", "Home Department", "Date Hired"], ["E10", "RN", "5W", "2020-02-03"]],
            "Timecards": [
                ["Employee ID", "Dept", "Clock In", "Clock Out"],
                ["E10", "ICU", "2026-01-05 19:00", "2026-01-06 07:00"],
                ["E99", "ICU", "2026-01-05 19:00", "2026-01-06 07:00"],
            ],
        },
    )
    result = load_file(path, today=TODAY)
    assert set(result.tables) == {"units", "employees", "shifts"}
    assert result.tables["units"]["unit_type"].tolist() == ["ICU", "med_surg"]
    assert result.tables["employees"]["employee_id"].tolist() == ["E10"]
    assert result.tables["shifts"]["hours"].tolist() == [12.0]
    rejected = result.errors
    assert rejected[["sheet", "row", "column"]].values.tolist() == [["Timecards", 3, "employee_id"]]


def test_source_row_counts_title_and_header_rows_as_the_user_sees_them(tmp_path):
    path = _workbook(
        tmp_path, {"Units": [["Unit roster"], ["as of 2026-01-01"], ["Unit ID", "Beds"], ["ICU", 12], ["ED", -1]]}
    )
    result = load_file(path, today=TODAY)
    assert result.tables["units"]["source_row"].tolist() == [4]
    assert result.errors["row"].tolist() == [5]
    assert result.sheets[0].header_row == 3


def test_problems_and_sheet_report_have_the_documented_shape(tmp_path):
    path = tmp_path / "shifts.csv"
    path.write_text("Employee ID;Unit;Start;End;Hours;Mood\nE1;ICU;2026-01-05 07:00;2026-01-05 19:00;11,5;ok\n")
    result = load_file(path, known_keys=KNOWN, today=TODAY)
    assert isinstance(result, LoadResult)
    assert list(result.problems.columns) == PROBLEM_COLUMNS
    assert result.tables["shifts"]["hours"].tolist() == [11.5]
    report = result.sheets[0]
    assert (report.table, report.delimiter, report.rows_read, report.rows_accepted) == ("shifts", ";", 1, 1)
    assert report.mapping["Employee ID"] == "employee_id"
    assert report.unmapped == ["Mood"]
    assert result.problems["severity"].tolist() == ["warning"]


def test_csv_with_a_title_line_and_a_stray_field_loads_and_reports_the_headerless_column(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("Unit roster 2026\nUnit ID,Beds\nICU,10\nED,12,oops\n")
    result = load_file(path, today=TODAY)
    assert result.tables["units"]["source_row"].tolist() == [3, 4]
    assert result.sheets[0].header_row == 2
    assert result.sheets[0].unmapped == ["(column 3)"]
    assert "has no header but holds values" in result.problems["reason"].iloc[0]


def test_blank_rows_are_skipped_without_shifting_row_numbers(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("Unit ID,Beds\nICU,10\n\nED,abc\n")
    result = load_file(path, today=TODAY)
    assert result.errors["row"].tolist() == [4]


def test_mapping_override_for_a_sheet_and_table_hint(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Code,Patients,When\nICU,12,2026-01-01\n")
    result = load_file(
        path, mappings={"*": {"Code": "unit", "When": "timestamp"}}, table_hint="census", known_keys=KNOWN
    )
    assert result.tables["census"][["unit", "census"]].values.tolist() == [["ICU", 12.0]]
    assert result.errors.empty


def test_unknown_table_is_a_problem_with_empty_table(tmp_path):
    path = tmp_path / "colours.csv"
    path.write_text("Colour,Shade\nred,dark\n")
    result = load_file(path)
    assert result.tables == {}
    assert result.problems["table"].tolist() == [""]
    assert "Could not tell which table" in result.problems["reason"].iloc[0]


def test_load_frames_accepts_typed_frames_keyed_by_table():
    frames = {
        "units": pd.DataFrame({"unit_id": ["ICU"], "unit_type": ["ICU"], "beds": [12]}),
        "shifts": pd.DataFrame(
            {
                "employee_id": ["E1"],
                "unit": ["ICU"],
                "start": pd.to_datetime(["2026-03-07 19:00"]),
                "end": pd.to_datetime(["2026-03-08 07:00"]),
                "agency": [False],
            }
        ),
    }
    result = load_frames(frames, known_keys={"employees": {"E1"}}, today=TODAY)
    assert result.errors.empty
    assert result.tables["shifts"]["hours"].tolist() == [11.0]
    assert result.tables["units"]["beds"].dtype == "Int64"
    assert result.tables["shifts"]["source_row"].tolist() == [2]


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_gives_a_clear_problem_row_not_a_traceback(tmp_path, case):
    build, fragment = BAD_FILES[case]
    result = load_file(build(tmp_path), known_keys=KNOWN, today=TODAY)
    reasons = result.problems["reason"].str.lower()
    assert reasons.str.contains(fragment.lower(), regex=False).any(), result.problems.to_dict("records")
    assert list(result.problems.columns) == PROBLEM_COLUMNS


def test_huge_cell_rejects_only_its_row(tmp_path):
    result = load_file(BAD_FILES["huge cell"][0](tmp_path), today=TODAY)
    assert result.tables["units"]["unit_id"].tolist() == ["ED"]
    assert result.errors["row"].tolist() == [2]
    assert len(result.errors["value"].iloc[0]) <= 200


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_load_file_never_raises_on_arbitrary_bytes(tmp_path, data, suffix):
    path = tmp_path / f"any{suffix}"
    path.write_bytes(data)
    result = load_file(path, today=TODAY)
    assert list(result.problems.columns) == PROBLEM_COLUMNS


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=5), min_size=1, max_size=8))
def test_load_file_never_raises_on_arbitrary_csv_cells(tmp_path, cells):
    path = tmp_path / "cells.csv"
    header = "Employee ID,Unit,Start,End,Hours\n"
    body = "\n".join(",".join('"' + c.replace('"', '""') + '"' for c in row) for row in cells)
    path.write_text(header + body, encoding="utf-8", errors="replace")
    result = load_file(path, today=TODAY)
    accepted = sum(len(f) for f in result.tables.values())
    assert accepted <= len(cells)


_VALID_BOOK = xlsx_bytes({"units": [["Unit ID", "Beds"], ["ICU", 12], ["ED", 30]]})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(0, len(_VALID_BOOK) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_load_file_never_raises_on_corrupted_workbooks(tmp_path, flips):
    data = bytearray(_VALID_BOOK)
    for position, value in flips:
        data[position] = value
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(bytes(data))
    result = load_file(path, today=TODAY)
    assert list(result.problems.columns) == PROBLEM_COLUMNS
