"""Files and databases in, canonical DataFrames out.

Public API: :func:`load_file`, :func:`load_frames`, :class:`LoadResult` and :class:`SheetReport`
(see ``docs/loading.md``); :func:`data_loaders.database.read_database` for SQL sources. They are
imported lazily so that ``data_loaders.schema`` and ``data_loaders.settings`` stay light to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from data_loaders.load import LoadResult, SheetReport, load_file, load_frames

__all__ = ["LoadResult", "SheetReport", "load_file", "load_frames"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from data_loaders import load

        return getattr(load, name)
    raise AttributeError(f"module 'data_loaders' has no attribute {name!r}")
