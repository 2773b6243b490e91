"""Printed form lines in a line of digits: ruled lines, boxes, and the pen across them.

Printed lines are found in the ink mask (long thin horizontal runs and, between a field's top
and bottom lines, the vertical sides of its boxes and their second, inner lines; boxes drawn
one per digit; under one line, the sides of boxes cut off with the picture's edge; a cell cut
out with its lines across the picture) and taken
out, strokes crossing a line joined again, so that `digitcli.reading.segment` sees the
handwriting alone. A comb's teeth are left in: the line reader and segmentation read a number
on a comb as well without them taken out (round 18, docs/measurements/reading-numbers.md).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from digitcli.imaging import settings as preparation
from digitcli.imaging.morphology import (
    Box,
    bounds,
    closed_along,
    dilate,
    labelled,
    max_along,
    min_along,
)
from digitcli.imaging.pieces import along_its_edges
from digitcli.reading.settings import tuned


def form_lines(mask: np.ndarray) -> np.ndarray:
    """Printed lines in `mask`: horizontal runs far longer than a digit, and the vertical sides
    of boxes that reach from a field's top line to its bottom line; a form's lines end at its
    outermost box."""
    box = bounds(mask)
    if box is None:
        return np.zeros_like(mask)
    rows, cols = box
    extent = rows.stop - rows.start
    lines, length, ends = _printed_runs(mask, extent, cols.stop - cols.start)
    if any(ends):
        lines = _outermost(lines, axis=0, ends=ends)  # a cell's lines, no bar beside them
    if not lines.any():
        return lines
    line_rows = np.flatnonzero(lines.sum(axis=1) >= length)
    if line_rows.size == 0:
        return lines  # runs that wander across rows: no level line to hang boxes from
    top, bottom = int(line_rows[0]), int(line_rows[-1])
    bands = _bands(line_rows)
    thickness = line_rows.size / max(1, len(bands))
    if bottom - top < 0.5 * extent:  # one ruled line (or one box edge): boxes hanging from it
        return lines | _hanging_sides(mask & ~lines, lines, (top, bottom), thickness)
    return lines | _box_sides(mask, lines, bands, thickness, cell=any(ends))


def _printed_runs(
    mask: np.ndarray, extent: int, width: int
) -> tuple[np.ndarray, int, tuple[bool, bool]]:
    """The level runs of `mask` (its ink `extent` high, `width` wide) long enough to be printed
    lines, that length, and whether the picture is a cell cut out with its top line, with its
    bottom line (`_cell_lines`): `printed_length` ink heights or `printed_share` of the ink's
    width; `line_across` of the picture where sides as high as the picture make the ink as
    high, in a row of boxes or a cell (the runs across, found once for both)."""
    tune = tuned()
    length = max(int(tune.printed_length * extent), int(tune.printed_share * width))
    across = int(preparation.tuned().line_across * mask.shape[1])
    if across < length:  # sides as high as the picture make the ink as high: lines across
        tall = _tall_runs(mask)
        runs = _runs(mask, across, axis=1)
        if _a_row_of_boxes(tall):
            return runs, across, (False, False)
        ends = _cell_lines(mask, runs, across, tall)
        if any(ends):
            return runs, across, ends
    return _runs(mask, length, axis=1), length, (False, False)


def _box_sides(
    mask: np.ndarray, lines: np.ndarray, bands: list[np.ndarray], thickness: float, cell: bool
) -> np.ndarray:
    """The sides of boxes between a field's top and bottom `lines` (`bands`, their rows, each
    `thickness` thick on average): straight vertical runs of the ink less the lines that reach
    from one to the other (`_spans_field`; a double line's inner band, `_inner_edges`; a cell's
    two outermost alone, a 1 between them stays), and a double-lined box's inner lines
    (`_inner_lines`); none where the lines run on past the outermost of them (ruled paper:
    `_lines_run_past`)."""
    top, bottom = int(bands[0][0]), int(bands[-1][-1])
    reach = int(thickness) + (bottom - top) // tuned().reach_per
    inner = _inner_edges(bands, reach)
    sides = _reaching(
        mask & ~lines, bottom - top, lambda found: _spans_field(found, lines, *inner, reach)
    )
    if cell:
        sides = _outermost(sides, axis=1, ends=(True, True))  # a 1 between them stays
    if not sides.any() or _lines_run_past(lines, sides, bottom - top):
        return np.zeros_like(mask)  # no box, or ruled paper: strokes past its "sides"
    field = (int(bands[0][-1]) + 1, int(bands[-1][0]))  # within the top and bottom lines
    return sides | _inner_lines(mask, lines | sides, field, reach, thickness)


def _inner_edges(bands: list[np.ndarray], reach: int) -> tuple[int, int]:
    """The rows a box's sides reach from and to: the top line's first row and the bottom
    line's last, or, where a line is double (a second band within `reach` inside it), its
    inner band's: a score card's side stopped at the inner of its double bottom line."""
    first, last = 0, len(bands) - 1
    while first + 1 < last and bands[first + 1][0] - bands[first][-1] <= reach:
        first += 1
    while last - 1 > first and bands[last][0] - bands[last - 1][-1] <= reach:
        last -= 1
    return int(bands[first][0]), int(bands[last][-1])


def _reaching(mask: np.ndarray, span: int, reaches: Callable[[Box], bool]) -> np.ndarray:
    """The straight vertical runs of `mask` `frame_side` of `span` long or more whose box (their
    rows and columns) `reaches` takes for a box's side reaching its lines; the rest are
    handwriting."""
    sides = _runs(mask, int(preparation.tuned().frame_side * span), axis=0)
    labels, boxes = labelled(sides, connectivity=4)
    for index, found in enumerate(boxes, start=1):
        if not reaches(found):
            sides[found][labels[found] == index] = False
    return sides


def _tall_runs(mask: np.ndarray) -> tuple[np.ndarray, list[Box]]:
    """The straight vertical runs of `mask` `frame_side` of its height long or more (a box's
    or a cell's sides, where they are), and the box of each."""
    sides = _runs(mask, int(preparation.tuned().frame_side * mask.shape[0]), axis=0)
    _, found = labelled(sides, connectivity=4)
    return sides, found


def _a_row_of_boxes(tall: tuple[np.ndarray, list[Box]]) -> bool:
    """Whether the picture holds boxes side by side cut off by its edge: two of its `tall`
    runs (`_tall_runs`) from its top or bottom row that stop short of the other, at their
    line (a cell's sides run from edge to edge). Their line, less than two ink heights long
    in a narrow field, is printed where it runs across the picture (`line_across`)."""
    sides, found = tall
    height = sides.shape[0]
    hanging = [rows for rows, _ in found if (rows.start == 0) != (rows.stop == height)]
    return len(hanging) >= 2


def _cell_lines(
    mask: np.ndarray, runs: np.ndarray, across: int, tall: tuple[np.ndarray, list[Box]]
) -> tuple[bool, bool]:
    """Whether `mask` holds a cell cut out with its top line, with its bottom line: level runs
    across the picture (`runs`, `across` long) in its outer bands, beyond the middle
    `frame_side` of its height that a cell's sides run (a 7's bar across a cell stands between
    them). A cell with one such line has two of its `tall` runs (`_tall_runs`) beside it and
    no ink but the line beyond them by more than `run_past` of its height (its sides, its
    other line cut off; a straight smear in a clinic cell's middle, its number beyond it, is
    none). A line across that a cell's side crosses is the cell's wherever it stands
    (`_crossed_by_a_side`)."""
    rows = np.flatnonzero(runs.sum(axis=1) >= across)
    height, middle = mask.shape[0], preparation.tuned().frame_side * mask.shape[0]
    if rows.size == 0:
        return False, False
    top, bottom = rows[0] < (height - middle) / 2, rows[-1] >= (height + middle) / 2
    crossed = _crossed_by_a_side(mask, runs, rows, tall)
    if any(crossed):
        return top or crossed[0], bottom or crossed[1]
    if top == bottom:
        return top, bottom
    sides, found = tall
    if len(found) < 2:
        return False, False
    ink_cols = np.flatnonzero((mask & ~runs).any(axis=0))
    side_cols, reach = np.flatnonzero(sides.any(axis=0)), tuned().run_past * height
    beside = ink_cols[0] >= side_cols[0] - reach and ink_cols[-1] <= side_cols[-1] + reach
    return bool(top and beside), bool(bottom and beside)


def _crossed_by_a_side(
    mask: np.ndarray, runs: np.ndarray, rows: np.ndarray, tall: tuple[np.ndarray, list[Box]]
) -> tuple[bool, bool]:
    """Whether a band of `rows` (`runs`, level runs across the picture) above the picture's
    middle, and one below it, is a cell's line that its side crosses (`_a_side_crosses`): a
    crop taller and wider than its cell, its lines inside the picture, its sides running on
    to the next cell's, its lines into the next cells. A band that strokes cross is none
    (`_strokes_cross`)."""
    sides, found = tall
    writing = mask & ~runs & ~sides
    crossed = [False, False]
    for band in _bands(rows):
        level = runs[band[0] : band[-1] + 1].any(axis=0)
        if not _strokes_cross(writing, band) and _a_side_crosses(found, band, level):
            crossed[int(band.mean() >= mask.shape[0] / 2)] = True
    return crossed[0], crossed[1]


def _strokes_cross(writing: np.ndarray, band: np.ndarray) -> bool:
    """Whether strokes of `writing` cross the band (its rows): ink just above and just below
    it (past the pixel a run may wander), along over half the shorter of the two (a faint
    mask's band across a clinic cell's digits, `230`; not where a digit touches a line)."""
    above = writing[max(0, band[0] - 2)]
    below = writing[min(writing.shape[0] - 1, band[-1] + 2)]
    return np.count_nonzero(above & below) > 0.5 * min(above.sum(), below.sum())


def _a_side_crosses(found: list[Box], band: np.ndarray, level: np.ndarray) -> bool:
    """Whether one of the tall runs `found` outside the middle `frame_side` of the picture's
    width (a cell's side; a 4's stem crosses its bar nearer the middle) crosses the band
    (its rows; `level`, the columns its runs cover): the run goes on past the band above and
    below it, and the band past the run left and right of it (a 7's bar from side to side
    ends at them)."""
    width = level.size
    margin = (1 - preparation.tuned().frame_side) * width / 2
    for rows, cols in found:
        centre = (cols.start + cols.stop) / 2
        outside = centre <= margin or centre >= width - margin
        through = rows.start < band[0] and rows.stop > band[-1] + 1
        if (
            outside
            and through
            and level[max(0, cols.start - 2)]
            and level[min(width - 1, cols.stop + 1)]
        ):
            return True
    return False


def _outermost(found: np.ndarray, axis: int, ends: tuple[bool, bool]) -> np.ndarray:
    """`found` in its first band of rows (`axis` 0) or of columns (1), its last, or both
    (`ends`), alone."""
    bands = _bands(np.flatnonzero(found.any(axis=1 - axis)))
    keep = np.zeros(found.shape[axis], bool)
    if bands:
        keep[bands[0]] |= ends[0]
        keep[bands[-1]] |= ends[1]
    return found & (keep[:, None] if axis == 0 else keep[None, :])


def _hanging_sides(
    mask: np.ndarray, lines: np.ndarray, line: tuple[int, int], thickness: float
) -> np.ndarray:
    """The sides of boxes hanging from one ruled line (its rows `line`) to the picture's edge
    beyond the writing, their other line cut off with the picture (a form's field cut out
    below its top line): straight vertical runs of `mask` (the ink less `lines`) reaching
    from the line to that edge, where the line ends at the outermost of them (running on past
    them, it is ruled paper, and a 1 standing on it no side), as a mask."""
    height = mask.shape[0]
    top, bottom = (0, line[0]) if line[0] > height / 2 else (line[1], height - 1)
    span = bottom - top
    reach = int(thickness) + span // tuned().reach_per
    sides = _reaching(
        mask, span, lambda found: found[0].start <= top + reach and found[0].stop > bottom - reach
    )
    if sides.any() and _lines_run_past(lines, sides, span):
        return np.zeros_like(mask)
    return sides


def _inner_lines(
    mask: np.ndarray, lines: np.ndarray, field: tuple[int, int], reach: int, thickness: float
) -> np.ndarray:
    """A boxed field's second lines: level runs of `mask` outside `lines` along `inner_span` of
    the field's height or more, within twice `reach` inside its top or bottom line (`field`:
    the rows between them), as thin as those and with paper above and below along most of
    their length (a double-lined box's inner line; a pen's stroke along the line is thicker,
    or it touches the line)."""
    top, bottom = field
    near = np.zeros(mask.shape[0], bool)
    near[top + 1 : top + 2 * reach + 1] = True
    near[max(0, bottom - 2 * reach) : bottom - 1] = True
    tune = tuned()
    length = int(tune.inner_span * (bottom - top))
    runs = _runs(mask & ~lines & near[:, None], length, axis=1)
    labels, boxes = labelled(runs)
    for index, (rows, cols) in enumerate(boxes, start=1):
        piece = labels[rows, cols] == index
        above = mask[max(0, rows.start - 1), cols].mean()
        below = mask[min(mask.shape[0] - 1, rows.stop), cols].mean()
        if piece.sum() / piece.shape[1] > thickness + 1 or max(above, below) > 0.5:
            runs[rows, cols][piece] = False
    return runs


def _spans_field(
    found: tuple[slice, slice], lines: np.ndarray, top: int, bottom: int, reach: int
) -> bool:
    """Whether a vertical run (`found`, its rows and columns) reaches from the field's `top`
    line to its `bottom` one, within `reach`: at one end at least, and at the other too unless
    that line is missing above (below) it, cut off by the picture's edge."""
    rows, cols = found
    at_top, at_bottom = rows.start <= top + reach, rows.stop - 1 >= bottom - reach
    no_top = not lines[max(0, top - reach) : top + reach + 1, cols].any()
    no_bottom = not lines[max(0, bottom - reach) : bottom + reach + 1, cols].any()
    return (at_top and (at_bottom or no_bottom)) or (at_bottom and no_top)


def _lines_run_past(lines: np.ndarray, sides: np.ndarray, height: int) -> bool:
    """Whether the ruled `lines` run on past the outermost `sides` at both ends, by more than
    `run_past` of the lines' `height` apart: a form's box ends where its lines do."""
    line_cols, side_cols = np.flatnonzero(lines.any(axis=0)), np.flatnonzero(sides.any(axis=0))
    reach = tuned().run_past * height
    return line_cols[0] < side_cols[0] - reach and line_cols[-1] > side_cols[-1] + reach


def _bands(rows: np.ndarray) -> list[np.ndarray]:
    """The runs of consecutive numbers in the sorted `rows`."""
    return np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1) if rows.size else []


def digit_frames(mask: np.ndarray) -> np.ndarray:
    """Printed boxes drawn one per digit: pieces of ink whose four sides are straight bands
    that run their whole length (a 0's round sides cover far less of a band), as a mask of
    those bands. A digit touching its box is left whole but for where it crosses a side."""
    tune, prep = tuned(), preparation.tuned()
    labels, boxes = labelled(mask)
    rows, _ = bounds(mask)  # not None: `segment` looks for frames in a mask with ink
    extent = rows.stop - rows.start
    frames = np.zeros_like(mask)
    for index, found in enumerate(boxes, start=1):
        piece = labels[found] == index
        h, w = piece.shape
        if h < 0.5 * extent or w < tune.frame_least_width * h:
            continue
        band = max(2, round(prep.frame_band * h))
        sides = (piece[:band].any(0), piece[-band:].any(0), piece[:, :band].any(1))
        sides += (piece[:, -band:].any(1),)
        if min(side.mean() for side in sides) < prep.line_across:
            continue
        edge = np.zeros_like(piece)
        edge[:band], edge[-band:], edge[:, :band], edge[:, -band:] = True, True, True, True
        frames[found] |= piece & edge
    return frames


def _runs(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Pixels of `mask` in straight runs of at least `length` along `axis`, allowing the run to
    wander one pixel across (a line is never exactly level): a morphological opening. A run
    is a pixel long at least."""
    length, across = max(1, length), 1 - axis
    grown = max_along(np.ascontiguousarray(mask).view(np.uint8), 3, across)
    opened = max_along(min_along(grown, length, axis), length, axis)
    return mask & (opened > 0)


def over_ruled_lines(flat: np.ndarray, mask: np.ndarray, lines: np.ndarray) -> np.ndarray | None:
    """Where a pen darker than ruled paper's lines runs along one (a 7's bar on the line):
    the ink of the rows such lines cross the picture in (line_across of its width) and of
    their edges, brighter in `flat` (ink bright) than halfway from the lines' level to the
    pen's (a pen running along a ruled line is kept); None without such lines, or where the
    pen is not the preparation's min_contrast darker."""
    across = lines.mean(axis=1) >= preparation.tuned().line_across
    if not across.any():
        return None
    rows = np.zeros_like(lines)
    rows[across] = True
    band = dilate(rows, 1)
    off = mask & ~band
    if not off.any():
        return None
    inked = rows & lines & mask  # not a dashed line's gaps
    if not inked.any():
        return None
    pen = float(np.percentile(flat[off], tuned().pen_percentile))
    on_lines = float(np.median(flat[inked]))
    if pen - on_lines < preparation.tuned().min_contrast:
        return None
    return band & mask & (flat > (on_lines + pen) / 2)


def without_lines(mask: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """`mask` without its printed lines, where strokes crossing a line are joined again."""
    if not lines.any():
        return mask
    lines = dilate(lines, 1)  # and their edges
    rest = mask & ~lines
    gap = tuned().bridge
    bridge = closed_along(rest, gap, axis=0) | closed_along(rest, gap, axis=1)
    return rest | (bridge & lines)


def across_the_band(mask: np.ndarray) -> np.ndarray:
    """The pieces of `mask` running from its top row to its bottom row: in a band of rows cut
    out of a taller picture around one line of digits, with a margin above and below it
    (`multiline`), a line crossing the picture (a cell's side, a scanner's lid's edge), not a
    digit, which lies within the margins."""
    labels, boxes = labelled(mask)
    if not boxes:
        return np.zeros_like(mask)
    through = np.intersect1d(labels[0], labels[-1])
    return np.isin(labels, through[through > 0])


def cell_sides(mask: np.ndarray) -> np.ndarray:
    """A cell's sides, cut out with it: the pieces of `mask` running the preparation's
    `line_across` of its height or more, as a ruled line runs across a picture, as straight
    lines (`pieces.along_its_edges`). Two sides are each as tall as the other: `form_rules`,
    measuring each against the tallest other piece, kept them, and they were read as 1s."""
    sides = np.zeros_like(mask)
    labels, boxes = labelled(mask)
    tall = preparation.tuned().line_across * mask.shape[0]
    for index, found in enumerate(boxes, start=1):
        piece = labels[found] == index
        if found[0].stop - found[0].start >= tall and along_its_edges(piece):
            sides[found] |= piece
    return sides


def taller_than_the_rest(sides: np.ndarray, rest: np.ndarray) -> bool:
    """Whether `sides` (`cell_sides`, the picture's height) are more than the preparation's
    `row_digit_wide` times as tall as the tallest piece of `rest` (False: no rest)."""
    _, found = labelled(rest)
    tallest = max((rows.stop - rows.start for rows, _ in found), default=0)
    return 0 < preparation.tuned().row_digit_wide * tallest < sides.shape[0]
