"""Numbers written in printed fields of styles `tests/generators/make_numbers.py` does not draw,
and how many `digitcli read` reads exactly: a stress test of the form lines, never tuned on.

One box per digit, MNIST *test* digits 64 px high in boxes of 70 px (4-7 digits), dark ink on
light paper, 40 numbers a style:

- `gaps`: boxes apart, 14 px between them;
- `thick`: lines 5 px wide;
- `dashed`: dashes of 6 px, 4 px apart; `dotted`: dots of 2 px, 3 px apart;
- `bigbox`: boxes of 110 px, the digit small in the middle;
- `dropout`: thin light-grey lines, as forms printed to drop out of a scan;
- `overflow`: digits 84 px high, crossing the box's top line;
- `double`: a thin second line 4 px inside each box.

    python tests/generators/form_styles.py --seed 42 --out DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from make_photos import load_mnist  # noqa: E402

STYLES = ("gaps", "thick", "dashed", "dotted", "bigbox", "dropout", "overflow", "double")
PAPER, INK = 235, 30


def _dashed(draw: ImageDraw.ImageDraw, box: list[int], dash: int, gap: int, width: int) -> None:
    left, top, right, bottom = box
    for (x0, y0), (x1, y1) in [
        ((left, top), (right, top)),
        ((right, top), (right, bottom)),
        ((left, bottom), (right, bottom)),
        ((left, top), (left, bottom)),
    ]:
        length = max(abs(x1 - x0), abs(y1 - y0))
        for at in range(0, length, dash + gap):
            a, b = at / length, min(at + dash, length) / length
            start = (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a)
            draw.line([start, (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)], fill=0, width=width)


def write_field(style: str, digits: list[np.ndarray], rng: np.random.Generator) -> Image.Image:
    """`digits` (28x28 MNIST images) in a field of one box each, drawn in `style`."""
    box = 110 if style == "bigbox" else 70
    gap = 14 if style == "gaps" else 0
    top, n = 30, len(digits)
    paper = Image.new("L", (60 + n * (box + gap), box + 60), PAPER)
    draw = ImageDraw.Draw(paper)
    colour = 175 if style == "dropout" else 0
    width = {"thick": 5, "dropout": 1}.get(style, 2)
    for j in range(n):
        left = 30 + j * (box + gap)
        rect = [left, top, left + box, top + box]
        if style in ("dashed", "dotted"):
            _dashed(draw, rect, *((6, 4) if style == "dashed" else (2, 3)), width)
        else:
            draw.rectangle(rect, outline=colour, width=width)
        if style == "double":
            draw.rectangle([rect[0] + 4, rect[1] + 4, rect[2] - 4, rect[3] - 4], outline=0)
    pixels = np.asarray(paper, np.float32).copy()
    size = {"overflow": 84, "bigbox": 60}.get(style, 64)
    dy = {"overflow": -18, "bigbox": 25}.get(style, 10)
    for j, digit in enumerate(digits):
        left = 30 + j * (box + gap) + (box - size) // 2
        left += 0 if style == "bigbox" else int(rng.integers(-3, 4))
        ink = np.asarray(Image.fromarray(255 - digit).resize((size, size), Image.BICUBIC))
        window = pixels[top + dy : top + dy + size, left : left + size]
        np.minimum(window, INK + ink.astype(np.float32) * (PAPER - INK) / 255, out=window)
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8))


def write_set(out: Path, per_style: int, seed: int) -> list[dict]:
    x, y = load_mnist("t10k")
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    labels = []
    for style in STYLES:
        for k in range(per_style):
            picks = rng.integers(0, len(y), int(rng.integers(4, 8)))
            name = f"{style}-{k:03d}.png"
            write_field(style, [x[i] for i in picks], rng).save(out / name)
            number = "".join(str(y[i]) for i in picks)
            labels.append({"file": name, "kind": style, "number": number})
    (out / "labels.jsonl").write_text("".join(json.dumps(label) + "\n" for label in labels))
    return labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-style", type=int, default=40)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from digitcli.reading.read import read

    labels = write_set(args.out, args.per_style, args.seed)
    readings = read([str(args.out / label["file"]) for label in labels])
    right = {style: 0 for style in STYLES}
    for label, reading in zip(labels, readings, strict=True):
        right[label["kind"]] += reading.number == label["number"]
    print("| style | numbers | exact |\n|---|---|---|")
    for style in STYLES:
        print(f"| {style} | {args.per_style} | {right[style] / args.per_style:.1%} |")
    print(f"| all | {len(labels)} | {sum(right.values()) / len(labels):.1%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
