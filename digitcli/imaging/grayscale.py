"""Any picture Pillow or OpenCV hands us -> a small 8-bit grayscale ("L") image.

Every mode a file may hold (palettes, 16-bit and float, transparency) ends up as one grey level
a pixel, shrunk to at most `work_size` a side (a long picture: `working_side`) before anything
else is done to it: the rest of preparation is NumPy and OpenCV on that small array.
Transparent drawings are composited on a background that keeps their ink's contrast.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image, ImageChops

from digitcli.imaging import orderstats
from digitcli.imaging.decoding import COLOUR_CHANNELS
from digitcli.imaging.settings import tuned

_ALPHA_MODES = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})
HIGH_BIT_MODES = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
COLOUR, _WITH_ALPHA = COLOUR_CHANNELS  # channels of a colour picture (BGR); a fourth is alpha
MAX_16_BIT = np.iinfo(np.uint16).max  # the highest 16-bit level
MID_GREY = 127.5  # halfway between black and white


def working_side(width: int, height: int) -> int:
    """The longer side `predict` shrinks a picture of `width` x `height` to first: `work_size`,
    or, where that leaves its shorter side under `paper_size` (a register's wide cell, a strip
    of a number), the length that keeps that side at `paper_size`, at most `work_size` squared
    over `paper_size`: never more pixels than a square picture's. Shrunk to `work_size`, a cell
    fifteen times as wide as high kept its digits 3-5 px high (docs/measurements/preparation.md,
    "Round 61")."""
    tune = tuned()
    short, long = sorted((max(width, 1), max(height, 1)))
    longest = tune.work_size**2 / tune.paper_size
    return max(tune.work_size, math.floor(min(long * tune.paper_size / short, longest)))


def to_gray(im: Image.Image, max_side: int | None = None) -> Image.Image:
    """Any mode Pillow opens, shrunk to max_side, as 8-bit grayscale with alpha composited."""
    max_side = tuned().work_size if max_side is None else max_side
    mode = im.mode
    if mode in HIGH_BIT_MODES:
        values = _shrunk(im.convert("F") if mode != "F" else im, max_side)
        return high_bit_to_gray(values, is_float=mode == "F")
    if mode in _ALPHA_MODES or "transparency" in im.info:
        if mode == "La":
            im = im.convert("LA")
        elif mode not in ("LA", "RGBA"):
            im = im.convert("RGBA")
        return _composite(im, max_side)
    if mode == "LAB":
        im = im.getchannel(0)
    elif mode == "HSV":
        im = im.getchannel(2)
    elif mode != "L":
        # At full size: converting is cheaper than shrinking colour, and Pillow shrinks "1"
        # and "P" with nearest neighbour.
        im = im.convert("L")
    return _shrunk(im, max_side)


def array_to_gray(pixels: np.ndarray, max_side: int | None = None) -> Image.Image:
    """`to_gray` of OpenCV's pixels: 8-bit or 16-bit grey (h x w), BGR or BGRA. 16-bit
    grey is shrunk before its range is read: no float copy at full size."""
    max_side = tuned().work_size if max_side is None else max_side
    if pixels.dtype == np.uint16:
        height, width = pixels.shape
        if max(width, height) > max_side:  # as _shrunk: a whole factor's box average, then linear
            scale = max_side / max(width, height)
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            whole = max(width, height) // max_side
            if whole > 1:
                box = (max(1, width // whole), max(1, height // whole))
                pixels = cv2.resize(pixels, box, interpolation=cv2.INTER_AREA)
            pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_LINEAR)
        return high_bit_to_gray(pixels, is_float=False)
    if pixels.ndim == 2:
        return _shrunk(Image.fromarray(pixels, "L"), max_side)
    if pixels.shape[2] == COLOUR:
        return _shrunk(Image.fromarray(cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY), "L"), max_side)
    luma = Image.fromarray(cv2.cvtColor(pixels, cv2.COLOR_BGRA2GRAY), "L")
    return _composited(luma, Image.fromarray(np.ascontiguousarray(pixels[..., 3]), "L"), max_side)


def _shrunk(im: Image.Image, max_side: int | None = None) -> Image.Image:
    """At most max_side a side: an integer reduce() (a box average: free of aliasing, it
    averages the noise away), then OpenCV's bilinear for the rest, less than 2x: faster than
    Pillow's area-averaging resize all the way, and as accurate."""
    max_side = tuned().work_size if max_side is None else max_side
    width, height = im.size
    if max(width, height) <= max_side:
        return im
    scale = max_side / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if im.mode != "L":
        return im.resize(size, Image.Resampling.BOX, reducing_gap=2.0)
    whole = max(width, height) // max_side
    reduced = im.reduce(whole) if whole > 1 else im
    return Image.fromarray(cv2.resize(np.asarray(reduced), size, interpolation=cv2.INTER_LINEAR))


def high_bit_to_gray(im: Image.Image | np.ndarray, *, is_float: bool) -> Image.Image:
    """16-bit, 32-bit integer and float images to 0-255, guessing the range from the values."""
    values = np.nan_to_num(np.asarray(im, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if lo >= 0 and hi <= 1.0 and is_float:
        values = values * 255.0
    elif lo >= 0 and hi <= 255:
        pass
    elif lo >= 0 and hi <= MAX_16_BIT:
        values = values / 257.0
    else:
        values = (values - lo) * (255.0 / max(hi - lo, 1e-12))
    return Image.fromarray(np.clip(values + 0.5, 0, 255).astype(np.uint8), "L")


def _composite(im: Image.Image, max_side: int | None = None) -> Image.Image:
    """LA or RGBA to L: transparent areas become background, chosen so the ink keeps contrast.

    Drawings are ink on a transparent canvas: the visible pixels are the ink, so the background
    is white under dark ink and black under light ink. When most of the image is opaque, the
    visible pixels are mostly paper, and the transparent rest takes the paper's grey.
    """
    max_side = tuned().work_size if max_side is None else max_side
    lum_full = im.getchannel(0) if im.mode == "LA" else im.convert("L")  # alpha is ignored
    return _composited(lum_full, im.getchannel("A"), max_side)


def _composited(lum_full: Image.Image, alpha_full: Image.Image, max_side: int) -> Image.Image:
    """`_composite` of an image's luma and alpha ("L" images)."""
    # Compositing is linear in (luma x alpha, alpha), so both can be shrunk first, exactly.
    weighted = _shrunk(ImageChops.multiply(lum_full, alpha_full), max_side)
    alpha = np.asarray(_shrunk(alpha_full, max_side), dtype=np.float32) / 255.0
    weighted_lum = np.asarray(weighted, dtype=np.float32)
    if alpha.min() == 1.0:  # opaque all over
        return Image.fromarray(np.clip(weighted_lum / alpha + 0.5, 0, 255).astype(np.uint8), "L")
    visible = alpha > 0.5
    if not visible.any():
        return Image.new("L", weighted.size, 0)
    if visible.mean() < 0.5:
        ink = float(weighted_lum.sum() / alpha.sum())
        background = 255.0 if ink < MID_GREY else 0.0
    else:
        background = orderstats.median(weighted_lum[visible] / alpha[visible])
    out = weighted_lum + background * (1.0 - alpha)
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8), "L")
