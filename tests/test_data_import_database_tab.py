"""The "From a database" tab of Data import: configured source names only, no address field, audited reads."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from access import audit, auth
from components import session
from data_loaders.sources import SOURCES_FILE_VARIABLE
from data_loaders.store import create_store
from tests.scratch_sources import scratch_source
from tests.test_auth_session import APP


@pytest.fixture
def store(tmp_path, monkeypatch):
    engine = create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    auth.create_demo_accounts(engine)
    monkeypatch.setenv("HOSPITAL_STORE_URL", str(engine.url))
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    monkeypatch.delenv(SOURCES_FILE_VARIABLE, raising=False)
    session.get_engine.clear()
    yield engine
    session.get_engine.clear()


def _open_page(engine, secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets.update(secrets or {})
    at.session_state["account"] = auth.get_account(engine, "demo.hr")
    at.session_state["last_seen"] = time.monotonic()
    return at.run().switch_page("app_pages/data_import.py").run()


def _no_address_field(at: AppTest) -> bool:
    words = ("url", "address", "host", "connection", "dsn")
    return not any(any(w in t.label.lower() for w in words) for t in at.text_input)


def test_without_configured_sources_the_tab_says_how_an_administrator_adds_one(store):
    at = _open_page(store)
    assert not at.exception
    assert any(SOURCES_FILE_VARIABLE in i.value and "allowed_hosts" in i.value for i in at.info)
    assert not any(s.label == "Source" for s in at.selectbox)
    assert _no_address_field(at)


def test_the_tab_offers_the_configured_source_names_and_no_address_field(store, tmp_path, monkeypatch):
    path = tmp_path / "sources.toml"
    path.write_text(
        '[sources]\nallowed_hosts = ["hrms-db.example.org"]\n'
        '[sources.hrms]\ndialect = "postgresql"\nhost = "hrms-db.example.org"\ndatabase = "hrms"\nusername = "r"\n'
    )
    monkeypatch.setenv(SOURCES_FILE_VARIABLE, str(path))
    secrets = {
        "sources": {
            "allowed_hosts": ["lms-db.example.org"],
            "lms": {"dialect": "mariadb", "host": "lms-db.example.org", "database": "lms", "username": "r"},
            "rogue": {"dialect": "sqlite", "host": "lms-db.example.org", "database": "var/hospital.sqlite"},
        }
    }
    at = _open_page(store, secrets)
    assert not at.exception
    chooser = next(s for s in at.selectbox if s.label == "Source")
    assert chooser.options == ["hrms", "lms"]
    assert any("'rogue' is not usable" in w.value for w in at.warning)
    assert _no_address_field(at)


@pytest.mark.db
def test_reading_a_source_shows_the_report_and_is_audited(store, tmp_path, monkeypatch):
    with scratch_source("postgresql") as (source, owner):
        with owner.begin() as conn:
            conn.execute(sa.text("CREATE TABLE depts (unit_id VARCHAR(20), unit_name VARCHAR(40), unit_type TEXT)"))
            conn.execute(sa.text("INSERT INTO depts VALUES ('ICU', 'Intensive care', 'ICU')"))
        path = tmp_path / "sources.toml"
        path.write_text(
            f'[sources]\nallowed_hosts = ["{source.host}"]\n'
            f'[sources.hrms]\ndialect = "postgresql"\nhost = "{source.host}"\nport = {source.port}\n'
            f'database = "{source.database}"\nusername = "{source.username}"\n'
        )
        monkeypatch.setenv(SOURCES_FILE_VARIABLE, str(path))
        at = _open_page(store)
        next(t for t in at.text_input if t.label.startswith("units:")).input("SELECT * FROM depts").run()
        next(b for b in at.button if b.label == "Read from the source").click().run()
    assert not at.exception
    assert any(b.label.startswith("Import 1 accepted rows") for b in at.button)
    entries = audit.search(store, action="source_read")
    assert len(entries) == 1
    details = json.loads(entries["details"].iloc[0])
    assert details["source"] == "hrms"
    assert details["queries"] == ["units: SELECT * FROM depts"]
    assert details["rows"] == ["units: 1 accepted, 0 rejected"]
    assert entries["username"].iloc[0] == "demo.hr"
