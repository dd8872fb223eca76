"""Users (administrators): list accounts, add one, enable or disable it, change its role and units, reset its
password.

Every change is made in the signed-in administrator's name and audited (user_added / user_changed /
password_changed). Passwords must pass the password rule (access/password_policy.py) and are hashed with argon2id;
an account without a password signs in through single sign-on only (docs/security.md).
"""

from __future__ import annotations

import streamlit as st

from access.auth import UserError
from access.roles import ROLE_LABELS, ROLES
from components.session import current_access, current_admin
from components.text import md_escape

admin = current_admin()
units_known = current_access().visible_units()

st.title("Users")
st.caption(
    "Built-in accounts and single sign-on accounts. Roles decide what each person sees (docs/security.md); "
    "department heads see only their units. Every change here is recorded in the audit trail."
)

accounts = admin.accounts()
active_demo = accounts[accounts["demo"] & accounts["active"]]
if not active_demo.empty:
    st.warning(
        f"{len(active_demo)} demo account(s) with the password 'demo' are active. They are turned off by themselves "
        "at the first import of real data; create a real administrator account before that.",
        icon=":material/warning:",
    )
st.dataframe(
    accounts,
    hide_index=True,
    width="stretch",
    column_config={
        "display_name": "Name",
        "sign_in": "Sign-in",
        "active": st.column_config.CheckboxColumn("Active"),
        "demo": st.column_config.CheckboxColumn("Demo"),
    },
)


def _role_and_units(key: str, role: str = "executive", units: tuple[str, ...] = ()) -> tuple[str, tuple[str, ...]]:
    chosen = st.selectbox("Role", ROLES, index=ROLES.index(role), format_func=ROLE_LABELS.get, key=f"{key}_role")
    picked = st.multiselect(
        "Units (department heads only)",
        sorted(set(units_known) | set(units)),
        default=list(units),
        key=f"{key}_units",
        disabled=chosen != "dept_head",
    )
    return chosen, tuple(picked)


def _apply(action, success: str) -> None:
    try:
        action()
    except UserError as refused:
        st.error(md_escape(refused))
    else:
        st.success(success)
        st.rerun()


add_tab, change_tab = st.tabs(["Add a user", "Change a user"])
with add_tab, st.form("add_user", clear_on_submit=True):
    username = st.text_input("Username (for single sign-on: the e-mail the identity provider sends)", key="new_user")
    display_name = st.text_input("Name", key="new_name")
    role, units = _role_and_units("new")
    sso_only = st.checkbox("Single sign-on only (no password)", key="new_sso")
    password = st.text_input("Password (at least 12 characters, not a common one)", type="password", key="new_password")
    if st.form_submit_button("Add user", type="primary", icon=":material/person_add:"):
        _apply(
            lambda: admin.add_user(
                username,
                role,
                password=None if sso_only else password,
                display_name=display_name.strip() or None,
                units=units,
            ),
            f"Added {md_escape(username)}.",
        )

with change_tab:
    if accounts.empty:
        st.info("There are no accounts yet.")
    else:
        who = st.selectbox("User", accounts["username"].tolist(), key="change_user")
        row = accounts[accounts["username"] == who].iloc[0]
        current_units = tuple(u for u in str(row["units"]).split(",") if u)
        with st.form("change_role"):
            role, units = _role_and_units("change", str(row["role"]), current_units)
            if st.form_submit_button("Save role and units", icon=":material/save:"):
                _apply(lambda: admin.set_role(who, role, units), f"{md_escape(who)} is now {ROLE_LABELS[role]}.")
        if who != admin.user.username:
            with st.form("reset_password", clear_on_submit=True):
                new_password = st.text_input(
                    f"New password for {md_escape(who)} "
                    "(tell them in person; an account without one gets password sign-in)",
                    type="password",
                    key="reset_password",
                )
                if st.form_submit_button("Set password", icon=":material/key:"):
                    _apply(lambda: admin.set_password(who, new_password), f"{md_escape(who)} has a new password.")
        if bool(row["active"]):
            if st.button(f"Disable {md_escape(who)}", key="disable_user", icon=":material/person_off:"):
                _apply(lambda: admin.set_active(who, False), f"{md_escape(who)} is disabled.")
        elif st.button(f"Enable {md_escape(who)}", key="enable_user", icon=":material/person_check:"):
            _apply(lambda: admin.set_active(who, True), f"{md_escape(who)} is enabled.")
