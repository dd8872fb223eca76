"""Baseline: every table the app had before it used migrations, and the append-only audit trail on every dialect.

Revision ID: 0001
Revises: (none)

It adopts a store written by the old ``metadata.create_all``: tables that already exist are left as they are, with
their rows, and only missing tables and the audit triggers are created. Declarations here are frozen copies (never
import ``data_loaders.store_tables`` into a revision: the declarations move on, a revision must not).

Append-only ``audit_log``, enforced by the database for every role, the table's owner included:

* SQLite: ``BEFORE UPDATE`` and ``BEFORE DELETE`` triggers that ``RAISE(ABORT)`` (SQLite has no TRUNCATE).
* PostgreSQL: one PL/pgSQL trigger function raising ``restrict_violation`` (SQLSTATE 23001), fired
  ``BEFORE UPDATE OR DELETE`` and ``BEFORE TRUNCATE`` for each statement (a TRUNCATE fires no DELETE trigger).
* MariaDB: ``BEFORE UPDATE`` and ``BEFORE DELETE`` row triggers that ``SIGNAL SQLSTATE '45000'`` (unhandled
  user-defined exception). MariaDB's TRUNCATE fires no trigger; it needs the DROP privilege, which the runtime
  role does not get (:mod:`data_loaders.store_privileges`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "audit_log is append-only"


def upgrade() -> None:
    existing = set() if context.is_offline_mode() else set(sa.inspect(op.get_bind()).get_table_names())
    if "absences" not in existing:
        op.create_table(
            "absences",
            sa.Column("employee_id", sa.String(length=191), nullable=False),
            sa.Column("date", sa.Date(), nullable=False),
            sa.Column("hours", sa.Float(), nullable=True),
            sa.Column("absence_type", sa.String(length=191), nullable=False),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("employee_id", "date", "absence_type"),
        )
        op.create_index(op.f("ix_absences_import_id"), "absences", ["import_id"], unique=False)
    if "audit_log" not in existing:
        op.create_table(
            "audit_log",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("username", sa.String(length=191), nullable=False),
            sa.Column("action", sa.String(length=64), nullable=False),
            sa.Column("details", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"], unique=False)
        op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
        op.create_index(op.f("ix_audit_log_username"), "audit_log", ["username"], unique=False)
    if "census" not in existing:
        op.create_table(
            "census",
            sa.Column("unit", sa.String(length=191), nullable=False),
            sa.Column("timestamp", sa.DateTime(), nullable=False),
            sa.Column("census", sa.Float(), nullable=True),
            sa.Column("arrivals", sa.Float(), nullable=True),
            sa.Column("acuity", sa.Float(), nullable=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("unit", "timestamp"),
        )
        op.create_index(op.f("ix_census_import_id"), "census", ["import_id"], unique=False)
    if "column_mappings" not in existing:
        op.create_table(
            "column_mappings",
            sa.Column("table_name", sa.String(length=64), nullable=False),
            sa.Column("source_header", sa.String(length=191), nullable=False),
            sa.Column("canonical_column", sa.String(length=64), nullable=False),
            sa.Column("saved_by", sa.String(length=191), nullable=False),
            sa.Column("saved_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("table_name", "source_header"),
        )
    if "employees" not in existing:
        op.create_table(
            "employees",
            sa.Column("employee_id", sa.String(length=191), nullable=False),
            sa.Column("first_name", sa.Text(), nullable=True),
            sa.Column("last_name", sa.Text(), nullable=True),
            sa.Column("role", sa.String(length=191), nullable=True),
            sa.Column("unit", sa.String(length=191), nullable=True),
            sa.Column("hire_date", sa.Date(), nullable=True),
            sa.Column("termination_date", sa.Date(), nullable=True),
            sa.Column("termination_reason", sa.String(length=191), nullable=True),
            sa.Column("fte", sa.Float(), nullable=True),
            sa.Column("employment_type", sa.String(length=191), nullable=True),
            sa.Column("manager_id", sa.Text(), nullable=True),
            sa.Column("hourly_rate", sa.Float(), nullable=True),
            sa.Column("emr_proficiency", sa.String(length=191), nullable=True),
            sa.Column("telemedicine_certified", sa.Boolean(), nullable=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("employee_id"),
        )
        op.create_index(op.f("ix_employees_import_id"), "employees", ["import_id"], unique=False)
    if "imports" not in existing:
        op.create_table(
            "imports",
            sa.Column("import_id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("file_name", sa.String(length=255), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("username", sa.String(length=191), nullable=False),
            sa.Column("imported_at", sa.DateTime(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("rolled_back_at", sa.DateTime(), nullable=True),
            sa.Column("rolled_back_by", sa.String(length=191), nullable=True),
            sa.PrimaryKeyConstraint("import_id"),
        )
    if "patient_experience" not in existing:
        op.create_table(
            "patient_experience",
            sa.Column("unit", sa.String(length=191), nullable=False),
            sa.Column("month", sa.Date(), nullable=False),
            sa.Column("score", sa.Float(), nullable=True),
            sa.Column("responses", sa.BigInteger(), nullable=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("unit", "month"),
        )
        op.create_index(op.f("ix_patient_experience_import_id"), "patient_experience", ["import_id"], unique=False)
    if "pulse_surveys" not in existing:
        op.create_table(
            "pulse_surveys",
            sa.Column("respondent_id", sa.String(length=191), nullable=False),
            sa.Column("unit", sa.String(length=191), nullable=True),
            sa.Column("date", sa.Date(), nullable=False),
            sa.Column("dimension", sa.String(length=191), nullable=False),
            sa.Column("score", sa.Float(), nullable=True),
            sa.Column("enps", sa.Float(), nullable=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("respondent_id", "date", "dimension"),
        )
        op.create_index(op.f("ix_pulse_surveys_import_id"), "pulse_surveys", ["import_id"], unique=False)
    if "requisitions" not in existing:
        op.create_table(
            "requisitions",
            sa.Column("requisition_id", sa.String(length=191), nullable=False),
            sa.Column("unit", sa.String(length=191), nullable=True),
            sa.Column("role", sa.String(length=191), nullable=True),
            sa.Column("opened", sa.Date(), nullable=True),
            sa.Column("filled", sa.Date(), nullable=True),
            sa.Column("status", sa.String(length=191), nullable=True),
            sa.Column("fte", sa.Float(), nullable=True),
            sa.Column("required_skills", sa.Text(), nullable=True),
            sa.Column("source", sa.Text(), nullable=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("requisition_id"),
        )
        op.create_index(op.f("ix_requisitions_import_id"), "requisitions", ["import_id"], unique=False)
    if "shifts" not in existing:
        op.create_table(
            "shifts",
            sa.Column("employee_id", sa.String(length=191), nullable=False),
            sa.Column("unit", sa.String(length=191), nullable=True),
            sa.Column("start", sa.DateTime(), nullable=False),
            sa.Column("end", sa.DateTime(), nullable=True),
            sa.Column("hours", sa.Float(), nullable=True),
            sa.Column("overtime_hours", sa.Float(), nullable=True),
            sa.Column("missed_break", sa.Boolean(), nullable=True),
            sa.Column("agency", sa.Boolean(), nullable=True),
            sa.Column("role", sa.String(length=191), nullable=True),
            sa.Column("status", sa.String(length=191), nullable=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("employee_id", "start"),
        )
        op.create_index(op.f("ix_shifts_import_id"), "shifts", ["import_id"], unique=False)
    if "staffed_hours" not in existing:
        op.create_table(
            "staffed_hours",
            sa.Column("unit", sa.String(length=191), nullable=False),
            sa.Column("date", sa.Date(), nullable=False),
            sa.Column("role", sa.String(length=191), nullable=False),
            sa.Column("employment", sa.String(length=191), nullable=False),
            sa.Column("hours", sa.Float(), nullable=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("unit", "date", "role", "employment"),
        )
        op.create_index(op.f("ix_staffed_hours_import_id"), "staffed_hours", ["import_id"], unique=False)
    if "superseded_rows" not in existing:
        op.create_table(
            "superseded_rows",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("table_name", sa.String(length=64), nullable=False),
            sa.Column("row_json", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_superseded_rows_import_id"), "superseded_rows", ["import_id"], unique=False)
    if "tech_rollouts" not in existing:
        op.create_table(
            "tech_rollouts",
            sa.Column("system", sa.String(length=191), nullable=False),
            sa.Column("rollout_type", sa.String(length=191), nullable=True),
            sa.Column("unit", sa.String(length=191), nullable=False),
            sa.Column("go_live", sa.Date(), nullable=True),
            sa.Column("required_courses", sa.Text(), nullable=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("system", "unit"),
        )
        op.create_index(op.f("ix_tech_rollouts_import_id"), "tech_rollouts", ["import_id"], unique=False)
    if "training" not in existing:
        op.create_table(
            "training",
            sa.Column("employee_id", sa.String(length=191), nullable=False),
            sa.Column("course", sa.String(length=191), nullable=False),
            sa.Column("category", sa.String(length=191), nullable=True),
            sa.Column("due_date", sa.Date(), nullable=True),
            sa.Column("completion_date", sa.Date(), nullable=True),
            sa.Column("score", sa.Float(), nullable=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("employee_id", "course"),
        )
        op.create_index(op.f("ix_training_import_id"), "training", ["import_id"], unique=False)
    if "units" not in existing:
        op.create_table(
            "units",
            sa.Column("unit_id", sa.String(length=191), nullable=False),
            sa.Column("name", sa.Text(), nullable=True),
            sa.Column("unit_type", sa.String(length=191), nullable=True),
            sa.Column("beds", sa.BigInteger(), nullable=True),
            sa.Column("opened", sa.Date(), nullable=True),
            sa.Column("closed", sa.Date(), nullable=True),
            sa.Column("merged_into", sa.String(length=191), nullable=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("unit_id"),
        )
        op.create_index(op.f("ix_units_import_id"), "units", ["import_id"], unique=False)
    if "users" not in existing:
        op.create_table(
            "users",
            sa.Column("username", sa.String(length=191), nullable=False),
            sa.Column("display_name", sa.String(length=255), nullable=False),
            sa.Column("role", sa.String(length=32), nullable=False),
            sa.Column("units", sa.Text(), nullable=False),
            sa.Column("password_hash", sa.Text(), nullable=True),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("demo", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("username"),
        )
    if "wellbeing" not in existing:
        op.create_table(
            "wellbeing",
            sa.Column("employee_id", sa.String(length=191), nullable=False),
            sa.Column("date", sa.Date(), nullable=False),
            sa.Column("sleep_hours", sa.Float(), nullable=True),
            sa.Column("resting_heart_rate", sa.Float(), nullable=True),
            sa.Column("steps", sa.Float(), nullable=True),
            sa.Column("consent", sa.Boolean(), nullable=True),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("row_hash", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("employee_id", "date"),
        )
        op.create_index(op.f("ix_wellbeing_import_id"), "wellbeing", ["import_id"], unique=False)
    if "import_counts" not in existing:
        op.create_table(
            "import_counts",
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("table_name", sa.String(length=64), nullable=False),
            sa.Column("inserted", sa.Integer(), nullable=False),
            sa.Column("updated", sa.Integer(), nullable=False),
            sa.Column("unchanged", sa.Integer(), nullable=False),
            sa.Column("rejected", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["import_id"],
                ["imports.import_id"],
            ),
            sa.PrimaryKeyConstraint("import_id", "table_name"),
        )
    _append_only_audit_log()


def _append_only_audit_log() -> None:
    dialect = context.get_context().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}: % refused', TG_OP USING ERRCODE = 'restrict_violation'; "
            "END $$"
        )
        for name, events in (("audit_log_append_only", "UPDATE OR DELETE"), ("audit_log_no_truncate", "TRUNCATE")):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit_log")
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {events} ON audit_log "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()"
            )
    elif dialect in ("mysql", "mariadb"):
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log FOR EACH ROW "
                f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{APPEND_ONLY_MESSAGE}'"
            )
    else:
        raise NotImplementedError(
            f"No append-only audit_log for the {dialect} dialect; use SQLite, PostgreSQL or MariaDB."
        )


def downgrade() -> None:
    raise NotImplementedError(
        "The baseline cannot be downgraded: it would drop every table of the store with its rows."
    )
