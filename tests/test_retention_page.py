"""Retention risk through the data-access layer and on the pages: individuals for HR only, suppressed aggregates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from access.auth import Account
from access.data_access import AccessDenied, DataAccess, UserContext
from components import session
from components.risk_views import (
    risk_data_end,
    risk_tables,
    suppress_unit_views,
    unit_burnout_summary,
    unit_burnout_trend,
)
from data_loaders import store
from retention.service import retention_view

ROOT = Path(__file__).resolve().parents[1]
UNIT_SIZES = {"ICU": 30, "MS": 34, "ED": 3}  # ED is below the 5-person minimum


def _s(values) -> pd.arrays.StringArray:
    return pd.array(list(values), dtype="string")


def _hospital(seed: int = 11) -> dict[str, pd.DataFrame]:
    """Three units over 30 months; staff on heavy rosters leave voluntarily more often."""
    rng = np.random.default_rng(seed)
    ids, units = [], []
    for unit, size in UNIT_SIZES.items():
        ids += [f"{unit}{i:02d}" for i in range(size)]
        units += [unit] * size
    n = len(ids)
    heavy = rng.random(n) < 0.45
    leaves = (rng.random(n) < np.where(heavy, 0.8, 0.2)) & (np.array(units) != "ED")  # ED keeps its 3 people
    term = [
        pd.Timestamp("2024-04-01") + pd.DateOffset(months=int(m)) if x else pd.NaT
        for x, m in zip(leaves, rng.integers(0, 20, n), strict=True)
    ]
    employees = pd.DataFrame(
        {
            "employee_id": _s(ids),
            "first_name": _s(["=cmd|' /C calc'!A0"] + ["Ann"] * (n - 1)),  # a formula, to be neutralised on export
            "last_name": _s([f"Nurse{i}" for i in range(n)]),
            "role": _s(["RN"] * n),
            "unit": _s(units),
            "hire_date": pd.to_datetime(["2021-01-01"] * n),
            "termination_date": pd.to_datetime(term),
            "termination_reason": _s(["voluntary" if pd.notna(t) else None for t in term]),
            "fte": [1.0] * n,
            "employment_type": _s(["staff"] * n),
        }
    )
    days = pd.date_range("2024-01-01", "2026-06-30", freq="D")
    works = rng.random((len(days), n)) < np.where(heavy, 0.6, 0.4)
    parts = []
    for i, emp in enumerate(ids):
        worked = days[works[:, i]]
        if pd.notna(term[i]):
            worked = worked[worked < term[i]]
        parts.append(pd.DataFrame({"employee_id": emp, "unit": units[i], "start": worked + pd.Timedelta(hours=7)}))
    shifts = pd.concat(parts, ignore_index=True)
    shifts["end"] = shifts["start"] + pd.Timedelta(hours=12)
    shifts["hours"] = 12.0
    shifts = shifts.astype({"employee_id": "string", "unit": "string"})
    absences = pd.DataFrame(
        {
            "employee_id": _s(ids[:4]),
            "date": pd.to_datetime(["2026-05-04"] * 4),
            "hours": [12.0] * 4,
            "absence_type": _s(["sick"] * 4),
        }
    )
    units_table = pd.DataFrame({"unit_id": _s(UNIT_SIZES), "unit_type": _s(["ICU", "med_surg", "ED"])})
    return {"units": units_table, "employees": employees, "shifts": shifts, "absences": absences}


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('retention') / 'store.sqlite'}"
    engine = store.create_store(url)
    store.import_tables(engine, _hospital(), file_name="hospital", sha256="1", username="test")
    return url


@pytest.fixture(scope="module")
def engine(store_url):
    return store.create_store(store_url)


def _access(engine, role: str, units: frozenset[str] | None = None) -> DataAccess:
    return DataAccess(engine, UserContext(f"user.{role}", role, units))


@pytest.mark.parametrize(("role", "units"), [("dept_head", frozenset({"ICU"})), ("executive", None)])
def test_individual_risk_is_denied_to_department_heads_and_executives(engine, role, units):
    with pytest.raises(AccessDenied, match="individual burnout"):
        risk_tables(_access(engine, role, units))


def test_hr_officer_gets_individual_burnout_with_drivers(engine):
    tables = risk_tables(_access(engine, "hr_officer"))
    people = retention_view(tables, "2026-06-01").people
    assert len(people) == int(tables["employees"]["termination_date"].isna().sum()) + int(
        (tables["employees"]["termination_date"] >= pd.Timestamp("2026-06-01")).sum()
    )
    assert people["burnout_index"].between(0, 100).all()
    assert people["burnout_drivers"].str.contains("12 h+ shifts", regex=False).any()


def test_hr_view_of_units_is_suppressed_like_the_aggregate_every_role_gets(engine):
    view = retention_view(risk_tables(_access(engine, "hr_officer")), "2026-06-01")
    summary = suppress_unit_views(view).unit_summary.set_index("unit")
    assert not view.unit_summary["burnout_index"].isna().any()  # the computation itself does not suppress
    assert summary.loc["ED", "suppressed"] and pd.isna(summary.loc["ED", "burnout_index"])
    aggregate = unit_burnout_summary(_access(engine, "executive"), "2026-06-01").set_index("unit")
    pd.testing.assert_frame_equal(summary.sort_index(), aggregate.sort_index(), check_dtype=False)
    trend = suppress_unit_views(view).unit_trend
    assert trend.loc[trend["unit"] == "ED", "suppressed"].all()


def test_unit_aggregate_suppresses_units_under_five_people(engine):
    summary = unit_burnout_summary(_access(engine, "executive"), "2026-06-01").set_index("unit")
    assert summary.loc["ED", "suppressed"]
    assert pd.isna(summary.loc["ED", "burnout_index"]) and pd.isna(summary.loc["ED", "people"])
    assert summary["suppressed"].sum() == 2  # complementary: one more unit, so All - shown units != ED
    assert not summary.loc["All", "suppressed"]
    assert summary.loc["All", "burnout_index"] > 0


def test_department_head_aggregate_covers_only_their_units(engine):
    summary = unit_burnout_summary(_access(engine, "dept_head", frozenset({"MS"})), "2026-06-01")
    assert set(summary["unit"]) == {"MS", "All"}
    assert not summary["suppressed"].any()


def test_unit_trend_is_monthly_and_suppressed(engine):
    months = [pd.Timestamp("2026-04-01"), pd.Timestamp("2026-05-01")]
    trend = unit_burnout_trend(_access(engine, "executive"), months)
    ed = trend[trend["unit"] == "ED"]
    assert sorted(ed["period"]) == months
    assert ed["suppressed"].all() and ed["burnout_index"].isna().all()
    assert not trend[trend["unit"] == "All"]["suppressed"].any()


def test_data_end_is_the_last_shift_end(engine):
    assert risk_data_end(_access(engine, "executive")) == pd.Timestamp("2026-06-30")


@pytest.fixture
def page(store_url, monkeypatch):
    monkeypatch.setenv("HOSPITAL_STORE_URL", store_url)
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    session.get_engine.clear()
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_as(path: str, role: str, units: frozenset[str] = frozenset()) -> AppTest:
        at = AppTest.from_file(str(ROOT / path), default_timeout=120)
        at.session_state["account"] = Account(f"demo.{role}", role, role, units, True, True)
        at.session_state["last_seen"] = session._now()
        return at.run()

    yield open_as
    session.get_engine.clear()


def test_retention_page_shows_watch_list_model_evaluation_and_safe_export_to_hr(page):
    at = page("app_pages/hr_retention.py", "hr_officer")
    assert not at.exception
    assert [h.value for h in at.subheader][:4] == [
        "Burnout risk distribution",
        "Units and drivers",
        "Trend: monthly mean burnout index by unit",
        "Watch list",
    ]
    watch = at.dataframe[0].value
    assert {"burnout_drivers", "exit_percent_horizon", "exit_drivers"} <= set(watch.columns)
    assert watch["exit_percent_horizon"].between(0.1, 99.9).all()
    assert watch["exit_drivers"].str.contains("percentage points").any()
    assert not watch["exit_drivers"].str.contains("odds").any()
    assert any(m.label == "Calibration slope" for m in at.metric)
    assert any(m.label == "ROC AUC" for m in at.metric)
    assert not at.warning


def test_retention_page_stops_for_department_heads(page):
    at = page("app_pages/hr_retention.py", "dept_head", frozenset({"ICU"}))
    assert not at.exception
    assert any("HR officers and administrators only" in i.value for i in at.info)
    assert not at.dataframe


def test_unit_burnout_page_shows_only_aggregates_to_executives(page):
    at = page("app_pages/hr_unit_burnout.py", "executive")
    assert not at.exception
    table = at.dataframe[0].value.set_index("unit")
    assert "employee_id" not in table.columns
    assert table.loc["ED", "suppressed"]


def _active_in(unit: str, as_of: pd.Timestamp) -> int:
    employees = _hospital()["employees"]
    active = employees["termination_date"].isna() | (employees["termination_date"] > as_of)
    return int(((employees["unit"] == unit) & active & (employees["hire_date"] <= as_of)).sum())


def _page_views(store_url: str, page_name: str) -> list[dict]:
    import json

    from access import audit

    trail = audit.search(store.create_store(store_url), action="page_view")
    views = [json.loads(d) for d in trail["details"]]
    return [v["filters"] for v in views if v["page"] == page_name]  # newest first


def test_what_if_form_shows_the_units_people_and_capping_overtime_lowers_burnout(page, store_url):
    """Finding 7: the what-if form was untested. Submit a scenario for ICU: the metrics name ICU's people count;
    capping overtime at 0 h/week (ICU's heavy rosters run about 50 h/week) lowers its mean burnout index."""
    at = page("app_pages/hr_retention.py", "hr_officer")
    assert not at.exception
    as_of = pd.Timestamp(at.date_input(key="risk_as_of").value)
    at.selectbox(key="whatif_unit").select("ICU")
    at.checkbox(key="whatif_cap_on").check()
    at.number_input(key="whatif_cap").set_value(0.0)
    next(b for b in at.button if b.label == "Run scenario").click()
    at.run()
    assert not at.exception
    [burnout] = [m for m in at.metric if m.label.startswith("Mean burnout index, ICU")]
    assert f"({_active_in('ICU', as_of)} people)" in burnout.label
    assert float(burnout.delta) < 0
    assert any(m.label.startswith("Expected voluntary exits") for m in at.metric if m is not burnout)
    assert _page_views(store_url, "Retention risk: what-if")[0] == {
        "as_of": str(as_of.date()),
        "unit": "ICU",
        "overtime_cap": "0.0",
        "remove_quick_returns": "False",
        "staffing_increase_pct": "0.0",
    }


def test_watch_list_filters_are_recorded(page, store_url):
    at = page("app_pages/hr_retention.py", "hr_officer")
    at.multiselect(key="watch_units").select("MS")
    at.slider(key="watch_min_index").set_value(10)
    at.run()
    assert not at.exception
    assert set(at.dataframe[0].value["unit"]) <= {"MS"}
    newest = _page_views(store_url, "Retention risk: watch list")[0]
    assert newest["units"] == ["MS"] and newest["min_index"] == "10" and newest["top"] == "25"


def test_watch_list_and_what_if_rerun_alone_as_fragments():
    """Finding 6: a watch-list filter or a what-if submission reran the whole page (and its scoring). Each lives in
    a function decorated with ``st.fragment`` that holds its widgets."""
    import ast

    tree = ast.parse((ROOT / "app_pages" / "hr_retention.py").read_text())
    fragments = {
        node.name: ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and any(ast.unparse(d) == "st.fragment" for d in node.decorator_list)
    }
    assert any("'watch_units'" in body and "'watch_download'" in body for body in fragments.values())
    assert any("st.form('whatif')" in body and "what_if(" in body for body in fragments.values())
