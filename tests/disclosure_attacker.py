"""An attacker on published KPI tables: what can a reader of every view of a report work out about hidden cells?

The reader has the board report in each period granularity (month, quarter, year) and with the follow-unit-mergers
switch on and off, and knows how the numbers add up (they are documented): an "All" row is the sum of its units or
roles, a quarter the sum of its months, a year the sum of its quarters, a merged unit the sum of its parts. Numerator
and denominator are additive; the value is scale × numerator ÷ denominator.

Attacks (each returns the hidden cells it recovered, checked against the true values so a guess does not count):

* :func:`prior_and_change` — a hidden cell's value read from the next period's ``prior_value`` or ``change``;
* :func:`differencing` — a relation (total = Σ parts) with one unknown, solved and repeated until nothing changes,
  labelled by the relation used (quarter − months, year − quarters, All − units, All − roles, merged − parts);
* :func:`linear_combinations` — any linear combination of published cells that equals a hidden cell (exact
  linear algebra over the additive base cells: month × unit × role of the view without mergers);
* :func:`one_category_answers` — a published survey cell, or the hidden remainder of a total, in which every
  respondent gave the same answer category (eNPS ±100, pulse average at the end of its 1-5 scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

KEY = ["kpi", "freq", "follow_mergers", "period", "unit", "role"]
ADDITIVE = ("numerator", "denominator")
MONTHS = {"M": 1, "Q": 3, "Y": 12}
SCALE = {"absence_rate": 100.0, "enps": 100.0, "pulse_average": 1.0}
ANSWER_RANGE = {"enps": (-1.0, 1.0), "pulse_average": (1.0, 5.0)}
"""What one answer contributes to the numerator per unit of denominator (promoter +1 / detractor -1; score 1-5)."""


@dataclass(frozen=True)
class Recovery:
    """One hidden cell worked out by an attack: which, how, the value found and the true value."""

    attack: str
    cell: tuple
    column: str
    found: float
    truth: float


def _close(found: float, truth: float) -> bool:
    return bool(np.isfinite(found) and np.isfinite(truth) and abs(found - truth) <= 1e-6 * max(1.0, abs(truth)))


def _truth_lookup(truth: pd.DataFrame) -> dict[tuple, pd.Series]:
    return {tuple(k): row for k, row in zip(truth[KEY].itertuples(index=False), truth.itertuples(), strict=True)}


def hidden_rows(published: pd.DataFrame) -> pd.DataFrame:
    """Rows shown with a blank value although the row exists (suppressed)."""
    return published.loc[published["value"].isna() & published["numerator"].isna()]


# -- (a) prior value and change --------------------------------------------------------------------------------------


def prior_and_change(published: pd.DataFrame, truth: pd.DataFrame) -> list[Recovery]:
    """A hidden cell's value from the next period's ``prior_value`` (or ``value − change``) of the same series."""
    truth_by_key = _truth_lookup(truth)
    found: list[Recovery] = []
    series_key = ["kpi", "freq", "follow_mergers", "unit", "role"]
    by_cell = published.set_index([*series_key, "period"])
    for row in hidden_rows(published).itertuples(index=False):
        step = pd.DateOffset(months=MONTHS[row.freq])
        nxt = (row.kpi, row.freq, row.follow_mergers, row.unit, row.role, row.period + step)
        if nxt not in by_cell.index:
            continue
        later = by_cell.loc[nxt]
        later = later.iloc[0] if isinstance(later, pd.DataFrame) else later
        truth_row = truth_by_key.get((row.kpi, row.freq, row.follow_mergers, row.period, row.unit, row.role))
        if truth_row is None:
            continue
        for how, guess in (("prior_value", later["prior_value"]), ("value − change", later["value"] - later["change"])):
            if _recovered(float(guess), float(truth_row.value), float(truth_row.people)):
                found.append(Recovery(f"prior/change ({how})", tuple(row[:6]), "value", float(guess), truth_row.value))
                break
    return found


# -- the additive structure ------------------------------------------------------------------------------------------


@dataclass
class Structure:
    """Every row of one KPI's published views as a set of base cells (month, unit, role of the no-merger view)."""

    rows: pd.DataFrame
    base: list[tuple]
    members: list[np.ndarray]  # per row: indexes into ``base``


def structure(published: pd.DataFrame, mergers: dict[str, str]) -> Structure:
    """Base cells and each row's members. ``mergers`` maps a merged unit to the unit that took it over."""
    base_rows = published.loc[
        (published["freq"] == "M") & ~published["follow_mergers"] & (published["unit"] != "All")
        & (published["role"] != "All")
    ]  # fmt: skip
    base = sorted(set(zip(base_rows["period"], base_rows["unit"], base_rows["role"], strict=True)))
    by_month: dict[pd.Timestamp, list[int]] = {}
    for i, (month, _, _) in enumerate(base):
        by_month.setdefault(month, []).append(i)
    members = []
    for row in published.itertuples(index=False):
        months = pd.date_range(row.period, periods=MONTHS[row.freq], freq="MS")
        ids = [i for m in months for i in by_month.get(m, [])]
        if row.unit != "All":
            parts = {row.unit} | ({u for u, to in mergers.items() if to == row.unit} if row.follow_mergers else set())
            ids = [i for i in ids if base[i][1] in parts]
        if row.role != "All":
            ids = [i for i in ids if base[i][2] == row.role]
        members.append(np.array(sorted(ids), dtype=int))
    return Structure(published.reset_index(drop=True), base, members)


def _parts_of(mergers: dict[str, str]) -> dict[str, set[str]]:
    parts: dict[str, set[str]] = {}
    for part, whole in mergers.items():
        parts.setdefault(whole, set()).add(part)
    return parts


def relations(rows: pd.DataFrame, mergers: dict[str, str]) -> list[tuple[str, int, list[int]]]:
    """(label, total row, part rows) for every documented relation among ``rows`` (positions in ``rows``)."""
    parts_of = _parts_of(mergers)
    keys = [tuple(k) for k in rows[KEY].itertuples(index=False)]
    position = {k: i for i, k in enumerate(keys)}
    units_of: dict[tuple, list[int]] = {}
    roles_of: dict[tuple, list[int]] = {}
    for i, (kpi, freq, follow, period, unit, role) in enumerate(keys):
        if unit != "All":
            units_of.setdefault((kpi, freq, follow, period, role), []).append(i)
        if role != "All":
            roles_of.setdefault((kpi, freq, follow, period, unit), []).append(i)
    out: list[tuple[str, int, list[int]]] = []
    for i, (kpi, freq, follow, period, unit, role) in enumerate(keys):
        if unit == "All":
            out.append(("All − units", i, units_of.get((kpi, freq, follow, period, role), [])))
        if role == "All":
            out.append(("All − roles", i, roles_of.get((kpi, freq, follow, period, unit), [])))
        if freq in ("Q", "Y"):
            finer = "M" if freq == "Q" else "Q"
            step = MONTHS[finer]
            starts = pd.date_range(period, periods=MONTHS[freq] // step, freq=f"{step}MS")
            parts = [position[k] for s in starts if (k := (kpi, finer, follow, s, unit, role)) in position]
            out.append(("quarter − months" if freq == "Q" else "year − quarters", i, parts))
        if follow and unit != "All":
            own = {unit, *parts_of.get(unit, ())}
            parts = [position[k] for u in sorted(own) if (k := (kpi, freq, False, period, u, role)) in position]
            out.append(("merged − parts", i, parts))
    return [r for r in out if r[2]]


def _truth_of(truth_by_key: dict[tuple, pd.Series], key: tuple, column: str) -> tuple[float, float]:
    """(true value of ``column``, true people) of a cell; NaN when the cell is not in the truth."""
    row = truth_by_key.get(key)
    if row is None:
        return np.nan, np.nan
    return float(getattr(row, column)), float(row.people)


def _recovered(found: float, truth: float, people: float) -> bool:
    """A recovery counts when it hits the true value of a cell that has people in it (an empty cell is no secret)."""
    return people > 0 and _close(found, truth)


def differencing(published: pd.DataFrame, truth: pd.DataFrame, mergers: dict[str, str]) -> list[Recovery]:
    """Solve every relation with exactly one unknown, repeatedly; a recovered cell becomes known."""
    rows = published.reset_index(drop=True)
    links = relations(rows, mergers)
    keys = [tuple(k) for k in rows[KEY].itertuples(index=False)]
    truth_by_key = _truth_lookup(truth)
    found: list[Recovery] = []
    for column in ADDITIVE:
        known = rows[column].to_numpy(dtype=float).copy()
        changed = True
        while changed:
            changed = False
            for label, total, parts in links:
                unknown = [c for c in (total, *parts) if np.isnan(known[c])]
                if len(unknown) != 1:
                    continue
                target = unknown[0]
                if target == total:
                    value = float(sum(known[p] for p in parts))
                else:
                    value = float(known[total] - sum(known[p] for p in parts if p != target))
                known[target] = value
                changed = True
                true_value, people = _truth_of(truth_by_key, keys[target], column)
                if _recovered(value, true_value, people):
                    found.append(Recovery(label, keys[target], column, value, true_value))
    return found


# -- (b, c) any linear combination -----------------------------------------------------------------------------------


def linear_combinations(published: pd.DataFrame, truth: pd.DataFrame, mergers: dict[str, str]) -> list[Recovery]:
    """Hidden cells equal to some linear combination of published cells, found by exact linear algebra.

    Unknowns are the hidden base cells; every published row is an equation (its base cells sum to its value, known
    base cells moved to the right). A hidden row is determined when its indicator over the unknowns lies in the row
    space of the equations (projection residual ~0); its value is then that of any solution (least squares).
    """
    struct = structure(published, mergers)
    truth_by_key = _truth_lookup(truth)
    found: list[Recovery] = []
    rows = struct.rows
    base_key = {cell: i for i, cell in enumerate(struct.base)}
    base_row = {}
    for i, row in enumerate(rows.itertuples(index=False)):
        if row.freq == "M" and not row.follow_mergers and row.unit != "All" and row.role != "All":
            base_row[base_key[(row.period, row.unit, row.role)]] = i
    for column in ADDITIVE:
        values = rows[column].to_numpy(dtype=float)
        base_value = np.array([values[base_row[b]] for b in range(len(struct.base))])
        unknown = np.flatnonzero(np.isnan(base_value))
        if len(unknown) == 0:
            continue
        position = {b: k for k, b in enumerate(unknown)}
        known_part = np.array([np.nansum(base_value[m]) if len(m) else 0.0 for m in struct.members])
        matrix = np.zeros((len(rows), len(unknown)))
        for i, m in enumerate(struct.members):
            for b in m:
                if b in position:
                    matrix[i, position[b]] = 1.0
        published_mask = ~np.isnan(values) & (matrix.sum(axis=1) > 0)
        equations = matrix[published_mask]
        rhs = values[published_mask] - known_part[published_mask]
        if len(equations) == 0:
            continue
        _, sing, vt = np.linalg.svd(equations, full_matrices=False)
        basis = vt[sing > 1e-9 * max(1.0, sing.max())]
        solution = np.linalg.lstsq(equations, rhs, rcond=None)[0]
        for i in np.flatnonzero(np.isnan(values) & (matrix.sum(axis=1) > 0)):
            indicator = matrix[i]
            residual = indicator - basis.T @ (basis @ indicator)
            if np.abs(residual).max() > 1e-7:
                continue
            value = known_part[i] + indicator @ solution
            key = tuple(rows.iloc[i][KEY])
            true_value, people = _truth_of(truth_by_key, key, column)
            if _recovered(value, true_value, people):
                found.append(Recovery("linear combination", key, column, float(value), true_value))
    return found


# -- one answer category -----------------------------------------------------------------------------------------------


def one_category_answers(published: pd.DataFrame, mergers: dict[str, str]) -> list[Recovery]:
    """Survey cells (published, or the hidden parts of a relation taken together) where every answer is the same."""
    found: list[Recovery] = []
    for kpi, (low, high) in ANSWER_RANGE.items():
        rows = published.loc[published["kpi"] == kpi].reset_index(drop=True)
        if rows.empty:
            continue
        num, den = rows["numerator"].to_numpy(float), rows["denominator"].to_numpy(float)
        extreme = (den > 0) & (np.isclose(num, low * den) | np.isclose(num, high * den))
        for i in np.flatnonzero(extreme):
            found.append(Recovery("one category (published)", tuple(rows.iloc[i][KEY]), "value", num[i], den[i]))
        for label, total, parts in relations(rows, mergers):
            hidden = [p for p in parts if np.isnan(num[p])]
            if not hidden or np.isnan(num[total]):
                continue
            shown = [p for p in parts if not np.isnan(num[p])]
            rest_num = num[total] - num[shown].sum()
            rest_den = den[total] - den[shown].sum()
            if rest_den > 0.5 and (np.isclose(rest_num, low * rest_den) or np.isclose(rest_num, high * rest_den)):
                key = tuple(rows.iloc[total][KEY])
                found.append(Recovery(f"one category ({label} hidden)", key, "value", rest_num, rest_den))
    return found
