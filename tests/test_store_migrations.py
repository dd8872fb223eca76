"""The store's schema comes from Alembic migrations: every table exists whatever was imported, a store written
before migrations is adopted without losing a row, the declarations and the migrations agree, and the migrate
command speaks in sentences."""

from __future__ import annotations

import ast
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_loaders import migrate, store
from data_loaders.store_tables import metadata

PROJECT = Path(__file__).resolve().parents[1]
OLD_STORE_SQL = Path(__file__).resolve().parent / "fixtures" / "store_before_migrations.sql"
EVERY_TABLE = {*metadata.tables, "alembic_version"}


def _row_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        counts = {n: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one() for n in names}
    engine.dispose()
    return counts


def test_create_store_creates_every_table_without_importing_access(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    script = textwrap.dedent(
        f"""
        import sys
        import sqlalchemy as sa
        from data_loaders.store import create_store
        engine = create_store({url!r})
        print(sorted(sa.inspect(engine).get_table_names()))
        print(sorted(m for m in sys.modules if m == "access" or m.startswith("access.")))
        """
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=True)
    tables, access_modules = run.stdout.strip().splitlines()
    assert access_modules == "[]"  # the store was created with nothing from access imported
    assert {"users", "audit_log"} <= set(ast.literal_eval(tables))


def test_a_fresh_store_is_at_the_head_revision_with_every_table(tmp_path):
    engine = store.create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert set(sa.inspect(engine).get_table_names()) == EVERY_TABLE
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_the_migrations_build_exactly_the_declared_tables(tmp_path):
    """If this fails, a table declaration in data_loaders/store_tables.py (or the schema it is generated from) changed
    without a migration: add a revision (docs/store_migrations.md)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = store.create_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert differences == []


def test_the_migrations_have_one_head():
    assert len(migrate.script_directory().get_heads()) == 1


def test_a_store_written_before_migrations_is_upgraded_without_losing_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_STORE_SQL.read_text(encoding="utf-8"))
    url = f"sqlite:///{path}"
    before = _row_counts(url)
    assert before["audit_log"] == 2 and before["users"] == 5 and before["imports"] == 2  # the fixture has data

    engine = store.create_store(url)

    after = _row_counts(url)
    assert after.pop("alembic_version") == 1
    assert {table: after[table] for table in before} == before  # every old row kept
    assert set(after) - set(before) <= {"sign_in_throttle"}  # tables added by later revisions, empty
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert store.read_table(engine, "employees").set_index("employee_id")["fte"].to_dict() == {"E1": 0.5, "E2": 1.0}
    with pytest.raises(sa.exc.IntegrityError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log"))


def test_a_store_missing_the_account_tables_gains_them(tmp_path):
    """The old defect left stores with the data tables but no ``users`` or ``audit_log``; upgrading adds them."""
    path = tmp_path / "partial.sqlite"
    statements = [
        s for s in OLD_STORE_SQL.read_text(encoding="utf-8").split(";\n") if "audit_log" not in s and "users" not in s
    ]
    with sqlite3.connect(path) as conn:
        conn.executescript(";\n".join(statements))
    engine = store.create_store(f"sqlite:///{path}")
    assert set(sa.inspect(engine).get_table_names()) == EVERY_TABLE
    assert _row_counts(f"sqlite:///{path}")["shifts"] == 2


def test_opening_the_store_again_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = store.create_store(url)
    store.import_tables(engine, {}, file_name="f", sha256="0", username="u")
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO audit_log (at, username, action, details) VALUES ('2026-01-01', 'u', 'x', '')")
        )
    store.create_store(url)
    assert _row_counts(url)["audit_log"] == 1


def test_processes_opening_a_new_store_at_once_take_turns(tmp_path):
    """Each server process opens the embedded store at its first page view; the first migrates it, the others wait
    (``BEGIN IMMEDIATE``) and find it done, instead of failing on a half-created schema."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    script = f"from data_loaders.store import create_store; create_store({url!r})"
    runs = [
        subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [run.communicate()[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], errors
    assert _row_counts(url)["alembic_version"] == 1


def _migrate_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data_loaders.migrate", *args], cwd=PROJECT, capture_output=True, text=True
    )


def test_migrate_command_upgrades_a_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    run = _migrate_cli("--url", url)
    assert run.returncode == 0, run.stderr
    assert migrate.head_revision() in run.stdout
    assert {"users", "audit_log", "alembic_version"} <= set(_row_counts(url))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "not a url"], "not a database URL"),
        (["--url", "postgresql+psycopg://nobody@127.0.0.1:1/x"], "could not connect"),
        (["--url", "sqlite:///x.sqlite", "--app-role", "app"], "only for PostgreSQL or MariaDB"),
        ([], "--url"),
    ],
)
def test_migrate_command_reports_bad_input_in_a_sentence(args, message, monkeypatch):
    monkeypatch.delenv("HOSPITAL_MIGRATION_URL", raising=False)
    run = _migrate_cli(*args)
    assert run.returncode != 0
    assert message in run.stderr
    assert "Traceback" not in run.stderr
