"""The audit trail is append-only on the real PostgreSQL and MariaDB servers.

Each test gets a scratch database and two scratch roles of its own, as docs/security.md tells a deployment to set
them up: a migration role that owns the schema and runs ``python -m data_loaders.migrate``, and the app's runtime
role (``HOSPITAL_STORE_URL``) that the command grants only what the app needs. All three are dropped afterwards.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from access import audit, auth
from access.data_access import DataAccess, UserContext
from data_loaders import migrate, store
from tests.db_urls import mariadb_url, postgres_url
from tests.test_store import _employees, _shifts, _units

pytestmark = pytest.mark.db
PROJECT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Deployment:
    dialect: str
    admin_url: sa.URL
    migration_url: str
    runtime_url: str
    app_role: str
    migration_role: str


def _render(url: sa.URL) -> str:
    return url.render_as_string(hide_password=False)


def _postgres(admin: sa.Engine, base: sa.URL, suffix: str) -> Iterator[Deployment]:
    database, migrator, app = f"roles_test_{suffix}", f"migrator_{suffix}", f"app_{suffix}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {migrator} LOGIN"))
        conn.execute(sa.text(f"CREATE ROLE {app} LOGIN"))
        conn.execute(sa.text(f"CREATE DATABASE {database} OWNER {migrator}"))
    try:
        yield Deployment(
            "postgresql",
            base.set(database=database),
            _render(base.set(username=migrator, password=None, database=database)),
            _render(base.set(username=app, password=None, database=database)),
            app,
            migrator,
        )
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {app}"))
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {migrator}"))


def _mariadb(admin: sa.Engine, base: sa.URL, suffix: str) -> Iterator[Deployment]:
    database, migrator, app = f"roles_test_{suffix}", f"migrator_{suffix}", f"app_{suffix}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {database} CHARACTER SET utf8mb4"))
        conn.execute(sa.text(f"CREATE USER '{migrator}'@'%'"))
        conn.execute(sa.text(f"GRANT ALL PRIVILEGES ON {database}.* TO '{migrator}'@'%' WITH GRANT OPTION"))
        conn.execute(sa.text(f"CREATE USER '{app}'@'%'"))
    try:
        yield Deployment(
            "mariadb",
            base.set(database=database),
            _render(base.set(username=migrator, password=None, database=database)),
            _render(base.set(username=app, password=None, database=database)),
            app,
            migrator,
        )
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {database}"))
            conn.execute(sa.text(f"DROP USER IF EXISTS '{app}'@'%'"))
            conn.execute(sa.text(f"DROP USER IF EXISTS '{migrator}'@'%'"))


@pytest.fixture(params=["postgresql", "mariadb"])
def deployment(request) -> Iterator[Deployment]:
    base = sa.make_url(postgres_url() if request.param == "postgresql" else mariadb_url())
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    make = _postgres if request.param == "postgresql" else _mariadb
    try:
        yield from make(admin, base, uuid.uuid4().hex[:10])
    finally:
        admin.dispose()


def _migrate(deployment: Deployment) -> None:
    assert migrate.main(["--url", deployment.migration_url, "--app-role", deployment.app_role]) == 0


@pytest.fixture
def migrated(deployment) -> Iterator[tuple[Deployment, sa.Engine, sa.Engine]]:
    """The deployment migrated; (deployment, migration-role engine, runtime-role engine with one audit entry)."""
    _migrate(deployment)
    migration = sa.create_engine(deployment.migration_url)
    runtime = store.create_store(deployment.runtime_url)
    audit.record(runtime, "demo.hr", "sign_in", {"method": "password"})
    yield deployment, migration, runtime
    runtime.dispose()
    migration.dispose()


def _refused(engine: sa.Engine, statement: str) -> str:
    with pytest.raises(sa.exc.DBAPIError) as refusal, engine.begin() as conn:
        conn.execute(sa.text(statement))
    return str(refusal.value.orig)


def _entries(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text("SELECT id, username, action FROM audit_log ORDER BY id"))]


def test_runtime_role_cannot_change_or_remove_the_audit_trail(migrated):
    deployment, _, runtime = migrated
    before = _entries(runtime)
    statements = [
        "UPDATE audit_log SET username = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE TABLE audit_log",
        "ALTER TABLE audit_log ADD COLUMN note TEXT",
        "DROP TABLE audit_log",
    ]
    if deployment.dialect == "postgresql":
        statements += ["ALTER TABLE audit_log DISABLE TRIGGER ALL", "DROP TRIGGER audit_log_append_only ON audit_log"]
    else:
        statements += ["DROP TRIGGER audit_log_no_delete"]
    for statement in statements:
        message = _refused(runtime, statement)
        assert "denied" in message or "must be owner" in message, (statement, message)
    assert _entries(runtime) == before


def test_runtime_role_appends_and_reads(migrated):
    _, _, runtime = migrated
    audit.record(runtime, "demo.admin", "export", {"file_name": "trail.csv"})
    assert audit.search(runtime)["action"].tolist() == ["export", "sign_in"]


def test_even_the_migration_role_cannot_update_or_delete_entries(migrated):
    deployment, migration, runtime = migrated
    before = _entries(runtime)
    statements = ["UPDATE audit_log SET username = 'someone else'", "DELETE FROM audit_log"]
    if deployment.dialect == "postgresql":
        statements.append("TRUNCATE TABLE audit_log")
    for statement in statements:
        assert "append-only" in _refused(migration, statement), statement
    assert _entries(runtime) == before


def test_the_app_imports_rolls_back_and_administers_as_the_runtime_role(migrated):
    _, _, runtime = migrated
    da = DataAccess(runtime, UserContext("demo.hr", "hr_officer"), audit=lambda *a: audit.record(runtime, *a))
    first = da.import_tables(
        {"units": _units("ICU"), "employees": _employees([("E1", "ICU", 0.9)]), "shifts": _shifts()},
        file_name="staff.csv",
        sha256="a" * 64,
        rejected={},
    )
    second = da.import_tables(
        {"employees": _employees([("E1", "ICU", 0.5)])}, file_name="fte.csv", sha256="b" * 64, rejected={}
    )
    assert da.table("employees")["fte"].tolist() == [0.5]
    da.rollback_import(second.import_id)
    assert da.table("employees")["fte"].tolist() == [0.9]
    store.save_mapping(runtime, "employees", "Emp #", "employee_id", username="demo.hr")
    store.save_mapping(runtime, "employees", "Emp #", "", username="demo.hr")
    auth.create_demo_accounts(runtime)
    auth.set_active(runtime, "demo.exec", False, actor="demo.admin")
    assert not auth.get_account(runtime, "demo.exec").active
    assert first.import_id == 1
    assert set(audit.search(runtime)["action"]) >= {"import", "read", "rollback", "user_changed"}


def test_runtime_role_is_refused_a_store_that_was_not_migrated(deployment):
    with pytest.raises(store.StoreError, match=r"python -m data_loaders\.migrate"):
        store.create_store(deployment.runtime_url)


def _old_store(deployment: Deployment) -> sa.Engine:
    """The tables as the app's ``metadata.create_all`` made them before migrations: the baseline revision's tables
    without ``alembic_version`` and without the audit triggers, with a few rows."""
    engine = sa.create_engine(deployment.migration_url)
    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, migrate.BASELINE_REVISION)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
        if deployment.dialect == "postgresql":
            conn.execute(sa.text("DROP FUNCTION audit_log_refuse_change() CASCADE"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_log_no_update"))
            conn.execute(sa.text("DROP TRIGGER audit_log_no_delete"))
        conn.execute(sa.text("INSERT INTO units (unit_id, name, import_id, row_hash) VALUES ('ICU', 'ICU', 1, 'h')"))
        conn.execute(
            sa.text("INSERT INTO audit_log (at, username, action, details) VALUES ('2026-01-01', 'ann', 'sign_in', '')")
        )
    return engine


def test_an_old_store_is_upgraded_without_losing_rows(deployment):
    old = _old_store(deployment)
    with old.begin() as conn:  # the old store had no triggers: this is the hole being closed
        conn.execute(sa.text("UPDATE audit_log SET username = 'ann'"))
    _migrate(deployment)
    _migrate(deployment)  # running it again changes nothing
    runtime = store.create_store(deployment.runtime_url)
    assert _entries(runtime) == [(1, "ann", "sign_in")]
    assert store.read_table(runtime, "units")["unit_id"].tolist() == ["ICU"]
    assert "append-only" in _refused(old, "DELETE FROM audit_log")
    assert "denied" in _refused(runtime, "DELETE FROM audit_log")
    runtime.dispose()
    old.dispose()


@pytest.mark.parametrize("deployment", ["postgresql"], indirect=True)  # MariaDB has no table owners
def test_migrate_refuses_an_app_role_that_owns_store_tables(deployment):
    admin = sa.create_engine(deployment.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # the old set-up: the app's role created, so owns, the tables
        conn.execute(sa.text(f"GRANT CREATE ON SCHEMA public TO {deployment.app_role}"))
        conn.execute(sa.text(f"SET ROLE {deployment.app_role}"))
        conn.execute(sa.text("CREATE TABLE audit_log (id SERIAL PRIMARY KEY)"))
    admin.dispose()
    command_line = ["--url", deployment.migration_url, "--app-role", deployment.app_role]
    run = subprocess.run(
        [sys.executable, "-m", "data_loaders.migrate", *command_line],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert f"REASSIGN OWNED BY {deployment.app_role} TO {deployment.migration_role}" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("deployment", ["mariadb"], indirect=True)  # PostgreSQL has no database-wide privileges
def test_migrate_takes_away_database_wide_rights_of_the_app_account(deployment):
    admin = sa.create_engine(deployment.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # the old set-up: every privilege on the database
        database, app = deployment.admin_url.database, deployment.app_role
        conn.execute(sa.text(f"GRANT ALL PRIVILEGES ON {database}.* TO '{app}'@'%'"))
    admin.dispose()
    _migrate(deployment)
    runtime = store.create_store(deployment.runtime_url)
    audit.record(runtime, "ann", "sign_in")
    for statement in ("DELETE FROM audit_log", "TRUNCATE TABLE audit_log", "DROP TRIGGER audit_log_no_delete"):
        assert "denied" in _refused(runtime, statement), statement
    runtime.dispose()
