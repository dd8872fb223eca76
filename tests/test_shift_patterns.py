"""Shift-pattern MILP: plans are checked by recomputing coverage without the solver."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.shift_patterns import (
    HOURS_PER_WEEK,
    optimise_pattern,
    overtime_removed,
    pattern_comparison,
    pattern_statement,
    weekly_need,
)


def plan_coverage(plan: pd.DataFrame) -> np.ndarray:
    """Staff on duty in each of the 168 hours of the week, recomputed from a plan's rows: an oracle independent of
    the solver's own coverage."""
    coverage = np.zeros(HOURS_PER_WEEK)
    for row in plan.itertuples(index=False):
        for k in range(int(row.length)):
            coverage[(int(row.weekday) * 24 + int(row.start) + k) % HOURS_PER_WEEK] += int(row.staff)
    return coverage


def _independent_coverage(plan: pd.DataFrame) -> list[int]:
    """Staff on duty per hour of the week, by walking each shift hour by hour (no matrix, no solver)."""
    on_duty = [0] * HOURS_PER_WEEK
    for _, row in plan.iterrows():
        hour_of_week = row["weekday"] * 24 + row["start"]
        for _ in range(row["length"]):
            on_duty[hour_of_week % HOURS_PER_WEEK] += row["staff"]
            hour_of_week += 1
    return on_duty


def test_flat_need_of_two_is_met_by_two_12_hour_shifts_a_day():
    result = optimise_pattern(np.full(HOURS_PER_WEEK, 2.0), {12: (7, 19)})
    assert result.optimal
    assert result.paid_hours == 2 * 24 * 7
    assert _independent_coverage(result.plan) == [2] * HOURS_PER_WEEK


def test_sunday_night_shift_wraps_into_monday_morning():
    need = np.zeros(HOURS_PER_WEEK)
    need[0:7] = 1  # Monday 00:00-06:59 only
    result = optimise_pattern(need, {12: (19,)})
    assert result.plan[["day", "start", "length", "staff"]].values.tolist() == [["Sun", 19, 12, 1]]
    assert result.paid_hours == 12


def test_cheapest_mix_of_8_and_12_hour_shifts_is_chosen():
    need = np.zeros(HOURS_PER_WEEK)
    need[7:15] = 1  # Monday 07-15: one 8-hour shift is cheaper than a 12-hour one
    result = optimise_pattern(need, {8: (7,), 12: (7,)})
    assert result.paid_hours == 8
    assert result.plan["length"].tolist() == [8]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=6), min_size=HOURS_PER_WEEK, max_size=HOURS_PER_WEEK))
def test_plan_covers_every_hour_it_claims_to(need):
    result = optimise_pattern(np.array(need, dtype=float))
    coverage = _independent_coverage(result.plan)
    assert all(have >= want for have, want in zip(coverage, need, strict=True))
    assert result.coverage.tolist() == coverage
    assert plan_coverage(result.plan).tolist() == coverage
    assert result.paid_hours == sum(result.plan["length"] * result.plan["staff"])


def test_need_must_have_168_hours():
    with pytest.raises(ValueError, match="168"):
        optimise_pattern(np.ones(24))


def test_weekly_need_takes_the_largest_need_per_weekday_hour():
    hours = pd.date_range("2026-03-09", periods=HOURS_PER_WEEK * 2, freq="h")  # Monday start
    needed = pd.Series(1.0, index=hours)
    needed.iloc[HOURS_PER_WEEK + 5] = 4  # second Monday 05:00
    need = weekly_need(needed)
    assert need[5] == 4
    assert need.sum() == HOURS_PER_WEEK - 1 + 4


def test_overtime_disappears_up_to_the_paid_hours_saved():
    need = np.full(HOURS_PER_WEEK, 1.0)
    plan = optimise_pattern(need, {12: (7, 19)})  # 168 paid hours
    comparison = pattern_comparison(need, np.full(HOURS_PER_WEEK, 1.5), 252.0, 30.0, plan)
    assert comparison.loc["paid hours per week", "change"] == 168 - 252
    assert comparison.loc["overtime hours per week", "recommended"] == 0
    assert comparison.loc["hours under need", "current"] == 0


def test_understaffed_current_pattern_keeps_its_overtime_and_shows_uncovered_hours():
    need = np.full(HOURS_PER_WEEK, 2.0)
    plan = optimise_pattern(need, {12: (7, 19)})
    comparison = pattern_comparison(need, np.full(HOURS_PER_WEEK, 1.0), 168.0, 10.0, plan)
    assert comparison.loc["hours under need", "current"] == HOURS_PER_WEEK
    assert comparison.loc["staff-hours short", "current"] == HOURS_PER_WEEK
    assert comparison.loc["overtime hours per week", "recommended"] == 10


def test_block_baseline_row_compares_with_07_19_twelve_hour_blocks():
    need = np.zeros(HOURS_PER_WEEK)
    need[7:15] = 2  # Monday 07-15: 8-hour shifts need 16 paid hours, a 07:00 12-hour block 24
    plan = optimise_pattern(need)
    blocks = optimise_pattern(need, {12: (7, 19)})
    comparison = pattern_comparison(need, np.zeros(HOURS_PER_WEEK), 0.0, 0.0, plan, blocks)
    assert comparison.loc["paid hours with 07/19 12-hour blocks"].tolist() == [24.0, 16.0, -8.0]


def _sign(value: float) -> float:
    return math.copysign(1.0, value)


def test_pattern_needing_more_hours_removes_zero_overtime_never_minus_zero():
    need = np.full(HOURS_PER_WEEK, 2.0)  # 336 paid hours needed, 168 worked today
    plan = optimise_pattern(need, {12: (7, 19)})
    comparison = pattern_comparison(need, np.full(HOURS_PER_WEEK, 1.0), 168.0, 10.0, plan)
    for column in ("current", "recommended", "change"):
        assert _sign(comparison.loc["overtime hours removed per week", column]) == 1.0
        assert _sign(comparison.loc["overtime hours per week", "change"]) == 1.0
    text = pattern_statement("RN", comparison, "worked timecards of 8 weeks")
    assert "336 RN-hours a week, 168 more than the 168 worked today (worked timecards of 8 weeks)" in text
    assert "removes no overtime (10 hours a week today)" in text
    assert "-0" not in text and "-" not in text.replace("RN-hours", "")


def test_pattern_needing_fewer_hours_says_fewer_and_removes_overtime_first():
    need = np.full(HOURS_PER_WEEK, 1.0)  # 168 paid hours needed, 252 worked today with 30 of overtime
    plan = optimise_pattern(need, {12: (7, 19)})
    comparison = pattern_comparison(need, np.full(HOURS_PER_WEEK, 1.5), 252.0, 30.0, plan)
    assert comparison.loc["overtime hours removed per week", "recommended"] == 30
    text = pattern_statement("CNA", comparison, "timecards")
    assert "168 CNA-hours a week, 84 fewer than the 252 worked today" in text
    assert "covers the need in every hour of the week" in text
    assert "remove about 30 of the 30 overtime hours" in text


@given(
    st.floats(min_value=0, max_value=5000),
    st.floats(min_value=0, max_value=5000),
    st.floats(min_value=0, max_value=500),
)
def test_overtime_removed_is_never_negative_nor_above_overtime_or_hours_saved(current, recommended, overtime):
    gone = overtime_removed(current, recommended, overtime)
    assert _sign(gone) == 1.0
    assert gone <= overtime + 1e-9
    assert gone <= max(0.0, current - recommended) + 1e-9
