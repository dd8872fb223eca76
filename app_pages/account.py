"""Your account (every role): who you are signed in as, and changing your own password.

The current password is asked for (OWASP ASVS 4.0.3 V2.1.5); the new one must pass the password rule
(:mod:`access.password_policy`). The change is audited as ``password_changed``; your other sessions end at their
next step, this one continues. Single sign-on users change their password at their identity provider.
"""

from __future__ import annotations

import streamlit as st

from access.auth import UserError
from access.password_policy import MIN_LENGTH
from access.roles import ROLE_LABELS
from components.session import change_own_password, current_access, current_account
from components.text import md_escape

current_access()  # stops the page if nobody is signed in
account = current_account()

st.title("Your account")
st.caption(f"Signed in as {md_escape(account.username)} · {ROLE_LABELS[account.role]}")

if st.session_state.get("sign_in_method") == "oidc":
    st.info("You sign in through single sign-on: change your password at your identity provider.")
elif account.demo:
    st.info("Demo accounts keep the demo password. They are for the sample hospital only.")
else:
    with st.form("change_password", clear_on_submit=True):
        current = st.text_input("Current password", type="password", key="own_current_password")
        new = st.text_input(
            f"New password (at least {MIN_LENGTH} characters; a few unrelated words are a good choice)",
            type="password",
            key="own_new_password",
        )
        repeat = st.text_input("Repeat the new password", type="password", key="own_repeat_password")
        submitted = st.form_submit_button("Change password", type="primary", icon=":material/key:")
    if submitted:
        if new != repeat:
            st.error("The two new passwords differ; nothing was changed.")
        else:
            try:
                change_own_password(current, new)
            except UserError as refused:
                st.error(md_escape(refused))
            else:
                st.success("Your password is changed. Your other sessions end at their next step.")
