"""User administration rules (the Users page and the command use the same functions)."""

from __future__ import annotations

import pytest

from access import audit, auth
from access.auth import Administration
from access.data_access import UserContext
from data_loaders.store import create_store


@pytest.fixture
def admin(tmp_path):
    engine = create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    auth.add_user(engine, "boss", "admin", password=None)
    return Administration(engine, UserContext("boss", "admin")), engine


def test_accounts_table_lists_sign_in_method_and_status(admin):
    administration, _ = admin
    administration.add_user("ann@example.org", "dept_head", password=None, units=("ICU", "ED"))
    accounts = administration.accounts().set_index("username")
    assert accounts.loc["ann@example.org", "units"] == "ED,ICU"
    assert accounts.loc["ann@example.org", "sign_in"] == "single sign-on"
    assert bool(accounts.loc["boss", "active"]) and not bool(accounts.loc["boss", "demo"])


def test_administrator_cannot_lock_themselves_out(admin):
    administration, engine = admin
    with pytest.raises(auth.UserError, match="your own account"):
        administration.set_active("boss", False)
    with pytest.raises(auth.UserError, match="your own administrator role"):
        administration.set_role("boss", "executive")
    assert auth.get_account(engine, "boss").active and auth.get_account(engine, "boss").role == "admin"
    assert audit.search(engine, action="user_changed").empty


def test_units_are_kept_only_for_department_heads(admin):
    administration, engine = admin
    administration.add_user("x", "dept_head", password=None, units=("ICU",))
    administration.set_role("x", "executive", ("ICU",))
    assert auth.get_account(engine, "x").units == frozenset()
    assert auth.get_account(engine, "x").context().units is None


def test_blank_username_and_unknown_role_are_refused(admin):
    administration, _ = admin
    with pytest.raises(auth.UserError, match="1 to 191"):
        administration.add_user("  ", "executive", password=None)
    with pytest.raises(auth.UserError, match="Unknown role"):
        administration.set_role("boss", "superuser")
