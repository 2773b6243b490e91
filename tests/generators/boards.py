"""Made pictures of noughts-and-crosses boards, for `bench/build/make_judge.py`'s "lines" class:
a grid of pen lines with X and O in some of its cells is no digit, however like a 0 or a 1
each of its marks is (the desk photos' boards were answered a digit, round 70).

A board: two lines each way drawn by hand (overshooting, trembling, a little askew) or a
printed 3x3 box with its frame, a title above it now and then; X and O in 0 to 9 of its cells.
A picture holds one board, or two to four smaller ones side by side (a page of games). Each is
drawn with `nondigits.py`'s pen (a wobble, a slant, any width) in its scenes on paper: `paper`,
`desk`, `corner`, `page` and `sheet` (`CHECK_SCENE`, `screen`, is never drawn: the judge is
checked on it); light ink on a dark ground a tenth of the time, as there.

    python tests/generators/boards.py --n 600 --seed 70 --out DIR
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

import nondigits

SCENES = ("paper", "desk", "corner", "page", "sheet")
CELL = 96  # px a cell is drawn at, before the board is sized to its picture
TITLES = ("TIC TAC TOE", "TIC TAC TOE BOARD", "NOUGHTS AND CROSSES", "GAME 1", "X O")


def _stroke(rng: np.random.Generator, canvas: np.ndarray, points, pen: int) -> None:
    """A pen's stroke through `points` (px): `nondigits`' trembling hand, at a board's scale."""
    nondigits.trembling_stroke(rng, canvas, points, pen, spacing=4, tremor=0.5)


def _mark(rng: np.random.Generator, canvas: np.ndarray, x: float, y: float, pen: int) -> None:
    """An X or an O about the middle of the cell whose top left corner is (x, y)."""
    size = CELL * rng.uniform(0.35, 0.75)
    cx = x + CELL / 2 + rng.uniform(-0.12, 0.12) * CELL
    cy = y + CELL / 2 + rng.uniform(-0.12, 0.12) * CELL
    if rng.random() < 0.5:
        for sign in (-1, 1):
            a = (cx - size / 2, cy + sign * size / 2 * rng.uniform(0.8, 1.2))
            b = (cx + size / 2, cy - sign * size / 2 * rng.uniform(0.8, 1.2))
            _stroke(rng, canvas, [a, b], pen)
    else:
        t = np.linspace(0, 2 * np.pi * rng.uniform(1.0, 1.15), 40) + rng.uniform(0, 2 * np.pi)
        rx, ry = size / 2, size / 2 * rng.uniform(0.75, 1.2)
        _stroke(rng, canvas, np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], 1), pen)


def _one_board(rng: np.random.Generator) -> np.ndarray:
    """Ink coverage (0-1) of one board at CELL px a cell, its marks in some cells."""
    pen = int(rng.integers(2, 9))
    margin = CELL
    title = rng.random() < 0.2
    top = margin + (CELL if title else 0)
    canvas = np.zeros((top + 3 * CELL + margin, 3 * CELL + 2 * margin), np.float32)
    if title:
        text = str(rng.choice(TITLES))
        cv2.putText(canvas, text, (margin // 2, margin + CELL // 2), cv2.FONT_HERSHEY_SIMPLEX,
                    1.4, 1.0, 3, cv2.LINE_AA)  # fmt: skip
    left, skew = margin, rng.uniform(-0.08, 0.08)
    if rng.random() < 0.3:  # printed: a framed 3x3 box of straight lines
        for k in range(4):
            at = k * CELL
            cv2.line(canvas, (left + at, top), (left + at, top + 3 * CELL), 1.0, pen)
            cv2.line(canvas, (left, top + at), (left + 3 * CELL, top + at), 1.0, pen)
    else:  # by hand: two lines each way, overshooting, a little askew
        for k in (1, 2):
            over = CELL * rng.uniform(0.0, 0.4, 4)
            x = left + k * CELL + rng.uniform(-0.1, 0.1) * CELL
            bottom = (x + skew * 3 * CELL, top + 3 * CELL + over[1])
            _stroke(rng, canvas, [(x, top - over[0]), bottom], pen)
            y = top + k * CELL + rng.uniform(-0.1, 0.1) * CELL
            right = (left + 3 * CELL + over[3], y - skew * 3 * CELL)
            _stroke(rng, canvas, [(left - over[2], y), right], pen)
    marks = rng.permutation(9)[: int(rng.integers(0, 10))]
    for cell in marks:
        _mark(rng, canvas, left + (cell % 3) * CELL, top + (cell // 3) * CELL, max(2, pen - 1))
    return np.clip(canvas, 0, 1)


def boards(rng: np.random.Generator, side: int) -> np.ndarray:
    """Ink coverage (0-1) about `side` px a side: one board, or two to four side by side."""
    count = 1 if rng.random() < 0.6 else int(rng.integers(2, 5))
    drawn = [nondigits._cropped(_one_board(rng)) for _ in range(count)]
    height = max(board.shape[0] for board in drawn)
    gap = int(CELL * rng.uniform(0.5, 2.0))
    rows = [drawn[:2], drawn[2:]] if count > 2 else [drawn]
    width = max(sum(b.shape[1] for b in row) + gap * (len(row) - 1) for row in rows)
    page = np.zeros((len(rows) * (height + gap), width), np.float32)
    for r, row in enumerate(rows):
        x = 0
        for board in row:
            y = r * (height + gap) + int(rng.integers(0, height - board.shape[0] + 1))
            page[y : y + board.shape[0], x : x + board.shape[1]] = board
            x += board.shape[1] + gap
    return nondigits._sized(rng, nondigits._cropped(page), side)


def pictures(n: int, seed: int):
    """`n` pictures of boards, the scenes (`SCENES`) taking turns: (picture, scene) pairs."""
    rng = np.random.default_rng(seed)
    for i in range(n):
        scene = SCENES[i % len(SCENES)]
        yield nondigits.picture(rng, scene, lambda side: boards(rng, side)), scene


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=24)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for i, (image, scene) in enumerate(pictures(args.n, args.seed)):
        image.save(args.out / f"{i:04d}_{scene}_board.png")


if __name__ == "__main__":
    main()
