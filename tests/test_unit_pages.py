"""The unit forecast page in a running app (AppTest) for each role, on a tiny store built here."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from access.auth import Account
from components import session
from data_loaders.load import load_frames
from data_loaders.store import create_store, import_tables

PAGE = str(Path(__file__).resolve().parents[1] / "app_pages" / "unit_forecast.py")


def _tiny_hospital() -> dict[str, pd.DataFrame]:
    """ICU with 5 weeks of hourly census and 12-hour RN shifts; ED with no census at all."""
    rng = np.random.default_rng(7)
    hours = pd.date_range("2026-01-05", periods=5 * 168, freq="h")
    census = pd.DataFrame(
        {
            "unit": "ICU",
            "timestamp": hours,
            "census": rng.poisson(10 + 3 * np.sin(2 * np.pi * (hours.hour - 9) / 24)).astype(float),
        }
    )
    nurses = [f"RN{i}" for i in range(8)]
    shifts = [
        {
            "employee_id": nurses[(2 * d + k) % 8],
            "unit": "ICU",
            "start": day + pd.Timedelta(hours=7 + 12 * k),
            "end": day + pd.Timedelta(hours=19 + 12 * k),
            "role": "RN",
            "status": "worked",
            "overtime_hours": 0.0,
        }
        for d, day in enumerate(pd.date_range("2026-01-05", periods=35, freq="D"))
        for k in (0, 1)
    ]
    return {
        "units": pd.DataFrame(
            {"unit_id": ["ICU", "ED"], "name": ["Intensive Care", "Emergency"], "unit_type": ["ICU", "ED"]}
        ),
        "employees": pd.DataFrame({"employee_id": nurses, "role": "RN", "unit": "ICU"}),
        "census": census,
        "shifts": pd.DataFrame(shifts),
    }


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('unit_pages') / 'store.sqlite'}"
    engine = create_store(url)
    result = load_frames(_tiny_hospital(), today=pd.Timestamp("2026-03-01").date())
    errors = result.problems[result.problems["severity"] == "error"]
    assert errors.empty, errors.to_string()
    import_tables(engine, result.tables, file_name="tiny", sha256="0" * 64, username="test")
    return url


@pytest.fixture
def page(store_url, monkeypatch):
    monkeypatch.setenv("HOSPITAL_STORE_URL", store_url)
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    session.get_engine.clear()
    yield lambda: AppTest.from_file(PAGE, default_timeout=60)
    session.get_engine.clear()


def _run_as(make, role: str, units: tuple[str, ...] = ()) -> AppTest:
    at = make()
    at.session_state["account"] = Account(f"t.{role}", role, role, frozenset(units), True, False)
    at.session_state["last_seen"] = time.monotonic()
    return at.run()


def _texts(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.markdown, *at.info, *at.caption, *at.warning, *at.error])


def test_department_head_sees_only_their_unit_with_forecast_gaps_and_pattern(page):
    at = _run_as(page, "dept_head", ("ICU",))
    assert not at.exception
    assert at.selectbox(key="uf_unit").options == ["ICU – Intensive Care"]
    text = _texts(at)
    assert "Chosen model" in text
    # one RN on duty around the clock (168 h a week); the timecards end with the night in progress at the first
    # forecast hour (until 07:00), and there is no roster after it
    assert "Scheduled staff: published roster until 2026-02-09 07:00" in text
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["RN: scheduled hours short"].endswith("of 7")
    assert metrics["RN: hours not yet scheduled"] == "664 of 671"  # 28 days less the 2026-03-08 02:00 hour
    assert "The recommended pattern pays" in text
    assert "more than the 168 worked today (worked timecards of the 5.0 weeks 2026-01-05 to 2026-02-08)" in text
    assert not re.search(r"(?<!\w)-0(?![\d.])", text)  # no "-0" overtime or hours (dates do not count)
    assert len(at.get("plotly_chart")) >= 4
    assert at.get("download_button")


def test_executive_gets_the_forecast_and_an_explanation_instead_of_the_schedule(page):
    at = _run_as(page, "executive")
    at.selectbox(key="uf_unit").select("ICU").run()
    assert not at.exception
    text = _texts(at)
    assert "Chosen model" in text
    assert "for department heads and HR" in text
    assert "The recommended pattern pays" not in text


def test_unit_without_census_shows_a_clear_error_not_a_crash(page):
    at = _run_as(page, "hr_officer")
    at.selectbox(key="uf_unit").select("ED").run()
    assert not at.exception
    assert any("No census values recorded" in str(e.value) for e in at.error)


def _weekly_rn_hours(at: AppTest) -> float:
    """RN-hours a week the recommended pattern pays (the "Recommended shift pattern" sentence)."""
    [hours] = [
        float(m.group(1).replace(",", ""))
        for e in at.markdown
        if (m := re.search(r"the recommended mix takes \*\*([\d,.]+)\*\*", str(e.value))) and "RN-hours" in str(e.value)
    ]
    return hours


def test_patients_per_rn_override_changes_the_staff_needed(page):
    """Finding 7: staffing-rule overrides were untested. ICU's Title 22 ratio is 2 patients per RN; a unit policy
    of 1 patient per RN needs more RN hours, 4 per RN fewer, and the plan says which ratio it used."""
    at = _run_as(page, "dept_head", ("ICU",))
    assert not at.exception
    assert at.number_input(key="uf_rn_ICU").value == 2.0
    title_22 = _weekly_rn_hours(at)
    at.number_input(key="uf_rn_ICU").set_value(1.0).run()
    assert not at.exception
    assert "1 patients per RN" in _texts(at)
    one_to_one = _weekly_rn_hours(at)
    at.number_input(key="uf_rn_ICU").set_value(4.0).run()
    one_to_four = _weekly_rn_hours(at)
    assert one_to_four < title_22 < one_to_one
