"""First start: the sample hospital's history ends yesterday unless configured."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from access.bootstrap import sample_end, should_bootstrap_sample


def test_sample_history_ends_yesterday_in_the_hospital_time_zone(monkeypatch):
    monkeypatch.delenv("HOSPITAL_SAMPLE_END", raising=False)
    monkeypatch.setenv("HOSPITAL_TIMEZONE", "America/New_York")
    yesterday = datetime.now(ZoneInfo("America/New_York")).date() - timedelta(days=1)
    assert sample_end() == yesterday


def test_sample_end_can_be_pinned(monkeypatch):
    monkeypatch.setenv("HOSPITAL_SAMPLE_END", "2026-10-31")
    assert sample_end() == date(2026, 10, 31)


def test_sample_is_bootstrapped_only_into_the_default_store_unless_asked(monkeypatch):
    monkeypatch.delenv("HOSPITAL_BOOTSTRAP_SAMPLE", raising=False)
    monkeypatch.delenv("HOSPITAL_STORE_URL", raising=False)
    assert should_bootstrap_sample()
    monkeypatch.setenv("HOSPITAL_STORE_URL", "postgresql+psycopg://app@db/workforce")
    assert not should_bootstrap_sample()
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "1")
    assert should_bootstrap_sample()


def test_first_start_loads_a_sample_ending_yesterday(tmp_path, monkeypatch):
    from access.auth import list_accounts
    from access.bootstrap import load_sample_hospital, open_store
    from data_loaders.store import read_table

    monkeypatch.delenv("HOSPITAL_SAMPLE_END", raising=False)
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    rows = load_sample_hospital(engine, scale=0.05, end=sample_end())
    assert rows > 100_000
    census = read_table(engine, "census", units=["ICU"])
    assert census["timestamp"].max().date() == sample_end()
    assert {a.role for a in list_accounts(engine) if a.demo} == {"admin", "hr_officer", "dept_head", "executive"}
