"""Entry point: page config, sign-in, and navigation built from the signed-in user's role.

Run with ``streamlit run app.py``. Pages are declared in :mod:`components.page_registry`; a page a role is not
offered is not registered with ``st.navigation`` for that session, so its URL does not resolve either.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from access import audit
from access.roles import ROLE_LABELS
from components.page_registry import PAGES, SECTIONS
from components.session import (
    current_account,
    ensure_sample_loaded,
    get_engine,
    idle_timer,
    retire_out_of_place_demo_accounts,
    sign_out,
)
from components.sign_in import render_sign_in
from components.text import md_escape, md_join

st.set_page_config(page_title="Hospital workforce analytics", page_icon=":material/local_hospital:", layout="wide")

ensure_sample_loaded()
retire_out_of_place_demo_accounts()
account = current_account()

if account is None:
    # Every page's address leads to the sign-in form (no "page not found" for a bookmarked or reloaded page);
    # after sign-in the role's own navigation decides whether that page is offered.
    sign_in_pages = [
        st.Page(render_sign_in, title="Sign in", icon=":material/login:", url_path="sign-in", default=True)
    ]
    sign_in_pages += [
        st.Page(render_sign_in, title="Sign in", url_path=Path(p.path).stem, icon=":material/login:") for p in PAGES
    ]
    st.navigation(sign_in_pages, position="hidden").run()
else:
    home = st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True)
    sections: dict[str, list] = {"": [home]}
    for section in SECTIONS:
        offered = [
            st.Page(p.path, title=p.title, icon=p.icon)
            for p in PAGES
            if p.section == section and account.role in p.roles
        ]
        if offered:
            sections[section] = offered
    page = st.navigation(sections)
    with st.sidebar:
        st.caption(
            f"Signed in as **{md_escape(account.display_name)}** · {ROLE_LABELS[account.role]}"
            + (f" · units: {md_join(sorted(account.units))}" if account.role == "dept_head" else "")
        )
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            if sign_out():
                st.stop()  # the browser is on its way to the identity provider's logout
            st.rerun()
        idle_timer()
    audit.record(get_engine(), account.username, "page_view", {"page": page.title})
    page.run()
