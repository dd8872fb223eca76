"""The one caching policy of the app's pages.

- A cached result is keyed on the access scope — role and units, which decide what :class:`DataAccess` returns —
  the store's data version (any import or rollback changes it, so nothing is cleared by hand), the computation and
  its (small, hashable) arguments. Two users of the same scope share a computation; a department head of ICU
  never receives one computed for ED.
- Reads are audited per user and per call: the reads a computation made (``read``/``aggregate`` entries) are
  captured when it runs and appended to the trail for the current user on every call, whether the cache served it
  or not (with ``"cached": "yes"`` when it did).
- Results are DataFrames and plain values in ``st.cache_data`` (copied per caller); ``st.cache_resource`` holds only
  connections and locks, never data.

Use it as a decorator on a function whose first argument is the :class:`DataAccess`::

    @scoped_cache(show_spinner="Matching skills…")
    def skills(da: DataAccess, day: pd.Timestamp) -> pd.DataFrame: ...
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import streamlit as st

from access.data_access import DataAccess

P = ParamSpec("P")
R = TypeVar("R")

TTL_SECONDS = 3600
"""Entries expire after an hour even if the data did not change (bounded memory; benchmarks stay fresh)."""
MAX_ENTRIES = 128

_run = threading.local()


def access_scope(da: DataAccess) -> tuple[str, tuple[str, ...], str]:
    """(role, sorted units, data version): everything a read through ``da`` depends on besides its arguments."""
    return (da.user.role, tuple(sorted(da.user.units or ())), da.data_version())


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _cached(computation: tuple[str, str], scope: tuple, args: tuple, kwargs: tuple, _compute, _da: DataAccess):
    """Run ``_compute`` with a DataAccess that captures its audit entries; cached on the first four arguments."""
    _run.computed = True
    captured: list[tuple[str, dict]] = []
    quiet = _da.with_audit(lambda _user, action, details: captured.append((action, details)))
    return _compute(quiet, *args, **dict(kwargs)), tuple(captured)


def scoped_cache(
    show_spinner: bool | str = False,
) -> Callable[[Callable[Concatenate[DataAccess, P], R]], Callable[Concatenate[DataAccess, P], R]]:
    """Decorator applying the policy to ``compute(da, *args, **kwargs)``; see the module docstring.

    Arguments must be hashable by ``st.cache_data`` (str, numbers, Timestamps, tuples); the computation is told
    apart by its file and qualified name, so two pages' functions never share entries.
    """

    def decorate(compute: Callable[Concatenate[DataAccess, P], R]) -> Callable[Concatenate[DataAccess, P], R]:
        computation = (compute.__code__.co_filename, compute.__qualname__)

        @functools.wraps(compute)
        def call(da: DataAccess, *args: P.args, **kwargs: P.kwargs) -> R:
            enclosing = getattr(_run, "computed", None)  # a cached computation may call another one
            _run.computed = False
            run = functools.partial(
                _cached, computation, access_scope(da), args, tuple(sorted(kwargs.items())), _compute=compute, _da=da
            )
            try:
                if show_spinner:
                    with st.spinner(show_spinner if isinstance(show_spinner, str) else None):
                        result, reads = run()
                else:
                    result, reads = run()
                computed = bool(_run.computed)
            finally:
                _run.computed = enclosing
            served = {} if computed else {"cached": "yes"}
            for action, details in reads:
                da.record(action, {**details, **served})
            return result

        return call

    return decorate


def clear() -> None:
    """Forget every cached result (tests; the app never needs it: the data version invalidates)."""
    _cached.clear()


__all__ = ["MAX_ENTRIES", "TTL_SECONDS", "access_scope", "clear", "scoped_cache"]
