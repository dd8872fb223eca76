"""users: identity binding (issuer, subject) and password change time; the sign-in throttle table

Revision ID: 0002
Revises: 0001

Issue 11: OpenID Connect identities are bound to the ID token's ``iss`` + ``sub`` on the first verified link;
``password_changed_at`` ends a user's other sessions after a change; ``sign_in_throttle`` counts failed sign-ins per
account and per client (SHA-256 keys) for back-off. The new columns are nullable, so existing accounts keep working
(an account links its identity at its next single sign-on). Each step is skipped when already done, so the revision
finishes when run again after a failure (MariaDB commits each DDL statement on its own).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_USER_COLUMNS = (
    ("password_changed_at", sa.DateTime),
    ("oidc_issuer", lambda: sa.String(length=255)),
    ("oidc_subject", lambda: sa.String(length=255)),
)


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "sign_in_throttle" not in inspector.get_table_names():
        op.create_table(
            "sign_in_throttle",
            sa.Column("key", sa.String(length=80), nullable=False),
            sa.Column("failures", sa.Integer(), nullable=False),
            sa.Column("last_failure_at", sa.DateTime(), nullable=False),
            sa.Column("blocked_until", sa.DateTime(), nullable=True),
            sa.PrimaryKeyConstraint("key"),
        )
    present = {c["name"] for c in inspector.get_columns("users")}
    for name, kind in _USER_COLUMNS:
        if name not in present:
            op.add_column("users", sa.Column(name, kind(), nullable=True))  # ADD COLUMN in place: no table copy


def downgrade() -> None:
    raise NotImplementedError("Downgrading would drop identity bindings and throttle state; restore a backup instead.")
