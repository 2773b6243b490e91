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

    python tests/generators/scanned_cells.py --out DIR --seed 7 [--count 60] [--wide]
"""

from __future__ import annotations

import argparse
import json
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
    paper = np.array([rng.uniform(170, 235)] * 3)
    paper *= np.array([1.0, rng.uniform(0.9, 1.0), rng.uniform(0.75, 0.95)])
    ink = np.array([rng.uniform(40, 120)] * 3) * np.array([1.0, 0.85, 0.7])
    pixels = np.ones((height, width, 3)) * paper + rng.normal(0, 4, (height, width, 1))
    rule = ink * 0.9 + paper * 0.1
    if wide:  # a register's printed rules, darker than its faded writing
        rule = paper - rng.uniform(80, 150)
    for row in (0, height - 1):
        pixels[max(0, row - 1) : row + 1] = rule
    for column in (0, width - 1):
        pixels[:, max(0, column - 1) : column + 1] = rule
    top = int(rng.integers(2, max(3, height - high - 2)))
    left = int(rng.integers(2, max(3, width - count * high - 2)))
    for place, index in enumerate(picked):
        digit = Image.fromarray(x[index]).resize((high, high), Image.Resampling.BILINEAR)
        at = left + place * int(high * 0.8)
        area = pixels[top : top + high, at : at + high]
        alpha = (np.asarray(digit, np.float32) / 255.0)[: area.shape[0], : area.shape[1], None]
        pixels[top : top + high, at : at + high] = area * (1 - alpha) + ink * alpha
    if rng.random() < 0.7:
        depth = int(rng.integers(3, max(4, width // 8)))
        pixels[:, :depth] = rng.uniform(5, 40)
    if rng.random() < 0.3:
        depth = int(rng.integers(3, max(4, height // 6)))
        pixels[-depth:, :] = rng.uniform(5, 40)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    return image, "".join(str(y[index]) for index in picked)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--wide", action="store_true", help="cells 8-20 times as wide")
    args = parser.parse_args(argv)
    x, y = load_mnist("t10k")
    rng = np.random.default_rng(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    truth = {}
    for n in range(args.count):
        image, number = cell(x, y, rng, args.wide)
        name = f"{n:03d}.jpg"
        image.save(args.out / name, quality=int(rng.integers(60, 92)))
        truth[name] = number
    (args.out / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")


if __name__ == "__main__":
    main()
