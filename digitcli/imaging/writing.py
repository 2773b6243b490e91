"""Which pieces of the ink kept for a digit are writing: a shadow's band beside a thin digit is
ink to the thresholds, and the digit model reads the two as one (a 0 beside a shadow's edge
was a 2).

The preparation keeps a digit's pieces by rules of size and place (`digitcli.imaging.pieces`).
Where it keeps several, a small network (`writing.tflite`, built by
`bench/build/make_writing.py` from the pieces of scenes of paper whose strokes are known, of
paper under shadows, MNIST's training digits enlarged onto paper and the pieces the rules keep
on real pictures people made; its fits record names its data, seeds and command) looks at
each piece twice, close up and in the whole picture, and answers the chance that it is no
writing. Those it is sure of (0.5 or more: the export's bias puts the network's 0.9 there)
are left out of the 28x28 the digit model reads, never the one it is least sure of: a shadow
the rules took for the digit goes, the digit beside it stays. Where it is sure of every one,
there is no writing at all (a desk's edge and a wedge of the desk beyond a blank sheet): the
picture is blank (docs/measurements/preparation.md, "Round 88"). What else the picture holds
(the judge, the count of digits) is decided on the ink as kept; the letters network is asked
of it and of the 28x28 read (`images._told`: a cross left alone is no digit). It runs
through LiteRT (`digitcli.core.litert`), loaded on first use.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from digitcli.imaging import networks, orderstats
from digitcli.imaging.fitting import in_square
from digitcli.imaging.settings import tuned

MODEL = Path(__file__).parent / "writing.tflite"
FITS = networks.FITS  # it learnt the pieces these settings keep


def writing_pieces(flat: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """`kept` (a mask over `flat`, the picture less its background) less its pieces the network
    takes for no writing; `kept` itself where it is one piece or every piece is kept; no piece
    at all where the network takes each of several for none (no writing: blank paper). Else,
    of the pieces that are no specks (`speck_area` of the largest's area or more, as the rules
    count them), the one the network is least sure of is always kept: the digit beside a
    shadow's band stays. (One piece alone is not asked: a faint digit cropped close was no
    writing to the network, 50 of 300 of `robustness.py`'s `faint`; taught such digits, it
    gave up shadows: docs/measurements/preparation.md, rounds 88 and 89.)"""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(kept.view(np.uint8), connectivity=8)
    if count <= 2:  # (label 0 is the background)
        return kept
    runner = networks.network(MODEL)
    chance = runner.run(views(flat, labels, stats, runner.side))[:, 0]
    sure = chance >= 0.5
    if sure.all():
        return np.zeros_like(kept)
    area = stats[1:, cv2.CC_STAT_AREA]
    sized = np.flatnonzero(area >= tuned().speck_area * area.max())
    sure[sized[np.argmin(chance[sized])]] = False
    if not sure.any():
        return kept
    return kept & ~np.isin(labels, np.flatnonzero(sure) + 1)


def views(flat: np.ndarray, labels: np.ndarray, stats: np.ndarray, side: int) -> np.ndarray:
    """(pieces, side, side, 6) float32: each piece of `labels` (numbered from 1; `stats`, their
    boxes as `cv2.connectedComponentsWithStats` gives them, the background's first) seen close
    up and in the whole picture, each view as the ink's grey level over its strokes' level,
    the piece, and the other pieces."""
    count = len(stats)
    kept = labels > 0
    level = max(orderstats.percentile(flat[kept], 80), 1.0)
    grey = np.clip(flat / level, 0.0, 1.0).astype(np.float32)
    all_ink = kept.astype(np.float32)
    whole_grey, whole_all = _square(grey, side), _square(all_ink, side)
    out = np.zeros((count - 1, side, side, 6), np.float32)
    for index in range(1, count):
        piece = (labels == index).astype(np.float32)
        whole_piece = _square(piece, side)
        out[index - 1, ..., 3:] = np.dstack([whole_grey, whole_piece, whole_all - whole_piece])
        window = _around(labels.shape, stats[index])
        close = [_square(plane[window], side) for plane in (grey, piece, all_ink)]
        out[index - 1, ..., :3] = np.dstack([close[0], close[1], close[2] - close[1]])
    return out


def _around(shape: tuple[int, ...], box: np.ndarray) -> tuple[slice, slice]:
    """A square window half again as wide as a piece's `box` (x, y, w, h), centred on it,
    within a picture of `shape`."""
    x, y, w, h = box[:4]
    half = (3 * max(w, h)) // 4 + 2
    cy, cx = y + h // 2, x + w // 2
    rows = slice(max(0, cy - half), min(shape[0], cy + half))
    cols = slice(max(0, cx - half), min(shape[1], cx + half))
    return rows, cols


def _square(plane: np.ndarray, side: int) -> np.ndarray:
    """`fitting.in_square`, a small piece's close-up enlarged smoothly."""
    return in_square(plane, side, enlarge=cv2.INTER_LINEAR)
