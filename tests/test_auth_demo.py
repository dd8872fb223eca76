"""Demo accounts live only as long as the demo: a real import or a configured store retires them, and the first real
administrator is created with a real password (command line, or the first-run form with the server's setup code)."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from access import audit, auth
from access.data_access import DataAccess, UserContext
from components import session
from data_loaders.settings import DEFAULT_STORE_PATH, PROJECT_DIR
from data_loaders.store import create_store
from tests.test_auth_session import APP


@pytest.fixture
def engine(tmp_path):
    engine = create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    auth.create_demo_accounts(engine)
    return engine


def _frames() -> dict[str, pd.DataFrame]:
    s = lambda values: pd.array(values, dtype="string")  # noqa: E731
    return {"units": pd.DataFrame({"unit_id": s(["ICU"])})}


def _import(engine, who: str, sha256: str, file_name: str = "staff.csv") -> None:
    da = DataAccess(engine, UserContext(who, "admin"), audit=lambda *a: audit.record(engine, *a))
    da.import_tables(_frames(), file_name=file_name, sha256=sha256, rejected={})


def _active_demo(engine) -> set[str]:
    return {a.username for a in auth.list_accounts(engine) if a.demo and a.active}


def test_first_real_import_disables_every_demo_account_audited(engine):
    assert auth.authenticate(engine, "demo.admin", "demo") is not None
    _import(engine, "demo.admin", hashlib.sha256(b"real HR export").hexdigest())
    assert _active_demo(engine) == set()
    assert auth.authenticate(engine, "demo.admin", "demo") is None
    changes = audit.search(engine, action="user_changed")
    assert set(changes["details"].str.extract(r'"user": "([^"]+)"')[0]) == {u for u, *_ in auth.DEMO_ACCOUNTS}
    assert changes["details"].str.contains('"active": false').all()
    assert changes["details"].str.contains("real data imported").all()
    assert set(changes["username"]) == {"demo.admin"}  # the import that caused it, in the importer's name


def test_importing_the_shipped_sample_file_keeps_the_demo(engine):
    shipped = hashlib.sha256((PROJECT_DIR / "sample_data" / "sample_hospital.xlsx").read_bytes()).hexdigest()
    _import(engine, "demo.hr", shipped, "sample_hospital.xlsx")
    assert len(_active_demo(engine)) == len(auth.DEMO_ACCOUNTS)


def test_demo_accounts_cannot_be_enabled_again_once_real_data_is_in(engine):
    _import(engine, "demo.admin", "0" * 64)
    with pytest.raises(auth.UserError, match="real data"):
        auth.set_active(engine, "demo.admin", True, actor="cli:root")
    assert _active_demo(engine) == set()


@pytest.mark.parametrize(
    ("configured", "flag", "kept"),
    [
        (False, None, True),  # the embedded default store holding the sample: the demo
        (True, None, False),  # any configured store (PostgreSQL, MariaDB, another file): no demo accounts
        (True, "1", True),  # unless explicitly asked for (a demo on a scratch database)
        (False, "0", False),
    ],
)
def test_demo_accounts_are_retired_on_a_configured_store_unless_asked_for(engine, configured, flag, kept):
    url = str(engine.url) if configured else f"sqlite:///{DEFAULT_STORE_PATH}"
    environ = {"HOSPITAL_STORE_URL": str(engine.url)} if configured else {}
    if flag is not None:
        environ["HOSPITAL_DEMO_ACCOUNTS"] = flag
    auth.retire_demo_accounts_unless_allowed(engine, environ, store_url=url)
    assert bool(_active_demo(engine)) is kept
    if not kept:
        assert audit.search(engine, action="user_changed")["username"].eq("system").all()


def test_a_real_import_retires_them_even_where_they_were_asked_for(engine):
    _import(engine, "demo.hr", "1" * 64)
    auth.create_demo_accounts(engine)  # an old copy, or someone trying: they are retired again on the next start
    auth.retire_demo_accounts_unless_allowed(engine, {"HOSPITAL_DEMO_ACCOUNTS": "1"}, store_url=str(engine.url))
    assert _active_demo(engine) == set()


def test_first_administrator_needs_a_real_password_and_only_while_there_is_none(engine):
    _import(engine, "demo.admin", "2" * 64)
    assert auth.needs_first_admin(engine)
    with pytest.raises(auth.UserError, match="too easy"):
        auth.create_first_admin(engine, "it.admin", "aaaaaaaaaaaa")
    auth.create_first_admin(engine, "it.admin", "ICU nights are long", display_name="IT administrator")
    account = auth.authenticate(engine, "it.admin", "ICU nights are long")
    assert account is not None and account.role == "admin" and not account.demo
    assert not auth.needs_first_admin(engine)
    with pytest.raises(auth.UserError, match="already has an administrator"):
        auth.create_first_admin(engine, "mallory", "correct horse battery staple")
    assert auth.get_account(engine, "mallory") is None
    entry = audit.search(engine, action="user_added").iloc[0]
    assert '"first_run": true' in entry["details"] and '"user": "it.admin"' in entry["details"]


def test_a_single_sign_on_administrator_counts_as_the_first_one(engine):
    _import(engine, "demo.admin", "3" * 64)
    auth.add_user(engine, "boss@example.org", "admin", password=None)
    assert not auth.needs_first_admin(engine)


@pytest.fixture
def app_on(monkeypatch):
    def start(engine) -> AppTest:
        monkeypatch.setenv("HOSPITAL_STORE_URL", str(engine.url))
        monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
        session.get_engine.clear()
        return AppTest.from_file(APP, default_timeout=30).run()

    yield start
    session.get_engine.clear()


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    return at.run()


def _create_admin(at: AppTest, code: str, username: str, password: str) -> AppTest:
    at.text_input(key="first_run_code").input(code)
    at.text_input(key="first_run_username").input(username)
    at.text_input(key="first_run_password").input(password)
    at.text_input(key="first_run_repeat").input(password)
    next(b for b in at.button if b.label == "Create administrator").click()
    return at.run()


def test_after_a_real_import_the_hint_is_gone_demo_sign_in_fails_and_a_signed_in_demo_session_ends(engine, app_on):
    at = app_on(engine)
    assert any("Demo accounts" in e.label for e in at.expander)
    _sign_in(at, "demo.hr", "demo")
    assert at.session_state["account"].username == "demo.hr"
    _import(engine, "demo.hr", "4" * 64)
    at.run()  # the demo session's next step
    assert "account" not in at.session_state
    assert not any("Demo accounts" in e.label for e in at.expander)
    _sign_in(at, "demo.admin", "demo")
    assert "account" not in at.session_state


def test_first_run_form_needs_the_servers_setup_code_and_a_real_password(engine, app_on):
    _import(engine, "demo.admin", "5" * 64)
    at = app_on(engine)
    assert any(b.label == "Create administrator" for b in at.button)
    _create_admin(at, "guessed-code", "mallory", "correct horse battery staple")
    assert any("setup code is wrong" in e.value for e in at.error)
    assert auth.get_account(engine, "mallory") is None
    code = session.first_run_setup_code()
    _create_admin(at, code, "it.admin", "aaaaaaaaaaaa")
    assert any("too easy to guess" in e.value for e in at.error)
    _create_admin(at, code, "it.admin", "ICU nights are long")
    assert auth.get_account(engine, "it.admin").role == "admin"
    assert not any(b.label == "Create administrator" for b in at.button)  # gone once there is an administrator
    _sign_in(at, "it.admin", "ICU nights are long")
    assert at.session_state["account"].role == "admin"


def test_no_first_run_form_on_a_store_that_has_an_administrator(tmp_path, app_on):
    engine = create_store(f"sqlite:///{tmp_path / 'real.sqlite'}")
    auth.add_user(engine, "boss@example.org", "admin", password=None)
    at = app_on(engine)
    assert not any(b.label == "Create administrator" for b in at.button)
