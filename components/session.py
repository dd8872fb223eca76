"""The signed-in user's session: the store engine, the account, and the user's :class:`DataAccess`.

Pages call :func:`current_access`; they never open the store themselves. A session starts either from the password
form (:mod:`components.sign_in`) or from an OpenID Connect identity that ``st.login`` put in ``st.user``, mapped onto
the ``users`` table by :mod:`access.oidc`. It ends on "Sign out" or after :data:`SESSION_TIMEOUT_MINUTES` without
any interaction (both audited as ``sign_out`` with the reason); an OIDC session then also clears Streamlit's identity
cookie (``st.logout``) so the next visitor is not signed straight back in.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Mapping
from typing import NoReturn

import streamlit as st
from sqlalchemy.engine import Engine

from access import audit, oidc
from access.auth import Account, Administration
from access.bootstrap import load_sample_hospital, open_store, sample_end, sample_scale, should_bootstrap_sample
from access.data_access import AccessDenied, DataAccess
from components.text import md_escape
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

            try:
                rows = load_sample_hospital(engine, scale=sample_scale(), end=sample_end(), progress=progress)
            except Exception as error:  # a bug in the generator must read as a message, not a traceback
                status.update(label="The sample hospital could not be loaded", state="error", expanded=True)
                st.error(
                    "Nothing was stored. Set HOSPITAL_SAMPLE_END to an earlier date or report this: " + md_escape(error)
                )
                st.stop()
            status.update(label=f"Sample hospital loaded: {rows:,} rows", state="complete", expanded=False)


def _now() -> float:
    """Seconds on a monotonic clock (patched in tests to move time forward)."""
    return time.monotonic()


def sign_in(account: Account, method: str = "password") -> None:
    """Start a session for ``account``; ``method`` is "password" or "oidc"."""
    st.session_state["account"] = account
    st.session_state["sign_in_method"] = method
    st.session_state["last_seen"] = _now()


def sign_out(reason: str = "signed out") -> bool:
    """End the session (audited); an OIDC session also ends Streamlit's identity cookie.

    Returns True when the browser is being sent to the identity provider's logout (``st.logout``): the caller must
    then stop the run rather than rerun, or the redirect is lost.
    """
    account = st.session_state.pop("account", None)
    method = st.session_state.pop("sign_in_method", "password")
    st.session_state.pop("last_seen", None)
    if account is not None:
        audit.record(get_engine(), account.username, "sign_out", {"reason": reason, "method": method})
    if method == "oidc" and _oidc_signed_in():
        st.logout()
        return True
    return False


def oidc_providers() -> list[str]:
    """Providers configured in the ``[auth]`` section of Streamlit's secrets (``[]`` when none)."""
    if not st.secrets.load_if_toml_exists():
        return []
    return oidc.providers(st.secrets.get("auth"))


def _oidc_signed_in() -> bool:
    return bool(oidc_providers()) and bool(st.user.get("is_logged_in", False))


def _sign_in_from_identity_provider() -> Account | None:
    """Start a session from ``st.user`` if the identity provider has signed someone in (once per session)."""
    if not _oidc_signed_in():
        return None
    claims = st.user.to_dict()
    identity = str(claims.get("sub", ""))
    if st.session_state.get("oidc_refused_sub") == identity:
        return None
    try:
        account = oidc.sign_in_with_claims(get_engine(), claims)
    except oidc.SignInRefused as refused:
        st.session_state["oidc_refused_sub"] = identity
        st.session_state["oidc_refused"] = str(refused)
        return None
    sign_in(account, method="oidc")
    return account


def current_account() -> Account | None:
    """The signed-in account, or None. Ends the session after :data:`SESSION_TIMEOUT_MINUTES` of inactivity."""
    account = st.session_state.get("account")
    if account is None:
        return _sign_in_from_identity_provider()
    last_seen = st.session_state.get("last_seen", 0.0)
    if _now() - last_seen > SESSION_TIMEOUT_MINUTES * 60:
        sign_out("inactivity time-out")
        st.session_state["timed_out"] = True
        return None
    st.session_state["last_seen"] = _now()
    return account


def _stop_signed_out() -> NoReturn:
    """Nobody is signed in. Pages only run under app.py's ``st.navigation``, which shows the sign-in form instead,
    so this is reached only when a page file is run on its own (a page test without an account)."""
    st.warning("Please sign in.")
    st.stop()


def current_access() -> DataAccess:
    """The :class:`DataAccess` for the signed-in user; stops the page if nobody is signed in, or if the running
    page is not offered to the user's role."""
    account = current_account()
    if account is None:
        _stop_signed_out()
    engine = get_engine()
    return DataAccess(engine, account.context(), audit=functools.partial(audit.record, engine))


def current_admin() -> Administration:
    """User and audit administration for the signed-in administrator; stops the page for anyone else."""
    account = current_account()
    if account is None:
        _stop_signed_out()
    try:
        return Administration(get_engine(), account.context())
    except AccessDenied as denied:
        st.error(md_escape(denied))
        st.stop()


def audit_filters(filters: Mapping[str, object] | None) -> dict[str, object]:
    """Filters as the audit trail stores them (page views and exports): collections as sorted lists of text, other
    values as text; None values are left out."""
    shown: dict[str, object] = {}
    for name, value in (filters or {}).items():
        if value is None:
            continue
        if isinstance(value, (set, frozenset, list, tuple)):
            shown[name] = sorted(str(v) for v in value)
        else:
            shown[name] = str(value)
    return shown


def record_filters(page: str, **filters: object) -> None:
    """Audit the filters a page is shown with (``page_view`` with ``filters``), once per change in a session.

    Call it after a page's filter widgets, e.g. ``record_filters("Audit trail", action=action, since=since)``.
    """
    account = current_account()
    if account is None:
        return
    shown = audit_filters(filters)
    memory = st.session_state.setdefault("_recorded_filters", {})
    if memory.get(page) == shown:
        return
    memory[page] = shown
    audit.record(get_engine(), account.username, "page_view", {"page": page, "filters": shown})
