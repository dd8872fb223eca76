"""Shift-pattern optimisation: the fewest paid hours that cover every hour of the planning week.

The classic shift-scheduling set-covering integer program (Dantzig 1954; Ernst et al. 2004, "Staff
scheduling and rostering: a review"), solved with ``scipy.optimize.milp`` (HiGHS):

    minimise    sum_j length_j * x_j                      (paid staff-hours per week)
    subject to  sum_j a_hj * x_j >= need_h  for each of the 168 hours h of the week
                x_j >= 0 integer

``x_j`` = staff starting shift option j = (weekday, start hour, length); ``a_hj`` = 1 if that shift
is on duty in hour h. Shifts wrap across midnight and across the week end (a Sunday 19:00 12-hour
shift covers Sunday 19-23 and Monday 0-6): the plan is a weekly template that repeats.

The planning week's need is, for each weekday and hour, the **largest** need at the chosen service
level over the forecast horizon, so the repeating template covers every forecast week.

Comparison with the current pattern (per week, one role):

* **paid hours** = sum of shift lengths (current: paid hours per week of the worked timecards,
  ``staffing.current_pattern``);
* **uncovered hours** = hours of the week whose staff on duty is below need, and the staff-hours
  short ``sum max(0, need - on duty)``;
* **paid hours with 07:00/19:00 12-hour blocks only** = the same optimisation restricted to the traditional
  day/night blocks, i.e. each block staffed for its busiest hour; the recommended mix's saving against it is the
  hours saved by flexible starts and lengths alone, whatever today's staffing level;
* **overtime that would disappear** = ``min(current overtime hours per week, max(0, current paid
  hours - recommended paid hours))`` (>= 0): overtime is the marginal hour, so hours no longer needed are
  taken from overtime first; when the pattern needs more hours, no overtime disappears. Current paid
  hours and overtime come from the same timecards (``staffing.current_pattern``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

HOURS_PER_WEEK = 168
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_SHIFTS: dict[int, tuple[int, ...]] = {8: (7, 11, 15, 19, 23), 12: (7, 19)}
"""Allowed shift lengths (hours) and their start hours; configurable per call."""
BLOCK_SHIFTS: dict[int, tuple[int, ...]] = {12: (7, 19)}
"""The traditional day/night 12-hour blocks: the baseline the recommended mix is compared with."""


@dataclass(frozen=True)
class ShiftPlan:
    """An optimised weekly pattern.

    ``plan``: one row per shift option used: ``weekday`` (0=Monday), ``day`` (Mon..Sun), ``start``
    (hour 0-23), ``length`` (hours), ``end`` (hour 0-23 the shift ends), ``staff`` (int).
    ``need`` / ``coverage``: 168 staff counts, Monday 00:00 first. ``paid_hours``: staff-hours per
    week. ``status``: solver message; ``optimal``: True when HiGHS proved optimality.
    ``solve_seconds``: wall-clock seconds in the solver (reported, never asserted).
    """

    plan: pd.DataFrame
    need: np.ndarray
    coverage: np.ndarray
    paid_hours: float
    optimal: bool
    status: str
    solve_seconds: float


def shift_options(shifts: dict[int, tuple[int, ...]] = DEFAULT_SHIFTS) -> pd.DataFrame:
    """All (weekday, start, length) options: columns ``weekday``, ``start``, ``length`` (ints)."""
    rows = [
        (day, start, length)
        for length, starts in sorted(shifts.items())
        for start in sorted(set(starts))
        for day in range(7)
    ]
    return pd.DataFrame(rows, columns=["weekday", "start", "length"])


def coverage_matrix(options: pd.DataFrame) -> np.ndarray:
    """168 x options 0/1 matrix: 1 where the option's shift is on duty in that hour of the week."""
    matrix = np.zeros((HOURS_PER_WEEK, len(options)))
    for j, (day, start, length) in enumerate(options[["weekday", "start", "length"]].itertuples(index=False)):
        hours = (day * 24 + start + np.arange(length)) % HOURS_PER_WEEK
        matrix[hours, j] = 1.0
    return matrix


def weekly_need(needed: pd.Series) -> np.ndarray:
    """168 needs (Monday 00:00 first): the maximum of ``needed`` per weekday and hour over its timestamps.

    ``needed``: staff needed per local hour (DatetimeIndex). Weekday-hours absent from the index need 0.
    """
    index = pd.DatetimeIndex(needed.index)
    position = index.day_of_week * 24 + index.hour
    need = needed.groupby(np.asarray(position)).max().reindex(range(HOURS_PER_WEEK)).fillna(0)
    return np.ceil(need.to_numpy(dtype=float) - 1e-9)


def optimise_pattern(
    need: np.ndarray, shifts: dict[int, tuple[int, ...]] = DEFAULT_SHIFTS, time_limit: float = 20.0
) -> ShiftPlan:
    """Least paid hours of shifts covering ``need`` (168 staff counts, Monday 00:00 first).

    Raises ``ValueError`` if ``need`` does not have 168 non-negative values or there is no shift
    option. If HiGHS stops at the time limit the best plan found is returned with ``optimal=False``.
    """
    need = np.asarray(need, dtype=float)
    if need.shape != (HOURS_PER_WEEK,) or (need < 0).any() or not np.isfinite(need).all():
        raise ValueError("need must hold 168 non-negative hourly staff counts (Monday 00:00 first).")
    options = shift_options(shifts)
    if options.empty:
        raise ValueError("At least one shift length with one allowed start hour is needed.")
    matrix = coverage_matrix(options)
    need = np.ceil(need - 1e-9)
    started = time.perf_counter()
    result = milp(
        c=options["length"].to_numpy(dtype=float),
        constraints=LinearConstraint(matrix, lb=need, ub=np.inf),
        integrality=np.ones(len(options)),
        bounds=Bounds(0, np.inf),
        options={"time_limit": time_limit},
    )
    seconds = time.perf_counter() - started
    if result.x is None:
        raise ValueError(f"The shift optimiser found no plan: {result.message}")
    staff = np.round(result.x).astype(int)
    plan = options.assign(staff=staff)[staff > 0].reset_index(drop=True)
    plan.insert(1, "day", [WEEKDAYS[d] for d in plan["weekday"]])
    plan["end"] = (plan["start"] + plan["length"]) % 24
    plan = plan[["weekday", "day", "start", "length", "end", "staff"]]
    coverage = matrix @ staff
    return ShiftPlan(
        plan, need, coverage, float((plan["length"] * plan["staff"]).sum()), result.status == 0, result.message, seconds
    )


def overtime_removed(current_paid_hours: float, recommended_paid_hours: float, current_overtime_hours: float) -> float:
    """Overtime hours per week that would disappear (module docstring): >= 0, never ``-0.0``."""
    saved = max(0.0, current_paid_hours - recommended_paid_hours)
    return max(0.0, min(current_overtime_hours, saved)) + 0.0


def pattern_comparison(
    need: np.ndarray,
    current_coverage: np.ndarray,
    current_paid_hours: float,
    current_overtime_hours: float,
    plan: ShiftPlan,
    blocks: ShiftPlan | None = None,
) -> pd.DataFrame:
    """Current vs recommended weekly pattern for one role.

    ``blocks``: the plan restricted to :data:`BLOCK_SHIFTS` (adds the row ``paid hours with 07/19
    12-hour blocks``, current = that plan's paid hours).

    ``current_coverage``: 168 mean staff on duty; ``current_paid_hours`` / ``current_overtime_hours``:
    per week, from the same timecards. Returns a frame indexed by measure (``paid hours per week``, ``hours
    under need``, ``staff-hours short``, ``overtime hours per week``, ``overtime hours removed per week``) with
    columns ``current``, ``recommended``, ``change`` (recommended - current; for the removed overtime,
    current is 0 and recommended the hours removed). Overtime in the recommended pattern = current overtime
    minus :func:`overtime_removed`.
    """
    current_coverage = np.asarray(current_coverage, dtype=float)
    gone = overtime_removed(current_paid_hours, plan.paid_hours, current_overtime_hours)
    rows = {
        "paid hours per week": (current_paid_hours, plan.paid_hours),
        "hours under need": (
            float((current_coverage < need - 1e-9).sum()),
            float((plan.coverage < need - 1e-9).sum()),
        ),
        "staff-hours short": (
            float(np.clip(need - current_coverage, 0, None).sum()),
            float(np.clip(need - plan.coverage, 0, None).sum()),
        ),
        "overtime hours per week": (current_overtime_hours, current_overtime_hours - gone),
        "overtime hours removed per week": (0.0, gone),
    }
    if blocks is not None:
        rows["paid hours with 07/19 12-hour blocks"] = (blocks.paid_hours, plan.paid_hours)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["current", "recommended"])
    frame["change"] = frame["recommended"] - frame["current"]
    return (frame + 0.0).rename_axis("measure")


def _hours(value: float) -> str:
    """Whole hours with thousands separators, never "-0"."""
    return f"{round(value) + 0:,d}"


def pattern_statement(role: str, comparison: pd.DataFrame, window: str) -> str:
    """The recommended pattern against the current one in plain words, signed in words (more / fewer).

    ``comparison``: :func:`pattern_comparison`; ``window``: where the current figures come from (e.g.
    "worked timecards of the 8.0 weeks 2026-10-07 to 2026-12-01"). Figures are rounded to whole hours.
    """
    current = comparison.loc["paid hours per week", "current"]
    recommended = comparison.loc["paid hours per week", "recommended"]
    difference = recommended - current
    if round(difference) == 0:
        change = f"about the same as the {_hours(current)} worked today"
    else:
        word = "more" if difference > 0 else "fewer"
        change = f"{_hours(abs(difference))} {word} than the {_hours(current)} worked today"
    under = comparison.loc["hours under need", "recommended"]
    cover = (
        "covers the need in every hour of the week"
        if under == 0
        else f"leaves {_hours(under)} hours of the week under need"
    )
    overtime = comparison.loc["overtime hours per week", "current"]
    gone = comparison.loc["overtime hours removed per week", "recommended"]
    if round(gone) > 0:
        removed = f"It would remove about {_hours(gone)} of the {_hours(overtime)} overtime hours worked a week."
    elif difference > 0:
        removed = (
            f"It removes no overtime ({_hours(overtime)} hours a week today): it needs more hours than are worked now."
        )
    else:
        removed = f"It removes no overtime ({_hours(overtime)} hours a week today)."
    return (
        f"The recommended pattern pays {_hours(recommended)} {role}-hours a week, {change} ({window}), and {cover}. "
        + removed
    )
