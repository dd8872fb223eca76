"""Benchmark: rows per second of each spreadsheet/CSV reader considered, and of the full ``load_file``.

Usage: ``python -m benchmarks.bench_loaders [--rows 500000] [--repeat 1]``.

Builds a synthetic timecard export of ``--rows`` shifts with realistic export headers
("Employee ID", "Dept", "Clock In", ...), writes it as XLSX (XlsxWriter, ``constant_memory``)
and CSV under ``benchmarks/out/`` (cached: regenerated only when missing), then times:

* XLSX: python-calamine (``to_python``), openpyxl read-only (``iter_rows(values_only=True)``),
  pandas ``read_excel`` with the calamine and openpyxl engines;
* CSV: pandas ``read_csv`` with the C engine (all text) and the pyarrow engine (if installed),
  and the standard-library ``csv`` module;
* the product path: ``data_loaders.readers.read_file`` (guards + text grid) and
  ``data_loaders.load_file`` (read + map + parse + validate), for both files.

Prints one table of seconds and rows/second. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

OUT = Path(__file__).resolve().parent / "out"
HEADERS = ["Employee ID", "Dept", "Clock In", "Clock Out", "Paid Hours", "OT Hours", "Job Code", "Missed Meal"]
UNITS = ["ED", "ICU", "MS3", "MS4", "TELE", "PEDS"]


def synthetic_export(rows: int, seed: int = 7) -> pd.DataFrame:
    """``rows`` 12-hour day/night shifts, unique per (employee, start), as an export would show them."""
    rng = np.random.default_rng(seed)
    employees = max(rows // 150, 10)
    emp = np.arange(rows) % employees
    day_index = np.arange(rows) // employees
    night = rng.random(rows) < 0.4
    base = np.datetime64("2024-01-01T07:00")
    start = base + day_index.astype("timedelta64[D]") + np.where(night, 12, 0).astype("timedelta64[h]")
    end = start + np.timedelta64(12, "h")
    return pd.DataFrame(
        {
            "Employee ID": [f"E{i:06d}" for i in emp],
            "Dept": np.array(UNITS)[rng.integers(0, len(UNITS), rows)],
            "Clock In": pd.to_datetime(start).strftime("%Y-%m-%d %H:%M"),
            "Clock Out": pd.to_datetime(end).strftime("%Y-%m-%d %H:%M"),
            "Paid Hours": np.round(11.5 - rng.random(rows) * 0.5, 2),
            "OT Hours": np.where(rng.random(rows) < 0.1, 4.0, 0.0),
            "Job Code": np.where(rng.random(rows) < 0.7, "RN", "CNA"),
            "Missed Meal": np.where(rng.random(rows) < 0.15, "Y", "N"),
        }
    )


def build_files(rows: int) -> tuple[Path, Path, int]:
    """Write (or reuse) the XLSX and CSV exports; returns their paths and the employee count."""
    OUT.mkdir(exist_ok=True)
    xlsx, csv_path = OUT / f"shifts_{rows}.xlsx", OUT / f"shifts_{rows}.csv"
    frame = None
    if not csv_path.exists():
        frame = synthetic_export(rows)
        frame.to_csv(csv_path, index=False)
    if not xlsx.exists():
        import xlsxwriter

        frame = synthetic_export(rows) if frame is None else frame
        workbook = xlsxwriter.Workbook(str(xlsx), {"constant_memory": True})
        sheet = workbook.add_worksheet("Timecards")
        sheet.write_row(0, 0, HEADERS)
        for r, values in enumerate(tqdm(frame.itertuples(index=False), total=rows, desc="writing XLSX"), start=1):
            sheet.write_row(r, 0, values)
        workbook.close()
    return xlsx, csv_path, max(rows // 150, 10)


def _calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) - 1


def _openpyxl(path: Path) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True)) - 1
    workbook.close()
    return count


def _stdlib_csv(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def _candidates(xlsx: Path, csv_path: Path, known: dict[str, set]) -> list[tuple[str, str, Callable[[], int]]]:
    from data_loaders import load_file
    from data_loaders.readers import read_file

    def full(path: Path) -> Callable[[], int]:
        def run() -> int:
            result = load_file(path, known_keys=known)
            return len(result.tables.get("shifts", ()))

        return run

    items = [
        ("xlsx", "python-calamine to_python", lambda: _calamine(xlsx)),
        ("xlsx", "openpyxl read_only iter_rows", lambda: _openpyxl(xlsx)),
        ("xlsx", "pandas read_excel engine=calamine", lambda: len(pd.read_excel(xlsx, engine="calamine"))),
        ("xlsx", "pandas read_excel engine=openpyxl", lambda: len(pd.read_excel(xlsx, engine="openpyxl"))),
        ("xlsx", "readers.read_file (guards + text grid)", lambda: len(read_file(xlsx)[0][0].grid) - 1),
        ("xlsx", "load_file (parse + validate)", full(xlsx)),
        ("csv", "pandas read_csv C engine, dtype=str", lambda: len(pd.read_csv(csv_path, dtype=str))),
        ("csv", "stdlib csv.reader", lambda: _stdlib_csv(csv_path)),
        ("csv", "readers.read_file (guards + text grid)", lambda: len(read_file(csv_path)[0][0].grid) - 1),
        ("csv", "load_file (parse + validate)", full(csv_path)),
    ]
    try:
        import pyarrow  # noqa: F401

        items.insert(7, ("csv", "pandas read_csv pyarrow engine", lambda: len(pd.read_csv(csv_path, engine="pyarrow"))))
    except ImportError:
        pass
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000, help="shifts in the synthetic export (default 500,000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per reader; the fastest is reported")
    args = parser.parse_args()
    xlsx, csv_path, employees = build_files(args.rows)
    known = {"units": set(UNITS), "employees": {f"E{i:06d}" for i in range(employees)}}
    print(
        f"{args.rows:,} shifts; XLSX {xlsx.stat().st_size / 1e6:.1f} MB, CSV {csv_path.stat().st_size / 1e6:.1f} MB "
        f"({dt.date.today().isoformat()})"
    )
    results = []
    for fmt, name, run in tqdm(_candidates(xlsx, csv_path, known), desc="readers"):
        best, rows = float("inf"), 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            rows = run()
            best = min(best, time.perf_counter() - started)
        results.append((fmt, name, rows, best))
    print(f"\n{'file':<5} {'reader':<42} {'rows':>10} {'seconds':>9} {'rows/s':>12}")
    print("-" * 82)
    for fmt, name, rows, seconds in results:
        print(f"{fmt:<5} {name:<42} {rows:>10,} {seconds:>9.2f} {rows / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
