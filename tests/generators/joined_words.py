"""Words written joined up, drawn by code: one pen path through letter-like shapes, no digit.

A word is 3-8 letters, each a shape a cursive hand makes between two points on its baseline
(`SHAPES`: a hump as in n, a cup as in u, a loop up as in l or down as in g, a ring, a small
loop as in e, teeth and a long flat stroke as in Arabic, a tall stem, a hook below), the pen
lifted now and then (1-3 pieces), dots above or below some letters. The path is smoothed
(Chaikin's corner cutting), slanted and drawn with a round pen, 4 times larger, then shrunk.

`read`'s line reader reads such a word as digits where it has learnt only words written as
numbers are, letter by letter (`bench/build/make_line_reader.py --sources joined` writes them).
"""

from __future__ import annotations

import cv2
import numpy as np

SHAPES = ("hump", "cup", "loop_up", "loop_down", "ring", "e", "teeth", "flat", "stem", "hook")
LETTERS = (3, 8)  # letters in a word, at least and at most
X_HEIGHT = (0.35, 0.6)  # a letter's body, as a share of a digit's height
PEN = (0.06, 0.16)  # the pen's width, as a share of a digit's height
LIFTED = 0.2  # the chance the pen lifts after a letter
DOTTED = 0.25  # the chance a low letter has 1-3 dots above or below it
SLANT = 0.35  # the most shear, either way
DRAWN_LARGER = 4


def letter(
    kind: str, x: float, rng: np.random.Generator
) -> tuple[list[tuple[float, float]], float]:
    """The points of one letter of `kind` begun at (x, 0) (x to the right, y up; the baseline
    0, the x-height 1), and where it ends."""
    w, jitter = rng.uniform(0.5, 0.9), rng.normal(0, 0.05)
    if kind == "flat":
        w = rng.uniform(0.8, 2.0)
    high, low = rng.uniform(1.3, 2.4), -rng.uniform(0.7, 1.3)
    shapes = {
        "hump": [(0, 0), (0.1, 0.9 + jitter), (0.5, 1.0), (0.9, 0.6), (1, 0)],
        "cup": [(0, 0.9), (0.15, 0.1), (0.5, jitter), (0.85, 0.2), (1, 0.9 + jitter), (1, 0)],
        "loop_up": [(0, 0), (0.6, 0.8), (0.7, high), (0.35, high - 0.2), (0.4, 0.5), (0.5, 0),
                    (1, 0.1)],
        "loop_down": [(0, 0.2), (0.4, 0.9), (0.6, 0.5), (0.5, low), (0.2, low + 0.2),
                      (0.4, -0.2), (1, 0.2)],
        "ring": [(0, 0.3), *_ring(rng), (1, 0.1)],
        "e": [(0, 0.1), (0.6, 0.5), (0.5, 0.8), (0.2, 0.5), (0.4, 0.05), (1, 0.2)],
        "teeth": _teeth(rng),
        "flat": [(0, 0), (0.5, jitter), (1, 0)],
        "stem": [(0, 0), (0.3, high), (0.35, 0.05), (1, 0)],
        "hook": [(0, 0), (0.5, 0.3), (1, -0.2), (0.6, low + 0.3), (0.1, -0.5)],
    }  # fmt: skip
    return [(x + u * w, v) for u, v in shapes[kind]], x + w


def _ring(rng: np.random.Generator) -> list[tuple[float, float]]:
    turns = np.linspace(0.5 * np.pi, 2.6 * np.pi, 14)
    high = 0.45 * rng.uniform(0.8, 1.2)
    return list(zip(0.5 + 0.45 * np.cos(turns), 0.5 + high * np.sin(turns), strict=True))


def _teeth(rng: np.random.Generator) -> list[tuple[float, float]]:
    count = int(rng.integers(2, 4))
    points = [(0.0, 0.0)]
    for i in range(count):
        points += [((i + 0.5) / count, rng.uniform(0.25, 0.45)), ((i + 1) / count, 0.0)]
    return points


def smoothed(points: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Chaikin's corner cutting: each segment's quarter points, `rounds` times; ends kept."""
    for _ in range(rounds):
        cut = np.empty((2 * len(points) - 2, 2))
        cut[0::2] = 0.75 * points[:-1] + 0.25 * points[1:]
        cut[1::2] = 0.25 * points[:-1] + 0.75 * points[1:]
        points = np.vstack([points[:1], cut, points[-1:]])
    return points


def word(
    rng: np.random.Generator,
) -> tuple[list[np.ndarray], list[tuple[float, float]], list[tuple[float, float]]]:
    """One word's pen paths (smoothed), its dots and each letter's span (x from, x to)."""
    pieces, path, dots, spans, x = [], [], [], [], 0.0
    count = int(rng.integers(LETTERS[0], LETTERS[1] + 1))
    for i, kind in enumerate(rng.choice(SHAPES, count)):
        points, end = letter(str(kind), x, rng)
        path += points
        spans.append((x, end))
        if kind in ("hump", "cup", "e", "teeth", "flat") and rng.random() < DOTTED:
            above = rng.random() < 0.6
            for d in range(int(rng.integers(1, 4))):
                height = (1.5 if above else -0.6) + rng.normal(0, 0.08)
                dots.append((x + (0.3 + 0.25 * d) * (end - x), height))
        x = end
        if kind == "hook" or (i < count - 1 and rng.random() < LIFTED):
            pieces.append(path)
            path, x = [], x + rng.uniform(0.2, 0.6)
    pieces.append(path)
    return [smoothed(np.asarray(p, float)) for p in pieces if len(p) > 1], dots, spans


def written(digit_h: float, rng: np.random.Generator) -> tuple[np.ndarray, list[list[int]]]:
    """A joined-up word as ink coverage (0-1), its letters about `digit_h` px high at most, and
    each letter's box [left, top, right, bottom] (the word's height)."""
    pieces, dots, spans = word(rng)
    x_height = digit_h * rng.uniform(*X_HEIGHT)
    pen = max(1, round(digit_h * rng.uniform(*PEN) * DRAWN_LARGER))
    slant = rng.uniform(-SLANT, SLANT)
    every = np.vstack([*pieces, *([np.asarray(dots)] if dots else [])])
    low, high = every[:, 1].min() - 0.5, every[:, 1].max() + 0.5
    left = every[:, 0].min() - 0.5 + min(0.0, slant) * (high - low)

    def at(points: np.ndarray) -> np.ndarray:  # word units -> pixels of the larger drawing
        x = points[:, 0] - left + slant * (points[:, 1] - low)
        return np.c_[x, high - points[:, 1]] * x_height * DRAWN_LARGER

    right = every[:, 0].max() + 0.5 + max(0.0, slant) * (high - low) - left
    size = (int(right * x_height) + 2, int((high - low) * x_height) + 2)
    big = np.zeros((size[1] * DRAWN_LARGER, size[0] * DRAWN_LARGER), np.uint8)
    for piece in pieces:
        shaken = at(piece + rng.normal(0, 0.02, piece.shape)).astype(np.int32)
        cv2.polylines(big, [shaken], False, 255, pen, cv2.LINE_AA)
    for dot in dots:
        x, y = at(np.asarray([dot]))[0]
        cv2.circle(big, (int(x), int(y)), max(1, int(pen * rng.uniform(0.3, 0.5))), 255, -1)
    ink = cv2.resize(big, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    boxes = [[int((a - left) * x_height), 0, int((b - left) * x_height) + 1, size[1]]
             for a, b in spans]  # fmt: skip
    return ink, boxes
