"""A long picture (a register's wide cell, a strip of a number) keeps its shorter side at
`paper_size` when `predict` shrinks it, within `work_size` squared pixels.

Shrunk to `work_size` (192 px) along its longer side, a cell fifteen times as wide as high kept
its digits 3-5 px high: the ink found was a fragment of one digit, and `predict` answered one
digit for a number `read` reads whole (docs/measurements/preparation.md, "Round 61")."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image
from scanned_cells import cell

from digitcli.imaging import verdict
from digitcli.imaging.grayscale import to_gray, working_side
from digitcli.imaging.images import prepare_file
from digitcli.imaging.opening import open_image
from digitcli.imaging.settings import tuned

from make_photos import load_mnist


def test_a_number_in_a_long_cell_is_several_digits_to_predict(tmp_path):
    x, y = load_mnist("t10k")
    rng = np.random.default_rng(61)
    one = numbers = 0
    while numbers < 60:
        image, number = cell(x, y, rng, wide=True)
        if len(number) < 2:
            continue
        path = tmp_path / f"{numbers}.jpg"
        image.save(path, quality=85)
        numbers += 1
        one += verdict.kind(prepare_file(path)) is verdict.Kind.DIGIT
    assert one <= 4, f"{one} of 60 numbers answered as one digit"  # 11 before


def test_a_number_in_a_strip_66_times_as_long_as_high_is_several_digits(tmp_path):
    strip = np.full((60, 4000), 220, np.uint8)
    cv2.putText(strip, "4521", (1300, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.8, 30, 3)
    cv2.imwrite(str(tmp_path / "strip.png"), strip)
    assert verdict.kind(prepare_file(tmp_path / "strip.png")) is verdict.Kind.SEVERAL  # 0 before


def test_a_long_picture_keeps_its_shorter_side_at_paper_size(tmp_path):
    tune = tuned()
    Image.new("L", (600, 60), 200).save(tmp_path / "long.png")
    Image.new("L", (1000, 800), 200).save(tmp_path / "square.png")
    Image.new("L", (3000, 100), 200).save(tmp_path / "longer.png")
    assert open_image(tmp_path / "long.png").size == (10 * tune.paper_size, tune.paper_size)
    assert max(open_image(tmp_path / "square.png").size) == tune.work_size
    width, height = open_image(tmp_path / "longer.png").size
    assert height < tune.paper_size
    assert width * height <= tune.work_size**2


def test_a_picture_shrunk_to_its_working_side_is_not_shrunk_again():
    for width in range(150, 3000, 97):
        for height in (1, 7, 20, 33, 55, 56, 57, 80, 150, 400, 2900):
            shrunk = to_gray(Image.new("L", (width, height)), working_side(width, height))
            assert max(shrunk.size) <= working_side(*shrunk.size), (width, height, shrunk.size)
            assert shrunk.size[0] * shrunk.size[1] <= max(tuned().work_size ** 2, width * height)
