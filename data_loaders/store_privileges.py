"""What the app's runtime database role may do on a PostgreSQL or MariaDB store, granted by the migration role.

The runtime role (the one in ``HOSPITAL_STORE_URL``) owns nothing and gets, per table of
:data:`data_loaders.store_tables.metadata`:

* ``audit_log`` (:data:`~data_loaders.store_tables.APPEND_ONLY_TABLES`): SELECT and INSERT, plus USAGE on its id
  sequence on PostgreSQL; never UPDATE, DELETE, TRUNCATE, ALTER, DROP or TRIGGER;
* every other table: SELECT, INSERT, UPDATE, DELETE (imports upsert and roll back; accounts change), plus USAGE on
  id sequences;
* ``alembic_version``: SELECT (the app checks the schema is current).

Every run first takes away whatever the role had on those tables, then grants exactly this, so it is idempotent and
also removes rights given by hand earlier (e.g. MariaDB ``GRANT ALL ON hospital.*``, which would include
``DELETE`` on ``audit_log``). Ownership cannot be taken away by the migration role, so :func:`check_runtime_role`
refuses a runtime role that owns (or inherits ownership of) a store table and says what to run.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data_loaders.store_tables import APPEND_ONLY_TABLES, metadata

_POSTGRES_ROLE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}")
_MARIADB_ACCOUNT = re.compile(r"(?P<user>[A-Za-z0-9_$.-]{1,80})(@(?P<host>[A-Za-z0-9_.%:-]{1,255}))?")
_FULL = ("SELECT", "INSERT", "UPDATE", "DELETE")
_APPEND = ("SELECT", "INSERT")
_VERSION_TABLE = "alembic_version"

# MariaDB error numbers (https://mariadb.com/kb/en/mariadb-error-code-reference/)
_NO_SUCH_GRANT = 1141
_NO_SUCH_TABLE_GRANT = 1147
_NO_SUCH_USER = 1133


class PrivilegeError(Exception):
    """The runtime role cannot be given safe privileges; the message says why and what to run."""


def _privileges(table: str) -> tuple[str, ...]:
    if table == _VERSION_TABLE:
        return ("SELECT",)
    return _APPEND if table in APPEND_ONLY_TABLES else _FULL


def _store_tables() -> list[str]:
    return [t.name for t in metadata.sorted_tables] + [_VERSION_TABLE]


def _postgres_role(role: str) -> str:
    if not _POSTGRES_ROLE.fullmatch(role):
        raise PrivilegeError(f"{role!r} is not a PostgreSQL role name (letters, digits, _ and $; 63 at most).")
    return role


def _mariadb_account(role: str) -> tuple[str, str]:
    match = _MARIADB_ACCOUNT.fullmatch(role)
    if not match:
        raise PrivilegeError(f"{role!r} is not a MariaDB account: give name or name@host (host default %).")
    return match["user"], match["host"] or "%"


def check_runtime_role(engine: Engine, role: str) -> None:
    """Refuse (``PrivilegeError``) a runtime role that is the migration role, a superuser, or owns a store table.

    On MariaDB only the name and the migration account are checked: the migration account cannot read another
    account's grants, and :func:`grant_runtime_role` removes its database- and table-level rights anyway. Global
    rights (``ON *.*``) are beyond its reach; docs/security.md says to give the runtime account none.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            _check_postgres(conn, _postgres_role(role))
        else:
            user, host = _mariadb_account(role)
            me = conn.execute(sa.text("SELECT CURRENT_USER()")).scalar_one()
            if me == f"{user}@{host}":
                raise PrivilegeError(f"--app-role names the migration account {me} itself; give the app's account.")


def _check_postgres(conn: Connection, role: str) -> None:
    me = conn.execute(sa.text("SELECT current_user")).scalar_one()
    row = conn.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if row is None:
        raise PrivilegeError(f"The role {role} does not exist. Create it first: CREATE ROLE {role} LOGIN PASSWORD '…';")
    if role == me:
        raise PrivilegeError(f"--app-role names the migration role {me} itself; the app needs a role of its own.")
    if row.rolsuper:
        raise PrivilegeError(
            f"The role {role} is a superuser: no privilege binds it and it can drop the triggers. Use an ordinary role."
        )
    if conn.execute(sa.text("SELECT pg_has_role(:r, current_user, 'MEMBER')"), {"r": role}).scalar_one():
        raise PrivilegeError(
            f"The role {role} is a member of the migration role {me}, so it acts as the owner of the tables. "
            f"Run: REVOKE {me} FROM {role};"
        )
    owned = conn.execute(
        sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename = ANY(:names) AND pg_has_role(:r, tableowner, 'MEMBER') ORDER BY tablename"
        ),
        {"names": _store_tables(), "r": role},
    ).scalars()
    owned = list(owned)
    if owned:
        raise PrivilegeError(
            f"The role {role} owns {', '.join(owned)} (it created them before the store had migrations), so it could "
            f"alter or drop audit_log whatever it is granted. As a superuser, connected to this database, run: "
            f"REASSIGN OWNED BY {role} TO {me}; then run this command again."
        )


def grant_runtime_role(engine: Engine, role: str) -> list[str]:
    """Give ``role`` exactly the privileges in the module docstring on every store table; returns what was done,
    one line each. Raises ``PrivilegeError`` if the role does not exist."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            return _grant_postgres(conn, _postgres_role(role))
        return _grant_mariadb(conn, *_mariadb_account(role))


def _grant_postgres(conn: Connection, role: str) -> list[str]:
    quote = conn.dialect.identifier_preparer.quote
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    done = []
    if not conn.execute(sa.text("SELECT has_schema_privilege(:r, :s, 'USAGE')"), {"r": role, "s": schema}).scalar():
        conn.execute(sa.text(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}"))
        done.append(f"USAGE on schema {schema}")
    for table in _store_tables():
        qualified = f"{quote(schema)}.{quote(table)}"
        privileges = _privileges(table)
        conn.execute(sa.text(f"REVOKE ALL ON TABLE {qualified} FROM {quote(role)}"))
        conn.execute(sa.text(f"GRANT {', '.join(privileges)} ON TABLE {qualified} TO {quote(role)}"))
        if table in APPEND_ONLY_TABLES:
            conn.execute(sa.text(f"REVOKE ALL ON TABLE {qualified} FROM PUBLIC"))
        line = f"{', '.join(privileges)} on {table}"
        for sequence in _postgres_sequences(conn, qualified, table):
            conn.execute(sa.text(f"REVOKE ALL ON SEQUENCE {sequence} FROM {quote(role)}"))
            conn.execute(sa.text(f"GRANT USAGE ON SEQUENCE {sequence} TO {quote(role)}"))
            line += f"; USAGE on sequence {sequence}"
        done.append(line)
    return [f"{role}: {line}" for line in done]


def _postgres_sequences(conn: Connection, qualified: str, table: str) -> list[str]:
    if table not in metadata.tables:
        return []
    found = (
        conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": qualified, "c": column.name}).scalar()
        for column in metadata.tables[table].primary_key.columns
    )
    return [sequence for sequence in found if sequence]


def _mariadb_error(error: sa.exc.DBAPIError) -> int | None:
    args = getattr(error.orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _revoke_all(conn: Connection, on: str, account: str, absent: int) -> bool:
    """REVOKE ALL on ``on``; False when there was nothing to revoke (MariaDB reports that as error ``absent``)."""
    try:
        conn.execute(sa.text(f"REVOKE ALL PRIVILEGES ON {on} FROM {account}"))
    except sa.exc.DBAPIError as error:
        if _mariadb_error(error) == absent:
            return False
        raise
    return True


def _grant_mariadb(conn: Connection, user: str, host: str) -> list[str]:
    quote = conn.dialect.identifier_preparer.quote
    database = conn.execute(sa.text("SELECT DATABASE()")).scalar_one()
    account = f"'{user}'@'{host}'"
    done = []
    if _revoke_all(conn, f"{quote(database)}.*", account, _NO_SUCH_GRANT):
        done.append(f"revoked the database-wide privileges on {database} (they included DELETE on audit_log)")
    for table in _store_tables():
        on = f"{quote(database)}.{quote(table)}"
        privileges = _privileges(table)
        _revoke_all(conn, on, account, _NO_SUCH_TABLE_GRANT)
        try:
            conn.execute(sa.text(f"GRANT {', '.join(privileges)} ON {on} TO {account}"))
        except sa.exc.DBAPIError as error:
            if _mariadb_error(error) == _NO_SUCH_USER:
                raise PrivilegeError(
                    f"The account {account} does not exist. Create it first: CREATE USER {account} IDENTIFIED BY '…';"
                ) from None
            raise
        done.append(f"{', '.join(privileges)} on {table}")
    return [f"{account}: {line}" for line in done]
