"""Check that a query typed for a database source is one read-only ``SELECT``, with a real SQL parser.

:func:`checked_select` parses the text with `sqlglot <https://sqlglot.com>`_ in the source's dialect and accepts it
only if it is exactly one statement whose root is a ``SELECT`` (or ``UNION``/``INTERSECT``/``EXCEPT`` of them,
``WITH`` allowed) and nothing inside it writes, locks, exports or calls a function outside
:data:`ALLOWED_FUNCTIONS`. Anything sqlglot cannot parse is refused (MariaDB's ``SELECT … INTO OUTFILE`` is one).

What runs on the server is the parser's own rendering of the checked tree, without comments, never the typed text:
MariaDB and MySQL execute the inside of ``/*! … */`` comments, which a parser rightly reads as comments, so running
the typed text would run what was never checked.

Functions are an allow-list, not a deny-list: file readers (``LOAD_FILE``, ``pg_read_file``, ``lo_import``), sleeps
(``pg_sleep``, ``SLEEP``, ``BENCHMARK``), remote links (``dblink``), settings (``set_config``) and functions that run
SQL given as text (``query_to_xml``) have too many siblings across dialects and versions for a deny-list to stay
complete, while an HR extract needs few functions: aggregates, ``CASE``/``COALESCE``, casts, text and date helpers.
A function outside the list is refused by name; an administrator can add one to :data:`ALLOWED_FUNCTIONS` or
:data:`ALLOWED_FUNCTION_NAMES` after checking it cannot read files, sleep, write or run text as SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

MAX_QUERY_CHARACTERS = 20_000
"""Longest query accepted (characters); a bound on parsing work. HR extracts are a few hundred characters."""

ALLOWED_FUNCTIONS: frozenset[type[exp.Func]] = frozenset(
    {
        # logic written as operators, which sqlglot models as functions
        exp.And, exp.Or, exp.Xor, exp.Exists,
        # aggregates and window functions
        exp.Count, exp.CountIf, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.GroupConcat,
        exp.RowNumber, exp.Rank, exp.DenseRank, exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue,
        # conditionals and casts
        exp.Case, exp.If, exp.Coalesce, exp.Nullif, exp.Greatest, exp.Least, exp.Cast, exp.TryCast,
        # text
        exp.Upper, exp.Lower, exp.Trim, exp.Substring, exp.Concat, exp.ConcatWs, exp.Length, exp.Left, exp.Right,
        exp.Replace, exp.Pad, exp.SplitPart, exp.StrPosition,
        # numbers
        exp.Abs, exp.Round, exp.Floor, exp.Ceil, exp.Pow,
        # dates and times
        exp.CurrentDate, exp.CurrentTimestamp, exp.Extract, exp.DateTrunc, exp.TimestampTrunc, exp.DateAdd,
        exp.DateSub, exp.DateDiff, exp.TimestampDiff, exp.StrToDate, exp.StrToTime, exp.TimeToStr,
        exp.TsOrDsToDate, exp.TsOrDsToTimestamp, exp.Timestamp, exp.Year, exp.Month, exp.Day, exp.LastDay,
        exp.UnixToTime,
    }
)  # fmt: skip
"""Function classes (sqlglot's typed functions) a source query may call."""

ALLOWED_FUNCTION_NAMES: frozenset[str] = frozenset({"now", "curdate", "age", "make_date", "date_part", "dayofweek"})
"""Lower-case names of harmless functions sqlglot does not model (it parses them as ``Anonymous``)."""

_WRITES = (exp.DML, exp.DDL, exp.Drop, exp.Alter, exp.Command, exp.Set, exp.Use, exp.Transaction, exp.Commit)
_SYSTEM_SCHEMAS = {"pg_catalog", "pg_toast", "information_schema", "mysql", "performance_schema", "sys"}


class QueryRefused(ValueError):
    """The query is not one read-only SELECT this app runs. The message is a sentence for the user."""


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed :func:`checked_select`.

    ``sql``: the parser's rendering in the source's dialect, bound parameters written ``:name`` for
    ``sqlalchemy.text``; ``parameters``: the names of those parameters.
    """

    sql: str
    parameters: frozenset[str]


def checked_select(text: str, dialect: str) -> CheckedQuery:
    """Parse ``text`` in sqlglot ``dialect`` ("postgres", "mysql") and return it as a :class:`CheckedQuery`.

    Raises
    ------
    QueryRefused
        for anything but one read-only SELECT: several statements, a statement other than SELECT, a write inside a
        ``WITH``, ``SELECT … INTO``, a locking clause (``FOR UPDATE``/``FOR SHARE``), a function outside
        :data:`ALLOWED_FUNCTIONS`/:data:`ALLOWED_FUNCTION_NAMES`, a server or user variable (``@@version``, ``@x``),
        a system schema (``pg_catalog``, ``information_schema``, ``mysql``, ``pg_*`` tables), a parameter that is
        not named (``?``, ``%s``), text longer than :data:`MAX_QUERY_CHARACTERS`, or text the parser cannot read.
    """
    if len(text) > MAX_QUERY_CHARACTERS:
        raise QueryRefused(f"The query is longer than {MAX_QUERY_CHARACTERS:,} characters.")
    try:
        statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    except SqlglotError:
        raise QueryRefused(
            "The query could not be read as a single SELECT statement (SELECT … INTO, OUTFILE and other forms "
            "this app does not run are refused this way too)."
        ) from None
    if len(statements) != 1:
        raise QueryRefused("Give exactly one SELECT statement (no semicolon-separated statements).")
    tree = statements[0]
    if not isinstance(tree, (exp.Select, exp.SetOperation, exp.Subquery)):
        raise QueryRefused(f"Only SELECT queries are run; this is a {tree.key.upper()} statement.")
    for node in tree.walk():
        _check_node(node, dialect)
    parameters = set()
    for placeholder in list(tree.find_all(exp.Placeholder)):
        name = placeholder.name
        if not (name and name.isascii() and name.isidentifier()):
            raise QueryRefused("Name every parameter, e.g. WHERE start >= :since (not ? or %s).")
        parameters.add(name)
        placeholder.replace(exp.var(f":{name}"))
    return CheckedQuery(sql=tree.sql(dialect=dialect, comments=False), parameters=frozenset(parameters))


def _check_node(node: exp.Expression, dialect: str) -> None:
    if isinstance(node, _WRITES):
        raise QueryRefused(f"The query contains a {node.key.upper()} statement; only reading is allowed.")
    if isinstance(node, exp.Into):
        raise QueryRefused("SELECT … INTO is not allowed: a source query only reads.")
    if isinstance(node, exp.Lock):
        raise QueryRefused("Locking clauses (FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE) are not allowed.")
    if isinstance(node, exp.CTE) and not isinstance(node.this, exp.Query):
        raise QueryRefused("Every WITH part must itself be a SELECT.")
    if isinstance(node, (exp.SessionParameter, exp.Parameter)):
        raise QueryRefused("Server and session variables (@@name, @name) are not allowed in a source query.")
    if isinstance(node, exp.Table):
        schema = node.db.lower()
        if schema in _SYSTEM_SCHEMAS or (dialect == "postgres" and node.name.lower().startswith("pg_")):
            raise QueryRefused(f"System tables ({node.sql(dialect=dialect)}) are not read by this app.")
    if isinstance(node, exp.Func) and not _allowed_function(node):
        name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
        raise QueryRefused(
            f"The function {name.upper()} is not on this app's list of functions allowed in source queries "
            "(docs/loading.md lists them)."
        )


def _allowed_function(node: exp.Func) -> bool:
    if isinstance(node, exp.Anonymous):
        return node.name.lower() in ALLOWED_FUNCTION_NAMES
    return type(node) in ALLOWED_FUNCTIONS
