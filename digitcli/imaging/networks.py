"""The preparation's networks (the first look, the colours, the judge, the writing, the
letters and the count networks): each LiteRT file is loaded once a process, on first use,
and refused unless it was built for this preparation's settings (`core.fits`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from digitcli.core.litert import Runner
from digitcli.imaging import settings as preparation

FITS = {"preparation": preparation.DEFAULT}  # what each of them learnt depends on


@cache
def network(path: Path) -> Runner:
    """The network in `path`, one LiteRT thread per interpreter (`Runner`)."""
    return Runner(path, stages=("preparation",), fits=FITS, threads=1)


def chance(path: Path, pixels: np.ndarray) -> float:
    """The one chance the network in `path` answers for `pixels`, a 28x28 (uint8, white ink
    on black) as `images.prepare` makes them: the letters and the count networks'."""
    batch = (pixels.astype(np.float32) / 255.0)[np.newaxis, :, :, np.newaxis]
    return float(network(path)(batch)[0, 0])


def leans(found: float) -> bool:
    """Whether a network's chance `found` takes its class for likelier than the other (even
    odds or more): several digits to the count network, no digit to the letters network."""
    return found >= 1.0 - found
