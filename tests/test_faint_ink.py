"""Faint ink is writing, not blank paper (issue 87 item 3): `read` finds the strokes of a number
a few grey levels darker than its grey cell, as a worn pen or an old register leaves it. Its
ink's cores were at least `min_contrast` (24 levels) above the paper, so a number fainter than
that lost its digits or was called blank; they are now half the ink's contrast where that is
less. The 176 real development numbers (most of them register cells) faded to 0.3 of their
contrast: 44.9% read before, 63.6% after round 55 (tests/test_bench_faded.py,
docs/measurements/reading-numbers.md, "Round 55"). A number of one or two digits, too short
for the line reader's word alone, was still called blank by `predict`'s contrast test; on
paper, where its judge is asked, that test now lets the judge see ink down to `faintest_ink`
levels: 80.1% of the faded numbers are read (docs/measurements/preparation.md, "Round 56")."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from digitcli.reading.read import read

from mnist_png import digit_row, mnist_test


def _faint_cells(
    folder: Path, count: int, depth: float, digits_each: int = 3
) -> tuple[list[str], list[str]]:
    """`count` numbers of `digits_each` MNIST test digits, `depth` grey levels dark at their
    strokes' cores, each on a cell of grey paper with a scanner's noise, as JPEG files; and
    their numbers."""
    digits, labels = mnist_test(1000)
    rng = np.random.default_rng(3)
    files, numbers = [], []
    width = 15 * digits_each
    left = (75 - width) // 2
    for k in range(count):
        chosen = rng.integers(0, len(digits), digits_each)
        row = digit_row(digits, chosen, (width, 21))
        cell = np.full((34, 75), 205.0) + rng.normal(0, 1.2, (34, 75))
        cell[6:27, left : left + width] -= depth * row
        path = folder / f"cell-{k}.jpg"
        pixels = np.clip(cell, 0, 255).astype(np.uint8)
        cv2.imwrite(str(path), pixels, [cv2.IMWRITE_JPEG_QUALITY, 90])
        files.append(str(path))
        numbers.append("".join(str(labels[i]) for i in chosen))
    return files, numbers


def test_a_number_in_faint_ink_is_read(tmp_path):
    files, numbers = _faint_cells(tmp_path, 12, depth=12.0)
    readings = [reading.number for reading in read(files)]
    right = sum(got == number for got, number in zip(readings, numbers, strict=True))
    assert right >= 9  # 4 of the 12 before, 10 now


def test_a_number_in_clear_ink_is_read_as_before(tmp_path):
    files, numbers = _faint_cells(tmp_path, 12, depth=60.0)
    assert [reading.number for reading in read(files)] == numbers


@pytest.mark.parametrize("digits_each", [1, 2])
def test_a_short_number_in_faint_ink_is_no_blank(tmp_path, digits_each):
    """One or two digits, too few for the line reader's word alone: `predict`'s blank test
    called every one of them blank below `min_contrast`; where its judge is asked (a picture
    showing paper around its ink), the faintest ink is now judged, not refused unseen."""
    files, numbers = _faint_cells(tmp_path, 12, depth=12.0, digits_each=digits_each)
    readings = [reading.number for reading in read(files)]
    right = sum(got == number for got, number in zip(readings, numbers, strict=True))
    assert right >= 9  # none of the 12 before, 10 now
