"""The digit's ink on a picture of paper, as the ink finder sees it.

On a photo or scan of paper (`images.prepare` sends those here) the ink finder
(`digitcli.imaging.ink_finder`) says which pixels are handwritten strokes: paper, ruled lines,
boxes, print, shadows, a desk around the sheet are not. What it marks decides everything
after: no stroke is a blank picture; the polarity is that of the strokes against the rest;
separate groups of strokes are several digits; the digit's box is the strokes' box; its grey
levels are the picture's less its background, scaled from the paper near the strokes to the
strokes' own level, and faded out where the finder sees no stroke.
"""

from __future__ import annotations

import cv2
import numpy as np

from digitcli.imaging import ink_finder
from digitcli.imaging.morphology import bounds, dilate, widened
from digitcli.imaging.pieces import group_count
from digitcli.imaging.settings import tuned

STROKE = 0.5  # the finder's probability from which a pixel is a stroke (its training's cut)


def found(gray: np.ndarray) -> tuple[np.ndarray | None, np.ndarray, bool]:
    """The strokes on the uint8 grey picture `gray`: their mask (None: none found), the
    finder's probabilities, and whether they are darker than what lies around them."""
    chance = ink_finder.stroke_probability(gray)
    mask = _without_specks(chance >= STROKE)
    if mask is None:
        return None, chance, True
    around = dilate(mask, 3) & ~dilate(mask, 1)
    dark = bool(np.median(gray[mask]) <= np.median(gray[around])) if around.any() else True
    return mask, chance, dark


def _without_specks(mask: np.ndarray) -> np.ndarray | None:
    """`mask` less the pieces under speck_area of the largest one; None if nothing as big as
    a digit on paper could be (least_speck of the picture's longer side) is left."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)
    if count <= 1:
        return None
    area = stats[1:, cv2.CC_STAT_AREA]
    keep = np.concatenate([[False], area >= tuned().speck_area * area.max()])
    kept = keep[labels]
    box = bounds(kept)
    size = max(box[0].stop - box[0].start, box[1].stop - box[1].start)
    if size < max(2, tuned().least_speck * max(mask.shape)):
        return None
    return kept


def isolated(mask: np.ndarray, chance: np.ndarray, flat: np.ndarray) -> tuple[np.ndarray, int]:
    """The digit's ink near the strokes of `mask` (0-255 floats) from `flat` (the picture less
    its background, ink bright), and how many groups of strokes there are."""
    groups = group_count(mask)
    near = widened(bounds(mask), 2, mask.shape)
    flat, kept, chance = flat[near], mask[near], chance[near]
    paper_pixels = flat[~dilate(kept, 1)]
    paper = float(np.median(paper_pixels)) if paper_pixels.size else 0.0
    level = float(np.percentile(flat[kept], 80))
    ink = (flat - paper) * (255.0 / max(level - paper, 1.0))
    np.clip(ink, 0.0, 255.0, out=ink)
    return faded(ink, chance), groups


def faded(ink: np.ndarray, chance: np.ndarray) -> np.ndarray:
    """`ink` kept where the finder sees strokes (`chance`), faded out a pixel beyond them."""
    return ink * np.clip(cv2.dilate(chance, np.ones((3, 3), np.uint8)) / STROKE, 0.0, 1.0)
