"""Ink: what in an image of a line of digits stands clearly above its paper.

The first step of segmentation (`digitcli.reading.segment`), and what `multiline` parts a page's
lines by: which side is ink and how noisy the paper is are judged as `predict` judges them
(`digitcli.imaging.polarity`, `digitcli.imaging.paper`); the paper's level is estimated under
uneven lighting and subtracted; ink is what stands clearly above the paper's noise
(hysteresis: faint stroke ends stay joined to strong cores).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import cv2
import numpy as np
from PIL import Image

from digitcli.imaging import settings as preparation
from digitcli.imaging.histograms import extremes, histogram
from digitcli.imaging.images import INVERT_CHOICES, dilate, otsu_threshold
from digitcli.imaging.morphology import connected_to, opened, runs
from digitcli.imaging.polarity import ink_is_dark
from digitcli.reading.settings import tuned


class Ink(NamedTuple):
    """The ink of an image (`ink_signal`)."""

    flat: np.ndarray  # bright, float32, the paper at 0
    mask: np.ndarray  # what is ink: above a stroke's core level, or joined to such ink
    faintest: float  # the least level of ink the mask keeps (inf: it keeps none): a pen's
    # faint decimal point stands above it, but, joined to no stroke, out of the mask


def ink_signal(image: Image.Image, invert: str = "auto", *, finest: bool = False) -> Ink:
    """The ink (bright, float32, paper at 0) of an "L" image, the mask of what is ink, and
    the least level the mask keeps ink at (`Ink.faintest`). Its polarity is judged as
    `predict` judges it (`imaging.polarity`), the paper's noise measured as `predict`
    measures it (`imaging.paper`). `finest`: the paper's level is measured in the
    smallest blocks (`paper_block`), as on the small copy the lines are found on (`multiline`),
    whose strokes are a few px wide. Blocks a fifth of its height left the shaded side of a
    hard shadow's edge in the ink: the paper's spread grew past the number's contrast, no line
    was found, and the whole photo was read as one line, its number a few pixels high."""
    if invert not in INVERT_CHOICES:
        raise ValueError(f"invert must be one of {', '.join(INVERT_CHOICES)}, not {invert!r}")
    pixels = np.asarray(image, dtype=np.uint8)
    dark = ink_is_dark(pixels) if invert == "auto" else invert == "yes"
    gray = pixels.astype(np.float32)
    signal = 255.0 - gray if dark else gray
    flat = signal - _paper(signal, finest)
    np.maximum(flat, 0.0, out=flat)
    values = np.minimum(flat, 255.0)
    levels = _levels(values)
    return Ink(flat, _hysteresis(values, levels), math.inf if levels is None else levels[0])


def _paper(signal: np.ndarray, finest: bool = False) -> np.ndarray:
    """The paper's level under uneven lighting: block means, opened over 3x3 blocks (which
    removes the ink, narrower than three blocks), back to full size; `finest`: in blocks of
    `paper_block`, else at least `paper_blocks` to the picture's height too."""
    h, w = signal.shape
    tune = tuned()
    step = tune.paper_block if finest else max(tune.paper_block, h / tune.paper_blocks)
    grid = (max(1, round(w / step)), max(1, round(h / step)))
    blocks = np.asarray(Image.fromarray(signal, "F").resize(grid, Image.Resampling.BOX))
    low = opened(np.ascontiguousarray(blocks), 1)
    return np.asarray(Image.fromarray(low, "F").resize((w, h), Image.Resampling.BILINEAR))


def ink_again(mask: np.ndarray, flat: np.ndarray, away: np.ndarray) -> np.ndarray:
    """`mask`, and the ink of `flat` found again with `away` (a cell's rules, a scanner's lid,
    a box's sides, taken out of `mask` as lines) and their soft edges made paper first: darker
    than the writing, they had set its threshold above its fainter strokes, or above all of
    it. Where `mask` kept some ink, what is found again beside `away` or at the picture's
    edge (a rule's remnant, a neighbouring cell's side) is left out."""
    if not away.any():
        return mask
    rest = flat.copy()
    rest[dilate(away, 2)] = 0.0
    found = _ink_mask(rest)
    if not mask.any():
        return found
    beside = away.copy()
    beside[[0, -1], :] = True
    beside[:, [0, -1]] = True
    return mask | (found & ~connected_to(found & dilate(beside, 3), found))


def _ink_mask(flat: np.ndarray) -> np.ndarray:
    """Ink: above Otsu's threshold and well above the paper's noise; fainter pixels joined to
    such ink are kept too (hysteresis), specks of noise are not."""
    values = np.minimum(flat, 255.0)
    return _hysteresis(values, _levels(values))


def _hysteresis(values: np.ndarray, levels: tuple[float, float] | None) -> np.ndarray:
    """The pieces of `values` (0-255) over `levels`' low one that hold a pixel over its high
    one (`_levels`; None: no ink)."""
    if levels is None:
        return np.zeros(values.shape, dtype=bool)
    low, high = levels
    weak = values > low
    # Its 8-connected pieces (OpenCV's labelling: the pieces SciPy's 3x3 finds, faster).
    count, labels = cv2.connectedComponents(weak.view(np.uint8), connectivity=8)
    strong = np.zeros(count, dtype=bool)
    strong[labels[values > high]] = True
    strong[0] = False
    return strong[labels]


def _levels(values: np.ndarray) -> tuple[float, float] | None:
    """The hysteresis' two levels over `values` (the ink, 0-255, paper at 0): a stroke's core
    stands above the high one, its faint edges and ends above the low one; None where no ink
    stands out of the paper's noise."""
    hist = histogram(values)  # of its whole grey levels
    paper = values[::2, ::2]  # the paper's level and spread from a quarter of the pixels: as
    median = float(np.median(paper))  # robust, 4x fewer values to sort
    spread = 1.4826 * float(np.median(np.abs(paper - median))) + 1.0
    peak = extremes(hist)[1]  # the ink's brightest level, as `predict` measures it
    # Ink stands faintest_ink levels and noisy_contrast of the paper's spreads above its
    # paper; a stroke's core, half the ink's contrast, up to min_contrast: a fixed
    # min_contrast dropped the digits of a faded number and called it blank.
    tune, inked = tuned(), preparation.tuned()
    contrast = peak - median
    if contrast < max(inked.faintest_ink, inked.noisy_contrast * spread):
        return None
    core = min(inked.min_contrast, 0.5 * contrast)
    high = max(otsu_threshold(hist), median + inked.noisy_contrast * spread, core)
    return max(median + tune.spread_joined * spread, 0.5 * high), high


def ink_lines(mask: np.ndarray) -> list[tuple[int, int]]:
    """The rows [top, bottom) of each line of writing in an ink mask, top to bottom: bands of
    rows holding ink, bare paper above and below, at least `line_share` as high as the highest
    band and holding `line_ink` of the ink (a thinner one is a ruled line under a field, what
    is left of a row of boxes' rules, or a speck)."""
    tune = tuned()
    rows = mask.sum(axis=1)
    bands = runs(rows > 0)
    ink = max(int(rows.sum()), 1)
    highest = max((band.stop - band.start for band in bands), default=0)
    return [
        (band.start, band.stop)
        for band in bands
        if band.stop - band.start >= tune.line_share * highest
        and rows[band].sum() >= tune.line_ink * ink
    ]
