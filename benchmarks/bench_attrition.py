"""Attrition model quality and scoring time on the sample hospital.

Prints, for each scale: the time-ordered evaluation of the attrition model on the later as-of dates (ROC AUC,
Brier score, calibration table) against the overtime-only baseline, and the wall-clock time to compute the risk
features and score every active employee (burnout index + exit probability + drivers) at the latest date.

    python -m benchmarks.bench_attrition --scale 1 --scale 10
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import pandas as pd
from tqdm import tqdm

from retention.attrition.dataset import data_end_of
from retention.service import retention_view, risk_history
from sample_data import generate_hospital


def _calibration(label: str, table: pd.DataFrame) -> str:
    rows = [f"  {label}: bin   n   mean predicted   observed rate"]
    rows += [
        f"        {r.bin:>3} {r.n:>5}   {r.mean_predicted:>14.3f}   {r.observed_rate:>13.3f}"
        for r in table.itertuples(index=False)
    ]
    return "\n".join(rows)


def run(scale: float, years: int) -> None:
    started = time.perf_counter()
    tables = generate_hospital(scale=scale, years=years)
    generated = time.perf_counter() - started
    end = data_end_of(tables)
    print(f"\n=== sample hospital, scale {scale:g}, {years} years to {end:%Y-%m-%d} (generated in {generated:.1f} s)")
    print(
        f"employees {len(tables['employees']):,}; shifts {len(tables['shifts']):,}; "
        f"voluntary exits {int((tables['employees']['termination_reason'] == 'voluntary').sum()):,}"
    )

    started = time.perf_counter()
    with tqdm(total=100, desc="risk history", unit="%") as bar:

        def progress(fraction: float, message: str) -> None:
            bar.set_postfix_str(message)
            bar.update(round(fraction * 100) - bar.n)

        history = risk_history(tables, progress=progress)
    history_seconds = time.perf_counter() - started
    model = history.model
    if model is None:
        print(f"no attrition model: {history.model_problem}")
        return
    ev = model.evaluation
    horizon = model.horizon_months
    print(
        f"history: {len(history.months)} monthly as-of dates, {len(history.panel):,} rows; shift preparation, "
        f"features, evaluation and final fit {history_seconds:.1f} s"
    )
    print(
        f"label: voluntary exit within {horizon} months. "
        f"Train as-of {ev.train_as_of[0]:%Y-%m}..{ev.train_as_of[1]:%Y-%m} ({ev.train_rows:,} rows); "
        f"test as-of {ev.test_as_of[0]:%Y-%m}..{ev.test_as_of[1]:%Y-%m} ({ev.test_rows:,} rows, "
        f"{ev.model.events:,} exits, rate {ev.model.events / ev.test_rows:.3f})"
    )
    print(f"{'':24}{'ROC AUC':>10}{'Brier':>10}")
    print(f"{'model':24}{ev.model.auc:>10.3f}{ev.model.brier:>10.4f}")
    print(f"{'overtime-only baseline':24}{ev.baseline.auc:>10.3f}{ev.baseline.brier:>10.4f}")
    print(f"{'base rate (no model)':24}{0.5:>10.3f}{ev.model.brier_base_rate:>10.4f}")
    print(_calibration("model", ev.model.calibration))
    print(_calibration("baseline", ev.baseline.calibration))
    top = model.coefficients.drop("(intercept)").sort_values("p_value")
    print(f"coefficients of the final model ({model.n_train:,} rows, log-odds per unit, 95% CI):")
    for name, r in top.iterrows():
        print(f"  {name:40} {r.coef:+.3f} [{r.ci_low:+.3f}, {r.ci_high:+.3f}] {r.per}")

    for note in model.fit_warnings:
        print(f"  fit note: {note}")

    as_of = history.data_end + pd.Timedelta(days=1)
    started, cpu_started = time.perf_counter(), time.process_time()
    # Shifts prepared again from the raw table, so the figure is the cost of scoring from scratch (docs/risk_model.md).
    view = retention_view(tables, as_of, history=dataclasses.replace(history, prepared_shifts=None))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    people = view.people
    print(
        f"scoring every active employee as of {as_of:%Y-%m-%d}: {len(people):,} people in {seconds:.2f} s wall, "
        f"{cpu_seconds:.2f} s CPU "
        "(features incl. shift preparation, burnout index + drivers, exit probability + drivers, unit tables); "
        f"mean index {people['burnout_index'].mean():.1f}, expected exits "
        f"{people['exit_probability'].sum():.1f}; {int((people['burnout_drivers'] != '').sum()):,} with burnout "
        f"drivers, {int((people['exit_drivers'] != '').sum()):,} with exit drivers"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, action="append", help="sample hospital scale (repeatable)")
    parser.add_argument("--years", type=int, default=2, help="years of history to generate (default 2)")
    args = parser.parse_args()
    for scale in args.scale or [1.0]:
        run(scale, args.years)


if __name__ == "__main__":
    main()
