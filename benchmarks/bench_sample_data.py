"""Benchmark: time to generate the sample hospital, validate it and load it into a fresh store (the first start).

Usage: ``python -m benchmarks.bench_sample_data [--scale 1] [--url sqlite:///benchmarks/out/bench_sample.sqlite]``.
Prints seconds per step and rows per table.
"""

from __future__ import annotations

import argparse
import time

from benchmarks.fresh_store import fresh_store
from data_loaders import load_frames
from data_loaders.store import import_tables
from sample_data import generate_hospital


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    engine = fresh_store("bench_sample", args.url)
    steps = []
    t0 = time.perf_counter()
    frames = generate_hospital(scale=args.scale)
    steps.append(("generate", time.perf_counter() - t0))
    t0 = time.perf_counter()
    result = load_frames(frames)
    steps.append(("validate (load_frames)", time.perf_counter() - t0))
    t0 = time.perf_counter()
    import_tables(engine, result.tables, file_name="bench", sha256="0", username="bench")
    steps.append((f"import into {engine.dialect.name}", time.perf_counter() - t0))
    rows = sum(len(f) for f in frames.values())
    print(f"sample hospital scale {args.scale}: {rows:,} rows")
    for name, frame in frames.items():
        print(f"  {name:20s} {len(frame):>10,}")
    for label, seconds in steps:
        print(f"{label:28s} {seconds:7.1f} s  {rows / seconds:>10,.0f} rows/s")
    print(f"{'total (first start)':28s} {sum(s for _, s in steps):7.1f} s")


if __name__ == "__main__":
    main()
