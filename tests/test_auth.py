"""Built-in accounts: argon2 hashes, disabled users, demo accounts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from access import audit, auth
from data_loaders.store import create_store


@pytest.fixture
def engine(tmp_path):
    return create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")


def test_password_is_stored_as_argon2_hash_and_verifies(engine):
    auth.add_user(engine, "nurse.manager", "dept_head", password="correct horse battery", units=("ICU",))
    with engine.connect() as conn:
        stored = conn.execute(sa.select(auth.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    account = auth.authenticate(engine, "nurse.manager", "correct horse battery")
    assert account is not None and account.context().units == frozenset({"ICU"})
    assert auth.authenticate(engine, "nurse.manager", "wrong password!!") is None


def test_disabled_user_cannot_sign_in(engine):
    auth.add_user(engine, "exec", "executive", password="a long enough secret")
    auth.set_active(engine, "exec", False)
    assert auth.authenticate(engine, "exec", "a long enough secret") is None


def test_unknown_user_and_short_password_are_refused(engine):
    assert auth.authenticate(engine, "nobody", "whatever") is None
    with pytest.raises(auth.UserError, match="12 characters"):
        auth.add_user(engine, "x", "hr_officer", password="short")
    with pytest.raises(auth.UserError, match="unit"):
        auth.add_user(engine, "y", "dept_head", password="long enough password")


def test_demo_accounts_cover_every_role(engine):
    auth.create_demo_accounts(engine)
    roles = {a.role for a in auth.list_accounts(engine) if a.demo}
    assert roles == {"admin", "hr_officer", "dept_head", "executive"}


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("Password123!", "too easy to guess"),
        ("qwertyuiop12", "too easy to guess"),
        ("nurse.manager2024", "too easy to guess"),  # the username plus a year
        ("x" * 11, "at least 12 characters"),
        ("correct horse battery " * 6, "at most 128 characters"),
    ],
)
def test_weak_common_and_over_long_passwords_are_refused_with_a_reason(engine, password, reason):
    with pytest.raises(auth.UserError, match=reason):
        auth.add_user(engine, "nurse.manager", "hr_officer", password=password)
    assert auth.get_account(engine, "nurse.manager") is None


def test_demo_flag_does_not_skip_the_password_rule(engine):
    with pytest.raises(auth.UserError, match="12 characters"):
        auth.add_user(engine, "fake.demo", "admin", password="demo", demo=True)


def test_user_changes_own_password_only_with_the_current_one_and_it_is_audited(engine):
    auth.add_user(engine, "hr", "hr_officer", password="a long enough secret")
    with pytest.raises(auth.UserError, match="current password"):
        auth.set_password(engine, "hr", "ICU nights are long", actor="hr", current_password="not it at all")
    with pytest.raises(auth.UserError, match="too easy"):
        auth.set_password(engine, "hr", "aaaaaaaaaaaa", actor="hr", current_password="a long enough secret")
    auth.set_password(engine, "hr", "ICU nights are long", actor="hr", current_password="a long enough secret")
    assert auth.authenticate(engine, "hr", "a long enough secret") is None
    assert auth.authenticate(engine, "hr", "ICU nights are long") is not None
    entry = audit.search(engine, action="password_changed").iloc[0]
    assert entry["username"] == "hr" and '"by": "self"' in entry["details"] and "ICU" not in entry["details"]


def test_administrator_resets_a_password_audited_and_demo_accounts_cannot_get_one(engine):
    auth.add_user(engine, "hr", "hr_officer", password="a long enough secret")
    auth.create_demo_accounts(engine)
    auth.set_password(engine, "hr", "ICU nights are long", actor="boss")
    assert auth.authenticate(engine, "hr", "ICU nights are long") is not None
    entry = audit.search(engine, action="password_changed").iloc[0]
    assert entry["username"] == "boss" and '"user": "hr"' in entry["details"]
    assert '"by": "administrator"' in entry["details"]
    with pytest.raises(auth.UserError, match="demo account"):
        auth.set_password(engine, "demo.admin", "ICU nights are long", actor="boss")
    with pytest.raises(auth.UserError, match="No user"):
        auth.set_password(engine, "ghost", "ICU nights are long", actor="boss")
