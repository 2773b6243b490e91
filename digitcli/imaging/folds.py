"""A fold's step: where paper folded flat again is darker on one side of its crease, the
background (an opening of coarse blocks, `digitcli.imaging.background`) cannot follow the
straight step, and leaves a band about one block wide on its darker side above the ink
threshold. A pen's stroke is edged on both sides; that band has one sharp edge, the step,
straight, with all its ink on one side of it (the other fades as the background catches up).
"""

from __future__ import annotations

import cv2
import numpy as np

from digitcli.imaging.morphology import square

# The outline's pixels where the ink rises by STEP_SHARP of the strokes' contrast within
# 3 px are sharp. Ink whose outline is sharp for STEP_SHARE of it or more, those pixels
# STEP_ON_LINE or more within STEP_NEAR px of one straight line, with all but STEP_STRAY of
# the ink beyond it on one side, is a fold's step.
STEP_SHARP = 0.7
STEP_SHARE = 0.3
STEP_ON_LINE = 0.9
STEP_NEAR = 2.0
STEP_STRAY = 0.1


def one_sided_step(flat: np.ndarray, kept: np.ndarray, contrast: float) -> bool:
    """Whether the ink kept (`kept`, over `flat`: the picture less its background, a crop
    with a margin around the ink; `contrast`: the strokes' cores above the noise floor) is
    the band a fold's straight step leaves, not a pen's stroke."""
    smooth = cv2.GaussianBlur(flat.astype(np.float32), (0, 0), 1.0)
    outline = kept & ~cv2.erode(kept.view(np.uint8), square(1)).view(bool)
    outline[0] = outline[-1] = False  # the picture's sides cut the ink; no edge there
    outline[:, 0] = outline[:, -1] = False
    rise = cv2.dilate(smooth, square(3)) - cv2.erode(smooth, square(3))
    sharp = rise[outline] >= STEP_SHARP * max(contrast, 1.0)
    if np.count_nonzero(sharp) < max(10, STEP_SHARE * sharp.size):
        return False
    ys, xs = np.nonzero(outline)
    points = np.stack([xs[sharp], ys[sharp]], axis=1).astype(np.float32)
    vx, vy, x0, y0 = cv2.fitLine(points, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    off = (points[:, 0] - x0) * vy - (points[:, 1] - y0) * vx
    if np.mean(np.abs(off) < STEP_NEAR) < STEP_ON_LINE:
        return False
    ys, xs = np.nonzero(kept)
    side = (xs - x0) * vy - (ys - y0) * vx
    beyond, before = np.count_nonzero(side > STEP_NEAR), np.count_nonzero(side < -STEP_NEAR)
    return min(beyond, before) <= STEP_STRAY * max(beyond, before) and max(beyond, before) > 0
