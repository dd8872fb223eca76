"""Benchmark: time to import a large shifts table into the store, and to re-import it unchanged.

Usage: ``python -m benchmarks.bench_store [--rows 500000] [--url sqlite:///benchmarks/out/bench.sqlite]``.
Prints rows per second for: first import (all inserted), identical re-import (all unchanged, nothing written),
and reading the table back. The store is recreated on every run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from benchmarks.fresh_store import fresh_store
from data_loaders import store


def synthetic_shifts(rows: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Units, employees and ``rows`` canonical 12-hour shifts (day 07-19 and night 19-07)."""
    rng = np.random.default_rng(seed)
    employees = max(rows // 150, 10)
    ids = np.array([f"E{i:06d}" for i in range(employees)])
    units = np.array(["ED", "ICU", "MS3", "MS4", "TELE", "PEDS"])
    emp = rng.integers(0, employees, rows)
    # each employee's shifts on distinct days so the natural key (employee_id, start) is unique
    order = np.argsort(emp, kind="stable")
    day_index = np.empty(rows, dtype=np.int64)
    day_index[order] = np.concatenate([np.arange(c) * 2 for c in np.bincount(emp[order], minlength=employees)])
    night = rng.random(rows) < 0.4
    start = (
        pd.Timestamp("2024-01-01 07:00")
        + pd.to_timedelta(day_index, unit="D")
        + pd.to_timedelta(np.where(night, 12, 0), unit="h")
    )
    frame = pd.DataFrame(
        {
            "employee_id": pd.array(ids[emp], dtype="string"),
            "unit": pd.array(units[emp % len(units)], dtype="string"),
            "start": start,
            "end": start + pd.Timedelta(hours=12),
            "hours": 12.0,
            "overtime_hours": np.round(rng.exponential(0.5, rows), 2).clip(0, 12),
            "missed_break": pd.array(rng.random(rows) < 0.1, dtype="boolean"),
        }
    )
    units_frame = pd.DataFrame({"unit_id": pd.array(units, dtype="string")})
    employees_frame = pd.DataFrame(
        {
            "employee_id": pd.array(ids, dtype="string"),
            "unit": pd.array(units[np.arange(employees) % len(units)], dtype="string"),
        }
    )
    return units_frame, employees_frame, frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--url", default=None, help="store URL (default: a fresh SQLite file under benchmarks/out)")
    args = parser.parse_args()
    engine = fresh_store("bench_store", args.url)
    units, employees, shifts = synthetic_shifts(args.rows)
    store.import_tables(
        engine, {"units": units, "employees": employees}, file_name="staff", sha256="0", username="bench"
    )
    timings = []
    for label in ("first import (insert)", "identical re-import (unchanged)"):
        t0 = time.perf_counter()
        summary = store.import_tables(engine, {"shifts": shifts}, file_name="shifts", sha256="1", username="bench")
        elapsed = time.perf_counter() - t0
        counts = summary.as_frame().iloc[0]
        timings.append((label, elapsed, f"{counts.inserted:,} inserted, {counts.unchanged:,} unchanged"))
    t0 = time.perf_counter()
    back = store.read_table(engine, "shifts")
    timings.append(("read back", time.perf_counter() - t0, f"{len(back):,} rows"))
    print(f"store: {engine.dialect.name}, shifts rows: {args.rows:,}")
    print(f"{'step':35s} {'seconds':>8s} {'rows/s':>10s}  result")
    for label, elapsed, result in timings:
        print(f"{label:35s} {elapsed:8.1f} {args.rows / elapsed:10,.0f}  {result}")


if __name__ == "__main__":
    main()
