"""Every tuned number of the image preparation, in one frozen object, each with what it is.

Modules read them when they run, from `tuned()`: `DEFAULT`, or the settings an `overridden`
block puts in force (a benchmark sweeping one field by name). Every model was trained on the
digits these settings make: each records the values of the fields it depends on
(`core.fits`, all but `UNSTAMPED`) and is refused under other defaults, naming the field, so a
changed default cannot pass silently. The reasons and
figures behind the values are in the comments where they are used and in
docs/measurements/code-notes.md. Numbers that are formats or security limits, not tuning
(MNIST's 20x20 box, a PNG header's layout, the decoding limits), stay named in their modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from digitcli.core.config import IMAGE_SIZE
from digitcli.core.tunables import InForce


@dataclass(frozen=True)
class PreparationSettings:
    # Decisions taken after the networks answer: no network's training depends on them, so
    # moving one changes no artefact's stamp (`digitcli.core.fits`); nor do those of the sheet
    # a photo's digit is looked for within (the networks see what lies inside it).
    UNSTAMPED: ClassVar[frozenset[str]] = frozenset(
        {"not_digit", "several_sure", "sheet_fill", "side_margin"}
        | {"sheet_sides", "sheet_held", "sheet_paper_wider", "sheet_glare", "side_by_side"}
        | {"letters_sure", "border_dark", "border_deepest", "closer_length"}
    )
    # The work image (grayscale.py, images.py)
    work_size: int = 192  # px: the longest side everything is shrunk to first (a long picture:
    # its shorter side kept at paper_size, `grayscale.working_side`)
    max_block: int = 8  # the largest nearest-neighbour enlargement undone
    thick_stroke: float = 4.0  # px at 28x28: strokes wider lose a pixel off each side
    filled_squeeze: float = 0.7  # a square digit filling its cell is drawn back to this width
    square_within: int = 50  # ink is square when its sides differ by at most 1/this
    # The background (background.py)
    wide_stroke_block: float = 1.2  # the background's blocks are at least this many strokes wide
    fewest_blocks: int = 6  # ... and no fewer than this along the image
    cells: int = 4  # cells a side per block measured for the strokes' width
    # Fitting to 28x28 (fitting.py)
    thin_stroke: float = 0.8  # px at 28x28: strokes thinner than this are widened ...
    typical_stroke: float = 1.8  # ... to this
    # Histograms (histograms.py)
    extreme_pixels: int = 8  # "the darkest" is at least the this-th darkest pixel: not a speck
    # Paper (paper.py): what `predict` and `read` both take for the paper
    border_band: float = 0.04  # the picture's border, this share of its shorter side, is paper
    # Ink (ink.py)
    faint_stroke: float = 0.3  # pixels this far to the ink threshold join a stroke they touch
    min_contrast: float = 24.0  # grey levels between paper and ink below which a picture is blank
    faintest_ink: float = 10.0  # ... unless Otsu's classes are at least this many levels apart ...
    faint_separation: float = 8.0  # ... and this many of the paper's spreads
    paper_size: int = 2 * IMAGE_SIZE  # px: pictures this big a side show paper around the digit
    not_digit: float = 0.2  # on paper, the judge's digit probability below which: no digit
    closer_length: float = 2.0  # a picture this many times as long as its shorter side, taken
    # for several digits, is shown to the judge again closer (verdict._one_digit_closer)
    # letters.py: the letters network's chance at or above which one digit's 28x28 is none: on
    # the real set's digits (541) and MNIST's training digits 40,000-47,999 none is refused from
    # 0.95 up (0.9 loses 2 real ones); 0.95 refuses digits drawn by the tests' code that 0.98
    # answers (docs/measurements/preparation.md, "Round 9: letters network retrained"); round
    # 26's network refuses as many held-out real digits at 0.97 as round 17's did at 0.98, and
    # no real development or check digit ("Round 26").
    letters_sure: float = 0.97
    noisy_contrast: float = 6.0  # the contrast must also be this many noise spreads
    # Clutter: neighbours, ruled lines, boxes, hairlines (clutter.py)
    row_digit_height: float = 0.3  # a digit this share of the picture high drops its neighbours
    line_across: float = 0.9  # a row inked across this share of the picture is a ruled line ...
    line_margin: float = 0.05  # ... dropped when the rest stands this share clear of the sides
    grid_lines: int = 3  # faint lines are looked for when there are this many one way
    frame_band: float = 0.06  # a box's pieces lie wholly within this share of the ink's shorter
    # side from its edges ...
    # ... lining every side for this share of its length (`read`: a form's side runs along this
    # share of the height it closes) ...
    frame_side: float = 0.7
    frame_inner: float = 0.3  # ... around a piece at least this share as tall (the digit)
    hairline: float = 0.025  # strokes narrower than this share of the piece's extent: hairlines
    # this many digit-shaped pieces or more in a row are a number (`read` believes a number on
    # paper `predict` finds blank only where its line reader is sure of this many digits) ...
    row_digits: int = 3
    # ... each at most this many times as wide as high; a piece longer than this many times
    # the digits' height, lying wholly along its box's edges, is a
    # form's rule (a digit is never so long)
    row_digit_wide: float = 1.5
    steepest_line: float = 10.0  # degrees: ruled lines are looked for at slants up to this ...
    line_step: float = 0.5  # ... in steps of this
    slant_band: int = 8  # px: columns summed together, shifted as one along a slant
    # Pieces (pieces.py)
    several_sure: float = 0.999  # one group's 28x28 is several digits at this chance (count.py)
    speck_area: float = 0.02  # a piece below this share of the largest's area is a speck ...
    near_area: float = 0.3  # ... one this share of it or more joins the digit at any gap
    big_piece: float = 0.15  # pieces of this share of the largest area or more are counted
    group_gap: float = 0.3  # pieces closer than this share of the ink's height are one group
    column_overlap: float = 0.15  # columns overlapping this share of the height are one
    side_by_side: float = 0.3  # pieces sharing less of their width are side by side (`apart`)
    # The sheet of paper in a photo (`sheet.on_the_sheet`).
    sheet_fill: float = 0.8  # a sheet, its holes (ink) filled, and the largest quadrilateral
    # within it each cover this share of its convex hull (a sheet in perspective: no rectangle)
    side_margin: float = 0.02  # the surround shows on a side this share of the picture wide ...
    sheet_sides: int = 3  # ... on this many sides or more
    sheet_held: float = 0.9  # ... and this share of its class of Otsu's two lies on it
    # (the sheet is read border_band of its shorter side inside its edges: the picture's border)
    sheet_paper_wider: float = 1.25  # a light sheet's paper: this many times as wide as its ink
    sheet_glare: float = 34.0  # nothing on a sheet this much lighter than its paper (a digit
    # filling its picture, taken with the paper in its loops, is no sheet)
    # A scanner's dark border (border.py): figures in docs/measurements/reading-numbers.md
    border_dark: float = 0.45  # a border's pixels are darker than this share of the paper's grey
    border_deepest: float = 0.12  # a border is at most this share across (a desk is deeper)


DEFAULT = PreparationSettings()
_IN_FORCE = InForce(DEFAULT)
tuned = _IN_FORCE.tuned  # the settings in force: DEFAULT, or those an `overridden` block set
overridden = _IN_FORCE.overridden  # `with overridden(field=value): ...` sweeps a field by name
