"""Time to compute every KPI on the sample hospital, and the whole executive overview's set in one pass.

Usage: ``python -m benchmarks.bench_kpis --scale 1 10 [--freq M] [--repeat 3]``. Prints, per scale, the rows
of each table, then seconds per KPI (best of ``--repeat``), and the total for all KPIs — the work the executive
overview asks the data layer to do on a cache miss. Then the executive's board report as the Executive overview
builds it: every KPI through the data-access layer (``components.kpi_tiles.load_kpis``, cache cleared, so small-group
suppression included) for each period granularity, and the XLSX written; it loads the sample hospital into
``benchmarks/out/bench_board_report.sqlite`` first (``--no-board-report`` skips it). Numbers depend on the
machine; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
from tqdm import tqdm

from analytics import catalogue
from analytics.outcomes import fit_outcome_model, outcome_panel


def _best_of(repeat: int, func) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    return best, result


def run(scale: float, freq: str, repeat: int) -> None:
    from sample_data import generate_hospital

    started = time.perf_counter()
    tables = generate_hospital(scale=scale)
    generated = time.perf_counter() - started
    sizes = ", ".join(f"{name} {len(frame):,}" for name, frame in tables.items())
    print(f"\n== scale {scale:g} (generated in {generated:.1f} s): {sizes}")
    total = 0.0
    results = {}
    for name in tqdm(list(catalogue.KPIS), desc=f"KPIs at scale {scale:g}", leave=False):
        seconds, frame = _best_of(repeat, lambda n=name: catalogue.compute(n, tables, freq, follow_mergers=True))
        results[name] = frame
        total += seconds
        print(f"{name:<30} {seconds:8.3f} s  {len(frame):>7,} rows")
    print(f"{'all KPIs (sum of best)':<30} {total:8.3f} s")
    seconds, _ = _best_of(repeat, lambda: catalogue.compute_many(list(catalogue.KPIS), tables, freq, True))
    print(f"{'all KPIs in one pass':<30} {seconds:8.3f} s  (compute_many: shifts read once; executive overview)")
    monthly = {n: catalogue.compute(n, tables, "M", follow_mergers=True) for n in ("patient_experience_score",)}
    monthly.update({n: results[n] if freq == "M" else catalogue.compute(n, tables, "M", True) for n in
                    ("hppd", "overtime_share", "turnover_rate", "training_compliance")})  # fmt: skip
    seconds, model = _best_of(repeat, lambda: fit_outcome_model(outcome_panel(monthly)))
    print(f"{'outcome model (WLS, bootstrap)':<30} {seconds:8.3f} s  {model.n_obs} unit-months, {model.n_units} units")


def board_report(scale: float, repeat: int) -> None:
    """Seconds to build the executive's board report through the data-access layer, per granularity."""
    import streamlit as st

    from access.data_access import DataAccess, UserContext
    from analytics.board_report import board_report_xlsx
    from analytics.reference_benchmarks import load_benchmarks
    from benchmarks.fresh_store import fresh_store
    from components.kpi_tiles import load_kpis
    from sample_data.bootstrap import load_sample_hospital

    engine = fresh_store("bench_board_report")
    load_sample_hospital(engine, scale=scale)
    executive = DataAccess(engine, UserContext("bench.exec", "executive"))
    reference = load_benchmarks()

    def build(freq: str) -> bytes:
        st.cache_data.clear()
        frame = load_kpis(executive, list(catalogue.KPIS), freq, True)
        return board_report_xlsx(frame, reference)

    for freq in ("M", "Q", "Y"):
        seconds, data = _best_of(repeat, lambda f=freq: build(f))
        print(f"{'board report, freq ' + freq:<30} {seconds:8.3f} s  {len(data) / 1e6:.2f} MB XLSX (cache cleared)")
    started = time.perf_counter()
    for freq in ("M", "Q", "Y"):
        board_report_xlsx(load_kpis(executive, list(catalogue.KPIS), freq, True), reference)
    print(f"{'board report, M then Q then Y':<30} {time.perf_counter() - started:8.3f} s  (one cache, as a session)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--freq", default="M", choices=["M", "Q", "Y"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--board-report", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    pd.set_option("display.width", 120)
    for scale in args.scale:
        run(scale, args.freq, args.repeat)
        if args.board_report:
            board_report(scale, args.repeat)


if __name__ == "__main__":
    main()
