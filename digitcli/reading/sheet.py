"""The sheet of paper in a photo: a slip or a page lying on a desk, or on a scanner's lid.

Segmentation takes what lies darker than its paper for ink and finds the paper from the
picture's border; where the border is a desk, the sheet's edges read as strokes (a 1 at each
end) and the desk as paper. `read` reads within the sheet when a photo shows one: the largest
region of one of Otsu's two classes (the brighter on a darker desk; on a lighter lid the
darker, the sheet's paper and ink together; where the lid is hardly lighter than the paper,
Otsu parts the ink from both, and the lid is then the brighter part of the lighter class), with
the rest on three sides of it or more, filling its box (turned as the sheet lies: a sheet is a
solid shape), holding ink and MIN_CONTRAST away from what lies around it, and nothing much
lighter than its paper (a digit filling its picture, taken with the paper in its loops, is no
sheet). What of the desk lies in the sheet's box (a sheet lying askew) is painted over with
paper. `predict` prepares, and `read` reads, a photo of a sheet within it.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image
from scipy import ndimage

from digitcli.imaging.histograms import otsu_threshold
from digitcli.imaging.ink import MIN_CONTRAST
from digitcli.imaging.opening import cropped

SHEET_SIDE = 200  # px: the sheet is looked for on a copy this long
LARGEST_BOX = 0.85  # a region whose box covers more of the picture is its paper ...
SMALLEST_SHEET = 0.05  # ... one covering less is not a sheet
SHEET_FILL = 0.8  # a sheet, its holes (ink) filled, covers this share of its turned box or more
SIDE_MARGIN = 0.02  # the surround shows on a side this share of the picture wide or more ...
SIDES = 3  # ... on this many sides
INSET = 0.04  # the sheet is read this share of its shorter side inside its edges
INKED = 0.5  # a sheet holds ink: its darkest INKED% lies MIN_CONTRAST below its paper ...
HELD = 0.9  # ... and this share of its class of Otsu's two (on a lighter lid, the ink too)
HOLES = 0.3  # a sheet darker than its surround (its paper and ink one class): at most this
# share of it lies in holes of the other class (a form's grid of boxes has its cells there)
GLARE = 34  # nothing on a sheet (its lightest LIGHTEST%) lies this much lighter than its paper:
LIGHTEST = 1  # a digit filling its picture, taken with the paper in its loops, has its paper there


def on_the_sheet(image: Image.Image) -> tuple[Image.Image, int, int] | None:
    """The sheet of paper in an "L" image opened by `open_image`, as `multiline.cropped` gives
    a part of it (the part, how far right and down its source pixels it starts), INSET inside
    its edges, what of the desk lies in its box painted over with paper (OpenCV's inpainting);
    None where the image is no photo of a sheet on a desk or a lid."""
    found = _sheet(image)
    if found is None:
        return None
    (centre, (width, height), angle), scale = found
    inset = 2 * INSET * min(width, height)
    inner = (centre, (width - inset, height - inset), angle)
    corners = cv2.boxPoints(inner) / scale
    low, high = np.floor(corners.min(axis=0)), np.ceil(corners.max(axis=0))
    left, top = (int(v) for v in np.maximum(low, 0))
    right, bottom = (int(v) for v in np.minimum(high, image.size))
    if right <= left or bottom <= top:
        return None  # a picture a few pixels wide: its "sheet" holds nothing inside its edges
    part, dx, dy = cropped(image, (left, top, right, bottom))
    inside = np.zeros((part.height, part.width), np.uint8)
    cv2.fillConvexPoly(inside, np.round(corners - (left, top)).astype(np.int32), 1)
    if inside.all():
        return part, dx, dy
    painted = cv2.inpaint(np.asarray(part), 1 - inside, 3, cv2.INPAINT_TELEA)
    sheet = Image.fromarray(painted, "L")
    sheet.info.update(part.info)
    return sheet, dx, dy


def _sheet(image: Image.Image) -> tuple[tuple, float] | None:
    """The sheet's turned box (OpenCV's minAreaRect) on a copy at most SHEET_SIDE long, and
    the copy's scale; None where there is no sheet: on something darker, the brighter of
    Otsu's two classes holds it, on something lighter the darker one (with the ink), or, where
    the two classes are the ink and the rest, what lies below Otsu's split of the lighter."""
    w, h = image.size
    scale = min(1.0, SHEET_SIDE / max(w, h))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(image.resize(size, Image.Resampling.BOX) if scale < 1.0 else image)
    hist = np.bincount(small.ravel(), minlength=256)
    split = otsu_threshold(hist)
    bright = small > split
    lit = small > otsu_threshold(np.where(np.arange(256) > split, hist, 0))
    for side, holes in ((bright, 1.0), (~bright, HOLES), (~lit, HOLES)):
        sheet = _solid_region(side, size, holes)
        if sheet is None or np.count_nonzero(side & sheet) < HELD * np.count_nonzero(side):
            continue
        ys, xs = np.nonzero(sheet)
        turned = cv2.minAreaRect(np.stack([xs, ys], 1).astype(np.float32))
        if sheet.sum() < SHEET_FILL * turned[1][0] * turned[1][1]:
            continue
        ink, paper, light = np.percentile(small[sheet], (INKED, 50, 100 - LIGHTEST))
        if (
            abs(paper - np.median(small[~sheet])) >= MIN_CONTRAST
            and paper - ink >= MIN_CONTRAST
            and light - paper < GLARE
        ):
            return turned, scale
    return None


def _solid_region(mask: np.ndarray, size: tuple[int, int], holes: float) -> np.ndarray | None:
    """The largest region of `mask`, its holes filled, where the rest of the picture shows on
    SIDES of its sides or more, it covers between SMALLEST_SHEET and LARGEST_BOX of it and
    its holes are at most `holes` of it."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8), 4)
    if count < 2:
        return None
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    left, top, width, height, _ = stats[largest]
    if not SMALLEST_SHEET * mask.size <= width * height <= LARGEST_BOX * mask.size:
        return None
    right, bottom = size[0] - left - width, size[1] - top - height  # the surround's sides
    shares = (left / size[0], top / size[1], right / size[0], bottom / size[1])
    if sum(share >= SIDE_MARGIN for share in shares) < SIDES:
        return None
    region = labels == largest
    filled = ndimage.binary_fill_holes(region)
    if np.count_nonzero(filled & ~region) > holes * np.count_nonzero(filled):
        return None  # a form's grid of boxes, not a sheet with its ink
    return filled
