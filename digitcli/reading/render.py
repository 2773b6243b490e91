"""The pixels of candidates: a span of atoms' own ink, fitted as each reader sees it.

A candidate digit's ink alone (other digits' ink and printed lines left out), which
`digitcli.reading.segment` fits into 28x28 as `predict` fits a digit; the whole line's into
STRIP_SHAPE for `digitcli.reading.lines`.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from digitcli.imaging.images import dilate
from digitcli.reading.atoms import Atom
from digitcli.reading.lines import STRIP_SHAPE
from digitcli.reading.settings import tuned


def line_strips(
    ink: np.ndarray, height: float, digits: tuple[float, float]
) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """The line's ink (`span_ink` of all its atoms) as strips for the line reader, (k, 32, 256):
    scaled so that `strip_span` line heights fill a strip's height, centred on the ink's middle
    row (`_middle`), left-aligned; a line longer than one strip is cut into pieces that fit
    (`_pieces`). With them, each strip's first ink column and ink columns per strip column.
    `digits`: the rows of `ink` a digit of the line runs between (its top and bottom)."""
    scale = STRIP_SHAPE[0] / (tuned().strip_span * height)
    middle = _middle(ink, STRIP_SHAPE[0] / scale, digits)
    strips, places = [], []
    for start, stop in _pieces(ink, int(STRIP_SHAPE[1] / scale)):
        width = strip_width(stop - start, height)
        strips.append(_strip(ink[:, start:stop], scale, middle, width))
        places.append((start, (stop - start) / width))
    return np.stack(strips), places


def _middle(ink: np.ndarray, holds: float, digits: tuple[float, float]) -> float:
    """The row a strip `holds` rows of ink high is centred on: halfway between the ink's first
    and last rows; where the ink is taller than that, halfway between the rows its `digits`
    run between. A cell's side running the line's whole height (a turned page's) and a rule
    under the digits (a register cell's) put the middle of the other rows, or of the rows
    holding the most ink, far from the digits, and they were cut off at the strip's edge."""
    rows = np.flatnonzero(ink.any(axis=1))
    if rows[-1] - rows[0] + 1 > holds:
        return 0.5 * (digits[0] + digits[1])
    return 0.5 * (rows[0] + rows[-1])


def _pieces(ink: np.ndarray, most: int) -> list[tuple[int, int]]:
    """The ink's columns in runs [start, stop) of at most `most`, each cut at the column of
    least ink (a gap between digits) in the second half of what fits."""
    profile = ink.sum(axis=0)
    pieces, start = [], 0
    while len(profile) - start > most:
        window = profile[start + most // 2 : start + most]
        cut = start + most // 2 + len(window) - 1 - int(np.argmin(window[::-1]))
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(profile)))
    return pieces


def _strip(ink: np.ndarray, scale: float, middle: float, width: int) -> np.ndarray:
    h = ink.shape[0]
    tall = max(1, round(h * scale))
    patch = Image.fromarray(ink.astype(np.float32), "F").resize(
        (width, tall), Image.Resampling.BILINEAR
    )
    out = np.zeros(STRIP_SHAPE, np.float32)
    top = round(STRIP_SHAPE[0] / 2 - middle * scale)
    src = np.asarray(patch)
    y0, y1 = max(0, top), min(STRIP_SHAPE[0], top + tall)
    out[y0:y1, :width] = src[y0 - top : y1 - top]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def strip_width(width: int, height: float) -> int:
    """How many of the strip's columns a line's ink `width` px wide fills."""
    span = tuned().strip_span * height
    return max(1, min(STRIP_SHAPE[1], round(width * STRIP_SHAPE[0] / span)))


def span_ink(
    atoms: list[Atom], flat: np.ndarray, taken: np.ndarray, level: float
) -> tuple[np.ndarray | None, tuple[int, int, int, int]]:
    """These atoms' ink alone (0-255, other digits' ink and printed lines left out; None if
    there is none) and its box (right, bottom exclusive) in the work frame. The ink is already
    known here, so a candidate digit is this fitted into 28x28 as `predict` fits a digit's,
    the rest of `prepare` (finding it) skipped, four times faster."""
    ys = np.concatenate([a.ys for a in atoms])
    xs = np.concatenate([a.xs for a in atoms])
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    pad = tuned().ink_pad
    y0, x0 = max(0, top - pad), max(0, left - pad)
    y1, x1 = min(flat.shape[0], bottom + pad), min(flat.shape[1], right + pad)
    own = np.zeros((y1 - y0, x1 - x0), bool)
    own[ys - y0, xs - x0] = True
    near = dilate(own, 1)
    near &= ~taken[y0:y1, x0:x1] | own  # anti-aliased edges, but not another digit's ink
    ink = flat[y0:y1, x0:x1] * near
    box = (int(left), int(top), int(right), int(bottom))
    if not ink.any():
        return None, box
    return np.clip(ink * (255.0 / level), 0.0, 255.0), box
