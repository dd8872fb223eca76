"""The store: one transaction per import, natural-key upsert, import history and rollback."""

from __future__ import annotations

import pandas as pd
import pytest

from data_loaders import store


def _units(*ids: str) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": pd.array(list(ids), dtype="string"), "name": pd.array(list(ids), dtype="string")})


def _employees(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_id": pd.array([r[0] for r in rows], dtype="string"),
            "unit": pd.array([r[1] for r in rows], dtype="string"),
            "fte": [r[2] for r in rows],
            "hire_date": pd.to_datetime(["2021-03-01"] * len(rows)),
        }
    )


def _shifts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_id": pd.array(["E1", "E1"], dtype="string"),
            "unit": pd.array(["ICU", "ICU"], dtype="string"),
            "start": pd.to_datetime(["2026-03-07 19:00", "2026-11-01 19:00"]),
            "end": pd.to_datetime(["2026-03-08 07:00", "2026-11-02 07:00"]),
            "hours": [11.0, 13.0],
        }
    )


def _import(engine, tables, name="file.csv"):
    return store.import_tables(engine, tables, file_name=name, sha256="0" * 64, username="tester")


@pytest.fixture
def engine(tmp_path):
    return store.create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")


def test_import_writes_rows_and_reads_back_canonical_dtypes(engine):
    _import(engine, {"units": _units("ICU"), "employees": _employees([("E1", "ICU", 0.9)]), "shifts": _shifts()})
    shifts = store.read_table(engine, "shifts")
    assert list(shifts["hours"]) == [11.0, 13.0]
    assert shifts["start"].dtype == "datetime64[ns]"
    assert shifts["employee_id"].dtype == "string"
    employees = store.read_table(engine, "employees")
    assert employees.loc[0, "hire_date"] == pd.Timestamp("2021-03-01")


def test_importing_the_same_rows_twice_changes_nothing(engine):
    tables = {"units": _units("ICU", "ED"), "employees": _employees([("E1", "ICU", 0.9), ("E2", "ED", 1.0)])}
    _import(engine, tables)
    second = _import(engine, tables).as_frame().set_index("table")
    assert second.loc["employees", "unchanged"] == 2
    assert second.loc["employees", "inserted"] == 0
    assert len(store.read_table(engine, "employees")) == 2


def test_changed_row_is_updated_not_duplicated(engine):
    _import(engine, {"units": _units("ICU"), "employees": _employees([("E1", "ICU", 0.9)])})
    counts = _import(engine, {"employees": _employees([("E1", "ICU", 0.5)])}).as_frame().set_index("table")
    assert counts.loc["employees", "updated"] == 1
    employees = store.read_table(engine, "employees")
    assert employees["fte"].tolist() == [0.5]


def test_failed_import_leaves_nothing_behind(engine):
    _import(engine, {"units": _units("ICU")})
    broken = _employees([("E1", "ICU", 0.9)])
    broken["hire_date"] = ["not a date"]  # the database driver refuses this mid-transaction
    with pytest.raises(Exception):  # noqa: B017 - any driver error must abort the whole import
        _import(engine, {"units": _units("ED"), "employees": broken})
    assert store.read_table(engine, "units")["unit_id"].tolist() == ["ICU"]
    assert len(store.import_history(engine)["import_id"].unique()) == 1


def test_rollback_restores_replaced_rows_and_removes_new_ones(engine):
    _import(engine, {"units": _units("ICU"), "employees": _employees([("E1", "ICU", 0.9)])})
    second = _import(engine, {"employees": _employees([("E1", "ICU", 0.5), ("E2", "ICU", 1.0)])})
    store.rollback_import(engine, second.import_id, username="tester")
    employees = store.read_table(engine, "employees")
    assert employees["employee_id"].tolist() == ["E1"]
    assert employees["fte"].tolist() == [0.9]
    history = store.import_history(engine)
    assert set(history.loc[history["import_id"] == second.import_id, "status"]) == {"rolled_back"}


def test_rollback_out_of_order_is_refused(engine):
    first = _import(engine, {"units": _units("ICU"), "employees": _employees([("E1", "ICU", 0.9)])})
    _import(engine, {"employees": _employees([("E1", "ICU", 0.5)])})
    with pytest.raises(store.StoreError, match="roll back #2 first"):
        store.rollback_import(engine, first.import_id, username="tester")


def test_rollback_refused_while_other_tables_refer_to_its_employees(engine):
    first = _import(engine, {"units": _units("ICU"), "employees": _employees([("E1", "ICU", 0.9)])})
    _import(engine, {"shifts": _shifts()})
    with pytest.raises(store.StoreError, match="shifts still refers"):
        store.rollback_import(engine, first.import_id, username="tester")


def test_rollback_twice_is_refused(engine):
    first = _import(engine, {"units": _units("ICU")})
    store.rollback_import(engine, first.import_id, username="tester")
    with pytest.raises(store.StoreError, match="already rolled back"):
        store.rollback_import(engine, first.import_id, username="tester")


def test_read_table_filters_units_and_dates(engine):
    _import(engine, {"units": _units("ICU"), "employees": _employees([("E1", "ICU", 0.9)]), "shifts": _shifts()})
    assert len(store.read_table(engine, "shifts", units=["ED"])) == 0
    assert len(store.read_table(engine, "shifts", start="2026-06-01")) == 1
    assert store.count_rows(engine, "shifts", units=["ICU"]) == 2


def test_saved_mapping_round_trip_and_unknown_column_refused(engine):
    store.save_mapping(engine, "employees", "Badge Nbr", "employee_id", username="hr")
    assert store.saved_mappings(engine) == {"employees": {"Badge Nbr": "employee_id"}}
    with pytest.raises(store.StoreError):
        store.save_mapping(engine, "employees", "X", "shoe_size", username="hr")


def test_data_version_changes_with_imports(engine):
    before = store.data_version(engine)
    _import(engine, {"units": _units("ICU")})
    assert store.data_version(engine) != before
