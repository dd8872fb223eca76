"""A unit's staffing plan - forecast, staff needed vs scheduled, optimised pattern - and its XLSX export.

:func:`build_unit_plan` chains :mod:`forecasting.demand`, :mod:`forecasting.staffing` and
:mod:`forecasting.shift_patterns` for one unit; the page and the command line both use it, so they
show the same numbers. :func:`plan_workbook` writes the plan through
``data_loaders.export.to_safe_xlsx`` (text cells that a spreadsheet would run as a formula are
neutralised).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_loaders.export import to_safe_xlsx
from forecasting.demand import DemandForecast, forecast_unit_demand
from forecasting.models import CANDIDATES, MODEL_LABELS
from forecasting.shift_patterns import (
    BLOCK_SHIFTS,
    DEFAULT_SHIFTS,
    HOURS_PER_WEEK,
    ShiftPlan,
    optimise_pattern,
    pattern_comparison,
    weekly_need,
)
from forecasting.staffing import (
    STAFFED_ROLES,
    census_at_service_level,
    gap_summary,
    hourly_from_daily,
    scheduled_staff,
    staff_needed,
    staffing_gaps,
    timecard_window_start,
)
from forecasting.staffing_standards import StaffingStandard, standard_for


@dataclass
class UnitPlan:
    """Everything the department-head page and the scheduler command show for one unit.

    ``hourly``: hourly forecast (local time; columns of ``DemandForecast.forecast``).
    ``needed``: int staff needed per hour (``RN``, ``CNA``). ``scheduled``: float staff scheduled per
    hour or ``None`` when shifts were not available; ``schedule_source`` says where it came from.
    ``gaps`` / ``summary``: see ``staffing.staffing_gaps`` / ``staffing.gap_summary`` (empty without
    shifts). ``plans``: optimised weekly pattern per role that needs staff. ``comparisons``: current vs
    recommended per role (only with shifts). ``blocks``: per role, the same need covered with 07:00/19:00
    12-hour blocks only (the baseline for "hours saved by the pattern").
    """

    unit: str
    demand: DemandForecast
    service_level: str
    standard: StaffingStandard
    hourly: pd.DataFrame
    needed: pd.DataFrame
    scheduled: pd.DataFrame | None
    schedule_source: str
    gaps: pd.DataFrame
    summary: pd.DataFrame
    plans: dict[str, ShiftPlan] = field(default_factory=dict)
    comparisons: dict[str, pd.DataFrame] = field(default_factory=dict)
    blocks: dict[str, ShiftPlan] = field(default_factory=dict)


def weekly_profile(hourly: pd.DataFrame) -> pd.DataFrame:
    """Mean of each column per hour of the week: 168 rows (Monday 00:00 first), same columns."""
    index = pd.DatetimeIndex(hourly.index)
    position = np.asarray(index.day_of_week * 24 + index.hour)
    return hourly.groupby(position).mean().reindex(range(HOURS_PER_WEEK)).fillna(0.0)


def overtime_per_week(shifts: pd.DataFrame, until: pd.Timestamp, weeks: int) -> dict[str, float]:
    """Mean overtime hours per week by role in worked shifts starting in the ``weeks`` weeks before ``until``.

    The window starts later when timecards start later (``staffing.timecard_window_start``).
    """
    if "overtime_hours" not in shifts:
        return dict.fromkeys(STAFFED_ROLES, 0.0)
    status = shifts["status"].astype(str) if "status" in shifts else pd.Series("worked", index=shifts.index)
    worked = shifts[status != "scheduled"]
    start = timecard_window_start(worked, until, weeks)
    recent = worked[(worked["start"] >= start) & (worked["start"] < until)]
    totals = recent.groupby(recent["role"].astype(str))["overtime_hours"].sum()
    span = (pd.Timestamp(until) - start.floor("D")) / pd.Timedelta(weeks=1)  # whole days of timecards
    return {role: float(totals.get(role, 0.0)) / span for role in STAFFED_ROLES}


def build_unit_plan(
    census: pd.DataFrame,
    unit: str,
    unit_type: str | None = None,
    shifts: pd.DataFrame | None = None,
    horizon_days: int = 28,
    service_level: str = "p80",
    standard: StaffingStandard | None = None,
    shift_options: dict[int, tuple[int, ...]] = DEFAULT_SHIFTS,
    weeks: int = 8,
    opened: pd.Timestamp | None = None,
    tz: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    candidates: tuple[str, ...] = tuple(CANDIDATES),
) -> UnitPlan:
    """Forecast, staffing and optimised pattern for ``unit``.

    ``census`` / ``shifts``: canonical rows (``shifts=None`` when the user may not read shifts: the
    plan then has no schedule comparison). ``service_level``: ``mean``, ``p80`` or ``p95``.
    ``standard``: staffing rule (default by ``unit_type``, see ``staffing_standards``). Raises
    ``ValueError`` when the unit has no census values or the service level is unknown. ``progress``
    is called with (fraction done 0-1, what is happening) before each step. ``candidates``: forecast
    models compared (default all).
    """

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    standard = standard or standard_for(unit_type)
    report(0.0, "Comparing forecast models on the unit's history")
    demand = forecast_unit_demand(census, horizon_days, unit=unit, opened=opened, tz=tz, candidates=candidates)
    report(0.7, "Turning the forecast into staff needed")
    hourly = demand.forecast if demand.freq == "h" else hourly_from_daily(demand.forecast)
    needed = staff_needed(census_at_service_level(hourly, service_level), standard)
    scheduled, source = None, "not available to this role"
    gaps = pd.DataFrame(index=needed.index)
    summary = pd.DataFrame()
    comparisons: dict[str, pd.DataFrame] = {}
    report(0.8, "Optimising the shift pattern")
    plans = {role: optimise_pattern(weekly_need(needed[role]), shift_options) for role in needed if needed[role].any()}
    blocks = {role: optimise_pattern(plan.need, BLOCK_SHIFTS) for role, plan in plans.items()}
    if shifts is not None:
        report(0.9, "Comparing with the staff scheduled")
        scheduled, source = scheduled_staff(shifts, pd.DatetimeIndex(needed.index), weeks)
        gaps = staffing_gaps(needed, scheduled)
        summary = gap_summary(gaps)
        current = weekly_profile(scheduled)
        overtime = overtime_per_week(shifts, pd.Timestamp(needed.index[0]), weeks)
        for role, plan in plans.items():
            comparisons[role] = pattern_comparison(
                plan.need,
                current[role].to_numpy(),
                float(current[role].sum()),
                overtime.get(role, 0.0),
                plan,
                blocks[role],
            )
    report(1.0, "Plan ready")
    return UnitPlan(
        unit,
        demand,
        service_level,
        standard,
        hourly,
        needed,
        scheduled,
        source,
        gaps,
        summary,
        plans,
        comparisons,
        blocks,
    )


def plan_sheets(plan: UnitPlan) -> dict[str, pd.DataFrame]:
    """The workbook's sheets: Forecast, Staffing, Pattern, Comparison, Backtest, Notes."""
    forecast = plan.hourly.rename_axis("local_time").reset_index()
    staffing = plan.needed.add_suffix("_needed")
    if plan.scheduled is not None:
        staffing = plan.gaps
    staffing = staffing.rename_axis("local_time").reset_index()
    pattern = pd.concat(
        [p.plan.assign(role=role) for role, p in plan.plans.items()] or [pd.DataFrame()], ignore_index=True
    )
    comparison = pd.concat(
        [c.reset_index().assign(role=role) for role, c in plan.comparisons.items()] or [pd.DataFrame()],
        ignore_index=True,
    )
    backtest = plan.demand.backtest.reset_index()
    notes = [
        ("unit", plan.unit),
        ("chosen model", MODEL_LABELS.get(plan.demand.model, plan.demand.model)),
        ("backtest", plan.demand.summary()),
        ("service level", plan.service_level),
        ("patients per RN", plan.standard.patients_per_rn),
        ("RN ratio source", plan.standard.rn_source),
        ("patients per CNA", plan.standard.patients_per_cna),
        ("CNA ratio source", plan.standard.cna_source),
        ("scheduled staff source", plan.schedule_source),
        ("times", "local wall-clock time of the hospital"),
        *[("message", m) for m in plan.demand.messages],
    ]
    return {
        "Forecast": forecast,
        "Staffing": staffing,
        "Pattern": pattern,
        "Comparison": comparison,
        "Backtest": backtest,
        "Notes": pd.DataFrame(notes, columns=["item", "value"]).astype({"value": str}),
    }


def plan_workbook(plan: UnitPlan) -> bytes:
    """XLSX bytes of :func:`plan_sheets`, every text cell neutralised against formula injection."""
    return to_safe_xlsx(plan_sheets(plan))
