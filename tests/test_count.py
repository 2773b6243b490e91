"""digitcli.imaging.count: whether the 28x28 of one group of ink is several digits written
close together or into each other (a "42" in a form's cell was its 4 to `predict`)."""

from __future__ import annotations

import json
from itertools import islice

import cv2
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.imaging import count, verdict
from digitcli.imaging.images import fit_and_centre, prepare

import ink_scenes
import nondigits
from mnist_png import mnist_test


def _several(pixels: np.ndarray) -> bool:
    return count.sure(count.chance(pixels))


def _touching(left: np.ndarray, right: np.ndarray, step: int = 14) -> np.ndarray:
    """Two MNIST digits written `step` px apart (their 28-px boxes overlapping), as ink."""
    ink = np.zeros((28, 28 + step), np.float32)
    ink[:, :28] = left
    ink[:, step:] = np.maximum(ink[:, step:], right)
    return ink


def test_one_digit_is_one_and_two_written_into_each_other_are_several():
    """MNIST's test digits (never learnt from): none of the first 500 alone is several
    digits; of 100 pairs written into each other, more than half are (57; the rule it
    replaced, twice as wide as high, took none of them)."""
    digits, _ = mnist_test(700)
    assert not any(_several(digit) for digit in digits[:500])
    pairs = [_touching(a, b) for a, b in zip(digits[500:600], digits[600:700], strict=True)]
    found = sum(_several(fit_and_centre(pair).astype(np.uint8)) for pair in pairs)
    assert found > 50


def _in_a_cells_corner(ink: np.ndarray) -> np.ndarray:
    """`ink` with the corner of its cell's rules below and to its right, as the preparation
    keeps them with a number in a small cell (a register's, under `paper_size` a side)."""
    h, w = ink.shape
    cornered = np.zeros((h + 6, w + 6), np.float32)
    cornered[:h, :w] = ink
    cornered[h + 3 : h + 5, 2:] = cornered[:, w + 3 : w + 5] = 200.0
    return fit_and_centre(cornered).astype(np.uint8)


def test_a_cells_corner_beside_the_ink_is_neither_one_digit_nor_several():
    """A register's cell under `paper_size` a side keeps its rules' corner in the 28x28: of
    100 pairs of MNIST's test digits written into each other there, more than 70 are several
    digits (57 before the count network learnt rules beside the ink; a register cell's 98 was
    its 9 to `predict`), and none of 500 single digits is (5 before)."""
    digits, _ = mnist_test(700)
    pairs = [_touching(a, b) for a, b in zip(digits[500:600], digits[600:700], strict=True)]
    assert sum(_several(_in_a_cells_corner(pair)) for pair in pairs) > 70
    assert not any(_several(_in_a_cells_corner(d.astype(np.float32))) for d in digits[:500])


@pytest.mark.parametrize(("left", "right", "step"), [(6, 5, 8), (9, 1, 12), (9, 13, 6)])
def test_a_number_in_a_forms_cell_is_several_digits(left, right, step):
    """A "41", a "92" and a "90" (MNIST's test digits) written into each other in a form's
    cell, its rules in the picture: one group to the pieces, one digit to the judge; `predict`
    answered one digit for them before the count network (of 136 such made cells, 3 more are
    several digits to it, none fewer)."""
    digits, _ = mnist_test(14)
    cell = np.full((140, 240), 215.0)
    cell[10:13, :] = cell[127:130, :] = cell[:, 20:23] = cell[:, 215:218] = 90.0
    ink = _touching(digits[left], digits[right], step).astype(np.uint8)
    ink = np.asarray(Image.fromarray(ink).resize((int(70 * (28 + step) / 28), 70)))
    cell[35:105, 60 : 60 + ink.shape[1]] -= 0.7 * ink
    prepared = prepare(Image.fromarray(np.clip(cell, 0, 255).astype(np.uint8), "L"))
    assert verdict.kind(prepared) is verdict.Kind.SEVERAL


@pytest.mark.parametrize(("first", "number"), [(78, "97"), (132, "57")])
def test_one_digit_the_count_leans_to_several_in_is_asked_of_read(tmp_path, first, number):
    """Two of MNIST's test digits written into each other on paper, which the count network
    takes for several digits at 0.98-0.997, short of `several_sure`: `predict` answered one
    digit (7 at 0.94, 9 at 0.76) where `read` reads the number; it asks `read` where the
    count leans to several (`networks.leans`), and says several digits."""
    digits, _ = mnist_test(first + 2)
    ink = cv2.resize(_touching(digits[first], digits[first + 1], 12), None, fx=4, fy=4)
    page = np.full((ink.shape[0] + 80, ink.shape[1] + 80), 235.0)
    page[40:-40, 40:-40] -= 0.85 * ink
    path = tmp_path / "two.png"
    cv2.imwrite(str(path), np.clip(page, 0, 255).astype(np.uint8))
    prepared = prepare(Image.open(path))
    assert verdict.kind(prepared) is verdict.Kind.DIGIT and 0.5 <= prepared.several_chance
    predicted = CliRunner().invoke(app, ["predict", str(path), "--format", "json"])
    read = CliRunner().invoke(app, ["read", str(path), "--format", "json"])
    assert json.loads(read.output)[0]["number"] == number
    assert json.loads(predicted.output)[0].get("note") == verdict.several(2)


def test_a_digit_taken_for_none_stays_refused_where_the_count_only_leans(tmp_path):
    """A blurred scribble on a page (made non-digits' seed 81, picture 74): the count network
    takes it for several digits at 0.998, short of `several_sure`, and `read` reads 20; the
    classifier takes it for no digit (`verdict.read_as_none`), so `predict` refuses it as not
    a digit, as it did before it asked `read` where the count leans to several."""
    mnist = ink_scenes.load_strokes("train")[:2000]
    image, what, _ = next(islice(nondigits.pictures(75, 81, mnist=mnist), 74, None))
    path = tmp_path / "scribble.png"
    image.save(path)
    assert what == "nondigit" and prepare(image).several_chance >= 0.5
    read = CliRunner().invoke(app, ["read", str(path), "--format", "json"])
    predicted = CliRunner().invoke(app, ["predict", str(path), "--format", "json"])
    assert json.loads(read.output)[0]["number"] == "20"
    assert json.loads(predicted.output)[0].get("note") == verdict.NOT_A_DIGIT
