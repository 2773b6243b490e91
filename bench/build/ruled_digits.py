"""Digits written on lined and squared paper, and blank squared paper, for the judge to learn
(`make_judge.py --folder digit=DIR`, `--folder blank=DIR`).

    python bench/build/ruled_digits.py --style ruled --seed 13 --start 30000 --out ruled
    python bench/build/ruled_digits.py --style squared --seed 14 --start 40000 --out squared
    python bench/build/ruled_digits.py --style notebook --seed 15 --start 50000 --out notebook
    python bench/build/ruled_digits.py --style notebook --seed 16 --count 300 --blank --out grid
    python bench/build/ruled_digits.py --style outlined --seed 17 --start 20000 --out outlined
    python bench/build/ruled_digits.py --style hatched --seed 18 --start 10000 --out hatched

A photo of paper (`make_photos`' lighting and texture) ruled across, squared in 60% of the
`ruled` pictures and in every other one, the lines tilted up to 3 degrees; one MNIST *training*
digit (from `--start` on) written on it as `make_judge.digit_ink` writes one. `squared`: denser,
darker lines; `notebook`: a small picture of a math notebook's grid, its lines as thick as a
pen's stroke, the digit across several squares; `outlined`: a hollow digit (a digit's outline,
as a bubble digit is drawn) filling a small picture of plain or faintly lined paper; `hatched`:
dense lines at any angle, as shading or a pen's hatching. Judges taught photos of things as
`lines` refused digits on squared paper; these pictures taught them back (docs/measurements/
preparation.md, "Round 13"). Outlined digits were refused as `lines` too (round 14).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_judge import digit_ink  # noqa: E402

from judge_pictures import write  # noqa: E402
from make_photos import _lighting, _texture, load_mnist  # noqa: E402

# style: (width range, height per width, spacing per shorter side, line width per longer
# side, darkness, digit height per shorter side, share squared, how the lines lie or the
# digit is drawn: "ruled" straight, "hatched" at any angle, "outlined" a hollow digit)
STYLES = {
    "ruled": ((100, 601), (0.6, 1.6, 80, 600), (0.05, 0.25), (0.002, 0.008), (0.15, 0.6),
              (0.2, 0.9), 0.6, "ruled"),
    "squared": ((100, 601), (0.6, 1.6, 80, 600), (0.06, 0.2), (0.002, 0.008), (0.3, 0.7),
                (0.2, 0.9), 1.0, "ruled"),
    "notebook": ((100, 321), (0.8, 1.25, 80, 400), (0.15, 0.3), (0.01, 0.03), (0.3, 0.65),
                 (0.45, 0.85), 1.0, "ruled"),
    "outlined": ((60, 301), (1.0, 1.9, 60, 500), (0.08, 0.25), (0.002, 0.006), (0.0, 0.3),
                 (0.75, 1.0), 0.0, "outlined"),
    "hatched": ((80, 401), (0.8, 1.6, 80, 500), (0.03, 0.12), (0.004, 0.012), (0.3, 0.8),
                (0.4, 0.9), 0.0, "hatched"),
}  # fmt: skip


def picture(rng: np.random.Generator, style: str, mnist: np.ndarray | None) -> Image.Image:
    """One ruled page of `style` with one of `mnist`'s digits on it (None: blank)."""
    widths, heights, spacing, line, darkness, digit, squared, drawn = STYLES[style]
    width = int(rng.integers(*widths))
    height = int(np.clip(width * rng.uniform(*heights[:2]), *heights[2:]))
    sheet = _lighting(width, height, rng.uniform(150, 245), rng.uniform(0, 45), rng)
    sheet = sheet + _texture(width, height, rng) + rng.normal(0, rng.uniform(1, 6), sheet.shape)
    step = rng.uniform(*spacing) * min(width, height)
    pen = max(1, round(rng.uniform(*line) * max(width, height)))
    tilted = _lines(rng, width, height, step, pen, squared, drawn == "hatched")
    sheet = sheet * (1 - rng.uniform(*darkness) * np.asarray(tilted, np.float32) / 255)
    side = int(min(height, width) * rng.uniform(*digit))
    top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
    if mnist is not None:
        draw = outlined_ink if drawn == "outlined" else digit_ink
        ink = draw(mnist[rng.integers(len(mnist))], side, rng)
        write(sheet, ink, top, left, rng.uniform(0.4, 0.9))
    return Image.fromarray(np.clip(sheet + 0.5, 0, 255).astype(np.uint8), "L")


def _lines(
    rng: np.random.Generator,
    width: int,
    height: int,
    step: float,
    pen: int,
    squared: float,
    any_angle: bool,
) -> Image.Image:
    """The page's lines as a mask: rows `step` apart (and columns where squared), tilted up to
    3 degrees, or (`any_angle`) rows across a larger canvas turned to any angle, cut to the page."""
    wide = max(width, height) * 3 // 2 if any_angle else width
    high = wide if any_angle else height
    lines = Image.new("L", (wide, high), 0)
    draw = ImageDraw.Draw(lines)
    for y in np.arange(rng.uniform(0, step), high, step):
        draw.line([(0, y), (wide, y)], fill=255, width=pen)
    if any_angle:
        turned = lines.rotate(rng.uniform(-90, 90), Image.Resampling.BILINEAR)
        left, top = (wide - width) // 2, (high - height) // 2
        return turned.crop((left, top, left + width, top + height))
    if squared >= 1.0 or rng.random() < squared:  # all squared: no draw (the seeds' pages)
        for x in np.arange(rng.uniform(0, step), wide, step):
            draw.line([(x, 0), (x, high)], fill=255, width=pen)
    return lines.rotate(rng.uniform(-3, 3), Image.Resampling.BILINEAR)


def outlined_ink(digit: np.ndarray, side: int, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit drawn hollow, `side` px high, as ink coverage (0-1): the outline of its
    strokes grown a little, traced with a pen 1 px to a twentieth of `side` wide."""
    body = (cv2.resize(digit, (side, side), interpolation=cv2.INTER_LINEAR) > 100).astype(np.uint8)
    grow = round(side * rng.uniform(0.0, 0.03))
    body = cv2.dilate(body, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1,) * 2))
    pen = max(1, round(side * rng.uniform(0.005, 0.05)))
    edge = cv2.morphologyEx(body, cv2.MORPH_GRADIENT, np.ones((pen + 1, pen + 1), np.uint8))
    return cv2.GaussianBlur(edge.astype(np.float32), (0, 0), 0.7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--style", choices=tuple(STYLES), default="ruled")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--start", type=int, default=30000, help="the first MNIST digit used")
    parser.add_argument("--blank", action="store_true", help="no digit: blank ruled paper")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    mnist = None if args.blank else load_mnist("train")[0][args.start :]
    rng = np.random.default_rng(args.seed)
    for i in range(args.count):
        picture(rng, args.style, mnist).save(args.out / f"{i:04d}.png")
    print(f"{args.count} pictures in {args.out}")


if __name__ == "__main__":
    main()
