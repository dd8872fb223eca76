"""Sign-in page: "Sign in with <provider>" buttons when OpenID Connect is configured, the password form for
built-in accounts (turned off with ``HOSPITAL_PASSWORD_SIGN_IN=0``), and the first-run form that creates the first
administrator of a store that has none (it asks for the setup code from the server's log)."""

from __future__ import annotations

import hmac
import os

import streamlit as st

from access import sign_in_throttle
from access.auth import DEMO_ACCOUNTS, DEMO_PASSWORD, UserError, create_first_admin, list_accounts, needs_first_admin
from access.oidc import password_sign_in_enabled, provider_label
from access.password_sign_in import SignInThrottled, sign_in_with_password
from components.session import first_run_setup_code, get_engine, oidc_providers, sign_in
from components.text import md_escape

CLIENT_IP_HEADER_ENV = "HOSPITAL_CLIENT_IP_HEADER"


def client_address() -> str | None:
    """The visitor's address for sign-in throttling: the header named by ``HOSPITAL_CLIENT_IP_HEADER`` (set it to
    the header your reverse proxy writes, e.g. ``X-Real-IP``; the last address of a list is the one the proxy saw),
    else the connection's own address (None for a connection from this machine, e.g. the proxy itself)."""
    header = os.environ.get(CLIENT_IP_HEADER_ENV)
    if header:
        value = st.context.headers.get(header)
        if value:
            return value.split(",")[-1].strip()[:64]
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def _identity_provider_buttons(providers: list[str]) -> None:
    refused = st.session_state.get("oidc_refused")
    if refused and st.user.get("is_logged_in", False):
        st.error(f"Single sign-on worked, but this app does not admit you: {md_escape(refused)}")
        if st.button("Sign out of single sign-on", key="oidc_sign_out", icon=":material/logout:"):
            st.session_state.pop("oidc_refused", None)
            st.session_state.pop("oidc_refused_sub", None)
            st.logout()
        return
    for name in providers:
        if st.button(
            f"Sign in with {provider_label(name)}", key=f"oidc_{name}", type="primary", icon=":material/badge:"
        ):
            st.login(None if name == "default" else name)


def _password_form() -> None:
    engine = get_engine()
    with st.form("sign_in"):
        username = st.text_input("Username", key="sign_in_username", max_chars=191)
        password = st.text_input("Password", type="password", key="sign_in_password", max_chars=256)
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            account = sign_in_with_password(engine, username, password, client=client_address())
        except SignInThrottled as throttled:
            st.error(str(throttled))
            return
        if account is None:
            st.error("Username or password is wrong, or the account is disabled.")
        else:
            sign_in(account)
            st.rerun()
    demo = [a for a in list_accounts(engine) if a.demo and a.active]
    if demo:
        with st.expander("Demo accounts (sample hospital only)", expanded=True):
            st.caption(
                f"Every demo account's password is `{DEMO_PASSWORD}`. They are turned off by themselves when real "
                "data is imported."
            )
            labels = {u: name for u, name, _, _ in DEMO_ACCOUNTS}
            st.table(
                {"username": [a.username for a in demo], "who": [labels.get(a.username, a.display_name) for a in demo]}
            )


def _first_run_form() -> None:
    """Create the first administrator; only while the store has no active administrator, and only with the setup
    code the server wrote to its log (failed codes count against the client's sign-in throttle)."""
    engine = get_engine()
    expected = first_run_setup_code()
    with st.expander("First start: create the administrator", expanded=True, icon=":material/admin_panel_settings:"):
        st.caption(
            "This store has no administrator. Enter the setup code from the server's log (or run "
            "`python -m access add-user --username <name> --role admin` on the server instead)."
        )
        with st.form("first_admin", clear_on_submit=True):
            code = st.text_input("Setup code", type="password", key="first_run_code", max_chars=64)
            username = st.text_input("Login name of the administrator", key="first_run_username", max_chars=191)
            name = st.text_input("Name", key="first_run_name", max_chars=255)
            password = st.text_input("Password (at least 12 characters)", type="password", key="first_run_password")
            repeat = st.text_input("Repeat the password", type="password", key="first_run_repeat")
            submitted = st.form_submit_button("Create administrator", icon=":material/person_add:")
    if not submitted:
        return
    keys = [sign_in_throttle.client_key(client_address())]
    wait = sign_in_throttle.wait_seconds(engine, keys)
    if wait > 0:
        st.error(str(SignInThrottled(sign_in_throttle.wait_minutes(wait))))
        return
    if not hmac.compare_digest(code.strip().encode(), expected.encode()):
        sign_in_throttle.record_failure(engine, keys)
        st.error("The setup code is wrong. It is in the server's log, written when the app started.")
        return
    if password != repeat:
        st.error("The two passwords differ; nothing was changed.")
        return
    try:
        create_first_admin(engine, username, password, display_name=name.strip() or None)
    except UserError as refused:
        st.error(md_escape(refused))
        return
    st.session_state["first_admin_created"] = username.strip()
    st.rerun()


def render_sign_in() -> None:
    """The sign-in page; on success starts the session and reruns the app."""
    st.title("Hospital workforce analytics")
    if st.session_state.pop("timed_out", False):
        st.info("Your session ended after a period of inactivity. Please sign in again.")
    ended = st.session_state.pop("session_ended", None)
    if ended:
        st.info(f"Your session ended ({md_escape(ended)}). Please sign in again.")
    created = st.session_state.pop("first_admin_created", None)
    if created:
        st.success(f"Administrator {md_escape(created)} created. Sign in with the new password.")
    providers = oidc_providers()
    if providers:
        _identity_provider_buttons(providers)
    if password_sign_in_enabled():
        if providers:
            st.divider()
            st.caption("Or sign in with a built-in account")
        _password_form()
        if needs_first_admin(get_engine()):
            _first_run_form()
    elif not providers:
        st.error(
            "No way to sign in is configured: password sign-in is off (HOSPITAL_PASSWORD_SIGN_IN=0) and there is no "
            "[auth] section in .streamlit/secrets.toml. See docs/security.md."
        )
