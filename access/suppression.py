"""Small-group suppression with complementary suppression.

Rule: a row of an aggregate of sensitive data that describes fewer than ``MIN_GROUP_SIZE`` people is shown as
suppressed (values NaN). Complementary suppression: along every dimension of the table, within each group of rows
that differ only in that dimension (e.g. all roles of one unit and month, including an "All" total row), a single
suppressed row could be recovered from the others and the total, so the next-smallest row is suppressed too; this
repeats until no group has exactly one suppressed row. This is the classic secondary-suppression rule for tabular
data (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 7).

Differencing across filters is prevented by construction in :meth:`access.data_access.DataAccess.aggregate`: the
population an aggregate is computed over never depends on a filter; filters only select rows of the already
suppressed table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from access.roles import MIN_GROUP_SIZE


def suppress_small_groups(
    frame: pd.DataFrame,
    value_columns: Sequence[str],
    dimensions: Sequence[str],
    people_column: str = "people",
    min_size: int = MIN_GROUP_SIZE,
) -> pd.DataFrame:
    """Return ``frame`` with a boolean ``suppressed`` column and suppressed rows' ``value_columns`` set to NaN.

    ``dimensions`` are the columns that identify a row (e.g. unit, role, period). Rows with ``people_column`` below
    ``min_size`` (or missing) are suppressed, then complementary suppression is applied along each dimension.
    The ``people_column`` of a suppressed row is also blanked (a count of 1-4 is itself disclosive).
    Raises ``KeyError`` if a named column is missing.
    """
    out = frame.copy().reset_index(drop=True)
    people = pd.to_numeric(out[people_column], errors="coerce")
    suppressed = np.array(people.isna() | (people < min_size), dtype=bool)
    dims = [d for d in dimensions if d in out.columns]
    changed = True
    while changed:
        changed = False
        for dim in dims:
            others = [d for d in dims if d != dim]
            groups = out.groupby(others, dropna=False, sort=False).indices if others else {(): np.arange(len(out))}
            for idx in groups.values():
                idx = np.asarray(idx)
                if len(idx) < 2 or suppressed[idx].sum() != 1:
                    continue
                candidates = idx[~suppressed[idx]]
                smallest = candidates[np.argmin(people.to_numpy()[candidates])]
                suppressed[smallest] = True
                changed = True
    out["suppressed"] = suppressed
    value_columns = [c for c in value_columns if c in out.columns]
    out.loc[suppressed, value_columns] = np.nan
    out[people_column] = people.where(~suppressed).astype("Int64")
    return out
