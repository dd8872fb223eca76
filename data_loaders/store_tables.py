"""Every table of the store, declared once: the canonical data tables, import bookkeeping, saved header mappings,
accounts and the audit trail.

Creating the store never depends on which modules were imported: :mod:`data_loaders.migrate` builds these tables
through the Alembic migrations in ``data_loaders/migrations`` (a test checks that the migrations build exactly what
is declared here). ``access.auth`` and ``access.audit`` use :data:`users` and :data:`audit_log` from here. To change
a table, change it here AND add a migration (``docs/store_migrations.md``).
"""

from __future__ import annotations

import sqlalchemy as sa

from data_loaders.schema import TABLES, Column, Table

KEY_LENGTH = 191
"""Longest indexable VARCHAR under MariaDB utf8mb4 (767-byte index prefix / 4 bytes per character)."""

metadata = sa.MetaData()


def _sql_type(col: Column, in_key: bool) -> sa.types.TypeEngine:
    if col.kind in ("str", "category"):
        return sa.String(KEY_LENGTH) if in_key or col.references or col.kind == "category" else sa.Text()
    return {
        "int": sa.BigInteger(),
        "float": sa.Float(),
        "bool": sa.Boolean(),
        "date": sa.Date(),
        "datetime": sa.DateTime(),
    }[col.kind]


def _define_table(spec: Table) -> sa.Table:
    columns = [
        sa.Column(
            c.name, _sql_type(c, c.name in spec.key), primary_key=c.name in spec.key, nullable=c.name not in spec.key
        )
        for c in spec.columns
    ]
    return sa.Table(
        spec.name,
        metadata,
        *columns,
        sa.Column("import_id", sa.Integer, nullable=False, index=True),
        sa.Column("row_hash", sa.String(16), nullable=False),
    )


SQL_TABLES: dict[str, sa.Table] = {name: _define_table(spec) for name, spec in TABLES.items()}
"""The canonical data tables, generated from :data:`data_loaders.schema.TABLES`; natural key = primary key."""

imports = sa.Table(
    "imports",
    metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("username", sa.String(KEY_LENGTH), nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("rolled_back_at", sa.DateTime),
    sa.Column("rolled_back_by", sa.String(KEY_LENGTH)),
)

import_counts = sa.Table(
    "import_counts",
    metadata,
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.import_id"), primary_key=True),
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("inserted", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("unchanged", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
)

superseded_rows = sa.Table(
    "superseded_rows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, nullable=False, index=True),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("row_json", sa.Text, nullable=False),
)

column_mappings = sa.Table(
    "column_mappings",
    metadata,
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("source_header", sa.String(KEY_LENGTH), primary_key=True),
    sa.Column("canonical_column", sa.String(64), nullable=False),
    sa.Column("saved_by", sa.String(KEY_LENGTH), nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(KEY_LENGTH), primary_key=True),
    sa.Column("display_name", sa.String(255), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("units", sa.Text, nullable=False, default=""),
    sa.Column("password_hash", sa.Text),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("password_changed_at", sa.DateTime, nullable=True),
    sa.Column("oidc_issuer", sa.String(255), nullable=True),
    sa.Column("oidc_subject", sa.String(255), nullable=True),
)
"""Accounts (:mod:`access.auth`): password sign-in and the identity provider's users map onto these rows.
``oidc_issuer`` and ``oidc_subject`` bind an account to one identity at one identity provider (the ID token's ``iss``
and ``sub``), set on its first verified single sign-on (:mod:`access.oidc`); an administrator may set the issuer
beforehand to allow only that provider."""

sign_in_throttle = sa.Table(
    "sign_in_throttle",
    metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure_at", sa.DateTime, nullable=False),
    sa.Column("blocked_until", sa.DateTime, nullable=True),
)
"""Failed sign-ins per account and per client (SHA-256 keys, no typed names), for back-off
(:mod:`access.sign_in_throttle`)."""

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("username", sa.String(KEY_LENGTH), nullable=False, index=True),
    sa.Column("action", sa.String(64), nullable=False, index=True),
    sa.Column("details", sa.Text, nullable=False),
)
"""The audit trail (:mod:`access.audit`). Append-only: triggers refuse UPDATE and DELETE on every dialect (and
TRUNCATE on PostgreSQL), and the app's runtime role is granted only SELECT and INSERT on it."""

APPEND_ONLY_TABLES = frozenset({"audit_log"})
"""Tables the runtime role may only read and append to (:mod:`data_loaders.store_privileges`)."""
