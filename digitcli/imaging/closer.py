"""A closer look: a number small in a large picture, looked at again where it is written.

`prepare` shrinks a picture to its working size first (`grayscale.working_side`). A number a
tenth as high as the cell it is written in (a row number in a scanned register's cell) shrinks
with it to a few pixels, too few for its ink to be found or judged: the cell was blank, or
lines. Where the working picture was opened from a file at least twice as large, the same part
is opened again at `closer_side` and its ink found there (`ink.find_strokes`, the one ink
finder); where that ink would stand under half MNIST's 20-px box high in the working picture
and has paper all round it, the part around it (one ink height beyond it on every side) is
what is prepared and judged, as a crop of the number would be.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from digitcli.imaging import orderstats
from digitcli.imaging.background import estimate_background
from digitcli.imaging.fitting import BOX_SIZE
from digitcli.imaging.ink import Strokes, find_strokes
from digitcli.imaging.opening import cropped
from digitcli.imaging.settings import tuned

Opener = Callable[[], Image.Image]  # the picture opened again, at `closer_side`


def closer_side() -> int:
    """The longest side a picture is opened at for a closer look: the most pixels the working
    picture of a long one may have (`grayscale.working_side`), as a square's side."""
    settings = tuned()
    return settings.work_size**2 // settings.paper_size


def worth_a_look(working: Image.Image, given: Image.Image) -> bool:
    """Whether the picture `given` (opened from a file: its `source_size`, `open_image`'s)
    holds at least twice the pixels a side of its `working` picture at `closer_side`: more of
    its writing to see."""
    source = given.info.get("source_size", given.size)
    return 2 * max(working.size) <= min(max(source), closer_side())


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
    (`find_strokes`), or where that ink stands half MNIST's digit box high or more at the
    working size: enough pixels to judge it there, as it was (a dash drawn small on a canvas
    is no digit, its crop a 0)."""
    grey = np.asarray(picture)
    signal = (255 - grey if inverted else grey).astype(np.float32)
    found = find_strokes(signal, estimate_background(picture, inverted))
    if found is None:
        return None
    rows, cols = found.box
    margin = rows.stop - rows.start
    if 2 * margin * working[1] >= BOX_SIZE * picture.height:
        return None
    height, width = grey.shape
    top, bottom = max(0, rows.start - margin), min(height, rows.stop + margin)
    left, right = max(0, cols.start - margin), min(width, cols.stop + margin)
    if _runs_on(found, (slice(top, bottom), slice(left, right))):
        return None
    return cropped(picture, (left, top, right, bottom))[0]


def _runs_on(found: Strokes, box: tuple[slice, slice]) -> bool:
    """Whether ink half as dark as the kept ink's own (its median over the paper's noise)
    lies on the edge of `box`: a piece of something that runs on beyond it (a rule, a fold's
    edge, what the ink finder took out as lines), not a number with paper around it."""
    level = orderstats.median(found.flat[found.kept])
    inked = found.flat[box] > (found.floor + level) / 2
    return bool(inked[[0, -1], :].any() or inked[:, [0, -1]].any())
