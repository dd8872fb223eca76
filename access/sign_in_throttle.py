"""Back-off for password guessing, per account and per client, kept in the store (table ``sign_in_throttle``) so
that it holds across sessions, browser tabs and restarts of the app.

After :data:`ACCOUNT_FREE_FAILURES` (5) failed attempts on one username, or :data:`CLIENT_FREE_FAILURES` (20) from
one client address, every further attempt on that key waits: 1 minute after the last allowed failure, doubling with
each failure after it, at most :data:`MAX_WAIT` (60 minutes). A success clears the account's count; a key's count
is forgotten :data:`FORGET_AFTER` (24 hours) after its last failure. These follow NIST SP 800-63B §5.2.2 (rate
limiting: at most 100 consecutive failures per account) and OWASP ASVS 4.0.3 V2.2.1 (soft lock-out, back-off).
The account limit is low because it protects one password; the client limit is higher because offices share an
address behind NAT. Unknown usernames are counted like known ones, so throttling reveals nothing about who exists.

Keys are SHA-256 digests ("account:…", "client:…"): the table holds no typed usernames or addresses.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_loaders.store_tables import sign_in_throttle

ACCOUNT_FREE_FAILURES = 5
CLIENT_FREE_FAILURES = 20
FIRST_WAIT = timedelta(minutes=1)
MAX_WAIT = timedelta(minutes=60)
FORGET_AFTER = timedelta(hours=24)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:64]


def account_key(username: str) -> str:
    """Throttle key of a typed username (case-insensitive: "HR" and "hr" share one count)."""
    return "account:" + _digest(username.strip().lower())


def client_key(client: str | None) -> str:
    """Throttle key of a client address (None, a local connection, is one client "local")."""
    return "client:" + _digest(client or "local")


def _free_failures(key: str) -> int:
    return CLIENT_FREE_FAILURES if key.startswith("client:") else ACCOUNT_FREE_FAILURES


def _wait_after(failures: int, free: int) -> timedelta | None:
    if failures < free:
        return None
    return min(FIRST_WAIT * 2 ** min(failures - free, 16), MAX_WAIT)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def wait_seconds(engine: Engine, keys: Iterable[str], now: datetime | None = None) -> float:
    """Seconds until an attempt on all ``keys`` is allowed again (0 when it is allowed now)."""
    now = now or _utcnow()
    with engine.connect() as conn:
        until = conn.execute(
            sa.select(sa.func.max(sign_in_throttle.c.blocked_until)).where(sign_in_throttle.c.key.in_(list(keys)))
        ).scalar()
    return max((until - now).total_seconds(), 0.0) if until is not None else 0.0


def wait_minutes(seconds: float) -> int:
    """Whole minutes to tell the user (rounded up, at least 1)."""
    return max(1, math.ceil(seconds / 60))


def record_failure(engine: Engine, keys: Iterable[str], now: datetime | None = None) -> None:
    """Count one failed attempt against each key and set its back-off."""
    now = now or _utcnow()
    for key in keys:
        for _attempt in range(2):  # a concurrent first failure may insert the row between our read and write
            try:
                _count(engine, key, now)
                break
            except sa.exc.IntegrityError:
                continue


def _count(engine: Engine, key: str, now: datetime) -> None:
    with engine.begin() as conn:
        row = conn.execute(sa.select(sign_in_throttle).where(sign_in_throttle.c.key == key).with_for_update()).first()
        fresh = row is None or now - row.last_failure_at > FORGET_AFTER
        failures = 1 if fresh else row.failures + 1
        wait = _wait_after(failures, _free_failures(key))
        values = {"failures": failures, "last_failure_at": now, "blocked_until": now + wait if wait else None}
        if row is None:
            conn.execute(sign_in_throttle.insert().values(key=key, **values))
        else:
            conn.execute(sign_in_throttle.update().where(sign_in_throttle.c.key == key).values(**values))


def clear(engine: Engine, key: str) -> None:
    """Forget a key's failures (after a successful sign-in on that account)."""
    with engine.begin() as conn:
        conn.execute(sign_in_throttle.delete().where(sign_in_throttle.c.key == key))
