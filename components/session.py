"""The signed-in user's session: the store engine, the account, and the user's :class:`DataAccess`.

Pages call :func:`current_access`; they never open the store themselves. A session starts either from the password
form (:mod:`components.sign_in`) or from an OpenID Connect identity that ``st.login`` put in ``st.user``, mapped onto
the ``users`` table by :mod:`access.oidc`. It ends on "Sign out"; after :func:`session_timeout_seconds` without
any interaction, by a timer (:func:`idle_timer`) even if nobody clicks; and at the next step after the account is
disabled or its password changed elsewhere. Each end is audited as ``sign_out`` with the reason, and clears the
whole session state, so nothing of one user's work is left for the next person in that tab. An OIDC session also
clears Streamlit's identity cookie (``st.logout``) so the next visitor is not signed straight back in.
"""

from __future__ import annotations

import functools
import os
import secrets
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import NoReturn

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.logger import get_logger

from access import audit, auth, oidc
from access.auth import Account, Administration
from access.data_access import AccessDenied, DataAccess
from components.text import md_escape
from data_loaders.store import StoreError, create_store, is_empty
from sample_data.bootstrap import load_sample_hospital, sample_end, sample_scale, should_bootstrap_sample

SESSION_TIMEOUT_MINUTES = 30
"""Default inactivity time-out. HIPAA §164.312(a)(2)(iii) asks for automatic logoff; 15-30 minutes is the usual
setting (OWASP ASVS 4.0.3 V3.3.2 allows up to 30 minutes of inactivity at level 2). ``HOSPITAL_SESSION_TIMEOUT_MINUTES``
shortens it (:func:`session_timeout_seconds`)."""
TIMEOUT_ENV = "HOSPITAL_SESSION_TIMEOUT_MINUTES"

IDLE_CHECK_SECONDS = 10
"""How often the signed-in page's timer checks for the time-out: the page clears at most this long after it."""


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """The store's engine, opened once per server process (the embedded store migrated, a server store checked).

    A store that cannot be opened or is not migrated (:class:`data_loaders.store.StoreError`) stops the page with
    the error's sentence, which names the command to run; nothing is cached then, so the next run tries again."""
    try:
        return create_store()
    except StoreError as error:
        st.error(md_escape(error))
        st.stop()


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
                auth.create_sample_demo_accounts(engine)
            except Exception as error:  # a bug in the generator must read as a message, not a traceback
                status.update(label="The sample hospital could not be loaded", state="error", expanded=True)
                st.error(
                    "Nothing was stored. Set HOSPITAL_SAMPLE_END to an earlier date or report this: " + md_escape(error)
                )
                st.stop()
            status.update(label=f"Sample hospital loaded: {rows:,} rows", state="complete", expanded=False)


def retire_out_of_place_demo_accounts() -> None:
    """Disable demo accounts on a store they do not belong to (:func:`access.auth.retire_demo_accounts_unless_allowed`;
    a configured store, or one holding real data). Runs at the start of every script run; one query when there are
    none."""
    auth.retire_demo_accounts_unless_allowed(get_engine())


@st.cache_resource(show_spinner=False)
def first_run_setup_code() -> str:
    """The code that the sign-in page's first-run form asks for, made once per server process and written to the
    server's log (where only the operator can read it), so that a visitor cannot make themself the first
    administrator of a store that has none. Jupyter's start-up token works the same way."""
    code = secrets.token_urlsafe(16)
    get_logger(__name__).warning(
        "No administrator exists in this store. To create the first one, open the app and enter this setup code "
        "in the first-run form: %s (or run: python -m access add-user --username <name> --role admin)",
        code,
    )
    return code


def _now() -> float:
    """Seconds on a monotonic clock (patched in tests to move time forward)."""
    return time.monotonic()


def _wall_clock() -> datetime:
    """Now in UTC without time zone, like the audit trail (patched in tests with :func:`_now`)."""
    return datetime.now(UTC).replace(tzinfo=None)


def sign_in(account: Account, method: str = "password") -> None:
    """Start a session for ``account``; ``method`` is "password" or "oidc". Whatever the tab held before is cleared
    first (one person's work never carries over into another's session)."""
    st.session_state.clear()
    st.session_state["account"] = account
    st.session_state["sign_in_method"] = method
    st.session_state["last_seen"] = _now()
    st.session_state["signed_in_at"] = _wall_clock()


def sign_out(reason: str = "signed out", **details: object) -> bool:
    """End the session (audited as ``sign_out`` with ``reason`` and ``details``) and clear all session state; an
    OIDC session also ends Streamlit's identity cookie.

    Returns True when the browser is being sent to the identity provider's logout (``st.logout``): the caller must
    then stop the run rather than rerun, or the redirect is lost.
    """
    account = st.session_state.get("account")
    method = st.session_state.get("sign_in_method", "password")
    st.session_state.clear()
    if account is not None:
        audit.record(get_engine(), account.username, "sign_out", {"reason": reason, "method": method, **details})
    if method == "oidc" and _oidc_signed_in():
        st.logout()
        return True
    return False


def session_timeout_seconds() -> float:
    """The inactivity time-out in seconds: ``HOSPITAL_SESSION_TIMEOUT_MINUTES`` (a number of minutes above 0, at
    most :data:`SESSION_TIMEOUT_MINUTES`), else :data:`SESSION_TIMEOUT_MINUTES`. A value that is not such a number
    is ignored with a warning in the server's log (the app never runs with a longer time-out than 30 minutes)."""
    configured = os.environ.get(TIMEOUT_ENV)
    if configured:
        try:
            minutes = float(configured)
        except ValueError:
            minutes = 0.0
        if 0 < minutes <= SESSION_TIMEOUT_MINUTES:
            return minutes * 60
        get_logger(__name__).warning("%s=%r is not 0 < minutes <= 30; using 30.", TIMEOUT_ENV, configured)
    return SESSION_TIMEOUT_MINUTES * 60


def change_own_password(current_password: str, new_password: str) -> None:
    """Change the signed-in user's password (:func:`access.auth.set_password`, audited); this session continues,
    the user's other sessions end at their next step. Raises :class:`access.auth.UserError` with the reason."""
    account = st.session_state["account"]
    auth.set_password(
        get_engine(), account.username, new_password, actor=account.username, current_password=current_password
    )
    st.session_state["signed_in_at"] = _wall_clock()


def _idle_seconds() -> float:
    return _now() - st.session_state.get("last_seen", 0.0)


def _end_if_idle() -> bool:
    """End the session if it has been idle for the time-out; True if it ended. The audit records when it timed out
    (last activity + time-out) in ``timed_out_at``, whenever this check runs; the entry's own time is the check."""
    idle = _idle_seconds()
    timeout = session_timeout_seconds()
    if idle <= timeout:
        return False
    last_activity = _wall_clock() - timedelta(seconds=idle)
    sign_out(
        "inactivity time-out",
        last_activity_at=last_activity.isoformat(timespec="seconds"),
        timed_out_at=(last_activity + timedelta(seconds=timeout)).isoformat(timespec="seconds"),
    )
    st.session_state["timed_out"] = True
    return True


@st.fragment(run_every=IDLE_CHECK_SECONDS)
def idle_timer() -> None:
    """Rerun by itself every :data:`IDLE_CHECK_SECONDS` on a signed-in page: at the time-out it ends the session
    and reruns the app, which clears the page to the sign-in form without anyone clicking. Its own runs are not
    activity (only :func:`current_account` in a full run moves ``last_seen``)."""
    if "account" not in st.session_state:
        return
    single_sign_on = st.session_state.get("sign_in_method") == "oidc"
    if _end_if_idle() and not (single_sign_on and oidc_providers()):
        st.rerun()  # a single sign-on session is already on its way to the provider's logout (st.logout)


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
    """The signed-in account, or None; a full run by the user counts as activity. Ends the session after
    :data:`SESSION_TIMEOUT_MINUTES` of inactivity, or when the account was disabled or its password changed since
    this session began (:func:`access.auth.session_end_reason`)."""
    account = st.session_state.get("account")
    if account is None:
        return _sign_in_from_identity_provider()
    if _end_if_idle():
        return None
    ended = auth.session_end_reason(get_engine(), account.username, st.session_state.get("signed_in_at"))
    if ended is not None:
        sign_out(ended)
        st.session_state["session_ended"] = ended
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
