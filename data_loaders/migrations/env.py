"""Alembic environment of the store: the target is :data:`data_loaders.store_tables.metadata`.

:mod:`data_loaders.migrate` runs it on a connection it opened (``config.attributes["connection"]``), in one
transaction. From the ``alembic`` command line (``alembic.ini`` at the project root, for writing revisions) the URL
is ``-x url=...`` or ``HOSPITAL_MIGRATION_URL``.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from data_loaders.store_tables import metadata

config = context.config


def _configure(**options) -> None:
    context.configure(target_metadata=metadata, compare_type=True, **options)


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("HOSPITAL_MIGRATION_URL")
    if not url:
        raise SystemExit("Give the store's migration URL: alembic -x url=... or HOSPITAL_MIGRATION_URL.")
    return url


def _run_on(connection: sa.Connection) -> None:
    # SQLite cannot ALTER most of a table: autogenerate then writes "batch" operations that copy it.
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _configure(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    _run_on(config.attributes["connection"])
else:
    engine = sa.create_engine(_url(), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        _run_on(connection)
    engine.dispose()
