"""Whether the one digit the preparation made is not a digit at all: a letter of any script, a
sign or a drawing (issue 86), told on the 28x28 picture the digit model is fed.

The judge (`digitcli.imaging.judge`) looks at the ink on its paper, before the 28x28 exists;
at that size a handwritten letter differs from a digit where a 48x48 view of its layout does
not. `letters.tflite` (built by `bench/build/judge_small.py` from MNIST's training digits,
digits and non-digits drawn by code, letters printed with a marker among them, real
handwritten characters of eight scripts from Omniglot, real handwritten Latin letters from
CHoiCe, real handwritten letters, mathematical signs and digits from CROHME, letters and
digits written on paper, NIST's handwritten letters and real handwritten Arabic words
(`bench/build/real_letters.py`), words written joined up drawn by code, upright and turned a
quarter, and digits written into each other, which stay digits; its fits record names them,
its seeds and its command) answers the chance that the 28x28 is not
a digit: the mean of two small networks trained alike from two seeds, in one file (16-bit
weights). At the preparation's `letters_sure` or more, `images.prepare` refuses the picture
as not a digit (`verdict.NOT_A_DIGIT`). It runs through LiteRT (`digitcli.core.litert`),
loaded on first use.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.imaging import networks
from digitcli.imaging.settings import tuned

MODEL = Path(__file__).parent / "letters.tflite"
FITS = networks.FITS  # it learnt the 28x28s these settings make


def chance(pixels: np.ndarray) -> float:
    """The chance that `pixels` (uint8 28x28, white ink on black, as `images.prepare` makes
    them) is not a digit."""
    return networks.chance(MODEL, pixels)


def sure(found: float) -> bool:
    """Whether the letters network's `chance` (`found`) takes a 28x28 for no digit: at
    `letters_sure` or more."""
    return found >= tuned().letters_sure
