"""Real public exports load with no hand editing beyond a mapping (files in tests/fixtures/real/, see its README)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from data_loaders import load_file
from tests.real_data import real_file

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def cms():
    """CMS Payroll-Based Journal daily census and nurse hours of one nursing home (US government data)."""
    return load_file(real_file("cms_pbj_daily_census_and_nurse_hours.csv"), today=TODAY)


def test_cms_pbj_gives_one_unit_named_after_the_provider(cms):
    units = cms.tables["units"]
    assert units[["unit_id", "name", "unit_type"]].values.tolist() == [
        ["335513", "SEAGATE REHABILITATION AND NURSING CENTER", "other"]
    ]


def test_cms_pbj_census_is_daily_at_midnight_from_mdscensus(cms):
    census = cms.tables["census"]
    assert len(census) == 3105
    first = census.iloc[0]
    assert (str(first["timestamp"]), first["census"]) == ("2017-01-01 00:00:00", 347.0)
    assert (census["timestamp"].dt.hour == 0).all()


def test_cms_pbj_staffed_hours_melt_and_sum_roles(cms):
    staffed = cms.tables["staffed_hours"]
    day = staffed[staffed["date"] == "2017-01-01"].set_index(["role", "employment"])["hours"]
    # 2017-01-01: RN = RNDON 0 + RNadmin 28.8 + RN 42.07 (all employee); LPN contract 9.0; CNA contract 44.0
    assert day[("RN", "employee")] == pytest.approx(70.87)
    assert day[("RN", "contract")] == 0
    assert day[("LPN", "contract")] == pytest.approx(9.0)
    assert day[("CNA", "employee")] == pytest.approx(674.48)
    assert set(staffed["role"]) == {"RN", "LPN", "CNA"}
    assert not staffed.duplicated(["unit", "date", "role", "employment"]).any()


def test_cms_pbj_has_no_errors_and_reports_ignored_columns_once(cms):
    assert cms.errors.empty
    ignored = cms.problems[cms.problems["severity"] == "warning"]["column"].tolist()
    assert "Hrs_RNDON.1" in ignored
    assert len(ignored) == len(set(ignored))


def test_cms_pbj_offers_each_ignored_column_once_for_mapping(cms):
    offered = [h for report in cms.sheets for h in report.unmapped]
    assert len(offered) == len(set(offered))
    assert [r.table for r in cms.sheets] == ["units", "census", "staffed_hours"]
    assert [r.rows_read for r in cms.sheets] == [1, 3105, 18630]


def _orangehrm_csv(tmp_path: Path) -> Path:
    header = (real_file("orangehrm_employee_import_header.csv")).read_text().strip()
    columns = header.split(",")
    rows = [
        {"first_name": "Ada", "last_name": "Lovelace", "employee_id": "0042", "date_of_birth": "1990-12-10"},
        {"first_name": "Mary", "last_name": "Seacole", "employee_id": "0043", "city": "Kingston", "mobile": "555"},
    ]
    lines = [header] + [",".join(row.get(c, "") for c in columns) for row in rows]
    path = tmp_path / "orangehrm_export.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_orangehrm_import_header_loads_employees(tmp_path):
    result = load_file(_orangehrm_csv(tmp_path), today=TODAY)
    employees = result.tables["employees"]
    assert employees[["employee_id", "first_name", "last_name"]].values.tolist() == [
        ["0042", "Ada", "Lovelace"],
        ["0043", "Mary", "Seacole"],
    ]
    assert result.errors.empty


def test_orangehrm_personal_columns_are_one_warning_per_column_not_per_row(tmp_path):
    result = load_file(_orangehrm_csv(tmp_path), today=TODAY)
    minimised = result.problems[result.problems["reason"].str.contains("data minimisation")]
    assert {"date_of_birth", "mobile", "address_street_1", "gender"} <= set(minimised["column"])
    assert minimised["column"].is_unique
    assert (minimised["row"] == 1).all()


def test_wales_beds_give_monthly_census_per_hospital_specialty():
    result = load_file(real_file("wales_hospital_specialty_beds_monthly.csv"), today=TODAY)
    assert result.errors.empty
    census = result.tables["census"]
    assert (census["timestamp"].dt.day == 1).all()
    assert census["timestamp"].min() == dt.datetime(2021, 1, 1)
    assert census["timestamp"].max() == dt.datetime(2024, 3, 1)
    units = result.tables["units"]
    assert units["unit_id"].str.contains("/").all()
    assert set(units["unit_type"]) <= {"L&D", "behavioral_health", "med_surg", "other"}
    assert set(census["unit"]) <= set(units["unit_id"])


def test_uci_absenteeism_without_full_dates_is_a_clear_problem_not_a_crash():
    result = load_file(real_file("uci_absenteeism_at_work.csv"), today=TODAY)
    assert result.sheets[0].delimiter == ";"
    assert result.tables["absences"].empty
    error = result.errors.iloc[0]
    assert error["table"] == "absences"
    assert "needs the column(s) employee_id, date, absence_type" in error["reason"]


def test_nhs_ae_attendances_load_with_a_mapping_of_the_organisation_code(tmp_path):
    result = load_file(
        real_file("nhs_ae_attendances_monthly.csv"),
        mappings={"*": {"org_code": "unit", "type": ""}},
        known_keys=None,
        today=TODAY,
    )
    census = result.tables["census"]
    assert len(census) > 0
    assert census["arrivals"].notna().all()
