"""Faint ink is writing, not blank paper (issue 87 item 3): `read` finds the strokes of a number
a few grey levels darker than its grey cell, as a worn pen or an old register leaves it. Its
ink's cores were at least `min_contrast` (24 levels) above the paper, so a number fainter than
that lost its digits or was called blank; they are now half the ink's contrast where that is
less. The 176 real development numbers (most of them register cells) faded to 0.3 of their
contrast: 44.9% read before, 63.6% now (tests/test_bench_faded.py,
docs/measurements/reading-numbers.md, "Round 55")."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from digitcli.reading.read import read

from mnist_png import mnist_test


def _faint_cells(folder: Path, count: int, depth: float) -> tuple[list[str], list[str]]:
    """`count` three-digit numbers of MNIST test digits, `depth` grey levels dark at their
    strokes' cores, each on a cell of grey paper with a scanner's noise, as JPEG files; and
    their numbers."""
    digits, labels = mnist_test(1000)
    rng = np.random.default_rng(3)
    files, numbers = [], []
    for k in range(count):
        chosen = rng.integers(0, len(digits), 3)
        row = np.hstack([digits[i][:, 4:24] for i in chosen]) / 255.0
        row = cv2.resize(row.astype(np.float32), (45, 21), interpolation=cv2.INTER_AREA)
        cell = np.full((34, 75), 205.0) + rng.normal(0, 1.2, (34, 75))
        cell[6:27, 15:60] -= depth * row
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
