"""A scanner's dark border is no ink: `predict` and `read` look inside it.

A scanned page cut into cells (a register's row numbers, a form's fields) often keeps, along one
or two of its sides, the scanner's black lid or the page's shadow: a band far darker than the
paper, running the whole side. To `read` it was the darkest ink in the picture, and the number
small inside the cell was left as faint specks beside it ("blank"). Here a band at a picture's
edge is a border where each of its lines (rows or columns) is far darker than the paper all
along (under `border_dark` of the paper's level) and it takes at most `border_deepest` across (a
deeper one is a desk beside a sheet, say, and left as it is). Its edge is seldom straight: it
is cut off as deep as its edge reaches (a strip it reaches into part of the way, left inside,
was read as a line of 1s), and one line deeper: the grey of its soft edge, left inside, made a
blank ruled cell a 1. The picture is read inside its
borders, as a photo's sheet is read inside the desk (painted with the paper's colour, a border
left a step where the paint met the paper, beside the cell's ruling: round 11 of
docs/measurements/reading-numbers.md). On a dark canvas nothing is darker than the paper.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from digitcli.imaging import histograms
from digitcli.imaging.opening import cropped
from digitcli.imaging.settings import tuned


def border_to_look_within(image: Image.Image, invert: str) -> tuple[Image.Image, int, int] | None:
    """The part of an "L" image opened by `open_image` inside its scanner's dark border, as
    `opening.cropped` gives it (the part, how far right and down its source pixels it
    starts); None where it has none, where ink is light on dark (`invert` "no"), or in a picture
    under `paper_size` a side: a crop of its digit, whose thick stroke along a side (a filled
    7's bar) is no lid, as it shows no sheet."""
    if invert == "no" or max(image.size) < tuned().paper_size:
        return None
    box = inside_dark_border(image)
    return None if box is None else cropped(image, box)


def inside_dark_border(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box (left, top, right, bottom) of `image` inside any dark border along its sides;
    None where it has none."""
    settings = tuned()
    grey = np.asarray(image.convert("L"))
    paper = histograms.median(histograms.histogram(grey))
    dark = grey < np.float32(settings.border_dark * paper)  # as the grey's float32 compared
    top, bottom = _depth(dark), _depth(dark[::-1])
    left, right = _depth(dark.T), _depth(dark.T[::-1])
    if not (top or bottom or left or right):
        return None
    height, width = dark.shape
    return left, top, width - right, height - bottom


def _depth(dark: np.ndarray) -> int:
    """How many lines (rows of `dark`, from its first) a border along that edge takes (0:
    none): where its lines dark all along from the edge are at most `border_deepest` of it,
    as deep as its ragged edge reaches (its deepest run of dark pixels from the edge, of the
    runs that end before `border_deepest`)."""
    settings = tuned()
    deepest = int(settings.border_deepest * len(dark))
    dark_across = dark[: deepest + 1].all(axis=1)
    full = 0
    while full < deepest and dark_across[full]:
        full += 1
    if full == 0 or dark_across[full]:  # none, or deeper: a desk, say
        return 0
    part = dark[:deepest]
    ending = part.argmin(axis=0)[~part.all(axis=0)]  # where each run that ends in it ends
    reach = max(full, int(ending.max())) if ending.size else full
    return reach + 1  # and its soft edge: a scan's blur leaves a line of grey along it
