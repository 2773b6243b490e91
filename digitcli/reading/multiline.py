"""Several lines of digits in one image (a form with several fields): where each line lies.

`read` reads one number per line: the image is cut into horizontal bands of ink separated by
rows of bare paper, and each band is segmented as a line of its own (`digitcli.reading.segment`), so
that two numbers written one above the other are never read as one number.

A band is a line as `ink.ink_lines` says (at least `line_share` as high as the highest): a
thinner one (a ruled line under a field, a speck) belongs to the line nearest it. Each line's
picture reaches halfway into the paper between it and its neighbours, a lone line's
`line_margin` of its height above and below it: a digit lies within its band, and what runs
across a band from its top to its bottom (a cell's side, a scanner's lid) is no digit
(`segment.find_line`'s `band`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PIL import Image

from digitcli.imaging.opening import cropped
from digitcli.imaging.pieces import crossing, inside_a_box, may_be_boxed
from digitcli.reading.formlines import form_lines
from digitcli.reading.ink import ink_lines
from digitcli.reading.segment import Line, ink_signal
from digitcli.reading.settings import tuned


class FindLine(Protocol):
    """Segmentation of one line's picture (`segment.find_line`); `band`: a band of rows cut
    out of a taller picture around the line."""

    def __call__(self, image: Image.Image, *, band: bool = False) -> Line: ...


def line_spans(
    image: Image.Image, invert: str = "auto", mask: np.ndarray | None = None
) -> list[tuple[int, int]]:
    """The rows [top, bottom) of each line of digits in an "L" image, top to bottom, in its
    own pixels: of a lone line, its rows and `line_margin` of its height around them (unless
    that keeps `crop_keeps` of the image or more); the whole image when there is no line.
    Bands are looked for on a small copy (only rows matter); a lone line is read from its rows,
    not the whole picture, because segmentation scales what it reads to a fixed height
    (`frame.work_image`), and a number in the middle of a sheet shrank with it. `mask`: that
    copy's ink (`rows_ink`), where found already."""
    small = _rows_copy(image)
    scale = small.height / image.height
    mask = rows_ink(image, invert) if mask is None else mask
    # A band of a cell's rule or a desk's edge alone is no line: the bands are those of the ink
    # without what crosses the picture, as predict's ink leaves it out, where they are no more
    # (where they are more, a cell's side ran down beside the lines and held them together;
    # where as many, the sides made one band of every row: `min` keeps the first of a tie).
    lines = min(_uncrossed_lines(mask), ink_lines(mask), key=len)
    if not lines:
        return [(0, image.height)]
    if len(lines) == 1:
        top, bottom = _with_margin(*lines[0], scale, image.size)
        kept = bottom - top > tuned().crop_keeps * image.height
        return [(0, image.height) if kept else (top, bottom)]
    cuts = [(a[1] + b[0]) / 2 for a, b in zip(lines, lines[1:], strict=False)]
    edges = [0, *(round(cut / scale) for cut in cuts), image.height]
    return list(zip(edges, edges[1:], strict=False))


def _uncrossed_lines(mask: np.ndarray) -> list[tuple[int, int]]:
    """The bands of `mask` without what crosses the picture (`pieces.crossing`: a rule, a desk's
    edge, a cell's side); where those are no writing, those found with the printed lines taken
    out first (`formlines.form_lines`) that stay inside the picture. Digits written on a rule
    touch it: one piece with it, they went with it, and the band left was the ends of the
    strokes of the line above, cut by the crop, or the dots of the rule above."""
    across = crossing(mask)
    left = mask & ~across
    found = ink_lines(left)
    if not across.any() or not found or _writing(found, left, mask):
        return found  # (where none is left, the whole picture is read)
    rest = mask & ~form_lines(mask)
    within = [band for band in ink_lines(rest & ~crossing(rest)) if not _cut_off(band, len(mask))]
    return within or found


def _writing(bands: list[tuple[int, int]], left: np.ndarray, mask: np.ndarray) -> bool:
    """Whether `bands` of the ink `left` of `mask` may be writing: not where each runs off the
    picture's top or bottom, nor where they hold less than `line_ink` of all of its ink
    (specks)."""
    if all(_cut_off(band, len(mask)) for band in bands):
        return False
    held = sum(int(np.count_nonzero(left[top:bottom])) for top, bottom in bands)
    return held >= tuned().line_ink * np.count_nonzero(mask)


def _cut_off(band: tuple[int, int], height: int) -> bool:
    """Whether the band of rows runs off a picture `height` rows high, above or below."""
    return band[0] == 0 or band[1] == height


def rows_ink(image: Image.Image, invert: str = "auto") -> np.ndarray:
    """The ink of the copy of `image` the lines are looked for on (at most find_width wide and
    find_height high: only rows matter there), a shadow's edge kept sharp."""
    return ink_signal(_rows_copy(image), invert, finest=True)[1]


def _rows_copy(image: Image.Image) -> Image.Image:
    size = (min(image.width, tuned().find_width), min(image.height, tuned().find_height))
    return image.resize(size, Image.Resampling.BOX) if size != image.size else image


def _with_margin(top: int, bottom: int, scale: float, size: tuple[int, int]) -> tuple[int, int]:
    """Rows [top, bottom) of the copy scaled by `scale`, and `line_margin` of their height above
    and below, as rows of the image of `size`; never wider than a work image (what segmentation
    would shrink to fit `work_width`, it would find too small to read)."""
    tune = tuned()
    width, height = size
    middle, half = (top + bottom) / 2 / scale, (0.5 + tune.line_margin) * (bottom - top) / scale
    half = max(half, 0.5 * width * tune.work_height / tune.work_width)
    return max(0, round(middle - half)), min(height, round(middle + half))


def shifted(line: Line, dx: int, dy: int) -> Line:
    """The line with its candidates' boxes, and those it will draw, moved by (dx, dy) pixels."""
    for candidate in line.candidates:
        candidate.box = _moved_box(candidate.box, dx, dy)
    if line.ink is not None:
        line.ink.frame.left += dx
        line.ink.frame.top += dy
    return line


@dataclass
class Lines:
    """Several lines found in one image, top to bottom, each with the rows it was read from
    (input pixels: left, top, right, bottom)."""

    lines: list[Line]
    spans: list[tuple[int, int, int, int]]


def each_line(found: Line | Lines) -> list[Line]:
    """The lines of what `find_lines` found: the one line, or each of several."""
    return found.lines if isinstance(found, Lines) else [found]


def find_lines(image: Image.Image, find: FindLine, invert: str = "auto") -> Line | Lines:
    """`find` (segmentation) of the image's one line, or of each of its lines; within the box
    drawn or printed around all its ink, where there is one (`inside_a_box`: a form's cell
    cut out with its box, whose sides were read as 1s)."""
    mask = rows_ink(image, invert)
    boxed = _inside_a_box(image, invert) if may_be_boxed(mask) else None
    if boxed is None:
        return _found(image, line_spans(image, invert, mask), find)
    part, dx, dy = boxed
    return moved(_found(part, line_spans(part, invert), find), dx, dy)


def _inside_a_box(image: Image.Image, invert: str) -> tuple[Image.Image, int, int] | None:
    """The part of `image` inside a box around all its ink (`pieces.inside_a_box`, found on a
    copy find_height long: a comb's thin teeth stay), as `cropped` gives it, or None."""
    scale = min(1.0, tuned().find_height / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    small = image.resize(size, Image.Resampling.BOX) if scale < 1.0 else image
    box = inside_a_box(ink_signal(small, invert, finest=True)[1])
    if box is None:
        return None
    sx, sy = image.width / small.width, image.height / small.height
    left, top, right, bottom = box
    inside = (math.ceil(left * sx), math.ceil(top * sy), int(right * sx), int(bottom * sy))
    return cropped(image, inside)


def _found(image: Image.Image, spans: list[tuple[int, int]], find: FindLine) -> Line | Lines:
    """`find` of the image's one line, or of each of its lines (`spans`: `line_spans`)."""
    if spans == [(0, image.height)]:
        return find(image)
    found, boxes = [], []
    for top, bottom in spans:
        part, _, dy = cropped(image, (0, top, image.width, bottom))
        found.append(shifted(find(part, band=True), 0, dy))
        width, height = part.info["source_size"]
        boxes.append((0, dy, width, dy + height))
    return found[0] if len(found) == 1 else Lines(found, boxes)


def of_digits(found: Lines) -> Line | Lines:
    """`found`, the lines that may hold digits alone: those whose pieces are at least `small`
    as high as the tallest line's, as a piece lower than that is no digit on its own. A band of
    a rule's remnant beside a cell's number is none (`110` was "2 lines: -, 110"); where one
    line is left, it is the picture's one line, as `_found` gives one."""
    tallest = max(line.height for line in found.lines)
    kept = [i for i, line in enumerate(found.lines) if line.height >= tuned().small * tallest]
    if len(kept) == 1:
        return found.lines[kept[0]]
    return Lines([found.lines[i] for i in kept], [found.spans[i] for i in kept])


def moved(found: Line | Lines, dx: int, dy: int) -> Line | Lines:
    """What `find_lines` found in a part of a picture, as found in the picture: the part starts
    (dx, dy) into its source pixels."""
    if isinstance(found, Line):
        return shifted(found, dx, dy)
    found.lines = [shifted(line, dx, dy) for line in found.lines]
    found.spans = [_moved_box(span, dx, dy) for span in found.spans]
    return found


def _moved_box(box: tuple[int, int, int, int], dx: int, dy: int) -> tuple[int, int, int, int]:
    left, top, right, bottom = box
    return (left + dx, top + dy, right + dx, bottom + dy)
