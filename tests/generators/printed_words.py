"""Words printed by hand, drawn by code: letters in a stroke font, shaken as a pen shakes.

A word is 3-8 letters, lower case, capitalised or in capitals, of the letters that are not
written like a digit in either case (`LETTERS`: no O or D for a 0, I or l for a 1, S for a 5,
Z for a 2, B for an 8, b or G for a 6, g or q for a 9, T for a 7). It is drawn in one of
OpenCV's Hershey faces, upright or italic, 4 times larger with a round pen, then bent by a
smooth random field (a hand's wobble) and shrunk.

`read`'s line reader read such words (`hello`, `house`) as numbers (1780, 170458) where it had
learnt only words written as numbers are, letter by letter, and words joined up
(`bench/build/make_line_reader.py --sources printed` writes these).
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np

LETTERS = "acefhjkmnpruvwxy"  # in lower case and in capitals alike
FACES = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_PLAIN,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
)
LENGTH = (3, 8)  # letters in a word, at least and at most
HEIGHT = (0.5, 0.9)  # a capital's height, as a share of a digit's height
PEN = (0.05, 0.12)  # the pen's width, as a share of a capital's height
ITALIC = 0.3  # the chance of the italic face
WOBBLE = 0.06  # the hand's wobble at most, as a share of a capital's height
DRAWN_LARGER = 4


def word(rng: np.random.Generator) -> str:
    """3-8 letters of `LETTERS`: lower case, capitalised or in capitals."""
    letters = rng.choice(list(LETTERS), int(rng.integers(LENGTH[0], LENGTH[1] + 1)))
    text = "".join(letters)
    case = rng.random()
    return text.capitalize() if case < 0.25 else text.upper() if case < 0.4 else text


def written(digit_h: float, rng: np.random.Generator) -> tuple[np.ndarray, list[list[int]]]:
    """A printed word as ink coverage (0-1), its capitals `HEIGHT` of `digit_h`, and each
    letter's box [left, top, right, bottom] (the word's height)."""
    text = word(rng)
    face = int(FACES[rng.integers(len(FACES))]) | (cv2.FONT_ITALIC if rng.random() < ITALIC else 0)
    cap = digit_h * rng.uniform(*HEIGHT) * DRAWN_LARGER
    pen = max(1, round(cap * rng.uniform(*PEN)))
    scale = cap / cv2.getTextSize("H", face, 1.0, pen)[0][1]
    (width, height), below = cv2.getTextSize(text, face, scale, pen)
    margin = pen + int(0.2 * cap)
    big = np.zeros((height + below + 2 * margin, width + 2 * margin), np.uint8)
    cv2.putText(big, text, (margin, margin + height), face, scale, 255, pen, cv2.LINE_AA)
    big = _wobbled(big, WOBBLE * cap, rng)
    size = (big.shape[1] // DRAWN_LARGER, big.shape[0] // DRAWN_LARGER)
    ink = cv2.resize(big, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    edges = [margin + cv2.getTextSize(text[:i], face, scale, pen)[0][0] for i in range(len(text))]
    edges = [*edges, margin + width]
    boxes = [[a // DRAWN_LARGER, 0, b // DRAWN_LARGER + 1, size[1]]
             for a, b in itertools.pairwise(edges)]  # fmt: skip
    return ink, boxes


def _wobbled(big: np.ndarray, most: float, rng: np.random.Generator) -> np.ndarray:
    """`big` bent by a smooth random field of at most about `most` px each way."""
    height, width = big.shape
    coarse = rng.uniform(-most, most, (2, 4, max(2, width * 4 // max(height, 1))))
    field = [cv2.resize(c.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
             for c in coarse]  # fmt: skip
    x, y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return cv2.remap(big, x + field[0], y + field[1], cv2.INTER_LINEAR)
