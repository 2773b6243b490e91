"""How bench/make_pairs.py labels `read`'s pair candidates for training the pair reader."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from make_pairs import NOT_A_PAIR, pair_label  # noqa: E402

# A thin 1 pressed against a 5, then a 0 apart: (left, top, right, bottom) of each digit's ink.
ONE, FIVE, ZERO = (0, 0, 10, 50), (8, 0, 40, 50), (60, 0, 92, 50)
TRUTH = [ONE, FIVE, ZERO]


def test_a_span_holding_a_thin_neighbour_is_a_pair():
    both = (0, 0, 40, 50)  # matches the 5's box at IoU 0.8, but holds the whole 1
    assert pair_label(both, TRUTH, "150") == 15


def test_a_digit_with_a_sliver_of_its_neighbour_is_not_a_pair():
    # the 5, and the edge of the 1 that the 5's own box covers too
    assert pair_label((7, 0, 40, 50), TRUTH, "150") == NOT_A_PAIR
    assert pair_label((56, 0, 92, 50), TRUTH, "150") == NOT_A_PAIR


def test_a_pair_candidate_holding_a_third_digit_is_not_that_pair():
    assert pair_label((0, 0, 92, 50), TRUTH, "150") == NOT_A_PAIR
    assert pair_label((8, 0, 92, 50), TRUTH, "150") == 50
