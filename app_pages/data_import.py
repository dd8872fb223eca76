"""Data import (HR officers, administrators): upload exports or read a database, see what was accepted and what was
rejected and why, fix unrecognised headers, import in one transaction, and roll imports back."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import streamlit as st

from access.data_access import AccessDenied
from components.downloads import audited_download
from components.load_report import render_load_report
from components.session import current_access
from components.text import md_escape
from data_loaders import LoadResult, load_file
from data_loaders.schema import TABLES
from data_loaders.settings import max_upload_mb, store_url
from data_loaders.sources import configured_sources
from data_loaders.store import StoreError

da = current_access()
try:
    saved = da.saved_mappings()
except AccessDenied as denied:
    st.error(md_escape(denied))
    st.stop()

st.title("Data import")
st.caption(
    "Upload CSV or XLSX exports from your HRMS, timekeeping, LMS or survey tools, or read tables from a database. "
    "Nothing is stored until you press Import; an import is all-or-nothing and can be rolled back. "
    "The columns each table understands are listed in the data model (docs/data_model.md)."
)
upload_tab, database_tab, history_tab = st.tabs(["Upload files", "From a database", "Import history"])


def _frozen(mappings: dict[str, dict[str, str]]) -> tuple:
    return tuple(sorted((key, tuple(sorted(m.items()))) for key, m in mappings.items() if m))


@st.cache_data(show_spinner=False, ttl=3600, max_entries=16)
def _validated(
    sha256: str, file_name: str, version: str, chosen: tuple, saved: tuple, _data: bytes, _known_keys
) -> LoadResult:
    """The validation report of an upload, computed once per file content (sha256), name, data version and
    mappings: a rerun of the page (any click) does not read and validate the file again. ``chosen``: this
    session's choices per sheet; ``saved``: the mappings saved per table, each applied only to its own table."""
    suffix = Path(file_name).suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / _safe_file_name(file_name, suffix)
        path.write_bytes(_data)
        return load_file(
            path,
            mappings={sheet: dict(m) for sheet, m in chosen},
            table_mappings={table: dict(m) for table, m in saved},
            known_keys=_known_keys,
        )


def _sources_in_secrets() -> dict | None:
    """The ``[sources]`` section of Streamlit's secrets, if there is one (configured by an administrator)."""
    if not st.secrets.load_if_toml_exists():
        return None
    section = st.secrets.get("sources")
    return section.to_dict() if hasattr(section, "to_dict") else section


def _safe_file_name(name: str, suffix: str) -> str:
    """The uploaded file's own name (so the report names it), reduced to safe characters for the temp folder."""
    stem = "".join(c if c.isalnum() or c in "-_ ." else "_" for c in Path(name).stem)[:100].strip(" .") or "upload"
    return stem + suffix


def _import_result(result, file_name: str, sha256: str, key: str) -> None:
    """Import button with progress; shows the per-table counts afterwards."""
    accepted = sum(len(f) for f in result.tables.values())
    errors = result.problems[result.problems["severity"] == "error"]
    rejected = errors.groupby("table")["row"].nunique().to_dict() if not errors.empty else {}
    rejected = {t: int(n) for t, n in rejected.items() if t in TABLES}
    if accepted == 0:
        st.warning("There are no accepted rows to import.")
        return
    label = f"Import {accepted:,} accepted rows" + (" (rejected rows stay out)" if rejected else "")
    if not st.button(label, type="primary", key=f"{key}_import", icon=":material/database_upload:"):
        return
    with st.status("Importing…", expanded=True) as status:
        bar = st.progress(0.0)
        try:
            summary = da.import_tables(
                result.tables,
                file_name=file_name,
                sha256=sha256,
                rejected=rejected,
                progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
            )
        except Exception as error:  # the transaction was rolled back; say so plainly
            status.update(label="Import failed: nothing was stored", state="error")
            st.error(f"The database refused the import, so nothing was stored. Details: {md_escape(error)}")
            return
        status.update(label=f"Import #{summary.import_id} committed", state="complete")
    st.dataframe(summary.as_frame(), hide_index=True, width="stretch")


with upload_tab:
    uploads = st.file_uploader(
        "CSV or XLSX files",
        type=["csv", "tsv", "txt", "xlsx", "xlsm"],
        accept_multiple_files=True,
        key="uploads",
        help=f"Up to {max_upload_mb()} MB per file. A workbook may hold one sheet per table.",
    )
    for index, upload in enumerate(uploads or []):
        st.subheader(md_escape(upload.name))
        data = upload.getvalue()
        if len(data) > max_upload_mb() * 1024 * 1024:
            st.error(f"{md_escape(upload.name)} is larger than the {max_upload_mb()} MB limit and was not read.")
            continue
        sha256 = hashlib.sha256(data).hexdigest()
        chosen: dict[str, dict[str, str]] = st.session_state.setdefault(f"mapping_{sha256}", {})
        with st.spinner(f"Reading and validating {md_escape(upload.name)}…"):
            result = _validated(
                sha256, upload.name, da.data_version(), _frozen(chosen), _frozen(saved), data, da.known_keys()
            )
        render_load_report(result, key=f"upload_{index}", source=upload.name)
        unmapped = [(s.sheet, s.table, h) for s in result.sheets for h in s.unmapped]
        if unmapped:
            with st.expander(f"Map {len(unmapped)} unrecognised column(s)", expanded=False):
                st.caption(
                    "Choose what each column holds. Apply re-reads the file; Save also remembers the choice "
                    "for future uploads."
                )
                choices: list[tuple[str, str, str, str]] = []  # sheet, table, header, column
                for sheet, table, header in unmapped:
                    options = ["(ignore)"] + (TABLES[table].column_names if table in TABLES else [])
                    label = f"{md_escape(sheet)} · '{md_escape(header)}'"
                    choice = st.selectbox(label, options, key=f"map_{sha256}_{sheet}_{header}")
                    if choice != "(ignore)":
                        choices.append((sheet, table, header, choice))
                apply_col, save_col = st.columns(2)
                if apply_col.button("Apply mapping", key=f"apply_{sha256}"):
                    for sheet, _table, header, column in choices:
                        chosen.setdefault(sheet, {})[header] = column
                    st.rerun()
                if save_col.button("Apply and save for future uploads", key=f"save_{sha256}"):
                    for sheet, table, header, column in choices:
                        try:
                            da.save_mapping(table, header, column)
                        except StoreError as error:
                            st.error(md_escape(error))
                        chosen.setdefault(sheet, {})[header] = column
                    st.rerun()
        _import_result(result, upload.name, sha256, key=f"upload_{index}_{sha256[:8]}")

with database_tab:
    catalog = configured_sources(_sources_in_secrets(), store_url=store_url())
    for problem in catalog.problems:
        st.warning(problem)
    if not catalog.sources:
        st.info(
            "No database source is configured. An administrator adds one outside the app: a `[sources.<name>]` "
            "table in the file named by the HOSPITAL_SOURCES_FILE environment variable or in Streamlit's "
            'secrets, with its host listed in `[sources] allowed_hosts` (README, "Connecting a real database").'
        )
    else:
        source_name = st.selectbox("Source", list(catalog.sources), key="source_name")
        source = catalog.sources[source_name]
        st.write(
            "Give a table or view name of the source, or one read-only SELECT query, per table. Values are never "
            "pasted into SQL; queries are checked by a SQL parser, and the source is read with a read-only session."
        )
        table_sources: dict[str, str] = {}
        for name in TABLES:
            text = st.text_input(f"{name}: table name or SELECT query", key=f"source_{name}")
            if text.strip():
                table_sources[name] = text.strip()
        if st.button("Read from the source", key="read_database", disabled=not table_sources):
            with st.status(f"Reading from {source.name}…", expanded=True) as status:
                bar = st.progress(0.0)
                result = da.read_source(
                    source, table_sources, progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m)
                )
                status.update(label="Read finished", state="complete")
            st.session_state["database_result"] = (source.name, table_sources, result)
        if read := st.session_state.get("database_result"):
            read_from, read_tables, result = read
            render_load_report(result, key="database")
            digest = hashlib.sha256(repr((read_from, sorted(read_tables.items()))).encode()).hexdigest()
            label = f"database source {read_from}: " + ", ".join(sorted(read_tables))
            _import_result(result, label, digest, key="database")

with history_tab:
    if flash := st.session_state.pop("import_flash", None):
        st.success(flash)
    history = da.import_history()
    if history.empty:
        st.info("Nothing has been imported yet.")
    else:
        st.dataframe(history.drop(columns=["sha256"]), hide_index=True, width="stretch")
        applied = sorted(
            (int(i) for i in history.loc[history["status"] == "applied", "import_id"].unique()), reverse=True
        )
        if applied:
            names = history.drop_duplicates("import_id").set_index("import_id")["file_name"]
            version = da.data_version()  # fresh widgets after every change: the newest import is preselected
            target = st.selectbox(
                "Import to roll back (newest first)",
                applied,
                key=f"rollback_target_{version}",
                format_func=lambda i: f"#{i} · {names[i]}",
            )
            confirm = st.checkbox(
                f"I understand this removes the rows import #{target} wrote and restores the rows it replaced.",
                key=f"rollback_confirm_{version}_{target}",
            )
            if st.button("Roll back", key=f"rollback_{version}", disabled=not confirm, icon=":material/undo:"):
                try:
                    da.rollback_import(int(target))
                except StoreError as error:
                    st.error(md_escape(error))
                else:
                    st.session_state["import_flash"] = f"Import #{target} ({md_escape(names[target])}) was rolled back."
                    st.rerun()
        audited_download(
            "Download the import history (CSV)", history, "import_history.csv", "import history", key="history_download"
        )
