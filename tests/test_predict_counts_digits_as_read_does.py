"""`predict` counts the digits of a picture as `read` reads them (one verdict, issue #86): a
"10" written with its 1 close beside its 0, and a number written in a form's cell (its ruled
border on two sides), are one digit to the preparation's pieces but two to `read`; `predict`
says "several digits ... use `digitcli read`" for both, and `read` reads the number."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.imaging import verdict


def _ten_apart(path: Path) -> Path:
    """A "10" drawn on a 28x28 canvas, white on black, the 1 a pixel or two from the 0."""
    pixels = np.zeros((28, 28), np.uint8)
    cv2.line(pixels, (7, 5), (5, 22), 255, 2)
    cv2.ellipse(pixels, (14, 13), (4, 8), 10, 0, 360, 255, 2)
    Image.fromarray(pixels).save(path)
    return path


def _fourteen_in_a_cell(path: Path) -> Path:
    """A "14" in a 60x34 cell cut from a scanned form: grey paper, the cell's lines on its
    right and at its foot."""
    pixels = np.full((34, 60), 190, np.uint8)
    cv2.line(pixels, (57, 0), (57, 33), 120, 1)
    cv2.line(pixels, (0, 31), (59, 31), 120, 1)
    cv2.line(pixels, (22, 8), (20, 26), 60, 2)
    for start, end in (((36, 8), (30, 19)), ((30, 19), (42, 19)), ((39, 12), (37, 28))):
        cv2.line(pixels, start, end, 60, 2)
    Image.fromarray(pixels).save(path)
    return path


def _answer(command: str, path: Path) -> dict:
    result = CliRunner().invoke(app, [command, str(path), "--format", "jsonl"])
    assert result.exit_code in (0, 3), result.output
    [row] = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    return row


@pytest.mark.parametrize(
    ("draw", "number"), [(_ten_apart, "10"), (_fourteen_in_a_cell, "14")], ids=["ten", "cell"]
)
def test_predict_finds_several_digits_where_read_reads_a_number(tmp_path, draw, number):
    picture = draw(tmp_path / "number.png")
    read = _answer("read", picture)
    predicted = _answer("predict", picture)
    assert read["number"] == number
    assert predicted.get("digit") is None
    assert predicted["note"] == verdict.several(len(number))


def test_one_digit_is_still_one_digit_to_both(tmp_path):
    pixels = np.zeros((28, 28), np.uint8)
    cv2.ellipse(pixels, (14, 14), (6, 9), 0, 0, 360, 255, 2)
    Image.fromarray(pixels).save(tmp_path / "zero.png")
    assert _answer("predict", tmp_path / "zero.png")["digit"] == 0
    assert _answer("read", tmp_path / "zero.png")["number"] == "0"
