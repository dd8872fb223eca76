"""Built-in accounts: argon2 hashes, disabled users, demo accounts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from access import auth
from access.bootstrap import open_store


@pytest.fixture
def engine(tmp_path):
    return open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")


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
