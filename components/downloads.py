"""The one download button of the app: every file a user takes away is neutralised and audited.

:func:`audited_download` is the only place that calls ``st.download_button`` (a test keeps it so). The file is made
when the user clicks (Streamlit's deferred download), and making it appends the ``export`` entry to the audit trail
for the signed-in user — with the file name the browser receives, the rows, and the page's filters in effect — so an
export is recorded even if a client fetches the file without the click reaching the script. Table cells a
spreadsheet would run as formulas are neutralised by :mod:`data_loaders.export`. Streamlit's own "Download as CSV"
on tables is switched off (``client.disableDataExport`` in ``.streamlit/config.toml``), so this is the only way out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from access import audit
from components.session import audit_filters, current_account, get_engine
from data_loaders.export import to_safe_csv, to_safe_xlsx

MIME_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

SafeBytes = Callable[[], bytes]
"""A function returning a finished file made by a safe exporter (e.g. ``analytics.board_report.board_report_xlsx``,
``forecasting.plan_export.plan_workbook``), which neutralise every cell themselves."""

ExportData = pd.DataFrame | Mapping[str, pd.DataFrame] | SafeBytes


@dataclass(frozen=True)
class Export:
    """One file to hand out: its name, MIME type, and how to make it (which also audits it)."""

    file_name: str
    mime: str
    what: str
    rows: int | None
    filters: dict[str, object] = field(default_factory=dict)
    _make: SafeBytes = field(default=lambda: b"", repr=False)

    def produce(self, engine: Engine, username: str) -> bytes:
        """The file's bytes; appends one ``export`` entry for ``username`` first (nothing leaves unaudited)."""
        audit.record(
            engine,
            username,
            "export",
            {"what": self.what, "file_name": self.file_name, "rows": self.rows, "filters": self.filters},
        )
        return self._make()


def prepare_export(
    data: ExportData,
    file_name: str,
    what: str,
    *,
    filters: Mapping[str, object] | None = None,
    rows: int | None = None,
) -> Export:
    """The :class:`Export` for ``data``.

    ``data``: a DataFrame (written as CSV for a ``.csv`` name, as a one-sheet workbook for ``.xlsx``), a mapping of
    sheet name to DataFrame (``.xlsx``), or a :data:`SafeBytes` function. ``rows`` defaults to the rows of the
    frame(s). Raises ``ValueError`` for a file name that is not ``.csv`` or ``.xlsx``, or for a mapping or frame
    with the wrong suffix.
    """
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in MIME_TYPES:
        raise ValueError(f"Downloads are .csv or .xlsx files; {file_name!r} is neither.")
    if isinstance(data, pd.DataFrame):
        frame = data
        make = (lambda: to_safe_csv(frame)) if suffix == ".csv" else (lambda: to_safe_xlsx({what: frame}))
        rows = len(frame) if rows is None else rows
    elif isinstance(data, Mapping):
        if suffix != ".xlsx":
            raise ValueError(f"Several sheets need an .xlsx file, not {file_name!r}.")
        sheets = dict(data)
        make = functools.partial(to_safe_xlsx, sheets)
        rows = sum(len(f) for f in sheets.values()) if rows is None else rows
    else:
        make = data
    return Export(file_name, MIME_TYPES[suffix], what, rows, audit_filters(filters), make)


def audited_download(
    label: str,
    frame_or_bytes: ExportData,
    file_name: str,
    what: str,
    *,
    key: str,
    filters: Mapping[str, object] | None = None,
    rows: int | None = None,
    disabled: bool = False,
) -> None:
    """A download button whose file is neutralised and whose download is audited under ``file_name``.

    ``what`` names the content in the audit trail ("retention watch list"); ``filters`` are the page's filters in
    effect (period, units, merger setting…). See :func:`prepare_export` for ``frame_or_bytes`` and ``rows``.
    Nothing is offered when nobody is signed in.
    """
    account = current_account()
    if account is None:
        return
    export = prepare_export(frame_or_bytes, file_name, what, filters=filters, rows=rows)
    st.download_button(
        label,
        data=functools.partial(export.produce, get_engine(), account.username),
        file_name=export.file_name,
        mime=export.mime,
        key=key,
        icon=":material/download:",
        on_click="ignore",
        disabled=disabled,
    )
