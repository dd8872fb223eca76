"""KPI pages render for each role through the data layer (Streamlit AppTest on a small seeded hospital store).

The store holds a small hospital built here (6 units, 60 people, 14 months) so the test does not depend on the
sample-hospital generator; every table the pages read is present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from access.auth import Account
from data_loaders.store import create_store, import_tables

PROJECT_DIR = Path(__file__).resolve().parents[1]
UNITS = ["ICU", "ED", "MS3", "MS4", "TELE", "ONC"]
FIRST, LAST = pd.Timestamp("2025-01-01"), pd.Timestamp("2026-02-28")
ROLES_CYCLE = ["RN", "RN", "RN", "CNA", "LPN", "RN", "tech", "RN", "CNA", "RN"]


def _hospital(seed: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    units = pd.DataFrame(
        {
            "unit_id": UNITS,
            "name": [f"{u} unit" for u in UNITS],
            "unit_type": ["ICU", "ED", "med_surg", "med_surg", "telemetry", "oncology"],
            "beds": [12, 20, 24, 24, 20, 16],
            "opened": pd.Timestamp("2010-01-01"),
        }
    )
    people = []
    for i in range(60):
        unit = UNITS[i % len(UNITS)]
        hired = FIRST - pd.Timedelta(days=int(rng.integers(30, 2000)))
        left = FIRST + pd.Timedelta(days=int(rng.integers(20, 400))) if i % 7 == 0 else pd.NaT
        people.append(
            {
                "employee_id": f"E{i:03d}",
                "first_name": f"First{i}",
                "last_name": f"Last{i}",
                "role": ROLES_CYCLE[i % len(ROLES_CYCLE)],
                "unit": unit,
                "hire_date": hired,
                "termination_date": left,
                "termination_reason": ("voluntary" if i % 2 else "involuntary") if pd.notna(left) else None,
                "fte": 1.0 if i % 3 else 0.8,
                "employment_type": "agency" if i % 11 == 0 else "staff",
                "emr_proficiency": "proficient" if i % 2 else "basic",
                "telemedicine_certified": bool(i % 4 == 0),
            }
        )
    employees = pd.DataFrame(people)
    days = pd.date_range(FIRST, LAST, freq="D")
    shifts = []
    for emp in people:
        end = emp["termination_date"] if pd.notna(emp["termination_date"]) else LAST
        for day in days[(days >= emp["hire_date"]) & (days < end)][:: int(rng.integers(6, 9))]:
            night = rng.random() < 0.4
            start = day + pd.Timedelta(hours=19 if night else 7)
            shifts.append(
                {
                    "employee_id": emp["employee_id"],
                    "unit": emp["unit"],
                    "start": start,
                    "end": start + pd.Timedelta(hours=12),
                    "hours": 12.0,
                    "overtime_hours": float(rng.choice([0, 0, 0, 4])),
                    "role": emp["role"],
                    "status": "worked",
                }
            )
    census = pd.DataFrame(
        [{"unit": u, "timestamp": d, "census": float(rng.integers(5, 20))} for u in UNITS for d in days]
    )
    months = pd.date_range(FIRST, LAST, freq="MS")
    experience = pd.DataFrame(
        [
            {"unit": u, "month": m, "score": float(rng.normal(72, 6)), "responses": int(rng.integers(20, 60))}
            for u in UNITS
            for m in months
        ]
    )
    absences = pd.DataFrame(
        [
            {"employee_id": e["employee_id"], "date": FIRST + pd.Timedelta(days=int(rng.integers(0, 400))),
             "hours": 12.0, "absence_type": str(rng.choice(["sick", "PTO"]))}
            for e in people
            for _ in range(3)
        ]
    ).drop_duplicates(["employee_id", "date", "absence_type"])  # fmt: skip
    training = pd.DataFrame(
        [
            {"employee_id": e["employee_id"], "course": course, "category": "EMR",
             "due_date": pd.Timestamp("2025-11-30"),
             "completion_date": pd.Timestamp("2025-11-01") if rng.random() < 0.7 else pd.NaT}
            for e in people
            for course in ("EMR-2026-core", "EMR-2026-orders")
        ]
    )  # fmt: skip
    rollouts = pd.DataFrame(
        {
            "system": "EMR upgrade 2026",
            "rollout_type": "EMR_upgrade",
            "unit": UNITS,
            "go_live": pd.Timestamp("2026-01-15"),
            "required_courses": "EMR-2026-core; EMR-2026-orders",
        }
    )
    pulse = pd.DataFrame(
        [
            {"respondent_id": e["employee_id"], "unit": e["unit"], "date": m + pd.Timedelta(days=9),
             "dimension": "engagement", "score": float(rng.integers(1, 6)), "enps": float(rng.integers(0, 11))}
            for e in people
            for m in months[::3]
        ]
    )  # fmt: skip
    requisitions = pd.DataFrame(
        [
            {"requisition_id": f"R{i:03d}", "unit": UNITS[i % len(UNITS)], "role": "RN",
             "opened": FIRST + pd.Timedelta(days=20 * i),
             "filled": FIRST + pd.Timedelta(days=20 * i + 40 + i) if i % 3 else pd.NaT,
             "status": "filled" if i % 3 else "open", "fte": 1.0,
             "required_skills": "RN; EMR; telemedicine" if i % 2 else "RN; ACLS", "source": "referral"}
            for i in range(20)
        ]
    )  # fmt: skip
    return {
        "units": units,
        "employees": employees,
        "shifts": pd.DataFrame(shifts),
        "absences": absences,
        "census": census,
        "training": training,
        "tech_rollouts": rollouts,
        "pulse_surveys": pulse,
        "requisitions": requisitions,
        "patient_experience": experience,
    }


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('kpi_pages') / 'store.sqlite'}"
    engine = create_store(url)
    import_tables(engine, _hospital(), file_name="kpi page test hospital", sha256="0" * 64, username="test")
    engine.dispose()
    return url


@pytest.fixture(autouse=True)
def _forget_cached_store():
    """Leave no engine of this module's store in Streamlit's caches for tests that run after it."""
    import streamlit as st

    yield
    st.cache_resource.clear()
    st.cache_data.clear()


ACCOUNTS = {
    "executive": Account("exec", "Executive", "executive", frozenset(), True, False),
    "hr_officer": Account("hr", "HR officer", "hr_officer", frozenset(), True, False),
    "dept_head": Account("icu", "ICU head", "dept_head", frozenset({"ICU"}), True, False),
    "admin": Account("admin", "Admin", "admin", frozenset(), True, False),
}


def _run(page: str, role: str, store_url: str, monkeypatch) -> AppTest:
    import streamlit as st

    monkeypatch.setenv("HOSPITAL_STORE_URL", store_url)
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(str(PROJECT_DIR / page), default_timeout=120)
    app.session_state["account"] = ACCOUNTS[role]
    app.session_state["last_seen"] = __import__("time").monotonic()
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _texts(app: AppTest) -> str:
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption] + [i.value for i in app.info]
    return "\n".join(str(p) for p in parts)


def test_executive_overview_shows_tiles_benchmarks_outcomes_and_report(store_url, monkeypatch):
    app = _run("app_pages/exec_overview.py", "executive", store_url, monkeypatch)
    labels = {m.label for m in app.metric}
    assert {"Headcount", "Turnover (annualised)", "RN vacancy rate", "Nursing HPPD", "Patient experience"} <= labels
    headcount = next(m for m in app.metric if m.label == "Headcount")
    assert headcount.value not in ("—", "")
    text = _texts(app)
    assert "NSI" in text  # benchmark beside a tile
    assert "patient-experience score" in text and "unit and month fixed effects" in text
    assert any("not proof" in w.value for w in app.warning)
    assert len(app.get("download_button")) == 1


def test_executive_overview_does_not_refit_the_outcome_model_on_a_rerun(store_url, monkeypatch):
    import analytics.outcomes

    fits = []
    real_fit = analytics.outcomes.fit_outcome_model
    monkeypatch.setattr(analytics.outcomes, "fit_outcome_model", lambda *a, **k: fits.append(k) or real_fit(*a, **k))
    app = _run("app_pages/exec_overview.py", "executive", store_url, monkeypatch)
    first_run = len(fits)
    app.run()
    assert first_run == 2  # the model and its same-month sensitivity check
    assert len(fits) == first_run


def test_hr_workforce_page_renders_for_hr_officer(store_url, monkeypatch):
    app = _run("app_pages/hr_workforce.py", "hr_officer", store_url, monkeypatch)
    assert {"Headcount", "Absence rate", "eNPS"} <= {m.label for m in app.metric}
    assert len(app.dataframe) >= 1


def test_training_readiness_names_people_for_dept_head_of_their_unit_only(store_url, monkeypatch):
    app = _run("app_pages/training_readiness.py", "dept_head", store_url, monkeypatch)
    tables = [d.value for d in app.dataframe]
    named = [t for t in tables if "last_name" in t.columns]
    assert named, "a department head sees who is not ready in their unit"
    assert set(named[0]["unit"]) <= {"ICU"}


def test_training_readiness_gives_executives_counts_not_names(store_url, monkeypatch):
    app = _run("app_pages/training_readiness.py", "executive", store_url, monkeypatch)
    assert any("counts of people, not names" in c.value for c in app.caption)
    frames = [d.value for d in app.dataframe]
    counts = [f for f in frames if "not_ready" in f.columns]
    assert counts and counts[0]["not_ready"].notna().any()  # the counts are there (not an empty page)
    for frame in frames:
        assert not {"last_name", "first_name", "employee_id"} & set(frame.columns)


def test_recruiting_page_shows_open_requisitions_and_skills_gap(store_url, monkeypatch):
    app = _run("app_pages/recruiting.py", "executive", store_url, monkeypatch)
    assert {"RN vacancy rate", "RN time to fill"} <= {m.label for m in app.metric}
    columns = [set(d.value.columns) for d in app.dataframe]
    assert any("open_days" in c for c in columns)
    assert any("staff_with_skill" in c for c in columns)


def test_sensitive_kpis_reach_executives_only_as_suppressed_aggregates(store_url):
    import streamlit as st

    from access.data_access import DataAccess, UserContext
    from components.kpi_tiles import load_kpis

    st.cache_data.clear()
    engine = create_store(store_url)
    da = DataAccess(engine, UserContext("exec", "executive"))
    frame = load_kpis(da, ["absence_rate", "enps", "pulse_average", "headcount"], "M", True)
    sensitive = frame.loc[frame["kpi"].isin(["absence_rate", "enps", "pulse_average"])]
    small = sensitive.loc[sensitive["people"].isna() | (sensitive["people"] < 5)]
    assert not small.empty, "the fixture has small groups (one unit-role of 1-4 people)"
    assert small["value"].isna().all() and small["suppressed"].all()
    assert frame.loc[frame["kpi"] == "headcount", "value"].notna().any()


def test_board_report_export_is_audited_with_the_view_and_units_it_shows(store_url, monkeypatch):
    import json

    from access.audit import search
    from components import downloads

    made = []
    prepare = downloads.prepare_export
    monkeypatch.setattr(downloads, "prepare_export", lambda *a, **k: made.append(prepare(*a, **k)) or made[-1])
    app = _run("app_pages/exec_overview.py", "executive", store_url, monkeypatch)
    app.button_group(key="exec_freq").set_value("Q")
    app.toggle(key="exec_mergers").set_value(False)
    app.multiselect(key="exec_units").set_value(["ICU", "ED"])
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    # The browser asks for the file the button offers; making it is what audits it (components.downloads).
    report = next(e for e in reversed(made) if e.what == "board report")
    report.produce(create_store(store_url), ACCOUNTS["executive"].username)
    exports = search(create_store(store_url), action="export", text="board report")
    assert len(exports) == 1
    filters = json.loads(exports.iloc[0]["details"])["filters"]
    assert filters["period"] == "Quarter" and str(filters["follow_mergers"]) == "False"
    assert filters["units"] == ["ED", "ICU"]
    assert {"from", "to"} <= set(filters)
