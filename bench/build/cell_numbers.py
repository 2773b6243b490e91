"""Numbers, single digits and nothing written in a form's cells, photographed or scanned, for
the judge to learn (`make_judge.py --folder several=OUT/several --folder digit=OUT/digit
--folder blank=OUT/blank`): two or three digits in a cell, close or touching, are several
digits, however much of the cell's rules the crop holds; one digit in the same cells is one
digit, and an empty cell blank paper.

    python bench/build/cell_numbers.py --seed 23 --start 20000 --count 1000 --out cells

A cell of a table (15-60 px digits, the cell 1.2-2.6 times as high and 0.8-3 times as wide as
high, whatever its count) cut with a margin on each side of -8% to +35% of its size: a side cut
inside the cell, at its rule, or with the next cells' rules beyond it; the rules (1-4 px, grey,
black, blue or red; doubled in a tenth of the cells) run across the whole crop, as a table's do,
and a scanner's dark lid lies along one side of a tenth. MNIST *training* digits from `--start`
on are written in a row (`make_judge.digit_ink`'s pens), each advanced 0.3-0.9 of their height
(touching at the low end), in black, blue or red ink on paper lit, textured and noisy as
`make_photos`' photos; turned up to 2 degrees, blurred, JPEG-compressed (quality 50-95) in 7
of 10, written as PNG files.
The real cells of `read`'s development sets (`bench/checks/form_cells.csv`, real_numbers.csv)
are never drawn on: they stay measures.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_judge import digit_ink  # noqa: E402

from make_photos import _lighting, _texture, load_mnist  # noqa: E402

INKS = ((0.1, 0.1, 0.1), (0.15, 0.2, 0.6), (0.1, 0.15, 0.45), (0.7, 0.1, 0.15))  # RGB, 0-1
RULES = ((0.2, 0.2, 0.2), (0.5, 0.5, 0.5), (0.3, 0.4, 0.7), (0.9, 0.4, 0.5))


def cell(rng: np.random.Generator, digits: np.ndarray) -> Image.Image:
    """One cell's picture with `digits` (MNIST 28x28s) written in a row inside it."""
    high = int(rng.integers(15, 61))
    cell_h = int(high * rng.uniform(1.2, 2.6))
    cell_w = int(cell_h * rng.uniform(0.8, 3.0))
    margins = rng.uniform(-0.08, 0.35, 4) * np.array([cell_h, cell_w, cell_h, cell_w])
    top, left, bottom, right = (int(m) for m in margins)
    height, width = cell_h + top + bottom, cell_w + left + right
    paper = _lighting(width, height, rng.uniform(150, 245), rng.uniform(0, 40), rng)
    paper = paper + _texture(width, height, rng) + rng.normal(0, rng.uniform(1, 6), paper.shape)
    tint = np.array([1.0, rng.uniform(0.92, 1.0), rng.uniform(0.8, 1.0)])
    picture = np.clip(paper, 0, 255)[..., None] * tint
    rules = _rules(rng, (height, width), (top, left, top + cell_h, left + cell_w))
    _darken(picture, rules * rng.uniform(0.4, 0.95), RULES[rng.integers(len(RULES))])
    if len(digits):
        ink = _row(rng, digits, (height, width), (top, left, cell_h, cell_w), high)
        _darken(picture, ink * rng.uniform(0.45, 0.95), INKS[rng.integers(len(INKS))])
    if rng.random() < 0.1:  # a scanner's dark lid along one side
        side, reach = int(rng.integers(4)), int(rng.uniform(0.03, 0.12) * min(height, width))
        lid = [np.s_[:reach], np.s_[:, :reach], np.s_[-reach:], np.s_[:, -reach:]][side]
        picture[lid] = rng.uniform(5, 40)
    return _photographed(rng, picture)


def _rules(rng: np.random.Generator, shape: tuple[int, int], box: tuple[int, ...]) -> np.ndarray:
    """The table's rules through the cell's sides (`box`: top, left, bottom, right), across
    the crop, as coverage (0-1); a tenth of the cells ruled twice, a few px apart."""
    rules = np.zeros(shape, np.float32)
    pen = int(rng.integers(1, 5))
    top, left, bottom, right = box
    double = rng.random() < 0.1
    for y in (top, bottom):
        for shift in (0, pen + 3) if double else (0,):
            cv2.line(rules, (0, y + shift), (shape[1], y + shift), 1.0, pen)
    for x in (left, right):
        for shift in (0, pen + 3) if double else (0,):
            cv2.line(rules, (x + shift, 0), (x + shift, shape[0]), 1.0, pen)
    return rules


def _row(rng: np.random.Generator, digits: np.ndarray, shape: tuple[int, int],
         cell: tuple[int, ...], high: int) -> np.ndarray:  # fmt: skip
    """`digits` written in a row inside the cell (top, left, height, width), `high` px high
    each (the written digit, MNIST's 20 px in 28, about 0.7 of it), as coverage (0-1)."""
    top, left, cell_h, cell_w = cell
    advances = rng.uniform(0.3, 0.9, len(digits) - 1)  # each digit's step, of its height
    high = max(8, min(high, int(0.9 * cell_h), int(cell_w / (0.7 + advances.sum()))))
    steps = [int(high * advance) for advance in advances]
    span = high + sum(steps)
    y = top + int(rng.integers(0, max(1, cell_h - high)))
    x = left + int(rng.integers(0, max(1, cell_w - span)))
    ink = np.zeros(shape, np.float32)
    for digit, step in zip(digits, [*steps, 0], strict=True):
        stroke = digit_ink(digit, high, rng)
        at = y + int(rng.integers(-2, 3))
        part = ink[max(at, 0) : at + high, max(x, 0) : x + high]
        top, left = max(0, -at), max(0, -x)
        drawn = stroke[top : top + part.shape[0], left : left + part.shape[1]]
        np.maximum(part, drawn, out=part)
        x += step
    return ink


def _darken(picture: np.ndarray, coverage: np.ndarray, colour: tuple[float, ...]) -> None:
    """Darken `picture` (RGB floats) where `coverage` (0-1) lies, towards `colour`."""
    picture *= 1.0 - coverage[..., None] * (1.0 - np.asarray(colour, np.float32))


def _photographed(rng: np.random.Generator, picture: np.ndarray) -> Image.Image:
    """`picture` turned a little, blurred, and (7 in 10) through a JPEG's compression."""
    h, w = picture.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-2, 2), 1.0)
    picture = cv2.warpAffine(picture, turn, (w, h), borderMode=cv2.BORDER_REPLICATE)
    picture = cv2.GaussianBlur(picture, (0, 0), rng.uniform(0.3, 1.0))
    image = Image.fromarray(np.clip(picture + 0.5, 0, 255).astype(np.uint8), "RGB")
    if rng.random() < 0.7:
        data = io.BytesIO()
        image.save(data, "JPEG", quality=int(rng.integers(50, 96)))
        image = Image.open(data)
        image.load()
    return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="pictures of each class")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--start", type=int, default=20000, help="the first MNIST digit used")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    mnist = load_mnist("train")[0][args.start :]
    rng = np.random.default_rng(args.seed)
    for name in ("several", "digit", "blank"):
        (args.out / name).mkdir(parents=True, exist_ok=True)
    for i in range(args.count):
        for name, count in (("several", int(rng.integers(2, 4))), ("digit", 1), ("blank", 0)):
            picked = mnist[rng.integers(len(mnist), size=count)]
            cell(rng, picked).save(args.out / name / f"{i:04d}.png")
    print(f"{args.count} pictures of each class in {args.out}")


if __name__ == "__main__":
    main()
