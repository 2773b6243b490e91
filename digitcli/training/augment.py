"""Training images as other writers and other scanners would have made them.

MNIST's 500 writers used similar pens and were scanned one way; users' digits are slanted,
thicker, thinner or hollow, stretched, wobbly, blurred or binarised. `writers_augment` redraws a
share of each epoch's images with such differences, and then lays each one out again the way
`digitcli.imaging.images.prepare` lays out a user's digit (longest side 20 px, centre of mass at the
centre), so training sees what prediction will see.

One vectorised pass per draw (NumPy and scipy.ndimage on chunks of images), made on a background
thread while the previous epoch trains: under a second of one core for an epoch's images. The
random numbers are drawn per chunk of CHUNK images and the warp's arithmetic done WARP_PIECE
images at a time, in the CPU's cache (the same digits as the whole chunk at once, faster).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy import ndimage
from threadpoolctl import threadpool_limits

from digitcli.core.config import IMAGE_SIZE
from digitcli.training.continental import (
    CONTINENTAL,
    FLAG_STYLES,
    continental_shapes,
    flag,
    hook,
)

if TYPE_CHECKING:
    from digitcli.training.distill import Teacher

BOX = 20.0  # the longest side of a prepared digit (images.BOX_SIZE)
CENTRE = 14.0  # where its centre of mass goes (images.CENTRE)
CHUNK = 4096  # images redrawn at once: each draw's random numbers are drawn per chunk
# Images whose warp is computed at once, so that its temporaries stay in the CPU's cache (the
# chunk's all at once is about twice as slow).
WARP_PIECE = 512
ROTATION = np.radians(12)  # largest rotation either way
SLANT = 0.35  # largest shear either way (x += slant * y)
ASPECT = 0.25  # width / height changes by up to this share either way
ELASTIC = 1.2  # pixels: typical local displacement of the elastic distortion
THICKER, THINNER = 0.30, 0.15  # shares of images drawn with a thicker / thinner pen
THICKEST = 0.5  # share of the thicker pens that are thicker still (2 px more, not 1)
# Share of images drawn with hollow strokes (_outline; config.ArchDefaults.hollow), and how much
# wider the strokes grow (px): other writers' and fonts' digits read better, MNIST's as well.
HOLLOW, OUTLINE_GROWTH = 0.1, (3, 5)
# Share of the redrawn digits (those with a label) drawn instead as the same digit in one of 73
# handwriting fonts (font_digits.npz, bench/build/make_font_digits.py; none of them among the
# fonts of bench/checks/robustness.py), then redrawn like the rest: fonts and UCI's writers read
# better, MNIST about as well; more or fewer read no better.
FONTS = 0.4
FONT_DIGITS = Path(__file__).with_name("font_digits.npz")
BLURRED, BINARISED = 0.25, 0.10  # shares re-scanned at a low resolution / in black and white
FLAGGED = 0.5  # share of redrawn 1s given a flag (continental.flag; of those some a foot)
# Share of redrawn 9s whose tail curls to the left at the bottom (continental.hook), as UCI's
# writers end many: their digits read better.
HOOKED = 0.3
# How much lower the draw thread's priority is than training's: epochs with a draw beside them
# are a little faster, the model the same.
DRAW_NICENESS = 15
BLACK_AND_WHITE = 96  # the black-and-white scanner's level: brighter pixels are ink
SCAN_CELLS = (8, 14)  # the scanner's resolution, in cells across the 28-pixel image


def writers_augment(
    images: np.ndarray,
    rng: np.random.Generator,
    share: float,
    labels: np.ndarray | None = None,
    flags: str = "long",
    hollow: float = HOLLOW,
    fonts: float = FONTS,
    continental: float = CONTINENTAL,
) -> np.ndarray:
    """A copy of `images` (uint8, n x 28 x 28, white ink on black) with `share` of them redrawn;
    with `labels`, some redrawn 1s get the flag continental writers give them (FLAG_STYLES) and
    `fonts` of the redrawn digits are drawn from a handwriting font. `hollow`: the share of the
    redrawn images whose strokes are drawn as outlines; `continental`: the share of the
    redrawn 1s, 7s and 4s drawn in continental shapes (continental.py)."""
    return redraw_share(images, rng, share, labels, flags, hollow, fonts, continental)[0]


def redraw_share(
    images: np.ndarray,
    rng: np.random.Generator,
    share: float,
    labels: np.ndarray | None = None,
    flags: str = "long",
    hollow: float = HOLLOW,
    fonts: float = FONTS,
    continental: float = CONTINENTAL,
) -> tuple[np.ndarray, np.ndarray]:
    """`writers_augment`'s images, and the indices of those it redrew."""
    if flags not in FLAG_STYLES:
        raise ValueError(f"flags must be one of {', '.join(FLAG_STYLES)}, not {flags!r}")
    out = images.copy()
    chosen = np.flatnonzero(rng.random(len(images)) < share)
    for start in range(0, len(chosen), CHUNK):
        index = chosen[start : start + CHUNK]
        digits = labels[index] if labels is not None else np.full(len(index), -1)
        ink = images[index].astype(np.float32)
        out[index] = _redraw(ink, digits, rng, flags, hollow, fonts, continental)
    return out, chosen


def _redraw(
    ink: np.ndarray,
    digits: np.ndarray,
    rng: np.random.Generator,
    flags: str = "long",
    hollow: float = HOLLOW,
    fonts: float = FONTS,
    shapes: float = CONTINENTAL,
) -> np.ndarray:
    """Redraw `ink` (float, n x 28 x 28) whose labels are `digits` (-1: unknown)."""
    if fonts > 0:
        in_fonts = np.flatnonzero((digits >= 0) & (rng.random(len(ink)) < fonts))
        ink[in_fonts] = _font_digits(digits[in_fonts], rng)
    ink, continental_shaped = continental_shapes(ink, digits, rng, shapes)
    flagged = (digits == 1) & (rng.random(len(ink)) < FLAGGED)
    flagged = np.flatnonzero(flagged & ~continental_shaped)
    if len(flagged):
        ink[flagged] = flag(ink[flagged], rng, flags)
    hooked = np.flatnonzero((digits == 9) & (rng.random(len(ink)) < HOOKED))
    if len(hooked):
        ink[hooked] = hook(ink[hooked], rng)
    ink = _pen(ink, rng, hollow)
    ink = _warp(ink, rng)
    ink = _rescan(ink, rng)
    return np.clip(np.rint(ink), 0, 255).astype(np.uint8)


def _font_digits(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each of `digits` (0-9), the same digit from a font chosen at random (float)."""
    images, first, count = _font_bank()
    digits = digits.astype(np.intp)
    return images[first[digits] + (rng.random(len(digits)) * count[digits]).astype(np.intp)]


@cache
def _font_bank() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FONT_DIGITS' images sorted by digit, each digit's first index and count."""
    with np.load(FONT_DIGITS) as bank:
        images, labels = bank["images"], bank["labels"].astype(np.intp)
    order = np.argsort(labels, kind="stable")
    count = np.bincount(labels, minlength=10)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    return images[order].astype(np.float32), first, count


def _pen(ink: np.ndarray, rng: np.random.Generator, hollow: float = HOLLOW) -> np.ndarray:
    """Thicker strokes (grey dilation), hollow ones (_outline) or thinner ones (grey erosion)
    for some images."""
    draw = rng.random(len(ink))
    thick, thin = draw < THICKER, draw > 1 - THINNER
    thickest = thick & (draw < THICKER * THICKEST)
    for chosen, size in ((thick & ~thickest, 2), (thickest, 3)):
        if chosen.any():
            ink[chosen] = ndimage.grey_dilation(ink[chosen], size=(1, size, size))
    outlined = (draw >= THICKER) & (draw < THICKER + hollow)
    if outlined.any():
        ink[outlined] = _outline(ink[outlined], rng)
    if thin.any():
        eroded = ndimage.grey_erosion(ink[thin], size=(1, 2, 2))
        kept = eroded.reshape(len(eroded), -1).max(axis=1) > 64  # a hairline vanishes: keep it
        ink[np.flatnonzero(thin)[kept]] = eroded[kept]
    return ink


def _outline(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Strokes drawn as their outlines, their middles dark: an outline pen, a double-line
    letterer's hand, a felt tip whose middle ran dry. Each stroke grows by OUTLINE_GROWTH, then
    keeps only its outermost pixel a side (the erosion's square holds the pixel itself, so
    the difference stays within 0-255)."""
    growth = rng.choice(OUTLINE_GROWTH, len(ink))
    for size in np.unique(growth):
        index = growth == size
        thick = ndimage.grey_dilation(ink[index], size=(1, size, size))
        ink[index] = thick - ndimage.grey_erosion(thick, size=(1, 3, 3))
    return ink


def _warp(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rotate, slant and stretch each image, add an elastic wobble, then fit and centre again."""
    n = len(ink)
    angle = rng.uniform(-ROTATION, ROTATION, n)
    slant = rng.uniform(-SLANT, SLANT, n)
    aspect = np.exp(rng.uniform(np.log(1 - ASPECT), np.log(1 + ASPECT), n))
    cos, sin = np.cos(angle), np.sin(angle)
    # forward[i] maps source (row, col) offsets from the centre of mass to output offsets.
    forward = np.empty((n, 2, 2))
    forward[:, 0, 0], forward[:, 0, 1] = cos, -sin
    forward[:, 1, 0], forward[:, 1, 1] = aspect * (sin + slant * cos), aspect * (cos - slant * sin)
    size = rng.uniform(0.9, 1.02, n)
    shift = rng.normal(0, 0.5, (2, n, 1)).astype(np.float32)  # centre of mass within a pixel
    elastic = _elastic(n, rng)
    pieces = [slice(start, start + WARP_PIECE) for start in range(0, n, WARP_PIECE)]
    return np.concatenate(
        [_warped(ink[p], forward[p], size[p], shift[:, p], elastic[p]) for p in pieces]
    )


def _warped(ink, forward, size, shift, elastic) -> np.ndarray:
    """_warp's arithmetic for some of its images, with their random draws."""
    n = len(ink)
    mass_row, mass_col, extent = _layout(ink, forward)
    forward = forward * (BOX * size / np.maximum(extent, 1.0))[:, None, None]
    inverse = np.linalg.inv(forward).astype(np.float32)
    grid = np.indices((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32).reshape(2, 1, -1) - CENTRE
    # source = inverse @ (grid - shift) + mass, written out: faster than np.einsum here.
    rel_r, rel_c = grid[0] - shift[0], grid[1] - shift[1]
    rows = inverse[:, 0, 0, None] * rel_r + inverse[:, 0, 1, None] * rel_c
    cols = inverse[:, 1, 0, None] * rel_r + inverse[:, 1, 1, None] * rel_c
    rows += mass_row[:, None].astype(np.float32) + elastic[:, 0]
    cols += mass_col[:, None].astype(np.float32) + elastic[:, 1]
    return _bilinear(ink, rows, cols).reshape(n, IMAGE_SIZE, IMAGE_SIZE)


def _bilinear(ink: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """ink sampled at (rows, cols), zero outside: four gathers from a zero-bordered copy.
    Faster here than scipy.ndimage.map_coordinates, which checks every point's bounds, and
    than a loop of OpenCV's remap over the images."""
    n, size = len(ink), IMAGE_SIZE + 2
    padded = np.zeros((n, size, size), np.float32)
    padded[:, 1:-1, 1:-1] = ink
    rows = np.clip(rows + 1, 0, size - 1.001).astype(np.float32)
    cols = np.clip(cols + 1, 0, size - 1.001).astype(np.float32)
    r0, c0 = rows.astype(np.int32), cols.astype(np.int32)
    # float32 throughout (rows - r0 would be float64): about twice as fast; a few redrawn
    # digits then differ, by one grey level in one pixel.
    fr, fc = rows - r0.astype(np.float32), cols - c0.astype(np.float32)
    base = r0 * size + c0
    base += (np.arange(n, dtype=np.int32) * size * size)[:, None]
    flat = padded.ravel()
    top_left, top_right = np.take(flat, base), np.take(flat, base + 1)
    low_left, low_right = np.take(flat, base + size), np.take(flat, base + size + 1)
    top = top_left + (top_right - top_left) * fc
    bottom = low_left + (low_right - low_left) * fc
    return top + (bottom - top) * fr


def _layout(ink: np.ndarray, forward: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each image's centre of mass, and the longest side of its inked pixels once transformed.

    A linear map's highest and lowest values over a row's inked pixels are at that row's first
    or last one, so each axis's span is found from 2 x 28 pixels an image, not 784."""
    rows = np.arange(IMAGE_SIZE, dtype=np.float32)
    mass = ink.sum(axis=(1, 2)) + 1e-6
    mass_row = (ink.sum(axis=2) * rows).sum(axis=1) / mass
    mass_col = (ink.sum(axis=1) * rows).sum(axis=1) / mass
    inked = ink > 32
    first = np.argmax(inked, axis=2).astype(np.float32)  # n x 28: each row's first inked column
    last = IMAGE_SIZE - 1 - np.argmax(inked[:, :, ::-1], axis=2).astype(np.float32)
    empty = ~inked.any(axis=2)
    extent = np.full(len(ink), -np.inf)
    for axis in (0, 1):
        by_row = forward[:, axis, 0, None] * rows
        by_col = forward[:, axis, 1, None]
        ends = np.stack([by_row + by_col * first, by_row + by_col * last])
        high = np.where(empty, -np.inf, ends.max(axis=0)).max(axis=1)
        low = np.where(empty, np.inf, ends.min(axis=0)).min(axis=1)
        pixel = np.abs(forward[:, axis, 0]) + np.abs(forward[:, axis, 1])  # one pixel, moved
        extent = np.maximum(extent, np.where(np.isfinite(high - low), high - low + pixel, BOX))
    return mass_row, mass_col, extent


def _elastic(n: int, rng: np.random.Generator) -> np.ndarray:
    """Smooth random displacements (n, 2, 784): a 4x4 field of offsets, interpolated."""
    coarse = rng.normal(0, ELASTIC, (n * 2, 16)).astype(np.float32)
    return (coarse @ _SPREAD_BOTH).reshape(n, 2, -1)


def _spread(cells: int, size: int) -> np.ndarray:
    """Bilinear interpolation weights from `cells` cell centres to `size` pixel centres."""
    position = np.clip((np.arange(size) + 0.5) * cells / size - 0.5, 0, cells - 1)
    below = np.minimum(np.floor(position).astype(int), cells - 2)
    weights = np.zeros((size, cells), np.float32)
    weights[np.arange(size), below] = 1 - (position - below)
    weights[np.arange(size), below + 1] = position - below
    return weights


# The 4x4 field's map to 28x28 (S @ field @ S.T) as one matrix, so a draw's fields are spread by
# one matrix product, faster than a batch of small products.
_SPREAD_BOTH = np.kron(_spread(4, IMAGE_SIZE), _spread(4, IMAGE_SIZE)).T.copy()


def _rescan(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Some images re-scanned at a low resolution (blurred), some in black and white."""
    draw = rng.random(len(ink))
    blurred, binarised = np.flatnonzero(draw < BLURRED), draw > 1 - BINARISED
    cells = rng.integers(SCAN_CELLS[0], SCAN_CELLS[1] + 1, len(blurred))
    for count in np.unique(cells):
        index = blurred[cells == count]
        ink[index] = _scanned(ink[index], int(count))
    if binarised.any():
        ink[binarised] = _black_and_white(ink[binarised])
    return ink


def _black_and_white(ink: np.ndarray) -> np.ndarray:
    """Scanned in black and white at the level BLACK_AND_WHITE; a digit fainter than that
    everywhere at half its brightest, so that it keeps its strokes: a blank picture under a
    digit's label teaches nothing true."""
    brightest = ink.reshape(len(ink), -1).max(axis=1)[:, None, None]
    level = np.where(brightest >= BLACK_AND_WHITE, BLACK_AND_WHITE, brightest / 2)
    return np.where((ink >= level) & (ink > 0), 255.0, 0.0)


def _scanned(ink: np.ndarray, cells: int) -> np.ndarray:
    """`ink` averaged over a cells x cells grid, then interpolated back: a coarse scanner."""
    blur = _spread(cells, IMAGE_SIZE) @ _box(cells, IMAGE_SIZE)  # 28 x 28, linear
    return _levels(_both_sides(ink, blur))


def _both_sides(ink: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """matrix @ image @ matrix.T for each image, as two matrix products over all the images at
    once, faster than a batch of small products (np.einsum)."""
    n, size = len(ink), IMAGE_SIZE
    rows_done = (ink.reshape(n * size, size) @ matrix.T).reshape(n, size, size)
    turned = np.ascontiguousarray(rows_done.transpose(0, 2, 1)).reshape(n * size, size)
    return (turned @ matrix.T).reshape(n, size, size).transpose(0, 2, 1)


def _levels(ink: np.ndarray) -> np.ndarray:
    """Grey levels stretched as `images.prepare` stretches a user's scan: the strokes' cores
    (the 80th percentile of the clearly inked pixels) become white."""
    flat = ink.reshape(len(ink), -1)
    inked = flat > 0.3 * flat.max(axis=1, keepdims=True)
    ranked = np.sort(np.where(inked, flat, 0.0), axis=1)  # the inked values come last
    count = inked.sum(axis=1)
    at = flat.shape[1] - count + np.floor(0.8 * (count - 1)).astype(int)
    level = ranked[np.arange(len(ranked)), np.minimum(at, flat.shape[1] - 1)]
    return np.minimum(ink * (255.0 / np.maximum(level, 1.0))[:, None, None], 255.0)


def _box(cells: int, size: int) -> np.ndarray:
    """Area-averaging weights from `size` pixels to `cells` cells (cells x size)."""
    edges = np.linspace(0, size, cells + 1)
    left, right = np.arange(size), np.arange(size) + 1
    overlap = np.minimum(right, edges[1:, None]) - np.maximum(left, edges[:-1, None])
    return (np.clip(overlap, 0, None) * cells / size).astype(np.float32)


class Draw(NamedTuple):
    images: np.ndarray
    targets: np.ndarray | None  # what the loss compares with, with a teacher: (n, 10)


def _yield_to_training() -> None:
    """Run the calling thread (the draw's) DRAW_NICENESS below its process's priority: where
    it and training's threads want the same core, training gets it. Linux sets a thread's own
    niceness this way; elsewhere nothing changes."""
    thread = threading.get_native_id()
    with suppress(OSError, AttributeError):
        niceness = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(niceness + DRAW_NICENESS, 19))


@dataclass(eq=False)  # one object per run: equal only to itself
class EpochImages:
    """Each epoch's augmented images, made on a background thread ahead of time.

    One draw serves `every` epochs in a row (each epoch still shuffles its own order). A draw of
    27,000 images takes under half an MLP epoch of one core; the mlp draws every epoch, which
    reads other writers' digits better than a draw every third epoch, for a little more time.
    With a `teacher` (distill.Teacher), each draw also carries its targets: for the images left
    as they were, computed once; for the redrawn ones, what it reads in each draw (a draw every
    other epoch, each serving two, lost most of what the teacher gives). `prepare`: what the
    network is fed instead of the images (deskew.deskewed), made on the same thread; the
    teacher reads the images themselves.
    """

    images: np.ndarray
    seed: int
    share: float
    every: int = 1
    labels: np.ndarray | None = None
    teacher: Teacher | None = None
    prepare: Callable[[np.ndarray], np.ndarray] | None = None
    flags: str = "long"
    hollow: float = HOLLOW
    fonts: float = FONTS
    continental: float = CONTINENTAL

    def __post_init__(self) -> None:
        if self.teacher is not None and self.labels is None:
            raise ValueError("a teacher needs the labels")
        self.every = max(1, self.every)
        self.unchanged_targets: np.ndarray | None = None
        self.unchanged_prepared: np.ndarray | None = None
        self.pool = ThreadPoolExecutor(
            1, thread_name_prefix="digitcli-augment", initializer=_yield_to_training
        )
        self.pending: dict[int, Future[Draw]] = {}
        self.current: tuple[int, Draw] | None = None

    def _make(self, draw: int) -> Draw:
        rng = np.random.default_rng([self.seed, draw, 7])
        # NumPy's BLAS on one thread: its second thread spins beside training and nearly doubles
        # a draw's CPU, for no shorter a draw.
        with threadpool_limits(1, user_api="blas"):
            images, redrawn = redraw_share(
                self.images, rng, self.share, self.labels, self.flags, self.hollow, self.fonts,
                self.continental,
            )  # fmt: skip
            inputs = self._prepared(images, redrawn)
        if self.teacher is None:
            return Draw(inputs, None)
        if self.unchanged_targets is None:
            self.unchanged_targets = self.teacher.targets(self.images, self.labels)
        targets = self.unchanged_targets.copy()
        targets[redrawn] = self.teacher.probabilities(images[redrawn])
        return Draw(inputs, targets)

    def _prepared(self, images: np.ndarray, redrawn: np.ndarray) -> np.ndarray:
        """`images` through `prepare` (the images left as they were: once for all draws)."""
        if self.prepare is None:
            return images
        if self.unchanged_prepared is None:
            self.unchanged_prepared = self.prepare(self.images)
        inputs = self.unchanged_prepared.copy()
        inputs[redrawn] = self.prepare(images[redrawn])
        return inputs

    def prefetch(self, epoch: int) -> None:
        """Start making the draw of `epoch` on the thread now, unless it is made or under way."""
        draw = epoch // self.every
        if (self.current is None or self.current[0] != draw) and draw not in self.pending:
            self.pending[draw] = self.pool.submit(self._make, draw)

    def get(self, epoch: int, *, upcoming: int | None = None) -> Draw:
        """The images for `epoch` (the same for the same seed and epoch, so runs resume);
        `upcoming`: the epoch after it, whose draw starts now if it is a new one."""
        draw = epoch // self.every
        if self.current is None or self.current[0] != draw:
            future = self.pending.pop(draw, None)
            self.current = (draw, future.result() if future else self._make(draw))
        if upcoming is not None:
            self.prefetch(upcoming)
        return self.current[1]

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
