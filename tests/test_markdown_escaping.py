"""Markdown injection (issue 11, finding 9): a hostile unit id, unit name, file name, header or username reaches no
page as markup. Each page is opened in the real app (AppTest) on a store whose first unit is named by an attacker;
every string Streamlit renders as Markdown (bodies, captions, alerts, headings, labels, help) is rendered with a
CommonMark renderer and must hold no image, link or emphasis that came from the data."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from access import audit, auth
from access.auth import Account
from components import session
from data_loaders.store import create_store, import_tables
from tests.test_auth_session import APP
from tests.test_kpi_pages import _hospital

HOSTILE_UNIT = '<img src="http://127.0.0.1:9/beacon.png">'
HOSTILE_NAME = "[click](http://evil.example) **pwned**"
RENDER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
MARKDOWN_BODIES = {"markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success"}


def _hostile_hospital() -> dict[str, pd.DataFrame]:
    tables = _hospital()
    for frame in tables.values():
        for column in ("unit", "unit_id"):
            if column in frame.columns:
                frame[column] = frame[column].replace("ICU", HOSTILE_UNIT)
    units = tables["units"]
    units.loc[units["unit_id"] == HOSTILE_UNIT, "name"] = HOSTILE_NAME
    units["closed"] = pd.NaT
    units["merged_into"] = None
    units.loc[units["unit_id"] == HOSTILE_UNIT, ["closed", "merged_into"]] = [pd.Timestamp("2026-02-01"), "ED"]
    return tables


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'store.sqlite'}"
    engine = create_store(url)
    import_tables(engine, _hostile_hospital(), file_name=f"{HOSTILE_NAME}.xlsx", sha256="1" * 64, username="test")
    auth.create_demo_accounts(engine)
    audit.record(engine, "**pwned**", "sign_in_failed", {"method": "password"})
    engine.dispose()
    return url


@pytest.fixture
def open_page(hostile_store, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("HOSPITAL_STORE_URL", hostile_store)
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    session.get_engine.clear()
    st.cache_data.clear()

    def start(path: str, account: Account) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=180)
        at.session_state["account"] = account
        at.session_state["last_seen"] = time.monotonic()
        at.run()
        if path != "app_pages/home.py":
            at.switch_page(path).run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    yield start
    session.get_engine.clear()
    st.cache_data.clear()


def _nodes(node) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def markdown_strings(at: AppTest) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown."""
    out = []
    for node in _nodes(at._tree):
        kind = getattr(node, "type", "")
        if kind in MARKDOWN_BODIES and isinstance(getattr(node, "value", None), str):
            out.append(node.value)
        for attribute in ("label", "help"):
            text = getattr(node, attribute, None)
            if isinstance(text, str):
                out.append(text)
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "help") and isinstance(proto.help, str):
            out.append(proto.help)
    return out


def markup_from_data(texts: list[str]) -> list[str]:
    """The strings whose rendering holds an image, a link or emphasis planted in the data."""
    bad = []
    for text in texts:
        html = RENDER.render(text)
        if "<img" in html or 'href="http://evil' in html or "<strong>pwned</strong>" in html:
            bad.append(text)
    return bad


ADMIN = Account("t.admin", "Admin", "admin", frozenset(), True, False)
PAGES = [
    ("app_pages/home.py", ADMIN),
    ("app_pages/home.py", Account("t.head", "**pwned**", "dept_head", frozenset({HOSTILE_UNIT, "ED"}), True, False)),
    ("app_pages/exec_overview.py", Account("t.exec", "Exec", "executive", frozenset(), True, False)),
    ("app_pages/hr_workforce.py", ADMIN),
    ("app_pages/recruiting.py", ADMIN),
    ("app_pages/training_readiness.py", ADMIN),
    ("app_pages/unit_forecast.py", ADMIN),
    ("app_pages/data_import.py", ADMIN),
    ("app_pages/admin_audit.py", ADMIN),
]


def test_the_check_finds_an_unescaped_value():
    assert markup_from_data([f"Units: {HOSTILE_UNIT}", HOSTILE_NAME]) == [f"Units: {HOSTILE_UNIT}", HOSTILE_NAME]


@pytest.mark.parametrize(("path", "account"), PAGES, ids=[f"{p}-{a.role}" for p, a in PAGES])
def test_no_data_value_reaches_a_page_as_markup(open_page, path, account):
    at = open_page(path, account)
    texts = markdown_strings(at)
    assert texts, "the page rendered some Markdown"
    assert markup_from_data(texts) == []


def test_the_audit_page_escapes_a_username_typed_as_markup(open_page):
    at = open_page("app_pages/admin_audit.py", ADMIN)
    at.text_input(key="audit_user").input("**pwned** [click](http://evil.example)").run()
    assert markup_from_data(markdown_strings(at)) == []


def test_the_import_page_escapes_file_names_headers_and_sheet_names(open_page):
    at = open_page("app_pages/data_import.py", ADMIN)
    csv = b"Unit ID;Unit Name;**pwned** [click](http://evil.example)\nICU;Intensive care;x\n"
    at.get("file_uploader")[0].upload("[click](http://evil.example) **pwned**.csv", csv).run()
    assert not at.exception, [e.message for e in at.exception]
    texts = markdown_strings(at)
    assert any("pwned" in t for t in texts), "the file name and header are shown"
    assert markup_from_data(texts) == []
