"""A number written on one ruled line, its digits touching or crossing it: the line is taken
out and the number read (`clutter.one_line`). Before, the line and the digits on it were one
piece crossing the picture, dropped whole as a rule (`clutter.crossing_pieces`), and both
commands called a plainly written 104 on a notebook's line blank."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from test_read import write_number

from digitcli.imaging import clutter
from digitcli.predicting.predict import predict
from digitcli.reading.read import read

# (number, the line's height in the picture as a share of it, its rise across, its width in px)
WRITTEN = [("7108", 0.62, -4, 2), ("65", 0.64, -3, 2), ("94", 0.6, -3, 2)]


def on_a_line(digits, number: str, path: Path, at: float, rise: int, width: int) -> None:
    """`number` written as `test_read.write_number` writes it, a grey ruled line drawn across
    the whole picture through its digits' lower part."""
    write_number(digits, number, path)
    paper = np.asarray(Image.open(path).convert("L")).copy()
    height, right = paper.shape[0], paper.shape[1] - 1
    y = int(at * height)
    cv2.line(paper, (0, y), (right, y + rise), 110, width, cv2.LINE_AA)
    Image.fromarray(paper).save(path)


@pytest.fixture(scope="module")
def lined(mnist_test_digits, tmp_path_factory) -> list[tuple[str, str]]:
    out = tmp_path_factory.mktemp("lined")
    written = []
    for i, (number, at, rise, width) in enumerate(WRITTEN):
        path = out / f"{i}.png"
        on_a_line(mnist_test_digits, number, path, at, rise, width)
        written.append((str(path), number))
    return written


def test_a_number_written_on_one_ruled_line_is_read(lined) -> None:
    """Each was "no digit found: the image is blank" to `read` before."""
    readings = list(read([path for path, _ in lined]))
    assert [r.number for r in readings] == [number for _, number in lined]


def test_predict_counts_the_digits_on_the_line(lined) -> None:
    """`predict` calls each several digits, as `read` reads it (blank before)."""
    for prediction in predict([path for path, _ in lined]):
        assert prediction.note is not None and prediction.note.startswith("several digits")


@pytest.mark.parametrize(("digit", "rise"), [(2, 2), (5, -3)])
def test_one_digit_on_a_ruled_line_is_predicted(mnist_test_digits, tmp_path, digit, rise) -> None:
    """A digit whose lower part the line runs through: blank to both before."""
    path = tmp_path / f"{digit}.png"
    on_a_line(mnist_test_digits, str(digit), path, 0.64, rise, 2)
    (prediction,) = predict([str(path)])
    (reading,) = read([str(path)])
    assert (prediction.digit, reading.number) == (digit, str(digit))


def _ruled(top: int, thick: int, left: int = 0, right: int = 192) -> np.ndarray:
    """A 120x192 mask: a digit-like blob, and a level line `thick` rows from `top` between
    columns `left` and `right`."""
    inked = np.zeros((120, 192), bool)
    inked[30:80, 60:70] = True
    inked[top : top + thick, left:right] = True
    return inked


def test_one_line_is_a_hairline_drawn_from_side_to_side() -> None:
    """A notebook's line is taken out; a shadow's band (as thick as a fifth of the picture)
    and a box's side (stopping short of one of the picture's sides) are not lines to take out."""
    line = clutter.one_line(_ruled(78, 2), _ruled(78, 2))
    assert line is not None and line[78:80].all(axis=1).all() and not line[:70].any()
    assert clutter.one_line(_ruled(60, 24), _ruled(60, 24)) is None
    boxed = _ruled(78, 2, left=2, right=176)  # 16 px short of the right side
    assert clutter.one_line(boxed, boxed) is None
