"""Automatic logoff in a real browser: the page clears to the sign-in form at the inactivity time-out without
anyone clicking, and the audit trail records when the session timed out."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from access import audit, auth
from data_loaders.store import create_store
from tests.e2e import conftest
from tests.e2e.conftest import AppServer, screenshot, sign_in

pytestmark = pytest.mark.e2e

TIMEOUT_MINUTES = 0.4  # 24 seconds
PASSWORD = "ICU nights are long"


@pytest.fixture(scope="module")
def short_timeout_server(tmp_path_factory) -> Iterator[AppServer]:
    """The app on an empty store (no sample: nothing to wait for) with one account and a 24-second time-out."""
    conftest._require_chromium()
    workdir = tmp_path_factory.mktemp("timeout-app")
    engine = create_store(f"sqlite:///{workdir / 'store.sqlite'}")
    auth.add_user(engine, "night.manager", "executive", password=PASSWORD)
    server = AppServer(
        workdir, env={"HOSPITAL_BOOTSTRAP_SAMPLE": "0", "HOSPITAL_SESSION_TIMEOUT_MINUTES": str(TIMEOUT_MINUTES)}
    )
    server.engine = engine
    yield server
    server.stop()


def test_page_clears_at_the_time_out_without_a_click(short_timeout_server, page):
    sign_in(page, short_timeout_server, "night.manager", PASSWORD)
    signed_in = time.monotonic()
    page.get_by_label("Username").wait_for(timeout=90_000)  # nobody touches the page; the timer signs out
    cleared_after = time.monotonic() - signed_in
    screenshot(page, "session-timed-out")
    assert page.get_by_text("Sign out").count() == 0
    assert page.get_by_text("Your session ended after a period of inactivity").count() == 1
    assert TIMEOUT_MINUTES * 60 - 2 < cleared_after < TIMEOUT_MINUTES * 60 + 30  # timer: every 10 s
    entry = audit.search(short_timeout_server.engine, action="sign_out", username="night.manager").iloc[0]
    details = json.loads(entry["details"])
    assert details["reason"] == "inactivity time-out"
    timed_out_at = datetime.fromisoformat(details["timed_out_at"])
    last_activity = datetime.fromisoformat(details["last_activity_at"])
    assert abs((timed_out_at - last_activity).total_seconds() - TIMEOUT_MINUTES * 60) < 2
    assert 0 <= (entry["at"] - timed_out_at).total_seconds() < 15  # recorded by the timer, not a later click
