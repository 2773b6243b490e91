"""The pair reader's part in a reading: its scores, its digits, its doubt about single digits."""

from __future__ import annotations

import numpy as np
import pytest

from digitcli.reading.pairs import PAIR_COST, PAIR_DOUBT, doubt, pair_digits, pair_scores
from digitcli.reading.segment import PAIR_SHAPE, Candidate, Line


def _output(pair: float, left: int, right: int) -> np.ndarray:
    out = np.full(21, 0.01, np.float32)
    out[0] = pair
    out[1 + left], out[11 + right] = 0.91, 0.91
    return out


def _line() -> Line:
    digit = np.zeros((28, 28), np.uint8)
    wide = np.zeros(PAIR_SHAPE, np.uint8)
    return Line(
        atoms=3,
        skippable=[False] * 3,
        height=50.0,
        candidates=[Candidate(0, 1, digit, (0, 0, 30, 50)), Candidate(0, 2, digit, (0, 0, 60, 50))],
        pairs=[Candidate(0, 2, wide, (0, 0, 60, 50)), Candidate(1, 3, wide, (30, 0, 90, 50))],
    )


def test_a_single_digit_over_a_pairs_span_is_doubted_by_the_pair_reader():
    outputs = np.stack([_output(0.9, 4, 7), _output(0.2, 1, 1)])
    found = doubt(_line(), outputs)
    assert found[0] == 0.0  # no pair spans atom 0 alone
    assert found[1] == pytest.approx(PAIR_DOUBT * np.log(0.1))


def test_a_pairs_score_and_digits():
    output = _output(0.64, 4, 7)
    (score,) = pair_scores(output[None])
    assert score == pytest.approx(np.log(0.64) + 2 * np.log(0.91) - PAIR_COST)
    (left, left_confidence), (right, right_confidence) = pair_digits(output)
    assert (left, right) == (4, 7)
    assert left_confidence * right_confidence == pytest.approx(0.64 * 0.91 * 0.91)
