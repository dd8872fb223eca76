"""A fresh store for a benchmark run: the given URL emptied, or a new SQLite file under ``benchmarks/out``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from access.bootstrap import open_store
from data_loaders.store import metadata

OUT = Path(__file__).resolve().parent / "out"


def fresh_store(name: str, url: str | None = None) -> Engine:
    """Engine of an empty store with every table: ``url`` with all tables dropped and recreated, or (default) the
    SQLite file ``benchmarks/out/<name>.sqlite`` deleted first."""
    OUT.mkdir(exist_ok=True)
    if url is None:
        path = OUT / f"{name}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    engine = open_store(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    return engine
