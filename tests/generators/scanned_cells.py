"""Scanned register cells made from MNIST *test* digits: a small number in a large ruled cell,
a scanner's dark lid along some of its sides, as a register's row numbers are cut from a scan.

Each picture holds 1-3 digits 14-29 px high, side by side, anywhere in a cell 2.5-5 times as
high and 2.5-6 times as wide as they need; the paper grey 170-235, yellowed; the ink 40-120
levels dark; the cell ruled along its four edges, as dark as the ink. A black lid (grey 5-40)
covers the left side (70% of the cells, up to an eighth of the width) and the bottom (30%, up
to a sixth of the height), painted over whatever lies there. Blurred 0.3-1 px and saved as
JPEG (quality 60-91); `truth.json` names each file's number. Never trained on: round 12's check
of reading inside the lid (docs/measurements/reading-numbers.md). `--wide`: each cell 8-20
times as wide as its digits need, ruled 80-150 levels darker than its paper (a register's
printed rules over faded writing; round 60's check of a small digit in a wide cell,
docs/measurements/preparation.md); without it, a seed draws the cells it always drew.
`--large`: round 23's sweep of a small number in a large cell (`large_cell`), the 108 cells of
every digit height, thinning and cell width in `LARGE` four times over (`--count` unused); the
digits lie beyond the lid, which each has with a chance of 0.8 (none with `--no-lids`).

    python tests/generators/scanned_cells.py --out DIR --seed 7 [--count 60] [--wide]
    python tests/generators/scanned_cells.py --out DIR --seed 23 --large [--no-lids]
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from make_photos import load_mnist


def cell(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, wide: bool = False
) -> tuple[Image.Image, str]:
    """One scanned cell and its number; `wide`: 8-20 times as wide as its digits need, ruled
    darker than them."""
    count = int(rng.integers(1, 4))
    picked = rng.integers(0, len(x), count)
    high = int(rng.integers(14, 30))  # the digits' height, px
    height = int(high * rng.uniform(2.5, 5))
    width = int(high * count * rng.uniform(*((8, 20) if wide else (2.5, 6))))
    pixels, paper, ink = _paper_and_ink(rng, height, width)
    rule = ink * 0.9 + paper * 0.1
    if wide:  # a register's printed rules, darker than its faded writing
        rule = paper - rng.uniform(80, 150)
    for row in (0, height - 1):
        pixels[max(0, row - 1) : row + 1] = rule
    for column in (0, width - 1):
        pixels[:, max(0, column - 1) : column + 1] = rule
    top = int(rng.integers(2, max(3, height - high - 2)))
    left = int(rng.integers(2, max(3, width - count * high - 2)))
    _write(pixels, x[picked], (top, left), high, ink)
    if rng.random() < 0.7:
        depth = int(rng.integers(3, max(4, width // 8)))
        pixels[:, :depth] = rng.uniform(5, 40)
    if rng.random() < 0.3:
        depth = int(rng.integers(3, max(4, height // 6)))
        pixels[-depth:, :] = rng.uniform(5, 40)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    return image, "".join(str(y[index]) for index in picked)


def _paper_and_ink(
    rng: np.random.Generator, height: int, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A cell's paper (grey 170-235, yellowed, with its grain) as float RGB pixels, its
    colour, and its ink's colour (40-120 levels dark)."""
    paper = np.array([rng.uniform(170, 235)] * 3)
    paper *= np.array([1.0, rng.uniform(0.9, 1.0), rng.uniform(0.75, 0.95)])
    ink = np.array([rng.uniform(40, 120)] * 3) * np.array([1.0, 0.85, 0.7])
    pixels = np.ones((height, width, 3)) * paper + rng.normal(0, 4, (height, width, 1))
    return pixels, paper, ink


def _write(
    pixels: np.ndarray,
    digits: np.ndarray,
    at: tuple[int, int],
    high: int,
    ink: np.ndarray,
    thin: int = 0,
) -> None:
    """Write `digits` (MNIST 28x28s) into `pixels` in a row from `at` (top, left), each `high`
    px a side, 0.8 of that apart, in `ink`, eroded `thin` px a side; what runs past the
    picture's edge is cut off."""
    top, left = at
    for place, drawn in enumerate(digits):
        digit = Image.fromarray(drawn).resize((high, high), Image.Resampling.BILINEAR)
        if thin:
            digit = digit.filter(ImageFilter.MinFilter(2 * thin + 1))
        column = left + place * int(high * 0.8)
        area = pixels[top : top + high, column : column + high]
        alpha = (np.asarray(digit, np.float32) / 255.0)[: area.shape[0], : area.shape[1], None]
        pixels[top : top + high, column : column + high] = area * (1 - alpha) + ink * alpha


# Round 23's sweep: the digits' height (px), how far they are thinned (px a side), the cell's
# width (px, a third as high), and how many cells of each.
LARGE = ((40, 60, 100), (0, 1, 2), (600, 900, 1500), 4)


def large_cell(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, size: tuple[int, int, int], lid: bool
) -> tuple[Image.Image, str]:
    """One small number (1-3 MNIST digits `high` px high, eroded `thin` px a side) anywhere in
    a cell `width` px wide and a third as high, ruled nearly as dark as its ink; `lid`: a scanner's
    black lid 5-17% of the width deep along its left side, the digits beyond it."""
    high, thin, width = size
    height, count = width // 3, int(rng.integers(1, 4))
    picked = rng.integers(0, len(x), count)
    pixels, paper, ink = _paper_and_ink(rng, height, width)
    rule, edge = ink * 0.9 + paper * 0.1, max(2, width // 300)
    pixels[:edge] = pixels[-edge:] = rule
    pixels[:, :edge] = pixels[:, -edge:] = rule
    depth = int(width * rng.uniform(0.05, 0.17)) if lid else 0
    step = int(high * 0.8)
    top = int(rng.integers(edge + 4, height - high - edge - 4))
    left = int(rng.integers(max(edge, depth) + 4, width - count * step - high - edge - 4))
    _write(pixels, x[picked], (top, left), high, ink, thin)
    if lid:
        pixels[:, :depth] = rng.uniform(5, 40)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
    return image, "".join(str(y[index]) for index in picked)


def _large_cells(
    x: np.ndarray, y: np.ndarray, seed: int, lids: bool
) -> Iterator[tuple[tuple[Image.Image, str], np.random.Generator]]:
    """Each of round 23's large cells (`LARGE`) and its number, with the generator that drew
    it (from `seed` and the cell's place in the sweep), which draws its JPEG quality too."""
    heights, thinnings, widths, each = LARGE
    for size in itertools.product(heights, thinnings, widths, range(each)):
        rng = np.random.default_rng([seed, *size])
        yield large_cell(x, y, rng, size[:3], lids and rng.random() < 0.8), rng


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--wide", action="store_true", help="cells 8-20 times as wide")
    parser.add_argument("--large", action="store_true", help="round 23's 108 large cells")
    parser.add_argument("--no-lids", action="store_true", help="--large: no cell has a lid")
    args = parser.parse_args(argv)
    x, y = load_mnist("t10k")
    rng = np.random.default_rng(args.seed)
    made = (
        _large_cells(x, y, args.seed, not args.no_lids)
        if args.large
        else ((cell(x, y, rng, args.wide), rng) for _ in range(args.count))
    )
    args.out.mkdir(parents=True, exist_ok=True)
    truth = {}
    for n, ((image, number), drawn) in enumerate(made):
        name = f"{n:03d}.jpg"
        image.save(args.out / name, quality=int(drawn.integers(60, 92)))
        truth[name] = number
    (args.out / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")


if __name__ == "__main__":
    main()
