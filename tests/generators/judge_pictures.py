"""Made pictures for `bench/build/make_judge.py` of the kinds the judge got wrong: blank paper
photographed on a desk under a shadow, faint digits beside a shadowed corner (and the shadowed
corner alone), and large digits written off the page's centre, near its sides.

Each is a phone photo of paper (uneven light, grain, noise): the judge learns these kinds from
many random draws, not from the tests' own pictures.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

# A digit's ink coverage (0-1), this many px high: `make_judge.digit_ink` of an MNIST digit.
DigitInk = Callable[[int], np.ndarray]


def photo_paper(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Light paper photographed: a level, a gradient, grain and noise (float grey levels)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    level = rng.uniform(150, 235)
    light = (
        level
        + rng.uniform(-25, 25) * (xx / width - 0.5)
        + rng.uniform(-15, 15) * (yy / height - 0.5)
    )
    grain = rng.normal(0, rng.uniform(1, 5), (8, 8)).astype(np.float32)
    grain = np.asarray(Image.fromarray(grain, "F").resize((width, height), Image.BICUBIC))
    return light + grain + rng.normal(0, rng.uniform(1, 6), (height, width))


def _soft_step(distance: np.ndarray, softness: float) -> np.ndarray:
    """0 on one side of a line, 1 on the other, `softness` px of soft edge (a logistic)."""
    return 1.0 / (1.0 + np.exp(-np.clip(distance / softness, -50, 50)))


def _across(rng: np.random.Generator, width: int, height: int, reach: float) -> np.ndarray:
    """Signed px beyond a random straight line that cuts off up to `reach` of the picture from
    one of its sides or corners (positive: the part cut off)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    along = np.cos(angle) * xx + np.sin(angle) * yy
    lowest, highest = float(along.min()), float(along.max())
    at = highest - rng.uniform(0.05, reach) * (highest - lowest)
    return along - at


def desk_shadow(sheet: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A dark desk beyond the paper's edge, and/or a soft shadow across part of the paper."""
    height, width = sheet.shape
    if rng.random() < 0.8:
        beyond = _soft_step(_across(rng, width, height, 0.35), rng.uniform(0.7, 3.0))
        desk = rng.uniform(20, 130) + rng.normal(0, rng.uniform(1, 6), sheet.shape)
        sheet = sheet * (1 - beyond) + desk * beyond
    if rng.random() < 0.8:
        shade = _soft_step(_across(rng, width, height, 0.6), rng.uniform(10, 80))
        sheet = sheet * (1 - rng.uniform(0.1, 0.4) * shade)
    return sheet


def shadowed_corner(sheet: np.ndarray, rng: np.random.Generator) -> tuple[int, int]:
    """Darken a corner of `sheet` by a soft round shadow; the corner (y, x)."""
    height, width = sheet.shape
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    y, x = int(rng.choice([0, height])), int(rng.choice([0, width]))
    reach = np.hypot(xx - x, yy - y) / max(height, width)
    sheet *= 1 - rng.uniform(0.1, 0.35) / (
        1 + np.exp((reach - rng.uniform(0.2, 0.5)) / rng.uniform(0.04, 0.12))
    )
    return y, x


def write(sheet: np.ndarray, ink: np.ndarray, top: int, left: int, strength: float) -> None:
    """Darken `sheet` by `ink` coverage placed at (top, left), clipped to the sheet."""
    h, w = sheet.shape
    bottom, right = min(h, top + ink.shape[0]), min(w, left + ink.shape[1])
    if bottom <= max(top, 0) or right <= max(left, 0):
        return
    part = ink[max(0, -top) : bottom - top, max(0, -left) : right - left]
    sheet[max(top, 0) : bottom, max(left, 0) : right] *= 1.0 - strength * part


def _ink_alone(ink: np.ndarray) -> np.ndarray:
    """`ink` cropped to its strokes' box."""
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0.05), np.flatnonzero(ink.max(axis=0) > 0.05)
    if rows.size == 0:
        return ink
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _picture(sheet: np.ndarray, rng: np.random.Generator) -> Image.Image:
    if rng.random() < 0.1:  # light ink on a dark canvas
        sheet = 255.0 - sheet
    return Image.fromarray(np.clip(sheet + 0.5, 0, 255).astype(np.uint8), "L")


def _size(rng: np.random.Generator) -> tuple[int, int]:
    width = int(rng.integers(300, 1001))
    return width, int(np.clip(width * rng.uniform(0.6, 1.6), 250, 1000))


def blank_on_desk(rng: np.random.Generator) -> Image.Image:
    """Blank paper photographed on a desk: its edge, a shadow, or both."""
    sheet = desk_shadow(photo_paper(rng, *_size(rng)), rng)
    return _picture(sheet, rng)


def blank_shadowed_corner(rng: np.random.Generator) -> Image.Image:
    """Blank paper with one corner in a soft shadow."""
    sheet = photo_paper(rng, *_size(rng))
    shadowed_corner(sheet, rng)
    return _picture(sheet, rng)


def faint_digit_by_shadow(digit_ink: DigitInk, rng: np.random.Generator) -> Image.Image:
    """A faint digit (10-45 grey levels) written near a corner in a soft shadow."""
    sheet = photo_paper(rng, *_size(rng))
    height, width = sheet.shape
    side = int(min(height, width) * rng.uniform(0.2, 0.45))
    ink = digit_ink(side) * rng.uniform(10, 45) / max(float(sheet.mean()), 1.0)
    y, x = shadowed_corner(sheet, rng)
    margin = lambda extent: int(rng.uniform(0.05, 0.35) * extent)  # noqa: E731
    top = margin(height) if y == 0 else height - side - margin(height)
    left = margin(width) if x == 0 else width - side - margin(width)
    write(sheet, ink, top, left, 1.0)
    return _picture(sheet, rng)


def off_centre_digit(digit_ink: DigitInk, rng: np.random.Generator) -> Image.Image:
    """A large digit (its strokes a quarter to two thirds of the page's shorter side high)
    near a side or a corner: within 6% of the page from it, four times in five each way."""
    sheet = photo_paper(rng, *_size(rng))
    height, width = sheet.shape
    ink = _ink_alone(digit_ink(int(min(height, width) * rng.uniform(0.3, 0.9))))

    def near(extent: int, size: int) -> int:
        if rng.random() < 0.2:
            return int(rng.integers(0, max(1, extent - size + 1)))
        margin = int(rng.uniform(0.0, 0.06) * extent)
        return margin if rng.random() < 0.5 else extent - size - margin

    top, left = near(height, ink.shape[0]), near(width, ink.shape[1])
    write(sheet, ink, top, left, rng.uniform(0.4, 0.9))
    return _picture(sheet, rng)
