"""Shared retention fixtures: a small synthetic hospital history whose heavy-overtime staff leave more often."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.attrition.dataset import attrition_dataset


@pytest.fixture(scope="module")
def synthetic_tables() -> dict[str, pd.DataFrame]:
    """:func:`_synthetic_history` (seed 3) as a fixture."""
    return _synthetic_history()


def _synthetic_history(seed: int = 3) -> dict[str, pd.DataFrame]:
    """300 staff over 30 months; those on a heavy overtime roster leave (voluntarily) far more often."""
    rng = np.random.default_rng(seed)
    n = 300
    ids = [f"E{i:03d}" for i in range(n)]
    heavy = rng.random(n) < 0.4
    leave_month = np.where(rng.random(n) < np.where(heavy, 0.6, 0.1), rng.integers(4, 30, n), -1)
    start = pd.Timestamp("2024-01-01")
    term = [start + pd.DateOffset(months=int(m)) if m >= 0 else pd.NaT for m in leave_month]
    employees = pd.DataFrame(
        {
            "employee_id": pd.array(ids, dtype="string"),
            "unit": pd.array(["U1"] * n, dtype="string"),
            "role": pd.array(rng.choice(["RN", "CNA"], n), dtype="string"),
            "hire_date": pd.to_datetime(["2020-01-01"] * n),
            "termination_date": pd.to_datetime(term),
            "termination_reason": pd.array(["voluntary"] * n, dtype="string"),
            "fte": 1.0,
            "employment_type": pd.array(["staff"] * n, dtype="string"),
        }
    )
    days = pd.date_range(start, "2026-06-30", freq="D")
    works = rng.random((len(days), n)) < np.where(heavy, 0.6, 0.4)  # heavy roster: ~4 shifts a week
    rows = []
    for i, emp in enumerate(ids):
        worked = days[works[:, i]]
        if pd.notna(term[i]):
            worked = worked[worked < term[i]]
        rows.append(pd.DataFrame({"employee_id": emp, "start": worked + pd.Timedelta(hours=7)}))
    shifts = pd.concat(rows, ignore_index=True)
    shifts["end"] = shifts["start"] + pd.Timedelta(hours=12)
    shifts["unit"] = "U1"
    return {"employees": employees, "shifts": shifts.astype({"employee_id": "string", "unit": "string"})}


@pytest.fixture(scope="module")
def history_panel():
    tables = _synthetic_history()
    dates = pd.date_range("2024-04-01", "2026-06-01", freq="MS")
    return attrition_dataset(tables, dates, horizon_months=12, tz="America/New_York")
