"""Attrition data set: voluntary-exit labels, unlabelled windows past the data, and the model's input budget."""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.attrition.dataset import model_columns, voluntary_exit_labels


def test_voluntary_exits_counted_within_horizon_only():
    employees = pd.DataFrame(
        {
            "employee_id": pd.array(["a", "b", "c", "d"], dtype="string"),
            "termination_date": pd.to_datetime(["2027-01-01", "2027-01-02", "2026-06-01", "2026-03-01"]),
            "termination_reason": pd.array(["voluntary", "voluntary", "involuntary", "voluntary"], dtype="string"),
        }
    )
    labels = voluntary_exit_labels(employees, "2026-01-01", 12)
    assert labels.to_dict() == {"a": 1.0, "b": 0.0, "c": 0.0, "d": 1.0}


def test_labels_are_missing_where_the_window_runs_past_the_data(history_panel):
    late = history_panel[history_panel["as_of"] > pd.Timestamp("2025-06-30")]
    early = history_panel[history_panel["as_of"] <= pd.Timestamp("2025-06-01")]
    assert late["left_within_12m"].isna().all()
    assert early["left_within_12m"].notna().all()


def test_model_inputs_limited_to_ten_distinct_leavers_per_coefficient():
    n = 300
    rng = np.random.default_rng(5)
    panel = pd.DataFrame(
        {
            "employee_id": [f"E{i % 150}" for i in range(n)],  # each person at two as-of dates
            "overtime_hours_per_week_12w": rng.uniform(0, 10, n),
            "new_starter": rng.integers(0, 2, n).astype(float),
            "pulse_score": np.where(rng.random(n) < 0.5, np.nan, 3.0 + rng.random(n)),
            "quick_returns_12w": rng.integers(0, 4, n).astype(float),
            "role": pd.array(rng.choice(["RN", "CNA", "LPN"], n), dtype="string"),
            "left": 0.0,
        }
    )
    panel.loc[panel["employee_id"].isin([f"E{i}" for i in range(35)]), "left"] = 1.0  # 35 distinct leavers
    # Budget 3: overtime (1) + new_starter (1); pulse_score has gaps (2: value + missing indicator) and no longer
    # fits, so the next affordable one, quick returns (1), is taken.
    assert model_columns(panel, "left") == ["overtime_hours_per_week_12w", "new_starter", "quick_returns_12w"]
    assert len(model_columns(panel)) == 5
