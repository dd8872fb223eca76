"""URLs of the real database servers used by tests, shared by loader and store tests.

``postgres_url()`` and ``mariadb_url()`` return a URL that connects, trying the usual local users
(trust authentication). When the server is not reachable the test is skipped locally, but fails
when the environment variable ``CI`` is ``true``: CI must never skip database tests.
Override the candidates with ``TEST_POSTGRES_URL`` / ``TEST_MARIADB_URL``.
"""

from __future__ import annotations

import functools
import os

import pytest
import sqlalchemy as sa

POSTGRES_CANDIDATES = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)
MARIADB_CANDIDATES = ("mysql+pymysql://root@127.0.0.1:3306/test",)


@functools.cache
def _first_working(candidates: tuple[str, ...]) -> tuple[str | None, str]:
    error = ""
    for url in candidates:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return url, ""
        except sa.exc.SQLAlchemyError as exc:
            error = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        finally:
            engine.dispose()
    return None, error


def _require(name: str, where: str, env: str, candidates: tuple[str, ...]) -> str:
    override = os.environ.get(env)
    url, error = _first_working((override,) if override else candidates)
    if url:
        return url
    message = f"{name} not reachable at {where}: {error}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def postgres_url() -> str:
    """A working PostgreSQL URL, or skip (fail under ``CI=true``)."""
    return _require("PostgreSQL", "127.0.0.1:5432", "TEST_POSTGRES_URL", POSTGRES_CANDIDATES)


def mariadb_url() -> str:
    """A working MariaDB URL, or skip (fail under ``CI=true``)."""
    return _require("MariaDB", "127.0.0.1:3306", "TEST_MARIADB_URL", MARIADB_CANDIDATES)
