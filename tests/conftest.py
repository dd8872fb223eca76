"""Shared fixtures: a small sample hospital in a temporary SQLite store."""

from __future__ import annotations

import os

import pytest

SAMPLE_TEST_SCALE = float(os.environ.get("TEST_SAMPLE_SCALE", "0.05"))


@pytest.fixture(scope="session")
def sample_engine(tmp_path_factory):
    """Engine of a store holding the sample hospital at a small scale and the demo accounts.

    Scale 0.05 is about 190 people at a time; census is two years hourly at any scale.
    """
    from access.auth import create_demo_accounts
    from data_loaders.store import create_store
    from sample_data.bootstrap import load_sample_hospital

    path = tmp_path_factory.mktemp("sample_store") / "store.sqlite"
    engine = create_store(f"sqlite:///{path}")
    load_sample_hospital(engine, scale=SAMPLE_TEST_SCALE)
    create_demo_accounts(engine)
    return engine


@pytest.fixture(autouse=True)
def _demo_accounts_on_scratch_stores(monkeypatch):
    """Tests run the app on scratch stores named by ``HOSPITAL_STORE_URL``; the demo accounts in them belong to the
    sample hospital there, so keep them (the app retires demo accounts on any configured store unless
    ``HOSPITAL_DEMO_ACCOUNTS=1``; tests/test_auth_demo.py covers that rule)."""
    monkeypatch.setenv("HOSPITAL_DEMO_ACCOUNTS", "1")
