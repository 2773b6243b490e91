"""digitcli.imaging.paper: the paper's level, noise and the ink's polarity, one estimate that
`predict` and `read` share."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitcli.imaging.background import estimate_background
from digitcli.imaging.images import prepare
from digitcli.imaging.paper import dark_by_extremes, noise_below, paper_level
from digitcli.reading.ink import ink_signal

NOISE = 3.0  # the paper's grain, a standard deviation in grey levels


def seven_on(paper: np.ndarray, ink: int, size: tuple[int, int], width: int) -> np.ndarray:
    """`paper` (float grey levels, h x w) with a 7 drawn on it in `ink`, strokes `width` px,
    in a box of `size` (w, h) in the middle; uint8."""
    h, w = paper.shape
    mask = Image.new("L", (w, h), 0)
    left, top = (w - size[0]) // 2, (h - size[1]) // 2
    ImageDraw.Draw(mask).line(
        [(left, top), (left + size[0], top), (left + size[0] // 3, top + size[1])],
        fill=255,
        width=width,
    )
    inked = np.asarray(mask) > 0
    return np.clip(np.where(inked, ink, paper), 0, 255).astype(np.uint8)


def paper_grain(shape: tuple[int, int], level: float, seed: int = 0) -> np.ndarray:
    return level + np.random.default_rng(seed).normal(0.0, NOISE, shape)


def test_dark_ink_on_paper_in_a_shadow():
    """A soft shadow darkens the left half of the paper by a third: still dark ink on light
    paper, the paper's level one of the paper's (not the ink's), and its noise the grain's."""
    paper = paper_grain((300, 400), 210.0)
    paper *= 1.0 - 0.33 / (1.0 + np.exp((np.arange(400) - 200.0) / 20.0))  # darker to the left
    gray = seven_on(paper, 40, (160, 200), 8)
    assert dark_by_extremes(gray)
    signal = 255.0 - gray.astype(np.float32)
    assert 255 - 215 <= paper_level(signal) <= 255 - 135
    flat = signal - estimate_background(Image.fromarray(gray), True)
    assert noise_below(flat) == pytest.approx(NOISE, rel=0.35)


def test_white_ink_on_black():
    """A digit drawn white on a black canvas: light ink, the paper at 0."""
    gray = seven_on(np.zeros((280, 280)), 255, (150, 180), 18)
    assert not dark_by_extremes(gray)
    assert paper_level(gray.astype(np.float32)) == 0.0


def test_a_tiny_tile_filled_with_ink():
    """An 8x8 scan whose dark digit covers much of it: dark ink, the paper's level the paper's
    even where ink covers a third of the tile."""
    gray = np.full((8, 8), 230, np.uint8)
    gray[1:7, 2:5] = 30
    gray[1:3, 2:7] = 30
    assert (gray < 128).mean() > 0.3
    assert dark_by_extremes(gray)
    assert paper_level(255.0 - gray.astype(np.float32)) == pytest.approx(25.0, abs=1.0)


def test_blank_light_paper_is_paper_a_blank_dark_canvas_a_canvas():
    assert dark_by_extremes(np.full((40, 40), 240, np.uint8))
    assert not dark_by_extremes(np.full((40, 40), 15, np.uint8))


def _thin_number_with_a_glare() -> Image.Image:
    """A line picture of grey paper with a few thin dark strokes (under half a percent of its
    pixels) and a soft glare, lighter, over a few percent: the ink is dark."""
    h, w = 96, 288
    paper = paper_grain((h, w), 190.0, seed=1)
    ys, xs = np.mgrid[:h, :w]
    paper += 35.0 * np.exp(-(((xs - 250) / 18.0) ** 2 + ((ys - 48) / 14.0) ** 2))
    image = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L")
    draw = ImageDraw.Draw(image)
    draw.line([(80, 25), (74, 72)], fill=50, width=1)  # 17
    draw.line([(110, 25), (130, 25), (114, 72)], fill=50, width=1)
    return image


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(_thin_number_with_a_glare(), id="thin-ink-and-a-glare"),
        pytest.param(
            Image.fromarray(seven_on(np.zeros((96, 288)), 255, (60, 60), 5)), id="white-on-black"
        ),
    ],
)
def test_predict_and_read_agree_on_which_side_is_ink(image: Image.Image):
    """`read` finds the ink where `predict` does: its own choice of polarity gives the ink it
    finds when told `predict`'s."""
    dark = prepare(image).inverted
    found = ink_signal(image)[1]
    assert found.any()
    assert np.array_equal(found, ink_signal(image, "yes" if dark else "no")[1])
