"""Every tuned number of `read`, in one frozen object, each with what it is and why.

Modules read them when they run, from `tuned()`: `DEFAULT`, or the settings an `overridden`
block puts in force (a benchmark sweeping one field by name). `read`'s worker processes are
forked inside that block, so they see the same settings. The line reader was trained on the
strips these settings make: it records the values of the fields it depends on (`core.fits`,
all but `UNSTAMPED`) and is refused under other defaults, naming the field, so a changed
default cannot pass silently. Lengths are in line
heights (a digit's height on the line) unless they say px; the figures behind the choices are
in docs/measurements/code-notes.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from digitcli.core.tunables import InForce


@dataclass(frozen=True)
class ReadingSettings:
    # Weighing and deciding after the networks answer: the line reader's training depends on
    # none of them, so moving one changes no stamp (`digitcli.core.fits`).
    UNSTAMPED: ClassVar[frozenset[str]] = frozenset({
        "line_weight", "line_sure", "line_doubt", "slack", "overrule_at", "full_height",
    })  # fmt: skip
    # Decoding and the work image (frame.py, segment.py, multiline.py)
    work_height: int = 96  # px: a line is segmented this high (digits about 40-70 px)
    work_width: int = 1600  # px: ... and at most this wide (a 10-digit number fits); files are
    # decoded to at most this a side (no line is read wider), to bound time and memory
    bilevel_blur: float = 0.7  # px: a shrunk bilevel picture is blurred: soft edges
    steepest_turn: float = 20.0  # degrees: the line's tilts tried reach this either way (in
    # steps of the preparation's line_step, as predict's ruled lines; a smaller tilt: unturned)
    usual_turn: float = 12.0  # degrees: steeper turns only where they bunch rows better ...
    steep_gain: float = 1.05  # ... this many times better than the best usual one
    steepest_slant: float = 0.6  # the handwriting's slants tried (dx per dy) reach this ...
    slant_step: float = 0.05  # ... in steps of this
    flat_gain: float = 0.02  # a tilt or slant bunching less than this share better stays unturned
    # Ink (ink.py)
    # Ink stands the preparation's noisy_contrast paper spreads above it (hysteresis's high),
    spread_joined: float = 3.0  # ... fainter ink joined to such ink: this many spreads above it
    line_share: float = 0.4  # a band of ink this share as high as the highest is a line of writing
    line_ink: float = 0.03  # ... when it holds this share of the ink (not a ruled line, a speck)
    paper_block: float = 8.0  # px: the paper's level is measured in blocks at least this big ...
    paper_blocks: float = 5.0  # ... and this many to the picture's height (narrower than ink)
    # Several lines (multiline.py); a box around the ink is looked for on a copy find_height
    # long (its thin sides stay)
    find_height: int = 400  # px: bands of ink are looked for on a copy at most this high ...
    find_width: int = 200  # px: ... and this wide (only rows matter there)
    line_margin: float = 0.6  # a lone line is read with this share of its height around
    crop_keeps: float = 0.8  # a crop keeping more than this share of the rows is not made
    most_lines: int = 3  # ink in this many lines of writing or more is a page of text: no number
    # Printed form lines (formlines.py)
    faint_line: float = 0.1  # printed lines are looked for in ink this faint (of the pen's level)
    pen_percentile: float = 80.0  # the pen's level: this percentile of the ink
    printed_length: float = 2.0  # a printed line runs at least this many ink heights ...
    printed_share: float = 0.3  # ... or this share of the ink's width (the longer)
    # (a box's side runs along the preparation's frame_side of the field's height it closes)
    reach_per: int = 20  # a box's side may stop its lines' thickness short of them, and a
    # pixel more per this many px of the field's height
    bridge: int = 7  # px: strokes crossing a removed line are joined across gaps this long
    run_past: float = 0.5  # lines running on past a form's sides this much: ruled paper
    inner_span: float = 0.8  # a box's second line runs along this share of the field's height
    frame_least_width: float = 0.3  # a box round one digit is at least this wide for its height
    # (its sides in bands the preparation's frame_band of its height, as `predict` finds a box,
    # each inked along its line_across of its length, as a ruled line is inked across a picture)
    # Atoms and candidates (atoms.py, segment.py)
    speck_size: float = 0.2  # a piece smaller than this on both sides, and of less than the
    # preparation's speck_area of the largest's area: a speck
    # (no digit is made of a speck; the line reader sees it: a decimal point, a comma)
    off_line: float = 0.9  # a piece whose middle is this far from the line's is not of the number
    max_atoms: int = 8  # pieces one digit may be made of
    cut_from: float = 0.75  # pieces wider than this may be touching digits: they are cut
    min_part: float = 0.18  # no cut leaves a part narrower than this (nor nearer another cut)
    # (pieces further apart than the preparation's group_gap are not one digit)
    small: float = 0.45  # a piece lower than this is not a digit on its own
    wide_from: float = 1.0  # a candidate wider than this is likely two digits ...
    too_wide_cost: float = 8.0  # ... and pays this per line height beyond
    # log-probability a digit pays for going against the ink's own pieces: for each side that is
    # a cut through ink, and for each two separate pieces side by side it joins into one
    cut_cost: float = 1.0
    full_height: float = 0.7  # a digit's full height, as a share of the line's ...
    short_cost: float = 10.0  # ... a candidate pays this per line height it is lower: a piece
    # (pieces side by side: the preparation's, `pieces.apart`)
    skip_cost: float = 4.0  # log-probability a reading pays for leaving out a small piece
    smallest_height: float = 6.0  # px: a line shrunk to fit with digits lower holds too many
    # The line reader's strips (render.py)
    strip_span: float = 1.6  # a strip is this many line heights high, about the line's middle
    ink_pad: int = 2  # px of paper kept around a span's ink (its anti-aliased edges)
    # Weighing the readings (lines.py, place.py, picture.py, read.py)
    line_weight: float = 2.0  # how much the line reader's ln P(number) counts beside segmentation's
    # the line reader is sure of a reading at this probability: of its number (that number is
    # the reading), and of each digit (one it is less sure of is shown to the classifier)
    line_sure: float = 0.9
    line_doubt: float = 3.0  # segmentation's number stands unless this many times less likely
    slack: int = 2  # readings weighed: those of counts within this many of the line reader's
    overrule_at: float = 0.95  # the classifier replaces a doubted digit this sure of another
    most_fields: int = 8  # fields a form may hold one under another; more: a page of writing
    # digits overlapping the preparation's side_by_side of their width (not side by side, as
    # `pieces.apart` says) may be one digit cut in two ...
    split_most: int = 3  # ... or in up to this many pieces


DEFAULT = ReadingSettings()
_IN_FORCE = InForce(DEFAULT)
tuned = _IN_FORCE.tuned  # the settings in force: DEFAULT, or those an `overridden` block set
overridden = _IN_FORCE.overridden  # `with overridden(field=value): ...` sweeps a field by name
