"""First start: the sample hospital's history ends yesterday unless configured."""

from __future__ import annotations

from datetime import UTC, date, datetime

from access.bootstrap import sample_end, should_bootstrap_sample


def test_sample_history_ends_yesterday_in_the_hospital_time_zone(monkeypatch):
    """At 03:30 UTC on 8 March it is still 7 March in New York (22:30 EST): yesterday there is 6 March, not 7."""
    monkeypatch.delenv("HOSPITAL_SAMPLE_END", raising=False)
    monkeypatch.setenv("HOSPITAL_TIMEZONE", "America/New_York")
    assert sample_end(datetime(2026, 3, 8, 3, 30, tzinfo=UTC)) == date(2026, 3, 6)
    monkeypatch.setenv("HOSPITAL_TIMEZONE", "Europe/London")
    assert sample_end(datetime(2026, 3, 8, 3, 30, tzinfo=UTC)) == date(2026, 3, 7)


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
