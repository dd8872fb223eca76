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
        f"label: voluntary exit within {horizon} months (monthly hazard). "
        f"Hazard trained on as-of {ev.train_as_of[0]:%Y-%m}..{ev.train_as_of[1]:%Y-%m} ({ev.train_rows:,} "
        f"person-months); recalibrated on {ev.validation_as_of[0]:%Y-%m}..{ev.validation_as_of[1]:%Y-%m} "
        f"({ev.validation_rows:,} rows); test as-of {ev.test_as_of[0]:%Y-%m}..{ev.test_as_of[1]:%Y-%m} "
        f"({ev.test_rows:,} rows, {ev.model.events:,} exits, rate {ev.model.events / ev.test_rows:.3f})"
    )
    print(f"{'':24}{'ROC AUC':>10}{'95% CI':>16}{'Brier':>10}{'cal. slope':>12}{'cal. int.':>11}")
    for name, e in (("model", ev.model), ("overtime-only baseline", ev.baseline)):
        print(
            f"{name:24}{e.auc:>10.3f}{f'{e.auc_low:.3f}-{e.auc_high:.3f}':>16}{e.brier:>10.4f}"
            f"{e.calibration_slope:>12.3f}{e.calibration_intercept:>+11.3f}"
        )
    print(f"{'base rate (no model)':24}{0.5:>10.3f}{'':>16}{ev.model.brier_base_rate:>10.4f}")
    a, b = model.recalibration
    print(
        f"page model: hazard on {model.windows['train'][0]:%Y-%m}..{model.windows['train'][1]:%Y-%m}, recalibrated "
        f"on {model.windows['validation'][0]:%Y-%m}..{model.windows['validation'][1]:%Y-%m}: a {a:+.3f}, b {b:.3f}; "
        f"inputs held at 0 by the monotone constraint: {', '.join(model.inputs_held_at_zero()) or 'none'}"
    )
    print(_calibration("model", ev.model.calibration))
    print(_calibration("baseline", ev.baseline.calibration))
    top = model.coefficients.drop("(intercept)").sort_values("p_value")
    print(
        f"monthly-hazard coefficients of the page model ({model.n_train:,} person-months, log-odds per unit, 95% CI):"
    )
    for name, r in top.iterrows():
        held = " (held at 0: monotone constraint)" if r.get("held_at_zero", False) else ""
        print(f"  {name:40} {r.coef:+.3f} [{r.ci_low:+.3f}, {r.ci_high:+.3f}] {r.per}{held}")

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
    p = people["exit_probability"]
    first_year = people["tenure_years"] < 1
    print(
        f"exit probability: min {p.min():.4f}, max {p.max():.4f}; mean first-year {p[first_year].mean():.3f} vs "
        f"{p[~first_year].mean():.3f} after"
    )
    print(f"top person's exit drivers: {people.loc[p.idxmax(), 'exit_drivers']}")
    for unit in sorted(people["unit"].dropna().unique()):
        base = view.what_if(unit)
        steps = [view.what_if(unit, staffing_increase_pct=x).expected_exits_after for x in (10, 25)]
        capped = view.what_if(unit, overtime_cap=4.0).expected_exits_after
        print(
            f"  what-if {unit:8} exits {base.expected_exits_before:6.2f}; staffing +10% {steps[0]:6.2f}, "
            f"+25% {steps[1]:6.2f}; overtime cap 4 h {capped:6.2f}"
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
