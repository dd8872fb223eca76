"""Header normalisation, header-row search, table detection and column mapping (data_loaders.mapping)."""

from __future__ import annotations

import pandas as pd

from data_loaders.mapping import (
    detect_table,
    find_header_row,
    map_columns,
    normalise_header,
    table_for_sheet_name,
)


def test_header_normalisation_ignores_case_spaces_punctuation_and_reads_hash_as_number():
    assert normalise_header(" Emp # ") == normalise_header("Emp No") == normalise_header("EMP NUMBER")
    assert normalise_header("Go-Live Date") == normalise_header("go live date")


def test_aliases_map_real_headers_to_canonical_columns():
    result = map_columns(["Emp #", "Dept", "Clock In", "Clock Out", "Paid Hours", "OT Hrs"], "shifts")
    assert result.mapping == {
        "Emp #": "employee_id",
        "Dept": "unit",
        "Clock In": "start",
        "Clock Out": "end",
        "Paid Hours": "hours",
    }
    assert result.unmapped == ["OT Hrs"]


def test_unmatched_header_gets_a_warning_that_points_to_the_mapping_panel():
    result = map_columns(["Employee ID", "Favourite colour"], "employees")
    header, reason = result.notes[0]
    assert header == "Favourite colour"
    assert "not in the data model and was ignored; map it in the mapping panel" in reason


def test_personal_data_columns_are_ignored_as_data_minimisation():
    result = map_columns(["employee_id", "date_of_birth", "home_telephone", "DateOfBirth"], "employees")
    reasons = dict(result.notes)
    assert all("data minimisation" in reasons[h] for h in ("date_of_birth", "home_telephone", "DateOfBirth"))


def test_second_header_for_same_column_is_ignored_with_a_note():
    result = map_columns(["Hire Date", "Start Date"], "employees")
    assert result.mapping == {"Hire Date": "hire_date"}
    assert "already read from column 'Hire Date'" in result.notes[0][1]


def test_user_override_wins_over_alias_and_empty_string_ignores():
    result = map_columns(["Badge", "Code"], "employees", {"Code": "employee_id", "Badge": ""})
    assert result.mapping == {"Code": "employee_id"}
    assert result.unmapped == ["Badge"]


def test_override_to_unknown_column_is_reported_not_applied():
    result = map_columns(["Code"], "employees", {"Code": "shoe_size"})
    assert result.mapping == {}
    assert "not a column of employees" in result.notes[0][1]


def test_override_saved_for_another_table_falls_back_to_aliases():
    result = map_columns(["Dept"], "census", {"Dept": "manager_id"})
    assert result.mapping == {"Dept": "unit"}


def test_header_row_found_below_title_rows():
    grid = pd.DataFrame(
        [
            ["Timecard export", "", ""],
            ["Run 2026-01-05", "", ""],
            ["", "", ""],
            ["Employee ID", "Clock In", "Clock Out"],
            ["E1", "2026-01-05 07:00", "2026-01-05 19:00"],
        ]
    )
    assert find_header_row(grid) == 3


def test_sheet_name_decides_table():
    assert table_for_sheet_name("Shifts") == "shifts"
    assert table_for_sheet_name("employee") == "employees"
    assert table_for_sheet_name("Staffed Hours") == "staffed_hours"
    assert table_for_sheet_name("Sheet1") is None


def test_column_overlap_decides_table_when_sheet_name_does_not():
    assert detect_table(["Employee ID", "Clock In", "Clock Out", "Dept"], "Sheet1") == "shifts"
    assert detect_table(["Req ID", "Position", "Date Opened", "Req Status", "Dept"], "Export") == "requisitions"
    assert detect_table(["Favourite colour"], "Export") is None


def test_overrides_count_towards_table_detection():
    assert detect_table(["org_code", "period", "attendances"], "ae", {"org_code": "unit"}) == "census"
