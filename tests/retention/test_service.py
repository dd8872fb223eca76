"""The retention page's one computation: the history built once, scores per date, unit trend and watch list."""

from __future__ import annotations

import pandas as pd
import pytest

from retention.service import retention_view, risk_history


@pytest.fixture(scope="module")
def tables(synthetic_tables):
    return synthetic_tables


@pytest.fixture(scope="module")
def history(tables):
    return risk_history(tables)


def test_history_is_monthly_to_the_end_of_the_data_and_fits_a_model(history):
    assert history.data_end == pd.Timestamp("2026-06-30")
    assert list(history.months) == sorted(history.months) and history.months[-1] == pd.Timestamp("2026-06-01")
    assert set(pd.to_datetime(history.panel["as_of"])) == set(history.months)
    assert history.model is not None and history.model_problem is None


def test_a_given_history_scores_another_date_exactly_as_a_fresh_one(tables, history):
    fresh = retention_view(tables, "2026-03-15")
    reused = retention_view(tables, "2026-03-15", history=history)
    pd.testing.assert_frame_equal(fresh.people, reused.people)
    assert reused.model is history.model  # not refitted


def test_people_carry_burnout_drivers_exit_probability_and_names(tables, history):
    view = retention_view(tables, "2026-06-01", history=history)
    people = view.people
    active = tables["employees"]["termination_date"].isna() | (tables["employees"]["termination_date"] >= "2026-06-01")
    assert len(people) == int(active.sum())
    assert people["exit_probability"].between(0, 1).all()
    assert {"burnout_drivers", "exit_drivers", "band", "coverage"} <= set(people.columns)
    assert view.horizon_months in (6, 12)
    assert people["burnout_index"].sub(people.filter(like="driver_").sum(axis=1)).abs().max() < 1e-9


def test_trend_covers_the_last_twelve_history_months_up_to_the_as_of_date(tables, history):
    view = retention_view(tables, "2026-03-15", history=history)
    periods = sorted(view.unit_trend["period"].unique())
    assert len(periods) == 12 and pd.Timestamp(periods[-1]) == pd.Timestamp("2026-03-01")


def test_watch_list_filters_by_unit_and_index_and_sorts_by_exit_probability(tables, history):
    view = retention_view(tables, "2026-06-01", history=history)
    floor = float(view.people["burnout_index"].median())
    watch = view.watch_list(["U1"], floor, top=5)
    assert len(watch) == 5 and (watch["burnout_index"] >= floor).all()
    assert watch["exit_percent_horizon"].is_monotonic_decreasing
    expected = view.people[view.people["burnout_index"] >= floor]["exit_probability"].nlargest(5)
    assert watch["exit_percent_horizon"].tolist() == pytest.approx((100 * expected).round(1).tolist())
    assert view.watch_list(["no such unit"]).empty


def test_too_little_history_gives_no_model_and_says_why(tables):
    employees = tables["employees"].copy()
    employees.loc[employees["termination_date"] >= "2024-08-01", ["termination_date", "termination_reason"]] = None
    short = {"employees": employees, "shifts": tables["shifts"][tables["shifts"]["start"] < "2024-08-01"]}
    view = retention_view(short, "2024-07-15")
    assert view.model is None and "No label horizon" in view.model_problem
    assert "exit_probability" not in view.people and "exit_percent_horizon" not in view.watch_list().columns


def test_watch_list_shows_percent_with_one_decimal_and_never_zero(tables, history):
    view = retention_view(tables, "2026-06-01", history=history)
    view.people["exit_probability"] = [1e-9, 0.123456, 0.99999] + [0.05] * (len(view.people) - 3)
    percent = view.watch_list(top=1000).set_index("employee_id")["exit_percent_horizon"]
    ids = view.people.index[:3]
    assert percent[ids].tolist() == [0.1, 12.3, 99.9]
