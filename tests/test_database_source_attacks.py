"""Issue 11, finding 1: the attacks a security review ran through "From a database", repeated on the real PostgreSQL
and MariaDB servers. Each one worked against the old free-URL loader; each must now be refused or harmless.

The server user of these tests is a superuser (trust authentication), so what stops an attack here is the app's
own defence (configuration, parser, driver settings, read-only session), not the database role.
"""

from __future__ import annotations

import dataclasses
import os
import time
import uuid

import pytest
import sqlalchemy as sa

from data_loaders.database import connection_failure, read_database
from data_loaders.load import LoadResult
from data_loaders.sources import Source, SourceConfigError, parse_source, source_engine
from tests.scratch_sources import scratch_source

pytestmark = pytest.mark.db

PASSWD_LINE = "root:x:0:0"  # the first line of /etc/passwd on the app server


def _everything_shown(result: LoadResult) -> str:
    """All text the validation report and the accepted tables could show a user."""
    return "\n".join([result.problems.to_csv(), *(frame.to_csv() for frame in result.tables.values())])


@pytest.fixture(params=["postgresql", "mariadb"])
def scratch(request):
    with scratch_source(request.param) as (source, owner):
        with owner.begin() as conn:
            conn.execute(sa.text("CREATE TABLE keep (unit_id VARCHAR(20))"))
            conn.execute(sa.text("INSERT INTO keep VALUES ('ICU')"))
        yield source, owner


@pytest.fixture
def maria():
    with scratch_source("mariadb") as (source, owner):
        with owner.begin() as conn:
            conn.execute(sa.text("CREATE TABLE leak (unit_id TEXT)"))
            conn.execute(sa.text("CREATE TABLE keep (unit_id VARCHAR(20))"))
        yield source, owner


def _keep_exists(owner: sa.Engine) -> bool:
    with owner.connect() as conn:
        return sa.inspect(conn).has_table("keep")


# -- no URL, no driver options from anyone but the administrator --------------------------------------------------
@pytest.mark.parametrize(
    "option",
    ["init_command", "local_infile", "client_flag", "read_default_file", "unix_socket", "options", "host", "passfile"],
)
def test_driver_options_that_load_files_or_run_sql_are_refused_in_configuration(option):
    for dialect in ("mariadb", "postgresql"):
        settings = {
            "dialect": dialect,
            "host": "db.example.org",
            "database": "hrms",
            "username": "reader",
            "options": {option: "1"},
        }
        with pytest.raises(SourceConfigError, match="not accepted"):
            parse_source("hrms", settings, frozenset({"db.example.org"}))


def test_load_data_local_infile_cannot_read_the_app_servers_files(maria):
    source, owner = maria
    statement = "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE leak"
    result = read_database(source, {"units": statement})
    assert "refused" in result.errors["reason"].iloc[0]
    # even run directly on a source connection, the driver refuses to send a local file
    with source_engine(source).connect() as conn, pytest.raises(sa.exc.SQLAlchemyError):
        conn.exec_driver_sql(statement)
    with owner.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM leak")).scalar_one() == 0
    assert PASSWD_LINE not in _everything_shown(read_database(source, {"units": "leak"}))


def test_the_driver_is_forced_to_refuse_local_files_multi_statements_and_init_commands(maria):
    source, _ = maria
    engine = source_engine(source)
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw._local_infile is False
        assert not raw.client_flag & (1 << 7)  # CLIENT.LOCAL_FILES
        assert not raw.client_flag & (1 << 16)  # CLIENT.MULTI_STATEMENTS
        assert raw.init_command is None


def test_multi_statement_query_is_refused_and_drops_nothing(scratch):
    source, owner = scratch
    result = read_database(source, {"units": "SELECT 'ICU' AS unit_id; DROP TABLE keep"})
    assert "exactly one SELECT" in result.errors["reason"].iloc[0]
    assert _keep_exists(owner)


def test_multi_statement_sent_straight_to_a_source_connection_drops_nothing(scratch):
    source, owner = scratch
    with source_engine(source).connect() as conn, pytest.raises(sa.exc.SQLAlchemyError):
        conn.exec_driver_sql("SELECT 1; DROP TABLE keep")
    assert _keep_exists(owner)


def test_select_into_outfile_is_refused_and_writes_no_file(maria):
    source, _ = maria
    path = f"/tmp/source_attack_{uuid.uuid4().hex}"
    queries = (f"SELECT unit_id FROM keep INTO OUTFILE '{path}'", f"SELECT unit_id INTO DUMPFILE '{path}' FROM keep")
    for query in queries:
        result = read_database(source, {"units": query})
        assert "could not be read as a single SELECT" in result.errors["reason"].iloc[0]
    assert not os.path.exists(path)


def test_load_file_is_refused(maria):
    source, _ = maria
    result = read_database(source, {"units": "SELECT LOAD_FILE('/etc/passwd') AS unit_id"})
    assert "LOAD_FILE is not on this app's list" in result.errors["reason"].iloc[0]
    assert PASSWD_LINE not in _everything_shown(result)


def test_mariadb_executable_comment_is_not_run(maria):
    source, _ = maria
    result = read_database(source, {"units": "SELECT 'ICU' AS unit_id /*!, LOAD_FILE('/etc/passwd') AS unit_name */"})
    assert result.tables["units"]["unit_id"].tolist() == ["ICU"]
    assert PASSWD_LINE not in _everything_shown(result)


def test_pg_read_file_is_refused():
    with scratch_source("postgresql") as (source, _):
        for function in ("pg_read_file", "pg_read_binary_file", "pg_ls_dir"):
            result = read_database(source, {"units": f"SELECT {function}('/etc/passwd') AS unit_id"})
            assert f"{function.upper()} is not on this app's list" in result.errors["reason"].iloc[0]
            assert PASSWD_LINE not in _everything_shown(result)


def test_sleeping_queries_are_refused_without_waiting(scratch):
    source, _ = scratch
    sleep = "pg_sleep(30)" if source.dialect == "postgresql" else "SLEEP(30)"
    started = time.monotonic()
    result = read_database(source, {"units": f"SELECT {sleep} AS unit_id"})
    assert time.monotonic() - started < 10
    assert "is not on this app's list" in result.errors["reason"].iloc[0]


def test_statement_timeout_stops_a_slow_legitimate_query(scratch):
    source, owner = scratch
    with owner.begin() as conn:
        conn.execute(sa.text("CREATE TABLE big (n INT)"))
        conn.execute(sa.text("INSERT INTO big VALUES " + ", ".join(f"({i})" for i in range(2000))))
    hurried = dataclasses.replace(source, statement_timeout_seconds=0.5)
    started = time.monotonic()
    result = read_database(hurried, {"units": "SELECT COUNT(*) AS unit_id FROM big a, big b, big c"})
    elapsed = time.monotonic() - started
    assert "took longer than the source's limit of 0.5 s" in result.errors["reason"].iloc[0]
    assert elapsed < 15, elapsed  # 8 billion rows would take minutes


@pytest.mark.parametrize("statement", ["DELETE FROM keep", "DROP TABLE keep", "CREATE TABLE made (a INT)"])
def test_writes_are_refused_by_the_read_only_session(scratch, statement):
    source, owner = scratch
    with source_engine(source).connect() as conn, pytest.raises(sa.exc.SQLAlchemyError):
        conn.execute(sa.text(statement))
        conn.commit()
    assert _keep_exists(owner)
    with owner.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM keep")).scalar_one() == 1
        assert not sa.inspect(conn).has_table("made")


def test_a_write_hidden_in_a_with_clause_is_refused(scratch):
    source, owner = scratch
    result = read_database(source, {"units": "WITH gone AS (DELETE FROM keep RETURNING *) SELECT * FROM gone"})
    assert result.errors["reason"].iloc[0]
    with owner.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM keep")).scalar_one() == 1


# -- never the app's own store -------------------------------------------------------------------------------------
def test_sqlite_is_not_a_source_dialect(tmp_path):
    store_file = tmp_path / "hospital.sqlite"
    settings = {"dialect": "sqlite", "host": "localhost", "database": str(store_file), "username": "x"}
    with pytest.raises(SourceConfigError, match="dialect 'sqlite' is not a source dialect"):
        parse_source("own", settings, frozenset({"localhost"}))
    result = read_database(Source("own", "sqlite", "localhost", str(store_file), "x"), {"units": "users"})
    assert "not usable" in result.errors["reason"].iloc[0]
    assert not store_file.exists()


def test_the_apps_own_store_is_refused_as_a_source(scratch):
    source, owner = scratch
    store_url = owner.url.set(host="localhost")  # the same server, named differently
    settings = {
        "dialect": source.dialect,
        "host": source.host,
        "port": source.port,
        "database": source.database,
        "username": source.username,
    }
    with pytest.raises(SourceConfigError, match="the app's own store"):
        parse_source("own", settings, frozenset({source.host}), store_url=store_url)
    result = read_database(source, {"units": "keep"}, store_url=store_url)
    assert "is the app's own store" in result.errors["reason"].iloc[0]
    assert "units" not in result.tables or result.tables["units"].empty
    other = read_database(source, {"units": "keep"}, store_url=owner.url.set(database="another"))
    assert other.tables["units"]["unit_id"].tolist() == ["ICU"]


# -- errors tell nothing about the server, and nothing read before a failure is shown -------------------------------
def test_connection_failures_all_read_the_same():
    sources = [
        Source("hrms", "postgresql", "127.0.0.1", "x", "nobody", port=1, connect_timeout_seconds=2),  # closed port
        Source("hrms", "postgresql", "10.255.255.1", "x", "nobody", connect_timeout_seconds=2),  # no host there
        Source("hrms", "postgresql", "no-such-host.invalid", "x", "nobody", connect_timeout_seconds=2),
        Source("hrms", "mariadb", "127.0.0.1", "x", "nobody", port=1, connect_timeout_seconds=2),
        Source("hrms", "mariadb", "10.255.255.1", "x", "nobody", connect_timeout_seconds=2),
    ]
    reasons = {read_database(source, {"units": "units"}).errors["reason"].iloc[0] for source in sources}
    assert reasons == {connection_failure("hrms")}


def test_wrong_password_reads_like_any_other_connection_failure(scratch):
    source, _ = scratch
    wrong = dataclasses.replace(source, username="no_such_role_" + uuid.uuid4().hex[:6], password="x")
    assert read_database(wrong, {"units": "keep"}).errors["reason"].tolist() == [connection_failure(source.name)]


def test_server_error_messages_do_not_carry_data_into_the_report():
    with scratch_source("postgresql") as (source, owner):
        with owner.begin() as conn:
            conn.execute(sa.text("CREATE TABLE secret (word VARCHAR(40))"))
            conn.execute(sa.text("INSERT INTO secret VALUES ('SECRET-VALUE-123')"))
        # the classic error-based read: the server quotes the value in "invalid input syntax for type integer"
        result = read_database(source, {"units": "SELECT CAST(word AS INTEGER) AS unit_id FROM secret"})
    assert result.errors["reason"].iloc[0].endswith("the administrator finds it in the server's log.")
    assert "SECRET-VALUE" not in _everything_shown(result)


def test_server_error_messages_are_not_shown(maria):
    source, owner = maria
    with owner.begin() as conn:
        conn.execute(sa.text("INSERT INTO keep VALUES ('ICU'), ('ED')"))
    result = read_database(source, {"units": "SELECT unit_id FROM keep WHERE unit_id = (SELECT unit_id FROM keep)"})
    assert result.errors["reason"].iloc[0].endswith("the administrator finds it in the server's log.")
    assert "Subquery returns more than 1 row" not in _everything_shown(result)
