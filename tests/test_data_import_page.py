"""The Data import page as an HR officer would use it: upload, report, import, history, rollback."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from access import auth
from components import session
from data_loaders import store
from data_loaders.store import create_store
from tests.test_auth_session import APP

UNITS_CSV = b"Unit ID;Unit Name;Unit Type\nICU;Intensive care;ICU\nED;Emergency;ED\n"
STAFF_CSV = (
    b"Emp #,Last Name,Dept,Job Title,Hire Date,FTE\n"
    b"E1,Okafor,ICU,RN,03/15/2019,0.9\n"
    b"E2,Lindqvist,ED,RN,2021-07-01,1.0\n"
    b"E2,Lindqvist,ED,RN,2021-07-01,1.0\n"
    b"E3,Moreau,MARS,RN,2022-01-10,1.0\n"
)


@pytest.fixture
def page(tmp_path, monkeypatch):
    engine = create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    auth.add_user(engine, "hr.officer", "hr_officer", password=None)  # real data: not a demo account
    monkeypatch.setenv("HOSPITAL_STORE_URL", str(engine.url))
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    session.get_engine.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["account"] = auth.get_account(engine, "hr.officer")
    at.session_state["last_seen"] = time.monotonic()
    at.run().switch_page("app_pages/data_import.py").run()
    yield at, engine
    session.get_engine.clear()


def _import_button(at: AppTest):
    return next(b for b in at.button if b.label.startswith("Import "))


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.get("file_uploader")[0].upload(name, data).run()
    return at


def test_upload_reports_rejected_rows_by_file_row_and_reason_and_imports_the_rest(page):
    at, engine = page
    _upload(at, "units.csv", UNITS_CSV)
    _import_button(at).click().run()
    assert sorted(store.read_table(engine, "units")["unit_id"]) == ["ED", "ICU"]

    _upload(at, "staff.csv", STAFF_CSV)
    problems = next(d.value for d in at.dataframe if "severity" in d.value.columns)
    errors = problems[problems["severity"] == "error"]
    assert set(errors["sheet"]) == {"staff.csv"}  # the user's own file name, not a temp name
    assert {4, 5} <= set(errors["row"].dropna().astype(int))  # duplicate E2 and unknown unit MARS
    assert any("MARS" in str(reason) for reason in errors["reason"])
    _import_button(at).click().run()
    assert sorted(store.read_table(engine, "employees")["employee_id"]) == ["E1", "E2"]


def test_rollback_preselects_the_newest_import_and_needs_a_fresh_confirmation(page):
    at, engine = page
    _upload(at, "units.csv", UNITS_CSV)
    _import_button(at).click().run()
    _upload(at, "staff.csv", STAFF_CSV)
    _import_button(at).click().run()
    newest = int(store.import_history(engine)["import_id"].max())
    at.switch_page("app_pages/data_import.py").run()
    target = next(s for s in at.selectbox if s.label.startswith("Import to roll back"))
    assert target.value == newest
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label == "Roll back").click().run()
    assert any(f"Import #{newest}" in s.value for s in at.success)
    assert store.read_table(engine, "employees").empty
    # the next candidate is shown unconfirmed: one more click cannot roll it back by accident
    assert not any(c.value for c in at.checkbox)
    assert next(b for b in at.button if b.label == "Roll back").disabled


CENSUS_CSV = b"Unit,When,Census\nICU,2026-01-05 07:00,12\nICU,2026-01-05 08:00,13\n"


def _sheet_tables(at: AppTest) -> dict[str, str]:
    sheets = next(d.value for d in at.dataframe if "header row" in d.value.columns)
    return dict(zip(sheets["sheet"], sheets["table"], strict=True))


def test_a_mapping_saved_for_one_table_is_not_applied_to_another(page):
    """A census export's "When" is saved as census.timestamp and an absences export's "When" as absences.date:
    each table keeps its own (merged into one dict, the absences mapping made the census file a units sheet)."""
    at, engine = page
    store.save_mapping(engine, "census", "When", "timestamp", username="demo.hr")
    store.save_mapping(engine, "absences", "When", "date", username="demo.hr")
    _upload(at, "census.csv", CENSUS_CSV)
    assert _sheet_tables(at) == {"census.csv": "census"}
    problems = next((d.value for d in at.dataframe if "severity" in d.value.columns), None)
    assert problems is None or not problems["column"].isin(["timestamp", "date"]).any()


def test_a_mapping_saved_for_the_sheets_table_is_applied(page):
    at, engine = page
    _upload(at, "census.csv", CENSUS_CSV)
    assert _sheet_tables(at) != {"census.csv": "census"}  # "When" alone is not recognised
    store.save_mapping(engine, "census", "When", "timestamp", username="demo.hr")
    at.switch_page("app_pages/data_import.py").run()
    _upload(at, "census2.csv", CENSUS_CSV)
    assert _sheet_tables(at) == {"census2.csv": "census"}
