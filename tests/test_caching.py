"""The one caching policy (components.caching; issue 11 finding 10, issue 17 finding 2): cached results never cross
access scopes, and every user's read is audited whether or not the cache served it."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from access import audit
from access.data_access import DataAccess, UserContext
from components import caching
from data_loaders.store import create_store, import_tables

CALLS: list[str] = []


@caching.scoped_cache()
def staff_ids(da: DataAccess, role: str) -> list[str]:
    CALLS.append(da.user.username)
    frame = da.table("employees")
    return sorted(frame.loc[frame["role"] == role, "employee_id"])


@caching.scoped_cache()
def headcount(da: DataAccess) -> pd.DataFrame:
    CALLS.append(da.user.username)
    return da.aggregate(
        lambda t: t["employees"].groupby("unit").size().rename("people").reset_index().assign(value=lambda f: f.people),
        tables=["employees"],
        value_columns=["value"],
        dimensions=("unit",),
    )


def _hospital() -> dict[str, pd.DataFrame]:
    s = lambda values: pd.array(values, dtype="string")  # noqa: E731
    return {
        "units": pd.DataFrame({"unit_id": s(["ICU", "ED"])}),
        "employees": pd.DataFrame(
            {"employee_id": s(["I1", "I2", "E1"]), "unit": s(["ICU", "ICU", "ED"]), "role": s(["RN", "RN", "RN"])}
        ),
    }


@pytest.fixture
def engine(tmp_path):
    engine = create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    import_tables(engine, _hospital(), file_name="tiny", sha256="0" * 64, username="test")
    caching.clear()
    CALLS.clear()
    yield engine
    caching.clear()


def _as(engine, username: str, role: str, units: set[str] | None = None) -> DataAccess:
    return DataAccess(
        engine,
        UserContext(username, role, frozenset(units) if units else None),
        audit=lambda *a: audit.record(engine, *a),
    )


def _reads(engine, username: str) -> list[dict]:
    trail = audit.search(engine, username=username)
    return [json.loads(d) for d in trail.loc[trail["action"].isin(["read", "aggregate"]), "details"]]


def test_a_department_head_never_receives_another_units_cached_result(engine):
    assert staff_ids(_as(engine, "icu.head", "dept_head", {"ICU"}), "RN") == ["I1", "I2"]
    assert staff_ids(_as(engine, "ed.head", "dept_head", {"ED"}), "RN") == ["E1"]
    assert CALLS == ["icu.head", "ed.head"]


def test_roles_do_not_share_results(engine):
    staff_ids(_as(engine, "hr", "hr_officer"), "RN")
    staff_ids(_as(engine, "admin", "admin"), "RN")
    assert CALLS == ["hr", "admin"]


def test_a_second_executives_cached_read_leaves_its_own_audit_entry(engine):
    first = headcount(_as(engine, "exec.one", "executive"))
    second = headcount(_as(engine, "exec.two", "executive"))
    pd.testing.assert_frame_equal(first, second)
    assert CALLS == ["exec.one"]  # computed once for the scope
    [one] = _reads(engine, "exec.one")
    [two] = _reads(engine, "exec.two")
    assert one["table"] == two["table"] == "employees"
    assert "cached" not in one and two["cached"] == "yes"


def test_every_call_is_audited_even_for_the_same_user(engine):
    da = _as(engine, "hr", "hr_officer")
    staff_ids(da, "RN")
    staff_ids(da, "RN")
    assert len(_reads(engine, "hr")) == 2 and CALLS == ["hr"]


def test_an_import_invalidates_through_the_data_version(engine):
    da = _as(engine, "hr", "hr_officer")
    assert staff_ids(da, "RN") == ["E1", "I1", "I2"]
    more = _hospital()
    more["employees"] = more["employees"].iloc[:1].assign(employee_id=pd.array(["I3"], dtype="string"))
    import_tables(engine, {"employees": more["employees"]}, file_name="more", sha256="1" * 64, username="test")
    assert staff_ids(da, "RN") == ["E1", "I1", "I2", "I3"]


def test_no_page_caches_data_outside_the_policy():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = [
        str(p.relative_to(root))
        for p in [*(root / "app_pages").glob("*.py"), *(root / "components").glob("*.py")]
        if p.name not in {"caching.py", "data_import.py", "kpi_tiles.py"}
        and any(hand_made in p.read_text() for hand_made in ("st.cache_data", "OrderedDict", "cache_data.clear"))
    ]
    assert offenders == []


def test_no_data_frame_is_held_in_cache_resource():
    """``st.cache_resource`` is for connections and locks only: every use returns an Engine, a Lock or a str."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    held = []
    for path in [*(root / "app_pages").glob("*.py"), *(root / "components").glob("*.py"), root / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                "cache_resource" in ast.unparse(d) for d in node.decorator_list
            ):
                held.append((path.name, node.name, ast.unparse(node.returns) if node.returns else None))
    assert held and all(returns in {"Engine", "threading.Lock", "str"} for _, _, returns in held), held


def test_a_second_hr_officers_cached_retention_view_leaves_its_own_audit_entries(sample_engine):
    """The retention page's view (components.risk_cache) is cached under the same policy: a second HR officer is
    served the first one's computation, and the trail still shows every risk table read in the second's name."""
    from components import risk_cache
    from retention.features import RISK_TABLES

    caching.clear()
    first = _as(sample_engine, "retention.hr.one", "hr_officer")
    second = _as(sample_engine, "retention.hr.two", "hr_officer")
    as_of = risk_cache.data_end(first).normalize()
    mine = risk_cache.retention_view_for(first, as_of)
    theirs = risk_cache.retention_view_for(second, as_of)
    pd.testing.assert_frame_equal(mine.people, theirs.people)
    one = [r for r in _reads(sample_engine, "retention.hr.one") if r.get("table") in RISK_TABLES]
    two = [r for r in _reads(sample_engine, "retention.hr.two") if r.get("table") in RISK_TABLES]
    assert {r["table"] for r in two} == {r["table"] for r in one} == set(RISK_TABLES)
    assert all(r.get("cached") == "yes" for r in two)
    risk_cache.retention_view_for(second, as_of)  # the same officer again: audited again
    again = [r for r in _reads(sample_engine, "retention.hr.two") if r.get("table") in RISK_TABLES]
    assert len(again) == 2 * len(two)
    caching.clear()
