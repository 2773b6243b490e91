"""Barcodes, drawn by code: a row of printed bars of one height, no digit.

A barcode is 30-95 modules wide (EAN-13 is 95), bars and spaces of one to four modules each,
starting and ending with a bar, its guard bars at each end and, where it has them, in its
middle drawn a little longer as EAN's are; the bars stand `HEIGHT` of a digit's height and the
code `ASPECT` times as wide as it is high, drawn 4 times larger and shrunk (grey edges).
Each bar is printed: straight, dark and sharp, as a printer leaves it.

`read` read such a row of bars as a number of 1s (`1111111111111111`, issue 86), and `predict`
as several digits; `bench/build/make_line_reader.py --sources barcode` writes these for the line
reader's letter class: a row of bars is no number. Its letters (`written`'s boxes) are equal
parts of the code's width, about one and a half to its height, each labelled a letter.
"""

from __future__ import annotations

import cv2
import numpy as np

MODULES = (30, 95)  # modules across the code, at least and at most
WIDEST = 4  # modules a bar or a space spans at most
HEIGHT = (0.9, 2.0)  # the bars' height, as a share of a digit's height
ASPECT = (1.2, 4.0)  # the code's width, as a share of its bars' height
GUARD = (0.0, 0.12)  # guard bars reach this share of the bars' height further down
LETTERS = (3, 8)  # letters the code's width is labelled as, at least and at most ...
LETTERS_PER_HEIGHT = 1.5  # ... about this many to each bars' height of its width: the line
# reader reads a column in 4 px of a strip a line height 20 px high, and CTC needs a column
# between two letters alike
DRAWN_LARGER = 4


def modules(rng: np.random.Generator) -> np.ndarray:
    """The code's modules (True: a bar), starting and ending with a bar: runs of one to
    `WIDEST` modules, bars and spaces in turn."""
    count = int(rng.integers(MODULES[0], MODULES[1] + 1))
    runs, total = [], 0
    while total < count:
        run = int(rng.integers(1, WIDEST + 1))
        runs.append(run)
        total += run
    if len(runs) % 2 == 0:  # an odd number of runs: a bar at each end
        runs.append(int(rng.integers(1, WIDEST + 1)))
    return np.repeat(np.arange(len(runs)) % 2 == 0, runs)


def written(digit_h: float, rng: np.random.Generator) -> tuple[np.ndarray, list[list[int]]]:
    """A barcode as ink coverage (0-1), its bars `HEIGHT` of `digit_h`, and the boxes
    [left, top, right, bottom] of the letters it is labelled as (equal parts of its width)."""
    bars = modules(rng)
    high = digit_h * rng.uniform(*HEIGHT) * DRAWN_LARGER
    module = max(1, round(high * rng.uniform(*ASPECT) / len(bars)))
    guard = round(high * rng.uniform(*GUARD))
    big = np.zeros((round(high) + guard, module * len(bars)), np.uint8)
    guards = _guards(len(bars), rng)
    for place in np.flatnonzero(bars):
        bottom = big.shape[0] if place in guards else round(high)
        big[:bottom, place * module : (place + 1) * module] = 255
    size = (max(1, big.shape[1] // DRAWN_LARGER), max(1, big.shape[0] // DRAWN_LARGER))
    ink = cv2.resize(big, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    count = int(np.clip(round(size[0] / max(1.0, size[1]) * LETTERS_PER_HEIGHT), *LETTERS))
    edges = np.linspace(0, size[0], count + 1).round().astype(int)
    boxes = [[int(a), 0, int(b), size[1]] for a, b in zip(edges[:-1], edges[1:], strict=True)]
    return ink, boxes


def _guards(count: int, rng: np.random.Generator) -> set[int]:
    """The modules of the guard bars drawn longer: the first and last three, and the middle
    five, as EAN's (none, for a code without them)."""
    if rng.random() < 0.5:
        return set()
    middle = count // 2
    return {0, 1, 2, count - 3, count - 2, count - 1, *range(middle - 2, middle + 3)}
