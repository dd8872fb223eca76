"""Outcome model: recovers a known relation, says it in words, refuses too little data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import kpis
from analytics.outcomes import CAUTION, fit_outcome_model, outcome_panel


def _panel(seed: int = 7, units: int = 12, months: int = 24) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(units):
        unit_effect = rng.normal(0, 1.0)
        for m in range(months):
            hppd = rng.uniform(5, 12)
            ot = rng.uniform(0, 10)
            turnover = rng.uniform(0, 40)
            training = rng.uniform(60, 100)
            score = 40 + 3.0 * hppd - 0.8 * ot + 0.0 * turnover + 0.1 * training + unit_effect + rng.normal(0, 1.0)
            rows.append(
                {
                    "period": pd.Timestamp("2024-01-01") + pd.DateOffset(months=m),
                    "unit": f"U{u}",
                    "patient_experience_score": score,
                    "hppd": hppd,
                    "overtime_share": ot,
                    "turnover_rate": turnover,
                    "training_compliance": training,
                }
            )
    return pd.DataFrame(rows)


def test_model_recovers_known_hppd_effect_within_its_interval():
    model = fit_outcome_model(_panel())
    hppd = model.coefficients.set_index("column").loc["hppd"]
    assert hppd["ci_low"] < 3.0 < hppd["ci_high"]
    assert hppd["estimate"] == pytest.approx(3.0, abs=0.3)
    assert model.n_units == 12 and model.n_obs == 288


def test_sentences_state_direction_interval_and_no_clear_association():
    model = fit_outcome_model(_panel())
    by_column = dict(zip(model.coefficients["column"], model.sentences, strict=True))
    assert by_column["hppd"].startswith("Unit-months with 1 more nursing hour per patient day scored")
    assert "higher" in by_column["hppd"] and "95% CI" in by_column["hppd"]
    assert "lower" in by_column["overtime_share"]
    assert by_column["turnover_rate"].startswith("No clear association")
    assert "not proof" in model.caution == CAUTION or "not proof" in CAUTION


def test_too_few_units_is_a_sentence_not_a_crash():
    with pytest.raises(ValueError, match="at least 3 units"):
        fit_outcome_model(_panel(units=2))


def test_constant_driver_is_left_out():
    panel = _panel().assign(training_compliance=100.0)
    model = fit_outcome_model(panel)
    assert "training_compliance" not in set(model.coefficients["column"])


def test_panel_lines_up_unit_months_from_kpi_frames():
    px = pd.DataFrame(
        {
            "unit": ["A", "A", "B"],
            "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01"]),
            "score": [80.0, 70.0, 60.0],
            "responses": [10, 10, 10],
        }
    )
    census = pd.DataFrame({"unit": "A", "timestamp": pd.date_range("2025-01-01", periods=31, freq="D"), "census": 2.0})
    staffed = pd.DataFrame(
        {"unit": "A", "date": pd.to_datetime(["2025-01-05"]), "role": "RN", "employment": "employee", "hours": [62.0]}
    )
    panel = outcome_panel(
        {
            "patient_experience_score": kpis.patient_experience_score(px, "M"),
            "hppd": kpis.hppd(census, "M", staffed_hours=staffed),
        }
    )
    assert list(panel["unit"]) == ["A", "A", "B"]
    jan_a = panel.iloc[0]
    assert jan_a["patient_experience_score"] == 80.0
    assert jan_a["hppd"] == pytest.approx(1.0)
    assert panel["overtime_share"].isna().all()
