"""Scratch databases on the real PostgreSQL and MariaDB servers, described as named sources for the loader tests.

:func:`scratch_source` creates a database with a unique name, yields a :class:`data_loaders.sources.Source` for it
(the server's test user, host and port from :mod:`tests.db_urls`) and an engine with full rights to set it up, and
drops the database afterwards.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import sqlalchemy as sa

from data_loaders.sources import Source
from tests.db_urls import mariadb_url, postgres_url


@contextlib.contextmanager
def scratch_source(dialect: str, **settings: object) -> Iterator[tuple[Source, sa.Engine]]:
    """A fresh database as source ``"<dialect>_scratch"``; ``settings`` override :class:`Source` fields."""
    base = sa.make_url(postgres_url() if dialect == "postgresql" else mariadb_url())
    name = f"source_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    owner = sa.create_engine(base.set(database=name))
    source = Source(
        name=f"{dialect}_scratch",
        dialect=dialect,
        host=base.host or "127.0.0.1",
        port=base.port,
        database=name,
        username=base.username or "",
        password=base.password or "",
        **settings,
    )
    try:
        yield source, owner
    finally:
        owner.dispose()
        with admin.connect() as conn:
            force = " WITH (FORCE)" if dialect == "postgresql" else ""
            conn.execute(sa.text(f"DROP DATABASE {name}{force}"))
        admin.dispose()
