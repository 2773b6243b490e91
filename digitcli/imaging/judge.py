"""What the ink found on a picture of paper is: one digit, blank paper, lines or a page, or
several digits.

The preparation finds ink on a photo or scan of paper by its contrast alone; a shadow's or a
fold's edge, a desk beyond the paper, ruled lines, a page of writing or a whole number have
contrast too. A small network (`judge.tflite`, built by `bench/build/make_judge.py` from made
pictures of every kind, MNIST's digits and real pictures people made) looks at the picture
less its background with the ink kept marked, and says which. It replaced hand-tuned rules
that each fitted one generator of blank pictures. It is asked about every picture of paper
whose ink was found (`digitcli.imaging.verdict`); what is not a digit at all (a letter, a
sign, a drawing) the letters network says (`digitcli.imaging.letters`). It runs through
LiteRT (`digitcli.core.litert`), loaded on first use.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.imaging import networks, orderstats
from digitcli.imaging.fitting import in_square
from digitcli.imaging.morphology import Box, bounds

MODEL = Path(__file__).parent / "judge.tflite"
# The settings the judge fits: it was trained on what the preparation they make keeps.
FITS = networks.FITS
VERDICTS = ("digit", "blank", "lines", "several")  # the network's classes, in its order
DIGIT, BLANK, LINES, SEVERAL = range(len(VERDICTS))

_model: Path = MODEL  # the judge consulted (`use_model`)


def view(flat: np.ndarray, kept: np.ndarray, side: int) -> np.ndarray:
    """(side, side, 3) float32 of a picture less its background (`flat`, ink bright, grey
    levels) and the ink kept (`kept`, a mask), shrunk to fit with the aspect kept, centred on
    black: the grey levels over 255, over the kept ink's own level (a pale picture's faint
    ink), and the kept mask. `side`: the network's input's (as `polarity.view`'s)."""
    grey = np.clip(flat, 0, 255).astype(np.float32)
    level = orderstats.percentile(grey[kept], 80) if kept.any() else 255.0
    small = in_square(grey, side)
    mask = in_square(kept.astype(np.float32), side)
    return np.dstack([small / 255.0, np.minimum(small / max(level, 1.0), 1.0), mask])


def closer(kept: np.ndarray) -> Box | None:
    """The square around the ink `kept` the judge is shown again, where, shown a whole long
    picture, it takes the ink for several digits: as wide as the picture's shorter side (or
    the ink's longer side, where longer), centred on the ink and moved inside the picture. A
    digit small in a cell twenty times as wide is a few of the view's pixels, too few to tell
    one digit from two. None where it is the whole picture, or there is no ink."""
    box = bounds(kept)
    height, width = kept.shape
    if box is None:
        return None
    side = max(box[0].stop - box[0].start, box[1].stop - box[1].start, min(height, width))
    if side >= max(height, width):
        return None
    return _span(box[0], side, height), _span(box[1], side, width)


def _span(along: slice, side: int, length: int) -> slice:
    """`side` pixels (at most `length`) centred on `along`, moved inside 0..`length`."""
    side = min(side, length)
    start = min(max((along.start + along.stop - side) // 2, 0), length - side)
    return slice(start, start + side)


def probabilities(flat: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """The judge's probability of each of its VERDICTS for the ink `kept` on `flat`
    (`view`, as large as the network's input)."""
    network = networks.network(_model)
    return network(view(flat, kept, network.side)[np.newaxis])[0]


def use_model(path: Path | None) -> None:
    """Consult the judge in `path` from now on (None: the shipped one): a benchmark scoring
    judges trained without part of its pictures."""
    global _model
    _model = MODEL if path is None else Path(path)
