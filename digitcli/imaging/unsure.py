"""Whether one digit the classifier is unsure of is no digit at all: a letter, a sign, a
thing the letters network half takes for none.

The letters network (`digitcli.imaging.letters`) refuses a 28x28 it is `letters_sure` of; below
that, a letter it leans to (an Arabic word, a Greek beta, a lamp on a table) was answered
the digit the classifier, itself unsure, liked best. The two chances together tell them apart
where neither does alone: real digits the letters network leans to are read surely, and
letters it leans to are not. `unsure.tflite` (built by `bench/build/make_unsure.py` from the
real development pictures, made non-digits, other writers' digits and the MNIST training
digits the bundled classifier never learnt; its fits record names them, its seed and its
command) weighs the two, each as its log-odds, and says whether the picture holds no digit.
It weighs the answer of whichever classifier answers (the bundled one's, it learnt). It runs
through LiteRT (`digitcli.core.litert`), loaded on first use.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.imaging import networks

MODEL = Path(__file__).parent / "unsure.tflite"
FITS = networks.FITS  # it learnt the letters network's chances on the 28x28s these make
CLASSES = ("a digit", "no digit")  # what the network tells apart, in its order
DIGIT, NONE = range(len(CLASSES))


def features(letters: float, probabilities: np.ndarray) -> np.ndarray:
    """What the network weighs: the log-odds of the letters network's chance that the 28x28
    is no digit (`letters`), and of the classifier's likeliest digit (`probabilities`, its
    ten chances), float32."""
    edge = np.finfo(np.float32).eps  # kept off 0 and 1: the log-odds stay finite
    chances = np.clip([letters, float(np.max(probabilities))], edge, 1 - edge)
    return np.log(chances / (1 - chances)).astype(np.float32)


def not_a_digit(letters: float, probabilities: np.ndarray) -> bool:
    """Whether the picture of one digit whose 28x28 the letters network finds no digit at
    chance `letters` and the classifier reads as `probabilities` holds no digit."""
    return refused(features(letters, probabilities))


def refused(weighed: np.ndarray) -> bool:
    """Whether the network takes the picture whose `features` are `weighed` for no digit."""
    found = networks.network(MODEL)(weighed[np.newaxis])
    return int(np.argmax(found[0])) == NONE
