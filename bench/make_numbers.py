"""Handwritten numbers made from MNIST *test* digits, as the files users hand to `digitcli read`.

Each number is a line of MNIST test digits (never training digits) written onto paper-like
backgrounds (lighting gradient, texture, noise, coloured ink, blur), 100-200 px high, saved as
PNG or JPEG, in five kinds:

- `spaced`: 3-6 digits with clear gaps;
- `tight`: 3-6 digits that touch or overlap;
- `grouped`: dates and codes written in groups ("2026 11 22", "123 456");
- `long`: 7-10 digits, gaps from touching to clear;
- `boxed`: 4-8 digits in a printed form field: one box per digit, a box around the field, or a
  ruled line under it; digits may cross the printed lines.

Every kind gets a slight rotation of the whole picture (up to 4 degrees) and, for half of the
numbers, a slant of the handwriting (shear up to 0.25). `labels.jsonl` in the output folder
holds each file's kind, number and true digit boxes.

    python bench/make_numbers.py --per-kind 200 --out numbers --seed 0
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from make_photos import load_mnist

KINDS = ("spaced", "tight", "grouped", "long", "boxed")
GROUPINGS = ((4, 2, 2), (2, 2, 4), (2, 2, 2), (3, 3), (3, 3, 3), (4, 4), (2, 2, 2, 2), (3, 4))
MNIST_BOX = 20  # MNIST fits each digit's ink in 20x20


@dataclass
class Number:
    file: str
    kind: str
    number: str
    boxes: list[list[int]]  # true [left, top, right, bottom] of each digit's ink, input pixels


def make_number_set(
    x: np.ndarray, y: np.ndarray, out: Path, per_kind: int, seed: int = 0
) -> list[Number]:
    """Write `per_kind` numbers of each kind into `out` (and labels.jsonl); return them."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    numbers = []
    for kind in KINDS:
        for i in range(per_kind):
            numbers.append(make_number(x, y, kind, out / f"{kind}-{i:04d}", rng))
    with open(out / "labels.jsonl", "w") as f:
        for number in numbers:
            f.write(json.dumps(asdict(number)) + "\n")
    return numbers


def load_labels(folder: Path) -> list[Number]:
    with open(folder / "labels.jsonl") as f:
        return [Number(**json.loads(line)) for line in f]


def make_number(x, y, kind: str, stem: Path, rng: np.random.Generator) -> Number:
    """One number of `kind` made from digits `x` (labels `y`), written to `stem` + .png or .jpg."""
    count = {"long": rng.integers(7, 11), "boxed": rng.integers(4, 9)}.get(kind, rng.integers(3, 7))
    groups = list(GROUPINGS[rng.integers(len(GROUPINGS))]) if kind == "grouped" else [int(count)]
    picks = rng.integers(0, len(x), sum(groups))
    height = int(rng.integers(100, 201))
    digit_h = (
        height * rng.uniform(0.45, 0.7) if kind != "boxed" else height * rng.uniform(0.4, 0.55)
    )
    ink, boxes = _write(x[picks], kind, groups, digit_h, rng)
    slant = rng.uniform(-0.25, 0.25) if rng.random() < 0.5 else 0.0
    ink, boxes = _shear(ink, boxes, slant)
    printed = np.zeros_like(ink)
    if kind == "boxed":  # room for the printed field around the digits
        pad = int(0.3 * digit_h)
        ink, printed = np.pad(ink, pad), np.pad(printed, pad)
        boxes = [[b[0] + pad, b[1] + pad, b[2] + pad, b[3] + pad] for b in boxes]
        printed = _form_lines(ink.shape, boxes, digit_h, rng)
    margin_y = max(2, (height - ink.shape[0]) // 2)
    margin_x = int(rng.integers(8, 40))
    ink = np.pad(ink, ((margin_y, margin_y), (margin_x, margin_x)))
    printed = np.pad(printed, ((margin_y, margin_y), (margin_x, margin_x)))
    boxes = [[b[0] + margin_x, b[1] + margin_y, b[2] + margin_x, b[3] + margin_y] for b in boxes]
    angle = rng.uniform(-4, 4)
    ink, printed, boxes = _rotate(ink, printed, boxes, angle)
    path = _paper_and_save(ink, printed, stem, rng)
    number = "".join(str(int(d)) for d in y[picks])
    return Number(path.name, kind, number, boxes)


def _write(digits, kind, groups, digit_h, rng) -> tuple[np.ndarray, list[list[int]]]:
    """The digits' ink coverage (0-1) side by side, and each one's box."""
    pieces = []
    for digit in digits:
        rows = np.flatnonzero(digit.any(axis=1))
        cols = np.flatnonzero(digit.any(axis=0))
        crop = Image.fromarray(digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
        scale = digit_h / MNIST_BOX * rng.uniform(0.9, 1.1)
        size = (max(1, round(crop.width * scale)), max(1, round(crop.height * scale)))
        pieces.append(np.asarray(crop.resize(size, Image.Resampling.BICUBIC), np.float32) / 255)
    gaps = _gaps(kind, groups, digit_h, rng)
    top_jitter = [rng.uniform(-0.06, 0.06) * digit_h for _ in pieces]
    # each digit's left edge is rounded (up to 0.5 px more a digit); the ink is cropped below
    width = sum(p.shape[1] for p in pieces) + int(sum(max(g, 0) for g in gaps)) + len(pieces) + 4
    height = int(max(p.shape[0] for p in pieces) + 0.15 * digit_h) + 4
    ink = np.zeros((height, width), np.float32)
    boxes, left = [], 2.0
    for i, piece in enumerate(pieces):
        h, w = piece.shape
        top = int(round((height - h) / 2 + top_jitter[i]))
        top = min(max(top, 0), height - h)
        col = max(0, int(round(left)))  # a narrow digit overlapped by more than its width
        region = ink[top : top + h, col : col + w]
        np.maximum(region, np.clip(piece, 0, 1), out=region)
        boxes.append([col, top, col + w, top + h])
        left = col + w + (gaps[i] if i < len(gaps) else 0)
    used = int(max(b[2] for b in boxes)) + 2
    return ink[:, :used], boxes


def _gaps(kind, groups, digit_h, rng) -> list[float]:
    """The space after each digit but the last (negative: the next digit overlaps it)."""
    count = sum(groups)
    if kind == "spaced":
        return list(rng.uniform(0.12, 0.6, count - 1) * digit_h)
    if kind == "tight":
        return list(rng.uniform(-0.12, 0.03, count - 1) * digit_h)
    if kind == "long":
        return list(rng.uniform(-0.08, 0.35, count - 1) * digit_h)
    if kind == "boxed":  # digits are centred in boxes later: equal pitch, small jitter
        return list(rng.uniform(0.3, 0.5) * digit_h + rng.uniform(-0.05, 0.05, count - 1) * digit_h)
    gaps = []
    for g, size in enumerate(groups):
        gaps += list(rng.uniform(-0.02, 0.25, size - 1) * digit_h)
        if g < len(groups) - 1:
            gaps.append(rng.uniform(0.6, 1.4) * digit_h)
    return gaps


def _shear(ink, boxes, slant: float):
    """Slant the handwriting: x' = x + slant * (centre_y - y) (positive leans right)."""
    if slant == 0.0:
        return ink, boxes
    h, w = ink.shape
    extra = int(math.ceil(abs(slant) * h / 2)) + 1
    out_w = w + 2 * extra
    cy = h / 2
    image = Image.fromarray(ink, "F")
    # PIL's affine maps output (u, v) to input (a*u + b*v + c, d*u + e*v + f).
    coeffs = (1, slant, -extra - slant * cy, 0, 1, 0)
    sheared = np.asarray(
        image.transform((out_w, h), Image.Transform.AFFINE, coeffs, Image.Resampling.BILINEAR)
    )
    moved = []
    for left, top, right, bottom in boxes:
        xs = [left + slant * (cy - top), left + slant * (cy - bottom)]
        xs += [right + slant * (cy - top), right + slant * (cy - bottom)]
        moved.append([int(min(xs)) + extra, top, int(math.ceil(max(xs))) + extra, bottom])
    return np.clip(sheared, 0, 1), moved


def _form_lines(shape, boxes, digit_h, rng) -> np.ndarray:
    """Printed lines (0-1 coverage): a box per digit, a box around the field, or a ruled line."""
    h, w = shape
    image = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(image)
    width = int(rng.integers(1, 4))
    style = rng.choice(["comb", "field", "ruled"], p=[0.5, 0.25, 0.25])
    top = max(0, min(b[1] for b in boxes) - int(rng.uniform(0.05, 0.2) * digit_h))
    bottom = min(h - 1, max(b[3] for b in boxes) + int(rng.uniform(0.05, 0.2) * digit_h))
    left = max(0, boxes[0][0] - int(rng.uniform(0.1, 0.25) * digit_h))
    right = min(w - 1, boxes[-1][2] + int(rng.uniform(0.1, 0.25) * digit_h))
    if style == "ruled":
        y = min(h - 1, max(b[3] for b in boxes) + int(rng.uniform(-0.1, 0.1) * digit_h))
        draw.line([(left, y), (right, y)], fill=255, width=width)
    elif style == "field":
        draw.rectangle([left, top, right, bottom], outline=255, width=width)
    else:
        edges = (
            [left] + [(a[2] + b[0]) // 2 for a, b in zip(boxes, boxes[1:], strict=False)] + [right]
        )
        for x0, x1 in zip(edges, edges[1:], strict=False):
            draw.rectangle([x0, top, x1, bottom], outline=255, width=width)
    return np.asarray(image, np.float32) / 255.0


def _rotate(ink, printed, boxes, angle: float):
    """Turn the whole picture by `angle` degrees (counter-clockwise), boxes included."""
    h, w = ink.shape
    both = [
        Image.fromarray(a, "F").rotate(angle, Image.Resampling.BILINEAR) for a in (ink, printed)
    ]
    theta = math.radians(angle)
    cx, cy = w / 2, h / 2
    turned = []
    for left, top, right, bottom in boxes:
        xs, ys = [], []
        for px, py in ((left, top), (right, top), (left, bottom), (right, bottom)):
            dx, dy = px - cx, py - cy
            xs.append(cx + dx * math.cos(theta) + dy * math.sin(theta))
            ys.append(cy - dx * math.sin(theta) + dy * math.cos(theta))
        turned.append(
            [int(min(xs)), int(min(ys)), int(math.ceil(max(xs))), int(math.ceil(max(ys)))]
        )
    return np.asarray(both[0]), np.asarray(both[1]), turned


def _paper_and_save(ink, printed, stem: Path, rng) -> Path:
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    direction = rng.uniform(0, 2 * math.pi)
    ramp = (xx * math.cos(direction) + yy * math.sin(direction)) / max(h, w)
    paper = rng.uniform(170, 245) + rng.uniform(0, 40) * (ramp - ramp.mean())
    smooth = Image.fromarray(rng.normal(0, 1, (h // 8 + 2, w // 8 + 2)).astype(np.float32), "F")
    texture = np.asarray(smooth.resize((w, h), Image.Resampling.BICUBIC)) * rng.uniform(2, 6)
    paper = paper + texture + rng.normal(0, rng.uniform(1.5, 6), (h, w))
    tint = rng.uniform(0.9, 1.0, 3)
    pen = np.asarray(
        [[25, 25, 30], [30, 40, 130], [20, 60, 150], [60, 60, 60]][rng.integers(4)], np.float32
    )
    pen = pen + rng.normal(0, 8, 3)
    press = [[40, 40, 40], [120, 140, 200], [200, 120, 120], [90, 90, 90]][rng.integers(4)]
    rgb = paper[..., None] * tint
    rgb = rgb * (1 - printed[..., None]) + np.asarray(press, np.float32) * printed[..., None]
    rgb = rgb * (1 - ink[..., None]) + pen * ink[..., None]
    image = Image.fromarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8), "RGB")
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    if rng.random() < 0.5:
        path = stem.with_suffix(".jpg")
        image.save(path, "JPEG", quality=int(rng.integers(70, 96)))
    else:
        path = stem.with_suffix(".png")
        (image.convert("L") if rng.random() < 0.3 else image).save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    x, y = load_mnist("t10k")  # test digits only: never the training split
    numbers = make_number_set(x, y, args.out, args.per_kind, args.seed)
    print(f"wrote {len(numbers)} numbers to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
