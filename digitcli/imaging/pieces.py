"""Which connected pieces of ink make up the digit, and how many digits stand side by side.

Thresholded ink holds specks, lines crossing the paper, a box drawn around the digit and parts
of its neighbours; `digit_components` keeps the digit's own pieces (`digitcli.imaging.clutter`
says what the rest are), and counts separate digit-sized groups, so that a picture of a whole
number is told from one digit.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import cv2
import numpy as np

from digitcli.imaging import clutter
from digitcli.imaging.morphology import Box, bounds, shifted
from digitcli.imaging.settings import tuned


def digit_components(
    mask: np.ndarray, *, on_paper: bool = True
) -> tuple[np.ndarray, Box, int] | None:
    """The 8-connected pieces of `mask` that make up the digit, as a mask, with their
    bounding box, and how many separate digit-sized groups they form (`_groups`); None if
    no piece does.

    Keeps the largest piece, then, largest first, each piece that is big (>= 30% of the
    largest) or not tiny (>= 2%) and near the pieces kept so far; isolated specks are dropped,
    and so are a box drawn around the digit and the parts of its neighbours in a row
    (`digitcli.imaging.clutter`), and, `on_paper` (not a small scan, which its digit may fill),
    the lines and edges that cross the picture (`clutter.crossing_pieces`).
    """
    window = bounds(mask)
    if window is None:
        return None
    count, labels, stats = _components(mask[window])  # in the ink's box: 3x faster
    x0, y0, x1, y1 = _corners(stats)
    area = stats[:, cv2.CC_STAT_AREA]
    order = np.argsort(-area, kind="stable")
    if on_paper:
        boxes = (x0 + window[1].start, y0 + window[0].start, x1 + window[1].start,
                 y1 + window[0].start)  # fmt: skip
        order = order[~clutter.crossing_pieces(labels, boxes, mask.shape)[order]]
        if order.size == 0:
            return None
    if count > 1:  # 985 of the 1,000 photo files' digits are one piece
        order = order[~clutter.box_pieces(labels, (x0, y0, x1, y1), area)[order]]
        fills_height = window[0].start == 0 and window[0].stop == mask.shape[0]
        if not fills_height:  # a digit stretched to fill its box has no neighbours
            left = window[1].start
            neighbours = clutter.neighbour_pieces(x0 + left, x1 + left, y1 - y0 + 1, mask.shape)
            order = order[~neighbours[order]]
    main = order[0]
    largest = area[main]
    keep = np.zeros(count, dtype=bool)
    keep[main] = True
    box = [y0[main], x0[main], y1[main], x1[main]]
    candidates = [int(c) for c in order[1:] if area[c] >= tuned().speck_area * largest]
    changed = True
    while changed:
        changed = False
        reach = 0.5 * max(box[2] - box[0] + 1, box[3] - box[1] + 1)
        for c in candidates:
            if keep[c]:
                continue
            gap = max(y0[c] - box[2], box[0] - y1[c], x0[c] - box[3], box[1] - x1[c], 0)
            if area[c] >= tuned().near_area * largest or gap <= reach:
                keep[c] = changed = True
                box = [
                    min(box[0], y0[c]),
                    min(box[1], x0[c]),
                    max(box[2], y1[c]),
                    max(box[3], x1[c]),
                ]
    h, w = mask.shape
    size = max(box[2] - box[0], box[3] - box[1]) + 1
    if size < 2:
        return None  # a speck, not a digit
    counted = _counted(labels, (x0, y0, x1, y1), keep)
    groups = _groups(np.stack([y0, x0, y1, x1], axis=1)[counted], area[counted])
    ink_box = shifted((slice(box[0], box[2] + 1), slice(box[1], box[3] + 1)), window)
    if keep.all():
        return mask, ink_box, groups
    kept = np.zeros_like(mask)
    kept[window] = np.concatenate([[False], keep])[labels]
    return kept, ink_box, groups


def group_count(mask: np.ndarray) -> int:
    """How many separate digit-sized groups the pieces of `mask` (the digit's ink, kept by
    `digit_components`, its faint strokes joined) form (`_groups`)."""
    pieces = _digit_pieces(mask)
    if pieces is None:
        return 0
    boxes, area = pieces
    return _groups(boxes, area)


def in_one_row(mask: np.ndarray) -> bool:
    """Whether the pieces of `mask` counted as digits (`_groups`' big ones, a form's rules
    left out) stand in one row: their rows overlap into one band, as a number's digits do
    and a page's lines do not."""
    pieces = _digit_pieces(mask)
    if pieces is None:
        return False
    boxes, area = pieces
    big = boxes[area >= tuned().big_piece * area.max()]
    big = big[np.argsort(big[:, 0], kind="stable")]  # (y0, x0, y1, x1), top to bottom
    reach = big[0, 2]
    for top, bottom in big[1:, [0, 2]]:
        if top > reach:
            return False
        reach = max(reach, bottom)
    return True


def crossing(mask: np.ndarray) -> np.ndarray:
    """The pixels of `mask` in lines and edges crossing the picture (`clutter.crossing_pieces`:
    a rule in a corner, a desk's edge), which `digit_components` leaves out on paper."""
    found = np.zeros_like(mask, dtype=bool)
    pieces = _windowed_pieces(mask)
    if pieces is None:
        return found
    window, labels, (x0, y0, x1, y1) = pieces
    top, left = window[0].start, window[1].start
    boxes = (x0 + left, y0 + top, x1 + left, y1 + top)
    across = clutter.crossing_pieces(labels, boxes, mask.shape)
    found[window] = np.isin(labels, 1 + np.flatnonzero(across))
    return found


def may_be_boxed(mask: np.ndarray) -> bool:
    """Whether one piece of `mask` has the others within its box (`clutter.box_around_the_rest`):
    the cheap first test of `inside_a_box`."""
    pieces = _windowed_pieces(mask)
    return pieces is not None and clutter.box_around_the_rest(pieces[2]) is not None


def inside_a_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """The box (left, top, right, bottom; right and bottom exclusive) inside a box drawn or
    printed around all the other ink of `mask` (`clutter.holding_hole`), or None."""
    pieces = _windowed_pieces(mask)
    found = None if pieces is None else clutter.holding_hole(*pieces[1:])
    if found is None:
        return None
    left, top, right, bottom = found[1]
    rows, cols = pieces[0]
    return left + cols.start, top + rows.start, right + cols.start, bottom + rows.start


def form_rules(mask: np.ndarray) -> np.ndarray:
    """The pixels of `mask` in a form's rules (`_form_rules`: a cell's sides, a line under a
    field), which the count of digits leaves out: `read` leaves them out of its line too."""
    rules = np.zeros_like(mask, dtype=bool)
    pieces = _windowed_pieces(mask)
    if pieces is None:
        return rules
    window, labels, boxes = pieces
    found = _form_rules(labels, boxes)
    if found.any() and not found.all():  # all of them: nothing else (a dash alone)
        rules[window] = np.isin(labels, 1 + np.flatnonzero(found))
    return rules


def _digit_pieces(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The pieces of `mask` the count of digits takes (a form's rules left out, `_counted`):
    their boxes (y0, x0, y1, x1 rows) and areas; None for a mask without ink."""
    window = bounds(mask)
    if window is None:
        return None
    _, labels, stats = _components(mask[window])
    x0, y0, x1, y1 = _corners(stats)
    area = stats[:, cv2.CC_STAT_AREA]
    counted = _counted(labels, (x0, y0, x1, y1), np.ones(area.size, dtype=bool))
    return np.stack([y0, x0, y1, x1], axis=1)[counted], area[counted]


def _counted(labels: np.ndarray, boxes: tuple[np.ndarray, ...], among: np.ndarray) -> np.ndarray:
    """Which pieces of `among` (a mask over the pieces) the count of digits takes: all but a
    form's rules (`_form_rules`), or all of them where they are nothing else (a dash alone)."""
    counted = among & ~_form_rules(labels, boxes)
    return counted if counted.any() else among


def _form_rules(labels: np.ndarray, boxes: tuple[np.ndarray, ...]) -> np.ndarray:
    """Which pieces (`labels` numbered from 1; `boxes` x0, y0, x1, y1 inclusive, in the labels'
    frame) are a form's rules, not digits, to the count of digits: a cell's sides, a line
    under a field, lying along their box's edges (none of their pixels further than 2 px from
    them, as a form's box lies along the ink's) and more than `row_digit_wide` times as
    long as the tallest other piece is high (longer than a digit is wide).
    `read` takes such rules out before it segments (`reading.formlines`)."""
    x0, y0, x1, y1 = boxes
    heights, longest = y1 - y0 + 1, np.maximum(x1 - x0, y1 - y0) + 1
    rules = np.zeros(len(x0), dtype=bool)
    for index in np.argsort(-longest, kind="stable"):
        others = heights[~rules]
        others = others[np.flatnonzero(~rules) != index]
        if others.size == 0 or longest[index] <= tuned().row_digit_wide * others.max():
            break
        piece = labels[y0[index] : y1[index] + 1, x0[index] : x1[index] + 1] == index + 1
        rules[index] = along_its_edges(piece)
    return rules


def along_its_edges(piece: np.ndarray) -> bool:
    """Whether a piece (a mask cut to its box) lies along its box's edges, as a printed line
    does: none of its pixels 2 px or more inside the box."""
    return not piece[2:-2, 2:-2].any()


def _windowed_pieces(
    mask: np.ndarray,
) -> tuple[tuple[slice, slice], np.ndarray, tuple[np.ndarray, ...]] | None:
    """The 8-connected pieces of `mask`, labelled within its ink's box (3x faster than over
    the whole mask): that window, the labels (numbered from 1) and each piece's box (x0, y0,
    x1, y1 inclusive, in the window's frame); None for a mask without ink."""
    window = bounds(mask)
    if window is None:
        return None
    _, labels, stats = _components(mask[window])
    return window, labels, _corners(stats)


def _corners(stats: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each piece's box from OpenCV's `stats`: left, top, right and bottom, inclusive."""
    x0, y0 = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    return x0, y0, x0 + stats[:, cv2.CC_STAT_WIDTH] - 1, y0 + stats[:, cv2.CC_STAT_HEIGHT] - 1


def _height(group: list[float]) -> float:
    """A group's height: [x0, x1, y0, y1], inclusive."""
    x0, x1, y0, y1 = group
    return y1 - y0 + 1


def only_side_by_side(mask: np.ndarray) -> bool:
    """Whether the digits `mask`'s pieces are counted as (`_groups`, more than one) are pieces
    side by side with no gap between them (`_side_by_side`): a "10" written close, or one digit
    written in two strokes (a 4's two strokes apart), which `images._counted` asks the count
    and letters networks about."""
    pieces = _digit_pieces(mask)
    if pieces is None:
        return False
    boxes, area = pieces
    return _groups(boxes, area, side_by_side=False) == 1 < _groups(boxes, area)


def _groups(boxes: np.ndarray, area: np.ndarray, *, side_by_side: bool = True) -> int:
    """How many digits stand side by side, apart: pieces (boxes y0, x0, y1, x1 inclusive) of
    at least 15% of the largest's ink are grouped unless a gap of 0.3 of a digit's height
    parts them;
    groups at least half as tall as the tallest, on one line, with clear gaps, are digits.
    One digit in pieces (a 5's flag, a 4's two strokes) stays one group. `side_by_side`:
    pieces of one group are counted as `_side_by_side` counts them (else one group is one)."""
    big = boxes[area >= tuned().big_piece * area.max()]
    if len(big) < 2:
        return 1
    tall = float((big[:, 2] - big[:, 0]).max() + 1)
    groups: list[list[float]] = []  # [x0, x1, y0, y1]
    for y0, x0, y1, x1 in big[np.argsort(big[:, 1], kind="stable")]:
        if groups and x0 - groups[-1][1] < tuned().group_gap * tall:
            last = groups[-1]
            last[1], last[2], last[3] = max(last[1], x1), min(last[2], y0), max(last[3], y1)
        else:
            groups.append([x0, x1, y0, y1])
    digits = [g for g in groups if _height(g) >= 0.5 * tall]
    extent = float(big[:, 2].max() - big[:, 0].min() + 1)
    shaped = clutter.digit_shaped(big[:, 3] - big[:, 1] + 1, big[:, 2] - big[:, 0] + 1, extent)
    if shaped >= tuned().row_digits:  # a number, on a slant or in an uneven hand too
        return max(shaped, len(digits))
    if len(digits) < 2:
        return _side_by_side(big, tall) if side_by_side else 1
    centres = [(g[2] + g[3]) / 2 for g in digits]
    return len(digits) if max(centres) - min(centres) < 0.5 * tall else 1


def _side_by_side(big: np.ndarray, tall: float) -> int:
    """How many digits written close together (gaps under 0.3 of their height) stand side by
    side: pieces at least half as tall as the tallest, their columns apart (overlapping by
    less than 0.15 of its height, a slant) and each two neighbours `apart`, on one line; 1
    otherwise. Pieces: `_groups`' `big`."""
    upright = big[big[:, 2] - big[:, 0] + 1 >= 0.5 * tall]
    columns: list[list[float]] = []  # [x0, x1, y0, y1]
    for y0, x0, y1, x1 in upright[np.argsort(upright[:, 1], kind="stable")]:
        if columns and x0 < columns[-1][1] - tuned().column_overlap * tall:
            last = columns[-1]
            last[1], last[2], last[3] = max(last[1], x1), min(last[2], y0), max(last[3], y1)
        else:
            columns.append([x0, x1, y0, y1])
    if len(columns) < 2:
        return 1
    boxes = [(x0, y0, x1, y1) for x0, x1, y0, y1 in columns]
    if not all(apart(a, b) for a, b in pairwise(boxes)):
        return 1
    centres = [(c[2] + c[3]) / 2 for c in columns]
    return len(columns) if max(centres) - min(centres) < 0.5 * tall else 1


def apart(left: Sequence[float], right: Sequence[float]) -> bool:
    """Whether two separate pieces of ink next to each other (boxes left, top, right,
    bottom, `left` the leftmost) are two digits: sharing less than `side_by_side` of the
    narrower's width, whatever their heights. A "1" written beside a "0" is as wide as one
    digit, yet two. The one rule `predict`'s count of digits (`_side_by_side`) and `read`'s
    segmentation (`reading.atoms`) take."""
    (x0, _, x1, _), (u0, _, u1, _) = left, right
    return bool(x1 - u0 < tuned().side_by_side * min(x1 - x0, u1 - u0))


def _components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """The 8-connected pieces of `mask`: how many, a label image (0 outside them, piece i at
    i + 1, numbered in the order their first pixels come in rows) and each piece's
    (left, top, width, height, area). OpenCV's labelling (Wu's algorithm: the same labels as
    scipy.ndimage.label, which is slow to import): faster than NumPy, and run in the ink's
    box only (see digit_components)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        np.ascontiguousarray(mask).view(np.uint8), 8, cv2.CV_32S, cv2.CCL_WU
    )
    return count - 1, labels, stats[1:]
