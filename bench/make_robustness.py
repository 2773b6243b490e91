"""Digits that do not come from MNIST's writers, saved as the image files users hand us.

Four sources, each in its own folder of `<digit>_<n>.png|jpg` files:

- `fonts`: handwriting-style fonts from Debian packages, rendered with varied pens (stroke
  widths), sizes, slants, rotations, ink and paper; JPEG or PNG.
- `strokes`: digits drawn from skeletons (polylines, arcs and Bezier curves) with the variants
  MNIST's American writers rarely use: continental 1s with a flag and a foot, 1s with a long
  lead-in, crossed 7s, open and closed 4s, 9s with a small loop and a long tail, curly 2s,
  flat-topped 3s; jittered, slanted, in pens from fine to felt-tip.
- `rescans`: MNIST *test* digits re-scanned at 8-16 px (sometimes with a thicker pen first),
  blurred and often re-thresholded: low-resolution scans of forms.
- `uci`: scikit-learn's `load_digits`: 1,797 real 8x8 scans from 43 writers (UCI), outside
  MNIST. Needs `pip install -e '.[bench]'`; skipped with a message when absent.

    apt-get install fonts-dkg-handwriting fonts-breip fonts-bwht fonts-femkeklaver \
        fonts-humor-sans fonts-klee fonts-kristi fonts-dancingscript fonts-comic-neue \
        fonts-ecolier-court fonts-kaushanscript fonts-rufscript fonts-seto fonts-kiloji \
        fonts-joscelyn                                     # the fonts (else: skipped)
    python bench/make_robustness.py --out robustness       # then bench/robustness.py scores it
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_photos import MNIST_DIR, load_idx  # noqa: E402

FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype"))
# Handwriting-style families (Debian package in brackets); other installed fonts are ignored.
HANDWRITING_FONTS = (
    "dkg",  # DKG Handwriting (fonts-dkg-handwriting)
    "Breip",  # (fonts-breip)
    "BecauseWe",  # six hands (fonts-bwht)
    "femkeklaver",  # (fonts-femkeklaver)
    "Humor-Sans",  # (fonts-humor-sans)
    "KleeOne",  # pencil and pen (fonts-klee)
    "Kristi",  # felt-tip cursive (fonts-kristi)
    "DancingScript",  # (fonts-dancingscript)
    "ComicNeue",  # (fonts-comic-neue)
    "Ecolier",  # French school cursive (fonts-ecolier-court)
    "KaushanScript",  # brush (fonts-kaushanscript)
    "Rufscript",  # (fonts-rufscript)
    "setofont",  # (fonts-seto)
    "kiloji",  # (fonts-kiloji)
    "Joscelyn",  # secretary hand (fonts-joscelyn)
)
SOURCES = ("fonts", "strokes", "rescans", "uci")


# Paper and pens --------------------------------------------------------------------------------


def on_paper(ink: np.ndarray, rng: np.random.Generator, height: int) -> Image.Image:
    """A white-on-black ink mask (any size) -> dark ink on lit, noisy paper, `height` px tall
    digit with a margin, blurred a little."""
    rows, cols = np.nonzero(ink > 20)
    ink = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = height / ink.shape[0]
    size = (max(1, round(ink.shape[1] * scale)), max(1, height))
    mask = np.asarray(Image.fromarray(ink).resize(size, Image.Resampling.LANCZOS), np.float32)
    margin = rng.integers(max(2, height // 6), max(3, height // 2) + 1, 4)
    h = mask.shape[0] + margin[0] + margin[1]
    w = mask.shape[1] + margin[2] + margin[3]
    alpha = np.zeros((h, w), np.float32)
    alpha[margin[0] : margin[0] + mask.shape[0], margin[2] : margin[2] + mask.shape[1]] = mask
    alpha = np.clip(alpha / 255, 0, 1)
    paper = rng.uniform(185, 250)
    gradient = (
        np.linspace(0, rng.uniform(-40, 40), w)[None, :]
        + np.linspace(0, rng.uniform(-30, 30), h)[:, None]
    )
    background = paper + gradient + rng.normal(0, rng.uniform(1, 6), (h, w))
    ink_level = rng.uniform(0, 90)
    pixels = background * (1 - alpha) + ink_level * alpha
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    blur = rng.uniform(0, 0.12) * height / 10
    return image.filter(ImageFilter.GaussianBlur(blur)) if blur > 0.3 else image


def save(image: Image.Image, path: Path, rng: np.random.Generator) -> Path:
    if rng.random() < 0.5:
        path = path.with_suffix(".jpg")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=int(rng.integers(55, 95)))
        path.write_bytes(buffer.getvalue())
    else:
        path = path.with_suffix(".png")
        image.save(path)
    return path


def slanted(mask: Image.Image, rng: np.random.Generator, shear: float, degrees: float):
    """Shear (slant) and rotate a white-on-black mask, growing the canvas to keep all ink."""
    w, h = mask.size
    pad = Image.new("L", (w + h, h * 2), 0)
    pad.paste(mask, ((w + h - w) // 2, h // 2))
    s = rng.uniform(-shear, shear)
    cx, cy = pad.size[0] / 2, pad.size[1] / 2
    pad = pad.transform(
        pad.size, Image.Transform.AFFINE, (1, s, -s * cy, 0, 1, 0), Image.Resampling.BILINEAR
    )
    return pad.rotate(rng.uniform(-degrees, degrees), Image.Resampling.BILINEAR, center=(cx, cy))


# Fonts -------------------------------------------------------------------------------------------


def handwriting_fonts() -> list[Path]:
    found = []
    for folder in FONT_DIRS:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.suffix.lower() in (".ttf", ".otf") and any(
                    key.lower() in path.name.lower() for key in HANDWRITING_FONTS
                ):
                    found.append(path)
    return found


def font_digits(out: Path, n: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    fonts = handwriting_fonts()
    if not fonts:
        print("fonts: no handwriting fonts installed (see the docstring): skipped")
        return []
    rows = []
    for i in range(n):
        digit, font = i % 10, fonts[(i // 10) % len(fonts)]
        size = 160
        face = ImageFont.truetype(str(font), size)
        canvas = Image.new("L", (size * 2, size * 2), 0)
        draw = ImageDraw.Draw(canvas)
        pen = int(rng.choice([0, 0, 2, 4, 7]))  # the font's own strokes, then thicker pens
        draw.text((size // 2, size // 3), str(digit), fill=255, font=face, stroke_width=pen,
                  stroke_fill=255)  # fmt: skip
        if canvas.getbbox() is None:
            continue
        mask = slanted(canvas.crop(canvas.getbbox()), rng, 0.25, 8)
        ink = np.asarray(mask)
        height = int(rng.integers(24, 110))
        rows.append((save(on_paper(ink, rng, height), out / f"{digit}_{i}", rng), digit))
    return rows


# Strokes -----------------------------------------------------------------------------------------

Stroke = list[tuple[float, float]]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float) -> Stroke:
    """Points on an ellipse, angles in degrees, y down: 0 right, 90 bottom, 270 top."""
    steps = max(4, int(abs(end - start) / 10))
    return [
        (cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
        for a in np.linspace(start, end, steps)
    ]


def bezier(*points: tuple[float, float]) -> Stroke:
    """A Bezier curve through de Casteljau's construction, 16 points."""
    t = np.linspace(0, 1, 16)[:, None]
    p = np.repeat(np.array(points, float)[:, None, :], 16, axis=1)  # (k, 16, 2)
    while len(p) > 1:
        p = p[:-1] * (1 - t) + p[1:] * t
    return [tuple(q) for q in p[0]]


# Each digit: variants; each variant: strokes in a unit box (x right, y down, height 1).
SKELETONS: dict[int, list[Callable[[], list[Stroke]]]] = {
    0: [lambda: [arc(0.5, 0.5, 0.3, 0.48, 0, 360)], lambda: [arc(0.5, 0.5, 0.25, 0.48, 250, 630)]],
    1: [
        lambda: [[(0.5, 0), (0.5, 1)]],
        lambda: [[(0.28, 0.25), (0.55, 0), (0.5, 1)]],  # flag
        lambda: [[(0.28, 0.25), (0.55, 0), (0.5, 1)], [(0.25, 1), (0.75, 1)]],  # flag and foot
        lambda: [[(0.2, 0.32), (0.55, 0), (0.5, 1)]],  # long lead-in
    ],
    2: [
        lambda: [arc(0.5, 0.28, 0.3, 0.26, 200, 400) + [(0.15, 1), (0.88, 1)]],
        lambda: [
            arc(0.5, 0.28, 0.3, 0.26, 200, 400)
            + [(0.25, 0.9)]
            + arc(0.3, 0.93, 0.1, 0.07, 270, 630)
            + [(0.88, 0.97)]
        ],  # curly
    ],
    3: [
        lambda: [arc(0.5, 0.27, 0.26, 0.25, 200, 450) + arc(0.5, 0.74, 0.3, 0.26, 270, 520)],
        lambda: [[(0.18, 0), (0.82, 0), (0.42, 0.42)] + arc(0.5, 0.7, 0.32, 0.29, 250, 520)],
    ],
    4: [
        lambda: [[(0.68, 1), (0.68, 0), (0.08, 0.68), (0.92, 0.68)]],  # closed
        lambda: [[(0.2, 0), (0.14, 0.65), (0.92, 0.65)], [(0.68, 0.2), (0.68, 1)]],  # open
    ],
    5: [
        lambda: [[(0.8, 0), (0.3, 0), (0.25, 0.45)] + arc(0.5, 0.7, 0.3, 0.28, 215, 520)],
        lambda: [
            [(0.3, 0.02), (0.25, 0.45)] + arc(0.5, 0.7, 0.3, 0.28, 215, 520),
            [(0.3, 0), (0.82, 0)],
        ],  # fmt: skip
    ],
    6: [
        lambda: [
            bezier((0.75, 0.02), (0.2, 0.15), (0.2, 0.72)) + arc(0.5, 0.72, 0.3, 0.27, 180, 540)
        ],
        lambda: [[(0.7, 0), (0.22, 0.7)] + arc(0.5, 0.74, 0.3, 0.25, 180, 520)],
    ],
    7: [
        lambda: [[(0.12, 0), (0.88, 0), (0.4, 1)]],
        lambda: [[(0.12, 0), (0.88, 0), (0.4, 1)], [(0.4, 0.5), (0.82, 0.5)]],  # crossed
        lambda: [[(0.12, 0.18), (0.14, 0), (0.88, 0), (0.45, 1)]],  # hooked
    ],
    8: [
        lambda: [arc(0.5, 0.25, 0.22, 0.24, 0, 360), arc(0.5, 0.73, 0.28, 0.26, 0, 360)],
        lambda: [arc(0.5, 0.25, 0.24, 0.24, 90, 450) + arc(0.5, 0.73, 0.28, 0.26, 270, -90)],
    ],
    9: [
        lambda: [arc(0.48, 0.27, 0.28, 0.26, 0, 360), [(0.76, 0.27), (0.7, 1)]],
        lambda: [arc(0.5, 0.17, 0.2, 0.16, -10, 350), [(0.7, 0.15), (0.62, 1)]],  # small loop
        lambda: [arc(0.45, 0.27, 0.28, 0.26, 30, 330), bezier((0.72, 0.1), (0.8, 0.8), (0.4, 1))],
    ],
}


def draw_skeleton(strokes: list[Stroke], rng: np.random.Generator) -> np.ndarray:
    """Strokes in a unit box -> a white-on-black mask, jittered, slanted, in a random pen."""
    size = 200
    shear = rng.uniform(-0.35, 0.35)
    aspect = rng.uniform(0.65, 1.3)
    width = int(size * rng.choice([0.035, 0.06, 0.09, 0.12]))  # fine pen to felt-tip
    canvas = Image.new("L", (size * 2, size * 2), 0)
    draw = ImageDraw.Draw(canvas)
    for stroke in strokes:
        points = np.array(stroke) + rng.normal(0, 0.02, (len(stroke), 2))
        x = (points[:, 0] - 0.5) * aspect - shear * (points[:, 1] - 0.5)
        xy = [
            (size + px * size, size // 2 + py * size)
            for px, py in zip(x, points[:, 1], strict=True)
        ]
        draw.line(xy, fill=255, width=width, joint="curve")
        for px, py in (xy[0], xy[-1]):  # round pen ends
            r = width / 2
            draw.ellipse((px - r, py - r, px + r, py + r), fill=255)
    return np.asarray(canvas.rotate(rng.uniform(-8, 8), Image.Resampling.BILINEAR))


def stroke_digits(out: Path, n: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    rows = []
    for i in range(n):
        digit = i % 10
        variants = SKELETONS[digit]
        ink = draw_skeleton(variants[int(rng.integers(len(variants)))](), rng)
        height = int(rng.integers(24, 110))
        rows.append((save(on_paper(ink, rng, height), out / f"{digit}_{i}", rng), digit))
    return rows


# Re-scans and UCI ---------------------------------------------------------------------------


def rescans(out: Path, n: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    x, y = load_idx(
        MNIST_DIR / "t10k-images-idx3-ubyte.gz", MNIST_DIR / "t10k-labels-idx1-ubyte.gz"
    )
    rows = []
    for i, index in enumerate(rng.choice(len(x), n, replace=False)):
        image = Image.fromarray(x[index])
        if rng.random() < 0.4:
            image = image.filter(ImageFilter.MaxFilter(3))  # a thicker pen
        image = image.crop(image.getbbox())
        height = int(rng.integers(8, 17))
        width = max(1, round(image.size[0] * height / image.size[1]))
        small = np.asarray(image.resize((width, height), Image.Resampling.BOX), np.float32)
        if rng.random() < 0.6:  # a bilevel scanner
            small = np.where(small > rng.uniform(50, 150), 255.0, 0.0)
        pad = int(rng.integers(1, 4))
        small = np.pad(small, pad)
        paper = 255 - small * rng.uniform(0.7, 1.0)
        label = int(y[index])
        image = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8))
        path = out / f"{label}_{i}.png"
        image.save(path)
        rows.append((path, label))
    return rows


def uci(out: Path, n: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        print("uci: scikit-learn is not installed (pip install -e '.[bench]'): skipped")
        return []
    digits = load_digits()
    rows = []
    for i in rng.permutation(len(digits.images))[:n]:
        pixels = 255 - digits.images[i] * (255 / 16)  # dark ink on white paper, 8x8
        path = out / f"{digits.target[i]}_{i}.png"
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path)
        rows.append((path, int(digits.target[i])))
    return rows


MAKERS = {"fonts": font_digits, "strokes": stroke_digits, "rescans": rescans, "uci": uci}


def make(out: Path, n: int, seed: int = 0, sources: tuple[str, ...] = SOURCES) -> Path:
    """Write every source's files under `out` and `out/labels.csv` (file, source, digit)."""
    out.mkdir(parents=True, exist_ok=True)
    listing = out / "labels.csv"
    with listing.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "source", "digit"])
        for offset, source in enumerate(sources):
            folder = out / source
            folder.mkdir(exist_ok=True)
            rows = MAKERS[source](folder, n, np.random.default_rng([seed, offset]))
            for path, digit in rows:
                writer.writerow([path.relative_to(out).as_posix(), source, digit])
            print(f"{source}: {len(rows)} files")
    return listing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("robustness"))
    parser.add_argument("--n", type=int, default=1000, help="files per source (uci: at most 1797)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sources", default=",".join(SOURCES))
    args = parser.parse_args()
    make(args.out, args.n, args.seed, tuple(args.sources.split(",")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
