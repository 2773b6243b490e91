"""The sheet of paper in a photo: a slip or a page lying on a desk, or on a scanner's lid.

Segmentation takes what lies darker than its paper for ink and finds the paper from the
picture's border; where the border is a desk, the sheet's edges read as strokes (a 1 at each
end) and the desk as paper. `predict` and `read` look within the sheet when a photo shows one
(`images.prepare`, the one picture both take): the largest region of one of Otsu's two classes
(the brighter on a darker desk; on a lighter lid the darker, the sheet's paper and ink
together; where the lid is hardly lighter than the paper, Otsu parts the ink from both, and the
lid is then the brighter part of the lighter class; on a desk about as light as the paper,
what the largest closed outline of the picture's edges encloses), with the rest on three
sides of it or more, filling its convex hull, as a quadrilateral does (a sheet seen askew or
in perspective is one, not always a rectangle), holding ink and min_contrast away from what
lies around it, and nothing much lighter than its paper (a digit filling its picture, taken
with the paper in its loops, is no sheet). A light sheet encloses ink, its paper wider than
the ink's strokes (a light digit on a dark canvas, its loops filled in, is a solid bright
region too, but it encloses nothing, or its strokes are as narrow as its loops). What lies
outside the sheet's outline (`_inner_outline`) in its box is painted over with paper.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from digitcli.imaging import orderstats
from digitcli.imaging.histograms import histogram, otsu_threshold
from digitcli.imaging.morphology import bounds
from digitcli.imaging.opening import cropped
from digitcli.imaging.settings import tuned


def sheet_to_look_within(
    image: Image.Image, invert: str, seen: Image.Image | None = None
) -> tuple[Image.Image, int, int] | None:
    """The sheet `predict` and `read` both look within first (`on_the_sheet`), or None: none
    is looked for with `invert` "no" (light ink on dark paper) nor in a picture under
    `paper_size` a side, a crop of its digit rather than a photo of paper. `seen`: the picture
    `predict` looks at (`images.working_picture`) where `image` is `read`'s larger one: the
    sheet is found on `seen`, as `predict` finds it, and cut from `image` (found on each
    picture, the two sheets differed: a note on a desk was a sheet to `predict`, none to
    `read`)."""
    found_on = image if seen is None else seen
    if invert == "no" or max(found_on.size) < tuned().paper_size:
        return None
    corners = sheet_outline(found_on)
    if corners is None:
        return None
    return on_the_sheet(
        image, corners * (image.width / found_on.width, image.height / found_on.height)
    )


def sheet_outline(image: Image.Image) -> np.ndarray | None:
    """The corners of the sheet in an "L" image opened by `open_image`, `border_band` inside
    its edges, in its pixels (x, y); None where the image is no photo of a sheet on a desk or
    a lid, or the sheet is a few pixels wide (nothing lies inside its edges)."""
    found = _sheet(image)
    if found is None:
        return None
    outline, scale = found
    corners = _inner_outline(outline)
    return None if corners is None else corners / scale


def on_the_sheet(
    image: Image.Image, corners: np.ndarray | None = None
) -> tuple[Image.Image, int, int] | None:
    """The sheet of paper in an "L" image opened by `open_image`, within `corners` (default:
    its own `sheet_outline`), as `multiline.cropped` gives a part of it (the part, how far
    right and down its source pixels it starts), what of the desk lies in its box painted over
    with paper (OpenCV's inpainting); None where there is none."""
    corners = sheet_outline(image) if corners is None else corners
    if corners is None:
        return None
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


def _sheet(image: Image.Image) -> tuple[np.ndarray, float] | None:
    """The corners of the sheet's outline on a copy at most `work_size` long (in its pixels'
    indices), and the copy's scale; None where there is no sheet: on something darker, the
    brighter of Otsu's two classes holds it, on something lighter the darker one (with the
    ink), or, where the two classes are the ink and the rest, what lies below Otsu's split of
    the lighter; on a desk about as light as its paper, no class of Otsu's holds it, but the
    picture's edges outline it (`_outlined`). A light sheet seen askew or in perspective is a
    quadrilateral, no rectangle: its outline is the largest one whose corners are corners of
    its region's convex hull, so that no desk darker than its paper (read as ink) lies inside
    it, nor a lit desk joined to it beside an edge. A sheet darker than its lid: the turned
    rectangle around it (a lid is lighter than the paper, no ink; and where the paper's edge
    hardly shows, the region's edge is its ink's)."""
    w, h = image.size
    scale = min(1.0, tuned().work_size / max(w, h))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(image.resize(size, Image.Resampling.BOX) if scale < 1.0 else image)
    hist = histogram(small)
    split = otsu_threshold(hist)
    bright = small > split
    lit = small > otsu_threshold(np.where(np.arange(256) > split, hist, 0))
    outlined = _outlined(small)
    for side in (bright, ~bright, ~lit, outlined):
        sheet = _solid_region(side, size)
        if sheet is None or not _paper_apart(small, sheet, lighter=side is outlined):
            continue
        if np.count_nonzero(side & sheet) < tuned().sheet_held * np.count_nonzero(side):
            continue
        light = side is bright or side is outlined
        if light and not _inked_paper(bright, sheet):
            continue
        hull = cv2.convexHull(cv2.findNonZero(sheet.view(np.uint8)))
        least = tuned().sheet_fill * cv2.contourArea(hull)
        quadrilateral = _largest_quadrilateral(hull[:, 0])
        if sheet.sum() < least or cv2.contourArea(quadrilateral) < least:
            continue
        turned = cv2.boxPoints(cv2.minAreaRect(hull))  # (a dark sheet's)
        return (quadrilateral if light else turned), scale
    return None


def _paper_apart(small: np.ndarray, sheet: np.ndarray, *, lighter: bool) -> bool:
    """Whether a region of `small` (`sheet`) looks like paper (the cheapest checks, asked
    first): its paper (median) min_contrast away from what lies around it (`lighter`: and
    lighter than that) and from its darkest (ink), and nothing on it sheet_glare lighter
    than its paper."""
    around = small[~sheet]
    if not around.size:  # (none: what np.median's NaN answered)
        return False
    on_it = small[sheet]
    ink, paper, lightest = int(on_it.min()), orderstats.median(on_it), int(on_it.max())
    surround = orderstats.median(around)
    return (
        abs(paper - surround) >= tuned().min_contrast
        and (paper > surround or not lighter)
        and paper - ink >= tuned().min_contrast
        and lightest - paper < tuned().sheet_glare
    )


def _outlined(small: np.ndarray) -> np.ndarray:
    """What lies within the largest closed outline of the picture's edges (Canny's: steps of
    `min_contrast` grey levels or more, joined through half that, thickened to close small
    gaps), inside the thickened edges: a sheet on a desk about as light as its paper, whose
    edges outline it (filled up to them, the desk along them passed for the ink of a light
    digit on a dark desk, and the digit for a sheet)."""
    step = tuned().min_contrast
    edges = cv2.Canny(cv2.GaussianBlur(small, (3, 3), 0), step, 2 * step, L2gradient=True)
    closed = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros(small.shape, np.uint8)
    if contours:
        cv2.drawContours(filled, [max(contours, key=cv2.contourArea)], -1, 1, cv2.FILLED)
    inside = cv2.erode(filled, np.ones((5, 5), np.uint8))  # within the thickened edges
    return inside.view(bool)


def _inner_outline(outline: np.ndarray) -> np.ndarray | None:
    """The sheet's `outline` (`_sheet`'s) `border_band` of its shorter side inside its edges;
    None where nothing lies that far inside."""
    (_, sides, _) = cv2.minAreaRect(outline.astype(np.float32))
    return _inset(outline.astype(np.float32), tuned().border_band * min(sides))


def _inset(corners: np.ndarray, depth: float) -> np.ndarray | None:
    """A convex polygon (`corners` in order) with each edge moved `depth` inward; None where
    that leaves nothing (an edge turned round: the edges crossed over)."""
    centre = corners.mean(axis=0)
    following = np.roll(corners, -1, axis=0)
    along = following - corners
    normal = np.stack([-along[:, 1], along[:, 0]], 1) / np.linalg.norm(along, axis=1)[:, None]
    inward = np.where(((centre - corners) * normal).sum(1)[:, None] < 0, -normal, normal)
    starts = corners + depth * inward
    inner = []
    for edge in range(len(corners)):  # where each moved edge meets the one before it
        matrix = np.stack([along[edge], -along[edge - 1]], 1)
        try:
            t, _ = np.linalg.solve(matrix, starts[edge - 1] - starts[edge])
        except np.linalg.LinAlgError:  # two edges in one line: no corner between them
            return None
        inner.append(starts[edge] + t * along[edge])
    inner = np.float32(inner)
    kept = ((np.roll(inner, -1, axis=0) - inner) * along).sum(axis=1)  # each edge's way
    if not np.isfinite(inner).all() or (kept <= 0).any():
        return None
    return inner


def _largest_quadrilateral(hull: np.ndarray) -> np.ndarray:
    """The largest quadrilateral whose corners are among the points of a convex polygon
    (`hull`, in order): corners i < j < k < l split it into triangles (i, j, k), (i, k, l)."""
    n = len(hull)
    points = hull.astype(np.float64)
    edge = points[np.newaxis] - points[:, np.newaxis]  # edge[i, j]: from point i to point j
    cross = edge[:, :, np.newaxis, 0] * edge[:, np.newaxis, :, 1]
    area = np.abs(cross - np.swapaxes(cross, 1, 2))  # area[i, j, k]: twice triangle ijk's
    i, j, k = np.ogrid[:n, :n, :n]
    ordered = np.where((i < j) & (j < k), area, -1.0)
    before = ordered.max(axis=1)  # before[i, k]: the best j between them
    after = ordered.max(axis=2)  # after[i, k]: the best l after k (k in j's place)
    total = np.where((k[0] >= i[:, :, 0] + 2) & (k[0] < n - 1), before + after, -1.0)
    if total.max() < 0:  # a triangle: no quadrilateral to choose
        return hull.astype(np.int32)
    first, third = np.unravel_index(int(np.argmax(total)), total.shape)
    second = first + 1 + int(np.argmax(area[first, first + 1 : third, third]))
    fourth = third + 1 + int(np.argmax(area[first, third, third + 1 :]))
    return hull[[first, second, third, fourth]].astype(np.int32)


def _inked_paper(bright: np.ndarray, sheet: np.ndarray) -> bool:
    """Whether a light sheet holds ink (darker pieces it encloses) and its paper (what is
    bright in it) opens `sheet_paper_wider` times wider than the widest of them, as a pen's
    strokes are thin beside the paper around them. A light digit on a dark canvas is as solid
    a bright region as a sheet, its loops filled in, but it encloses nothing (a 1) or its
    strokes (its "paper") are no wider than its loops (its "ink"): taken for a sheet, its
    loops were read as its digits."""
    ink = _widest(sheet & ~bright)
    paper = _widest(bright & sheet)
    return 0 < tuned().sheet_paper_wider * ink <= paper


def _solid_region(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray | None:
    """The largest region of `mask`, its holes filled, where the rest of the picture shows on
    `sheet_sides` of its sides or more."""
    region = _largest(mask)
    if region is None:
        return None
    rows, cols = bounds(region)
    settings = tuned()
    right, bottom = size[0] - cols.stop, size[1] - rows.stop  # the surround's sides
    shares = (cols.start / size[0], rows.start / size[1], right / size[0], bottom / size[1])
    if sum(share >= settings.side_margin for share in shares) < settings.sheet_sides:
        return None
    return _holes_filled(region)


def _largest(mask: np.ndarray) -> np.ndarray | None:
    """The largest 8-connected piece of `mask` (the first labelled of equals), None where it
    has none. Labelled without OpenCV's statistics, which cost five times the labelling."""
    count, labels = cv2.connectedComponents(mask.view(np.uint8), connectivity=8)
    if count < 2:
        return None
    areas = np.bincount(labels.ravel(), minlength=count)
    return labels == 1 + int(np.argmax(areas[1:]))


def _widest(mask: np.ndarray) -> float:
    """The largest Euclidean distance from a pixel of `mask` to the nearest pixel outside it
    (or outside the picture): half the width of its widest part."""
    padded = np.pad(mask, 1).astype(np.uint8)
    return float(cv2.distanceTransform(padded, cv2.DIST_L2, cv2.DIST_MASK_PRECISE).max())


def _holes_filled(region: np.ndarray) -> np.ndarray:
    """`region` with its holes filled: what lies outside it and cannot reach the picture's
    edge through pixels outside it (4-connected), as SciPy's binary_fill_holes fills them."""
    outside = np.pad(~region, 1, constant_values=True).astype(np.uint8)
    cv2.floodFill(outside, None, (0, 0), 2, flags=4)
    return region | (outside[1:-1, 1:-1] == 1)
