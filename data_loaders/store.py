"""The store: canonical tables in any SQLAlchemy database, written one import at a time.

* The tables are declared in :mod:`data_loaders.store_tables` (canonical tables generated from
  :mod:`data_loaders.schema`) and built by migrations (:mod:`data_loaders.migrate`). Each canonical table's natural
  key is its primary key, so importing the same rows twice updates instead of duplicating.
* :func:`import_tables` writes everything an import accepted in ONE transaction: all rows or none.
* Each import is recorded in ``imports`` (file name, sha256, user, time) and ``import_counts`` (per table: inserted,
  updated, unchanged, rejected). Rows replaced by an import are kept in ``superseded_rows`` so that
  :func:`rollback_import` can restore them.
* Reading goes through :func:`read_table`, which returns canonical dtypes. Pages never call this module: they use
  :class:`access.data_access.DataAccess`, which applies the user's role and unit scope.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from data_loaders import migrate
from data_loaders.schema import TABLES, Table
from data_loaders.store_tables import KEY_LENGTH as _KEY_LENGTH
from data_loaders.store_tables import (
    SQL_TABLES,
    column_mappings,
    import_counts,
    imports,
    superseded_rows,
)

Progress = Callable[[float, str], None]

_INSERT_CHUNK = 20_000

DATE_COLUMN = {
    "shifts": "start",
    "absences": "date",
    "census": "timestamp",
    "staffed_hours": "date",
    "training": "due_date",
    "tech_rollouts": "go_live",
    "pulse_surveys": "date",
    "requisitions": "opened",
    "patient_experience": "month",
    "wellbeing": "date",
}
"""The column that date-range filters apply to, per table."""


class StoreError(Exception):
    """An operation on the store that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class TableCounts:
    """Rows of one table in one import."""

    table: str
    inserted: int
    updated: int
    unchanged: int
    rejected: int = 0


@dataclass(frozen=True)
class ImportSummary:
    """What an import did. ``import_id`` is None when nothing was written (every table empty)."""

    import_id: int | None
    counts: list[TableCounts] = field(default_factory=list)

    def as_frame(self) -> pd.DataFrame:
        """Columns table, inserted, updated, unchanged, rejected (int)."""
        return pd.DataFrame(
            [c.__dict__ for c in self.counts], columns=["table", "inserted", "updated", "unchanged", "rejected"]
        )


def create_store(url: str | None = None) -> Engine:
    """Engine for the store at ``url`` (default: :func:`data_loaders.settings.store_url`), its schema at the newest
    migration (:mod:`data_loaders.migrate`).

    The embedded SQLite store is migrated here: created on first use, upgraded after an app upgrade, and adopted
    (rows kept) if it was written before the store had migrations. A PostgreSQL or MariaDB store is migrated by its
    migration role with ``python -m data_loaders.migrate``; the app's runtime role only checks it.

    Raises
    ------
    StoreError
        if a server store cannot be opened or is not at the newest revision (the message says which command to
        run).
    """
    from data_loaders.settings import store_url

    url = url or store_url()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        migrate.upgrade(engine)
        return engine
    try:
        migrate.require_current(engine)
    except migrate.MigrationError as error:
        engine.dispose()
        raise StoreError(str(error)) from None
    except sa.exc.SQLAlchemyError as error:
        engine.dispose()
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise StoreError(
            f"Could not open the store at {engine.url.render_as_string(hide_password=True)}: {reason}. If the app's "
            "role has no rights on it yet, run python -m data_loaders.migrate --url <the migration role's URL> "
            "--app-role <the app's database role> (docs/security.md, 'Database roles')."
        ) from None
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _canonical_frame(spec: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Only the canonical columns, all present (missing optional ones as NA), key rows complete."""
    out = pd.DataFrame(index=frame.index)
    for col in spec.columns:
        out[col.name] = frame[col.name] if col.name in frame.columns else pd.Series(pd.NA, index=frame.index)
    return out.reset_index(drop=True)


def _row_hashes(frame: pd.DataFrame) -> pd.Series:
    text = frame.astype("string").fillna("\x00")
    return pd.util.hash_pandas_object(text, index=False).map(lambda v: f"{v:016x}")


def _key_strings(frame: pd.DataFrame, key: Iterable[str]) -> pd.Series:
    parts = []
    for name in key:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            parts.append(pd.to_datetime(col).dt.strftime("%Y-%m-%dT%H:%M:%S"))
        else:
            parts.append(col.astype("string"))
    joined = parts[0].astype("string")
    for part in parts[1:]:
        joined = joined + "\x1f" + part.astype("string")
    return joined


def _plain_values(col: pd.Series, as_text_dates: bool) -> list:
    """A column as plain Python values for the DB-API driver, ``None`` for missing (vectorised, no per-cell isna)."""
    missing = col.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(col):
        values = col.dt.strftime("%Y-%m-%d %H:%M:%S.%f").tolist() if as_text_dates else list(col.dt.to_pydatetime())
    else:
        values = col.astype(object).tolist()
    return [None if m else (v.item() if isinstance(v, np.generic) else v) for v, m in zip(values, missing, strict=True)]


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values (None for missing), for SQLAlchemy executemany (small batches)."""
    columns = {name: _plain_values(frame[name], as_text_dates=False) for name in frame.columns}
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _bulk_insert(conn: Connection, table: sa.Table, frame: pd.DataFrame, spec: Table) -> None:
    """Insert ``frame`` with the driver's executemany directly (no per-row SQLAlchemy parameter processing).

    Dates and datetimes are passed as the driver expects: ``date``/``datetime`` objects for PostgreSQL and MariaDB,
    and for SQLite the same ISO text SQLAlchemy itself writes, so reads through SQLAlchemy round-trip exactly.
    """
    sqlite = conn.dialect.name == "sqlite"
    columns: dict[str, list] = {}
    for name in frame.columns:
        col = frame[name]
        kind = spec.column(name).kind if name in spec.column_names else None
        if kind == "date":
            dates = pd.to_datetime(col)
            text = dates.dt.strftime("%Y-%m-%d")
            columns[name] = _plain_values(text if sqlite else dates.dt.date.astype(object), as_text_dates=False)
        else:
            columns[name] = _plain_values(col, as_text_dates=sqlite)
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=list(columns))
    if compiled.positional:
        params = list(zip(*[columns[name] for name in compiled.positiontup], strict=True))
    else:
        names = list(columns)
        params = [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    if params:
        conn.exec_driver_sql(str(compiled), params)


def _date_only(spec: Table, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in spec.columns:
        if col.kind == "date" and col.name in out.columns:
            out[col.name] = pd.to_datetime(out[col.name]).dt.date
    return out


def import_tables(
    engine: Engine,
    tables: Mapping[str, pd.DataFrame],
    *,
    file_name: str,
    sha256: str,
    username: str,
    rejected: Mapping[str, int] | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Write accepted canonical rows in one transaction and record the import.

    Parameters
    ----------
    tables:
        canonical table name -> DataFrame with that table's columns (extra columns such as ``source_row`` are
        ignored). Rows must already be validated (see :func:`data_loaders.load_file`).
    rejected:
        rows rejected by validation per table, recorded with the import.
    progress:
        optional callable(fraction 0-1, message) for a progress bar.

    Rows whose natural key already exists are updated only if a value changed (their old version is kept for
    rollback); identical rows are counted as unchanged, so importing the same file twice changes nothing.

    Raises
    ------
    StoreError
        for an unknown table name. Any database error rolls the whole import back and propagates.
    """
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise StoreError(f"Unknown table(s) {sorted(unknown)}; expected one of {sorted(TABLES)}.")
    rejected = dict(rejected or {})
    names = [n for n in TABLES if n in tables or n in rejected]
    if not names:
        return ImportSummary(None)
    now = datetime.now(UTC).replace(tzinfo=None)
    counts: list[TableCounts] = []
    with engine.begin() as conn:
        import_id = conn.execute(
            imports.insert().values(
                file_name=file_name[:255], sha256=sha256, username=username, imported_at=now, status="applied"
            )
        ).inserted_primary_key[0]
        for position, name in enumerate(names):
            if progress:
                progress(position / len(names), f"Writing {name}")
            frame = tables.get(name)
            if frame is None or frame.empty:
                counts.append(TableCounts(name, 0, 0, 0, rejected.get(name, 0)))
                continue
            counts.append(_upsert_table(conn, TABLES[name], frame, import_id, rejected.get(name, 0), progress))
        conn.execute(
            import_counts.insert(),
            [
                {
                    "import_id": import_id,
                    "table_name": c.table,
                    "inserted": c.inserted,
                    "updated": c.updated,
                    "unchanged": c.unchanged,
                    "rejected": c.rejected,
                }
                for c in counts
            ],
        )
        if progress:
            progress(1.0, "Import committed")
    return ImportSummary(import_id, counts)


def _upsert_table(
    conn: Connection, spec: Table, frame: pd.DataFrame, import_id: int, rejected: int, progress: Progress | None
) -> TableCounts:
    sql = SQL_TABLES[spec.name]
    data = _canonical_frame(spec, frame)
    data["row_hash"] = _row_hashes(data[spec.column_names]).to_numpy()
    data["_key"] = _key_strings(data, spec.key).to_numpy()
    existing = pd.DataFrame(
        conn.execute(sa.select(*[sql.c[k] for k in spec.key], sql.c.row_hash)).all(),
        columns=[*spec.key, "row_hash"],
    )
    for name in spec.key:
        if spec.column(name).kind in ("date", "datetime") and not existing.empty:
            existing[name] = pd.to_datetime(existing[name])
    existing_hash = (
        dict(zip(_key_strings(existing, spec.key), existing["row_hash"], strict=True)) if len(existing) else {}
    )
    old_hash = data["_key"].map(existing_hash)
    is_new = old_hash.isna()
    is_changed = ~is_new & (old_hash != data["row_hash"])
    changed = data[is_changed]
    if not changed.empty:
        keys = set(changed["_key"])
        old_rows = _read_sql_table(conn, spec)
        old_rows = old_rows[_key_strings(old_rows, spec.key).isin(keys).to_numpy()]
        conn.execute(
            superseded_rows.insert(),
            [
                {"import_id": import_id, "table_name": spec.name, "row_json": json.dumps(row, default=str)}
                for row in _records(old_rows)
            ],
        )
        key_clause = sa.and_(*[sql.c[k] == sa.bindparam(f"k_{k}") for k in spec.key])
        conn.execute(
            sql.delete().where(key_clause),
            [{f"k_{k}": v for k, v in r.items()} for r in _records(_date_only(spec, changed[list(spec.key)]))],
        )
    to_write = data[is_new | is_changed].drop(columns="_key")
    to_write["import_id"] = import_id
    for start in range(0, len(to_write), _INSERT_CHUNK):
        _bulk_insert(conn, sql, to_write.iloc[start : start + _INSERT_CHUNK], spec)
        if progress:
            progress(0.0, f"Writing {spec.name}: {min(start + _INSERT_CHUNK, len(to_write)):,} of {len(to_write):,}")
    return TableCounts(
        spec.name, int(is_new.sum()), int(is_changed.sum()), int((~is_new & ~is_changed).sum()), rejected
    )


def _read_sql_table(conn: Connection, spec: Table, where=None) -> pd.DataFrame:
    sql = SQL_TABLES[spec.name]
    # Dates come back as the driver gives them (ISO text on SQLite, date/datetime objects elsewhere) and are parsed
    # once per column by pandas, instead of row by row by SQLAlchemy's result processors.
    columns = [
        sa.type_coerce(sql.c[c.name], sa.String).label(c.name) if c.kind in ("date", "datetime") else sql.c[c.name]
        for c in spec.columns
    ]
    query = sa.select(*columns, sql.c.import_id, sql.c.row_hash)
    if where is not None:
        query = query.where(where)
    result = conn.execute(query)
    frame = pd.DataFrame(
        result.cursor.fetchall() if result.cursor is not None else [],
        columns=[*spec.column_names, "import_id", "row_hash"],
    )
    return _with_canonical_dtypes(spec, frame)


def _with_canonical_dtypes(spec: Table, frame: pd.DataFrame) -> pd.DataFrame:
    for col in spec.columns:
        values = frame[col.name]
        if col.kind in ("str", "category"):
            frame[col.name] = values.astype("string")
        elif col.kind == "int":
            frame[col.name] = pd.to_numeric(values).astype("Int64")
        elif col.kind == "float":
            frame[col.name] = pd.to_numeric(values).astype("float64")
        elif col.kind == "bool":
            frame[col.name] = values.astype("boolean")
        else:
            frame[col.name] = pd.to_datetime(values, format="ISO8601").astype("datetime64[ns]")
    return frame


def read_table(
    engine: Engine,
    name: str,
    *,
    units: Iterable[str] | None = None,
    employee_ids: Iterable[str] | None = None,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Read one canonical table with canonical dtypes.

    ``units`` keeps rows of those units (``unit`` column, or ``unit_id`` for ``units``); ``employee_ids`` keeps rows of
    those employees (``employee_id`` or, for pulse surveys, ``respondent_id``); ``start``/``end`` (inclusive start,
    exclusive end) filter :data:`DATE_COLUMN`. Returns the schema's columns plus ``import_id``; raises
    :class:`StoreError` for an unknown table. This is the store's only reader: pages go through
    :class:`access.data_access.DataAccess`.
    """
    if name not in TABLES:
        raise StoreError(f"Unknown table {name!r}.")
    clauses = _filters(name, units, employee_ids, start, end)
    with engine.connect() as conn:
        frame = _read_sql_table(conn, TABLES[name], sa.and_(*clauses) if clauses else None)
    return frame.drop(columns="row_hash")


def count_rows(
    engine: Engine, name: str, *, units: Iterable[str] | None = None, employee_ids: Iterable[str] | None = None
) -> int:
    """Number of rows :func:`read_table` would return with the same filters (a COUNT query)."""
    if name not in TABLES:
        raise StoreError(f"Unknown table {name!r}.")
    clauses = _filters(name, units, employee_ids, None, None)
    query = sa.select(sa.func.count()).select_from(SQL_TABLES[name])
    if clauses:
        query = query.where(sa.and_(*clauses))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _filters(name: str, units, employee_ids, start, end) -> list:
    sql = SQL_TABLES[name]
    clauses = []
    if units is not None:
        unit_col = "unit_id" if name == "units" else "unit"
        clauses.append(sql.c[unit_col].in_(sorted(set(units))))
    if employee_ids is not None:
        person_col = "respondent_id" if name == "pulse_surveys" else "employee_id"
        clauses.append(sql.c[person_col].in_(sorted(set(employee_ids))))
    date_col = DATE_COLUMN.get(name)
    if date_col and start is not None:
        clauses.append(sql.c[date_col] >= pd.Timestamp(start).to_pydatetime())
    if date_col and end is not None:
        clauses.append(sql.c[date_col] < pd.Timestamp(end).to_pydatetime())
    return clauses


def known_keys(engine: Engine) -> dict[str, set[str]]:
    """Natural keys already stored that other tables reference: ``{"employees": {...}, "units": {...}}``."""
    with engine.connect() as conn:
        return {
            "employees": {r[0] for r in conn.execute(sa.select(SQL_TABLES["employees"].c.employee_id))},
            "units": {r[0] for r in conn.execute(sa.select(SQL_TABLES["units"].c.unit_id))},
        }


def data_version(engine: Engine) -> str:
    """A short token that changes whenever an import or rollback changes the store (for cache keys).

    It includes the newest import and rollback times, so two different stores (e.g. in tests) do not share a token.
    """
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                sa.func.count(imports.c.import_id),
                sa.func.max(imports.c.import_id),
                sa.func.count(imports.c.rolled_back_at),
                sa.func.max(imports.c.imported_at),
                sa.func.max(imports.c.rolled_back_at),
            )
        ).one()
    return "-".join(str(v) for v in row)


def is_empty(engine: Engine) -> bool:
    """True when no import has ever been applied."""
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(imports)).scalar_one() == 0


def import_history(engine: Engine) -> pd.DataFrame:
    """One row per import and table: import_id, file_name, sha256, username, imported_at (UTC), status,
    rolled_back_at, rolled_back_by, table_name, inserted, updated, unchanged, rejected; newest first."""
    query = (
        sa.select(
            imports,
            import_counts.c.table_name,
            import_counts.c.inserted,
            import_counts.c.updated,
            import_counts.c.unchanged,
            import_counts.c.rejected,
        )
        .join(import_counts, imports.c.import_id == import_counts.c.import_id, isouter=True)
        .order_by(imports.c.import_id.desc(), import_counts.c.table_name)
    )
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


_REFERENCED_BY = {
    "employees": [
        ("shifts", "employee_id"),
        ("absences", "employee_id"),
        ("training", "employee_id"),
        ("wellbeing", "employee_id"),
    ],
    "units": [
        ("employees", "unit"),
        ("shifts", "unit"),
        ("census", "unit"),
        ("staffed_hours", "unit"),
        ("tech_rollouts", "unit"),
        ("pulse_surveys", "unit"),
        ("requisitions", "unit"),
        ("patient_experience", "unit"),
    ],
}


def rollback_import(engine: Engine, import_id: int, *, username: str) -> None:
    """Undo an applied import in one transaction: delete the rows it wrote and restore the rows it replaced.

    Raises
    ------
    StoreError
        if the import does not exist or was already rolled back, if a later applied import touched one of the same
        tables (roll that back first), or if rows of other tables still refer to employees or units the rollback
        would remove.
    """
    with engine.begin() as conn:
        row = conn.execute(sa.select(imports).where(imports.c.import_id == import_id)).one_or_none()
        if row is None:
            raise StoreError(f"Import #{import_id} does not exist.")
        if row.status != "applied":
            raise StoreError(f"Import #{import_id} was already rolled back.")
        touched = {
            r[0]
            for r in conn.execute(
                sa.select(import_counts.c.table_name).where(
                    import_counts.c.import_id == import_id,
                    (import_counts.c.inserted + import_counts.c.updated) > 0,
                )
            )
        }
        later = conn.execute(
            sa.select(import_counts.c.import_id, import_counts.c.table_name)
            .join(imports, imports.c.import_id == import_counts.c.import_id)
            .where(
                imports.c.import_id > import_id,
                imports.c.status == "applied",
                import_counts.c.table_name.in_(touched),
                (import_counts.c.inserted + import_counts.c.updated) > 0,
            )
        ).first()
        if later is not None:
            raise StoreError(
                f"Import #{later[0]} changed {later[1]} after import #{import_id}; roll back #{later[0]} first."
            )
        for name in reversed([n for n in TABLES if n in touched]):
            sql = SQL_TABLES[name]
            restored = [
                json.loads(r[0])
                for r in conn.execute(
                    sa.select(superseded_rows.c.row_json).where(
                        superseded_rows.c.import_id == import_id, superseded_rows.c.table_name == name
                    )
                )
            ]
            _check_no_orphans(conn, name, import_id, restored)
            conn.execute(sql.delete().where(sql.c.import_id == import_id))
            if restored:
                frame = _with_canonical_dtypes(TABLES[name], pd.DataFrame(restored))
                frame["import_id"] = frame["import_id"].astype(int)
                _bulk_insert(conn, sql, frame, TABLES[name])
        conn.execute(
            imports.update()
            .where(imports.c.import_id == import_id)
            .values(
                status="rolled_back", rolled_back_at=datetime.now(UTC).replace(tzinfo=None), rolled_back_by=username
            )
        )


def _check_no_orphans(conn: Connection, name: str, import_id: int, restored: list[dict]) -> None:
    if name not in _REFERENCED_BY:
        return
    key = TABLES[name].key[0]
    sql = SQL_TABLES[name]
    removed = {r[0] for r in conn.execute(sa.select(sql.c[key]).where(sql.c.import_id == import_id))}
    removed -= {r[key] for r in restored}
    if not removed:
        return
    for other, column in _REFERENCED_BY[name]:
        other_sql = SQL_TABLES[other]
        hit = conn.execute(
            sa.select(other_sql.c[column])
            .where(other_sql.c[column].in_(sorted(removed)), other_sql.c.import_id != import_id)
            .limit(1)
        ).first()
        if hit is not None:
            raise StoreError(
                f"Rolling back import #{import_id} would remove {name} {hit[0]!r}, which {other} still refers to. "
                f"Roll back the import that loaded those {other} first."
            )


def saved_mappings(engine: Engine) -> dict[str, dict[str, str]]:
    """User-saved header mappings: table -> {source header: canonical column}."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(column_mappings)).all()
    out: dict[str, dict[str, str]] = {}
    for row in rows:
        out.setdefault(row.table_name, {})[row.source_header] = row.canonical_column
    return out


def save_mapping(engine: Engine, table: str, source_header: str, canonical_column: str, *, username: str) -> None:
    """Remember that ``source_header`` means ``canonical_column`` of ``table`` (empty string = ignore it).

    Raises :class:`StoreError` if the table or column is not in the data model.
    """
    if table not in TABLES:
        raise StoreError(f"Unknown table {table!r}.")
    if canonical_column and canonical_column not in TABLES[table].column_names:
        raise StoreError(f"{table} has no column {canonical_column!r}.")
    with engine.begin() as conn:
        conn.execute(
            column_mappings.delete().where(
                column_mappings.c.table_name == table, column_mappings.c.source_header == source_header[:_KEY_LENGTH]
            )
        )
        conn.execute(
            column_mappings.insert().values(
                table_name=table,
                source_header=source_header[:_KEY_LENGTH],
                canonical_column=canonical_column,
                saved_by=username,
                saved_at=datetime.now(UTC).replace(tzinfo=None),
            )
        )
