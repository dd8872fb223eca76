"""Read canonical tables from a named database source (:mod:`data_loaders.sources`): PostgreSQL, MariaDB, MySQL.

``tables`` maps a canonical table to either a real table (or view) name in the source database, checked with
``sqlalchemy.inspect`` and selected through SQLAlchemy Core so the name is quoted by the dialect, or one read-only
``SELECT`` checked by :func:`data_loaders.source_query.checked_select` (sqlglot), whose values are bound parameters
(``:since``) filled from ``params`` — values are never formatted into SQL. What runs is the parser's rendering of
the checked query. Rows are fetched in chunks of ``chunksize`` with a streaming cursor, then go through the same
mapping and validation as files (:func:`data_loaders.load_frames`), so column names may be any alias of the data
model. The session is read-only on the server (:func:`data_loaders.sources.source_engine`) and its transaction is
rolled back.

Failures are reported as sentences that never include the server's own message: server messages can carry data
(``invalid input syntax for type integer: "root:x:0:0…"``) or tell hosts and ports apart. Every connection failure
reads "Could not connect to source '<name>'"; a failing query is classified by its SQLSTATE or MySQL error number
only (:func:`_query_failure`). Rows of a table whose read failed are discarded, so nothing read before the failure
reaches the report. The server log keeps the details for the administrator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import pandas as pd
import sqlalchemy as sa

from data_loaders.load import LoadResult, _prepare_frame, _Prepared, _problem, _validate
from data_loaders.schema import TABLES
from data_loaders.source_query import QueryRefused, checked_select
from data_loaders.sources import Source, SourceConfigError, is_app_store, source_engine
from data_loaders.validation import empty_table

Progress = Callable[[float, str], None]

_TIMED_OUT = {"57014", 1969, 3024}  # PostgreSQL query_canceled; MariaDB ER_STATEMENT_TIMEOUT; MySQL 3024
_READ_ONLY = {"25006", 1792}  # read_only_sql_transaction; ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
_NOT_PERMITTED = {"42501", 1044, 1142, 1143, 1227, 1045}
_UNKNOWN_NAME = {"42P01", "42703", "42883", 1146, 1054, 1305}


def connection_failure(source_name: str) -> str:
    """The one message for every connection failure (refused, unreachable, unknown host, bad password, TLS)."""
    return (
        f"Could not connect to source '{source_name}'. Ask your administrator to check that the server is running "
        "and that the source's configuration is right."
    )


def read_database(
    source: Source,
    tables: Mapping[str, str],
    params: Mapping[str, object] | None = None,
    chunksize: int = 50_000,
    progress: Progress | None = None,
    *,
    known_keys: dict[str, set] | None = None,
    today: dt.date | None = None,
    store_url: str | sa.URL | None = None,
) -> LoadResult:
    """Read each entry of ``tables`` from ``source`` into its canonical table and validate it.

    ``tables``: canonical table -> source table name or SELECT query. ``params``: values of the queries' bound
    parameters (each query receives the ones it names). ``progress(fraction, message)`` is called as chunks arrive
    (fraction 0-1). ``store_url``: the app's store; a source that is the store is refused before connecting
    (:func:`data_loaders.sources.is_app_store`). Problems (refused query, unknown table, failing query, connection
    failure, invalid rows) are rows of ``LoadResult.problems``; raises ``ValueError`` only for a canonical table
    name that does not exist (a programming error).
    """
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise ValueError(f"unknown canonical table(s) {unknown}; choose from {sorted(TABLES)}")
    prepared = _Prepared()
    empty: list[str] = []
    if store_url is not None and is_app_store(source, store_url):
        prepared.problems.append(_source_problem(f"Source '{source.name}' is the app's own store and is not read."))
        return _validate(prepared, known_keys, today)
    try:
        engine = source_engine(source)
    except SourceConfigError as error:
        prepared.problems.append(_source_problem(f"Source '{source.name}' is not usable: {error}"))
        return _validate(prepared, known_keys, today)
    try:
        try:
            conn = engine.connect()
            names = _real_tables(conn)
        except (sa.exc.SQLAlchemyError, OSError):
            prepared.problems.append(_source_problem(connection_failure(source.name)))
            return _validate(prepared, known_keys, today)
        with conn:
            for position, (table, text) in enumerate(tables.items()):
                label = text if text in names else f"query for {table}"
                within = _within_table(progress, position, len(tables))
                frame = _read_one(conn, source, table, text, names, dict(params or {}), chunksize, prepared, within)
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
    finally:
        engine.dispose()
    if progress:
        progress(1.0, "validating rows")
    result = _validate(prepared, known_keys, today)
    for table in empty:
        result.tables.setdefault(table, empty_table(TABLES[table]))
    return result


def _within_table(progress: Progress | None, position: int, count: int) -> Progress | None:
    """Progress of table ``position`` of ``count`` (its own 0-1) as a share of the first 90 % of the whole read."""
    if progress is None:
        return None
    return lambda within, message: progress(min((position + within) / count, 1.0) * 0.9, message)


def _source_problem(reason: str) -> pd.DataFrame:
    return _problem("", "", None, "", "", reason, "error")


def _real_tables(conn: sa.Connection) -> set[str]:
    inspector = sa.inspect(conn)
    return set(inspector.get_table_names()) | set(inspector.get_view_names())


def _statement(
    conn: sa.Connection, source: Source, table: str, text: str, names: set[str], params: dict[str, object]
) -> tuple[sa.Executable, str, int | None]:
    """The statement to run for one entry, its label and its row count if known (a real table); raises
    QueryRefused with a sentence for the user."""
    if text in names:
        reflected = sa.Table(text, sa.MetaData(), autoload_with=conn)
        total = conn.execute(sa.select(sa.func.count()).select_from(reflected)).scalar_one()
        return sa.select(reflected), text, total
    try:
        query = checked_select(text, source.sqlglot_dialect)
    except QueryRefused as refused:
        raise QueryRefused(
            f"'{text[:80]}' is not a table or view of source '{source.name}', and as a query it is refused: {refused}"
        ) from None
    missing = sorted(query.parameters - set(params))
    if missing:
        raise QueryRefused(f"The query needs values for {', '.join(missing)}; give them as parameters.")
    statement = sa.text(query.sql).bindparams(**{name: params[name] for name in query.parameters})
    return statement, f"query for {table}", None


def _read_one(
    conn: sa.Connection,
    source: Source,
    table: str,
    text: str,
    names: set[str],
    params: dict[str, object],
    chunksize: int,
    prepared: _Prepared,
    progress: Progress | None,
) -> pd.DataFrame | None:
    """Rows of one entry, or None after recording why it could not be read (nothing partial is kept)."""
    try:
        statement, label, total = _statement(conn, source, table, text, names, params)
    except QueryRefused as refused:
        prepared.problems.append(_problem(table, f"query for {table}", None, "", text[:200], str(refused), "error"))
        return None
    except sa.exc.SQLAlchemyError as error:
        prepared.problems.append(_problem(table, text, None, "", "", _query_failure(source, table, error), "error"))
        return None
    chunks = []
    read = 0
    try:
        stream = conn.execution_options(stream_results=True, max_row_buffer=chunksize)
        for chunk in pd.read_sql(statement, stream, chunksize=chunksize, coerce_float=True):
            chunks.append(chunk)
            read += len(chunk)
            if progress:
                progress(min(read / total, 1.0) if total else 1.0, f"{label}: {read:,} rows read")
    except (sa.exc.SQLAlchemyError, pd.errors.DatabaseError) as error:
        chunks.clear()
        conn.rollback()
        prepared.problems.append(_problem(table, label, None, "", "", _query_failure(source, table, error), "error"))
        return None
    if not chunks:
        return pd.DataFrame()
    return pd.concat(chunks, ignore_index=True)


def _query_failure(source: Source, table: str, error: BaseException) -> str:
    """A sentence for a failed read, from the error's SQLSTATE / MySQL error number only (never its text)."""
    code = _error_code(error)
    where = f"Reading {table} from source '{source.name}'"
    if code in _TIMED_OUT:
        return f"{where} took longer than the source's limit of {source.statement_timeout_seconds:g} s and was stopped."
    if code in _READ_ONLY:
        return f"{where} was stopped: it tried to change data, and sources are read only."
    if code in _NOT_PERMITTED:
        return f"{where} was refused by the server: the source's database role may not read that."
    if code in _UNKNOWN_NAME:
        return f"{where} failed: the query names a table, column or function the source does not have."
    return (
        f"{where} failed on the server. Its message is not shown here (it can contain data); "
        "the administrator finds it in the server's log."
    )


def _error_code(error: BaseException) -> str | int | None:
    """The driver's SQLSTATE (psycopg) or error number (PyMySQL), found through SQLAlchemy's and pandas' wrappers."""
    seen: BaseException | None = error
    for _ in range(6):
        if seen is None:
            return None
        args = getattr(seen, "args", ())
        if args and isinstance(args[0], int):  # PyMySQL: (errno, message); its sqlstate is coarser
            return args[0]
        if getattr(seen, "sqlstate", None):
            return str(seen.sqlstate)
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return None
