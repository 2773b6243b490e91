"""Digits as continental European writers make them, drawn on MNIST's: a 1 with a long flag
(on some a foot), a 7 with a crossbar, a 4 open at the top with a round corner.

MNIST's American writers seldom make these shapes, and a network trained on MNIST alone reads
a flagged 1 as 7 or 4, a crossed 7 as 2 or 4 and an open, round-cornered 4 as 6.
`continental_shapes` redraws a share of the 1s, 7s and 4s that `augment.py` redraws, before
their pen, warp and scan, so each shape is then varied like any other digit. The shorter flags
and the curled 9s `augment.py` gives a share of the other 1s and of the 9s are drawn here too.
"""

from __future__ import annotations

import numpy as np

from digitcli.core.config import IMAGE_SIZE

CONTINENTAL = 0.5  # share of the redrawn 1s, 7s and 4s drawn so (config.ArchDefaults.continental)
# The flag's length (share of the 1's height) and its angle below the horizontal (degrees),
# by style (config.ArchDefaults.flags). UCI's writers draw long, shallow flags: "long" helps
# the mlp read other writers; the cnn read MNIST worse with it, so it keeps "short".
FLAG_STYLES = {"short": ((0.12, 0.4), (35.0, 70.0)), "long": ((0.15, 0.55), (25.0, 70.0))}
# The continental 1's flag: longer, up to the 1's own height, an up-stroke into the top.
CONTINENTAL_FLAG = ((0.35, 1.0), (25.0, 70.0))
FOOTED = 0.4  # share of the flagged 1s also given a foot
CONTINENTAL_FOOTED = 0.1  # the same for continental flags: continental writers seldom add one
SERIFED = 0.3  # share of the crossed 7s also given a down-stroke at the top bar's left end
BOX = 20.0  # the longest side of a prepared digit, where the open 4 is drawn
TOP = (IMAGE_SIZE - BOX) / 2  # the box's top row and left column


def continental_shapes(
    ink: np.ndarray, digits: np.ndarray, rng: np.random.Generator, share: float = CONTINENTAL
) -> tuple[np.ndarray, np.ndarray]:
    """`ink` (float, n x 28 x 28, white on black) with `share` of its 1s, 7s and 4s (by
    `digits`) drawn in a continental shape, and which were. With `share` 0 no random number is
    drawn, so the rest of a redraw is what it would be without this step."""
    if share <= 0:
        return ink, np.zeros(len(ink), bool)
    chosen = np.isin(digits, (1, 4, 7)) & (rng.random(len(ink)) < share)
    for digit, draw in ((1, long_flag), (7, crossbar), (4, open_four)):
        index = np.flatnonzero(chosen & (digits == digit))
        if len(index):
            ink[index] = draw(ink[index], rng)
    return ink, chosen


def flag(ink: np.ndarray, rng: np.random.Generator, style: str = "long") -> np.ndarray:
    """1s with a stroke from the top down to the left (the flag) of a FLAG_STYLES style and,
    on FOOTED of them, a foot along the bottom."""
    return _flagged(ink, rng, *FLAG_STYLES[style], FOOTED)


def long_flag(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """1s with the continental writers' long flag (CONTINENTAL_FLAG), a few with a foot."""
    return _flagged(ink, rng, *CONTINENTAL_FLAG, CONTINENTAL_FOOTED)


def _flagged(ink: np.ndarray, rng: np.random.Generator, lengths, angles, footed) -> np.ndarray:
    n = len(ink)
    inked = ink.reshape(n, -1) > 128
    top = np.argmax(inked, axis=1)  # the first inked pixel in reading order, and the last
    bottom = inked.shape[1] - 1 - np.argmax(inked[:, ::-1], axis=1)
    height = np.maximum(bottom // IMAGE_SIZE - top // IMAGE_SIZE + 1, 8)
    width = np.clip(inked.sum(axis=1) / height, 1.5, 4.0)  # the stroke's own width
    length = height * rng.uniform(*lengths, n)
    angle = np.radians(rng.uniform(*angles, n))
    row, col = top // IMAGE_SIZE, top % IMAGE_SIZE
    strokes = [(row, col, row + length * np.sin(angle), col - length * np.cos(angle))]
    foot = height * rng.uniform(0.15, 0.35, n) * (rng.random(n) < footed)
    row, col = bottom // IMAGE_SIZE, bottom % IMAGE_SIZE
    strokes.append((row, col - 0.3 * foot, row, col + 0.7 * foot))
    return with_strokes(ink, strokes, width)


def crossbar(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """7s with a bar across the stem at 40-70% of their height, 40-90% of their width long,
    more of it left of the stem; SERIFED of them with a short down-stroke at the left end
    of the top bar as well."""
    n = len(ink)
    inked = ink > 128
    rows, cols = inked.any(axis=2), inked.any(axis=1)
    top = np.argmax(rows, axis=1)
    height = np.maximum(IMAGE_SIZE - np.argmax(rows[:, ::-1], axis=1) - top, 8)
    extent = np.maximum(IMAGE_SIZE - np.argmax(cols[:, ::-1], axis=1) - np.argmax(cols, axis=1), 8)
    width = np.clip(inked.sum(axis=(1, 2)) / (height + extent), 1.5, 3.5)
    row = np.minimum(top + height * rng.uniform(0.4, 0.7, n), IMAGE_SIZE - 1)
    stem = _ink_centre(inked[np.arange(n), np.rint(row).astype(int)], ink)
    length = np.maximum(extent, 0.5 * height) * rng.uniform(0.4, 0.9, n)
    left = stem - length * rng.uniform(0.45, 0.6, n)
    tilt = length * rng.uniform(-0.08, 0.08, n)
    strokes = [(row + tilt / 2, left, row - tilt / 2, left + length)]
    serif = height * rng.uniform(0.1, 0.25, n) * (rng.random(n) < SERIFED)
    start = np.argmax(inked[np.arange(n), top], axis=1).astype(float)  # the top bar's left end
    strokes.append((top.astype(float), start, top + serif, start - 0.2 * serif))
    return with_strokes(ink, strokes, width)


def _ink_centre(row_ink: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The mean column of each image's inked pixels in one row (n x 28); where the row holds
    none, the image's centre of mass."""
    columns = np.arange(IMAGE_SIZE)
    count = row_ink.sum(axis=1)
    mass = ink.sum(axis=1)
    centre = (mass * columns).sum(axis=1) / np.maximum(mass.sum(axis=1), 1.0)
    return np.where(count > 0, (row_ink * columns).sum(axis=1) / np.maximum(count, 1), centre)


def open_four(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """4s drawn anew, with the pen width of the one they replace, as continental writers draw
    them: a left arm down from the top that turns, sharp or in a cup, into the bar; the bar out
    to the right stem or past it; the stem from anywhere between the top and the bar down to
    the bottom, apart from the arm at the top."""
    n = len(ink)
    width = np.clip((ink > 128).sum(axis=(1, 2)) / 46.0, 1.5, 3.5)  # 46: a 4's strokes in px

    def share(low: float, high: float) -> np.ndarray:
        return BOX * rng.uniform(low, high, n)

    arm_col, arm_lean = TOP + share(0.05, 0.25), share(-0.05, 0.1)
    bar, cup = TOP + share(0.45, 0.65), share(0.0, 0.3)
    stem_col, stem_lean = TOP + share(0.65, 0.85), share(-0.05, 0.05)
    stem_top = TOP + 0.1 * BOX + (bar - TOP - 0.2 * BOX) * rng.uniform(0.0, 1.0, n)
    bar_end, bar_tilt = stem_col + share(0.0, 0.2), share(-0.05, 0.05)
    corner = arm_col + arm_lean
    # The arm ends `cup` above the bar and curves down through it into the bar: a sharp corner
    # at 0, a "u" at the largest.
    strokes = [(np.full(n, TOP), arm_col, bar - cup, corner)]
    strokes += curve(bar - cup, corner, bar + 0.5 * cup, corner + 0.3 * cup, bar, corner + cup)
    strokes.append((bar, corner + cup, bar - bar_tilt, bar_end))
    bottom = np.full(n, TOP + BOX - 1)
    strokes.append((stem_top, stem_col + stem_lean, bottom, stem_col - stem_lean))
    return with_strokes(np.zeros_like(ink), strokes, width)


def hook(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 9 whose tail curls to the left at the bottom, as many of UCI's writers end it (they
    were read as 3): a curve from the tail's end, down and left, then left and up, 25-50% of
    the 9's height long (a quadratic Bezier curve, drawn as three segments)."""
    n = len(ink)
    inked = ink > 100
    rows = inked.any(axis=2)
    top = np.argmax(rows, axis=1)
    end = IMAGE_SIZE - 1 - np.argmax(rows[:, ::-1], axis=1)  # the tail's last row
    height = np.maximum(end - top + 1, 8)
    # The pen's width: ink per row, less for the rows where the loop crosses the stroke twice.
    width = np.clip(0.6 * inked.reshape(n, -1).sum(axis=1) / height, 1.5, 3.0)
    length = height * rng.uniform(0.25, 0.5, n)
    rise = height * rng.uniform(0.0, 0.25, n)
    # Room below for the curl: the 9 moves up (the redraw's warp centres it again).
    lift = np.clip(np.ceil(end + 0.35 * length + width - (IMAGE_SIZE - 1)), 0, top).astype(int)
    for i in np.flatnonzero(lift):
        ink[i] = np.roll(ink[i], -lift[i], axis=0)
        inked[i] = np.roll(inked[i], -lift[i], axis=0)
    end -= lift
    last = inked[np.arange(n), end]
    col = (last * np.arange(IMAGE_SIZE)).sum(axis=1) / np.maximum(last.sum(axis=1), 1)
    bottom = np.minimum(end + 0.35 * length, IMAGE_SIZE - 1.0)
    strokes = curve(end, col, bottom, col - 0.4 * length, bottom - rise, col - length)
    return with_strokes(ink, strokes, width)


# Pen strokes added to 28x28 digits: the segments the shapes above are drawn with.


def with_strokes(ink: np.ndarray, strokes: list[tuple], width: np.ndarray) -> np.ndarray:
    """`ink` (n x 28 x 28) with pen strokes added: each (r0, c0, r1, c1) a segment per image,
    `width` pixels wide (per image), its edges anti-aliased over a pixel."""
    n = len(ink)
    grid_r, grid_c = np.indices((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32).reshape(2, 1, -1)
    for r0, c0, r1, c1 in strokes:
        distance = to_segment(grid_r, grid_c, r0, c0, r1, c1)
        stroke = np.clip(width[:, None] / 2 + 0.5 - distance, 0.0, 1.0) * 255.0
        ink = np.maximum(ink, stroke.reshape(n, IMAGE_SIZE, IMAGE_SIZE))
    return ink


def to_segment(r, c, r0, c0, r1, c1) -> np.ndarray:
    """Each pixel's distance to each image's segment (r0, c0)-(r1, c1)."""
    dr, dc = (r1 - r0)[:, None], (c1 - c0)[:, None]
    t = ((r - r0[:, None]) * dr + (c - c0[:, None]) * dc) / np.maximum(dr * dr + dc * dc, 1e-6)
    t = np.clip(t, 0.0, 1.0)
    return np.hypot(r - r0[:, None] - t * dr, c - c0[:, None] - t * dc)


def curve(r0, c0, rc, cc, r1, c1, pieces: int = 3) -> list[tuple]:
    """A quadratic Bezier curve from (r0, c0) to (r1, c1) pulled towards (rc, cc), per image,
    as `pieces` segments for `with_strokes`."""
    t = np.linspace(0.0, 1.0, pieces + 1)[:, None]
    r = (1 - t) ** 2 * r0 + 2 * (1 - t) * t * rc + t**2 * r1
    c = (1 - t) ** 2 * c0 + 2 * (1 - t) * t * cc + t**2 * c1
    return [(r[k], c[k], r[k + 1], c[k + 1]) for k in range(pieces)]
