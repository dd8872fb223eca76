"""The audit trail records every action the issue lists, with who and when, and cannot be edited."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.proto.Dataframe_pb2 import Dataframe as DataframeProto
from streamlit.testing.v1 import AppTest

from access import audit, auth
from access.auth import Administration
from access.data_access import AccessDenied, DataAccess, UserContext
from components import session
from components.downloads import prepare_export
from data_loaders.store import create_store
from tests.test_auth_session import APP, _sign_in

PROJECT = Path(__file__).resolve().parents[1]
LISTED_ACTIONS = {
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "page_view",
    "export",
    "import",
    "rollback",
    "user_added",
    "user_changed",
}

_WRITES_TO_AUDIT_LOG = [
    re.compile(r"audit_log\s*\.\s*(update|delete)\s*\(", re.IGNORECASE),
    re.compile(r"\b(update|delete)\s*\(\s*(audit\.)?audit_log\b", re.IGNORECASE),
    re.compile(r"\b(update|delete\s+from|truncate(\s+table)?|drop\s+table(\s+if\s+exists)?)\s+[\"`]?audit_log", re.I),
]


def _source_files() -> list[Path]:
    skip = {"tests", "var", ".venv", "venv", ".git", "benchmarks"}
    return [p for p in PROJECT.rglob("*.py") if not skip & set(p.relative_to(PROJECT).parts)]


def test_no_code_path_updates_or_deletes_the_audit_log():
    files = _source_files()
    assert any(p.name == "audit.py" for p in files)  # the scan does see the code
    offending = [
        f"{path.relative_to(PROJECT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(pattern.search(line) for pattern in _WRITES_TO_AUDIT_LOG)
    ]
    assert offending == []


def test_the_scan_would_catch_an_update_or_delete():
    for line in ("conn.execute(audit_log.delete())", "sa.update(audit_log).values(x=1)", "DELETE FROM audit_log"):
        assert any(p.search(line) for p in _WRITES_TO_AUDIT_LOG), line


def test_audit_module_offers_only_append_and_search():
    public = {n for n in dir(audit) if not n.startswith("_") and callable(getattr(audit, n))}
    assert {n for n in public if n.islower()} - {"annotations", "datetime"} <= {"record", "search"}
    assert not [n for n in dir(Administration) if re.search(r"delete|edit|update|purge|clear", n)]


@pytest.fixture
def engine(tmp_path):
    return create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")


def test_embedded_store_refuses_update_and_delete_of_entries(engine):
    audit.record(engine, "demo.hr", "sign_in", {"method": "password"})
    for statement in ("UPDATE audit_log SET username = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.IntegrityError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert audit.search(engine)["username"].tolist() == ["demo.hr"]


def test_search_filters_by_user_action_period_and_text(engine):
    audit.record(engine, "ann", "read", {"table": "shifts", "units": ["ICU"]})
    audit.record(engine, "bob", "read", {"table": "census"})
    audit.record(engine, "ann", "export", {"file_name": "watch_list.csv"})
    assert audit.search(engine, username="ann")["action"].tolist() == ["export", "read"]
    assert audit.search(engine, action="read", text="ICU")["username"].tolist() == ["ann"]
    assert audit.search(engine, text="100%_")["username"].tolist() == []  # wildcards are literal
    tomorrow = datetime.combine(date.today() + timedelta(days=2), datetime.min.time())
    assert len(audit.search(engine, since=tomorrow)) == 0
    assert len(audit.search(engine, until=tomorrow)) == 3


def test_only_administrators_may_administer(engine):
    for role, units in (("hr_officer", None), ("dept_head", frozenset({"ICU"})), ("executive", None)):
        with pytest.raises(AccessDenied, match="administrators"):
            Administration(engine, UserContext("x", role, units))


def _units_and_staff() -> dict[str, pd.DataFrame]:
    s = lambda values: pd.array(values, dtype="string")  # noqa: E731
    return {
        "units": pd.DataFrame({"unit_id": s(["ICU"])}),
        "employees": pd.DataFrame(
            {"employee_id": s(["E1", "E2"]), "unit": s(["ICU", "ICU"]), "last_name": s(["A", "B"])}
        ),
    }


def test_imports_rollbacks_and_reads_are_audited_with_who_and_filters(engine):
    da = DataAccess(engine, UserContext("demo.hr", "hr_officer"), audit=lambda *a: audit.record(engine, *a))
    summary = da.import_tables(_units_and_staff(), file_name="staff.csv", sha256="abc", rejected={})
    da.table("employees", units=["ICU"])
    da.rollback_import(summary.import_id)
    entries = audit.search(engine, username="demo.hr")
    assert entries["action"].tolist() == ["rollback", "read", "import"]
    assert '"units": ["ICU"]' in entries.iloc[1]["details"] and "staff.csv" in entries.iloc[2]["details"]
    assert entries["at"].notna().all()


@pytest.fixture
def admin_app(engine, tmp_path, monkeypatch):
    auth.create_demo_accounts(engine)
    monkeypatch.setenv("HOSPITAL_STORE_URL", str(engine.url))
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    session.get_engine.clear()
    yield AppTest.from_file(APP, default_timeout=30)
    session.get_engine.clear()


def test_every_listed_action_lands_in_the_trail_from_the_pages_or_the_data_access_layer(admin_app, engine):
    at = admin_app
    _sign_in(at, "demo.admin", "wrong password")
    _sign_in(at, "demo.admin")
    at.switch_page("app_pages/admin_audit.py").run()
    at.selectbox(key="audit_action").select("sign_in").run()
    # The browser asks for the file the button offers; making it is what audits it (components.downloads).
    assert at.download_button(key="audit_download").proto.deferred_file_id
    prepare_export(audit.search(engine), "audit_trail.csv", "audit_log").produce(engine, "demo.admin")
    at.switch_page("app_pages/admin_users.py").run()
    at.text_input(key="new_user").input("ann@example.org")
    at.selectbox(key="new_role").select("hr_officer")
    at.checkbox(key="new_sso").check()
    next(b for b in at.button if b.label == "Add user").click().run()
    at.selectbox(key="change_user").select("demo.exec").run()
    at.button(key="disable_user").click().run()
    da = DataAccess(engine, UserContext("demo.admin", "admin"), audit=lambda *a: audit.record(engine, *a))
    da.rollback_import(da.import_tables(_units_and_staff(), file_name="f.csv", sha256="0", rejected={}).import_id)
    at.sidebar.button(key="sign_out").click().run()

    trail = audit.search(engine)
    assert set(trail["action"]) >= LISTED_ACTIONS
    assert set(trail["username"]) == {"demo.admin"}
    views = trail[(trail["action"] == "page_view") & trail["details"].str.contains('"filters"')]
    assert views["details"].str.contains('"action": "sign_in"').any()  # the filter the admin chose
    export = trail[trail["action"] == "export"].iloc[0]["details"]
    assert '"what": "audit_log"' in export and ".csv" in export
    assert auth.get_account(engine, "ann@example.org").role == "hr_officer"
    assert not auth.get_account(engine, "demo.exec").active


def test_audit_page_offers_no_way_to_edit_entries(admin_app, engine):
    at = admin_app
    _sign_in(at, "demo.admin")
    at.switch_page("app_pages/admin_audit.py").run()
    assert at.title[0].value == "Audit trail"
    assert len(at.dataframe) == 1 and at.dataframe[0].proto.editing_mode == DataframeProto.EditingMode.READ_ONLY
    assert len(at.data_editor) == 0
    assert [b.label for b in at.main.button] == []  # nothing to press but the download
    assert len(at.download_button) == 1
    assert "data_editor" not in (PROJECT / "app_pages" / "admin_audit.py").read_text()


def test_every_rerun_of_a_page_runs_app_py_and_records_one_page_view(admin_app, engine):
    """A widget change reruns app.py (its navigation, session checks and page-view audit), then the page: never
    the page alone, as Streamlit's legacy ``pages/`` mode did."""

    def app_py_views() -> int:
        views = audit.search(engine, action="page_view", text='"page": "Audit trail"')
        return int((~views["details"].str.contains('"filters"')).sum())

    at = admin_app
    _sign_in(at, "demo.admin")
    at.switch_page("app_pages/admin_audit.py").run()
    before = app_py_views()
    at.selectbox(key="audit_action").select("sign_in").run()
    at.selectbox(key="audit_action").select("sign_out").run()
    assert app_py_views() == before + 2
