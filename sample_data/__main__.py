"""Command line: ``python -m sample_data --scale 1 --out DIR [--recent-months 3] [--seed 7] [--end 2026-10-31]``.

Generates the sample hospital and writes ``DIR/csv/<table>.csv`` and ``DIR/sample_hospital.xlsx``.
The files shipped in the repository are made with
``python -m sample_data --scale 1 --recent-months 3 --out sample_data``.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from sample_data.files import write_hospital
from sample_data.hospital import generate_hospital


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size multiplier (1 = ~2,000 people)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write csv/ and the workbook into")
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same files)")
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 10, 31), help="last day (YYYY-MM-DD)")
    parser.add_argument("--years", type=int, default=2, help="years of history up to --end")
    parser.add_argument(
        "--recent-months",
        type=int,
        default=None,
        help="keep only the last N months of shifts, absences and wellbeing (and census in the workbook)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tables = generate_hospital(scale=args.scale, seed=args.seed, end=args.end, years=args.years, progress=True)
    generated = time.perf_counter() - started
    paths = write_hospital(tables, args.out, recent_months=args.recent_months)
    total = sum(p.stat().st_size for p in paths)
    print(f"Generated in {generated:.1f} s; wrote {len(paths)} files, {total / 1e6:.1f} MB, to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
