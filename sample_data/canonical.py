"""Cast generated frames to the canonical columns and dtypes of ``data_loaders/schema.py``."""

from __future__ import annotations

import pandas as pd

from data_loaders.schema import PANDAS_DTYPES, TABLES

DTYPES = PANDAS_DTYPES
"""Pandas dtype of each schema column kind, from the schema (dates are midnight timestamps)."""


def canonical(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with exactly the columns of ``table`` in schema order and their canonical dtypes.

    Columns the generator does not fill are added empty. Raises ``KeyError`` for an unknown table
    and ``ValueError`` if ``frame`` has a column the schema does not declare.
    """
    spec = TABLES[table]
    extra = set(frame.columns) - set(spec.column_names)
    if extra:
        raise ValueError(f"{table}: columns {sorted(extra)} are not in the canonical data model.")
    out = {}
    for col in spec.columns:
        dtype = DTYPES[col.kind]
        if col.name not in frame.columns:
            out[col.name] = pd.Series(index=frame.index, dtype=dtype)
            continue
        values = frame[col.name]
        if col.kind == "date":
            values = pd.to_datetime(values).dt.normalize()
        out[col.name] = values.astype(dtype)
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)
