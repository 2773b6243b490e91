"""A fold's step: where paper folded flat again is darker on one side of its crease, the
background (an opening of coarse blocks, `digitcli.imaging.background`) cannot follow the
straight step, and leaves a band about one block wide on its darker side above the ink
threshold. A pen's stroke is edged on both sides; that band has one sharp edge, the step,
straight, with all its ink on one side of it (the other fades as the background catches up).
Between two creases, the band is a wedge edged so by two straight steps.

Such a band, or one along a shadow's edge, is also as dark as the paper beyond it on its
darker side, where a pen's stroke is darker than the paper on both of its sides.
"""

from __future__ import annotations

import cv2
import numpy as np

from digitcli.imaging.clutter import strokes_width
from digitcli.imaging.morphology import dilate, square
from digitcli.imaging.settings import tuned

# What the settings this module reads are for (their values: settings.py).
# The outline's pixels where the ink rises by step_sharp of the strokes' contrast within
# 3 px are sharp. Ink whose outline is sharp for step_share of it or more, those pixels
# step_on_line or more within step_near px of one straight line, with all but step_stray of
# the ink beyond it on one side, is a fold's step; or of two lines step_angle degrees apart
# or more, the ink on one side of each, where it runs off the picture (a wedge between two
# creases: a digit's two straight strokes, a 7's, were taken for one inside a box).

# Ink whose surroundings (from 2 px out to its strokes' width and 2 px more) are as dark as it
# (within half its contrast to their lightest tenth) for dark_beside of them is a band along a
# darker side; a shadow darker than a faint digit beside it is not. The value lies between
# the blank pictures' bands and real digits on paper (figures: docs/measurements/code-notes.md).

Line = np.ndarray  # vx, vy, x0, y0: a unit direction and a point on the line


def one_sided_step(flat: np.ndarray, kept: np.ndarray, contrast: float) -> bool:
    """Whether the ink kept (`kept`, over `flat`: the picture less its background, a crop
    with a margin around the ink; `contrast`: the strokes' cores above the noise floor) is
    the band a fold's straight step leaves, not a pen's stroke."""
    points = _sharp_outline(flat, kept, contrast)
    if points is None:
        return False
    lines = [_fit(points)]
    near = _near(points, lines[0])
    if np.mean(near) < tuned().step_on_line:
        lines = _two_lines(points, kept) if _runs_off(kept) else None
        if lines is None:
            return False
    ys, xs = np.nonzero(kept)
    ink = np.stack([xs, ys], axis=1).astype(np.float32)
    return all(_one_side(ink, line) for line in lines)


def dark_beside(signal: np.ndarray, kept: np.ndarray) -> bool:
    """Whether the ink kept (`kept`, over `signal`: the picture, ink bright) is a band along
    a darker side of the paper (a fold's, a shadow's) rather than a pen's stroke: its
    surroundings are as dark as it for dark_beside of them or more."""
    ring = dilate(kept, round(strokes_width(kept)) + 2) & ~dilate(kept, 2)
    if np.count_nonzero(ring) < tuned().fold_pixels:
        return False
    around = signal[ring]
    paper = float(np.percentile(around, 10))
    ink = float(np.median(signal[kept]))
    alike = np.abs(around - ink) <= 0.5 * (ink - paper)
    return np.count_nonzero(alike) >= tuned().dark_beside * around.size


def _sharp_outline(flat: np.ndarray, kept: np.ndarray, contrast: float) -> np.ndarray | None:
    """The sharp pixels of the outline of `kept` (x, y rows), None if under step_share of it."""
    smooth = cv2.GaussianBlur(flat.astype(np.float32), (0, 0), 1.0)
    outline = kept & ~cv2.erode(kept.view(np.uint8), square(1)).view(bool)
    outline[0] = outline[-1] = False  # the picture's sides cut the ink; no edge there
    outline[:, 0] = outline[:, -1] = False
    rise = cv2.dilate(smooth, square(3)) - cv2.erode(smooth, square(3))
    sharp = rise[outline] >= tuned().step_sharp * max(contrast, 1.0)
    if np.count_nonzero(sharp) < max(tuned().fold_pixels, tuned().step_share * sharp.size):
        return None
    ys, xs = np.nonzero(outline)
    return np.stack([xs[sharp], ys[sharp]], axis=1).astype(np.float32)


def _two_lines(points: np.ndarray, kept: np.ndarray) -> list[Line] | None:
    """Two lines step_angle apart or more that hold step_on_line of `points`: the strongest
    (Hough's) and the best fit of the points off it; None if there are no such two."""
    first = _strongest(points, kept.shape)
    if first is None:
        return None
    near = _near(points, first)
    if min(np.count_nonzero(near), np.count_nonzero(~near)) < tuned().fold_pixels:
        return None
    lines = [_fit(points[near]), _fit(points[~near])]
    held = np.mean(_near(points, lines[0]) | _near(points, lines[1]))
    sine = abs(lines[0][0] * lines[1][1] - lines[0][1] * lines[1][0])
    return (
        lines
        if held >= tuned().step_on_line and sine >= np.sin(np.radians(tuned().step_angle))
        else None
    )


def _strongest(points: np.ndarray, shape: tuple[int, ...]) -> Line | None:
    """The straight line through most of `points` (x, y rows) in a picture of `shape`."""
    image = np.zeros(shape, np.uint8)
    image[points[:, 1].astype(int), points[:, 0].astype(int)] = 255
    found = cv2.HoughLines(image, 1, np.pi / 180, 10)
    if found is None:
        return None
    rho, theta = found[0][0]
    cos, sin = np.cos(theta), np.sin(theta)
    return np.array([-sin, cos, rho * cos, rho * sin], np.float32)


def _fit(points: np.ndarray) -> Line:
    """The straight line fitted to `points`, robust to a few off it."""
    return cv2.fitLine(points, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()


def _offsets(points: np.ndarray, line: Line) -> np.ndarray:
    """Signed distances of `points` from `line`."""
    vx, vy, x0, y0 = line
    return (points[:, 0] - x0) * vy - (points[:, 1] - y0) * vx


def _near(points: np.ndarray, line: Line) -> np.ndarray:
    """Which `points` lie within step_near px of `line`."""
    return np.abs(_offsets(points, line)) < tuned().step_near


def _one_side(ink: np.ndarray, line: Line) -> bool:
    """Whether all but step_stray of the `ink` pixels beyond step_near of `line` lie on one
    side of it."""
    side = _offsets(ink, line)
    beyond, before = (
        np.count_nonzero(side > tuned().step_near),
        np.count_nonzero(side < -tuned().step_near),
    )
    return 0 < max(beyond, before) and min(beyond, before) <= tuned().step_stray * max(
        beyond, before
    )


def _runs_off(kept: np.ndarray) -> bool:
    """Whether `kept` (a crop with a margin around the ink) reaches the picture's sides."""
    return bool(kept[0].any() or kept[-1].any() or kept[:, 0].any() or kept[:, -1].any())
