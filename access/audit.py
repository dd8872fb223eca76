"""Append-only audit trail: sign-ins, failed sign-ins, page views with filters, reads, exports, imports,
rollbacks and user changes, with who and when.

The app only ever INSERTs into ``audit_log`` (declared in :mod:`data_loaders.store_tables`); no code path updates
or deletes it (a test scans the code for one). Admins search and export it on the Audit trail page. The database
enforces it too, on every dialect: triggers created by the baseline migration refuse UPDATE and DELETE (and TRUNCATE
on PostgreSQL) whoever asks, and on PostgreSQL and MariaDB the app's runtime role is granted only SELECT and INSERT
on the table and owns nothing (:mod:`data_loaders.store_privileges`; docs/security.md, "Database roles").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_loaders.store_tables import audit_log

ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_throttled",
    "sign_out",
    "page_view",
    "read",
    "aggregate",
    "export",
    "import",
    "rollback",
    "mapping_saved",
    "source_read",
    "user_added",
    "user_changed",
    "password_changed",
)


def record(engine: Engine, username: str, action: str, details: dict | None = None) -> None:
    """Append one entry (UTC time). ``details`` is stored as JSON."""
    with engine.begin() as conn:
        conn.execute(
            audit_log.insert().values(
                at=datetime.now(UTC).replace(tzinfo=None),
                username=username[:191],
                action=action[:64],
                details=json.dumps(details or {}, default=str, sort_keys=True),
            )
        )


def search(
    engine: Engine,
    *,
    username: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    text: str | None = None,
    limit: int = 5000,
) -> pd.DataFrame:
    """Newest-first audit entries matching all given filters: columns id, at (UTC), username, action, details.

    ``since`` is inclusive and ``until`` exclusive (naive UTC); ``text`` is a substring of the
    JSON details (wildcards in it are taken literally). At most ``limit`` rows.
    """
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if username:
        query = query.where(audit_log.c.username == username)
    if action:
        query = query.where(audit_log.c.action == action)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if until is not None:
        query = query.where(audit_log.c.at < until)
    if text:
        query = query.where(audit_log.c.details.contains(text, autoescape=True))
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))
