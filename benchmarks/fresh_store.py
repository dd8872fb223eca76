"""A fresh store for a benchmark run: the given URL emptied, or a new SQLite file under ``benchmarks/out``."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_loaders import migrate
from data_loaders.store import create_store
from data_loaders.store_tables import metadata

OUT = Path(__file__).resolve().parent / "out"


def fresh_store(name: str, url: str | None = None) -> Engine:
    """Engine of an empty store with every table: ``url`` (a scratch database, connected as a role that may drop
    and create tables) emptied and migrated again, or (default) the SQLite file ``benchmarks/out/<name>.sqlite``
    deleted first."""
    OUT.mkdir(exist_ok=True)
    if url is None:
        path = OUT / f"{name}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return create_store(f"sqlite:///{path}")
    scratch = sa.create_engine(url)
    metadata.drop_all(scratch)
    with scratch.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    migrate.upgrade(scratch)
    scratch.dispose()
    return create_store(url)
