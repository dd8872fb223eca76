"""The ``python -m access`` user command: add, disable, enable, set role, list — each change audited."""

from __future__ import annotations

import subprocess
import sys

import pytest

from access import audit, auth
from access.__main__ import main
from data_loaders.store import create_store


@pytest.fixture
def store_url(tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


def _passwords(monkeypatch, *answers):
    replies = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(replies))


def test_add_user_prompts_for_password_and_audits_user_added(store_url, monkeypatch):
    _passwords(monkeypatch, "a long enough secret", "a long enough secret")
    assert (
        main(["--store-url", store_url, "add-user", "--username", "n.head", "--role", "dept_head", "--units", "ICU,ED"])
        == 0
    )
    engine = create_store(store_url)
    account = auth.authenticate(engine, "n.head", "a long enough secret")
    assert account is not None and account.units == frozenset({"ED", "ICU"})
    entry = audit.search(engine, action="user_added").iloc[0]
    assert entry["username"].startswith("cli:") and '"user": "n.head"' in entry["details"]


def test_add_user_refuses_mismatched_passwords_without_creating_anyone(store_url, monkeypatch, capsys):
    _passwords(monkeypatch, "a long enough secret", "another long secret")
    assert main(["--store-url", store_url, "add-user", "--username", "x", "--role", "executive"]) == 2
    assert "differ" in capsys.readouterr().err
    assert auth.get_account(create_store(store_url), "x") is None


def test_oidc_user_has_no_password_and_cannot_use_the_form(store_url, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("must not ask for a password"))
    assert (
        main(["--store-url", store_url, "add-user", "--username", "ann@example.org", "--role", "hr_officer", "--oidc"])
        == 0
    )
    engine = create_store(store_url)
    account = auth.get_account(engine, "ann@example.org")
    assert account is not None and not account.has_password
    assert auth.authenticate(engine, "ann@example.org", "") is None


def test_disable_and_enable_are_audited_as_user_changed(store_url, monkeypatch, capsys):
    engine = create_store(store_url)
    auth.add_user(engine, "exec", "executive", password="a long enough secret")
    assert main(["--store-url", store_url, "disable-user", "--username", "exec"]) == 0
    assert auth.authenticate(engine, "exec", "a long enough secret") is None
    assert main(["--store-url", store_url, "enable-user", "--username", "exec"]) == 0
    assert auth.authenticate(engine, "exec", "a long enough secret") is not None
    changes = audit.search(engine, action="user_changed")
    assert list(changes["details"].str.contains('"active": false')) == [False, True]  # newest first


def test_set_role_records_old_and_new_role(store_url):
    engine = create_store(store_url)
    auth.add_user(engine, "hr", "hr_officer", password="a long enough secret")
    assert (
        main(["--store-url", store_url, "set-role", "--username", "hr", "--role", "dept_head", "--units", "ICU"]) == 0
    )
    account = auth.get_account(engine, "hr")
    assert account.role == "dept_head" and account.units == frozenset({"ICU"})
    details = audit.search(engine, action="user_changed").iloc[0]["details"]
    assert '"old_role": "hr_officer"' in details and '"role": "dept_head"' in details


def test_unknown_user_is_a_clear_error(store_url, capsys):
    assert main(["--store-url", store_url, "disable-user", "--username", "ghost"]) == 2
    assert "No user 'ghost'" in capsys.readouterr().err


def test_list_users_runs_as_a_module_and_labels_demo_accounts(store_url):
    auth.create_demo_accounts(create_store(store_url))
    out = subprocess.run(
        [sys.executable, "-m", "access", "--store-url", store_url, "list-users"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "demo.icu" in out and "dept_head" in out and "ICU" in out and "demo" in out.splitlines()[1]


def test_add_user_refuses_a_common_password(store_url, monkeypatch, capsys):
    _passwords(monkeypatch, "aaaaaaaaaaaa", "aaaaaaaaaaaa")
    assert main(["--store-url", store_url, "add-user", "--username", "x", "--role", "executive"]) == 2
    assert "too easy to guess" in capsys.readouterr().err
    assert auth.get_account(create_store(store_url), "x") is None


def test_set_password_resets_an_account_and_is_audited(store_url, monkeypatch, capsys):
    engine = create_store(store_url)
    auth.add_user(engine, "hr", "hr_officer", password="a long enough secret")
    _passwords(monkeypatch, "ICU nights are long", "ICU nights are long")
    assert main(["--store-url", store_url, "set-password", "--username", "hr"]) == 0
    assert auth.authenticate(engine, "hr", "ICU nights are long") is not None
    entry = audit.search(engine, action="password_changed").iloc[0]
    assert entry["username"].startswith("cli:") and '"user": "hr"' in entry["details"]
    _passwords(monkeypatch, "qwertyuiop12", "qwertyuiop12")
    assert main(["--store-url", store_url, "set-password", "--username", "hr"]) == 2
    assert "too easy to guess" in capsys.readouterr().err


def test_add_user_can_pin_single_sign_on_to_one_issuer(store_url):
    issuer = "https://login.example-hospital.org/realms/staff"
    argv = ["--store-url", store_url, "add-user", "--username", "cy@example.org", "--role", "executive", "--oidc"]
    assert main([*argv, "--oidc-issuer", issuer]) == 0
    assert auth.get_account(create_store(store_url), "cy@example.org").oidc_issuer == issuer
