"""Sign-in page: "Sign in with <provider>" buttons when OpenID Connect is configured, and the password form for
built-in accounts (turned off with ``HOSPITAL_PASSWORD_SIGN_IN=0``)."""

from __future__ import annotations

import streamlit as st

from access import audit
from access.auth import DEMO_ACCOUNTS, DEMO_PASSWORD, authenticate, list_accounts
from access.oidc import password_sign_in_enabled, provider_label
from components.session import get_engine, oidc_providers, sign_in


def _identity_provider_buttons(providers: list[str]) -> None:
    refused = st.session_state.get("oidc_refused")
    if refused and st.user.get("is_logged_in", False):
        st.error(f"Single sign-on worked, but this app does not admit you: {refused}")
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
        username = st.text_input("Username", key="sign_in_username")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        account = authenticate(engine, username.strip(), password)
        if account is None:
            audit.record(engine, username.strip() or "(blank)", "sign_in_failed", {"method": "password"})
            st.error("Username or password is wrong, or the account is disabled.")
        else:
            audit.record(engine, account.username, "sign_in", {"method": "password"})
            sign_in(account)
            st.rerun()
    demo = [a for a in list_accounts(engine) if a.demo and a.active]
    if demo:
        with st.expander("Demo accounts (sample hospital only)", expanded=True):
            st.caption(f"Every demo account's password is `{DEMO_PASSWORD}`. Disable them before loading real data.")
            labels = {u: name for u, name, _, _ in DEMO_ACCOUNTS}
            st.table(
                {"username": [a.username for a in demo], "who": [labels.get(a.username, a.display_name) for a in demo]}
            )


def render_sign_in() -> None:
    """The sign-in page; on success starts the session and reruns the app."""
    st.title("Hospital workforce analytics")
    if st.session_state.pop("timed_out", False):
        st.info("Your session ended after a period of inactivity. Please sign in again.")
    providers = oidc_providers()
    if providers:
        _identity_provider_buttons(providers)
    if password_sign_in_enabled():
        if providers:
            st.divider()
            st.caption("Or sign in with a built-in account")
        _password_form()
    elif not providers:
        st.error(
            "No way to sign in is configured: password sign-in is off (HOSPITAL_PASSWORD_SIGN_IN=0) and there is no "
            "[auth] section in .streamlit/secrets.toml. See docs/security.md."
        )
