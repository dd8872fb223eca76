"""Sign-in form for built-in accounts (embedded deployment)."""

from __future__ import annotations

import streamlit as st

from access import audit
from access.auth import DEMO_ACCOUNTS, DEMO_PASSWORD, authenticate, list_accounts
from components.session import get_engine, sign_in


def render_sign_in() -> None:
    """Username/password form; on success starts the session and reruns the app."""
    engine = get_engine()
    st.title("Hospital workforce analytics")
    if st.session_state.pop("timed_out", False):
        st.info("Your session ended after a period of inactivity. Please sign in again.")
    with st.form("sign_in"):
        username = st.text_input("Username", key="sign_in_username")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        account = authenticate(engine, username.strip(), password)
        if account is None:
            audit.record(engine, username.strip() or "(blank)", "sign_in_failed", {})
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
