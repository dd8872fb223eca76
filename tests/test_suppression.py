"""Small-group suppression, complementary suppression, and linked tables protected as one problem."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from access.suppression import LinkedTables, one_category_cells, suppress_linked_tables, suppress_small_groups


def test_group_under_five_is_suppressed_with_its_count():
    frame = pd.DataFrame({"unit": ["A", "B"], "people": [12, 4], "score": [3.1, 2.0]})
    out = suppress_small_groups(frame, ["score"], ["unit"])
    assert out.loc[1, "suppressed"]
    assert pd.isna(out.loc[1, "score"]) and pd.isna(out.loc[1, "people"])


def test_single_hidden_cell_gets_a_complement_so_totals_do_not_reveal_it():
    frame = pd.DataFrame(
        {
            "unit": ["A", "A", "A", "A"],
            "role": ["RN", "CNA", "LPN", "All"],
            "people": [20, 3, 8, 31],
            "score": [3.0, 1.0, 2.5, 2.8],
        }
    )
    out = suppress_small_groups(frame, ["score"], ["unit", "role"])
    hidden = out.loc[out["suppressed"], "role"].tolist()
    assert "CNA" in hidden and len(hidden) >= 2
    assert hidden[1] == "LPN"  # the next smallest group is the complement


def test_five_people_is_enough():
    frame = pd.DataFrame({"unit": ["A"], "people": [5], "score": [4.0]})
    assert not suppress_small_groups(frame, ["score"], ["unit"])["suppressed"].any()


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=8))
def test_no_partition_ever_has_exactly_one_hidden_row(sizes):
    frame = pd.DataFrame({"unit": [f"U{i}" for i in range(len(sizes))], "people": sizes, "score": 1.0})
    out = suppress_small_groups(frame, ["score"], ["unit"])
    assert out["suppressed"].sum() != 1
    assert (out.loc[~out["suppressed"], "people"] >= 5).all()


# -- linked tables (every view of a table protected as one problem) --------------------------------------------------

LINKED = LinkedTables(covers=("months", "units", "roles"), table="kpi", views=("freq",))


def _linked_frame(people: dict[tuple[str, str, str], int]) -> pd.DataFrame:
    """Months, the quarter, units A/B and "All", roles RN/CNA and "All"; numerator = people (one answer each)."""
    months, units, roles = ("Jan", "Feb", "Mar"), ("A", "B"), ("RN", "CNA")
    rows = []
    for freq, time in [("M", (m,)) for m in months] + [("Q", months)]:
        for unit in [(u,) for u in units] + [units]:
            for role in [(r,) for r in roles] + [roles]:
                n = sum(people.get(c, 0) for c in itertools.product(time, unit, role))
                rows.append(
                    {"kpi": "k", "freq": freq, "months": time, "units": unit, "roles": role, "people": n,
                     "numerator": float(n), "denominator": float(n), "value": 1.0}
                )  # fmt: skip
    return pd.DataFrame(rows)


def _determined_hidden_rows(out: pd.DataFrame, frame: pd.DataFrame) -> list[int]:
    """Hidden rows with people whose base-cell indicator lies in the span of the published rows."""
    base = [c for c in itertools.product(*(sorted({x for v in frame[d] for x in v}) for d in LINKED.covers))]
    singles = frame.loc[frame[list(LINKED.covers)].map(len).eq(1).all(axis=1)]
    present = {tuple(r[d][0] for d in LINKED.covers) for _, r in singles.iterrows() if r["people"] > 0}
    base = [c for c in base if c in present]
    vectors = np.array(
        [[float(all(c[i] in row[d] for i, d in enumerate(LINKED.covers))) for c in base] for _, row in frame.iterrows()]
    )
    published = vectors[~out["suppressed"].to_numpy()]
    rank = np.linalg.matrix_rank(published) if len(published) else 0
    return [
        i
        for i in np.flatnonzero(out["suppressed"].to_numpy() & (frame["people"].to_numpy() > 0))
        if np.linalg.matrix_rank(np.vstack([published, vectors[i]])) == rank
    ]


def test_hidden_month_cannot_be_read_as_quarter_minus_the_other_months():
    people = {(m, u, r): 9 for m in ("Jan", "Feb", "Mar") for u in ("A", "B") for r in ("RN", "CNA")}
    people[("Feb", "A", "CNA")] = 2
    frame = _linked_frame(people)
    out = suppress_linked_tables(frame, ["value", "numerator", "denominator"], LINKED)
    small = (frame["months"] == ("Feb",)) & (frame["units"] == ("A",)) & (frame["roles"] == ("CNA",))
    assert out.loc[small, "suppressed"].all() and out.loc[small, "numerator"].isna().all()
    assert _determined_hidden_rows(out, frame) == []
    quarter_totals = (frame["freq"] == "Q") & (frame["units"] == ("A", "B")) & (frame["roles"] == ("RN", "CNA"))
    assert not out.loc[quarter_totals, "suppressed"].any(), "a box inside one quarter leaves the totals published"


def test_linked_suppression_drops_covers_and_derived_columns():
    frame = _linked_frame({("Jan", "A", "RN"): 7}).assign(prior_value=1.0, change=0.0)
    spec = LinkedTables(covers=LINKED.covers, table="kpi", derived_columns=("prior_value", "change"))
    out = suppress_linked_tables(frame, ["value"], spec)
    assert not {"months", "units", "roles", "prior_value", "change"} & set(out.columns)


@given(st.dictionaries(
    st.tuples(st.sampled_from(["Jan", "Feb", "Mar"]), st.sampled_from(["A", "B", "C"]), st.sampled_from(["RN", "CNA"])),
    st.integers(min_value=1, max_value=12), min_size=1, max_size=18,
))  # fmt: skip
@settings(deadline=None)  # the rank checks are slow on a loaded machine; the property, not the speed, is tested
def test_no_hidden_cell_is_a_linear_combination_of_published_cells(people):
    frame = _linked_frame(people)
    out = suppress_linked_tables(frame, ["value", "numerator", "denominator"], LINKED)
    assert (out.loc[~out["suppressed"], "people"] >= 5).all()
    assert _determined_hidden_rows(out, frame) == []


def test_enps_of_plus_or_minus_100_is_one_answer_category_whatever_the_group_size():
    frame = pd.DataFrame(
        {"kpi": ["enps", "enps", "enps", "pulse_average", "absence_rate"],
         "numerator": [12.0, -7.0, 4.0, 25.0, 0.0], "denominator": [12.0, 7.0, 7.0, 5.0, 80.0]}
    )  # fmt: skip
    spec = LinkedTables(covers=(), answer_ranges={"enps": (-1.0, 1.0), "pulse_average": (1.0, 5.0)})
    assert one_category_cells(frame, spec).tolist() == [True, True, False, True, False]
