"""The app's first start (components.session.ensure_sample_loaded): the sample hospital is loaded once however many
sessions open at the same time, and a load that fails says so in a sentence and stores nothing (issue 17 finding 7:
"the first-start lock and error message" were untested)."""

from __future__ import annotations

import threading

import pytest
from streamlit.testing.v1 import AppTest

from components import session
from data_loaders.store import create_store, import_history, is_empty


def _first_start_script() -> None:
    import streamlit as st

    from components.session import ensure_sample_loaded

    ensure_sample_loaded()
    st.write("ready")


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("HOSPITAL_STORE_URL", url)
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "1")
    monkeypatch.setenv("HOSPITAL_SAMPLE_SCALE", "0.02")
    session.get_engine.clear()
    yield url
    session.get_engine.clear()


def test_two_sessions_starting_at_once_load_the_sample_once(empty_store, monkeypatch):
    monkeypatch.setenv("HOSPITAL_SAMPLE_END", "2026-03-01")
    loads: list[str] = []
    real_load = session.load_sample_hospital
    both_waiting = threading.Barrier(2)

    def counted_load(*args, **kwargs):
        loads.append(threading.current_thread().name)  # AppTest runs each script in its own thread
        return real_load(*args, **kwargs)

    monkeypatch.setattr(session, "load_sample_hospital", counted_load)
    checked: set[int] = set()

    def racing_is_empty(engine) -> bool:
        """Hold each session's first look at the empty store until both have looked, so that they really race."""
        if threading.get_ident() not in checked:
            checked.add(threading.get_ident())
            both_waiting.wait(timeout=60)
        return is_empty(engine)

    monkeypatch.setattr(session, "is_empty", racing_is_empty)
    apps = [AppTest.from_function(_first_start_script, default_timeout=300) for _ in range(2)]
    threads = [threading.Thread(target=app.run, name=f"session-{i}") for i, app in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    for app in apps:
        assert not app.exception
        assert [m.value for m in app.markdown][-1] == "ready"
    assert set(import_history(create_store(empty_store))["file_name"]) == {"sample hospital (scale 0.02)"}


def test_a_failing_first_load_says_so_stores_nothing_and_shows_no_traceback(empty_store, monkeypatch):
    monkeypatch.setenv("HOSPITAL_SAMPLE_END", "2099-01-01")  # hire dates in the future: validation rejects them
    app = AppTest.from_function(_first_start_script, default_timeout=300).run()
    assert not app.exception
    [error] = app.error
    assert error.value.startswith("Nothing was stored. Set HOSPITAL_SAMPLE_END to an earlier date or report this:")
    assert "failed validation" in error.value
    assert "Traceback" not in error.value
    assert "ready" not in [m.value for m in app.markdown]
    assert is_empty(create_store(empty_store))
