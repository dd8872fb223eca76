"""The one data-access layer: every read of the store by the app goes through :class:`DataAccess`.

It knows the signed-in user's role and unit scope (:mod:`access.roles`) and enforces them on every call, so a page
cannot show what its user may not see even by mistake. Row-level reads of tables a role may not see raise
:class:`AccessDenied`; aggregates go through :meth:`DataAccess.aggregate`, which suppresses small groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from access.roles import IMPORT_ROLES, ROLES, SENSITIVE_TABLES, may_read_rows, sees_all_units
from access.suppression import LinkedTables, suppress_linked_tables, suppress_small_groups
from data_loaders import store
from data_loaders.database import read_database
from data_loaders.load import LoadResult
from data_loaders.schema import TABLES, TOTAL
from data_loaders.sources import Source

AuditHook = Callable[[str, str, dict], None]
"""callable(username, action, details) that records a read in the audit trail."""

_PERSON_TABLES = {"absences", "training", "wellbeing"}  # rows belong to a unit through the employee's home unit


class AccessDenied(Exception):
    """The signed-in user's role may not see this data. The message says what and why."""


@dataclass(frozen=True)
class UserContext:
    """Who is asking. ``units`` is None for roles that see every unit; a dept_head has the units they manage."""

    username: str
    role: str
    units: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"Unknown role {self.role!r}; expected one of {ROLES}.")
        if self.role == "dept_head" and not self.units:
            raise ValueError("A department head must be assigned at least one unit.")


class DataAccess:
    """Role- and scope-aware reads of the store.

    Parameters
    ----------
    engine:
        the store's engine (:func:`data_loaders.store.create_store`).
    user:
        the signed-in user.
    audit:
        optional :data:`AuditHook` called once per read with the table and filters.
    """

    def __init__(self, engine: Engine, user: UserContext, audit: AuditHook | None = None) -> None:
        self._engine = engine
        self.user = user
        self._audit = audit

    def with_audit(self, audit: AuditHook | None) -> DataAccess:
        """The same user's reads of the same store, audited through ``audit`` instead (``components.caching``
        captures what a cached computation read with it, to record it for every user the result is served to)."""
        return DataAccess(self._engine, self.user, audit)

    def record(self, action: str, details: dict) -> None:
        """Append one audit entry for this user through the audit hook (nothing without a hook)."""
        if self._audit is not None:
            self._audit(self.user.username, action, details)

    # -- scope -------------------------------------------------------------------------------------------------
    def visible_units(self) -> list[str]:
        """Unit ids this user may see, sorted (only units present in the store)."""
        all_units = store.read_table(self._engine, "units")["unit_id"].dropna().tolist()
        if sees_all_units(self.user.role):
            return sorted(all_units)
        return sorted(set(all_units) & set(self.user.units or ()))

    def can_see_individuals(self, table: str) -> bool:
        """Whether this user may read ``table`` row by row."""
        return may_read_rows(self.user.role, table)

    def data_version(self) -> str:
        """Token that changes whenever the store changes; use it in cache keys."""
        return store.data_version(self._engine)

    def _scope_units(self, units: Iterable[str] | None) -> list[str] | None:
        if units is None and sees_all_units(self.user.role):
            return None
        allowed = set(self.visible_units())
        return sorted(allowed if units is None else allowed & set(units))

    # -- row-level reads ---------------------------------------------------------------------------------------
    def table(
        self, name: str, units: Iterable[str] | None = None, start: object = None, end: object = None
    ) -> pd.DataFrame:
        """Rows of canonical table ``name`` that this user may see.

        Columns and dtypes are those of :mod:`data_loaders.schema` plus ``import_id``. Rows are limited to the
        user's units intersected with ``units``; ``start`` (inclusive) and ``end`` (exclusive) filter the table's
        main date column (:data:`data_loaders.store.DATE_COLUMN`).

        Raises
        ------
        AccessDenied
            if the role may not read this table row by row.
        KeyError
            if ``name`` is not a canonical table.
        """
        self._check_rows(name)
        self._record("read", name, units=units, start=start, end=end)
        return self._read(name, self._scope_units(units), start, end)

    def row_count(self, name: str) -> int:
        """Rows of ``name`` this user may see; raises :class:`AccessDenied` like :meth:`table`."""
        self._check_rows(name)
        units = self._scope_units(None)
        if units is None:
            return store.count_rows(self._engine, name)
        if name in _PERSON_TABLES:
            staff = store.read_table(self._engine, "employees", units=units)["employee_id"].dropna()
            return store.count_rows(self._engine, name, employee_ids=staff)
        return store.count_rows(self._engine, name, units=units)

    def _check_rows(self, name: str) -> None:
        if name not in TABLES:
            raise KeyError(f"Unknown table {name!r}.")
        if not may_read_rows(self.user.role, name):
            kind = "sensitive health or survey data" if name in SENSITIVE_TABLES else "individual employees' data"
            raise AccessDenied(
                f"The {self.user.role} role may not see {name} row by row ({kind}); only aggregates are available."
            )

    def _read(self, name: str, units: list[str] | None, start: object, end: object) -> pd.DataFrame:
        if units is None:
            return store.read_table(self._engine, name, start=start, end=end)
        if name in _PERSON_TABLES:
            staff = store.read_table(self._engine, "employees", units=units)["employee_id"].dropna()
            return store.read_table(self._engine, name, employee_ids=staff, start=start, end=end)
        return store.read_table(self._engine, name, units=units, start=start, end=end)

    # -- aggregates --------------------------------------------------------------------------------------------
    def aggregate(
        self,
        compute: Callable[[dict[str, pd.DataFrame]], pd.DataFrame],
        tables: Sequence[str],
        value_columns: Sequence[str],
        units: Iterable[str] | None = None,
        dimensions: Sequence[str] = ("unit", "role", "period"),
        *,
        linked: LinkedTables | None = None,
        derive: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    ) -> pd.DataFrame:
        """Run ``compute`` over row-level tables inside the layer and return only its aggregate result.

        ``compute`` receives ``{table: DataFrame}`` for ``tables`` over the user's WHOLE visible scope and must
        return an aggregate frame with a ``people`` column (distinct people behind each row). If any of ``tables``
        is sensitive, rows under the minimum group size are suppressed with complementary suppression: along
        ``dimensions`` (:func:`access.suppression.suppress_small_groups`), or — when ``linked`` describes how the
        rows add up across views (granularities, merger settings) — all rows jointly as one protection problem
        (:func:`access.suppression.suppress_linked_tables`). ``linked.derived_columns`` (values copied from other
        rows, such as a prior period's value) are dropped before suppression; ``derive`` then computes columns from
        the suppressed table, so it can only see published cells. Only then are rows limited to ``units`` (a filter
        never changes the population an aggregate is computed over, so two filters cannot be differenced to reveal
        a hidden group). Returns the frame plus a boolean ``suppressed`` column (``linked.covers`` removed).

        Raises ``ValueError`` if the result lacks ``people``; ``KeyError`` for an unknown table.
        """
        for name in tables:
            if name not in TABLES:
                raise KeyError(f"Unknown table {name!r}.")
        self._record("aggregate", ",".join(tables), units=units)
        scope = self._scope_units(None)
        frames = {name: self._read(name, scope, None, None) for name in tables}
        result = compute(frames)
        if "people" not in result.columns:
            raise ValueError("An aggregate must say how many people each row describes (a 'people' column).")
        sensitive = any(name in SENSITIVE_TABLES for name in tables)
        if linked is not None and sensitive:
            result = suppress_linked_tables(result, value_columns, linked)
        elif linked is not None:
            dropped = [*linked.covers, *linked.derived_columns]
            result = result.drop(columns=[c for c in dropped if c in result.columns]).assign(suppressed=False)
        elif sensitive:
            result = suppress_small_groups(result, value_columns, dimensions)
        else:
            result = result.assign(suppressed=False)
        if derive is not None:
            result = derive(result)
        if units is not None and "unit" in result.columns:
            wanted = set(units)
            result = result[result["unit"].isin(wanted) | (result["unit"] == TOTAL)]
        return result.reset_index(drop=True)

    # -- imports (HR officer and admin) -----------------------------------------------------------------------
    def _require_importer(self, what: str) -> None:
        if self.user.role not in IMPORT_ROLES:
            raise AccessDenied(f"Only HR officers and administrators may {what}.")

    def known_keys(self) -> dict[str, set[str]]:
        """Employee and unit keys already stored, for reference checks of an upload (importers only)."""
        self._require_importer("import data")
        return store.known_keys(self._engine)

    def saved_mappings(self) -> dict[str, dict[str, str]]:
        """Header mappings saved by users: table -> {source header: canonical column} (importers only)."""
        self._require_importer("see header mappings")
        return store.saved_mappings(self._engine)

    def save_mapping(self, table: str, source_header: str, canonical_column: str) -> None:
        """Remember a header mapping for future uploads (audited). Raises AccessDenied or StoreError."""
        self._require_importer("save header mappings")
        store.save_mapping(self._engine, table, source_header, canonical_column, username=self.user.username)
        self._record("mapping_saved", table, source_header=source_header, canonical_column=canonical_column)

    def import_tables(
        self,
        tables: dict[str, pd.DataFrame],
        *,
        file_name: str,
        sha256: str,
        rejected: dict[str, int],
        progress: store.Progress | None = None,
    ) -> store.ImportSummary:
        """Write validated rows in one transaction (:func:`data_loaders.store.import_tables`), audited. An import
        of anything but the bundled sample disables the demo accounts (:mod:`access.auth`, issue 11 finding 3)."""
        self._require_importer("import data")
        summary = store.import_tables(
            self._engine,
            tables,
            file_name=file_name,
            sha256=sha256,
            username=self.user.username,
            rejected=rejected,
            progress=progress,
        )
        self._record("import", ",".join(tables), file_name=file_name, sha256=sha256, import_id=summary.import_id)
        from access.auth import retire_demo_accounts_after_import  # here: access.auth imports this module

        retire_demo_accounts_after_import(self._engine, importer=self.user.username, file_name=file_name, sha256=sha256)
        return summary

    def read_source(
        self,
        source: Source,
        tables: Mapping[str, str],
        params: Mapping[str, object] | None = None,
        progress: store.Progress | None = None,
    ) -> LoadResult:
        """Read canonical tables from a configured database source (importers only; nothing is stored).

        ``tables``: canonical table -> source table name or SELECT query (:func:`data_loaders.database.read_database`,
        which refuses the app's own store). Every call is audited as ``source_read`` with the source's name, each
        table's name or query, the parameters, and rows accepted and rejected per table, also when it fails.
        Raises :class:`AccessDenied` for other roles.
        """
        self._require_importer("read from a database source")
        details: dict[str, object] = {
            "source": source.name,
            "queries": [f"{table}: {text}" for table, text in tables.items()],
            "params": [f"{name}={value}" for name, value in (params or {}).items()],
        }
        try:
            result = read_database(
                source,
                tables,
                params,
                progress=progress,
                known_keys=store.known_keys(self._engine),
                store_url=self._engine.url,
            )
        except Exception:
            self._record("source_read", ",".join(tables), outcome="failed", **details)
            raise
        errors = result.errors
        rows = []
        for table in tables:
            accepted = len(result.tables.get(table, ()))
            rejected = errors.loc[errors["table"] == table, "row"].dropna().nunique()
            rows.append(f"{table}: {accepted} accepted, {rejected} rejected")
        problems = errors.loc[errors["row"].isna(), "reason"].tolist()
        self._record("source_read", ",".join(tables), rows=rows, problems=problems or None, **details)
        return result

    def import_history(self) -> pd.DataFrame:
        """Every import with per-table counts, newest first (importers only)."""
        self._require_importer("see the import history")
        return store.import_history(self._engine)

    def rollback_import(self, import_id: int) -> None:
        """Undo an import (:func:`data_loaders.store.rollback_import`), audited. Raises AccessDenied/StoreError."""
        self._require_importer("roll back imports")
        store.rollback_import(self._engine, import_id, username=self.user.username)
        self._record("rollback", "", import_id=import_id)

    def _record(self, action: str, table: str, **filters: object) -> None:
        if self._audit is None:
            return
        details = {
            "table": table,
            **{
                k: (sorted(v) if isinstance(v, (set, frozenset, list, tuple)) else str(v))
                for k, v in filters.items()
                if v is not None
            },
        }
        self._audit(self.user.username, action, details)
