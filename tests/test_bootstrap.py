"""First start: the sample hospital's history ends yesterday unless configured."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sample_data.bootstrap import sample_end, should_bootstrap_sample


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
    from data_loaders.store import create_store, read_table
    from sample_data.bootstrap import load_sample_hospital

    monkeypatch.delenv("HOSPITAL_SAMPLE_END", raising=False)
    engine = create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    rows = load_sample_hospital(engine, scale=0.05, end=sample_end())
    assert rows > 100_000
    census = read_table(engine, "census", units=["ICU"])
    assert census["timestamp"].max().date() == sample_end()


def test_loading_the_sample_makes_no_accounts_and_is_recorded_as_the_sample(tmp_path):
    """Sample generation and loading live in ``sample_data``; accounts are ``access``'s business, so loading the
    sample creates none, and its import reads as the bundled sample (it does not retire demo accounts)."""
    from access.auth import is_sample_import, list_accounts
    from data_loaders.store import create_store, import_history
    from sample_data.bootstrap import SAMPLE_IMPORTER, load_sample_hospital

    engine = create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    load_sample_hospital(engine, scale=0.02, end=date(2026, 3, 1))
    assert list_accounts(engine) == []
    history = import_history(engine)
    assert set(history["username"]) == {SAMPLE_IMPORTER}
    assert is_sample_import(SAMPLE_IMPORTER, str(history["sha256"].iloc[0]))


def test_demo_accounts_follow_the_sample_unless_switched_off(tmp_path):
    from access.auth import create_sample_demo_accounts, list_accounts
    from data_loaders.store import create_store

    engine = create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert not create_sample_demo_accounts(engine, {"HOSPITAL_DEMO_ACCOUNTS": "0"})
    assert list_accounts(engine) == []
    assert create_sample_demo_accounts(engine, {})
    assert {a.role for a in list_accounts(engine) if a.demo} == {"admin", "hr_officer", "dept_head", "executive"}
