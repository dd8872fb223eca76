"""Forecast accuracy, interval coverage and speed on held-out data; shift-optimiser solve time and hours saved.

Run: ``python -m benchmarks.bench_forecasting [--scale 1] [--units ICU ED] [--skip-sample] [--skip-real]``

Prints (never asserts) for
1. the sample hospital (``sample_data.generate_hospital(scale)``): per unit, the final 4 weeks of hourly census are
   held out; the app's model selection runs on the rest; MASE of the chosen model and of every candidate on the
   held-out weeks (scaled by the in-sample seasonal-naive error, Hyndman & Koehler 2006), their MAE relative to
   seasonal naive, the share of held-out hours inside the 80%/95% intervals, and the seconds per unit; then the
   staffing plan per unit on the full history (the page's path): optimiser solve time, paid hours of the current and
   recommended patterns, hours saved and overtime that would disappear; and the wall-clock time to forecast every
   unit with 2 processes (the CI machine's cores);
2. real public series (``/work/shared/data/real``, see its README): NHS England A&E type-1 attendances of the
   largest trust (monthly, last 6 months held out) and the CMS Payroll-Based Journal daily resident census of one
   New York nursing home (daily, last 28 days held out).
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from forecasting.demand import forecast_series, local_census_series
from forecasting.models import CANDIDATES, seasonal_setup
from forecasting.selection import candidate_forecasts, naive_scale

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
HOLDOUT_WEEKS = 4
CPU_SECONDS: list[float] = []
"""CPU seconds of each model selection (robust to other processes competing for the cores, unlike wall-clock)."""


def holdout_scores(series: pd.Series, horizon: int, holiday_country: str | None = "US") -> tuple[dict, float]:
    """Hold out the last ``horizon`` steps, select and forecast on the rest, score every model on the held-out part.

    Returns ({model or "chosen (<name>)": {"MASE", "rel_MAE", "cov80", "cov95"}}, seconds for the app's selection).
    """
    train, test = series.iloc[:-horizon], series.iloc[-horizon:].to_numpy(dtype=float)
    started, cpu = time.perf_counter(), time.process_time()
    result = forecast_series(train, horizon, holiday_country=holiday_country)
    seconds = time.perf_counter() - started
    CPU_SECONDS.append(time.process_time() - cpu)
    setup = seasonal_setup(result.freq, len(result.history), holiday_country)
    window = result.history if setup.fit_window is None else result.history.iloc[-setup.fit_window :]
    scale = naive_scale(window.to_numpy(dtype=float), setup.season)
    forecasts, _ = candidate_forecasts(window, horizon, setup, tuple(CANDIDATES), nonnegative=True)
    naive_mae = float(np.abs(test - forecasts["seasonal_naive"]).mean())
    rows = {}
    for name, point in forecasts.items():
        mae = float(np.abs(test - point).mean())
        rows[name] = {"MASE": mae / scale, "rel_MAE": mae / naive_mae, "cov80": np.nan, "cov95": np.nan}
    fc = result.forecast.iloc[: len(test)]
    mae = float(np.abs(test - fc["mean"].to_numpy()).mean())
    rows[f"chosen ({result.model})"] = {
        "MASE": mae / scale,
        "rel_MAE": mae / naive_mae,
        "cov80": float(((test >= fc["lo80"]) & (test <= fc["hi80"])).mean()),
        "cov95": float(((test >= fc["lo95"]) & (test <= fc["hi95"])).mean()),
    }
    return rows, seconds


def _forecast_28_days(series: pd.Series) -> str:
    return forecast_series(series, 28 * 24).model


def sample_hospital(scale: float, units: list[str] | None) -> None:
    from forecasting.plan_export import build_unit_plan
    from sample_data import generate_hospital

    print(f"Load average at start (1, 5, 15 min): {os.getloadavg()}; CPUs: {os.cpu_count()}")
    started = time.perf_counter()
    frames = generate_hospital(scale=scale)
    print(f"Sample hospital generated at scale {scale} in {time.perf_counter() - started:.1f} s")
    census, shifts, unit_rows = frames["census"], frames["shifts"], frames["units"].set_index("unit_id")
    chosen_units = units or sorted(census["unit"].dropna().unique())
    horizon = HOLDOUT_WEEKS * 168
    accuracy, plans = [], []
    total = 0.0
    for unit in tqdm(chosen_units, desc="held-out forecasts"):
        series = local_census_series(census[census["unit"] == unit])
        rows, seconds = holdout_scores(series, horizon)
        total += seconds
        for model, scores in rows.items():
            accuracy.append({"unit": unit, "model": model, **scores, "seconds": seconds})
    table = pd.DataFrame(accuracy)
    chosen = table[table["model"].str.startswith("chosen")]
    print("\n== Sample hospital: final 4 weeks held out (hourly census) ==")
    print(chosen.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    wide = table.pivot(index="unit", columns="model", values="MASE")
    fixed = [c for c in wide.columns if not c.startswith("chosen")]
    print("\nMASE of every candidate on the held-out weeks (seasonal naive's own MASE is its row value):")
    print(wide[fixed].to_string(float_format=lambda v: f"{v:.3f}"))
    print(
        f"\nMean over units: chosen MASE {chosen['MASE'].mean():.3f}, MAE vs seasonal naive "
        f"{chosen['rel_MAE'].mean():.3f}, 80% coverage {chosen['cov80'].mean():.1%}, 95% coverage "
        f"{chosen['cov95'].mean():.1%}; model selection for {len(chosen_units)} units took {total:.1f} s "
        f"({total / len(chosen_units):.2f} s per unit, one process; CPU time "
        f"{sum(CPU_SECONDS[-len(chosen_units) :]):.1f} s, {np.mean(CPU_SECONDS[-len(chosen_units) :]):.2f} s per unit)."
    )

    series_by_unit = [local_census_series(census[census["unit"] == u]) for u in chosen_units]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(tqdm(pool.map(_forecast_28_days, series_by_unit), total=len(series_by_unit), desc="all units, 2 procs"))
    print(
        f"Forecasting all {len(chosen_units)} units 28 days ahead on the full history (selection included) with 2 "
        f"processes: {time.perf_counter() - started:.1f} s wall-clock."
    )

    for unit in tqdm(chosen_units, desc="staffing plans"):
        closed = unit_rows.at[unit, "closed"]
        if pd.notna(closed):
            continue
        unit_census = census[census["unit"] == unit]
        since = unit_census["timestamp"].max() - pd.Timedelta(weeks=8, days=1)
        unit_shifts = shifts[(shifts["unit"] == unit) & (shifts["start"] >= since)]
        started = time.perf_counter()
        plan = build_unit_plan(
            unit_census, unit, unit_rows.at[unit, "unit_type"], unit_shifts, 28, "p80", beds=unit_rows.at[unit, "beds"]
        )
        seconds = time.perf_counter() - started
        for role, result in plan.plans.items():
            comparison = plan.comparisons.get(role)
            current = comparison.loc["paid hours per week", "current"] if comparison is not None else np.nan
            plans.append(
                {
                    "unit": unit,
                    "role": role,
                    "schedule": plan.schedule_source.split(" and ")[0],
                    "short_h": plan.summary.loc[role, "understaffed_hours"] if role in plan.summary.index else np.nan,
                    "not_yet_scheduled_h": plan.summary.loc[role, "not_yet_scheduled_hours"]
                    if role in plan.summary.index
                    else np.nan,
                    "hours_capped_at_beds": plan.capacity.staffing_hours_capped,
                    "solve_s": result.solve_seconds,
                    "optimal": result.optimal,
                    "current_paid_h": current,
                    "recommended_paid_h": result.paid_hours,
                    "blocks_paid_h": plan.blocks[role].paid_hours,
                    "saved_vs_blocks_h": plan.blocks[role].paid_hours - result.paid_hours,
                    "saved_vs_current_h": current - result.paid_hours,
                    "current_hours_under_need": comparison.loc["hours under need", "current"]
                    if comparison is not None
                    else np.nan,
                    "overtime_gone_h": comparison.loc["overtime hours removed per week", "recommended"]
                    if comparison is not None
                    else np.nan,
                    "plan_s": seconds,
                }
            )
    plan_table = pd.DataFrame(plans)
    print("\n== Sample hospital: recommended weekly pattern at the 80th percentile (28-day horizon) ==")
    print(plan_table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    totals = plan_table[["recommended_paid_h", "blocks_paid_h", "saved_vs_blocks_h", "current_paid_h"]].sum()
    print(
        f"\nOptimiser: {len(plan_table)} solves, max {plan_table['solve_s'].max():.3f} s, total "
        f"{plan_table['solve_s'].sum():.2f} s. Paid hours per week: recommended {totals['recommended_paid_h']:,.0f}; "
        f"07/19 12-hour blocks for the same need {totals['blocks_paid_h']:,.0f} (saved "
        f"{totals['saved_vs_blocks_h']:,.0f}, {totals['saved_vs_blocks_h'] / totals['blocks_paid_h']:.1%}); current "
        f"schedule {totals['current_paid_h']:,.0f} with {plan_table['current_hours_under_need'].sum():,.0f} "
        f"role-hours under need; overtime that would disappear {plan_table['overtime_gone_h'].sum():,.0f} h per week."
    )


def nhs_ae() -> None:
    frame = pd.read_csv(REAL_DATA / "nhs_ae_attendances_monthly.csv", parse_dates=["period"])
    type1 = frame[frame["type"].astype(str) == "1"]
    trust = type1.groupby("org_code")["attendances"].mean().idxmax()
    series = type1[type1["org_code"] == trust].set_index("period")["attendances"].sort_index().asfreq("MS")
    rows, seconds = holdout_scores(series, 6, holiday_country=None)
    print(f"\n== NHS England A&E type-1 attendances, trust {trust} (largest), monthly, last 6 months held out ==")
    print(f"{len(series)} months {series.index[0]:%Y-%m} to {series.index[-1]:%Y-%m}; selection took {seconds:.2f} s")
    print(pd.DataFrame(rows).T.to_string(float_format=lambda v: f"{v:.3f}"))


def cms_daily() -> None:
    frame = pd.read_csv(REAL_DATA / "cms_pbj_daily_census_and_nurse_hours.csv")
    frame["date"] = pd.to_datetime(frame["WorkDate"].astype(str), format="%Y%m%d")
    series = frame.set_index("date")["MDScensus"].astype(float).sort_index().asfreq("D")
    rows, seconds = holdout_scores(series, 28)
    print("\n== CMS PBJ daily resident census (one NY nursing home), last 28 days held out ==")
    span = f"{series.index[0]:%Y-%m-%d} to {series.index[-1]:%Y-%m-%d}"
    print(f"{len(series)} days {span}; selection took {seconds:.2f} s")
    print(pd.DataFrame(rows).T.to_string(float_format=lambda v: f"{v:.3f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--units", nargs="*", default=None)
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    if not args.skip_real:
        nhs_ae()
        cms_daily()
    if not args.skip_sample:
        sample_hospital(args.scale, args.units)


if __name__ == "__main__":
    main()
