"""Where the handwriting is: a small network's per-pixel probability that a pixel is a stroke
of a handwritten digit, and nothing else (paper, its texture, ruled and squared lines, print,
boxes, shadows, a desk around a sheet, creases, glare, the picture's border).

`ink_finder.tflite` is built by `bench/build/make_ink_finder.py` from scenes whose strokes are known
by construction (`bench/build/ink_scenes.py`). It sees the work image shrunk to VIEW px a side (its
aspect kept, the rest filled with the picture's median) as two channels: the grey levels and
their difference from the picture smoothed (`view`, which training uses too), and answers a
probability per pixel of that view, which `stroke_probability` brings back to the work image.
It runs through LiteRT, loaded on first use.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np

from digitcli.core.litert import Runner
from digitcli.imaging.settings import tuned

MODEL = Path(__file__).parent / "ink_finder.tflite"
VIEW = 96  # px a side of what the network sees (fixed by the shipped network)
CHANNELS = 2  # the grey levels, and their difference from the picture smoothed
SMOOTHING = 6.0  # px of the view: the Gaussian the second channel is the difference from
OVERLAP = 0.75  # squares of a line start this share of a side apart: a quarter overlaps
# What the network was trained on: the view it sees. Recorded in the artefact and checked on
# loading (`digitcli.core.fits`); thresholds applied to its answer are not part of it.
FITS = {"ink_finder": {"view": VIEW, "channels": CHANNELS, "smoothing": SMOOTHING}}


def view(gray: np.ndarray) -> tuple[np.ndarray, tuple[slice, slice]]:
    """The network's input for a uint8 grey picture: (VIEW, VIEW, CHANNELS) float32, and
    where in it the picture lies (rows, columns)."""
    h, w = gray.shape
    scale = VIEW / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    square = np.full((VIEW, VIEW), float(np.median(small)), np.float32)
    top, left = (VIEW - size[1]) // 2, (VIEW - size[0]) // 2
    inside = (slice(top, top + size[1]), slice(left, left + size[0]))
    square[inside] = small
    return channels(square), inside


def channels(square: np.ndarray) -> np.ndarray:
    """The network's input for a view's grey levels (float32, VIEW x VIEW): the levels, and
    their difference from the view smoothed."""
    out = np.empty((*square.shape, CHANNELS), np.float32)
    out[..., 0] = square / 255.0
    out[..., 1] = (square - cv2.GaussianBlur(square, (0, 0), SMOOTHING)) / 64.0
    return out


def stroke_probability(gray: np.ndarray) -> np.ndarray:
    """The probability (float32, `gray`'s shape) that each pixel of the uint8 grey picture
    is a handwritten stroke. A picture more than long_view times as long as it is high (a line
    of digits) is seen as squares its height a side, overlapping by a quarter, at most
    most_views of them (a longer one is shrunk to fit); each pixel takes the highest answer."""
    h, w = gray.shape
    if max(h, w) <= tuned().long_view * min(h, w):
        views, inside = view(gray)
        answer = _finder(MODEL)(views[np.newaxis])[0, ..., 0]
        return cv2.resize(answer[inside], (w, h), interpolation=cv2.INTER_LINEAR)
    if h > w:  # a column: seen as a row, turned (the network learned every turn)
        return stroke_probability(gray.T).T
    side = max(h, round(w / (1 + OVERLAP * (tuned().most_views - 1))))
    starts = _starts(w, side)
    tiles = [gray[:, x : x + side] for x in starts]
    views = [view(tile) for tile in tiles]
    answers = _finder(MODEL)(np.stack([v for v, _ in views]))[..., 0]
    chance = np.zeros((h, w), np.float32)
    for x, tile, (_, inside), answer in zip(starts, tiles, views, answers, strict=True):
        th, tw = tile.shape
        part = cv2.resize(answer[inside], (tw, th), interpolation=cv2.INTER_LINEAR)
        np.maximum(chance[:, x : x + tw], part, out=chance[:, x : x + tw])
    return chance


def _starts(length: int, side: int) -> list[int]:
    """Where squares `side` long start along `length` to cover it, overlapping by a quarter
    (squares a pixel or two long, of a line that thin: a pixel apart)."""
    count = 1 + max(0, -(-(length - side) // max(1, int(OVERLAP * side))))
    return [round(i * (length - side) / max(count - 1, 1)) for i in range(count)]


@cache
def _finder(path: Path) -> Runner:
    return Runner(path, stages=("ink_finder",), fits=FITS, threads=1)
