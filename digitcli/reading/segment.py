"""One line of handwritten digits -> candidate digits, each prepared as `predict` prepares one.

A number on paper is found in steps, all in numpy and scipy.ndimage on a copy of the image
WORK_HEIGHT pixels high (a smaller one enlarged):

1. ink: the paper's level is estimated under uneven lighting and subtracted; ink is what stands
   clearly above the paper's noise (hysteresis: faint stroke ends stay joined to strong cores);
2. the whole line is turned level (the angle whose row profile is sharpest);
3. printed form lines are removed: long thin horizontal runs, and, between a field's top and
   bottom lines, the vertical sides of its boxes, looked for in fainter ink too (a light
   printed box is only partly in the ink mask); strokes crossing a line are joined again;
4. the handwriting's slant is measured (the shear whose column profile is sharpest) and cuts
   between digits follow it;
5. "atoms": the connected pieces of ink; a piece too wide for one digit (touching digits) is cut
   at the valleys of its column profile;
6. candidates: each atom, and each run of up to MAX_ATOMS neighbouring atoms narrow enough to
   be one digit (a 5 and its detached flag, a 4 in two pieces; two separate full-height pieces
   side by side cost JOIN_COST to join: they are usually two digits). Each candidate's ink alone is
   cropped and fitted into 28x28 by `digitcli.imaging.images.fit_and_centre`, as `predict` fits one;
7. pairs: each run of touching atoms as wide as two digits (PAIR_WIDTH), fitted into 28x56 for
   `digitcli.reading.pairs`, which reads two digits that touch or overlap as a whole, where no cut
   parts them.
8. the strip: all the line's ink, STRIP_SPAN line heights scaled to 32 px high, for
   `digitcli.reading.lines`, which reads the whole line at once and never cuts.

The classifier then scores every candidate and `best_reading` picks the segmentation whose
digits are likeliest together (the sum of their log-probabilities, by dynamic programming over
the atoms), as classic handwritten-numeral recognisers do; a pair counts as its two digits.
`best_readings` gives the likeliest segmentation of each digit count, which `read` weighs
with the line reader's likelihood of its number. Gaps between groups ("2026 11 22") are
simply gaps: the number is its digits, left to right.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np
from PIL import Image
from scipy import ndimage

from digitcli.imaging.clutter import LINE_ACROSS
from digitcli.imaging.images import (
    FAINT_SEPARATION,
    FAINTEST_INK,
    INVERT_CHOICES,
    Prepared,
    dilate,
    fit_and_centre,
    otsu_threshold,
)

WORK_HEIGHT = 96  # px: a line of digits is read this high (digits ~40-70 px); 112 took
# 14% more time and read no better (tuning set: 89% exact either way, digits 97.6% -> 97.8%)
WORK_WIDTH = 1600  # px: and at most this wide (a 10-digit number fits)
OPEN_SIDE = 1600  # px: files are decoded to at most this many pixels a side for `read`
# A printed box's side is a line as thin as its top and bottom: at most SIDE_WIDTH times as
# wide (and a pixel), or a pen's stroke reaching from one ruled line to the next was taken for
# one; and a form's lines end at its outermost box: lines running on past them by RUN_PAST of
# the lines' spacing are ruled paper. (150 numbers of the tuning set with ruled lines drawn
# across: 77.3% read exactly, 94.7% with these two, 96.7% keeping a pen that runs along a
# line too, `_over_ruled_lines`; the read benchmark's boxed numbers: tuning set 96% -> 98%.)
SIDE_WIDTH = 2.0
RUN_PAST = 0.5
COMB_TEETH = 3  # a comb has at least this many teeth ...
TOOTH_HIGH = 0.75  # ... each at most this share of the ink's height
MAX_ATOMS = 8  # pieces one digit may be made of
# A line shrunk to fit WORK_WIDTH whose digits end up lower than SMALLEST_HEIGHT px, or its
# pieces narrower than SMALLEST_WIDTH px (median), holds too many digits to read (a 3,000x40
# row of 300 MNIST digits; 100 and 150 of them, 10 px high and 5-6 px wide, read right).
SMALLEST_HEIGHT = 6.0
SMALLEST_WIDTH = 4.5
# Ink in MOST_LINES or more bands of rows, paper between them, each with LINE_INK of the ink
# or more, is a page of writing (printed text), not one line: no number is read from it.
MOST_LINES = 3
LINE_INK = 0.03
PAIR_WIDTH = (0.8, 2.0)  # line heights: a span this wide may be two touching digits (from
# 0.8, not 1: a quarter of the touching pairs with a 1 in them are narrower than a line height)
PAIR_GAP = 0.1  # line heights: the pieces of a pair are at most this far apart
PAIR_SHAPE = (28, 56)  # a pair's pixels, as the pair reader sees them ...
PAIR_BOX = (24, 52)  # ... its ink fitted in this box
STRIP_SHAPE = (32, 256)  # the whole line's ink, as the line reader sees it ...
STRIP_SPAN = 1.6  # ... this many line heights high, about its middle (a digit ~20 px high)
MAX_WIDTH = 1.3  # a digit is at most this wide, in line heights (a sprawling 2 or 0)
CUT_FROM = 0.75  # pieces wider than this (line heights) may be touching digits: cut candidates
MAX_CUTS = 3.0  # cuts tried per line height of a piece's width
MIN_PART = 0.18  # no cut leaves a part narrower than this (line heights)
JOIN_GAP = 0.3  # pieces up to this far apart (line heights) may be one digit
SMALL = 0.45  # a piece lower than this (line heights) is not a digit on its own
SKIP_COST = 4.0  # log-probability a reading pays for leaving out a small piece (a speck)
WIDE_FROM = 1.0  # line heights: a candidate wider than this is likely two digits
TOO_WIDE_COST = 8.0  # per line height beyond WIDE_FROM
DIGIT_COST = -0.5  # log-probability each digit of a reading pays (negative: earns)
CUT_COST = 1.0  # and each side of it that is a cut through a piece of ink
SHORT_COST = 10.0  # per line height a candidate is lower than FULL_HEIGHT: a piece of a digit
FULL_HEIGHT = 0.7
JOIN_COST = 1.0  # joining two separate full-height pieces side by side into one digit
OVERLAP_COST = 1.0  # parting two pieces one above the other, per share of the narrower's width
FAINT_LINE = 0.1  # printed lines are looked for in ink this faint (share of the pen's level)
MIN_CONTRAST = 24.0  # grey levels between paper and ink below which there is no ink
ANGLES = np.radians(np.arange(-8.0, 8.01, 0.5))  # rotations of the whole line tried
SHEARS = np.arange(-0.6, 0.61, 0.05)  # slants of the handwriting tried (dx per dy)


@dataclass
class Candidate:
    """A run of atoms [start, stop) read as one digit (in `Line.pairs`: as two)."""

    start: int
    stop: int
    pixels: np.ndarray  # uint8 (28, 28), prepared like predict's; a pair's PAIR_SHAPE
    box: tuple[int, int, int, int]  # left, top, right, bottom in the input image's pixels
    penalty: float = 0.0  # subtracted from the log-probability (too wide for one digit)


@dataclass
class Line:
    """What segmentation found in one image: atoms, left to right, and candidate digits."""

    atoms: int = 0
    skippable: list[bool] = field(default_factory=list)  # small pieces a reading may leave out
    height: float = 0.0  # a digit's height on this line, in the input image's pixels
    candidates: list[Candidate] = field(default_factory=list)
    pairs: list[Candidate] = field(default_factory=list)  # spans that may be two touching digits
    strip: np.ndarray | None = field(default=None, repr=False)  # all its ink, STRIP_SHAPE
    too_small: bool = False  # too many digits on the line, shrunk too small to read
    lines: int = 1  # bands of ink one above the other: MOST_LINES or more, a page of writing
    whole: Prepared | None = field(default=None, repr=False)  # all the ink as predict sees it


# ---------------------------------------------------------------------------------------------
# Ink


def ink_signal(image: Image.Image, invert: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """The ink (bright, float32, paper at 0) of an "L" image, and the mask of what is ink."""
    if invert not in INVERT_CHOICES:
        raise ValueError(f"invert must be one of {', '.join(INVERT_CHOICES)}, not {invert!r}")
    gray = np.asarray(image, dtype=np.float32)
    dark = _ink_is_dark(gray) if invert == "auto" else invert == "yes"
    signal = 255.0 - gray if dark else gray
    flat = signal - _paper(signal)
    noise = _paper_noise(flat, gray)
    np.maximum(flat, 0.0, out=flat)
    return flat, _ink_mask(flat, noise)


def _paper_noise(flat: np.ndarray, gray: np.ndarray) -> float:
    """The paper's noise (a standard deviation) from the pixels below its level, where ink never
    lies (`flat`: the signal less the paper); infinite where black or white clips the paper
    (`gray`: the image), which hides the noise."""
    if np.count_nonzero((gray <= 0.0) | (gray >= 255.0)) > 0.01 * gray.size:
        return math.inf
    quarter = flat[::2, ::2]  # enough pixels for the noise, 4x fewer to sort
    below = -quarter[quarter < -0.5]
    return float(np.median(below)) / 0.6745 if below.size else 0.0


def _ink_is_dark(gray: np.ndarray) -> bool:
    """Dark ink on light paper when the border (mostly paper) is nearer the light extreme."""
    band = max(1, round(0.05 * min(gray.shape)))
    border = np.concatenate([gray[:band].ravel(), gray[-band:].ravel()])
    paper = float(np.median(border))
    darkest, lightest = np.percentile(gray, [0.5, 99.5])
    return paper - darkest > lightest - paper


def _paper(signal: np.ndarray) -> np.ndarray:
    """The paper's level under uneven lighting: block means, opened over 3x3 blocks (which
    removes the ink, narrower than three blocks), back to full size."""
    h, w = signal.shape
    step = max(8.0, h / 5.0)
    grid = (max(1, round(w / step)), max(1, round(h / step)))
    blocks = np.asarray(Image.fromarray(signal, "F").resize(grid, Image.Resampling.BOX))
    low = ndimage.grey_opening(blocks, size=(3, 3), mode="nearest")
    return np.asarray(Image.fromarray(low, "F").resize((w, h), Image.Resampling.BILINEAR))


def _ink_mask(flat: np.ndarray, noise: float) -> np.ndarray:
    """Ink: above Otsu's threshold and well above the paper's noise; fainter pixels joined to
    such ink are kept too (hysteresis), specks of noise are not. `noise`: the paper's standard
    deviation, measured below it."""
    values = np.minimum(flat, 255.0)
    hist = np.bincount(values.astype(np.uint8).ravel(), minlength=256)
    median = float(np.median(values))
    spread = 1.4826 * float(np.median(np.abs(values - median))) + 1.0
    peak = float(np.percentile(values, 99.5))
    # Fainter than MIN_CONTRAST, ink counts on quiet paper only, as `predict` counts it
    # (images.FAINTEST_INK and FAINT_SEPARATION): a number 16-20 levels from its paper was blank.
    faint = peak - median < MIN_CONTRAST
    least = max(FAINTEST_INK, FAINT_SEPARATION * max(spread, noise)) if faint else MIN_CONTRAST
    if peak - median < max(least, 6.0 * spread):
        return np.zeros(flat.shape, dtype=bool)
    high = max(otsu_threshold(hist), median + 6.0 * spread, FAINTEST_INK if faint else MIN_CONTRAST)
    low = max(median + 3.0 * spread, 0.5 * high)
    weak = values > low
    labels, count = ndimage.label(weak, structure=np.ones((3, 3)))
    strong = np.zeros(count + 1, dtype=bool)
    strong[labels[values > high]] = True
    strong[0] = False
    return strong[labels]


# ---------------------------------------------------------------------------------------------
# The line: level, free of printed lines, slant


@dataclass
class _Frame:
    """How the work image maps back to the input: scaled by (sx, sy), then turned by `angle`
    (radians, as PIL's rotate with expand) about the centre of a (w, h) image into (rw, rh)."""

    sx: float
    sy: float
    size: tuple[int, int]  # the input image's (width, height)
    angle: float = 0.0
    scaled: tuple[int, int] = (0, 0)
    turned: tuple[int, int] = (0, 0)

    def to_input(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.angle:
            (w, h), (rw, rh) = self.scaled, self.turned
            dx, dy = xs - rw / 2, ys - rh / 2
            cos, sin = math.cos(self.angle), math.sin(self.angle)
            xs, ys = w / 2 + dx * cos - dy * sin, h / 2 + dx * sin + dy * cos
        return xs / self.sx, ys / self.sy

    def boxes(self, work: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Work-frame boxes (n, 4: left, top, right, bottom exclusive) as boxes in input
        pixels, clipped; all in one pass (one at a time cost 0.1 ms a candidate)."""
        left, top, right, bottom = np.asarray(work, float).reshape(-1, 4).T
        xs, ys = self.to_input(
            np.stack([left, right, left, right], axis=1), np.stack([top, top, bottom, bottom], 1)
        )
        w, h = self.size
        found = np.stack(
            [
                np.clip(np.floor(xs.min(axis=1)), 0, w),
                np.clip(np.floor(ys.min(axis=1)), 0, h),
                np.clip(np.ceil(xs.max(axis=1)), 0, w),
                np.clip(np.ceil(ys.max(axis=1)), 0, h),
            ],
            axis=1,
        ).astype(int)
        return [tuple(int(v) for v in row) for row in found]


def _work_image(image: Image.Image) -> tuple[Image.Image, _Frame]:
    """The image WORK_HEIGHT high (at most WORK_WIDTH wide), and how it maps back to the
    input: shrunk by area averaging, or enlarged with Lanczos, as `images.prepare` enlarges a
    small scan (read at their own size, numbers 40 px high were read exactly 91-92% of the
    time, against 95-96% enlarged: bench/read_numbers.py's numbers shrunk, seeds 1 and 0)."""
    size = image.info.get("source_size", image.size)
    w, h = image.size
    scale = min(WORK_HEIGHT / h, WORK_WIDTH / w)
    if scale != 1.0:
        resample = Image.Resampling.BOX if scale < 1.0 else Image.Resampling.LANCZOS
        image = image.resize((max(1, round(w * scale)), max(1, round(h * scale))), resample)
    return image, _Frame(image.width / size[0], image.height / size[1], size)


def _sharpest(coords: np.ndarray, other: np.ndarray, slopes: np.ndarray) -> float:
    """The slope s for which `coords + s * other` bunches up most (sum of squared counts):
    for rows, the line's tilt; for columns, the handwriting's slant."""
    if coords.size < 20:
        return 0.0
    shifted = np.rint(coords[None, :] + slopes[:, None] * (other - other.mean())[None, :])
    shifted -= shifted.min(axis=1, keepdims=True)
    bins = shifted.astype(np.int64)
    width = int(bins.max()) + 1  # every slope's counts in one bincount: 3x faster than a loop
    bins += np.arange(len(slopes))[:, None] * width
    counts = np.bincount(bins.ravel(), minlength=len(slopes) * width)
    scores = np.square(counts.reshape(len(slopes), width)).sum(axis=1)
    best = int(np.argmax(scores))
    if abs(scores[best] - scores[len(slopes) // 2]) < 0.02 * scores[best]:
        return 0.0  # hardly better than as it is: leave it
    return float(slopes[best])


def _level(
    flat: np.ndarray, mask: np.ndarray, frame: _Frame
) -> tuple[np.ndarray, np.ndarray, _Frame]:
    """Turn the line level when it is tilted by more than half a degree."""
    ys, xs = np.nonzero(mask)
    slope = _sharpest(ys.astype(np.float32), -xs.astype(np.float32), np.tan(ANGLES))
    angle = math.atan(slope)
    if abs(angle) < math.radians(0.5):
        return flat, mask, frame
    degrees = math.degrees(angle)
    turned = Image.fromarray(flat, "F").rotate(degrees, Image.Resampling.BILINEAR, expand=True)
    shape = Image.fromarray(mask.astype(np.float32), "F")
    turned_mask = np.asarray(shape.rotate(degrees, Image.Resampling.BILINEAR, expand=True)) > 0.5
    frame.angle, frame.scaled, frame.turned = angle, flat.shape[::-1], turned.size
    return np.asarray(turned), turned_mask, frame


def _form_lines(mask: np.ndarray) -> np.ndarray:
    """Printed lines in `mask`: horizontal runs far longer than a digit, and the vertical sides
    of boxes that reach from a field's top line to its bottom line."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return np.zeros_like(mask)
    extent = rows[-1] - rows[0] + 1
    length = max(int(2.0 * extent), int(0.3 * (cols[-1] - cols[0] + 1)), 8)
    lines = _runs(mask, length, axis=1)
    if not lines.any():
        return lines
    line_rows = np.flatnonzero(lines.sum(axis=1) >= length)
    if line_rows.size == 0:
        return lines  # runs that wander across rows: no level line to hang boxes from
    top, bottom = int(line_rows[0]), int(line_rows[-1])
    if bottom - top < 0.5 * extent:  # one ruled line (or one box edge): no box to look for,
        return lines | _comb_teeth(mask, lines, line_rows, extent)  # but maybe a comb's teeth
    sides = _runs(mask & ~lines, max(4, int(0.7 * (bottom - top))), axis=0)
    labels, count = ndimage.label(sides)
    thickness = line_rows.size / max(1, _bands(line_rows))
    for index, found in enumerate(ndimage.find_objects(labels), start=1):
        if found is None:
            continue
        reach = 3 + (bottom - top) // 20
        piece = labels[found] == index
        wide = piece.sum() / piece.shape[0] > SIDE_WIDTH * thickness + 1
        if wide or found[0].start > top + reach or found[0].stop - 1 < bottom - reach:
            sides[found][piece] = False  # not a box's side: handwriting
    if sides.any() and _lines_run_past(lines, sides, bottom - top):
        return lines  # ruled paper: its lines run on past the outermost "sides", strokes
    return lines | sides


def _comb_teeth(
    mask: np.ndarray, lines: np.ndarray, line_rows: np.ndarray, extent: int
) -> np.ndarray:
    """A comb field's teeth: at least COMB_TEETH thin vertical strokes standing on its one
    ruled line, lower than TOOTH_HIGH of the ink's height (a 1 on a ruled line is as high as
    the digits), about as high as each other and evenly spaced (two thirds of the steps
    between them within 30% of their median)."""
    thickness = line_rows.size / max(1, _bands(line_rows))
    sides = _runs(mask & ~lines, max(4, int(0.1 * extent)), axis=0)
    labels, _ = ndimage.label(sides)
    teeth = np.zeros_like(mask)
    found = []
    reach = 3 + int(thickness)
    for index, span in enumerate(ndimage.find_objects(labels), start=1):
        piece = labels[span] == index
        high = piece.shape[0]
        thin = piece.sum() / high <= thickness + 1.5  # as thick as the comb's line
        stands = abs(span[0].stop - line_rows[0]) <= reach
        if thin and stands and high <= TOOTH_HIGH * extent:
            found.append((span, piece, high, (span[1].start + span[1].stop) / 2))
    if len(found) < COMB_TEETH:
        return teeth
    highs = np.array([f[2] for f in found], float)
    steps = np.diff(np.sort([f[3] for f in found]))
    even = np.abs(steps - np.median(steps)) <= 0.3 * np.median(steps)
    if np.ptp(highs) > 0.3 * np.median(highs) or even.mean() < 2 / 3:
        return teeth  # uneven: handwriting (a comb cut off at the picture's edge is even)
    for span, piece, _, _ in found:
        teeth[span] |= piece
    return teeth


def _lines_run_past(lines: np.ndarray, sides: np.ndarray, height: int) -> bool:
    """Whether the ruled `lines` run on past the outermost `sides` at both ends, by more than
    half the lines' `height` apart: a form's box ends where its lines do."""
    line_cols, side_cols = np.flatnonzero(lines.any(axis=0)), np.flatnonzero(sides.any(axis=0))
    reach = RUN_PAST * height
    return line_cols[0] < side_cols[0] - reach and line_cols[-1] > side_cols[-1] + reach


def _bands(rows: np.ndarray) -> int:
    """How many runs of consecutive numbers the sorted `rows` hold."""
    return int(np.count_nonzero(np.diff(rows) > 1)) + 1 if rows.size else 0


def _frames(mask: np.ndarray) -> np.ndarray:
    """Printed boxes drawn one per digit: pieces of ink whose four sides are straight bands
    that run their whole length (a 0's round sides cover far less of a band), as a mask of
    those bands. A digit touching its box is left whole but for where it crosses a side."""
    labels, _ = ndimage.label(mask, structure=np.ones((3, 3)))
    extent = np.ptp(np.flatnonzero(mask.any(axis=1))) + 1
    frames = np.zeros_like(mask)
    for index, found in enumerate(ndimage.find_objects(labels), start=1):
        piece = labels[found] == index
        h, w = piece.shape
        if h < 0.5 * extent or w < 0.3 * h:
            continue
        band = max(2, round(0.06 * h))
        sides = (piece[:band].any(0), piece[-band:].any(0), piece[:, :band].any(1))
        sides += (piece[:, -band:].any(1),)
        if min(side.mean() for side in sides) < 0.9:
            continue
        edge = np.zeros_like(piece)
        edge[:band], edge[-band:], edge[:, :band], edge[:, -band:] = True, True, True, True
        frames[found] |= piece & edge
    return frames


def _runs(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Pixels of `mask` in straight runs of at least `length` along `axis`, allowing the run to
    wander one pixel across (a line is never exactly level): a morphological opening."""
    across = 1 - axis
    grown = ndimage.maximum_filter1d(mask.view(np.uint8), 3, axis=across)
    opened = ndimage.maximum_filter1d(
        ndimage.minimum_filter1d(grown, length, axis=axis), length, axis=axis
    )
    return mask & (opened > 0)


def _over_ruled_lines(flat: np.ndarray, mask: np.ndarray, lines: np.ndarray) -> np.ndarray | None:
    """Where a pen darker than ruled paper's lines runs along one (a 7's bar on the line):
    the ink of the rows such lines cross the picture in (LINE_ACROSS of its width) and of
    their edges, brighter in `flat` (ink bright) than halfway from the lines' level to the
    pen's; None without such lines, or where the pen is not MIN_CONTRAST darker."""
    across = lines.mean(axis=1) >= LINE_ACROSS
    if not across.any():
        return None
    rows = np.zeros_like(lines)
    rows[across] = True
    band = ndimage.binary_dilation(rows, structure=np.ones((3, 3), bool))
    off = mask & ~band
    if not off.any():
        return None
    on_lines, pen = float(np.median(flat[rows & lines])), float(np.percentile(flat[off], 80))
    if pen - on_lines < MIN_CONTRAST:
        return None
    return band & mask & (flat > (on_lines + pen) / 2)


def _without_lines(mask: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """`mask` without its printed lines, where strokes crossing a line are joined again."""
    if not lines.any():
        return mask
    lines = ndimage.binary_dilation(lines, structure=np.ones((3, 3), bool))  # and their edges
    rest = mask & ~lines
    bridge = ndimage.binary_closing(rest, structure=np.ones((7, 1), bool))
    bridge |= ndimage.binary_closing(rest, structure=np.ones((1, 7), bool))
    return rest | (bridge & lines)


# ---------------------------------------------------------------------------------------------
# Atoms and candidates


@dataclass
class _Atom:
    ys: np.ndarray  # its pixels in the work frame
    xs: np.ndarray
    slanted: np.ndarray  # their columns with the slant taken out
    small: bool = False
    cut_before: float = 0.0  # what its left side being a cut through a wider piece costs

    @cached_property  # asked for again and again by _spans: 1,000 reductions an image
    def left(self) -> float:
        return float(self.slanted.min())

    @cached_property
    def right(self) -> float:
        return float(self.slanted.max()) + 1.0

    @cached_property
    def top(self) -> int:
        return int(self.ys.min())

    @cached_property
    def bottom(self) -> int:
        return int(self.ys.max()) + 1


def _components(mask: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The 8-connected pieces of `mask`, each as (rows, columns) of its pixels."""
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    if count == 0:
        return []
    flat = labels.ravel()
    order = np.argsort(flat, kind="stable")
    bounds = np.searchsorted(flat[order], np.arange(1, count + 2))
    width = mask.shape[1]
    pieces = []
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        index = order[start:stop]
        pieces.append((index // width, index % width))
    return pieces


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def _line_height(pieces: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """A digit's height on this line: the area-weighted median height of its pieces."""
    heights = np.array([np.ptp(ys) + 1 for ys, _ in pieces], float)
    areas = np.array([ys.size for ys, _ in pieces], float)
    return _weighted_median(heights, areas)


def _atoms(pieces, height: float, slant: float, centre: float) -> list[_Atom]:
    """Pieces left to right, specks away from the line dropped, wide pieces cut."""
    areas = np.array([ys.size for ys, _ in pieces], float)
    middles = np.array([np.median(ys) for ys, _ in pieces])
    line = _weighted_median(middles, areas)
    atoms = []
    for (ys, xs), area in zip(pieces, areas, strict=True):
        tall = ys.max() - ys.min() + 1
        wide = xs.max() - xs.min() + 1
        if max(tall, wide) < 0.2 * height and area < 0.05 * areas.max():
            continue  # a speck
        if abs(np.median(ys) - line) > 0.9 * height:
            continue  # ink off the line: not part of the number
        slanted = xs + slant * (ys - centre)
        atom = _Atom(ys, xs, slanted, small=tall < SMALL * height)
        atoms.extend(_cut(atom, height))
    atoms.sort(key=lambda a: float(a.slanted.mean()))
    return atoms


def _cut(atom: _Atom, height: float) -> list[_Atom]:
    """A piece too wide for one digit, cut at the valleys of its (slant-free) column profile."""
    width = atom.right - atom.left
    if width <= CUT_FROM * height:
        return [atom]
    columns = np.floor(atom.slanted - atom.left).astype(np.int64)
    profile = np.convolve(np.bincount(columns), [0.25, 0.5, 0.25], mode="same")
    margin = max(1, int(MIN_PART * height))
    inner = np.arange(margin, profile.size - margin)
    if inner.size == 0:
        return [atom]
    valleys = inner[(profile[inner] <= profile[inner - 1]) & (profile[inner] <= profile[inner + 1])]
    cuts: list[int] = []
    for position in valleys[np.argsort(profile[valleys], kind="stable")]:
        if all(abs(position - c) >= margin for c in cuts):
            cuts.append(int(position))
        if len(cuts) >= MAX_CUTS * width / height:
            break
    parts = np.searchsorted(np.sort(cuts), columns, side="right")
    out = []
    for part in range(len(cuts) + 1):
        keep = parts == part
        if keep.any():
            ys = atom.ys[keep]
            small = np.ptp(ys) + 1 < SMALL * height
            out.append(_Atom(ys, atom.xs[keep], atom.slanted[keep], small, CUT_COST * bool(out)))
    return out


def _spans(atoms: list[_Atom], height: float) -> list[tuple[int, int, float]]:
    """Runs of neighbouring atoms [start, stop) that may be one digit, with their penalty."""
    spans = []
    for start in range(len(atoms)):
        left, right = atoms[start].left, atoms[start].right
        top, bottom = atoms[start].top, atoms[start].bottom
        joins = 0
        for stop in range(start + 1, min(len(atoms), start + MAX_ATOMS) + 1):
            atom = atoms[stop - 1]
            if stop > start + 1:
                if atom.left - right > JOIN_GAP * height:
                    break
                joins += _side_by_side(atoms[stop - 2], atom, height)
                left, right = min(left, atom.left), max(right, atom.right)
                top, bottom = min(top, atom.top), max(bottom, atom.bottom)
            width = (right - left) / height
            if width > MAX_WIDTH and stop > start + 1:
                break
            if stop == start + 1 and atom.small:
                continue  # a piece too low to be a digit alone
            penalty = _parting_cost(atoms, start)
            penalty += TOO_WIDE_COST * max(0.0, width - WIDE_FROM) + JOIN_COST * joins
            penalty += SHORT_COST * max(0.0, FULL_HEIGHT - (bottom - top) / height)
            spans.append((start, stop, penalty))
    return spans


def _side_by_side(left: _Atom, right: _Atom, height: float) -> bool:
    """Two separate pieces, both of a digit's full height, next to each other: two digits."""
    if right.cut_before:
        return False
    tall = min(left.bottom - left.top, right.bottom - right.top) >= FULL_HEIGHT * height
    shared = left.right - right.left
    narrower = min(left.right - left.left, right.right - right.left)
    return bool(tall and shared < 0.3 * narrower)


def _parting_cost(atoms: list[_Atom], start: int) -> float:
    """What it costs to start a digit at atom `start`: a cut through a piece of ink, or
    parting it from a left neighbour it overlaps (a 5's flag above its body) is unlikely."""
    if start == 0:
        return 0.0
    left, right = atoms[start - 1], atoms[start]
    shared = left.right - right.left
    narrower = min(left.right - left.left, right.right - right.left)
    overlap = max(0.0, min(1.0, shared / max(narrower, 1.0)))
    return right.cut_before + OVERLAP_COST * overlap


def _pair_pixels(ink: np.ndarray) -> np.ndarray:
    """A span's ink fitted into PAIR_BOX keeping its aspect, centred in PAIR_SHAPE."""
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32)
    h, w = crop.shape
    scale = min(PAIR_BOX[0] / h, PAIR_BOX[1] / w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    resample = Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC
    patch = np.asarray(Image.fromarray(crop, "F").resize(size, resample), np.float32)
    out = np.zeros(PAIR_SHAPE, np.uint8)
    top, left = (PAIR_SHAPE[0] - size[1]) // 2, (PAIR_SHAPE[1] - size[0]) // 2
    out[top : top + size[1], left : left + size[0]] = np.clip(patch + 0.5, 0, 255)
    return out


def _strip(ink: np.ndarray, height: float) -> np.ndarray:
    """The line's ink (from `_span_ink` over all its atoms) scaled so that STRIP_SPAN line
    heights fill the strip's height, centred on the ink's middle row, left-aligned; a line too
    long for the strip is squeezed to fit."""
    rows = np.flatnonzero(ink.any(axis=1))
    middle = 0.5 * (rows[0] + rows[-1])
    scale = STRIP_SHAPE[0] / (STRIP_SPAN * height)
    h, w = ink.shape
    width = max(1, min(STRIP_SHAPE[1], round(w * scale)))
    tall = max(1, round(h * scale))
    patch = Image.fromarray(ink.astype(np.float32), "F").resize(
        (width, tall), Image.Resampling.BILINEAR
    )
    out = np.zeros(STRIP_SHAPE, np.float32)
    top = round(STRIP_SHAPE[0] / 2 - middle * scale)
    src = np.asarray(patch)
    y0, y1 = max(0, top), min(STRIP_SHAPE[0], top + tall)
    out[y0:y1, :width] = src[y0 - top : y1 - top]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _span_ink(
    atoms: list[_Atom], flat: np.ndarray, taken: np.ndarray, level: float, start: int, stop: int
) -> tuple[np.ndarray | None, tuple[int, int, int, int]]:
    """The span's ink alone (0-255, other digits' ink and printed lines left out; None if
    there is none) and its box (right, bottom exclusive) in the work frame. The ink is already
    known here, so a candidate digit is this fitted into 28x28 as `predict` fits a digit's,
    the rest of `prepare` (finding it) skipped: 1.3 ms a candidate down to 0.3 ms, the
    difference between 30 and 100 numbers a second."""
    ys = np.concatenate([a.ys for a in atoms[start:stop]])
    xs = np.concatenate([a.xs for a in atoms[start:stop]])
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    pad = 2
    y0, x0 = max(0, top - pad), max(0, left - pad)
    y1, x1 = min(flat.shape[0], bottom + pad), min(flat.shape[1], right + pad)
    own = np.zeros((y1 - y0, x1 - x0), bool)
    own[ys - y0, xs - x0] = True
    near = dilate(own, 1)
    near &= ~taken[y0:y1, x0:x1] | own  # anti-aliased edges, but not another digit's ink
    ink = flat[y0:y1, x0:x1] * near
    box = (int(left), int(top), int(right), int(bottom))
    if not ink.any():
        return None, box
    return np.clip(ink * (255.0 / level), 0.0, 255.0), box


def find_candidates(image: Image.Image, *, invert: str = "auto") -> Line:
    """Every candidate digit in an image of one line of handwritten digits (an "L" image as
    `digitcli.imaging.images.open_image(..., max_side=OPEN_SIDE)` returns)."""
    work, frame = _work_image(image)
    flat, mask = ink_signal(work, invert)
    if not mask.any():
        return Line()
    flat, mask, frame = _level(flat, mask, frame)
    faint = flat > FAINT_LINE * max(float(np.percentile(flat[mask], 80)), 1.0)
    ruled, frames = _form_lines(faint) | _form_lines(mask), _frames(mask)
    pen_on_lines = None if frames.any() else _over_ruled_lines(flat, mask, ruled)
    lines = ruled | frames
    mask = _without_lines(mask, lines)
    if pen_on_lines is not None:
        mask |= pen_on_lines
    taken = mask | lines
    bands = _ink_bands(mask)
    if bands >= MOST_LINES:
        return Line(lines=bands)
    pieces = _components(mask)
    if not pieces:
        return Line()
    height = max(4.0, _line_height(pieces))
    ys, xs = np.nonzero(mask)
    centre = float(ys.mean())
    slant = _sharpest(xs.astype(np.float32), ys.astype(np.float32), SHEARS)
    atoms = _atoms(pieces, height, slant, centre)
    line = Line(atoms=len(atoms), skippable=[a.small for a in atoms], height=height / frame.sy)
    if work.width >= WORK_WIDTH and _too_small(atoms, height):
        line.too_small = True
        return line
    level = max(float(np.percentile(flat[mask], 80)), 1.0)  # the pen's core becomes white
    ink_of = partial(_span_ink, atoms, flat, taken, level)
    line.candidates = _rendered(_spans(atoms, height), ink_of, fit_and_centre, frame)
    line.pairs = _rendered(_pair_spans(atoms, height), ink_of, _pair_pixels, frame)
    ink = ink_of(0, len(atoms))[0] if atoms else None
    line.strip = _strip(ink, height) if ink is not None else None
    return line


def _ink_bands(mask: np.ndarray) -> int:
    """How many bands of rows, paper between them, hold LINE_INK of the ink or more each."""
    counts = mask.sum(axis=1)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], counts > 0, [0]]).astype(np.int8)))
    total = max(int(counts.sum()), 1)
    inks = [counts[a:b].sum() for a, b in zip(edges[::2], edges[1::2], strict=True)]
    return sum(ink >= LINE_INK * total for ink in inks)


def _too_small(atoms: list[_Atom], height: float) -> bool:
    """Whether a line's digits (`height` px high, in the work frame) are too small to read."""
    widths = [a.right - a.left for a in atoms if not a.small]
    return height < SMALLEST_HEIGHT or (bool(widths) and np.median(widths) < SMALLEST_WIDTH)


def _rendered(
    spans: list[tuple[int, int, float]],
    ink_of: Callable[[int, int], tuple[np.ndarray | None, tuple[int, int, int, int]]],
    fit: Callable[[np.ndarray], np.ndarray],
    frame: _Frame,
) -> list[Candidate]:
    """A candidate for each span with ink, its ink fitted by `fit`, its box mapped back to
    the input."""
    found = []
    for start, stop, penalty in spans:
        ink, box = ink_of(start, stop)
        if ink is not None:
            found.append(Candidate(start, stop, fit(ink), box, penalty))
    boxes = frame.boxes(np.array([c.box for c in found])) if found else []
    for candidate, box in zip(found, boxes, strict=True):
        candidate.box = box
    return found


def _pair_spans(atoms: list[_Atom], height: float) -> list[tuple[int, int, float]]:
    """Runs of touching atoms [start, stop) as wide as two digits, with their penalty."""
    spans = []
    for start in range(len(atoms)):
        left, right = atoms[start].left, atoms[start].right
        for stop in range(start + 1, min(len(atoms), start + 2 * MAX_ATOMS) + 1):
            atom = atoms[stop - 1]
            if atom.left - right > PAIR_GAP * height:
                break
            left, right = min(left, atom.left), max(right, atom.right)
            width = (right - left) / height
            if width > PAIR_WIDTH[1]:
                break
            if width >= PAIR_WIDTH[0]:
                spans.append((start, stop, _parting_cost(atoms, start)))
    return spans


def best_reading(
    line: Line,
    probabilities: np.ndarray,
    single: np.ndarray | None = None,
    pairs: np.ndarray | None = None,
) -> list[int]:
    """The candidates that cover the atoms left to right with the highest summed
    log-probability of their likeliest digits; small atoms may be left out at SKIP_COST each.
    `probabilities`: (len(candidates), 10); `single`, if given, each candidate's log-probability
    of being one whole digit (`digitcli.reading.verifier`), added; `pairs`, if given, the score
    of each of `line.pairs` read as two digits (`digitcli.reading.pairs`). The answer indexes
    line.candidates,
    then line.pairs: index len(candidates) + i is pair i."""
    readings = best_readings(line, probabilities, single, pairs)
    return max(readings.values(), key=lambda found: found[0])[1] if readings else []


def best_readings(
    line: Line,
    probabilities: np.ndarray,
    single: np.ndarray | None = None,
    pairs: np.ndarray | None = None,
) -> dict[int, tuple[float, list[int]]]:
    """`best_reading` for each count of digits a reading may have: {count: (score, chosen)}.
    Dynamic programming over (atoms covered, digits read so far)."""
    n, singles = line.atoms, len(line.candidates)
    spans = line.candidates + (line.pairs if pairs is not None else [])
    scores = np.log(np.maximum(probabilities.max(axis=1), 1e-12)) - DIGIT_COST
    if single is not None:
        scores = scores + single
    if pairs is not None:
        scores = np.concatenate([scores, pairs - 2 * DIGIT_COST])
    ending: dict[int, list[int]] = {}
    for index, candidate in enumerate(spans):
        ending.setdefault(candidate.stop, []).append(index)
    most = 2 * n + 1
    best = np.full((n + 1, most), -np.inf)
    best[0, 0] = 0.0
    came_by = np.full((n + 1, most), -2)  # the span that ends here, -1 a skipped atom
    for stop in range(1, n + 1):
        here = best[stop]
        if line.skippable[stop - 1]:
            skipped = best[stop - 1] - SKIP_COST
            better = skipped > here
            here[better], came_by[stop][better] = skipped[better], -1
        for index in ending.get(stop, []):
            candidate, digits = spans[index], 1 + (index >= singles)
            reached = best[candidate.start, :-digits] + (scores[index] - candidate.penalty)
            better = reached > here[digits:]
            here[digits:][better] = reached[better]
            came_by[stop, digits:][better] = index
    found = {}
    for count in np.flatnonzero(np.isfinite(best[n])):
        chosen, position, left = [], n, int(count)
        while position > 0:
            index = int(came_by[position, left])
            if index == -1:
                position -= 1
                continue
            chosen.append(index)
            position, left = spans[index].start, left - 1 - (index >= singles)
        found[int(count)] = (float(best[n, count]), chosen[::-1])
    return found
