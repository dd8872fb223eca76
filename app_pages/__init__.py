"""Streamlit page scripts, one per page, run by ``st.navigation`` in app.py (a package only so that import-linter
can check that pages sit at the top of the layers)."""
