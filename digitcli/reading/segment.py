"""One line of handwritten digits -> candidate digits, each prepared as `predict` prepares one.

A number on paper is found in steps, all in NumPy and OpenCV on a copy of the image
`work_height` pixels high (a smaller one enlarged; settings: `digitcli.reading.settings`):

1. ink: the paper's level is estimated under uneven lighting and subtracted; ink is what stands
   clearly above the paper's noise (hysteresis: faint stroke ends stay joined to strong cores);
2. the whole line is turned level (the angle whose row profile is sharpest);
3. printed form lines are removed: long thin horizontal runs, and, between a field's top and
   bottom lines, the vertical sides of its boxes, looked for in fainter ink too (a light
   printed box is only partly in the ink mask); strokes crossing a line are joined again. In
   a band of rows cut out of a taller picture around the line, what runs across the band
   from its top to its bottom (a cell's side, a scanner's lid) went before step 2;
4. the handwriting's slant is measured (the shear whose column profile is sharpest) and cuts
   between digits follow it;
5. "atoms": the connected pieces of ink; a piece too wide for one digit (touching digits) is cut
   at the valleys of its column profile;
6. candidates: each atom, and each run of up to `max_atoms` neighbouring atoms close enough
   to be one digit (a 5 and its detached flag, a 4 in two pieces), paying `too_wide_cost` for
   its width beyond `wide_from`; two separate full-height pieces side by side cost `cut_cost`
   to join, as a cut through ink does: they are usually two digits. Each candidate's ink
   alone is cropped and fitted into 28x28 by `digitcli.imaging.images.fit_and_centre`, as
   `predict` fits one;
7. the strips: all the line's ink, and the specks too faint for it in the gaps between its
   digits (a pencil's decimal point: `atoms.faint_specks`), `strip_span` line heights scaled
   to 32 px high (a long line in pieces), for `digitcli.reading.lines`, which reads the whole
   line and never cuts.

The classifier then scores every candidate and `best_reading` picks the segmentation whose
digits are likeliest together (the sum of their log-probabilities, by dynamic programming over
the atoms), as classic handwritten-numeral recognisers do.
`best_readings` gives the likeliest segmentation of each digit count, which `read` weighs
with the line reader's likelihood of its number. Gaps between groups ("2026 11 22") are
simply gaps: the number is its digits, left to right.

This module holds what segmentation hands on (`Line`, `Candidate`) and its two entry points;
the steps live beside it: ink.py (1), frame.py (2, and 4's measure), formlines.py (3),
atoms.py (5, and which runs of atoms 6 tries), render.py (the pixels of 6 and 7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from PIL import Image

from digitcli.imaging import orderstats
from digitcli.imaging.images import Prepared, dilate, fit_and_centre
from digitcli.imaging.pieces import form_rules
from digitcli.imaging.settings import tuned as preparation
from digitcli.reading.atoms import (
    Atom,
    components,
    digit_spans,
    faint_specks,
    line_atoms,
    line_height,
)
from digitcli.reading.formlines import (
    across_the_band,
    cell_sides,
    digit_frames,
    form_lines,
    over_ruled_lines,
    taller_than_the_rest,
    without_lines,
)
from digitcli.reading.frame import Frame, sharpest, shears, turn_level, work_image
from digitcli.reading.ink import ink_again, ink_lines, ink_signal
from digitcli.reading.lines import STRIP_SHAPE
from digitcli.reading.render import line_strips, span_ink
from digitcli.reading.settings import tuned

__all__ = [  # segmentation as `read`, `multiline` and the line reader use it
    "STRIP_SHAPE",
    "Candidate",
    "Line",
    "best_reading",
    "best_readings",
    "find_candidates",
    "find_line",
    "ink_signal",
    "render_candidates",
]


@dataclass
class Candidate:
    """A run of atoms [start, stop) read as one digit."""

    start: int
    stop: int
    pixels: np.ndarray  # uint8 (28, 28), prepared like predict's
    box: tuple[int, int, int, int]  # left, top, right, bottom in the input image's pixels
    penalty: float = 0.0  # subtracted from the log-probability (too wide for one digit)


@dataclass
class Line:
    """What segmentation found in one image: atoms, left to right, and candidate digits."""

    atoms: int = 0
    skippable: list[bool] = field(default_factory=list)  # small pieces a reading may leave out
    height: float = 0.0  # a digit's height on this line, in the input image's pixels
    candidates: list[Candidate] = field(default_factory=list)
    strips: np.ndarray | None = field(default=None, repr=False)  # its ink, (k, *STRIP_SHAPE)
    too_small: bool = False  # too many digits on the line, shrunk too small to read
    lines: int = 1  # bands of ink one above the other: `most_lines` or more, a page of text
    whole: Prepared | None = field(default=None, repr=False)  # all the ink as predict sees it
    # What drawing its digits needs, until they are drawn: it stays in the process that
    # segmented the line (`read` drops it before a line goes to another).
    ink: LineInk | None = field(default=None, repr=False)
    columns: np.ndarray | None = field(default=None, repr=False)  # the line reader's, (T, 11)
    # The line reader's reading: (digit, confidence, box, pixels) each, and whether it is sure.
    read: list[tuple[int, float, tuple[int, int, int, int], np.ndarray | None]] | None = None
    sure: bool = False
    own_likelihood: float = 0.0  # the line reader's ln P(its reading), where it read the line
    # The line reader's best path over digits and marks (`lines.written_path`), for `text`.
    written: list[tuple[str, float]] | None = None
    words: bool = False  # the line reader reads words there, not a number (`lines.in_letters`)
    size: tuple[int, int] | None = None  # the whole picture's (width, height), in its pixels


@dataclass
class LineInk:
    """A line's atoms and ink in the work frame: what its candidates' and its read digits'
    pixels and boxes are made from."""

    atoms: list[Atom]
    spans: list[tuple[int, int, float]]  # the runs of atoms tried as one digit (`digit_spans`)
    ink_of: Callable[[list[Atom]], tuple[np.ndarray | None, tuple[int, int, int, int]]]
    frame: Frame
    strips: list[tuple[float, float]]  # each strip's first column in the work frame, and
    # work-frame pixels per strip column


def find_candidates(image: Image.Image, *, invert: str = "auto") -> Line:
    """Every candidate digit in an image of one line of handwritten digits (an "L" image as
    `digitcli.imaging.images.open_image(..., max_side=tuned().work_width)` returns), rendered."""
    line = find_line(image, invert=invert)
    render_candidates(line)
    return line


def render_candidates(line: Line) -> None:
    """Each candidate's pixels and box (`Line.candidates`) from the line's ink."""
    if line.ink is not None:
        ink = line.ink
        line.candidates = _rendered(ink.spans, ink.atoms, ink.ink_of, fit_and_centre, ink.frame)


def _one_grey(image: Image.Image) -> bool:
    """Whether all of `image` is one grey, within the contrast below which a picture is blank
    (`min_contrast`): nothing was written on it, however long it is."""
    grey = image if image.mode == "L" else image.convert("L")
    darkest, lightest = grey.getextrema()
    return lightest - darkest < preparation().min_contrast


def find_line(image: Image.Image, *, invert: str = "auto", band: bool = False) -> Line:
    """The line's atoms, the runs of them that may be digits and its strips, its candidates
    not rendered yet (`render_candidates`). `band`: the image is a band of rows cut out of a
    taller picture around its line (`multiline`), and what runs across it is no digit
    (`formlines.across_the_band`)."""
    tune = tuned()
    work, frame = work_image(image)
    if work.width >= tune.work_width and work.height < tune.smallest_height:
        # A line so long that, shrunk to fit, no digit is left: unless none was written.
        return Line() if _one_grey(image) else Line(too_small=True)
    flat, mask, faintest = ink_signal(work, invert)
    if band:
        across = across_the_band(mask)
        _leave_out(across, flat, mask)
        mask = ink_again(mask, flat, across)  # what ran across the band set its threshold
    if not mask.any():
        return Line()
    flat, mask, frame = turn_level(flat, mask, frame)
    pen = max(orderstats.percentile(flat[mask], tune.pen_percentile), 1.0)
    faint = flat > tune.faint_line * pen
    ruled, frames = form_lines(faint), digit_frames(mask)
    pen_on_lines = None if frames.any() else over_ruled_lines(flat, mask, ruled)
    lines = ruled | frames
    mask = without_lines(mask, lines)
    if pen_on_lines is not None:
        mask |= pen_on_lines
    if not band:  # a band's went before, with what ran across it
        mask, lines = _without_cell_sides(mask, flat, lines)
    rules = form_rules(mask)  # a cell's side the lines above missed: not a 1, as to predict
    mask &= ~rules
    mask = ink_again(mask, flat, lines | rules)  # the rules set the threshold: look again
    taken = mask | lines | rules
    bands = len(ink_lines(mask))
    if bands >= tune.most_lines:
        return Line(lines=bands)
    pieces = components(mask)
    if not pieces:
        return Line()
    height = line_height(pieces)
    ys, xs = np.nonzero(mask)
    centre = float(ys.mean())
    slant = sharpest(xs, ys, shears())
    atoms, specks = line_atoms(pieces, height, slant, centre)
    line = Line(atoms=len(atoms), skippable=[a.small for a in atoms], height=height / frame.sy)
    if work.width >= tune.work_width and _too_small(height):
        line.too_small = True
        return line
    level = max(orderstats.percentile(flat[mask], tune.pen_percentile), 1.0)  # core: white
    ink_of = partial(span_ink, flat=flat, taken=taken, level=level)
    if not atoms:
        return line
    faint = (flat > faintest) & ~dilate(taken, 1)  # ink too faint for the mask, alone
    specks += faint_specks(faint, atoms, height, slant, centre)
    ink, (left, top, right, _) = ink_of(atoms + specks)  # the line reader sees the specks
    if ink is None:
        return line
    line.strips, places = line_strips(ink, height, _digit_rows(atoms, max(0, top - tune.ink_pad)))
    start = max(0, left - tune.ink_pad)
    strips = [(start + first, step) for first, step in places]
    line.ink = LineInk(atoms, digit_spans(atoms, height), ink_of, frame, strips)
    return line


def _digit_rows(atoms: list[Atom], first: int) -> tuple[float, float]:
    """The rows a digit of the line runs between, counted from row `first` of the work frame:
    the median top and bottom of its pieces of a digit's height (not `small`); of all its
    pieces where none is."""
    tall = [atom for atom in atoms if not atom.small] or atoms
    top = orderstats.median(np.array([atom.top for atom in tall], float))
    bottom = orderstats.median(np.array([atom.bottom for atom in tall], float))
    return top - first, bottom - first


def _without_cell_sides(
    mask: np.ndarray, flat: np.ndarray, lines: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`mask` without a cell's sides (`formlines.cell_sides`), and `lines` with them, where they
    are taller than the rest of its ink by far, or, where they were all of it (darker than the
    writing), than what is found without them; else both as they are."""
    sides = cell_sides(mask)
    if not sides.any():
        return mask, lines
    rest = mask & ~sides
    if taller_than_the_rest(sides, rest if rest.any() else ink_again(rest, flat, sides)):
        return rest, lines | sides
    return mask, lines


def _leave_out(across: np.ndarray, flat: np.ndarray, mask: np.ndarray) -> None:
    """`across` made paper in `flat`, its soft edges too, and taken out of `mask`."""
    mask &= ~across
    flat[dilate(across, 1)] = 0.0


def _too_small(height: float) -> bool:
    """Whether a line shrunk to fit the work image holds too many digits to read: its digits
    (`height` px high, in the work frame) too small."""
    return height < tuned().smallest_height


def _rendered(
    spans: list[tuple[int, int, float]],
    atoms: list[Atom],
    ink_of: Callable[[list[Atom]], tuple[np.ndarray | None, tuple[int, int, int, int]]],
    fit: Callable[[np.ndarray], np.ndarray],
    frame: Frame,
) -> list[Candidate]:
    """A candidate for each span with ink, its ink fitted by `fit`, its box mapped back to
    the input."""
    found = []
    for start, stop, penalty in spans:
        ink, box = ink_of(atoms[start:stop])
        if ink is not None:
            found.append(Candidate(start, stop, fit(ink), box, penalty))
    boxes = frame.boxes(np.array([c.box for c in found])) if found else []
    for candidate, box in zip(found, boxes, strict=True):
        candidate.box = box
    return found


def best_reading(line: Line, probabilities: np.ndarray) -> list[int]:
    """The candidates that cover the atoms left to right with the highest summed
    log-probability of their likeliest digits; small atoms may be left out at `skip_cost` each.
    `probabilities`: (len(candidates), 10). The answer indexes line.candidates."""
    readings = best_readings(line, probabilities)
    return max(readings.values(), key=lambda found: found[0])[1] if readings else []


def best_readings(line: Line, probabilities: np.ndarray) -> dict[int, tuple[float, list[int]]]:
    """`best_reading` for each count of digits a reading may have: {count: (score, chosen)}.
    Dynamic programming over (atoms covered, digits read so far)."""
    n, spans, tune = line.atoms, line.candidates, tuned()
    scores = np.log(np.maximum(probabilities.max(axis=1), 1e-12))
    ending: dict[int, list[int]] = {}
    for index, candidate in enumerate(spans):
        ending.setdefault(candidate.stop, []).append(index)
    most = n + 1
    best = np.full((n + 1, most), -np.inf)
    best[0, 0] = 0.0
    came_by = np.full((n + 1, most), -2)  # the span that ends here, -1 a skipped atom
    for stop in range(1, n + 1):
        here = best[stop]
        if line.skippable[stop - 1]:
            skipped = best[stop - 1] - tune.skip_cost
            better = skipped > here
            here[better], came_by[stop][better] = skipped[better], -1
        for index in ending.get(stop, []):
            candidate = spans[index]
            reached = best[candidate.start, :-1] + (scores[index] - candidate.penalty)
            better = reached > here[1:]
            here[1:][better] = reached[better]
            came_by[stop, 1:][better] = index
    found = {}
    for count in np.flatnonzero(np.isfinite(best[n])):
        chosen, position, left = [], n, int(count)
        while position > 0:
            index = int(came_by[position, left])
            if index == -1:
                position -= 1
                continue
            chosen.append(index)
            position, left = spans[index].start, left - 1
        found[int(count)] = (float(best[n, count]), chosen[::-1])
    return found
