"""A number in a register's cell whose printed rules, and a scanner's lid beside it, are
darker than its writing (issue 87 item 2): Otsu's threshold fell between the paper and the
rules, above the pen, and once the rules were taken out as lines nothing was left, so
`predict` and `read` called the cell blank. Both now look again without them; `read` wherever
it took rules out, not only where nothing was left (round 57). The 176 real development
numbers set in such cells at half their contrast (`bench/checks/faded.py --in-cell`): 50.0%
read before round 56, 67.0% after it, 76.1% since (docs/measurements/reading-numbers.md)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from digitcli.reading.ink import ink_again, ink_signal
from digitcli.reading.read import read
from digitcli.reading.segment import find_line

from mnist_png import digit_row, mnist_test


def _ruled_cells(folder: Path, count: int, digits_each: int) -> tuple[list[str], list[str]]:
    """`count` numbers of `digits_each` MNIST test digits, 14 px high and 30 grey levels dark,
    each in a 58x270 cell of grey paper ruled 150 levels dark on three sides, a scanner's
    black lid on the fourth, as JPEG files; and their numbers."""
    digits, labels = mnist_test(1000)
    rng = np.random.default_rng(3)
    files, numbers = [], []
    width = 10 * digits_each
    for k in range(count):
        chosen = rng.integers(0, len(digits), digits_each)
        row = digit_row(digits, chosen, (width, 14))
        cell = np.full((58, 270), 205.0) + rng.normal(0, 1.2, (58, 270))
        left = 30 + int(rng.integers(0, 60))
        cell[22:36, left : left + width] -= 30.0 * row
        cell[:2], cell[-2:], cell[:, :2] = 55.0, 55.0, 55.0  # the printed rules
        cell[:, -12:] = 20.0  # the scanner's lid
        path = folder / f"cell-{k}.jpg"
        cv2.imwrite(
            str(path), np.clip(cell, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 90]
        )
        files.append(str(path))
        numbers.append("".join(str(labels[i]) for i in chosen))
    return files, numbers


@pytest.mark.parametrize("digits_each", [1, 2])
def test_a_number_under_darker_rules_is_read(tmp_path, digits_each):
    files, numbers = _ruled_cells(tmp_path, 12, digits_each)
    readings = [reading.number for reading in read(files)]
    right = sum(got == number for got, number in zip(readings, numbers, strict=True))
    assert right >= 9  # one digit: none of the 12 before, 9 now; two: 6 before, 12 now


def test_blank_ruled_cells_stay_blank(tmp_path):
    """The same cells with nothing written are blank. With the lid they were a 1 to `predict`
    and `read`: cut away at the edge of its dark lines, the lid left the grey line of its soft
    edge down the picture's side; the cut now takes that line too (`border._depth`)."""
    rng = np.random.default_rng(4)
    files = []
    for k in range(6):
        cell = np.full((58, 270), 205.0) + rng.normal(0, 1.2, (58, 270))
        cell[:2], cell[-2:], cell[:, :2] = 55.0, 55.0, 55.0
        cell[:, -12:] = 20.0
        path = tmp_path / f"blank-{k}.jpg"
        cv2.imwrite(str(path), cell.astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 90])
        files.append(str(path))
    assert [reading.number for reading in read(files)] == [None] * 6


def test_a_band_keeps_its_ink_between_darker_sides_of_a_box():
    """A band of a taller picture (`find_line(band=True)`): a box's sides run across it,
    darker than the two digits between them, and were all its ink once taken out as what
    runs across the band. The 12 bands: none had ink before, 7 now."""
    digits, _ = mnist_test(1000)
    rng = np.random.default_rng(3)
    found = 0
    for _ in range(12):
        chosen = rng.integers(0, len(digits), 2)
        row = digit_row(digits, chosen, (20, 14))
        band = np.full((26, 294), 225.0) + rng.normal(0, 1.2, (26, 294))
        band[6:20, 137:157] -= 30.0 * row
        band[:, 120:122], band[:, 172:174] = 100.0, 100.0  # the box's sides
        image = Image.fromarray(np.clip(band, 0, 255).astype(np.uint8), "L")
        line = find_line(image, invert="no", band=True)
        found += line.ink is not None and bool(line.ink.spans)
    assert found >= 6


def test_the_fainter_writing_under_darker_rules_is_found_again():
    """Where rules darker than the writing left some of it (its darkest stroke), the rest was
    lost: a register's `1362` was read `62`. The ink is found again without the rules and
    added: the fainter strokes, not a remnant beside a rule nor a neighbouring cell's side at
    the picture's edge, which the lower threshold finds too."""
    rng = np.random.default_rng(5)
    paper = np.full((60, 160), 220.0) + rng.normal(0, 1.0, (60, 160))
    paper[:10], paper[-10:] = 20.0, 20.0  # the rules
    paper[20:40, 20:24] -= 140.0  # the darkest stroke
    for x in range(40, 140, 8):
        paper[20:40, x : x + 4] -= 45.0  # the fainter ones
    paper[12:14, 100:130] -= 45.0  # a rule's remnant beside it
    paper[15:45, :2] -= 45.0  # a neighbouring cell's side
    image = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L")
    flat, mask, _ = ink_signal(image, "yes")
    rules = np.zeros_like(mask)
    rules[:10], rules[-10:] = True, True
    mask &= ~rules
    assert mask[20:40, 20:24].all() and not mask[20:40, 40:140].any()  # as the rules left it
    again = ink_again(mask, flat, rules)
    assert again[20:40, 20:24].all() and again[22:38, 40:140].sum() == 13 * 4 * 16
    assert not again[12:14, 100:130].any() and not again[15:45, :2].any()
