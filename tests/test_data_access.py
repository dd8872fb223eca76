"""The data-access layer enforces role and unit scope on every read."""

from __future__ import annotations

import pandas as pd
import pytest

from access.data_access import AccessDenied, DataAccess, UserContext
from data_loaders import store


def _s(values):
    return pd.array(values, dtype="string")


@pytest.fixture
def engine(tmp_path):
    engine = store.create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    ids = [f"E{i}" for i in range(12)]
    units = ["ICU"] * 7 + ["ED"] * 5
    tables = {
        "units": pd.DataFrame({"unit_id": _s(["ICU", "ED"])}),
        "employees": pd.DataFrame({"employee_id": _s(ids), "unit": _s(units), "last_name": _s(ids)}),
        "shifts": pd.DataFrame(
            {
                "employee_id": _s(ids),
                "unit": _s(units),
                "start": pd.to_datetime(["2026-01-05 07:00"] * 12),
                "end": pd.to_datetime(["2026-01-05 19:00"] * 12),
                "hours": 12.0,
            }
        ),
        "absences": pd.DataFrame(
            {
                "employee_id": _s(ids),
                "date": pd.to_datetime(["2026-01-06"] * 12),
                "hours": [8.0] * 12,
                "absence_type": _s(["sick"] * 12),
            }
        ),
        "census": pd.DataFrame(
            {"unit": _s(["ICU", "ED"]), "timestamp": pd.to_datetime(["2026-01-05 07:00"] * 2), "census": [10.0, 20.0]}
        ),
    }
    store.import_tables(engine, tables, file_name="t", sha256="0", username="t")
    return engine


def test_dept_head_sees_only_their_units_rows(engine):
    da = DataAccess(engine, UserContext("h", "dept_head", frozenset({"ICU"})))
    assert da.visible_units() == ["ICU"]
    assert set(da.table("shifts")["unit"]) == {"ICU"}
    assert set(da.table("employees")["unit"]) == {"ICU"}
    assert da.table("census", units=["ED"]).empty  # asking for another unit yields nothing


def test_dept_head_may_not_read_sensitive_tables_row_by_row(engine):
    da = DataAccess(engine, UserContext("h", "dept_head", frozenset({"ICU"})))
    with pytest.raises(AccessDenied, match="sensitive"):
        da.table("absences")


def test_executive_gets_no_employee_level_rows(engine):
    da = DataAccess(engine, UserContext("x", "executive"))
    for name in ("employees", "shifts", "absences"):
        with pytest.raises(AccessDenied):
            da.table(name)
    assert len(da.table("census")) == 2


def test_hr_officer_reads_everything(engine):
    da = DataAccess(engine, UserContext("hr", "hr_officer"))
    assert len(da.table("absences")) == 12
    assert da.row_count("shifts") == 12


def test_person_tables_are_scoped_through_home_unit(engine):
    da = DataAccess(engine, UserContext("a", "admin"))
    scoped = da._read("absences", ["ED"], None, None)
    assert len(scoped) == 5


def _absence_by_unit(frames):
    absences = frames["absences"].merge(frames["employees"][["employee_id", "unit"]], on="employee_id")
    out = absences.groupby("unit").agg(hours=("hours", "sum"), people=("employee_id", "nunique")).reset_index()
    return out


def test_aggregate_of_sensitive_data_suppresses_small_groups(engine):
    da = DataAccess(engine, UserContext("x", "executive"))
    with pytest.raises(AccessDenied):
        da.table("absences")
    three = [f"N{i}" for i in range(3)]  # a unit of 3 people: under the minimum group size of 5
    store.import_tables(
        engine,
        {
            "units": pd.DataFrame({"unit_id": _s(["NICU"])}),
            "employees": pd.DataFrame({"employee_id": _s(three), "unit": _s(["NICU"] * 3), "last_name": _s(three)}),
            "absences": pd.DataFrame(
                {
                    "employee_id": _s(three),
                    "date": pd.to_datetime(["2026-01-06"] * 3),
                    "hours": [8.0] * 3,
                    "absence_type": _s(["sick"] * 3),
                }
            ),
        },
        file_name="nicu",
        sha256="1",
        username="t",
    )
    out = da.aggregate(_absence_by_unit, ["absences", "employees"], ["hours"]).set_index("unit")
    assert out.loc["NICU", "suppressed"] and pd.isna(out.loc["NICU", "hours"]) and pd.isna(out.loc["NICU", "people"])
    # complementary suppression: the next-smallest unit (ED, 5 people) is hidden too, so NICU is not total - rest
    assert out.loc["ED", "suppressed"] and pd.isna(out.loc["ED", "hours"])
    assert out.loc["ICU", "hours"] == 56.0 and not out.loc["ICU", "suppressed"]  # 7 people


def test_a_filter_never_changes_the_population_so_differencing_reveals_nothing(engine):
    da = DataAccess(engine, UserContext("x", "executive"))

    def total_row(frames):
        absences = frames["absences"]
        return pd.DataFrame(
            {"unit": ["All"], "hours": [absences["hours"].sum()], "people": [absences["employee_id"].nunique()]}
        )

    everything = da.aggregate(total_row, ["absences"], ["hours"])
    filtered = da.aggregate(total_row, ["absences"], ["hours"], units=["ICU"])
    assert everything["hours"].tolist() == filtered["hours"].tolist() == [96.0]


def test_aggregate_without_people_column_is_refused(engine):
    da = DataAccess(engine, UserContext("x", "executive"))
    with pytest.raises(ValueError, match="people"):
        da.aggregate(lambda f: pd.DataFrame({"unit": ["ICU"], "v": [1]}), ["census"], ["v"])


def test_only_importers_may_import_or_roll_back(engine):
    for role, units in (("dept_head", frozenset({"ICU"})), ("executive", None)):
        da = DataAccess(engine, UserContext("u", role, units))
        with pytest.raises(AccessDenied):
            da.import_history()
        with pytest.raises(AccessDenied):
            da.rollback_import(1)


def test_reads_are_audited(engine):
    seen = []
    da = DataAccess(engine, UserContext("hr", "hr_officer"), audit=lambda u, a, d: seen.append((u, a, d)))
    da.table("shifts", units=["ICU"])
    assert seen == [("hr", "read", {"table": "shifts", "units": ["ICU"]})]
