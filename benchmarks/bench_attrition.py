"""Attrition model quality and scoring time on the sample hospital.

Prints, for each scale: the time-ordered evaluation of the attrition model on the later as-of dates (ROC AUC,
Brier score, calibration table) against the overtime-only baseline, and the wall-clock time to compute the risk
features and score every active employee (burnout index + exit probability + drivers) at the latest date.

    python -m benchmarks.bench_attrition --scale 1 --scale 10
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
from tqdm import tqdm

from retention.attrition import data_end_of, fit_history_model, monthly_as_of_dates
from retention.burnout import burnout_index, top_drivers
from retention.features import LONG_WEEKS, compute_risk_features, daily_census, prepare_shifts
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
    prepared = prepare_shifts(tables["shifts"])
    census = daily_census(tables["census"])
    prepare_seconds = time.perf_counter() - started
    first = prepared["local_date"].min()
    months = monthly_as_of_dates(first + pd.Timedelta(weeks=LONG_WEEKS), end)
    started = time.perf_counter()
    history = pd.concat(
        [
            compute_risk_features(tables, m, prepared_shifts=prepared, prepared_census=census).reset_index()
            for m in tqdm(months, desc="features per month", unit="month")
        ],
        ignore_index=True,
    )
    panel_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model = fit_history_model(history, tables["employees"], end)
    fit_seconds = time.perf_counter() - started
    ev = model.evaluation
    horizon = model.horizon_months
    print(
        f"history: {len(months)} monthly as-of dates, {len(history):,} rows; "
        f"shift preparation {prepare_seconds:.1f} s, features {panel_seconds:.1f} s, "
        f"evaluation + final fit {fit_seconds:.1f} s"
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

    as_of = end + pd.Timedelta(days=1)
    started, cpu_started = time.perf_counter(), time.process_time()
    current = compute_risk_features(tables, as_of)
    scored = burnout_index(current)
    drivers = top_drivers(scored)
    probability = model.predict_proba(current)
    exit_drivers = model.driver_summary(current)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"scoring every active employee as of {as_of:%Y-%m-%d}: {len(current):,} people in {seconds:.2f} s wall, "
        f"{cpu_seconds:.2f} s CPU "
        f"(features incl. shift preparation, burnout index + drivers, exit probability + drivers); "
        f"mean index {scored['burnout_index'].mean():.1f}, expected exits {probability.sum():.1f}; "
        f"{int((drivers != '').sum()):,} with burnout drivers, {int((exit_drivers != '').sum()):,} with exit drivers"
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
