"""A server store that was never migrated: the app and both command-line tools say which command to run, in a
sentence, instead of a traceback (data_loaders.store.StoreError reaches every entry point)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from components import session
from tests.db_urls import postgres_url

ROOT = Path(__file__).resolve().parents[1]
ADVICE = "python -m data_loaders.migrate"


@pytest.fixture
def unmigrated_url() -> Iterator[str]:
    """An empty scratch database on the PostgreSQL server: no tables, no migration."""
    base = sa.make_url(postgres_url())
    name = f"unmigrated_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_the_app_shows_the_sentence_not_a_traceback(unmigrated_url, monkeypatch):
    monkeypatch.setenv("HOSPITAL_STORE_URL", unmigrated_url)
    monkeypatch.delenv("HOSPITAL_BOOTSTRAP_SAMPLE", raising=False)
    session.get_engine.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    finally:
        session.get_engine.clear()
    assert not at.exception
    [error] = at.error
    shown = re.sub(r"\\(.)", r"\1", error.value)  # the message is markdown-escaped: read it as displayed
    assert "has no migration history" in shown
    assert ADVICE in shown
    assert not at.text_input  # no sign-in form on a store the app cannot use


def test_the_accounts_command_prints_the_sentence_and_exits_2(unmigrated_url, capsys):
    from access.__main__ import main

    assert main(["--store-url", unmigrated_url, "list-users"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and ADVICE in err and "Traceback" not in err


def test_the_staffing_plan_command_prints_the_sentence_and_exits_2(unmigrated_url, tmp_path, capsys):
    from cli.staffing_plan import main

    assert main(["--unit", "ICU", "--out", str(tmp_path / "plan.xlsx"), "--store", unmigrated_url]) == 2
    err = capsys.readouterr().err
    assert ADVICE in err and "Traceback" not in err
    assert not (tmp_path / "plan.xlsx").exists()
