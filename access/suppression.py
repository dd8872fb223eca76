"""Small-group suppression: one table along its dimensions, or linked tables as one protection problem.

Rule: a row of an aggregate of sensitive data that describes fewer than ``MIN_GROUP_SIZE`` people is shown as
suppressed (values NaN). Two secondary (complementary) suppressions are offered:

* :func:`suppress_small_groups`, for one table: along every dimension, within each group of rows that differ only in
  that dimension (e.g. all roles of one unit and month, including an "All" total row), a single suppressed row could
  be recovered from the others and the total, so the next-smallest row is suppressed too, until no group has exactly
  one suppressed row (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 4).
* :func:`suppress_linked_tables`, for tables that add up across each other — a KPI by month, quarter and year, with
  and without unit mergers (issue 11: quarter minus the visible months gave a hidden month; a merged unit minus its
  other parts gave a hidden part). Linked and hierarchical tables must be protected as one problem (Hundepool et al.
  2012, ch. 4): every row declares the base cells it adds up (``LinkedTables.covers``) and the hypercube method
  gives every primary cell a certificate — a +1/−1 box of base cells whose sum is zero on every published row — so
  no linear combination of published rows equals a hidden row, in any view. The group rule above is not enough for
  linked tables: a hidden month can be paired inside its quarter and still be recovered through the year or the
  merged view.

What is protected: the additive columns. The sensitive KPIs are ratios (absence hours ÷ contracted hours,
(promoters − detractors) ÷ respondents); a ratio does not add up, but numerator and denominator are shown and are
sums over people, so differencing works on them and through them on the value. Rows are hidden whole. Survey cells
whose answers are all one category (eNPS ±100) are primary suppressions however many people they hold
(:func:`one_category_cells`, ch. 5 on frequency tables).

Differencing across filters is prevented by construction in :meth:`access.data_access.DataAccess.aggregate`: the
population an aggregate is computed over never depends on a filter; filters only select rows of the already
suppressed table. Columns copied from other rows (a prior period's value) are derived after suppression.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

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


# -- linked tables -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedTables:
    """How the rows of one aggregate add up, so that all of them are protected as one problem.

    Every row's additive columns (numerator, denominator) are the sum over the **base cells** in the product of its
    ``covers``: per dimension, a column holding the tuple of base labels the row covers — e.g. the months of a
    quarter, the units of a merged unit (or every unit for "All"), the roles (every role for "All"). A base cell is a
    row that covers one label in every dimension. Rows with different ``table`` values never add up (e.g. two KPIs).
    ``views`` name the columns telling the views apart (e.g. granularity and merger setting): within one view, the
    rows below a total partition it.

    ``answer_ranges`` ({table value: (low, high)}) gives, for survey tables, what one answer adds to the numerator
    per unit of denominator (eNPS: −1 detractor … +1 promoter; a 1-5 score). ``derived_columns`` are columns copied
    from other rows (``prior_value``, ``change``); they are dropped before suppression so that the caller derives
    them again from published cells only.
    """

    covers: tuple[str, ...]
    table: str = "kpi"
    views: tuple[str, ...] = ()
    answer_ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    derived_columns: tuple[str, ...] = ()
    numerator: str = "numerator"
    denominator: str = "denominator"


def one_category_cells(
    frame: pd.DataFrame, linked: LinkedTables, answer_ranges: Mapping[str, tuple[float, float]] | None = None
) -> np.ndarray:
    """Boolean array: rows whose answers are all in one end category (group attribute disclosure).

    A mean at the end of its possible range says what every respondent answered: eNPS +100 (every answer a
    promoter) or −100 (every answer a detractor), a pulse average of exactly 1 or 5. Hundepool et al.,
    *Statistical Disclosure Control* (Wiley 2012), ch. 5 on frequency tables: a cell discloses an attribute of its
    whole group when all its respondents fall in one category, whatever the group's size — so the minimum group
    size alone does not protect it.
    """
    ranges = linked.answer_ranges if answer_ranges is None else answer_ranges
    out = np.zeros(len(frame), dtype=bool)
    if not ranges or linked.numerator not in frame or linked.denominator not in frame:
        return out
    num = pd.to_numeric(frame[linked.numerator], errors="coerce").to_numpy(dtype=float)
    den = pd.to_numeric(frame[linked.denominator], errors="coerce").to_numpy(dtype=float)
    tables = frame[linked.table].astype(str).to_numpy() if linked.table in frame else np.full(len(frame), "")
    for name, (low, high) in ranges.items():
        mine = (tables == name) & (den > 0)
        with np.errstate(invalid="ignore"):
            extreme = np.isclose(num, low * den) | np.isclose(num, high * den)
        out |= mine & extreme
    return out


def suppress_linked_tables(
    frame: pd.DataFrame,
    value_columns: Sequence[str],
    linked: LinkedTables,
    people_column: str = "people",
    min_size: int = MIN_GROUP_SIZE,
) -> pd.DataFrame:
    """Suppress linked tables jointly so that no hidden cell equals any linear combination of published cells.

    Primary suppression: rows with ``people_column`` below ``min_size`` (or missing) and survey rows whose answers
    are all in one end category (:func:`one_category_cells`). Secondary suppression by the hypercube method
    (Hundepool et al. 2012, ch. 4 on secondary suppression in linked and hierarchical tables; Repsilber's GHMITER
    in τ-ARGUS): each
    primary cell with people in it gets a *witness* — a perturbation ``z`` of base cells, +1/−1 on the corners of a
    box (two months × two units × two roles; one label where the cell covers a whole dimension) — and every row
    whose sum of ``z`` is not zero is hidden. ``z`` then changes no published row but changes the primary cell (and
    every row hidden with it), so no combination of published rows can equal a hidden row: it is a certificate,
    checked on every row of every view at once. Corners are chosen among base cells with people in them (an empty
    cell is known to be zero and cannot hide anything), the box that hides the fewest further people wins.

    Returns ``frame`` without ``linked.covers`` and ``linked.derived_columns``, with a boolean ``suppressed`` column,
    hidden rows' ``value_columns`` NaN and their ``people_column`` blanked. Raises ``KeyError`` for a missing column.
    """
    out = frame.drop(columns=[c for c in linked.derived_columns if c in frame.columns]).reset_index(drop=True)
    people = pd.to_numeric(out[people_column], errors="coerce")
    hidden = np.array(people.isna() | (people < min_size), dtype=bool)
    needs_witness = (hidden & people.fillna(0).gt(0).to_numpy()) | one_category_cells(out, linked)
    tables = out[linked.table].astype(str).to_numpy() if linked.table in out else np.zeros(len(out), dtype=str)
    num = pd.to_numeric(out[linked.numerator], errors="coerce").to_numpy(float) if linked.numerator in out else None
    den = pd.to_numeric(out[linked.denominator], errors="coerce").to_numpy(float) if linked.denominator in out else None
    views = out.groupby(list(linked.views), sort=False, dropna=False).ngroup().to_numpy() if linked.views else None
    for name in pd.unique(tables):
        rows = np.flatnonzero(tables == name)
        protected = _HypercubeSuppression(out.iloc[rows], linked.covers, people.to_numpy()[rows])
        answers = linked.answer_ranges.get(str(name))
        mine, needs = hidden[rows], needs_witness[rows]
        while True:
            mine = protected.run(mine, needs)
            if answers is None or num is None or den is None or views is None:
                break
            remainders = protected.one_category_remainders(mine, num[rows], den[rows], views[rows], answers)
            if not (remainders & ~needs).any():
                break
            needs = needs | remainders
        hidden[rows] = mine
    out = out.drop(columns=list(linked.covers))
    out["suppressed"] = hidden
    value_columns = [c for c in value_columns if c in out.columns]
    out.loc[hidden, value_columns] = np.nan
    out[people_column] = people.where(~hidden).astype("Int64")
    return out


class _HypercubeSuppression:
    """The hypercube method on one table's rows (see :func:`suppress_linked_tables`)."""

    def __init__(self, rows: pd.DataFrame, covers: Sequence[str], people: np.ndarray) -> None:
        self.people = np.nan_to_num(people.astype(float))
        self.labels: list[list[object]] = []
        self.member: list[np.ndarray] = []  # per dimension: rows × labels, True where the row covers the label
        self.cover: list[list[np.ndarray]] = []  # per dimension, per row: label indexes
        for column in covers:
            values = [tuple(v) for v in rows[column]]
            labels = sorted({label for v in values for label in v}, key=str)
            index = {label: i for i, label in enumerate(labels)}
            member = np.zeros((len(values), len(labels)), dtype=bool)
            per_row = []
            for r, v in enumerate(values):
                ids = np.array(sorted(index[label] for label in v), dtype=int)
                member[r, ids] = True
                per_row.append(ids)
            self.labels.append(labels)
            self.member.append(member)
            self.cover.append(per_row)
        singleton = np.all([[len(c) == 1 for c in per] for per in self.cover], axis=0)
        self.base: dict[tuple[int, ...], int] = {}  # base cell (label per dimension) -> row, for cells with people
        for r in np.flatnonzero(singleton & (self.people > 0)):
            self.base.setdefault(tuple(int(per[r][0]) for per in self.cover), int(r))
        self._partition_cache: tuple[np.ndarray, sparse.csr_matrix] | None = None
        self.covered = np.zeros(len(self.people), dtype=bool)  # rows some witness changes (never recoverable)
        self.base_keys = np.array(list(self.base), dtype=int).reshape(len(self.base), len(self.cover))
        self.base_rows = np.array(list(self.base.values()), dtype=int)

    def run(self, hidden: np.ndarray, needs_witness: np.ndarray) -> np.ndarray:
        """``hidden`` plus every row hidden by a witness for each row of ``needs_witness`` not yet covered."""
        hidden = hidden.copy()
        covered = self.covered
        order = np.flatnonzero(needs_witness)
        order = order[np.argsort(self.people[order], kind="stable")]
        for row in order:
            if covered[row]:
                continue
            touched = self._witness(int(row), hidden)
            if touched is None:  # no base cell with people inside: nothing here can be recovered from the others
                hidden[row] = True
                continue
            hidden |= touched
            covered |= touched
        return hidden

    def one_category_remainders(
        self, hidden: np.ndarray, num: np.ndarray, den: np.ndarray, views: np.ndarray, answers: tuple[float, float]
    ) -> np.ndarray:
        """Published rows from which the hidden rows below them, taken together, are one answer category.

        For a published row and a dimension, the rows of one view with the same covers in the other dimensions and
        a smaller cover in this one partition it; the published total minus the published parts is the sum of the
        hidden parts. When that sum sits at an end of ``answers`` every hidden respondent below gave that answer
        (:func:`one_category_cells`), so the total must be protected too.
        """
        totals, parts = self._partitions(views)
        if len(totals) == 0:
            return np.zeros(len(hidden), dtype=bool)
        shown = ~hidden
        secret = parts @ hidden.astype(float)
        rest_num = num[totals] - parts @ np.where(shown, np.nan_to_num(num), 0.0)
        rest_den = den[totals] - parts @ np.where(shown, np.nan_to_num(den), 0.0)
        low, high = answers
        with np.errstate(invalid="ignore"):
            extreme = np.isclose(rest_num, low * rest_den) | np.isclose(rest_num, high * rest_den)
        flagged = shown[totals] & (secret > 0) & (rest_den > 0) & extreme
        found = np.zeros(len(hidden), dtype=bool)
        found[totals[flagged]] = True
        return found

    def _partitions(self, views: np.ndarray) -> tuple[np.ndarray, sparse.csr_matrix]:
        """(total row per partition, partitions × rows 0/1 matrix of its parts), built once per table."""
        if self._partition_cache is not None:
            return self._partition_cache
        keys = [tuple(tuple(c) for c in per) for per in zip(*self.cover, strict=True)]
        totals: list[int] = []
        cols: list[int] = []
        ptr = [0]
        for d in range(len(self.cover)):
            below: dict[tuple, list[int]] = {}
            for r, key in enumerate(keys):
                below.setdefault((key[:d], key[d + 1 :]), []).append(r)
            for group in below.values():
                if len(group) < 2:
                    continue
                sizes = {r: len(keys[r][d]) for r in group}
                for r in group:
                    outer = set(keys[r][d])
                    by_view: dict[int, list[int]] = {}
                    for p in group:
                        if sizes[p] < sizes[r] and outer.issuperset(keys[p][d]):
                            by_view.setdefault(views[p], []).append(p)
                    for members in by_view.values():
                        totals.append(r)
                        cols.extend(members)
                        ptr.append(len(cols))
        matrix = sparse.csr_matrix(
            (np.ones(len(cols)), np.array(cols, dtype=int), np.array(ptr, dtype=int)), shape=(len(totals), len(keys))
        )
        self._partition_cache = (np.array(totals, dtype=int), matrix)
        return self._partition_cache

    def _witness(self, row: int, hidden: np.ndarray) -> np.ndarray | None:
        """Rows hidden by the cheapest valid box through ``row`` (or None when it covers no base cell)."""
        seed = self._seed(row, hidden)
        if seed is None:
            return None
        options = [self._partners(d, row, seed) for d in range(len(self.cover))]
        nonzero = [
            {
                partner: self.member[d][:, seed[d]]
                if partner is None
                else self.member[d][:, seed[d]] ^ self.member[d][:, partner]
                for partner in choices
            }
            for d, choices in enumerate(options)
        ]  # rows whose sum over the box is not zero in dimension d: covers the seed's label xor the partner's
        unhidden_people = np.where(hidden, 0.0, self.people + 1.0)
        best, best_cost = None, np.inf
        for choice in itertools.product(*options):
            if not self._corners_exist(seed, choice):
                continue
            touched = nonzero[0][choice[0]]
            for d in range(1, len(choice)):
                touched = touched & nonzero[d][choice[d]]
            cost = unhidden_people[touched].sum()
            if cost < best_cost:
                best, best_cost = touched, cost
                if cost == 0:
                    break
        return best

    def _seed(self, row: int, hidden: np.ndarray) -> tuple[int, ...] | None:
        """A base cell with people inside ``row``: one already hidden if possible, else the smallest."""
        inside = np.ones(len(self.base_rows), dtype=bool)
        for d in range(len(self.cover)):
            inside &= self.member[d][row, self.base_keys[:, d]]
        if not inside.any():
            return None
        candidates = self.base_rows[inside]
        best = np.lexsort((self.people[candidates], ~hidden[candidates]))[0]
        return tuple(int(k) for k in self.base_keys[inside][best])

    def _partners(self, d: int, row: int, seed: tuple[int, ...], keep: int = 4) -> list[int | None]:
        """Candidate second corners in dimension ``d`` (labels outside the row's cover), fewest rows affected
        first; ``None`` (one corner only, so the dimension's total is hidden too) when the row covers every label."""
        covered = self.member[d][row]
        outside = np.flatnonzero(~covered)
        if len(outside) == 0:
            return [None]
        near = np.ones(len(self.people), dtype=bool)
        for e in range(len(seed)):
            if e != d:
                near &= self.member[e][:, seed[e]]
        affected = (self.member[d][near][:, [seed[d]]] ^ self.member[d][near][:, outside]).sum(axis=0)
        ranked = [int(outside[i]) for i in np.argsort(affected, kind="stable")]
        return [*ranked[:keep], None]

    def _corners_exist(self, seed: tuple[int, ...], choice: tuple[int | None, ...]) -> bool:
        axes = [(s,) if p is None else (s, p) for s, p in zip(seed, choice, strict=True)]
        return all(corner in self.base for corner in itertools.product(*axes))
