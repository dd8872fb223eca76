"""Reading canonical tables from real PostgreSQL and MariaDB servers, and SQLite (data_loaders.database)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from data_loaders.database import read_database
from tests.db_urls import mariadb_url, postgres_url

TODAY = dt.date(2026, 6, 1)
KNOWN = {"units": {"ICU", "ED"}, "employees": {"E1", "E2", "E3"}}


def _source_table(engine: sa.Engine, rows: int = 7) -> str:
    """Create a uniquely named timecard table with ``rows`` shifts (row 5 has negative hours)."""
    name = f"src_shifts_{uuid.uuid4().hex[:10]}"
    table = sa.Table(
        name,
        sa.MetaData(),
        sa.Column("Employee ID", sa.String(20)),
        sa.Column("Dept", sa.String(20)),
        sa.Column("Clock In", sa.DateTime),
        sa.Column("Clock Out", sa.DateTime),
        sa.Column("Paid Hours", sa.Numeric(6, 2)),
    )
    table.create(engine)
    start = dt.datetime(2026, 1, 1, 7, 0)
    values = [
        {
            "Employee ID": f"E{1 + i % 3}",
            "Dept": "ICU" if i % 2 else "ED",
            "Clock In": start + dt.timedelta(days=i),
            "Clock Out": start + dt.timedelta(days=i, hours=12),
            "Paid Hours": -1 if i == 4 else 11.5,
        }
        for i in range(rows)
    ]
    with engine.begin() as conn:
        conn.execute(table.insert(), values)
    return name


@pytest.fixture(
    params=[
        pytest.param("postgresql", marks=pytest.mark.db),
        pytest.param("mariadb", marks=pytest.mark.db),
        "sqlite",
    ]
)
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    else:
        url = postgres_url() if request.param == "postgresql" else mariadb_url()
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def source(engine):
    name = _source_table(engine)
    yield name
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {engine.dialect.identifier_preparer.quote(name)}"))


def test_table_is_read_in_chunks_mapped_and_validated(engine, source):
    calls = []
    result = read_database(
        engine,
        {"shifts": source},
        chunksize=2,
        progress=lambda f, m: calls.append((f, m)),
        known_keys=KNOWN,
        today=TODAY,
    )
    shifts = result.tables["shifts"]
    assert len(shifts) == 6
    assert shifts["hours"].tolist() == [11.5] * 6
    assert str(shifts["start"].dtype) == "datetime64[ns]"
    assert result.errors["row"].tolist() == [5]
    assert len(calls) >= 4
    assert [f for f, _ in calls] == sorted(f for f, _ in calls)
    assert calls[-1][0] == 1.0


def test_named_query_uses_bound_parameters(engine, source):
    quoted = engine.dialect.identifier_preparer.quote(source)
    clock_in = engine.dialect.identifier_preparer.quote("Clock In")
    query = f"SELECT * FROM {quoted} WHERE {clock_in} >= :since"
    result = read_database(
        engine, {"shifts": query}, params={"since": dt.datetime(2026, 1, 6)}, known_keys=KNOWN, today=TODAY
    )
    assert result.tables["shifts"]["start"].dt.day.tolist() == [6, 7]


def test_hostile_parameter_value_is_data_not_sql(engine, source):
    quoted = engine.dialect.identifier_preparer.quote(source)
    query = f"SELECT * FROM {quoted} WHERE {engine.dialect.identifier_preparer.quote('Dept')} = :unit"
    result = read_database(engine, {"shifts": query}, params={"unit": "ICU' OR '1'='1"}, known_keys=KNOWN)
    assert result.tables["shifts"].empty
    with engine.connect() as conn:
        assert sa.inspect(conn).has_table(source)


def test_name_that_is_not_a_real_table_is_refused(engine, source):
    result = read_database(engine, {"shifts": f"{source}; DROP TABLE {source}"}, known_keys=KNOWN)
    assert "is not a table or view" in result.errors["reason"].iloc[0]
    with engine.connect() as conn:
        assert sa.inspect(conn).has_table(source)


def test_query_missing_a_parameter_is_a_problem(engine, source):
    result = read_database(engine, {"shifts": "SELECT * FROM x WHERE a = :since"}, known_keys=KNOWN)
    assert "needs values for since" in result.errors["reason"].iloc[0]


def test_unreachable_database_is_a_problem_not_an_exception():
    result = read_database("postgresql+psycopg://nobody@127.0.0.1:1/none", {"units": "units"})
    assert "could not be read" in result.errors["reason"].iloc[0]


def test_unknown_canonical_table_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown canonical table"):
        read_database("sqlite://", {"shoes": "shoes"})


def test_unreachable_server_skips_locally_but_fails_in_ci(monkeypatch):
    monkeypatch.setenv("TEST_POSTGRES_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match=r"PostgreSQL not reachable at 127\.0\.0\.1:5432"):
        postgres_url()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL not reachable"):
        postgres_url()
