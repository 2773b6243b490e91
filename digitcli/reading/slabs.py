"""A 1 stretched to fill a square cell: form scanners and some collections store each digit
stretched to fill its cell, and a 1 becomes a solid slab, which neither the line reader nor
the classifier takes for a 1. On a line of such digits (`segment.filled_line`), a slab is
drawn as a 1 again: a stroke down its middle, as wide as the line's other strokes.
"""

from __future__ import annotations

import cv2
import numpy as np

from digitcli.imaging.clutter import strokes_width
from digitcli.reading.atoms import FULL_HEIGHT

# A piece is a slab when it fills HULL_FILLED of its convex hull or more (a 0, 6, 8 or 9 filled
# out has holes, a 3, 4 or 7 paper between its strokes within its hull), SOLID_ROWS of its
# rows are one run of ink (at most a pixel in ten missing), on average THICK times as wide as
# it is high or more, and about as wide (the 10th percentile of their widths EVEN times the
# 90th or more). A slanted 1 stretched is a staircase: its hull is not quite full.
HULL_FILLED = 0.8
SOLID_ROWS = 0.9
THICK = 0.4
EVEN = 0.4
STROKE_OF_HEIGHT = 0.15  # the stroke of a line with no other strokes, of its height


def is_slab(ys: np.ndarray, xs: np.ndarray) -> bool:
    """Whether a piece (its pixels' rows and columns) is a solid slab."""
    rows = ys - ys.min()
    counts = np.bincount(rows)
    lows = np.full(counts.size, xs.max() + 1)
    highs = np.full(counts.size, xs.min() - 1)
    np.minimum.at(lows, rows, xs)
    np.maximum.at(highs, rows, xs)
    inked = counts > 0
    widths = (highs - lows + 1)[inked]
    hull = cv2.convexHull(np.stack([xs, ys], axis=1).astype(np.int32))
    filled = ys.size / (cv2.contourArea(hull) + cv2.arcLength(hull, True) / 2 + 1)
    return bool(
        filled >= HULL_FILLED
        and np.mean(counts[inked] >= 0.9 * widths) >= SOLID_ROWS
        and np.median(widths) >= THICK * counts.size
        and np.percentile(widths, 10) >= EVEN * np.percentile(widths, 90)
    )


def slabs_as_strokes(
    flat: np.ndarray, mask: np.ndarray, pieces: list[tuple[np.ndarray, np.ndarray]], height: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """`flat` (the ink's signal) and `mask` (the ink) with each full-height slab among
    `pieces` (`height`: a digit's on the line) drawn as a 1: a stroke through the middles of
    its rows (a slanted 1 stretched is a staircase), as wide as the line's other strokes.
    None where there is no slab."""
    slabs = [
        (ys, xs) for ys, xs in pieces if np.ptp(ys) + 1 >= FULL_HEIGHT * height and is_slab(ys, xs)
    ]
    if not slabs:
        return None
    flat, mask = flat.copy(), mask.copy()
    others = mask.copy()
    for ys, xs in slabs:
        others[ys, xs] = False
    width = strokes_width(others) if others.any() else STROKE_OF_HEIGHT * height
    for ys, xs in slabs:
        middles = np.bincount(ys, xs) / np.maximum(np.bincount(ys), 1)
        away = np.abs(xs - middles[ys]) > width / 2
        mask[ys[away], xs[away]] = False
        flat[ys[away], xs[away]] = 0.0
    return flat, mask
