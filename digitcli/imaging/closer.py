"""A closer look: a number small in a large picture, looked at again where it is written.

`prepare` shrinks a picture to its working size first (`grayscale.working_side`). A number a
tenth as high as the cell it is written in (a row number in a scanned register's cell) shrinks
with it to a few pixels, too few for its ink to be found, judged or read: the cell was blank,
or lines, or its digit was read from a 28x28 enlarged from 6 px. Where the working picture
holds no strokes or strokes too small (`too_small`), and the file holds at least twice its
pixels a side (`worth_a_look`), the same part is opened again at `closer_side` and its ink
found there (`ink.find_strokes`, the one ink finder); where that ink would stand under half
MNIST's 20-px box high in the working picture and is no piece of a line across the picture,
the part around it and the pieces of ink beside it (one ink height beyond them on every side)
is what is prepared and judged, as a crop of the number would be.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from digitcli.core.config import IMAGE_SIZE
from digitcli.imaging import orderstats
from digitcli.imaging.background import estimate_background
from digitcli.imaging.fitting import BOX_SIZE
from digitcli.imaging.ink import Strokes, find_strokes
from digitcli.imaging.morphology import Box, bounds, labelled, widened
from digitcli.imaging.opening import cropped
from digitcli.imaging.settings import tuned

Opener = Callable[[], Image.Image]  # the picture opened again, at `closer_side`


def closer_side() -> int:
    """The longest side a picture is opened at for a closer look: twice `work_size`, a small
    number's pixels doubled each way (at 658 px, the most a long working picture has, made
    cells were read no better, and a blank one cost 3.5 times its working picture's
    preparation, not 2: docs/measurements/preparation.md, "Round 72")."""
    return 2 * tuned().work_size


def worth_a_look(working: Image.Image, given: Image.Image) -> bool:
    """Whether the picture `given` (opened from a file: its `source_size`, `open_image`'s)
    holds at least twice the pixels a side of its `working` picture at `closer_side`: more of
    its writing to see."""
    source = given.info.get("source_size", given.size)
    return 2 * max(working.size) <= min(max(source), closer_side())


def too_small(box: Box) -> bool:
    """Whether ink found in a working picture (`box`, its bounds) stands under half MNIST's
    20-px box high: too few pixels to judge or read it by."""
    return 2 * (box[0].stop - box[0].start) < BOX_SIZE


def same_part(picture: Image.Image, part: Image.Image, dx: int, dy: int) -> Image.Image:
    """The part of `picture` (a file opened again, larger) that `part` is of the working
    picture (`opening.cropped`'s: starting `dx`, `dy` of the file's pixels)."""
    width, height = picture.info.get("source_size", picture.size)
    part_width, part_height = part.info.get("source_size", part.size)
    sx, sy = picture.width / width, picture.height / height
    box = (round(dx * sx), round(dy * sy), round((dx + part_width) * sx))
    return cropped(picture, (*box, round((dy + part_height) * sy)))[0]


def around_small_ink(
    picture: Image.Image, inverted: bool, working: tuple[int, int]
) -> Image.Image | None:
    """The part of `picture` (an "L" image, the working picture of `working` size opened
    larger) around its ink, one ink height beyond it on every side; None where it has no ink
    (`find_strokes`), where that ink stands half MNIST's digit box high or more at the
    working size (enough pixels to judge it there, as it was: a dash drawn small on a canvas
    is no digit, its crop a 0) or no higher than MNIST's margin around that box (4 px) here (a
    speck, a grid's crossing: the crop of a few pixels was a 5 on a blank squared page), or
    where it is a piece of something that runs across the picture (`_ink_around`)."""
    grey = np.asarray(picture)
    signal = (255 - grey if inverted else grey).astype(np.float32)
    found = find_strokes(signal, estimate_background(picture, inverted))
    if found is None:
        return None
    high = found.box[0].stop - found.box[0].start
    if 2 * high <= IMAGE_SIZE - BOX_SIZE or 2 * high * working[1] >= BOX_SIZE * picture.height:
        return None
    area = _ink_around(found)
    if area is None:
        return None
    rows, cols = area
    return cropped(picture, (cols.start, rows.start, cols.stop, rows.stop))[0]


def _ink_around(found: Strokes) -> tuple[slice, slice] | None:
    """The rows and columns one ink height around the kept ink and the pieces of ink beside
    it (half as dark as the kept ink's own, over the paper's noise: the rest of a number whose
    darkest digit alone was kept), taken in until no other lies within; pieces running over
    half the picture (a rule, a cell's side, a fold's edge) are left out, and None where the
    kept ink is one of them: what the ink finder kept of a line it took out (a crop of a
    rule's piece was a 1 on blank ruled paper)."""
    level = orderstats.median(found.flat[found.kept])
    inked = (found.flat > (found.floor + level) / 2) | found.kept
    labels, boxes = labelled(inked)
    height, width = inked.shape
    across = np.array(
        [False]
        + [2 * (r.stop - r.start) > height or 2 * (c.stop - c.start) > width for r, c in boxes]
    )  # by label: 0 is the paper
    if across[np.unique(labels[found.kept])].any():
        return None
    left_out = across.copy()
    left_out[0] = True
    taken = np.zeros_like(across)
    box = found.box
    while True:
        area = widened(box, box[0].stop - box[0].start, inked.shape)
        near = np.unique(labels[area])
        near = near[~left_out[near] & ~taken[near]]
        if not near.size:
            return area
        taken[near] = True
        box = bounds(found.kept | taken[labels])
