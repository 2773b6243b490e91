"""digitcli.imaging.polarity: which way round the ink is, one answer `predict` and `read` both
take (the network's on a picture of paper, the rule's on a digit's own crop)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw
from test_paper import paper_grain, seven_on

from digitcli.imaging import polarity
from digitcli.imaging.images import prepare
from digitcli.imaging.polarity import ink_is_dark
from digitcli.reading.read import read


def _in_a_windows_light() -> np.ndarray:
    """A page photographed by a window: its left two thirds in shadow (grey 150), the rest in
    the window's light (white); a number in pencil (70 levels darker) in the shadow."""
    paper = paper_grain((400, 300), 150.0)
    paper[:, 200:] = 255.0
    image = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L")
    draw = ImageDraw.Draw(image)
    for left in range(30, 170, 28):  # five digits, 1s and 7s
        draw.line([(left, 170), (left + 18, 170), (left + 6, 210)], fill=80, width=3)
    return np.asarray(image)


def test_a_pencil_in_the_shadow_beside_a_windows_light_is_dark_ink():
    """The rule this network replaced took the window's light for ink (it stands further from
    the shadowed paper than the pencil does) and called the page blank."""
    assert ink_is_dark(_in_a_windows_light())
    assert prepare(Image.fromarray(_in_a_windows_light(), "L")).inverted


def test_dark_ink_on_paper_in_a_soft_shadow():
    paper = paper_grain((300, 400), 210.0)
    paper *= 1.0 - 0.33 / (1.0 + np.exp((np.arange(400) - 200.0) / 20.0))  # darker to the left
    assert ink_is_dark(seven_on(paper, 40, (160, 200), 8))


def test_white_ink_on_a_black_canvas():
    assert not ink_is_dark(seven_on(np.zeros((280, 280)), 255, (150, 180), 18))


@pytest.mark.parametrize("thick", [2, 4])
def test_mnist_sized_crops_of_either_polarity(thick: int):
    """A 28x28 crop whose strokes cover a third of it (a marker's): either way round."""
    light = seven_on(np.full((28, 28), 10.0), 245, (18, 20), thick)
    assert not ink_is_dark(light)
    assert ink_is_dark(255 - light)


def test_a_tiny_tile_filled_with_ink():
    gray = np.full((8, 8), 230, np.uint8)
    gray[1:7, 2:5] = 30
    gray[1:3, 2:7] = 30
    assert ink_is_dark(gray)


def test_a_cell_ruled_on_three_sides_holds_dark_ink():
    """A register's cell cut out at its rules (the fourth cut off with the scanner's lid):
    the rules, as dark as the ink, are most of its border, and are no paper."""
    pixels = np.full((56, 160), 200, np.uint8)
    pixels[:2] = pixels[-2:] = pixels[:, -2:] = 70
    pixels[20:40, 100:103] = pixels[20:23, 90:103] = 70  # a 7, small inside it
    assert ink_is_dark(pixels)


@pytest.mark.parametrize("side", [40, 120])  # a crop (the rule), a picture of paper
def test_blank_light_paper_is_paper_a_blank_dark_canvas_a_canvas(side: int):
    """Where nothing tells, light paper is taken to hold dark ink, a dark board light ink."""
    assert ink_is_dark(np.full((side, side), 240, np.uint8))
    assert not ink_is_dark(np.full((side, side), 15, np.uint8))


def test_read_judges_a_pictures_polarity_once_as_predict_does(tmp_path):
    """`read` takes the polarity of the whole picture for every line of it, as `predict`
    judges it: the page by the window is read in dark ink, not called blank."""
    path = tmp_path / "window.png"
    Image.fromarray(_in_a_windows_light(), "L").save(path)
    (reading,) = read([str(path)])
    assert reading.number is not None, reading.note


def test_the_view_is_squeezed_to_the_networks_input():
    gray = np.full((30, 90), 100, np.uint8)
    gray[10:20, 40:50] = 200
    view = polarity.view(gray, 64)
    assert view.shape == (64, 64, 2)
    assert view.dtype == np.float32
    assert view[..., 0].max() == pytest.approx(200 / 255, abs=0.01)
    assert view[..., 1].min() == 0.0 and view[..., 1].max() == 1.0


def test_a_number_cut_tight_in_a_thick_pen_is_dark_ink(mnist_test_digits):
    """A form's field cut tight round a number written with a thick, soft pen: ink is half
    the strip, and round 20's first network took it for the paper (USPS-made numbers)."""
    digits = [mnist_test_digits[d][0] for d in (2, 0, 1, 6, 8, 2)]
    pen = np.ones((5, 5), np.uint8)
    strip = np.concatenate([cv2.dilate(d, pen)[:, 3:25] for d in digits], axis=1)
    shape = cv2.resize(strip, (strip.shape[1] * 67 // 28, 67)) / 255.0
    shape = cv2.GaussianBlur(shape, (0, 0), 2.5)
    picture = np.clip(180 - 125 * shape + paper_grain(shape.shape, 0.0), 0, 255).astype(np.uint8)
    assert (picture < 115).mean() > 0.4
    assert ink_is_dark(picture)
