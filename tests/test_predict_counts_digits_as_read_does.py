"""`predict` counts the digits in a picture by the rule `read` segments by (`pieces.apart`):
two separate pieces of ink side by side, each of a digit's full height, are two digits even
where together they are no wider than one digit ("10" written apart: a 1 is narrow). Before,
`predict` answered such a "10" with one digit (0, or 4) while `read` read 10, on a drawing and
in a form's cell alike; and a number between a cell's rules, which the judge takes for lines,
was "lines, a page or a picture" to `predict` where `read` read it."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.imaging import pieces, verdict
from digitcli.imaging.images import Prepared, prepare
from digitcli.imaging.verdict import Kind


def _ten(size: tuple[int, int], box: tuple[int, int, int, int], *, ink: int, paper: int) -> Image:
    """A "1" and a "0" written apart inside `box` (left, top, right, bottom): together as
    wide as they are high."""
    image = Image.new("L", size, paper)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = box
    width = max(1, (bottom - top) // 12)
    one = left + (right - left) // 6
    draw.line([(one + width, top), (one - width, bottom)], fill=ink, width=width)
    draw.ellipse([left + (right - left) * 2 // 5, top, right, bottom], outline=ink, width=width)
    return image


def _drawn_ten() -> Image.Image:
    """A "10" drawn in a canvas app: white strokes on black, 28 px a side."""
    return _ten((28, 28), (4, 4, 22, 23), ink=255, paper=0)


def _ten_in_a_cell() -> Image.Image:
    """A "10" in a form's cell photographed: grey ink on grey paper, the cell's rule below."""
    image = _ten((240, 136), (70, 20, 150, 112), ink=70, paper=200)
    ImageDraw.Draw(image).line([(0, 124), (239, 124)], fill=90, width=3)
    return image


def _answers(tmp_path: Path, image: Image.Image) -> tuple[dict, dict]:
    path = tmp_path / "ten.png"
    image.save(path)
    rows = []
    for command in ("predict", "read"):
        result = CliRunner().invoke(app, [command, str(path), "--format", "jsonl"])
        assert result.exit_code in (0, 3), result.output
        rows.append(json.loads(result.output.splitlines()[0]))
    return rows[0], rows[1]


def test_a_ten_written_apart_is_two_digits_to_the_preparation():
    assert prepare(_drawn_ten()).several
    assert prepare(_ten_in_a_cell()).several


def test_predict_sends_a_drawn_ten_to_read_which_reads_ten(tmp_path):
    predicted, read = _answers(tmp_path, _drawn_ten())
    assert predicted["digit"] is None
    assert predicted["note"].startswith("several digits (2 found)")
    assert read["number"] == "10"


def test_predict_sends_a_ten_in_a_cell_to_read_which_reads_ten(tmp_path):
    predicted, read = _answers(tmp_path, _ten_in_a_cell())
    assert predicted["digit"] is None
    assert predicted["note"].startswith("several digits")
    assert read["number"] == "10"


def test_one_digit_in_pieces_stays_one_digit():
    """A 4 written in two strokes and a 5 whose flag stands apart above its body share their
    columns: each is one digit to both rules."""
    assert not pieces.apart((0, 10, 12, 40), (8, 0, 14, 40))  # a 4's two strokes
    assert not pieces.apart((0, 0, 20, 8), (2, 10, 20, 40))  # a 5's flag above its body
    assert pieces.apart((0, 0, 4, 40), (6, 0, 30, 40))  # a 1 beside a 0


def _four_in_two_strokes(gap: int) -> Image.Image:
    """A 4 written in two strokes on paper, its bent stroke ending `gap` px short of its stem:
    two pieces side by side, no wider than one digit, as a "10" written close is."""
    image = Image.new("L", (200, 240), 215)
    draw = ImageDraw.Draw(image)
    draw.line([(95, 40), (60, 140), (110, 140)], fill=60, width=7, joint="curve")
    stem = 117 + gap
    draw.line([(stem, 50), (stem - 4, 200)], fill=60, width=7)
    return image


@pytest.mark.parametrize("gap", [4, 10])
def test_a_four_written_in_two_strokes_is_one_digit_to_both_commands(tmp_path, gap):
    """The two pieces of a 4 written in two strokes stand side by side as a "10" written close
    does (`pieces.only_side_by_side`); the count and letters networks take their 28x28 for one
    digit, so both commands answer 4 (round 87: "several digits (2 found)" before, on two
    writers' real 4s and a real 9)."""
    image = _four_in_two_strokes(gap)
    prepared = prepare(image)
    assert verdict.kind(prepared) is Kind.DIGIT and prepared.groups == 1
    predicted, read = _answers(tmp_path, image)
    assert predicted["digit"] == 4
    assert read["number"] == "4"


def _blobs(rows: int) -> np.ndarray:
    """A mask of `rows` rows of three digit-sized rings, a form's rule under the last row."""
    mask = np.zeros((40 * rows + 12, 120), dtype=np.uint8)
    for row in range(rows):
        for column in range(3):
            centre = (20 + 35 * column, 20 + 40 * row)
            cv2.ellipse(mask, centre, (10, 15), 0, 0, 360, 1, 2)
    mask[40 * rows + 6, :] = 1
    return mask.astype(bool)


def test_digits_in_one_row_stand_in_one_row_and_a_page_does_not():
    assert pieces.in_one_row(_blobs(1))
    assert not pieces.in_one_row(_blobs(3))


def test_lines_that_stand_in_digits_side_by_side_are_several_digits():
    """The judge takes a number in a form's cell, between its rules, for lines: predict said
    "lines, a page or a picture" where read read the number (Meza's cells, 24 of 137)."""
    blank = np.zeros((28, 28), np.uint8)
    on_rules = Prepared(blank, has_ink=False, inverted=True, groups=3, refused=Kind.LINES)
    page = Prepared(blank, has_ink=False, inverted=True, groups=1, refused=Kind.LINES)
    assert verdict.kind(on_rules) is Kind.SEVERAL
    assert verdict.note(on_rules) == verdict.several(3)
    assert verdict.note(page) == verdict.NOT_DIGITS
