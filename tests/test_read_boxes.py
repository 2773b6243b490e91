"""digitcli read on comb fields: a baseline with teeth between the digits is not read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from test_read import mnist_test_digits, write_number  # noqa: F401 (a fixture, used below)

from digitcli.imaging.images import open_image
from digitcli.reading.read import read
from digitcli.reading.segment import OPEN_SIDE, find_candidates


@pytest.fixture(scope="module")
def digits(request: pytest.FixtureRequest) -> dict[int, list[np.ndarray]]:
    """test_read's MNIST test digits of each class, in one piece each."""
    return request.getfixturevalue("mnist_test_digits")


def write_comb(digits, number: str, path: Path, *, empty: int, tooth: int, level: int) -> None:
    """`number` on a comb: a baseline under the digits, a tooth `tooth` px high between each
    two, at each end, and after `empty` empty places."""
    truth = write_number(digits, number, path, gap=0.6)
    image = Image.open(path)
    pitch = truth[1][0] - truth[0][0]
    left = truth[0][0] - 20
    teeth = [left + i * pitch for i in range(len(number) + empty + 1)]
    paper = Image.new("L", (max(image.width, teeth[-1] + 30), image.height), 235)
    paper.paste(image, (0, 0))
    image = paper
    draw = ImageDraw.Draw(image)
    draw.line([(teeth[0], 150), (teeth[-1], 150)], fill=level, width=3)
    for x in teeth:
        draw.line([(x, 150 - tooth), (x, 150)], fill=level, width=3)
    image.save(path)


@pytest.mark.parametrize(
    ("number", "empty", "tooth", "level"),
    [("3958", 1, 40, 60), ("40721", 2, 50, 120), ("2026", 3, 50, 100), ("7316", 3, 45, 150)],
)
def test_a_combs_teeth_are_not_read(digits, tmp_path, number, empty, tooth, level):
    write_comb(digits, number, tmp_path / "comb.png", empty=empty, tooth=tooth, level=level)
    (reading,) = read([str(tmp_path / "comb.png")])
    assert reading.number == number


def test_ones_on_a_ruled_line_are_not_teeth(digits, tmp_path):
    """Strokes standing on one ruled line as high as the digits are handwriting."""
    write_number(digits, "1111", tmp_path / "ones.png", gap=0.6)
    image = Image.open(tmp_path / "ones.png")
    ImageDraw.Draw(image).line([(10, 141), (image.width - 10, 141)], fill=90, width=3)
    image.save(tmp_path / "ones.png")
    line = find_candidates(open_image(tmp_path / "ones.png", max_side=OPEN_SIDE))
    assert len(line.candidates) >= 4
    (reading,) = read([str(tmp_path / "ones.png")])
    assert reading.number == "1111"
