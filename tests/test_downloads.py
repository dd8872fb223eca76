"""The one audited download (issue 11 finding 7, issue 17 finding 6): neutralised files, one audit entry per file
made, with the file name the user receives and the filters in effect; no other way to export a table."""

from __future__ import annotations

import io
import json
import re
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from access import audit, auth
from components import session
from components.downloads import prepare_export
from data_loaders.store import create_store
from tests.test_auth_session import APP

PROJECT = Path(__file__).resolve().parents[1]
HOSTILE = pd.DataFrame({"username": ['=HYPERLINK("http://evil","x")', "ann"], "rows": [-3, 4]})


@pytest.fixture
def engine(tmp_path):
    return create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")


def _exports(engine) -> list[dict]:
    return [json.loads(d) for d in audit.search(engine, action="export")["details"]]


def test_a_csv_export_is_neutralised_and_audited_under_the_file_name_the_user_gets(engine):
    export = prepare_export(
        HOSTILE, "watch_list_2026-03-01.csv", "retention watch list", filters={"units": {"ED", "ICU"}, "top": 25}
    )
    data = export.produce(engine, "demo.hr")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert frame["username"].tolist() == ['\'=HYPERLINK("http://evil","x")', "ann"]
    assert frame["rows"].tolist() == [-3, 4]  # numbers stay numbers
    [entry] = _exports(engine)
    assert entry == {
        "what": "retention watch list",
        "file_name": "watch_list_2026-03-01.csv",
        "rows": 2,
        "filters": {"units": ["ED", "ICU"], "top": "25"},
    }
    assert export.file_name == entry["file_name"] and export.mime == "text/csv"


def test_every_file_made_is_one_entry_for_the_user_who_made_it(engine):
    export = prepare_export(HOSTILE, "a.csv", "x")
    export.produce(engine, "demo.hr")
    export.produce(engine, "demo.admin")
    assert audit.search(engine, action="export")["username"].tolist() == ["demo.admin", "demo.hr"]


def test_a_workbook_export_writes_values_never_formulas(engine):
    data = prepare_export({"People": HOSTILE}, "people.xlsx", "people").produce(engine, "demo.hr")
    sheet = load_workbook(io.BytesIO(data))["People"]
    assert sheet["A2"].value == '\'=HYPERLINK("http://evil","x")' and sheet["A2"].data_type == "s"
    assert _exports(engine)[0]["rows"] == 2


def test_a_finished_file_is_audited_with_the_rows_the_page_gives(engine):
    data = prepare_export(lambda: b"PK...", "board_report_20260301.xlsx", "board report", rows=42).produce(
        engine, "demo.exec"
    )
    assert data == b"PK..." and _exports(engine)[0]["rows"] == 42


def test_only_csv_and_xlsx_files_are_offered():
    with pytest.raises(ValueError, match="neither"):
        prepare_export(HOSTILE, "report.html", "x")
    with pytest.raises(ValueError, match="xlsx"):
        prepare_export({"a": HOSTILE}, "report.csv", "x")


def test_no_page_offers_a_download_but_through_the_audited_component():
    callers = [
        str(p.relative_to(PROJECT))
        for p in [PROJECT / "app.py", *(PROJECT / "app_pages").glob("*.py"), *(PROJECT / "components").glob("*.py")]
        if re.search(r"\.download_button\(", p.read_text()) and p.name != "downloads.py"
    ]
    assert callers == []


def test_tables_offer_no_built_in_csv_download():
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True


@pytest.fixture
def audit_page(engine, monkeypatch):
    auth.create_demo_accounts(engine)
    monkeypatch.setenv("HOSPITAL_STORE_URL", str(engine.url))
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    session.get_engine.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["account"] = auth.get_account(engine, "demo.admin")
    at.session_state["last_seen"] = time.monotonic()
    yield at.run().switch_page("app_pages/admin_audit.py").run()
    session.get_engine.clear()


def test_the_page_serves_no_file_before_the_click_that_audits_it(audit_page, engine):
    at = audit_page
    button = at.download_button(key="audit_download")
    assert button.proto.deferred_file_id and not button.proto.url  # the file is made (and audited) on click only
    assert _exports(engine) == []  # showing the page exports nothing
