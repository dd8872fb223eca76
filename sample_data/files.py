"""Write the sample hospital to files: one CSV per table under ``<out>/csv/`` and one XLSX workbook.

Both go through ``data_loaders.export`` (cells a spreadsheet would run as formulas are neutralised).
With ``recent_months`` (N) the files hold a subset so they stay small enough to ship in the repository:

* CSV: worked shifts, absences and wellbeing of the last N months plus the whole scheduled roster;
  pulse surveys and staffed hours of the last 12 months; census whole (two years of hourly history
  for forecasting); every other table whole.
* XLSX: as the CSVs, but census, staffed hours and pulse surveys also of the last N months only.

An XLSX sheet holds at most 1,048,576 rows; a larger table keeps its most recent rows in the
workbook (the CSV keeps all of them) and a note is printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from data_loaders.export import neutralise_cells, to_safe_csv

WORKBOOK_NAME = "sample_hospital.xlsx"
XLSX_MAX_DATA_ROWS = 1_048_575
_DATE_COLUMN = {
    "shifts": "start",
    "absences": "date",
    "wellbeing": "date",
    "census": "timestamp",
    "staffed_hours": "date",
    "pulse_surveys": "date",
}
_LONG_MONTHS = 12
_CSV_SHORT = ("shifts", "absences", "wellbeing")
_CSV_LONG = ("pulse_surveys", "staffed_hours")
_XLSX_SHORT = ("shifts", "absences", "wellbeing", "census", "staffed_hours", "pulse_surveys")


def _subset(name: str, frame: pd.DataFrame, recent_months: int | None, short: tuple[str, ...]) -> pd.DataFrame:
    if not recent_months:
        return frame
    if name in short:
        return recent(name, frame, recent_months)
    if name in _CSV_LONG:
        return recent(name, frame, max(recent_months, _LONG_MONTHS))
    return frame


def recent(name: str, frame: pd.DataFrame, months: int) -> pd.DataFrame:
    """Rows of the last ``months`` months of the table's main date column (scheduled shifts are all kept)."""
    if frame.empty:
        return frame
    column = frame[_DATE_COLUMN[name]]
    scheduled = frame["status"].eq("scheduled").to_numpy(dtype=bool) if name == "shifts" else None
    last = (column[~scheduled] if scheduled is not None else column).max().normalize()
    keep = (column >= last - pd.DateOffset(months=months) + pd.Timedelta(days=1)).to_numpy(dtype=bool)
    if scheduled is not None:
        keep = keep | scheduled
    return frame[keep].reset_index(drop=True)


def write_hospital(
    tables: dict[str, pd.DataFrame], out: Path, recent_months: int | None = None, progress: bool = True
) -> list[Path]:
    """Write ``tables`` as ``out/csv/<table>.csv`` and ``out/sample_hospital.xlsx``; return the paths written."""
    csv_dir = out / "csv"
    csv_dir.mkdir(parents=True, exist_ok=True)
    written = []
    steps = tqdm(total=2 * len(tables), desc="Writing files", unit="table", disable=not progress)
    for name, frame in tables.items():
        subset = _subset(name, frame, recent_months, _CSV_SHORT)
        path = csv_dir / f"{name}.csv"
        path.write_bytes(to_safe_csv(subset))
        written.append(path)
        steps.set_postfix_str(name)
        steps.update()
    workbook = out / WORKBOOK_NAME
    with pd.ExcelWriter(
        workbook,
        engine="xlsxwriter",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
    ) as writer:
        for name, frame in tables.items():
            subset = _subset(name, frame, recent_months, _XLSX_SHORT)
            if len(subset) > XLSX_MAX_DATA_ROWS:
                print(
                    f"{name}: {len(subset):,} rows do not fit in one sheet; the workbook holds the last "
                    f"{XLSX_MAX_DATA_ROWS:,} and the CSV all of them.",
                    file=sys.stderr,
                )
                subset = subset.iloc[-XLSX_MAX_DATA_ROWS:]
            neutralise_cells(subset).to_excel(writer, sheet_name=name[:31], index=False)
            steps.set_postfix_str(f"{name} (xlsx)")
            steps.update()
    steps.close()
    written.append(workbook)
    return written
