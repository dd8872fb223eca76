"""The signed-in user's session: the store engine, the account, and the user's :class:`DataAccess`.

Pages call :func:`current_access`; they never open the store themselves.
"""

from __future__ import annotations

import functools
import threading
import time

import streamlit as st
from sqlalchemy.engine import Engine

from access import audit
from access.auth import Account
from access.bootstrap import load_sample_hospital, open_store, sample_scale, should_bootstrap_sample
from access.data_access import DataAccess
from data_loaders.store import is_empty

SESSION_TIMEOUT_MINUTES = 30
"""Inactivity time-out. HIPAA §164.312(a)(2)(iii) asks for automatic logoff; 15-30 minutes is the usual setting."""


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """The store's engine, opened once per server process (tables created if missing)."""
    return open_store()


@st.cache_resource(show_spinner=False)
def _bootstrap_lock() -> threading.Lock:
    return threading.Lock()


def ensure_sample_loaded() -> None:
    """Fill an empty embedded store with the sample hospital, once, showing progress."""
    engine = get_engine()
    if not (should_bootstrap_sample() and is_empty(engine)):
        return
    with _bootstrap_lock():
        if not is_empty(engine):
            return
        with st.status("First start: loading the sample hospital into the embedded store…", expanded=True) as status:
            bar = st.progress(0.0)

            def progress(fraction: float, message: str) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0), text=message)

            rows = load_sample_hospital(engine, scale=sample_scale(), progress=progress)
            status.update(label=f"Sample hospital loaded: {rows:,} rows", state="complete", expanded=False)


def sign_in(account: Account) -> None:
    """Start a session for ``account``."""
    st.session_state["account"] = account
    st.session_state["last_seen"] = time.monotonic()


def sign_out(reason: str = "signed out") -> None:
    """End the session (audited)."""
    account = st.session_state.pop("account", None)
    st.session_state.pop("last_seen", None)
    if account is not None:
        audit.record(get_engine(), account.username, "sign_out", {"reason": reason})


def current_account() -> Account | None:
    """The signed-in account, or None. Ends the session after :data:`SESSION_TIMEOUT_MINUTES` of inactivity."""
    account = st.session_state.get("account")
    if account is None:
        return None
    last_seen = st.session_state.get("last_seen", 0.0)
    if time.monotonic() - last_seen > SESSION_TIMEOUT_MINUTES * 60:
        sign_out("inactivity time-out")
        st.session_state["timed_out"] = True
        return None
    st.session_state["last_seen"] = time.monotonic()
    return account


def current_access() -> DataAccess:
    """The :class:`DataAccess` for the signed-in user; stops the page if nobody is signed in."""
    account = current_account()
    if account is None:
        st.warning("Please sign in.")
        st.stop()
    engine = get_engine()
    return DataAccess(engine, account.context(), audit=functools.partial(audit.record, engine))
