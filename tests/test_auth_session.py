"""Sessions in the running app (AppTest): password and OpenID Connect sign-in, sign-out and inactivity time-out,
each audited."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from access import audit, auth
from components import session
from data_loaders.store import create_store

APP = str(Path(__file__).resolve().parents[1] / "app.py")
AUTH_SECRETS = {
    "auth": {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret",
        "keycloak": {"client_id": "c", "client_secret": "s", "server_metadata_url": "http://127.0.0.1:1/x"},
    }
}
ANN = {"iss": "https://kc.example.org/realms/staff", "sub": "kc-1", "email": "ann@example.org", "email_verified": True}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('session') / 'store.sqlite'}"
    engine = create_store(url)
    auth.create_demo_accounts(engine)
    auth.add_user(engine, "ann@example.org", "dept_head", password=None, units=("ICU",))
    return url, engine


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(session, "_now", fake)
    return fake


@pytest.fixture
def app(store, monkeypatch):
    url, _ = store
    monkeypatch.setenv("HOSPITAL_STORE_URL", url)
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    monkeypatch.delenv("HOSPITAL_PASSWORD_SIGN_IN", raising=False)
    session.get_engine.clear()
    yield AppTest.from_file(APP, default_timeout=30)
    session.get_engine.clear()


def _sign_in(at: AppTest, username: str, password: str = "demo") -> AppTest:
    at.run()
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    return at.run()


def _latest(engine, action: str):
    return audit.search(engine, action=action, limit=1).iloc[0]


def test_password_sign_in_starts_a_session_and_is_audited(app, store, clock):
    _sign_in(app, "demo.hr")
    assert app.session_state["account"].username == "demo.hr"
    assert any(b.label == "Sign out" for b in app.sidebar.button)
    entry = _latest(store[1], "sign_in")
    assert entry["username"] == "demo.hr" and '"method": "password"' in entry["details"]


def test_wrong_password_is_refused_and_audited_as_failed_sign_in(app, store, clock):
    _sign_in(app, "demo.exec", "not the password")
    assert "account" not in app.session_state
    assert any("wrong" in e.value for e in app.error)
    assert _latest(store[1], "sign_in_failed")["username"] == "demo.exec"


def test_session_survives_activity_within_the_time_out(app, clock):
    _sign_in(app, "demo.hr")
    for _ in range(3):
        clock.now += (session.SESSION_TIMEOUT_MINUTES - 1) * 60
        app.run()
        assert "account" in app.session_state


def test_session_times_out_after_inactivity_and_audits_sign_out(app, store, clock):
    _sign_in(app, "demo.icu")
    clock.now += session.SESSION_TIMEOUT_MINUTES * 60 + 1
    app.run()
    assert "account" not in app.session_state
    assert any("inactivity" in i.value for i in app.info)
    entry = _latest(store[1], "sign_out")
    assert entry["username"] == "demo.icu" and "inactivity time-out" in entry["details"]


def test_sign_out_button_ends_the_session_and_is_audited(app, store, clock):
    _sign_in(app, "demo.exec")
    app.sidebar.button(key="sign_out").click().run()
    assert "account" not in app.session_state
    entry = _latest(store[1], "sign_out")
    assert entry["username"] == "demo.exec" and "signed out" in entry["details"]


def test_identity_provider_button_is_offered_when_auth_is_configured(app, monkeypatch):
    app.secrets = AUTH_SECRETS
    app.user = {"is_logged_in": False}
    app.run()
    assert [b.label for b in app.button if b.label.startswith("Sign in with")] == ["Sign in with Keycloak"]
    assert app.text_input(key="sign_in_username") is not None


def test_password_form_is_hidden_when_turned_off(app, monkeypatch):
    monkeypatch.setenv("HOSPITAL_PASSWORD_SIGN_IN", "0")
    app.secrets = AUTH_SECRETS
    app.user = {"is_logged_in": False}
    app.run()
    assert not app.text_input
    assert [b.label for b in app.button] == ["Sign in with Keycloak"]


def test_no_sign_in_method_at_all_is_explained(app, monkeypatch):
    monkeypatch.setenv("HOSPITAL_PASSWORD_SIGN_IN", "0")
    app.run()
    assert any("No way to sign in" in e.value for e in app.error)


def test_oidc_identity_in_users_table_gets_its_role_and_units(app, store, clock):
    app.secrets = AUTH_SECRETS
    app.user = {"is_logged_in": True, **ANN, "provider": "keycloak"}
    app.run()
    account = app.session_state["account"]
    assert (account.role, account.units) == ("dept_head", frozenset({"ICU"}))
    assert app.session_state["sign_in_method"] == "oidc"
    assert '"provider": "keycloak"' in _latest(store[1], "sign_in")["details"]


def test_unknown_oidc_identity_is_refused_once_with_a_clear_message(app, store, clock):
    before = len(audit.search(store[1], action="sign_in_failed"))
    app.secrets = AUTH_SECRETS
    app.user = {"is_logged_in": True, **ANN, "email": "mallory@example.org", "sub": "kc-2", "provider": "keycloak"}
    app.run()
    app.run()
    assert "account" not in app.session_state
    assert any("not registered" in e.value for e in app.error)
    assert "Sign out of single sign-on" in [b.label for b in app.button]
    assert len(audit.search(store[1], action="sign_in_failed")) == before + 1


def test_oidc_session_time_out_also_ends_the_identity_cookie(app, store, clock):
    app.secrets = AUTH_SECRETS
    app.user = {"is_logged_in": True, **ANN, "provider": "keycloak"}
    app.run()
    assert app.session_state["sign_in_method"] == "oidc"
    clock.now += session.SESSION_TIMEOUT_MINUTES * 60 + 1
    app.run()
    assert "account" not in app.session_state
    assert not app.user.get("is_logged_in")  # st.logout() ran: the identity is gone from this session
    app.run()
    assert "account" not in app.session_state  # and is not used to sign straight back in
    entry = _latest(store[1], "sign_out")
    assert entry["username"] == "ann@example.org" and '"method": "oidc"' in entry["details"]


def test_session_time_out_is_recorded_at_last_activity_plus_time_out_not_at_the_click(app, store, clock):
    _sign_in(app, "demo.ed")
    clock.now += 3 * 60 * 60  # the tab sat for three hours; then someone clicks
    app.run()
    details = json.loads(_latest(store[1], "sign_out")["details"])
    entry_at = _latest(store[1], "sign_out")["at"]
    timed_out_at = datetime.fromisoformat(details["timed_out_at"])
    expected = entry_at - timedelta(hours=3) + timedelta(minutes=session.SESSION_TIMEOUT_MINUTES)
    assert abs((timed_out_at - expected).total_seconds()) < 5
    assert datetime.fromisoformat(details["last_activity_at"]) < timed_out_at


def test_sign_out_clears_everything_the_previous_user_left_in_the_tab(app, clock):
    _sign_in(app, "demo.hr")
    app.session_state["database_report"] = "HR's database report"  # anything a page keeps for its user
    app.session_state["_recorded_filters"] = {"Retention risk": {"unit": "ICU"}}
    app.sidebar.button(key="sign_out").click().run()
    _sign_in(app, "demo.admin")
    assert app.session_state["account"].username == "demo.admin"
    assert "database_report" not in app.session_state and "_recorded_filters" not in app.session_state


def test_too_many_wrong_passwords_show_when_to_try_again(app, store, clock):
    auth.add_user(store[1], "locked.out", "executive", password="a long enough secret")
    for _ in range(5):
        _sign_in(app, "locked.out", "wrong guess")
    _sign_in(app, "locked.out", "a long enough secret")
    assert "account" not in app.session_state
    assert any("Too many attempts; try again in 1 minute" in e.value for e in app.error)
    assert _latest(store[1], "sign_in_throttled")["username"] == "locked.out"


def test_changing_ones_password_ends_the_other_sessions_but_not_this_one(app, store, clock):
    auth.add_user(store[1], "nurse.lead", "executive", password="a long enough secret")
    other = AppTest.from_file(APP, default_timeout=30)
    _sign_in(other, "nurse.lead", "a long enough secret")
    _sign_in(app, "nurse.lead", "a long enough secret")
    app.switch_page("app_pages/account.py").run()
    app.text_input(key="own_current_password").input("a long enough secret")
    app.text_input(key="own_new_password").input("aaaaaaaaaaaa")
    app.text_input(key="own_repeat_password").input("aaaaaaaaaaaa")
    next(b for b in app.button if b.label == "Change password").click().run()
    assert any("too easy to guess" in e.value for e in app.error)
    app.text_input(key="own_current_password").input("a long enough secret")
    app.text_input(key="own_new_password").input("ICU nights are long")
    app.text_input(key="own_repeat_password").input("ICU nights are long")
    next(b for b in app.button if b.label == "Change password").click().run()
    assert any("password is changed" in s.value for s in app.success)
    app.run()
    assert app.session_state["account"].username == "nurse.lead"
    other.run()
    assert "account" not in other.session_state
    assert any("password changed" in i.value for i in other.info)
    assert _latest(store[1], "password_changed")["username"] == "nurse.lead"


def test_administrator_resets_a_password_on_the_users_page(app, store, clock):
    auth.add_user(store[1], "ward.clerk", "executive", password="a long enough secret")
    _sign_in(app, "demo.admin")
    app.switch_page("app_pages/admin_users.py").run()
    app.selectbox(key="change_user").select("ward.clerk").run()
    app.text_input(key="reset_password").input("ICU nights are long")
    next(b for b in app.button if b.label == "Set password").click().run()
    assert auth.authenticate(store[1], "ward.clerk", "ICU nights are long") is not None
    entry = _latest(store[1], "password_changed")
    assert entry["username"] == "demo.admin" and '"user": "ward.clerk"' in entry["details"]
