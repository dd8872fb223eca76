"""Bring the store's schema to the newest Alembic migration (``data_loaders/migrations``).

* The embedded SQLite store is migrated by :func:`data_loaders.store.create_store` itself, on every start.
* A PostgreSQL or MariaDB store is migrated by its **migration role**, never by the app's runtime role::

      python -m data_loaders.migrate --url postgresql+psycopg://hospital_migrator@db/hospital --app-role hospital_app

  ``--url`` (or ``HOSPITAL_MIGRATION_URL``) connects as the migration role, which owns the tables; ``--app-role``
  names the runtime role of ``HOSPITAL_STORE_URL`` and grants it what the app needs and no more
  (:mod:`data_loaders.store_privileges`). Run it after every upgrade of the app; it is idempotent. The app refuses to
  start on a server store that is not at the newest revision.

A store written before migrations (tables present, no ``alembic_version``) is adopted by the baseline revision:
existing tables and rows are kept, missing tables and the audit triggers are added. Nothing is ever dropped.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from data_loaders import store_privileges

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BASELINE_REVISION = "0001"
"""The revision that creates (or adopts) the tables the app had before it used migrations."""


class MigrationError(Exception):
    """The store's schema is not what this version of the app needs; the message says what to run."""


def alembic_config() -> Config:
    """Alembic configuration pointing at ``data_loaders/migrations`` (no ``alembic.ini`` needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def script_directory() -> ScriptDirectory:
    """The migration scripts."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """Revision id of the newest migration (exactly one head; a test checks it)."""
    return script_directory().get_current_head()


def current_revision(engine: Engine) -> str | None:
    """Revision the store is at; None for an empty store or one written before migrations."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Migrate the store to the newest revision in one transaction (one per statement on MariaDB, whose DDL
    commits implicitly; every revision is written to finish when run again after a failure).

    On SQLite the transaction starts with ``BEGIN IMMEDIATE``, so two processes opening a new store at once take
    turns instead of both creating tables. Database errors propagate.
    """
    config = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def require_current(engine: Engine) -> None:
    """Raise :class:`MigrationError` unless the store is at the newest revision."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    where = "has no migration history" if current is None else f"is at revision {current}"
    raise MigrationError(
        f"The store at {engine.url.render_as_string(hide_password=True)} {where}; this version of the app needs "
        f"revision {head}. Run: python -m data_loaders.migrate --url <the migration role's URL> "
        "--app-role <the app's database role> (docs/security.md, 'Database roles')."
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m data_loaders.migrate",
        description="Migrate the store to the newest schema as the migration role, then grant the app's runtime "
        "role exactly what it needs (SELECT and INSERT only on audit_log).",
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("HOSPITAL_MIGRATION_URL"),
        help="SQLAlchemy URL connecting as the migration role (default: HOSPITAL_MIGRATION_URL). Not the app's URL.",
    )
    parser.add_argument(
        "--app-role",
        help="the app's runtime role (PostgreSQL role; MariaDB account as name or name@host, host default %%)",
    )
    return parser


def _fail(message: str) -> int:
    print(f"migrate: {message}", file=sys.stderr)
    return 1


def _first_line(error: sa.exc.SQLAlchemyError) -> str:
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 done, 1 refused or failed, 2 bad arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("give the migration role's database URL with --url (or HOSPITAL_MIGRATION_URL)")
    try:
        url = sa.make_url(args.url)
    except sa.exc.ArgumentError:
        return _fail("--url is not a database URL; expected e.g. postgresql+psycopg://migrator@host:5432/hospital.")
    shown = url.render_as_string(hide_password=True)
    if args.app_role and url.get_backend_name() not in ("postgresql", "mysql", "mariadb"):
        return _fail("--app-role is only for PostgreSQL or MariaDB; the embedded SQLite store has no database roles.")
    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    except (sa.exc.ArgumentError, ImportError) as error:
        return _fail(f"cannot use {shown}: {error}")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        return _fail(f"could not connect to {shown}: {_first_line(error)}")
    try:
        if args.app_role:
            store_privileges.check_runtime_role(engine, args.app_role)
        upgrade(engine)
        granted = store_privileges.grant_runtime_role(engine, args.app_role) if args.app_role else []
    except store_privileges.PrivilegeError as error:
        return _fail(str(error))
    except sa.exc.SQLAlchemyError as error:
        return _fail(f"the migration of {shown} failed: {_first_line(error)}")
    finally:
        engine.dispose()
    print(f"The store at {shown} is at revision {head_revision()} (newest).")
    for line in granted:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
