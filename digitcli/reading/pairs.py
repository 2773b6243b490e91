"""Which two touching digits is a wide span of `read`'s segmentation? A small network that knows.

Where two handwritten digits touch or overlap, no cut parts them cleanly: the digit classifier
then reads the pair as one digit (a 4 pressed against a 4 is "a 4") or reads two maimed halves.
This network reads a run of touching pieces as wide as two digits (`segment.Line.pairs`, 28x56
pixels) as a whole: whether it is two digits, which is on the left and which on the right. It
was trained on the pair candidates `segment.py` finds in numbers written with MNIST *training*
digits (`bench/make_pairs.py`); `best_reading` weighs its readings against those of single
digits. It runs through LiteRT, like the classifier, ~0.17 ms a pair. What it adds,
measured: docs/reading-numbers.md.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from digitcli.reading.segment import Line

MODEL = Path(__file__).parent / "pairs.tflite"
PAIR_COST = 3.0  # log-probability a reading pays for two digits read as one pair (tuning set)
# A single digit read over exactly a pair's span is doubted by that much of ln P(not a pair)
# (chosen on the read benchmark's tuning set).
PAIR_DOUBT = 0.5
# What the network gives for each pair: P(two digits), then the left digit's ten
# probabilities, then the right one's.
OUTPUTS = 21
LEFT, RIGHT = slice(1, 11), slice(11, 21)


@cache
def _reader():
    from digitcli.core.fits import require
    from digitcli.models.runtimes.litert import TFLiteFunction

    require(MODEL, ("preparation", "segmentation"))
    return TFLiteFunction(MODEL)


def read_pairs(pixels: np.ndarray) -> np.ndarray:
    """(n, 28, 56) uint8 pixels -> (n, OUTPUTS)."""
    if len(pixels) == 0:
        return np.zeros((0, OUTPUTS), np.float32)
    return _reader()(pixels)  # cast to the model's input type on the way in


def pair_scores(outputs: np.ndarray) -> np.ndarray:
    """The log-probability of each pair's likeliest reading, less PAIR_COST."""
    outputs = np.maximum(outputs, 1e-12)
    left, right = outputs[:, LEFT].max(axis=1), outputs[:, RIGHT].max(axis=1)
    return np.log(outputs[:, 0]) + np.log(left) + np.log(right) - PAIR_COST


def doubt(line: Line, outputs: np.ndarray) -> np.ndarray:
    """For each of `line.candidates`, PAIR_DOUBT x ln P(not a pair) of the pair over exactly
    its atoms, or 0 where there is none: added to its log-probability of being one digit."""
    spans = {(pair.start, pair.stop): index for index, pair in enumerate(line.pairs)}
    out = np.zeros(len(line.candidates), np.float32)
    for index, candidate in enumerate(line.candidates):
        pair = spans.get((candidate.start, candidate.stop))
        if pair is not None:
            out[index] = PAIR_DOUBT * np.log(max(1.0 - float(outputs[pair, 0]), 1e-6))
    return out


def pair_digits(output: np.ndarray) -> tuple[tuple[int, float], tuple[int, float]]:
    """The left and right digits of one pair's output, each with its confidence: its own
    probability times the square root of the pair's (so that their product is the reading's)."""
    share = float(np.sqrt(max(output[0], 0.0)))
    left, right = output[LEFT], output[RIGHT]
    a, b = int(np.argmax(left)), int(np.argmax(right))
    return (a, share * float(left[a])), (b, share * float(right[b]))
