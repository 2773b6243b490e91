"""A scanner's dark border is no ink: painted over with the paper before a picture is read.

A scanned page cut into cells (a register's row numbers, a form's fields) often keeps, along one
or two of its sides, the scanner's black lid or the page's shadow: a band far darker than the
paper, running the whole side. To `read` it was the darkest ink in the picture, and the number
small inside the cell was left as faint specks beside it ("blank"). Here a band at a picture's
edge is a border where most of each of its lines (rows or columns) is far darker than the paper
(under `border_dark` of the paper's level) and it takes at most `border_deepest` across (a
deeper one is a desk beside a sheet, say, and left as it is); its dark pixels are given the
paper's colour, so that a cell's writing is what is left to read. A light picture only (its
median at least `border_light`): on a dark canvas nothing is darker than the paper.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from digitcli.imaging import histograms
from digitcli.reading.settings import tuned


def without_dark_border(image: Image.Image) -> Image.Image:
    """`image`, any dark border along its sides painted with the paper's colour; `image`
    itself where it has none."""
    settings = tuned()
    grey = np.asarray(image.convert("L"))
    paper = histograms.median(histograms.histogram(grey))
    if paper < settings.border_light:
        return image
    dark = grey < np.float32(settings.border_dark * paper)  # as the grey's float32 compared
    painted = np.zeros_like(dark)
    rows, columns = dark.mean(axis=1), dark.mean(axis=0)  # each line's dark share
    lines = (rows, columns[::-1], rows[::-1], columns)  # each side's, from its edge in
    for side in range(4):  # top, right, bottom, left (np.rot90's turns)
        depth = _depth(lines[side])
        if depth:
            np.rot90(painted, side)[:depth] |= np.rot90(dark, side)[:depth]
    if not painted.any():
        return image
    pixels = np.asarray(image).copy()
    colour = np.median(pixels[~dark], axis=0) if (~dark).any() else paper
    pixels[painted] = colour
    return Image.fromarray(pixels, image.mode)


def _depth(shares: np.ndarray) -> int:
    """How many lines from the edge a border takes (0: none), given each line's dark share:
    its full lines from the edge, at most `border_deepest` of it."""
    settings = tuned()
    deepest = int(settings.border_deepest * len(shares))
    full = 0
    while full < deepest and shares[full] >= settings.border_full:
        full += 1
    if full == 0 or shares[full] >= settings.border_full:  # none, or deeper: a desk, say
        return 0
    return full
