"""Ink: the digit's ink alone, scaled as MNIST's strokes are.

With the background subtracted, what is left is the paper's noise and the ink. The paper and
its noise are measured as `read` measures them (`digitcli.imaging.paper`), a threshold between
the two is chosen from their grey levels (faint ink on quiet paper still counts), the digit's
pieces are kept (`digitcli.imaging.pieces`) with the faint strokes touching them, ruled lines
photographed askew are taken for background, and blank pictures are answered None rather than
guessed at: too little contrast anywhere, or ink the one verdict (`digitcli.imaging.verdict`)
refuses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from digitcli.imaging import clutter, verdict
from digitcli.imaging.histograms import extremes, histogram, mad, otsu_threshold, quantile
from digitcli.imaging.morphology import (
    bounds,
    connected_to,
    dilate,
    shifted,
    square_max,
    widened,
)
from digitcli.imaging.paper import noise_below, paper_statistics
from digitcli.imaging.pieces import digit_components, group_count, in_one_row, only_side_by_side
from digitcli.imaging.settings import tuned
from digitcli.imaging.verdict import Kind
from digitcli.imaging.writing import writing_pieces

# What the settings this module reads are for (their values: settings.py).
# Pixels above faint_stroke of the way from the noise floor to the ink threshold belong to
# a stroke when they touch one (hysteresis): a calligraphic pen's hairline stays.
# ... unless the paper is quiet: Otsu's two classes at least faintest_ink levels apart and
# faint_separation of the paper's spreads: faint digits on quiet paper are read, not called
# blank (figures: docs/measurements/code-notes.md). On paper, where the judge is asked, ink
# faintest_ink levels above the paper is its to judge: a faded register's numbers were called
# blank unseen (docs/measurements/preparation.md, "Round 56").
# Pictures paper_size px or more a side show paper around their digit (not a crop of it as
# MNIST's 28x28, where a digit may touch two sides): there, lines and edges crossing the
# picture and ruled lines photographed askew are not taken for ink, and the judge
# (`digitcli.imaging.judge`) says whether the ink kept is one digit: blank paper or lines
# refused only when its digit probability is under not_digit (figures:
# docs/measurements/preparation.md).


@dataclass(frozen=True)
class Strokes:
    """The strokes found on a picture, before anyone judges what they are."""

    flat: np.ndarray  # the picture less its background (floats, ink bright, 0 and up)
    levels: np.ndarray  # `flat` as grey levels (uint8), for statistics
    floor: float  # the paper's noise stays below this level
    kept: np.ndarray  # the digit's pieces with the faint strokes touching them (a mask)
    box: tuple[slice, slice]  # `kept`'s bounding box
    groups: int  # separate digit-sized groups side by side
    on_paper: bool  # the picture shows paper around its digit (`paper_size`)
    strokes: np.ndarray  # every piece over the threshold, lines taken out (`kept`: the digit's)
    # The groups are pieces side by side with no gap between (`pieces.only_side_by_side`): a
    # "10" written close, or a 4 written in two strokes.
    side_by_side: bool


class Isolated(NamedTuple):
    """What `isolate_ink` found: the ink, the ink the model reads, the groups, the verdict's
    kind and the strokes (each as `isolate_ink` says)."""

    ink: np.ndarray | None
    read: np.ndarray | None
    groups: int
    kind: Kind
    strokes: Strokes | None


def isolate_ink(
    signal: np.ndarray, background: np.ndarray, *, whole_strokes: bool = True
) -> Isolated:
    """Bright ink on a dark background -> ink only (0-255 floats, background 0), or None if
    no digit; the same ink less what the writing network (`digitcli.imaging.writing`) takes
    for no writing (a shadow's band beside the digit; the ink itself where it keeps every
    piece), the one the digit model reads; how many separate digit-sized groups of ink it
    holds (with None: 0, or, where the judge took the ink for lines or a page of writing, 1,
    or, where that ink stands in one row, `pieces.in_one_row`, the groups found: a number on a
    form's rules); what it is (`verdict.Kind`: with None, blank (no piece of it writing, to
    the writing network, counts so too), lines, not a digit; else
    DIGIT, or SEVERAL where the judge is sure the ink is several digits); and the strokes found
    (`find_strokes`; None: none), judged or not.

    Subtracts the (possibly uneven) background, zeroes the noise, and keeps the connected
    pieces of ink that make up the digit, dropping specks away from it (`find_strokes`).
    whole_strokes: also keep the faint strokes attached to them, as bright as their neighbours
    (not for small scans, whose soft edges come from enlarging them).
    """
    found = find_strokes(signal, background, whole_strokes=whole_strokes)
    if found is None:
        return Isolated(None, None, 0, Kind.BLANK, None)
    kept, groups = found.kept, found.groups
    refused = verdict.judged(found.flat, kept, on_paper=found.on_paper, strokes=found.strokes)
    if verdict.refusing(refused):  # blank paper, lines or a page, not a digit
        row = refused is Kind.LINES and in_one_row(kept)  # digits in a row: a number on rules
        return Isolated(None, None, groups if row else int(refused is Kind.LINES), refused, found)
    writing = writing_pieces(found.flat, kept) if found.on_paper else kept
    if not writing.any():  # every piece a desk's edge, a shadow's band: no writing at all
        return Isolated(None, None, 0, Kind.BLANK, found)
    near = widened(found.box, 2, kept.shape)  # all the steps below keep: 5-10x fewer pixels
    flat, levels = found.flat[near], found.levels[near]
    level = quantile(histogram(levels, kept[near]), 0.8)  # strokes' cores become white, as in MNIST
    ink = _scaled_ink(flat, kept[near], found.floor, level, whole_strokes=whole_strokes)
    read = ink
    if writing is not kept:
        read = _scaled_ink(flat, writing[near], found.floor, level, whole_strokes=whole_strokes)
    return Isolated(ink, read, groups, refused or Kind.DIGIT, found)


def find_strokes(
    signal: np.ndarray, background: np.ndarray, *, whole_strokes: bool = True, again: bool = True
) -> Strokes | None:
    """The strokes of the digit on a picture (`signal`, ink bright, less its `background`),
    or None: too little contrast anywhere, or no piece is a digit's (`isolate_ink`). On paper,
    where every piece crossed the picture (a cell's rules, a scanner's lid, darker than the
    writing, set the threshold above it), a second look (`again` False) without them; it
    asks `min_contrast` of the ink: without the rules, a blank cell's grain is what is left."""
    flat = signal - background
    noise = noise_below(flat)
    np.maximum(flat, 0.0, out=flat)
    levels = np.minimum(flat, 255.0).astype(np.uint8)  # for statistics, to the grey level
    hist = histogram(levels)
    otsu = otsu_threshold(hist)
    median = quantile(hist, 0.5)
    spread = 1.4826 * mad(hist, median)
    peak = extremes(hist)[1]
    paper_median, paper_spread = paper_statistics(hist)
    # The median pixel is not paper: ink and its soft edges cover half the image (a small scan
    # enlarged smoothly to fill its picture), so the spread of all the pixels is the ink's, not
    # the noise's (used for the blank test, it called many faint digits blank).
    covered = median > paper_median + paper_spread
    noise = max(noise, paper_spread if covered else spread)
    on_paper = whole_strokes and max(flat.shape) >= tuned().paper_size
    least = tuned().faintest_ink if on_paper and again else tuned().min_contrast  # judged
    low_contrast = peak - median < max(least, tuned().noisy_contrast * noise)
    if low_contrast and not _two_levels(hist, otsu):
        return None
    if low_contrast or covered:
        # Ink covers much of the image (a tight crop, a thick pen): noise from the paper alone.
        median, spread = paper_median, paper_spread
    floor = median + 3.0 * spread  # nearly all background noise stays below this
    threshold = max(otsu, floor + 0.2 * (peak - floor))
    faint_level = floor + tuned().faint_stroke * (threshold - floor)
    ruled = clutter.ruled_lines(flat, levels, max(floor, tuned().faintest_ink), faint_level)
    strokes = flat > threshold
    lines = None  # ruled lines photographed askew: background, like the paper
    if ruled is not None:
        strokes = clutter.bridged(strokes, *ruled)
    elif on_paper:
        inked = flat > faint_level
        lines = clutter.slanted_lines(inked)
        if lines is None:
            lines = clutter.one_line(inked, strokes)
        if lines is not None:
            lines = dilate(lines, 1)  # with their soft edges
            strokes = strokes & ~lines  # a digit a line cuts in two: digit_components keeps
            # the pieces near the largest
    found = digit_components(strokes, on_paper=on_paper)
    if found is None:
        if on_paper and again:
            without = np.where(dilate(flat > threshold, 2), background, signal)
            return find_strokes(without, background, whole_strokes=whole_strokes, again=False)
        return None
    kept, box, groups = found
    recounted = whole_strokes and not on_paper  # groups counted again once faint ink joins
    side_by_side = not recounted and groups > 1 and only_side_by_side(kept)  # (before it joins)
    if whole_strokes:
        reach = max(box[0].stop - box[0].start, box[1].stop - box[1].start) // 2
        near = widened(box, reach, kept.shape)
        faint = flat[near] > faint_level
        if ruled is not None:
            faint &= ~ruled[0][near[0], None] & ~ruled[1][None, near[1]]
        if lines is not None:
            faint &= ~lines[near]
        kept[near] = connected_to(kept[near], faint)
        box = shifted(bounds(kept[near]), near)
        if recounted:  # a few px wide, a stroke's core may stand in pieces: count it whole
            groups = group_count(kept[near])  # (on paper, faint ink joins digits written close)
            side_by_side = groups > 1 and only_side_by_side(kept[near])
    return Strokes(flat, levels, floor, kept, box, groups, on_paper, strokes, side_by_side)


def _scaled_ink(
    flat: np.ndarray, kept: np.ndarray, floor: float, level: float, *, whole_strokes: bool
) -> np.ndarray:
    """Grey levels from `floor` (0) to the strokes' `level` (255), near the kept strokes only."""
    ink = flat - floor
    if whole_strokes:
        # Each stroke scaled by its own brightness nearby, so a pen's hairlines are as white
        # as its full strokes (MNIST's strokes are all one brightness).
        nearby = square_max(flat * kept, 3) - floor
        ink *= 255.0 / np.clip(nearby, max(0.3 * (level - floor), 1.0), max(level - floor, 1.0))
    else:
        ink *= 255.0 / max(level - floor, 1.0)
    np.clip(ink, 0.0, 255.0, out=ink)
    ink *= dilate(kept, 2)  # anti-aliased edges near the kept strokes stay; the rest goes
    return ink


def _two_levels(hist: np.ndarray, threshold: float) -> bool:
    """Whether the grey levels split into paper and ink, rather than one level with noise:
    Otsu's two classes lie min_contrast levels apart, or, fainter, faintest_ink levels and
    faint_separation spreads of the lower class (Gaussian noise split at its mean gives 2.7
    standard deviations; a digit on paper, 5 to 50). `threshold`: Otsu's."""
    levels = np.arange(256)
    low, high = levels < threshold, levels >= threshold
    n_low, n_high = hist[low].sum(), hist[high].sum()
    if n_low == 0 or n_high == 0:
        return False
    mean_low = (hist[low] * levels[low]).sum() / n_low
    gap = (hist[high] * levels[high]).sum() / n_high - mean_low
    if gap >= tuned().min_contrast:
        return True  # (the spread is only asked of fainter ink)
    std_low = math.sqrt((hist[low] * (levels[low] - mean_low) ** 2).sum() / n_low)
    return gap >= max(tuned().faintest_ink, tuned().faint_separation * max(std_low, 1.0))
