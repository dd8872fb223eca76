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
from data_loaders.settings import hospital_timezone
from forecasting.capacity import CapacityCheck, check_capacity
from forecasting.demand import DemandForecast, forecast_unit_demand
from forecasting.models import CANDIDATES, MODEL_LABELS
from forecasting.shift_patterns import (
    BLOCK_SHIFTS,
    DEFAULT_SHIFTS,
    HOURS_PER_WEEK,
    ShiftPlan,
    optimise_pattern,
    pattern_comparison,
    pattern_statement,
    weekly_need,
)
from forecasting.staffing import (
    CurrentPattern,
    Schedule,
    census_at_service_level,
    current_pattern,
    gap_summary,
    hourly_from_daily,
    scheduled_staff,
    staff_needed,
    staffing_gaps,
)
from forecasting.staffing_standards import StaffingStandard, standard_for


@dataclass
class UnitPlan:
    """Everything the department-head page and the scheduler command show for one unit.

    ``hourly``: hourly forecast (local time; columns of ``DemandForecast.forecast``). ``capacity``: the
    forecast and history against the staffed beds (``forecasting.capacity``). ``needed``: int staff needed
    per hour (``RN``, ``CNA``) for the census at the service level capped at the staffed beds. ``schedule``:
    staff scheduled per hour (NaN where not yet scheduled) or ``None`` when shifts were not available;
    ``schedule_source`` says where it came from. ``gaps`` / ``summary``: see ``staffing.staffing_gaps`` /
    ``staffing.gap_summary`` (empty without shifts). ``current``: the pattern worked today, from timecards
    (``None`` without shifts). ``plans``: optimised weekly pattern per role that needs staff.
    ``comparisons`` / ``statements``: current vs recommended per role, as a table and in words (only with
    shifts). ``blocks``: per role, the same need covered with 07:00/19:00 12-hour blocks only (the baseline
    for "hours saved by the pattern").
    """

    unit: str
    demand: DemandForecast
    service_level: str
    standard: StaffingStandard
    hourly: pd.DataFrame
    capacity: CapacityCheck
    needed: pd.DataFrame
    schedule: Schedule | None
    schedule_source: str
    gaps: pd.DataFrame
    summary: pd.DataFrame
    current: CurrentPattern | None = None
    plans: dict[str, ShiftPlan] = field(default_factory=dict)
    comparisons: dict[str, pd.DataFrame] = field(default_factory=dict)
    statements: dict[str, str] = field(default_factory=dict)
    blocks: dict[str, ShiftPlan] = field(default_factory=dict)

    @property
    def scheduled(self) -> pd.DataFrame | None:
        """Staff scheduled per forecast hour and role (NaN where not yet scheduled), or ``None``."""
        return None if self.schedule is None else self.schedule.on_duty

    def messages(self) -> list[str]:
        """The forecast's messages, then the capacity messages (plain sentences)."""
        return [*self.demand.messages, *self.capacity.messages()]


def weekly_profile(hourly: pd.DataFrame) -> pd.DataFrame:
    """Mean of each column per hour of the week: 168 rows (Monday 00:00 first), same columns."""
    index = pd.DatetimeIndex(hourly.index)
    position = np.asarray(index.day_of_week * 24 + index.hour)
    return hourly.groupby(position).mean().reindex(range(HOURS_PER_WEEK)).fillna(0.0)


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
    beds: object = None,
) -> UnitPlan:
    """Forecast, staffing and optimised pattern for ``unit``.

    ``census`` / ``shifts``: canonical rows (``shifts=None`` when the user may not read shifts: the
    plan then has no schedule comparison). ``service_level``: ``mean``, ``p80`` or ``p95``.
    ``standard``: staffing rule (default by ``unit_type``, see ``staffing_standards``). ``beds``: the unit's
    staffed beds (``units.beds``; missing or 0 = no cap). Raises ``ValueError`` when the unit has no census
    values or the service level is unknown. ``progress`` is called with (fraction done 0-1, what is
    happening) before each step. ``candidates``: forecast models compared (default all). ``tz``: hospital
    time zone (default ``hospital_timezone()``).
    """

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    zone = tz or hospital_timezone()
    standard = standard or standard_for(unit_type)
    report(0.0, "Comparing forecast models on the unit's history")
    demand = forecast_unit_demand(census, horizon_days, unit=unit, opened=opened, tz=zone, candidates=candidates)
    report(0.7, "Turning the forecast into staff needed")
    hourly = demand.forecast if demand.freq == "h" else hourly_from_daily(demand.forecast)
    history = demand.raw_history if demand.raw_history is not None else demand.history
    census_at_service_level(hourly, service_level)  # raises ValueError for an unknown service level
    capacity, staffed_census = check_capacity(hourly, history, beds, service_level)
    needed = staff_needed(staffed_census.rename("census"), standard)
    schedule, source = None, "not available to this role"
    gaps = pd.DataFrame(index=needed.index)
    summary = pd.DataFrame()
    current = None
    comparisons: dict[str, pd.DataFrame] = {}
    statements: dict[str, str] = {}
    report(0.8, "Optimising the shift pattern")
    plans = {role: optimise_pattern(weekly_need(needed[role]), shift_options) for role in needed if needed[role].any()}
    blocks = {role: optimise_pattern(plan.need, BLOCK_SHIFTS) for role, plan in plans.items()}
    if shifts is not None:
        report(0.9, "Comparing with the staff scheduled")
        hours = pd.DatetimeIndex(needed.index)
        schedule = scheduled_staff(shifts, hours)
        source = schedule.source
        gaps = staffing_gaps(needed, schedule.on_duty)
        summary = gap_summary(gaps)
        current = current_pattern(shifts, hours[0], weeks, zone)
        for role, plan in plans.items():
            comparisons[role] = pattern_comparison(
                plan.need,
                current.coverage[role].to_numpy(),
                current.paid_hours.get(role, 0.0),
                current.overtime_hours.get(role, 0.0),
                plan,
                blocks[role],
            )
            statements[role] = pattern_statement(role, comparisons[role], current.describe())
    report(1.0, "Plan ready")
    return UnitPlan(
        unit,
        demand,
        service_level,
        standard,
        hourly,
        capacity,
        needed,
        schedule,
        source,
        gaps,
        summary,
        current,
        plans,
        comparisons,
        statements,
        blocks,
    )


def schedule_statement(role: str, summary: pd.DataFrame) -> str:
    """Short and not-yet-scheduled hours of one role in words (the page's and the workbook's sentence)."""
    row = summary.loc[role]
    scheduled = int(row["scheduled_hours"])
    text = (
        f"{role}: short in {row['understaffed_hours']:.0f} of {scheduled} scheduled hours "
        f"({row['staff_hours_short']:,.0f} {role}-hours short)"
    )
    if row["not_yet_scheduled_hours"]:
        text += (
            f"; {row['not_yet_scheduled_hours']:.0f} hours not yet scheduled, needing "
            f"{row['staff_hours_to_schedule']:,.0f} {role}-hours still to schedule"
        )
    return text + "."


def plan_sheets(plan: UnitPlan) -> dict[str, pd.DataFrame]:
    """The workbook's sheets: Forecast, Staffing, Pattern, Comparison, Backtest, Notes.

    Staffing has one row per forecast hour with ``schedule`` = ``scheduled`` or ``not yet scheduled`` (with
    shifts), so "short" (a negative gap) and "not yet scheduled" (no gap) are never mixed.
    """
    forecast = plan.hourly.assign(census_staffed_for=_staffed_census(plan))
    if plan.capacity.beds is not None:
        forecast["staffed_beds"] = plan.capacity.beds
    forecast = forecast.rename_axis("local_time").reset_index()
    staffing = plan.needed.add_suffix("_needed")
    if plan.schedule is not None:
        staffing = plan.gaps.drop(columns="not_yet_scheduled")
        staffing.insert(0, "schedule", np.where(plan.gaps["not_yet_scheduled"], "not yet scheduled", "scheduled"))
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
        ("staffed beds", "not set (no cap)" if plan.capacity.beds is None else f"{plan.capacity.beds:g}"),
        ("patients per RN", plan.standard.patients_per_rn),
        ("RN ratio source", plan.standard.rn_source),
        ("patients per CNA", plan.standard.patients_per_cna),
        ("CNA ratio source", plan.standard.cna_source),
        ("scheduled staff source", plan.schedule_source),
        *[("schedule", schedule_statement(role, plan.summary)) for role in plan.summary.index],
        *([("current pattern", plan.current.describe())] if plan.current is not None else []),
        *[("recommended pattern", statement) for statement in plan.statements.values()],
        ("times", "local wall-clock time of the hospital"),
        *[("message", m) for m in plan.messages()],
    ]
    return {
        "Forecast": forecast,
        "Staffing": staffing,
        "Pattern": pattern,
        "Comparison": comparison,
        "Backtest": backtest,
        "Notes": pd.DataFrame(notes, columns=["item", "value"]).astype({"value": str}),
    }


def _staffed_census(plan: UnitPlan) -> np.ndarray:
    """The census at the service level, capped at the staffed beds: what the staff needed were computed for."""
    census = plan.hourly[plan.service_level].to_numpy(dtype=float)
    return census if plan.capacity.beds is None else np.minimum(census, plan.capacity.beds)


def plan_workbook(plan: UnitPlan) -> bytes:
    """XLSX bytes of :func:`plan_sheets`, every text cell neutralised against formula injection."""
    return to_safe_xlsx(plan_sheets(plan))
