"""Reading canonical tables from named sources on real PostgreSQL and MariaDB servers (data_loaders.database).

Each test reads from a scratch database of its own (tests/scratch_sources.py). The attacks of issue 11 are in
tests/test_database_source_attacks.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from access.data_access import AccessDenied, DataAccess, UserContext
from data_loaders.database import read_database
from data_loaders.sources import Source
from data_loaders.store import create_store
from tests.db_urls import postgres_url
from tests.scratch_sources import scratch_source

pytestmark = pytest.mark.db

TODAY = dt.date(2026, 6, 1)
KNOWN = {"units": {"ICU", "ED"}, "employees": {"E1", "E2", "E3"}}
TIMECARDS = "timecards"


def _timecards(engine: sa.Engine, rows: int = 7) -> None:
    """A timecard table with ``rows`` shifts (row 5 has negative hours)."""
    table = sa.Table(
        TIMECARDS,
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


@pytest.fixture(params=["postgresql", "mariadb"])
def source(request):
    with scratch_source(request.param) as (source, owner):
        _timecards(owner)
        yield source, owner


def _quoted(engine: sa.Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def test_table_is_read_in_chunks_mapped_and_validated(source):
    source, _ = source
    calls = []
    result = read_database(
        source,
        {"shifts": TIMECARDS},
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


def test_query_uses_bound_parameters(source):
    source, owner = source
    query = f"SELECT * FROM {_quoted(owner, TIMECARDS)} WHERE {_quoted(owner, 'Clock In')} >= :since"
    result = read_database(
        source, {"shifts": query}, params={"since": dt.datetime(2026, 1, 6)}, known_keys=KNOWN, today=TODAY
    )
    assert result.tables["shifts"]["start"].dt.day.tolist() == [6, 7]


def test_hostile_parameter_value_is_data_not_sql(source):
    source, owner = source
    query = f"SELECT * FROM {_quoted(owner, TIMECARDS)} WHERE {_quoted(owner, 'Dept')} = :unit"
    result = read_database(source, {"shifts": query}, params={"unit": "ICU' OR '1'='1"}, known_keys=KNOWN)
    assert result.tables["shifts"].empty
    with owner.connect() as conn:
        assert sa.inspect(conn).has_table(TIMECARDS)


def test_name_that_is_not_a_real_table_is_refused_and_nothing_is_dropped(source):
    source, owner = source
    result = read_database(source, {"shifts": f"{TIMECARDS}; DROP TABLE {TIMECARDS}"}, known_keys=KNOWN)
    assert "is not a table or view of source" in result.errors["reason"].iloc[0]
    with owner.connect() as conn:
        assert sa.inspect(conn).has_table(TIMECARDS)


def test_query_missing_a_parameter_is_a_problem(source):
    source, _ = source
    result = read_database(source, {"shifts": f"SELECT * FROM {TIMECARDS} WHERE Dept = :since"}, known_keys=KNOWN)
    assert "needs values for since" in result.errors["reason"].iloc[0]


def test_query_naming_a_missing_column_is_a_problem_without_the_server_message(source):
    source, _ = source
    result = read_database(source, {"units": f"SELECT no_such_column AS unit_id FROM {TIMECARDS}"})
    reason = result.errors["reason"].iloc[0]
    assert "names a table, column or function the source does not have" in reason
    assert "no_such_column" not in reason


def test_unreachable_source_is_a_problem_not_an_exception():
    source = Source("closed", "postgresql", "127.0.0.1", "none", "nobody", port=1)
    result = read_database(source, {"units": "units"})
    assert result.errors["reason"].iloc[0].startswith("Could not connect to source 'closed'.")


def test_unknown_canonical_table_is_a_programming_error():
    source = Source("any", "postgresql", "127.0.0.1", "none", "nobody", port=1)
    with pytest.raises(ValueError, match="unknown canonical table"):
        read_database(source, {"shoes": "shoes"})


def test_unreachable_server_skips_locally_but_fails_in_ci(monkeypatch):
    monkeypatch.setenv("TEST_POSTGRES_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match=r"PostgreSQL not reachable at 127\.0\.0\.1:5432"):
        postgres_url()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL not reachable"):
        postgres_url()


# -- through the access layer: importers only, every read audited --------------------------------------------------
def _access(tmp_path, role: str):
    entries: list[tuple[str, str, dict]] = []
    engine = create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    user = UserContext(f"{role}.user", role, frozenset({"ICU"}) if role == "dept_head" else None)
    return DataAccess(engine, user, audit=lambda *entry: entries.append(entry)), entries


def test_a_source_read_is_audited_with_source_query_and_row_counts(source, tmp_path):
    source, _ = source
    access, entries = _access(tmp_path, "hr_officer")
    query = f"SELECT * FROM {TIMECARDS}"
    access.read_source(source, {"shifts": query, "units": "SELECT LOAD_FILE('/etc/passwd') AS unit_id"})
    [(username, action, details)] = entries
    assert (username, action) == ("hr_officer.user", "source_read")
    assert details["source"] == source.name
    assert details["queries"] == [f"shifts: {query}", "units: SELECT LOAD_FILE('/etc/passwd') AS unit_id"]
    assert details["rows"][0].startswith("shifts: ")  # accepted and rejected counts per table
    assert details["rows"][1] == "units: 0 accepted, 0 rejected"
    assert "LOAD_FILE" in details["problems"][0]


@pytest.mark.parametrize("role", ["executive", "dept_head"])
def test_only_importers_may_read_a_source_and_the_refusal_reads_nothing(role, tmp_path):
    access, entries = _access(tmp_path, role)
    closed = Source("hrms", "postgresql", "127.0.0.1", "none", "nobody", port=1)
    with pytest.raises(AccessDenied, match="HR officers and administrators"):
        access.read_source(closed, {"units": "units"})
    assert entries == []
