"""The store on real PostgreSQL and MariaDB servers: upsert, one-transaction imports and rollback behave as on
SQLite. Each test gets a scratch database of its own, migrated by the admin role, dropped afterwards (roles and the
append-only audit trail: tests/test_store_roles.py)."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest
import sqlalchemy as sa

from access.data_access import DataAccess, UserContext
from data_loaders import migrate, store
from tests.db_urls import mariadb_url, postgres_url
from tests.test_store import _employees, _shifts, _units

pytestmark = pytest.mark.db


@pytest.fixture(params=["postgresql", "mariadb"])
def engine(request):
    base_url = sa.make_url(postgres_url() if request.param == "postgresql" else mariadb_url())
    name = f"store_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = base_url.set(database=name).render_as_string(hide_password=False)
    assert migrate.main(["--url", url]) == 0
    engine = store.create_store(url)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        if request.param == "postgresql":
            conn.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))
        else:
            conn.execute(sa.text(f"DROP DATABASE {name}"))
    admin.dispose()


def _import(engine, tables):
    return store.import_tables(engine, tables, file_name="f.csv", sha256="0" * 64, username="tester")


def test_upsert_and_rollback_round_trip(engine):
    _import(engine, {"units": _units("ICU"), "employees": _employees([("E1", "ICU", 0.9)]), "shifts": _shifts()})
    again = _import(engine, {"employees": _employees([("E1", "ICU", 0.5)]), "shifts": _shifts()})
    counts = again.as_frame().set_index("table")
    assert counts.loc["employees", "updated"] == 1 and counts.loc["shifts", "unchanged"] == 2
    shifts = store.read_table(engine, "shifts")
    assert shifts["start"].tolist() == [pd.Timestamp("2026-03-07 19:00"), pd.Timestamp("2026-11-01 19:00")]
    store.rollback_import(engine, again.import_id, username="tester")
    assert store.read_table(engine, "employees")["fte"].tolist() == [0.9]


def test_a_failing_import_stores_nothing(engine):
    _import(engine, {"units": _units("ICU")})
    broken = _employees([("E1", "ICU", 0.9)])
    broken["hire_date"] = ["not a date"]
    with pytest.raises(Exception):  # noqa: B017 - the driver's error must abort the whole import
        _import(engine, {"units": _units("ED"), "employees": broken})
    assert store.read_table(engine, "units")["unit_id"].tolist() == ["ICU"]
    assert store.read_table(engine, "employees").empty


def test_data_access_scopes_rows_on_the_server(engine):
    _import(engine, {"units": _units("ICU", "ED"), "employees": _employees([("E1", "ICU", 0.9), ("E2", "ED", 1.0)])})
    head = DataAccess(engine, UserContext("h", "dept_head", frozenset({"ED"})))
    assert head.table("employees")["employee_id"].tolist() == ["E2"]
