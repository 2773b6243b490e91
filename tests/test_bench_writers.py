"""bench/build/usps.py and bench/checks/other_writers.py: the held-back split and the table's
scoring."""

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import other_writers  # noqa: E402
import usps  # noqa: E402


def test_the_held_back_share_is_fixed_and_thirty_percent():
    first, again = usps.held_back(7291), usps.held_back(7291)
    assert np.array_equal(first, again)
    assert first.sum() == round(7291 * 0.3)


def test_a_drawn_usps_digit_reads_back_as_ink_in_the_middle(tmp_path):
    from digitcli.imaging.images import prepare_file

    ink = np.zeros((16, 16))
    ink[2:14, 7:9] = 1.0  # a 1
    scan, _ = usps.drawn(ink, np.random.default_rng(0))
    scan.save(tmp_path / "one.png")
    pixels = prepare_file(tmp_path / "one.png").pixels
    assert pixels[4:24, 12:16].mean() > 4 * pixels.mean()


def test_a_blank_image_counts_as_a_wrong_answer_at_no_confidence():
    probabilities = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    data = {"y": np.array([1, 1, 1]), "ink": np.array([True, False, True])}
    row = other_writers.scores(probabilities, data, 0.9)
    assert row["accuracy"] == pytest.approx(1 / 3)
    assert row["answered"] == pytest.approx(2 / 3)
    assert row["right_when_answered"] == pytest.approx(1 / 2)
