"""What lies around a handwritten digit and is not the digit: the ruled lines of lined or
squared paper and a table's rules, a box drawn around it, the parts of its neighbours when it
was cut out of a row. `digitcli.imaging.images.prepare` leaves them out of the ink.

Each is measured on bench/checks/robustness.py's sources of that name (`lined`, `squared`, `cell`,
`boxed`, `row`) and on the rest of the development set, which must read as it did without
them (docs/other-writers.md). Everything works on the small working picture, with NumPy and
OpenCV.
"""

from __future__ import annotations

import cv2
import numpy as np

from digitcli.imaging import orderstats
from digitcli.imaging.morphology import bounds, runs
from digitcli.imaging.settings import tuned

# What the settings this module reads are for (their values: settings.py).
# A digit cut out of a row shows parts of its neighbours at the picture's sides, dropped
# (`neighbour_pieces`) when the digit stands row_digit_height of the picture's height or more
# (not specks: three specks of grain on one blank picture of the development set were read
# as a 4 without it).
# Ruled lines (lined and squared paper, a table's rules): a row inked across line_across of the
# picture's width, or a column down as much of its height where a row is ruled too, is
# dropped with the pixels at its edges when the ink off the lines stands line_margin of the
# shorter side clear of every side of the picture; faint lines are looked for when there are
# grid_lines of them one way or more (see `ruled_lines`).
# On lined paper (rows inked across line_across above the paper's noise floor, and no column),
# such a row is a ruled line even where it fades below `faint` (a faint line fading in and out).
# A digit written in a form's box: pieces with none of their pixels further than
# frame_band of the edges of the ink's bounding box (a share of its shorter side; 0.06 and 0.08
# read the development set's boxed digits alike, 0.15 cut into digits close to their box; `read`
# looks for a box round one digit in bands of the same share of its height), lining
# every side for frame_side of its length together, around a piece at least frame_inner as tall
# (the digit), are the box (`box_pieces`).
# Blank paper photographed: a fold, ruled lines, an empty cell's rules run off two sides of the
# picture or more as hairlines: strokes narrower than hairline of the piece's extent (0.006-0.016
# on bench/checks/make_blanks.py's pictures; a digit's strokes are 0.05-0.2 of it, and a digit cut
# tight runs off its picture's sides too).
# A region along one side twice as wide as high is such a band, and hairlines running across
# the picture are lines.


# Ruled paper photographed askew (a phone held a little turned): its lines are looked for at
# slants up to steepest_line degrees either way, in steps of line_step (half a degree: over
# 192 px, a step moves a line's end by under 1 px).
def _slants() -> np.ndarray:
    """The slopes ruled lines are looked for at: steepest_line degrees either way."""
    steepest, step = tuned().steepest_line, tuned().line_step
    return np.tan(np.radians(np.arange(-steepest, steepest + step / 2, step)))


def ruled_lines(
    flat: np.ndarray, levels: np.ndarray, floor: float, faint: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """The rows and the columns of `flat` (ink bright; `levels`, the same as grey levels)
    that are ruled lines (lined or squared paper, a table's rules, a box cut out at its
    lines), with those at their edges; None if it shows none.

    A ruled line is a row inked across line_across of the picture's width, or a column down
    as much of its height where a row is ruled too (a column alone may be a 1 as tall as its
    picture): inked above `faint`, or, on squared paper (grid_lines lines or more one way
    and two the other), above `floor` (the paper's noise floor), fainter lines being found
    so. None when the ink off the lines comes within line_margin of the picture's
    shorter side of any of its sides (no stroke of a digit with paper around it runs across
    the whole picture: a 7 cut tight keeps its bar)."""
    h, w = flat.shape
    inked = levels > int(floor)
    floor_rows = _share(inked, 1)
    across, down = _lines(floor_rows), _lines(_share(inked, 0))
    if not across.any() and not down.any():
        return None
    lines_across = runs(across)
    fewer, more = sorted((len(lines_across), len(runs(down))))
    above_faint = flat > faint
    if fewer < 2 or more < tuned().grid_lines:
        inked = levels > int(faint)
        faint_rows = _share(inked, 1)
        ruled = faint_rows >= tuned().line_across
        if lines_across and not down.any():  # lined paper, not a box's edges
            ruled |= floor_rows >= tuned().line_across
        across, down = _spread(ruled, 1), _lines(_share(inked, 0))
        if not across.any():
            down = _apart(down, above_faint)  # a column alone may be a 1 as tall as its picture
            if not down.any():
                return None
    box = bounds(above_faint & ~across[:, None] & ~down[None, :])  # the strokes off the lines
    if box is None:
        return None
    (rows, cols), clear = box, tuned().line_margin * min(h, w)
    if min(cols.start, rows.start, w - cols.stop, h - rows.stop) < clear:
        return None
    return across, down


def slanted_lines(inked: np.ndarray, fewest: int | None = None) -> np.ndarray | None:
    """The ruled lines of `inked` (a mask: above the paper's noise), level or photographed
    askew, as a mask: `fewest` rows or more (None: grid_lines) inked across line_across of
    the picture at one slant (the one where most are), with the columns so inked where rows
    are; None where there are not so many rows."""
    across = _slanted(inked, fewest)
    if across is None:
        return None
    down = _slanted(np.ascontiguousarray(inked.T), fewest=1)
    return across if down is None else across | down.T


def one_line(inked: np.ndarray, strokes: np.ndarray) -> np.ndarray | None:
    """The one ruled line a number is written on (`slanted_lines` of a row or more), as a
    mask, where `strokes` draw it from side to side (within line_margin of each) as a hairline
    (down most columns, thinner than hairline of the picture's longer side: not a shadow's
    band); None where there is none. The digits touching or crossing it are one piece with it,
    which `crossing_pieces` drops whole: a number on a notebook's line was called blank."""
    line = slanted_lines(inked, fewest=1)
    if line is None:
        return None
    drawn = np.count_nonzero(strokes & line, axis=0)  # its thickness down each column
    ends = max(1, round(tuned().line_margin * line.shape[1]))
    if not drawn[:ends].any() or not drawn[-ends:].any():
        return None  # it stops short of a side: a box's, drawn around a digit
    if np.median(drawn[drawn > 0]) >= tuned().hairline * max(line.shape):
        return None
    return line


_ROW_AND_NEIGHBOURS = np.ones((3, 1), np.uint8)  # a row and the rows either side


def _slanted(inked: np.ndarray, fewest: int | None = None) -> np.ndarray | None:
    """The rows of `inked` inked across line_across of it at its best slant (`_slants`: the
    one where most rows are, then with the most ink along them), as a mask, if they make
    `fewest` lines or more. Each band of slant_band columns is shifted as one (at 5 degrees, its
    ends lie 0.7 px off the slant; a line may step a row either way anyway)."""
    fewest = tuned().grid_lines if fewest is None else fewest
    h, w = inked.shape
    if np.count_nonzero(inked) < fewest * tuned().line_across * w:
        return None  # not ink enough for so many lines
    wide = cv2.dilate(inked.view(np.uint8), _ROW_AND_NEIGHBOURS)  # a line may step a row
    bands = -(-w // tuned().slant_band)
    padded = np.zeros((h, bands * tuned().slant_band), np.float32)
    padded[:, :w] = wide
    # The ink of each row in each band: OpenCV's box average of slant_band whole numbers times
    # their count (exact), faster than NumPy's sums over so short an axis.
    band_means = cv2.resize(padded, (bands, h), interpolation=cv2.INTER_AREA)
    sums = band_means * tuned().slant_band
    centres = (np.arange(bands) + 0.5) * tuned().slant_band - w / 2
    slants = _slants()
    shifts = np.rint(slants[:, None] * centres[None, :]).astype(int)  # (slants, bands)
    reach = int(np.abs(shifts).max())
    if not _may_hold_lines(sums, reach, w, fewest):
        return None
    sums = np.pad(sums, ((reach, reach), (0, 0)))
    rows = np.arange(h)[None, :, None] + reach + shifts[:, None, :]
    inked_along = np.take_along_axis(sums[None], rows, axis=1).sum(axis=2)  # (slants, rows)
    inside = ((rows >= reach) & (rows < h + reach)).sum(axis=2) * tuned().slant_band
    shares = inked_along / np.maximum(inside, 0.5 * w)  # a line leaving the picture: its part in it
    across = shares >= tuned().line_across
    score = across.sum(axis=1) * (w + 1.0) + (shares * across).sum(axis=1)  # most, then most ink
    best = int(np.argmax(score))
    lines = _lines(shares[best])
    if len(runs(lines)) < fewest:
        return None
    offsets = np.rint(slants[best] * (np.arange(w) - w / 2)).astype(int)
    back = np.arange(h)[:, None] - offsets[None, :]  # the row of the slanted frame each pixel is on
    inside = (back >= 0) & (back < h)
    return inside & lines[np.clip(back, 0, h - 1)]


def _may_hold_lines(sums: np.ndarray, reach: int, width: int, fewest: int) -> bool:
    """Whether `fewest` rows or more could be inked across line_across of the picture at
    some slant, from `sums` (the ink of each row in each band) alone: a row's ink along any
    slant is at most the sum over the bands of each band's most inked row within `reach` of
    it. Where this fails the search over every slant (`_slanted`) finds no lines, and it
    fails on most pictures, ruled paper aside: the search is made only where it can find
    some."""
    most = cv2.dilate(sums, np.ones((2 * reach + 1, 1), np.uint8), borderType=cv2.BORDER_CONSTANT)
    at_most = most.sum(axis=1)
    # What `_slanted` divides a row's ink by is at least the picture's width, or half of it
    # within `reach` of the top or bottom (a line leaving the picture: its part in it).
    least = np.full(len(at_most), float(width))
    least[:reach] = least[len(least) - reach :] = 0.5 * width
    return np.count_nonzero(at_most / least >= tuned().line_across) >= fewest


def _apart(down: np.ndarray, strokes: np.ndarray) -> np.ndarray:
    """The ruled columns `down` that no stroke touches on either side (a table's rule beside
    the digit, not a digit's own stroke, which its other strokes meet)."""
    apart = np.zeros_like(down)
    for band in runs(down):
        beside = (
            strokes[:, max(band.start - 2, 0) : band.start].any()
            or strokes[:, band.stop : band.stop + 2].any()
        )
        apart[band] = not beside
    return apart


def bridged(strokes: np.ndarray, across: np.ndarray, down: np.ndarray) -> np.ndarray:
    """`strokes` off the ruled rows `across` and columns `down`, but where a stroke crosses
    a line: there the line's pixels between the stroke's two sides are kept, so the digit
    stays in one piece."""
    clean = strokes & ~across[:, None] & ~down[None, :]
    out = clean.copy()
    for band in runs(across):
        if band.start > 0 and band.stop < len(across):
            out[band] |= _crossing(clean[band.start - 1], clean[band.stop], band)
    for band in runs(down):
        if band.start > 0 and band.stop < len(down):
            out[:, band] |= _crossing(clean[:, band.start - 1], clean[:, band.stop], band)[:, None]
    return out


def _crossing(before: np.ndarray, after: np.ndarray, band: slice) -> np.ndarray:
    """Where a stroke runs on both sides of a line `band` wide: the stroke's pixels just
    `before` and `after` it, each widened by the band's width (a slanted stroke shifts)."""
    reach = band.stop - band.start
    return _spread(before, reach) & _spread(after, reach)


def _spread(flags: np.ndarray, reach: int) -> np.ndarray:
    """`flags` widened by `reach` on either side."""
    counts = np.concatenate([[0], np.cumsum(flags)])
    at = np.arange(len(flags))
    return counts[np.minimum(len(flags), at + reach + 1)] > counts[np.maximum(0, at - reach)]


def _share(inked: np.ndarray, axis: int) -> np.ndarray:
    """The share of each row (axis 1) or column (axis 0) that is `inked` (OpenCV's sums: 2 us
    each on 192x192, NumPy's count_nonzero 8 us)."""
    sums = cv2.reduce(inked.view(np.uint8), axis, cv2.REDUCE_SUM, dtype=cv2.CV_32S)
    return sums.ravel() / inked.shape[axis]


def _lines(inked: np.ndarray) -> np.ndarray:
    """Which rows (or columns) are ruled lines, from the share of each that is `inked`: those
    inked across line_across, and one more on either side (their blurred edges)."""
    return _spread(inked >= tuned().line_across, 1)


def box_pieces(labels: np.ndarray, boxes: tuple[np.ndarray, ...], area: np.ndarray) -> np.ndarray:
    """Which pieces (`labels` over the ink's bounding box; their `boxes` x0, y0, x1, y1
    inclusive and `area`) are a box drawn around the digit (a form's box): the pieces lying
    along the edges of the ink's bounding box, when together they line each of its four
    sides for at least frame_side of its length and a piece wholly inside stands at least
    frame_inner of its height. All False otherwise."""
    none = np.zeros(len(area), dtype=bool)
    h, w = labels.shape
    band = max(2, round(tuned().frame_band * min(h, w)))
    x0, y0, x1, y1 = boxes
    inner = (x0 >= band) & (y0 >= band) & (x1 < w - band) & (y1 < h - band)
    if not (inner & (y1 - y0 + 1 >= tuned().frame_inner * h)).any():
        return none  # judged from the boxes alone, before counting pixels
    in_core = np.bincount(labels[band:-band, band:-band].ravel(), minlength=len(area) + 1)[1:]
    edge = in_core == 0
    if not edge.any():
        return none
    framed = np.concatenate([[False], edge])[labels]
    sides = (framed[:band].any(axis=0), framed[-band:].any(axis=0),
             framed[:, :band].any(axis=1), framed[:, -band:].any(axis=1))  # fmt: skip
    return edge if min(side.mean() for side in sides) >= tuned().frame_side else none


def holding_hole(
    labels: np.ndarray, boxes: tuple[np.ndarray, ...]
) -> tuple[int, tuple[int, int, int, int]] | None:
    """The piece (`labels` numbered from 1; `boxes` x0, y0, x1, y1 inclusive) that holds every
    other piece within one of its holes, every other hole too small to hold the largest of
    them (a box's inside, not one of a row of boxes, nor a box the digits touch) and the
    tallest piece in it at least frame_inner of its height; and that hole's box (left, top,
    right, bottom; right and bottom exclusive), reaching to the piece's inner edge: a cell cut
    out of a form with its box's lines, joined to its neighbours' lines beyond them. None
    where no piece does."""
    x0, y0, x1, y1 = boxes
    outer = box_around_the_rest(boxes)
    if outer is None:
        return None
    rest = np.arange(len(x0)) != outer
    piece = (labels == outer + 1).astype(np.uint8)
    contours, hierarchy = cv2.findContours(piece, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    holes = [c for c, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True) if parent >= 0]
    if not holes:
        return None
    areas = np.array([cv2.contourArea(hole) for hole in holes])
    largest = int(np.argmax(areas))
    digit = ((x1[rest] - x0[rest] + 1) * (y1[rest] - y0[rest] + 1)).max()
    if np.count_nonzero(areas >= digit) > 1:
        return None  # another hole could hold a digit: a row of boxes, or digits on the box
    left, top, wide, high = cv2.boundingRect(holes[largest])
    if (y1[rest] - y0[rest] + 1).max() < tuned().frame_inner * high:
        return None
    inside = np.zeros_like(piece)
    cv2.drawContours(inside, holes, largest, 1, cv2.FILLED)
    if not inside[(labels > 0) & (piece == 0)].all():
        return None
    return outer, (left, top, left + wide, top + high)


def box_around_the_rest(boxes: tuple[np.ndarray, ...]) -> int | None:
    """The piece (of `boxes` x0, y0, x1, y1 inclusive) whose box holds every other piece's box
    inside its edges, where there are others; None where none does."""
    x0, y0, x1, y1 = boxes
    if len(x0) < 2:
        return None
    outer = int(np.argmax((x1 - x0 + 1) * (y1 - y0 + 1)))
    rest = np.arange(len(x0)) != outer
    if x0[rest].min() <= x0[outer] or y0[rest].min() <= y0[outer]:
        return None
    if x1[rest].max() >= x1[outer] or y1[rest].max() >= y1[outer]:
        return None
    return outer


def neighbour_pieces(
    x0: np.ndarray, x1: np.ndarray, heights: np.ndarray, shape: tuple[int, ...]
) -> np.ndarray:
    """Which pieces (columns x0-x1 inclusive in the picture, `heights`) are parts of the
    neighbours of a digit cut out of a row (a house number, a meter, a form's boxes): the
    pieces touching the picture's left or right side, beside the digit (no column in common
    with it), when the digit, the tallest piece touching neither side, stands
    row_digit_height of the picture and half the tallest piece's height or more. None
    otherwise."""
    side = (x0 == 0) | (x1 == shape[1] - 1)
    if not side.any() or side.all():
        return np.zeros_like(side)
    inner = np.flatnonzero(~side)
    digit = inner[np.argmax(heights[inner])]
    if heights[digit] < max(tuned().row_digit_height * shape[0], 0.5 * heights.max()):
        return np.zeros_like(side)
    return side & ((x1 < x0[digit]) | (x0 > x1[digit]))


def paper_inside_a_box(gray: np.ndarray, band: int, border: float, contrast: float) -> float:
    """The paper's level when the picture's border is a box's lines (a form's cell cut out at
    its box; `border`: the level of the picture's outer `band` pixels): the level just inside
    the border, if it lies `contrast` or more from the border's and a line of the border's
    level runs along line_across of three of the four sides or all (a scanned cell's fourth
    rule goes with the scanner's lid cut off beside it); else `border`. (Judged from the border
    alone, the paper inside such a box was taken for ink.)"""
    h, w = gray.shape
    inner = gray[band : h - band, band : w - band]
    if inner.size == 0:
        return border
    ring = np.concatenate(
        [inner[: 2 * band].ravel(), inner[-2 * band :].ravel(),
         inner[:, : 2 * band].ravel(), inner[:, -2 * band :].ravel()]
    )  # fmt: skip
    inside = orderstats.median(ring)
    if abs(inside - border) < contrast:
        return border
    cut = (inside + border) / 2
    sides = (gray[:band], gray[-band:], gray[:, :band].T, gray[:, -band:].T)
    darker = border < inside
    lined = sum(
        ((side < cut) if darker else (side > cut)).any(axis=0).mean() >= tuned().line_across
        for side in sides
    )
    return inside if lined >= len(sides) - 1 else border  # one side may be cut off the box


def crossing_pieces(
    labels: np.ndarray, boxes: tuple[np.ndarray, ...], shape: tuple[int, ...]
) -> np.ndarray:
    """Which pieces (`labels` numbered from 1, over a window of a picture of `shape`; `boxes`
    x0, y0, x1, y1 inclusive in the picture) are not handwriting but lines or edges crossing
    the picture (`runs_off`)."""
    x0, y0, x1, y1 = boxes
    h, w = shape[:2]
    sides = (x0 == 0).astype(int) + (y0 == 0) + (x1 == w - 1) + (y1 == h - 1)
    crossing = np.zeros(len(sides), dtype=bool)
    top, left = y0.min(), x0.min()  # the window's corner in the picture
    for index in np.flatnonzero(sides >= 2):
        piece = np.zeros((h, w), dtype=bool)
        rows = slice(y0[index] - top, y1[index] - top + 1)
        cols = slice(x0[index] - left, x1[index] - left + 1)
        piece[y0[index] : y1[index] + 1, x0[index] : x1[index] + 1] = (
            labels[rows, cols] == index + 1
        )
        crossing[index] = runs_off(piece)
    return crossing


def runs_off(ink: np.ndarray) -> bool:
    """Whether `ink` (a mask over the whole picture) is lines or an edge crossing the picture
    rather than a digit: hairlines (strokes narrower than hairline of their extent) touching
    two of the picture's sides or more, or one and running line_across of its width or height
    (ruled lines, folds, a table's rules); or, what the background leaves of a desk beyond the
    paper's edge or of a shadow, a region touching the picture's sides: in a corner (two
    adjacent sides) or flat (twice as wide as high). A digit cut tight touches its picture's
    sides too, but spans it (top to bottom, or side to side with its height) in strokes."""
    h, w = ink.shape
    top, bottom, left, right = ink[0].any(), ink[-1].any(), ink[:, 0].any(), ink[:, -1].any()
    sides = int(top) + int(bottom) + int(left) + int(right)
    if sides == 0:
        return False
    rows, cols = bounds(ink)  # not None: ink touches a side
    tall, wide = (rows.stop - rows.start) / h, (cols.stop - cols.start) / w
    if sides == 2 and not (top and bottom) and not (left and right):
        return True  # a corner
    lines = (sides >= 2 or max(tall, wide) >= tuned().line_across) and _hairlines(ink)
    flat = tall * h < 0.5 * wide * w and not (top and bottom)  # twice as wide as high
    return lines or flat


def digit_shaped(widths: np.ndarray, heights: np.ndarray, extent: float) -> int:
    """How many pieces (their widths and heights) are shaped like digits of a number
    `extent` high: half as high as it or more, at most row_digit_wide times as wide as high."""
    return int(
        np.count_nonzero((heights >= 0.5 * extent) & (widths <= tuned().row_digit_wide * heights))
    )


def _hairlines(piece: np.ndarray) -> bool:
    """Whether the strokes of `piece` (a mask with ink) are narrower than hairline of its
    extent."""
    rows, cols = bounds(piece)
    extent = max(rows.stop - rows.start, cols.stop - cols.start)
    return strokes_width(piece) < tuned().hairline * extent


def strokes_width(piece: np.ndarray) -> float:
    """The strokes' width in `piece` (a mask): its area over half its outline."""
    edges = np.count_nonzero(piece[1:] != piece[:-1])
    edges += np.count_nonzero(piece[:, 1:] != piece[:, :-1])
    return 2.0 * np.count_nonzero(piece) / max(edges, 1)
