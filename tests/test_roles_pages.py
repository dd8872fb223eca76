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
from tests.test_auth_session import APP

PROJECT = Path(__file__).resolve().parents[1]
ACCOUNTS = {"admin": "demo.admin", "hr_officer": "demo.hr", "dept_head": "demo.icu", "executive": "demo.exec"}
HOME = "app_pages/home.py"

IDENTIFIER_COLUMNS = {"employee_id", "respondent_id", "first_name", "last_name", "manager_id", "employee", "full_name"}
SENSITIVE_COLUMN = re.compile(
    r"burnout|sleep|heart|steps|enps|absen|sick|survey|pulse|wellbeing|well_being|consent|exhaust", re.IGNORECASE
)
COUNT_COLUMNS = {"people", "respondents", "employees", "headcount", "n"}
UNIT_COLUMNS = {"unit", "unit_id", "home_unit", "units"}
"""Reported to the page's owner: a second session opening a cached unit plan fails on replay; nothing leaks."""
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
def app_for(sample_engine, monkeypatch):
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


# -- suppression cannot be undone by differencing two filters -------------------------------------------------------
UNIT_SIZES = {"ICU": 7, "ED": 3, "OR": 6, "MS3": 9}


@pytest.fixture(scope="module")
def small_units_engine(tmp_path_factory):
    """ICU 7, ED 3 (must be hidden), OR 6 and MS3 9 people; each person has one absence of known hours."""
    from data_loaders import store

    engine = store.create_store(f"sqlite:///{tmp_path_factory.mktemp('differencing') / 'store.sqlite'}")
    people = [(f"{unit}{i}", unit) for unit, n in UNIT_SIZES.items() for i in range(n)]
    s = lambda values: pd.array(values, dtype="string")  # noqa: E731
    store.import_tables(
        engine,
        {
            "units": pd.DataFrame({"unit_id": s(list(UNIT_SIZES))}),
            "employees": pd.DataFrame({"employee_id": s([p for p, _ in people]), "unit": s([u for _, u in people])}),
            "absences": pd.DataFrame(
                {
                    "employee_id": s([p for p, _ in people]),
                    "date": pd.to_datetime(["2026-01-06"] * len(people)),
                    "hours": [float(4 + i % 9) for i in range(len(people))],
                    "absence_type": s(["sick"] * len(people)),
                }
            ),
        },
        file_name="t",
        sha256="0",
        username="t",
    )
    return engine


def _sick_hours_per_person(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean sick hours per person by home unit, plus an All row (people = distinct employees)."""
    joined = frames["absences"].merge(frames["employees"][["employee_id", "unit"]], on="employee_id")
    per_unit = joined.groupby("unit").agg(people=("employee_id", "nunique"), hours=("hours", "mean")).reset_index()
    total = pd.DataFrame(
        {"unit": ["All"], "people": [joined["employee_id"].nunique()], "hours": [joined["hours"].mean()]}
    )
    return pd.concat([per_unit, total], ignore_index=True).astype({"unit": "string"})


def _sick_hours(engine, units=None) -> pd.DataFrame:
    da = DataAccess(engine, UserContext("x", "executive"))
    return da.aggregate(_sick_hours_per_person, ["employees", "absences"], ["hours"], units=units, dimensions=("unit",))


def _projection(full: pd.DataFrame, units) -> pd.DataFrame:
    return full[full["unit"].isin(set(units)) | (full["unit"] == "All")].reset_index(drop=True)


def test_a_group_under_five_is_hidden_with_a_complement(small_units_engine):
    full = _sick_hours(small_units_engine).set_index("unit")
    assert full.loc["ED", "suppressed"] and pd.isna(full.loc["ED", "hours"]) and pd.isna(full.loc["ED", "people"])
    assert full.loc["OR", "suppressed"]  # the next-smallest unit, so All minus the shown units is not ED alone
    assert not full.loc["ICU", "suppressed"] and not full.loc["All", "suppressed"]


@pytest.mark.parametrize(
    "filters", [(["ICU"], ["ICU", "ED"]), (["ICU", "OR", "MS3"], None), (["ED"], ["OR"]), (["ICU", "MS3"], ["MS3"])]
)
def test_two_unit_filters_differenced_reveal_nothing_hidden(small_units_engine, filters):
    full = _sick_hours(small_units_engine)
    hidden = set(full.loc[full["suppressed"], "unit"])
    for units in filters:
        got = _sick_hours(small_units_engine, units)
        pd.testing.assert_frame_equal(got, _projection(full, units if units is not None else UNIT_SIZES))
        assert got.loc[got["unit"].isin(hidden), "hours"].isna().all()
    a, b = (_sick_hours(small_units_engine, f).set_index("unit") for f in filters)
    # The total is computed over the whole scope before any filter: both filters report the same All row, so
    # All(a) - All(b) is 0 and never a hidden unit's value.
    assert a.loc["All", "hours"] == b.loc["All", "hours"] and a.loc["All", "people"] == b.loc["All", "people"]
    shown = full[~full["suppressed"] & (full["unit"] != "All")]
    remainder = full.set_index("unit").loc["All", "people"] - shown["people"].sum()
    assert remainder >= 2 * 1 and len(hidden) >= 2  # what the totals leave over belongs to at least two units


def test_burnout_page_unit_filter_is_a_projection_of_one_suppressed_table(sample_engine):
    """Whatever units a caller of the burnout page's aggregate asks for, it gets rows of the same table, suppressed
    once over the whole scope, so no two requests can be differenced (the small-store tests above show the same
    with hidden units)."""
    from components.risk_views import risk_data_end, unit_burnout_summary

    da = DataAccess(sample_engine, UserContext("x", "executive"))
    as_of = risk_data_end(da) + pd.Timedelta(days=1)
    full = unit_burnout_summary(da, as_of)
    units = full.loc[full["unit"] != "All", "unit"].tolist()
    for subset in (units[:2], units[-1:]):
        pd.testing.assert_frame_equal(unit_burnout_summary(da, as_of, units=subset), _projection(full, subset))


# -- a page reached outside the role's navigation ---------------------------------------------------------------------
@pytest.fixture
def fresh_app_for(sample_engine, monkeypatch):
    """An app whose first run goes straight to a page's address, as a page URL does on a freshly started server."""
    monkeypatch.setenv("HOSPITAL_STORE_URL", str(sample_engine.url))
    monkeypatch.setenv("HOSPITAL_BOOTSTRAP_SAMPLE", "0")
    session.get_engine.clear()

    def start(role: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=300)
        at.session_state["account"] = get_account(sample_engine, ACCOUNTS[role])
        at.session_state["last_seen"] = time.monotonic()
        return at  # not run yet

    yield start
    session.get_engine.clear()


@pytest.mark.parametrize(("role", "path"), [(r, p) for r, p in _not_offered() if r in ("dept_head", "executive")])
def test_a_page_address_on_a_fresh_server_runs_app_py_not_the_page(fresh_app_for, sample_engine, role, path):
    """With ``app_pages/`` Streamlit has no legacy multipage mode: the first run of a fresh server for a page's
    address runs app.py, whose navigation does not offer the page to this role (and audits the Home view)."""
    at = fresh_app_for(role).switch_page(path).run()
    assert any("Signed in as" in c.value for c in at.sidebar.caption)  # app.py ran
    assert [t.value for t in at.title] == ["Hospital workforce analytics"]  # Home ran, not the page
    assert not any("not available to your role" in e.value for e in at.error)


def test_every_page_file_is_registered_or_home():
    """A page file that is not in the registry is never offered to anyone: registering it is the way in."""
    registered = {(PROJECT / p.path).resolve() for p in PAGES} | {(PROJECT / HOME).resolve()}
    pages = [p for p in (PROJECT / "app_pages").glob("*.py") if p.name != "__init__.py"]
    unregistered = [p.name for p in pages if p.resolve() not in registered]
    assert unregistered == []


def test_there_is_no_pages_folder_that_would_switch_streamlit_to_legacy_mode():
    assert not (PROJECT / "pages").exists()
