"""Append-only audit trail: sign-ins, failed sign-ins, page views with filters, reads, exports, imports,
rollbacks and user changes, with who and when.

The app only ever INSERTs into ``audit_log``; no code path updates or deletes it (a test scans the code for one).
Admins search and export it on the Audit trail page. In the embedded SQLite store, triggers created with the table
refuse any UPDATE or DELETE of it; on PostgreSQL or MariaDB, production deployments ``REVOKE UPDATE, DELETE`` on the
table from the app's database role (docs/security.md).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_loaders.store import metadata

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("username", sa.String(191), nullable=False, index=True),
    sa.Column("action", sa.String(64), nullable=False, index=True),
    sa.Column("details", sa.Text, nullable=False),
)

for _verb in ("UPDATE", "DELETE"):
    sa.event.listen(
        audit_log,
        "after_create",
        sa.DDL(
            f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{_verb.lower()} BEFORE {_verb} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        ).execute_if(dialect="sqlite"),
    )

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
