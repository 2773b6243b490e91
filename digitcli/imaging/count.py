"""Whether the one group of ink the preparation made into a 28x28 is several digits written
close together or into each other (a "42" in a form's cell, a "97" on a slip), told on the
28x28 itself.

The preparation's pieces count digits that stand apart (`pieces`); digits that touch are one
piece to them. On the 28x28, fitted as MNIST's digits are, one digit fills the height and
several are small and wide: `count.tflite` (built by `bench/build/make_count.py` from MNIST's
training digits, one digit or two and three written close or into each other, a cell's rule
beside the ink in three tenths of them; its fits record names its seed and command) answers
the chance that the 28x28 is several digits. At the preparation's `several_sure` or more the
picture is several digits (`images.prepare`), which `read` reads. It replaced a rule on the
ink's shape (twice as wide as high, crossing a tenth of its columns twice). It runs through
LiteRT, loaded on first use.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.imaging import networks
from digitcli.imaging.settings import tuned

MODEL = Path(__file__).parent / "count.tflite"
FITS = networks.FITS  # it learnt the 28x28s these settings make


def chance(pixels: np.ndarray) -> float:
    """The chance that `pixels` (uint8 28x28, white ink on black, as `images.prepare` makes
    them) is several digits."""
    return networks.chance(MODEL, pixels)


def sure(found: float) -> bool:
    """Whether a 28x28 `chance` found is taken for several digits (at `several_sure` or more)."""
    return found >= tuned().several_sure
