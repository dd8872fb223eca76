"""Every page each role is offered, opened in the real app (AppTest) on the small sample hospital: nothing outside the
role's units and no individual-level sensitive field is shown; pages the role is not offered cannot be opened.

The test is generic over ``components.page_registry.PAGES``: a page registered later is covered automatically. What
is inspected is what a person would see: every dataframe and table, every chart's data, every metric, text and
widget option on the page.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from access.auth import get_account
from access.data_access import DataAccess, UserContext
from components import session
from components.page_registry import PAGES
from tests.test_auth_session import APP, navigation_v2  # noqa: F401 (fixture)

PROJECT = Path(__file__).resolve().parents[1]
ACCOUNTS = {"admin": "demo.admin", "hr_officer": "demo.hr", "dept_head": "demo.icu", "executive": "demo.exec"}
HOME = "pages/home.py"

IDENTIFIER_COLUMNS = {"employee_id", "respondent_id", "first_name", "last_name", "manager_id", "employee", "full_name"}
SENSITIVE_COLUMN = re.compile(
    r"burnout|sleep|heart|steps|enps|absen|sick|survey|pulse|wellbeing|well_being|consent|exhaust", re.IGNORECASE
)
COUNT_COLUMNS = {"people", "respondents", "employees", "headcount", "n"}
UNIT_COLUMNS = {"unit", "unit_id", "home_unit", "units"}
TOTAL_LABELS = {"All", "all", "Total", "Hospital", "All units", "Hospital-wide", "(all units)"}


def _offered(role: str) -> list[str]:
    return [HOME] + [p.path for p in PAGES if role in p.roles]


def _cases() -> list[tuple[str, str]]:
    return [(role, path) for role in ACCOUNTS for path in _offered(role)]


def _not_offered() -> list[tuple[str, str]]:
    return [(role, p.path) for role in ACCOUNTS for p in PAGES if role not in p.roles]


def _norm(column: object) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(column).strip().lower()).strip("_")


@pytest.fixture(scope="module")
def scope(sample_engine):
    """Unit ids and names of the sample hospital, and the employees the ICU department head may see."""
    admin = DataAccess(sample_engine, UserContext("t", "admin"))
    units = admin.table("units")
    employees = admin.table("employees")
    shifts = admin.table("shifts", units=["ICU"])
    icu_staff = set(employees.loc[employees["unit"] == "ICU", "employee_id"]) | set(shifts["employee_id"])
    return {
        "unit_names": dict(zip(units["unit_id"], units["name"].fillna(""), strict=True)),
        "icu_staff": icu_staff,
    }


@pytest.fixture
def app_for(sample_engine, monkeypatch, navigation_v2):  # noqa: F811
    monkeypatch.setenv("HOSPITAL_STORE_URL", str(sample_engine.url))
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    session.get_engine.clear()
    shown_errors = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")  # a failing page's message in the test report

    def start(role: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=300)
        at.session_state["account"] = get_account(sample_engine, ACCOUNTS[role])
        at.session_state["last_seen"] = time.monotonic()
        return at.run()

    yield start
    config.set_option("client.showErrorDetails", shown_errors)
    session.get_engine.clear()


def _frames(at: AppTest) -> list[pd.DataFrame]:
    frames = [el.value for el in at.dataframe] + [el.value for el in at.table]
    out = []
    for frame in frames:
        if isinstance(frame, pd.DataFrame):
            flat = frame.reset_index() if any(n is not None for n in frame.index.names) else frame
            out.append(flat)
    return out


def _strings(node: object) -> set[str]:
    if isinstance(node, str):
        return {node}
    if isinstance(node, dict):
        return set().union(*(_strings(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_strings(v) for v in node)) if node else set()
    return set()


def _chart_strings(at: AppTest) -> set[str]:
    found: set[str] = set()
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec or "{}")
        found |= _strings(spec.get("data", []))
    for kind in ("arrow_vega_lite_chart", "vega_lite_chart"):
        for el in at.get(kind):
            found |= _strings(json.loads(getattr(el.proto, "spec", "") or "{}"))
    return found


def _texts(at: AppTest) -> list[str]:
    texts = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "text", "info", "warning", "error", "success"):
        texts += [str(el.value) for el in at.get(kind)]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    return texts


def _widget_options(at: AppTest) -> list[tuple[str, list[str]]]:
    widgets = list(at.selectbox) + list(at.multiselect) + list(at.radio)
    return [(w.label, [str(o) for o in w.options]) for w in widgets]


def _scope_problems(at: AppTest, allowed: set[str], unit_names: dict[str, str], staff: set[str]) -> list[str]:
    hidden = set(unit_names) - allowed
    hidden_names = {unit_names[u] for u in hidden if len(unit_names[u]) > 3}
    problems = []
    for frame in _frames(at):
        for column in frame.columns:
            values = frame[column]
            if _norm(column) in UNIT_COLUMNS:
                shown = {str(v) for v in values.dropna()} - TOTAL_LABELS
                if shown - allowed:
                    problems.append(f"column {column!r} shows units {sorted(shown - allowed)}")
            if _norm(column) == "employee_id":
                outside = {str(v) for v in values.dropna()} - staff
                if outside:
                    problems.append(f"employee_id shows {len(outside)} people outside the units")
            if str(column) in hidden:
                problems.append(f"a column is named after unit {column!r}")
    leaked = _chart_strings(at) & (hidden | hidden_names)
    if leaked:
        problems.append(f"a chart shows units {sorted(leaked)}")
    for label, options in _widget_options(at):
        if set(options) & hidden:
            problems.append(f"widget {label!r} offers units {sorted(set(options) & hidden)}")
    for text in _texts(at):
        for name in hidden_names:
            if name in text:
                problems.append(f"text mentions {name!r}: {text[:80]!r}")
    return problems


def _sensitivity_problems(at: AppTest, role: str) -> list[str]:
    problems = []
    for frame in _frames(at):
        names = {_norm(c) for c in frame.columns}
        identifiers = names & IDENTIFIER_COLUMNS
        sensitive = sorted(n for n in names if SENSITIVE_COLUMN.search(n))
        if role == "executive" and identifiers:
            problems.append(f"an executive sees individual rows ({sorted(identifiers)})")
        if identifiers and sensitive:
            problems.append(f"individual {sorted(identifiers)} shown with sensitive {sensitive}")
        counts = [c for c in frame.columns if _norm(c) in COUNT_COLUMNS]
        if sensitive and counts:
            for c in counts:
                small = pd.to_numeric(frame[c], errors="coerce").dropna()
                if ((small > 0) & (small < 5)).any():
                    problems.append(f"an aggregate of {sensitive} over fewer than 5 people is shown ({c})")
    return problems


@pytest.mark.parametrize(("role", "path"), _cases())
def test_offered_page_shows_only_what_the_role_may_see(app_for, scope, role, path):
    at = app_for(role)
    if path != HOME:
        at.switch_page(path).run()
        assert not any("You are signed in as" in m.value for m in at.markdown), f"{path} fell back to Home"
    assert not at.exception, f"{path} raised for {role}: {at.exception[0].value} {at.exception[0].stack_trace[-6:]}"
    if role == "dept_head":
        assert _scope_problems(at, {"ICU"}, scope["unit_names"], scope["icu_staff"]) == []
    if role in ("dept_head", "executive"):
        assert _sensitivity_problems(at, role) == []


@pytest.mark.parametrize(("role", "path"), _not_offered())
def test_page_not_offered_is_not_in_the_roles_navigation(app_for, role, path):
    at = app_for(role)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(path)


def test_the_checks_catch_a_leak():
    """The inspection is not vacuous: an out-of-scope unit, an individual burnout score, a small group."""
    at = AppTest.from_string(
        """
import pandas as pd
import streamlit as st
st.dataframe(pd.DataFrame({"unit": ["ICU", "ED"], "census": [10, 20]}))
st.dataframe(pd.DataFrame({"employee_id": ["E1"], "burnout_index": [0.9]}))
st.dataframe(pd.DataFrame({"unit": ["ICU"], "mean_sleep_hours": [6.1], "people": [3]}))
st.selectbox("Unit", ["ICU", "OR"])
"""
    ).run()
    names = {"ICU": "Intensive Care Unit", "ED": "Emergency Department", "OR": "Operating Rooms"}
    scope_issues = _scope_problems(at, {"ICU"}, names, {"E1"})
    assert any("['ED']" in p for p in scope_issues) and any("offers units ['OR']" in p for p in scope_issues)
    issues = _sensitivity_problems(at, "dept_head")
    assert any("burnout_index" in p for p in issues) and any("fewer than 5" in p for p in issues)
    assert any("executive sees individual rows" in p for p in _sensitivity_problems(at, "executive"))
