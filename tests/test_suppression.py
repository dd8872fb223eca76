"""Small-group suppression and complementary suppression."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from access.suppression import suppress_small_groups


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
