"""The digit's ink -> 28x28 as MNIST laid out its digits: `fit_and_centre`.

MNIST fitted each digit in a 20x20 box keeping its aspect ratio and pasted it into 28x28 with
its centre of mass at the centre; a model trained on it expects exactly that. Strokes so thin
they would shrink to a hairline in the box are widened to MNIST's usual width first.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from digitcli.core.config import IMAGE_SIZE
from digitcli.imaging.grayscale import MID_GREY
from digitcli.imaging.morphology import bounds, square_max
from digitcli.imaging.settings import tuned

BOX_SIZE = 20  # MNIST fits each digit in 20x20, keeping its aspect ratio ...
CENTRE = 14.0  # ... and centres its mass here (row, column) in 28x28; measured on MNIST: 14.0
# Stroke widths in px at 28x28 (area / half-perimeter): MNIST's median is 1.8, and 99% of its
# digits are wider than 1.0. Thinner than thin_stroke gets widened to typical_stroke.


def _ink_box(ink: np.ndarray) -> tuple[int, int, int, int]:
    """Top, bottom, left, right (exclusive) of what rounds to a visible grey level."""
    rows, cols = bounds(ink >= 0.5)
    return rows.start, rows.stop, cols.start, cols.stop


def stroke_width(ink: np.ndarray) -> float | None:
    """The strokes' width in pixels: the ink's area over half its outline (None: no outline)."""
    core = ink > MID_GREY  # more than half inked
    edges = np.count_nonzero(core[1:] != core[:-1]) + np.count_nonzero(core[:, 1:] != core[:, :-1])
    return 2.0 * float(ink.sum()) / 255.0 / edges if edges else None


def _thicken_thin_strokes(ink: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Widen strokes that would shrink to a hairline in the 20x20 box (a drawing app's thin
    brush on a big canvas) to MNIST's usual width; leaves every MNIST-like stroke alone.
    `box`: _ink_box(ink)."""
    width = stroke_width(ink)
    if width is None:
        return ink
    top, bottom, left, right = box
    scale = BOX_SIZE / max(bottom - top, right - left)
    if width * scale >= tuned().thin_stroke:
        return ink
    radius = round((tuned().typical_stroke / scale - width) / 2)
    if radius < 1:
        return ink
    padded = np.pad(ink, radius)  # room for strokes at the crop's edge to widen into
    return square_max(padded, radius)


def fit_and_centre(ink: np.ndarray) -> np.ndarray:
    """Crop to the ink, fit in BOX_SIZE x BOX_SIZE keeping the aspect ratio, centre by mass."""
    box = _ink_box(ink)
    thickened = _thicken_thin_strokes(ink, box)
    if thickened is not ink:
        ink, box = thickened, _ink_box(thickened)
    top, bottom, left, right = box
    crop = ink[top:bottom, left:right]
    h, w = crop.shape
    scale = BOX_SIZE / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size != (w, h):
        resample = Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC
        crop = np.asarray(
            Image.fromarray(crop.astype(np.float32), "F").resize(size, resample), dtype=np.float32
        )
        crop = np.clip(crop, 0.0, 255.0)
    patch = np.floor(crop + 0.5).astype(np.uint8)
    mass = patch.astype(np.float64)
    total = mass.sum()
    ph, pw = patch.shape
    if total > 0:
        cy = float((mass.sum(axis=1) * np.arange(ph)).sum() / total)
        cx = float((mass.sum(axis=0) * np.arange(pw)).sum() / total)
    else:
        cy, cx = (ph - 1) / 2, (pw - 1) / 2
    top = min(max(round(CENTRE - cy), 0), IMAGE_SIZE - ph)
    left = min(max(round(CENTRE - cx), 0), IMAGE_SIZE - pw)
    out = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    out[top : top + ph, left : left + pw] = patch
    return out


def in_square(plane: np.ndarray, side: int, enlarge: int = cv2.INTER_AREA) -> np.ndarray:
    """`plane` (float32) resized to fit `side` px a side, its aspect kept, centred on 0s: the
    square views the judge and the writing network look at. Shrunk by area; `enlarge`: the
    interpolation where it grows."""
    h, w = plane.shape
    scale = side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    out = np.zeros((side, side), np.float32)
    top, left = (side - size[1]) // 2, (side - size[0]) // 2
    interpolation = cv2.INTER_AREA if scale < 1 else enlarge
    out[top : top + size[1], left : left + size[0]] = cv2.resize(
        plane, size, interpolation=interpolation
    )
    return out
