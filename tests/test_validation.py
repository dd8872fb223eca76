"""Parsing per canonical kind and row validation (data_loaders.validation)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_loaders.schema import EMPLOYEES
from data_loaders.validation import (
    Piece,
    parse_bools,
    parse_categories,
    parse_datetimes,
    parse_numbers,
    validate_table,
)

TODAY = dt.date(2026, 11, 29)


def _piece(table: str, rows: list[dict], sheet: str = "s", first_row: int = 2, **kwargs) -> Piece:
    frame = pd.DataFrame(rows, dtype=object)
    frame["source_row"] = range(first_row, first_row + len(frame))
    frame["source_sheet"] = sheet
    return Piece(table, sheet, frame, **kwargs)


def _validate(table: str, rows: list[dict], **kwargs):
    known = kwargs.pop("known_keys", {"units": {"ICU", "ED"}, "employees": {"E1", "E2", "E3"}})
    accepted, problems, _ = validate_table(table, [_piece(table, rows)], known_keys=known, today=TODAY, **kwargs)
    return accepted, problems


def _dates(values: list[str]) -> list[str]:
    parsed = parse_datetimes(pd.Series(values, dtype=object))
    return [None if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M") for v in parsed.values]


# ---------------------------------------------------------------------------------------- dates


def test_iso_dates_and_datetimes_are_read():
    assert _dates(["2026-03-08", "2026-03-08 19:00", "2026-03-08T07:30:15"]) == [
        "2026-03-08 00:00",
        "2026-03-08 19:00",
        "2026-03-08 07:30",
    ]


def test_yyyymmdd_number_is_a_date_like_cms_workdate():
    assert _dates(["20170101", "20251231"]) == ["2017-01-01 00:00", "2025-12-31 00:00"]


def test_excel_serial_number_is_a_date():
    assert _dates(["45000", "45000.75"]) == ["2023-03-15 00:00", "2023-03-15 18:00"]


def test_slash_dates_default_to_us_month_first():
    parsed = parse_datetimes(pd.Series(["03/08/2026", "12/01/2026"]))
    assert not parsed.dayfirst
    assert list(parsed.values.dt.strftime("%Y-%m-%d")) == ["2026-03-08", "2026-12-01"]


def test_slash_dates_are_day_first_when_a_first_field_exceeds_12():
    parsed = parse_datetimes(pd.Series(["03/08/2026", "25/12/2026"]))
    assert parsed.dayfirst
    assert list(parsed.values.dt.strftime("%Y-%m-%d")) == ["2026-08-03", "2026-12-25"]


def test_mixed_day_and_month_order_marks_impossible_values_bad():
    parsed = parse_datetimes(pd.Series(["25/12/2026", "12/25/2026"]))
    assert parsed.mixed_order
    assert list(parsed.bad) == [False, True]


def test_us_datetime_with_am_pm():
    assert _dates(["3/8/2026 7:00 PM", "3/8/2026 12:00 AM", "3/8/2026 12:30 pm"]) == [
        "2026-03-08 19:00",
        "2026-03-08 00:00",
        "2026-03-08 12:30",
    ]


def test_day_month_name_year_forms():
    assert _dates(["05-Jan-2026", "5 January 26", "Jan 5, 2026"]) == ["2026-01-05 00:00"] * 3


def test_month_year_text_is_first_of_month_like_wales_file():
    assert _dates(["Jan-21", "Mar-24", "September 2023"]) == [
        "2021-01-01 00:00",
        "2024-03-01 00:00",
        "2023-09-01 00:00",
    ]


def test_impossible_and_unreadable_dates_are_bad_not_guessed():
    parsed = parse_datetimes(pd.Series(["2026-02-30", "soon", "", "13/13/2026"]))
    assert list(parsed.bad) == [True, True, False, True]


def test_time_only_values_are_flagged_with_seconds_since_midnight():
    parsed = parse_datetimes(pd.Series(["19:00", "7:30 AM"]))
    assert list(parsed.time_only) == [True, True]
    assert list(parsed.time_of_day) == [19 * 3600, 7.5 * 3600]


def test_typed_datetimes_pass_through_as_nanoseconds():
    # a database driver may hand over microsecond (or second) precision; values must come through unchanged
    typed = pd.Series(
        [pd.Timestamp("2026-01-01 07:00:00.123456"), pd.NaT, pd.Timestamp("2026-03-08 19:30:05")],
        dtype="datetime64[us]",
    )
    parsed = parse_datetimes(typed)
    assert str(parsed.values.dtype) == "datetime64[ns]"
    assert parsed.values.iloc[0] == pd.Timestamp("2026-01-01 07:00:00.123456")
    assert pd.isna(parsed.values.iloc[1])
    assert parsed.values.iloc[2] == pd.Timestamp("2026-03-08 19:30:05")
    assert list(parsed.bad) == [False, False, False]


def test_typed_datetimes_outside_the_accepted_years_are_bad_not_wrapped():
    typed = pd.Series(np.array(["2300-01-01", "1850-06-01", "2026-01-01T07:00"], dtype="datetime64[s]"))
    parsed = parse_datetimes(typed)
    assert str(parsed.values.dtype) == "datetime64[ns]"
    assert parsed.values.isna().tolist() == [True, True, False]
    assert parsed.values.iloc[2] == pd.Timestamp("2026-01-01 07:00")
    assert list(parsed.bad) == [True, True, False]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=20))
def test_date_parsing_never_raises_on_any_text(values):
    parsed = parse_datetimes(pd.Series(values, dtype=object))
    assert len(parsed.values) == len(values)


_DATE_LIKE = st.from_regex(
    r"\d{1,8}([-/.]\d{1,4}([-/.]\d{1,5})?)?([ T]\d{1,2}:\d{1,2}(:\d{2})?( ?[AaPp][Mm])?)?(Z|[+-]\d{2}:\d{2})?",
    fullmatch=True,
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_DATE_LIKE, min_size=1, max_size=10))
def test_date_parsing_never_raises_on_date_like_text_and_stays_in_range(values):
    parsed = parse_datetimes(pd.Series(values, dtype=object))
    valid = parsed.values.dropna()
    assert str(parsed.values.dtype) == "datetime64[ns]"
    assert ((valid >= pd.Timestamp("1900-01-01")) & (valid < pd.Timestamp("2200-01-01"))).all()


# -------------------------------------------------------------------------------------- numbers


def test_numbers_accept_thousands_separators_percent_and_currency():
    values, bad = parse_numbers(pd.Series(["1,234.5", "85%", "$25.50", "", "12"]))
    assert values.tolist()[:3] == [1234.5, 85.0, 25.5]
    assert pd.isna(values[3])
    assert not bad.any()


def test_decimal_comma_only_in_semicolon_files():
    assert parse_numbers(pd.Series(["7,5"]), decimal_comma=True)[0].tolist() == [7.5]
    assert parse_numbers(pd.Series(["7,5"]))[1].tolist() == [True]


def test_integers_must_be_whole():
    values, bad = parse_numbers(pd.Series(["12", "12.0", "12.5"]), integer=True)
    assert values.tolist()[:2] == [12.0, 12.0]
    assert bad.tolist() == [False, False, True]


def test_infinite_and_text_numbers_are_bad():
    assert parse_numbers(pd.Series(["inf", "abc", "nan"]))[1].tolist() == [True, True, True]


# ----------------------------------------------------------------------------------- bools/cats


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Y", True), ("no", False), ("TRUE", True), ("false", False), ("1", True), ("0", False), ("Yes", True)],
)
def test_boolean_synonyms(text, expected):
    values, bad = parse_bools(pd.Series([text]))
    assert values[0] is expected if isinstance(values[0], bool) else bool(values[0]) == expected
    assert not bad[0]


def test_boolean_unknown_token_is_bad():
    assert parse_bools(pd.Series(["maybe"]))[1].tolist() == [True]


def test_categories_normalise_case_spacing_and_documented_synonyms():
    values, bad = parse_categories(
        pd.Series(["Resigned", "Quit", "Dismissed", "VOLUNTARY", "Terminated"]), EMPLOYEES.column("termination_reason")
    )
    assert values.tolist() == ["voluntary", "voluntary", "involuntary", "voluntary", "involuntary"]
    assert not bad.any()
    values, _ = parse_categories(pd.Series(["Per Diem", "per-diem", "PRN"]), EMPLOYEES.column("employment_type"))
    assert values.tolist() == ["per_diem"] * 3


def test_category_outside_allowed_values_is_bad():
    _, bad = parse_categories(pd.Series(["Med/Surg nurse"]), EMPLOYEES.column("role"))
    assert bad.tolist() == [True]


# ---------------------------------------------------------------------------------- table rules


def test_missing_required_column_refuses_whole_sheet_with_clear_message():
    accepted, problems = _validate("absences", [{"employee_id": "E1", "hours": "8"}])
    assert accepted.empty
    assert len(problems) == 1
    assert "needs the column(s) date, absence_type" in problems["reason"].iloc[0]
    assert problems["row"].iloc[0] == 1


def test_missing_recommended_column_is_a_warning_only():
    accepted, problems = _validate("employees", [{"employee_id": "E9", "role": "RN", "hire_date": "2020-01-01"}])
    assert len(accepted) == 1
    warn = problems[problems["severity"] == "warning"]
    assert warn["column"].tolist() == ["unit"]


def test_accepted_frame_has_canonical_dtypes_and_source_columns():
    accepted, _ = _validate(
        "employees",
        [
            {
                "employee_id": "E9",
                "role": "rn",
                "unit": "ICU",
                "hire_date": "2020-01-01",
                "fte": "0.9",
                "telemedicine_certified": "Y",
            }
        ],
    )
    assert str(accepted["employee_id"].dtype) == "string"
    assert accepted["role"].iloc[0] == "RN"
    assert str(accepted["fte"].dtype) == "float64"
    assert str(accepted["hire_date"].dtype) == "datetime64[ns]"
    assert str(accepted["telemedicine_certified"].dtype) == "boolean"
    assert str(accepted["source_row"].dtype) == "Int64"
    assert str(accepted["source_sheet"].dtype) == "string"
    assert list(accepted.columns)[-2:] == ["source_row", "source_sheet"]


def test_out_of_range_value_rejects_row_naming_range_and_unit():
    accepted, problems = _validate("employees", [{"employee_id": "E9", "unit": "ICU", "role": "RN", "fte": "2.5"}])
    assert accepted.empty
    reason = problems[problems["column"] == "fte"]["reason"].iloc[0]
    assert "0 to 1.5 FTE" in reason


def test_future_hire_date_is_rejected_relative_to_hospital_today():
    accepted, problems = _validate(
        "employees",
        [
            {"employee_id": "E8", "unit": "ICU", "role": "RN", "hire_date": "2026-11-30"},
            {"employee_id": "E9", "unit": "ICU", "role": "RN", "hire_date": "2026-11-29"},
        ],
    )
    assert accepted["employee_id"].tolist() == ["E9"]
    assert "in the future" in problems[problems["severity"] == "error"]["reason"].iloc[0]


def test_duplicate_natural_key_rejects_every_repeat_naming_the_first_row():
    accepted, problems = _validate(
        "units", [{"unit_id": "ICU"}, {"unit_id": "ED"}, {"unit_id": "ICU"}, {"unit_id": "ICU"}], known_keys={}
    )
    assert accepted["unit_id"].tolist() == ["ICU", "ED"]
    dups = problems[problems["reason"].str.contains("Duplicate")]
    assert dups["row"].tolist() == [4, 5]
    assert all("s row 2" in r for r in dups["reason"])


def test_reference_to_unknown_unit_is_rejected_but_known_store_unit_accepted():
    accepted, problems = _validate(
        "census",
        [
            {"unit": "ICU", "timestamp": "2026-01-01", "census": "10"},
            {"unit": "MARS", "timestamp": "2026-01-01", "census": "3"},
        ],
    )
    assert accepted["unit"].tolist() == ["ICU"]
    assert "unit 'MARS' is not in units" in problems["reason"].iloc[0]


def test_references_unchecked_with_a_warning_when_no_store_and_no_table_in_file():
    accepted, problems = validate_table(
        "census", [_piece("census", [{"unit": "MARS", "timestamp": "2026-01-01", "census": "3"}])], today=TODAY
    )[:2]
    assert len(accepted) == 1
    assert problems["severity"].tolist() == ["warning"]


def test_census_row_needs_census_or_arrivals():
    accepted, problems = _validate("census", [{"unit": "ICU", "timestamp": "2026-01-01", "census": "", "arrivals": ""}])
    assert accepted.empty
    assert "census or arrivals" in problems["reason"].iloc[0]


def test_wellbeing_rows_without_consent_are_refused():
    accepted, problems = _validate(
        "wellbeing",
        [
            {"employee_id": "E1", "date": "2026-05-01", "sleep_hours": "7", "consent": "Y"},
            {"employee_id": "E2", "date": "2026-05-01", "sleep_hours": "6", "consent": "N"},
        ],
    )
    assert accepted["employee_id"].tolist() == ["E1"]
    assert "consent" in problems["reason"].iloc[0]


def test_termination_before_hire_is_rejected():
    accepted, problems = _validate(
        "employees",
        [
            {
                "employee_id": "E7",
                "unit": "ICU",
                "role": "RN",
                "hire_date": "2020-01-01",
                "termination_date": "2019-01-01",
            }
        ],
    )
    assert accepted.empty
    assert "before hire_date" in problems["reason"].iloc[0]


# -------------------------------------------------------------------------------------- shifts


def _shift(start: str, end: str, hours: str = "", **extra) -> dict:
    return {"employee_id": "E1", "unit": "ICU", "start": start, "end": end, "hours": hours, **extra}


def test_night_shift_on_spring_forward_lasts_11_hours():
    accepted, problems = _validate("shifts", [_shift("2026-03-07 19:00", "2026-03-08 07:00")])
    assert problems.empty
    assert accepted["hours"].iloc[0] == 11


def test_night_shift_on_fall_back_lasts_13_hours():
    accepted, _ = _validate("shifts", [_shift("2026-10-31 19:00", "2026-11-01 07:00")])
    assert accepted["hours"].iloc[0] == 13


def test_ambiguous_fall_back_time_is_taken_as_first_occurrence():
    accepted, _ = _validate("shifts", [_shift("2026-11-01 01:30", "2026-11-01 03:30")])
    assert accepted["hours"].iloc[0] == 3


def test_start_inside_spring_forward_gap_is_an_error():
    accepted, problems = _validate("shifts", [_shift("2026-03-08 02:30", "2026-03-08 10:00")])
    assert accepted.empty
    assert "does not exist" in problems["reason"].iloc[0]


def test_full_timestamp_end_before_start_is_an_error():
    accepted, problems = _validate("shifts", [_shift("2026-01-05 19:00", "2026-01-05 07:00")])
    assert accepted.empty
    assert "ends at or before its start" in problems["reason"].iloc[0]


def test_time_only_export_crosses_midnight_with_shift_date():
    accepted, problems = _validate("shifts", [_shift("19:00", "07:00", shift_date="2026-01-05")])
    assert problems.empty
    assert accepted["start"].iloc[0] == pd.Timestamp("2026-01-05 19:00")
    assert accepted["end"].iloc[0] == pd.Timestamp("2026-01-06 07:00")
    assert accepted["hours"].iloc[0] == 12


def test_time_only_export_without_date_column_is_an_error():
    accepted, problems = _validate("shifts", [_shift("19:00", "07:00")])
    assert accepted.empty
    assert "without a date" in problems["reason"].iloc[0]


def test_given_hours_impossible_for_clock_time_is_an_error_but_unpaid_break_is_fine():
    accepted, problems = _validate(
        "shifts",
        [_shift("2026-01-05 07:00", "2026-01-05 15:00", "7.5"), _shift("2026-01-06 07:00", "2026-01-06 11:00", "9")],
    )
    assert accepted["hours"].tolist() == [7.5]
    assert "differs from the clock time" in problems["reason"].iloc[0]


def test_shift_longer_than_24_hours_is_an_error():
    accepted, problems = _validate("shifts", [_shift("2026-01-05 07:00", "2026-01-06 09:00")])
    assert accepted.empty
    assert "more than 24 hours" in problems["reason"].iloc[0]


def test_rejected_employee_in_same_file_explains_rejected_reference():
    accepted, problems = validate_table(
        "shifts",
        [_piece("shifts", [_shift("2026-01-05 07:00", "2026-01-05 15:00") | {"employee_id": "E5"}])],
        known_keys={"units": {"ICU"}},
        file_keys={"employees": set()},
        rejected_keys={"employees": {"E5"}},
        today=TODAY,
    )[:2]
    assert accepted.empty
    assert "row was rejected" in problems["reason"].iloc[0]


def test_formula_without_saved_result_rejects_its_row():
    piece = _piece("units", [{"unit_id": "ICU"}, {"unit_id": "ED"}], formula_cells={3: ["B3"]})
    accepted, problems, _ = validate_table("units", [piece], known_keys={}, today=TODAY)
    assert accepted["unit_id"].tolist() == ["ICU"]
    assert problems["row"].tolist() == [3]
    assert "B3" in problems["reason"].iloc[0]


def test_timezone_aware_database_timestamps_become_hospital_wall_clock_time(monkeypatch):
    monkeypatch.setenv("HOSPITAL_TIMEZONE", "America/New_York")
    utc = pd.Series(pd.to_datetime(["2026-01-05 12:00"]).tz_localize("UTC"))
    assert parse_datetimes(utc).values.iloc[0] == pd.Timestamp("2026-01-05 07:00")


def test_worked_timecard_in_the_future_is_rejected_but_a_scheduled_shift_is_not():
    import datetime as _dt

    import pandas as _pd

    from data_loaders import load_frames as _load_frames

    shifts = _pd.DataFrame(
        {
            "employee_id": ["E1", "E1"],
            "unit": ["ICU", "ICU"],
            "start": ["2031-01-01 07:00", "2031-01-02 07:00"],
            "end": ["2031-01-01 19:00", "2031-01-02 19:00"],
            "status": ["worked", "scheduled"],
        }
    )
    result = _load_frames(
        {"shifts": shifts}, known_keys={"employees": {"E1"}, "units": {"ICU"}}, today=_dt.date(2026, 6, 1)
    )
    errors = result.problems[result.problems["severity"] == "error"]
    assert len(errors) == 1 and "cannot start after today" in errors.iloc[0]["reason"]
    assert result.tables["shifts"]["status"].tolist() == ["scheduled"]


def test_text_that_looks_like_a_formula_is_kept_as_text_with_a_warning():
    import datetime as _dt

    import pandas as _pd

    from data_loaders import load_frames as _load_frames

    employees = _pd.DataFrame(
        {"employee_id": ["E1", "E2", "E3"], "last_name": ['=HYPERLINK("http://x")', "@SUM(A1)", "Okafor"]}
    )
    result = _load_frames(
        {"employees": employees}, known_keys={"employees": set(), "units": set()}, today=_dt.date(2026, 6, 1)
    )
    warnings = result.problems[result.problems["reason"].str.contains("formula", na=False)]
    assert warnings["severity"].tolist() == ["warning", "warning"]
    assert result.tables["employees"]["last_name"].tolist() == ['=HYPERLINK("http://x")', "@SUM(A1)", "Okafor"]


# ------------------------------------------------------------------------------ declared rules


def test_validation_leaves_the_callers_frame_unchanged():
    piece = _piece(
        "shifts",
        [
            _shift("19:00", "07:00", shift_date="2026-01-05"),
            _shift("2026-01-06 07:00", "2026-01-06 19:00", shift_date="2026-01-06"),
        ],
    )
    before = piece.frame.copy()
    accepted, problems, _ = validate_table(
        "shifts", [piece], known_keys={"units": {"ICU"}, "employees": {"E1"}}, today=TODAY
    )
    assert problems.empty and len(accepted) == 2
    pd.testing.assert_frame_equal(piece.frame, before)
    assert [c for c in accepted.columns if c.startswith("_")] == []


def test_validation_applies_the_cross_column_rules_a_table_declares(monkeypatch):
    from data_loaders.schema import TABLES, Column, DateOrder, NotInFuture, RequiresConsent, Table

    trial = Table(
        "trial",
        "A table only this test declares.",
        (
            Column("item_id", "str", "Item.", required=True),
            Column("begins", "date", "Start."),
            Column("ends", "date", "End."),
            Column("signed", "bool", "Agreed."),
            Column("kind", "category", "Kind.", allowed=("planned", "done")),
        ),
        key=("item_id",),
        rules=(
            DateOrder("begins", "ends", source="test"),
            RequiresConsent("signed", message="Unsigned rows are refused.", source="test"),
            NotInFuture("begins", unless=("kind", "planned"), message="{column} after {today}.", source="test"),
        ),
    )
    monkeypatch.setitem(TABLES, "trial", trial)
    rows = [
        {"item_id": "ok", "begins": "2026-01-01", "ends": "2026-02-01", "signed": "Y", "kind": "done"},
        {"item_id": "order", "begins": "2026-01-01", "ends": "2025-12-01", "signed": "Y", "kind": "done"},
        {"item_id": "unsigned", "begins": "2026-01-01", "ends": "", "signed": "N", "kind": "done"},
        {"item_id": "future", "begins": "2026-12-01", "ends": "", "signed": "Y", "kind": "done"},
        {"item_id": "planned", "begins": "2026-12-01", "ends": "", "signed": "Y", "kind": "planned"},
    ]
    accepted, problems = _validate("trial", rows, known_keys={})
    assert accepted["item_id"].tolist() == ["ok", "planned"]
    assert problems[["row", "column", "value", "reason"]].values.tolist() == [
        [3, "ends", "2025-12-01", "ends is before begins; correct one of the two dates."],
        [4, "signed", "False", "Unsigned rows are refused."],
        [5, "begins", "2026-12-01", "begins after 2026-11-29."],
    ]  # in the order the rules are declared


def test_every_kind_of_rule_the_schema_offers_has_a_check():
    from data_loaders import schema
    from data_loaders.validation import RULE_CHECKS, apply_rule

    kinds = {k for k in vars(schema).values() if isinstance(k, type) and issubclass(k, schema.Rule)} - {schema.Rule}
    assert kinds == set(RULE_CHECKS)

    class Unchecked(schema.Rule):
        pass

    with pytest.raises(TypeError, match="Unchecked has no check"):
        apply_rule(Unchecked(message="m", source="s"), None)


def test_a_clock_time_beside_a_full_timestamp_keeps_both_ends():
    accepted, problems = _validate(
        "shifts",
        [
            _shift("07:00", "2026-01-05 19:00", shift_date="2026-01-05"),
            _shift("2026-01-06 19:00", "07:00", shift_date="2026-01-06"),
            _shift("19:00", "2026-01-07 07:00", shift_date="2026-01-07"),
        ],
    )
    assert accepted[["start", "end", "hours"]].values.tolist() == [
        [pd.Timestamp("2026-01-05 07:00"), pd.Timestamp("2026-01-05 19:00"), 12.0],
        [pd.Timestamp("2026-01-06 19:00"), pd.Timestamp("2026-01-07 07:00"), 12.0],
    ]
    assert problems[["row", "column", "reason"]].values.tolist() == [
        [4, "end", "The shift ends at or before its start. Check the end date (a night shift ends on the next day)."]
    ]
