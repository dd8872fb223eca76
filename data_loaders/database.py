"""Read canonical tables from a SQL database (PostgreSQL, MariaDB/MySQL, SQLite, ...).

``sources`` maps a canonical table to either a real table (or view) name in the source database,
checked with ``sqlalchemy.inspect`` and selected through SQLAlchemy Core so the name is quoted by
the dialect, or a SQL query (``SELECT``/``WITH`` text) whose values are bound parameters
(``:since``) filled from ``params`` by ``sqlalchemy.text(query).bindparams(...)`` — values are never
formatted into SQL. Rows are fetched in chunks of ``chunksize`` with a streaming cursor, then go
through the same mapping and validation as files (:func:`data_loaders.load_frames`), so column
names may be any alias of the data model. Nothing is written: the connection is only read from
and its transaction rolled back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping

import pandas as pd
import sqlalchemy as sa

from data_loaders.load import LoadResult, _prepare_frame, _Prepared, _problem, _validate
from data_loaders.schema import TABLES
from data_loaders.validation import empty_table

Progress = Callable[[float, str], None]

_QUERY_START = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)


def _is_query(source: str) -> bool:
    return bool(_QUERY_START.match(source))


def read_database(
    url_or_engine: str | sa.Engine,
    sources: dict[str, str],
    params: Mapping[str, object] | None = None,
    chunksize: int = 50_000,
    progress: Progress | None = None,
    *,
    known_keys: dict[str, set] | None = None,
    today: dt.date | None = None,
) -> LoadResult:
    """Read each source into its canonical table and validate it.

    ``sources``: canonical table -> source table name or SQL query. ``params``: values of the
    query's bound parameters (each query receives the ones it names). ``progress(fraction, message)``
    is called as chunks arrive (fraction 0-1). Problems (unknown table, bad query, connection
    failure, invalid rows) are rows of ``LoadResult.problems``; raises ``ValueError`` only for a
    canonical table name that does not exist (a programming error).
    """
    unknown = [t for t in sources if t not in TABLES]
    if unknown:
        raise ValueError(f"unknown canonical table(s) {unknown}; choose from {sorted(TABLES)}")
    prepared = _Prepared()
    empty: list[str] = []
    try:
        engine = sa.create_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
        with engine.connect() as conn:
            names = _real_tables(conn)
            for position, (table, source) in enumerate(sources.items()):
                label = f"query for {table}" if _is_query(source) else source
                frame = _read_source(
                    conn,
                    table,
                    source,
                    names,
                    dict(params or {}),
                    chunksize,
                    prepared,
                    progress,
                    position,
                    len(sources),
                )
                if frame is None:
                    continue
                if frame.empty:
                    empty.append(table)
                    prepared.problems.append(
                        _problem(table, label, None, "", "", "The source returned no rows.", "warning")
                    )
                    continue
                _prepare_frame(label, frame, prepared, table_hint=table, first_data_row=1, header_row=None)
            conn.rollback()
    except sa.exc.SQLAlchemyError as exc:
        prepared.problems.append(
            _problem(
                "",
                "",
                None,
                "",
                "",
                f"The database could not be read ({_short(exc)}). Check the address, user "
                "and password, and that the server is running.",
                "error",
            )
        )
    if progress:
        progress(1.0, "validating rows")
    result = _validate(prepared, known_keys, today)
    for table in empty:
        result.tables.setdefault(table, empty_table(TABLES[table]))
    return result


def _short(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]


def _real_tables(conn: sa.Connection) -> set[str]:
    inspector = sa.inspect(conn)
    return set(inspector.get_table_names()) | set(inspector.get_view_names())


def _read_source(
    conn: sa.Connection,
    table: str,
    source: str,
    names: set[str],
    params: dict[str, object],
    chunksize: int,
    prepared: _Prepared,
    progress: Progress | None,
    position: int,
    count: int,
) -> pd.DataFrame | None:
    if _is_query(source):
        statement = sa.text(source)
        needed = set(statement.compile().params)
        missing = sorted(needed - set(params))
        if missing:
            prepared.problems.append(
                _problem(
                    table,
                    f"query for {table}",
                    None,
                    "",
                    source[:200],
                    f"The query needs values for {', '.join(missing)}; give them as parameters.",
                    "error",
                )
            )
            return None
        statement = statement.bindparams(**{k: params[k] for k in needed})
        total = None
        label = f"query for {table}"
    else:
        if source not in names:
            prepared.problems.append(
                _problem(
                    table,
                    source,
                    None,
                    "",
                    source[:200],
                    f"'{source}' is not a table or view in the source "
                    "database; choose one of its tables or write a SELECT query.",
                    "error",
                )
            )
            return None
        reflected = sa.Table(source, sa.MetaData(), autoload_with=conn)
        statement = sa.select(reflected)
        total = conn.execute(sa.select(sa.func.count()).select_from(reflected)).scalar_one()
        label = source
    chunks = []
    read = 0
    try:
        stream = conn.execution_options(stream_results=True, max_row_buffer=chunksize)
        for chunk in pd.read_sql(statement, stream, chunksize=chunksize, coerce_float=True):
            chunks.append(chunk)
            read += len(chunk)
            if progress:
                within = read / total if total else 1.0
                progress(min((position + within) / count, 1.0) * 0.9, f"{label}: {read:,} rows read")
    except sa.exc.DBAPIError as exc:
        conn.rollback()
        prepared.problems.append(
            _problem(
                table,
                label,
                None,
                "",
                source[:200],
                f"The source could not be read ({_short(exc)}). Check the query or table.",
                "error",
            )
        )
        return None
    if not chunks:
        return pd.DataFrame()
    return pd.concat(chunks, ignore_index=True)
