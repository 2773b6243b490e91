"""Robustness benchmark: digits that do not come from MNIST's writers, read as image files.

    python bench/checks/robustness.py [--out bench/results/robustness] [--per-source 1000]
                               [--model MODEL ...] [--json]

Builds (once, seeded) a development set of image files from sixteen sources, then reads them with
`digitcli.predicting.predict` (the real preparation path a user's files take) and prints
accuracy and the
expected calibration error (ECE, 15 bins) per source for each model:

- `uci`: scikit-learn's `load_digits`: 8x8 scans of 43 writers (UCI optical digits), dark ink
  on light paper, saved at 8x8 and 16x16: its first `--per-source` digits.
- `uci-rest`: the same collection's remaining digits (797 with the default 1,000), made the same
  way: a check, never tuned on. Nothing here says which writer wrote which digit, but the two
  parts read very differently (the bundled model: 97.9% and 95.9%), so a gain on `uci` that is
  no gain here was learnt from `uci`'s writers.
- `enlarged`, `enlarged-rest`: the same two parts as a viewer or a form's export shows them:
  enlarged smoothly (bilinear, bicubic, Lanczos or Hamming) to 28-200 px, on paper of any grey
  with a margin of 0-40% on each side or none, some noise, PNG or JPEG. `enlarged-rest` is a
  check, never tuned on.
- `faint`: legible digits of low contrast (16-80 grey levels, noise at most an eighth of that).
- `blank`: images with no digit; right when answered "no digit found" (label -1).
- `row`: one digit cut out of a row of three (a house number, a meter, a form's boxes), drawn
  from the skeletons or in the fonts, on paper: parts of its neighbours show at both sides.
- `lined`: a digit written on lined paper (ruled lines fainter than the ink, 0.45-1 of the
  digit's height apart, crossing it), with paper all around it.
- `squared`: the same on squared paper (faint lines both ways, 0.3-0.6 of its height apart).
- `cell`: a digit in a table's cell, one to three of the cell's rules across the picture.
- `boxed`: a digit written in a form's box (a rectangle of any grey and line width, 10-40% of
  the digit's height away from it), cut out with a margin of 0-30% around the box, on paper.
- `fonts`: digits in handwriting-style fonts from Debian's packages (`apt-get install
  fonts-comic-neue fonts-dkg-handwriting fonts-breip fonts-bwht fonts-dancingscript
  fonts-ecolier-court fonts-femkeklaver fonts-humor-sans fonts-kaushanscript fonts-kristi
  fonts-klee`), with varied sizes, stroke widths, slants, rotations and paper.
- `drawn`: digits drawn from stroke skeletons (continental 1s with flag and foot, crossed 7s,
  open and closed 4s, small-loop 9s with long tails, ...) with varied pens, widths and jitter.
- `rescan`: MNIST *test* digits re-scanned: thick or thin pens, 8-16 px resolution, binarised.
- `filled`: `drawn` and `fonts` digits stretched to fill a 16x16 box, their aspect lost, and
  binarised at a fixed level: what form scanners that store each digit in a fixed box keep (a
  thick continental 1 becomes a slab as wide as it is tall).
- `filled-scanned`: the same cells enlarged and scanned again on paper with a margin, in grey or
  blue ink, some JPEG: the cell no longer fills the picture.

Tune on this set, never on MNIST's test split (the `rescan` source reuses test digits only as
drawings to degrade; nothing is fitted on it).
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

FONT_GLOBS = (
    "/usr/share/fonts/opentype/comic-neue/*.otf",
    "/usr/share/fonts/truetype/fifthhorseman/*.ttf",
    "/usr/share/fonts/truetype/breip/*.ttf",
    "/usr/share/fonts/opentype/bwht/*.otf",
    "/usr/share/fonts/opentype/dancingscript/*.otf",
    "/usr/share/fonts/truetype/ecolier-court/*.ttf",
    "/usr/share/fonts/truetype/femkeklaver/*.ttf",
    "/usr/share/fonts/truetype/humor-sans/*.ttf",
    "/usr/share/fonts/opentype/kaushanscript/*.otf",
    "/usr/share/fonts/truetype/kristi/*.ttf",
    "/usr/share/fonts/truetype/klee/*.ttf",
)
SOURCES = (
    "uci",
    "fonts",
    "drawn",
    "rescan",
    "filled",
    "uci-rest",
    "enlarged",
    "enlarged-rest",
    "faint",
    "blank",
    "row",
    "boxed",
    "lined",
    "squared",
    "cell",
    "filled-scanned",  # last: each source's seed is its place in this list
)

# Stroke skeletons in a unit box (x right, y down); each digit has several styles, each style a
# list of strokes, each stroke a polyline. Curves are sampled from arcs.


def _arc(cx, cy, rx, ry, start, end, n=14):
    angles = np.linspace(math.radians(start), math.radians(end), n)
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


SKELETONS: dict[int, list[list[list[tuple[float, float]]]]] = {
    0: [[_arc(0.5, 0.5, 0.32, 0.45, -90, 270, 24)], [_arc(0.5, 0.5, 0.4, 0.45, -100, 265, 24)]],
    1: [
        [[(0.5, 0.05), (0.5, 0.95)]],
        [[(0.25, 0.3), (0.55, 0.05), (0.55, 0.95)]],  # flag
        [[(0.25, 0.3), (0.55, 0.05), (0.55, 0.95)], [(0.3, 0.95), (0.8, 0.95)]],  # flag and foot
        [[(0.1, 0.45), (0.6, 0.05), (0.55, 0.95)]],  # long lead-in stroke
    ],
    2: [
        [_arc(0.5, 0.3, 0.3, 0.25, 200, 360) + [(0.15, 0.95), (0.85, 0.95)]],
        [
            _arc(0.5, 0.3, 0.3, 0.25, 190, 380)
            + [(0.2, 0.9)]
            + _arc(0.3, 0.88, 0.1, 0.08, 180, 0)
            + [(0.9, 0.93)]
        ],  # looped base
    ],
    3: [
        [_arc(0.5, 0.28, 0.28, 0.23, 200, 450) + _arc(0.5, 0.72, 0.32, 0.23, 270, 520)],
        [
            [(0.2, 0.05), (0.8, 0.05), (0.45, 0.45)] + _arc(0.5, 0.7, 0.3, 0.25, 270, 520)
        ],  # flat top
    ],
    4: [
        [[(0.6, 0.05), (0.15, 0.65), (0.9, 0.65)], [(0.65, 0.3), (0.65, 0.95)]],  # closed
        [[(0.25, 0.05), (0.2, 0.6), (0.85, 0.6)], [(0.7, 0.05), (0.7, 0.95)]],  # open
        [[(0.55, 0.05), (0.2, 0.6), (0.85, 0.6)], [(0.55, 0.05), (0.6, 0.95)]],  # closed top
    ],
    5: [
        [[(0.8, 0.05), (0.25, 0.05), (0.2, 0.45)] + _arc(0.5, 0.68, 0.32, 0.27, 220, 500)],
        [
            [(0.25, 0.05), (0.2, 0.45)] + _arc(0.5, 0.68, 0.32, 0.27, 220, 500),
            [(0.25, 0.05), (0.85, 0.02)],
        ],  # flag drawn apart
    ],
    6: [
        [[(0.75, 0.05), (0.35, 0.4)] + _arc(0.5, 0.7, 0.3, 0.25, 180, 540)],
        [_arc(0.75, 0.5, 0.55, 0.45, 250, 180, 10) + _arc(0.5, 0.72, 0.3, 0.23, 180, 540)],
    ],
    7: [
        [[(0.15, 0.05), (0.85, 0.05), (0.4, 0.95)]],
        [[(0.15, 0.05), (0.85, 0.05), (0.4, 0.95)], [(0.3, 0.5), (0.8, 0.5)]],  # crossed
        [[(0.15, 0.2), (0.15, 0.05), (0.85, 0.05), (0.5, 0.95)]],  # with a serif
    ],
    8: [
        [_arc(0.5, 0.27, 0.25, 0.22, 90, 450) + _arc(0.5, 0.72, 0.3, 0.23, -90, 270)],
        [_arc(0.5, 0.25, 0.22, 0.2, 0, 360) + _arc(0.5, 0.7, 0.32, 0.25, -90, 270)],
    ],
    9: [
        [_arc(0.5, 0.3, 0.28, 0.25, 0, 360) + [(0.78, 0.3), (0.7, 0.95)]],
        [_arc(0.6, 0.2, 0.17, 0.15, 0, 360) + [(0.77, 0.2), (0.45, 0.95)]],  # small loop, tail
        [_arc(0.5, 0.3, 0.28, 0.25, 20, 340) + [(0.78, 0.3), (0.75, 0.95)]],  # open loop
    ],
}


def _paper(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Light paper with a little grain and a gentle lighting gradient."""
    w, h = size
    base = rng.uniform(190, 250)
    yy, xx = np.mgrid[0:h, 0:w]
    gradient = rng.uniform(-25, 25) * (xx / w) + rng.uniform(-20, 20) * (yy / h)
    grain = rng.normal(0, rng.uniform(1, 6), (h, w))
    return Image.fromarray(np.clip(base + gradient + grain, 0, 255).astype(np.uint8), "L")


def _ink_on_paper(ink: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Lay an ink mask (L, 255 = ink) onto paper with an ink darkness that varies."""
    paper = np.asarray(_paper(rng, ink.size), np.float32)
    alpha = np.asarray(ink, np.float32) / 255.0
    darkness = rng.uniform(10, 110)
    return Image.fromarray(np.clip(paper * (1 - alpha) + darkness * alpha, 0, 255).astype(np.uint8))


def _shear(image: Image.Image, slant: float) -> Image.Image:
    w, h = image.size
    return image.transform(
        (w, h), Image.Transform.AFFINE, (1, slant, -slant * h / 2, 0, 1, 0), Image.BILINEAR
    )


def _fonts() -> list[str]:
    return sorted(f for pattern in FONT_GLOBS for f in glob.glob(pattern))


def _font_ink(fonts: list[str], digit: int, rng: np.random.Generator) -> Image.Image:
    """A digit in a random handwriting font and size, a random stroke added, slanted and turned
    (L, 255 = ink, on 0)."""
    font = ImageFont.truetype(fonts[rng.integers(len(fonts))], int(rng.integers(40, 110)))
    canvas = Image.new("L", (220, 220), 0)
    draw = ImageDraw.Draw(canvas)
    stroke = int(rng.choice([0, 0, 1, 2, 3]))
    draw.text((60, 30), str(digit), fill=255, font=font, stroke_width=stroke, stroke_fill=255)
    return _shear(canvas, rng.uniform(-0.3, 0.3)).rotate(rng.uniform(-10, 10), Image.BILINEAR)


def make_fonts(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    fonts = _fonts()
    if not fonts:
        print("fonts: no handwriting fonts installed (see the docstring); skipped", file=sys.stderr)
        return []
    items = []
    for i in range(count):
        digit = i % 10
        canvas = _font_ink(fonts, digit, rng)
        box = canvas.getbbox()
        if box is None:
            continue
        pad = int(rng.integers(8, 40))
        crop = canvas.crop((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad))
        items.append(_save(out, "fonts", i, digit, _ink_on_paper(crop, rng), rng))
    return items


def _drawn_ink(digit: int, rng: np.random.Generator) -> Image.Image:
    """A digit drawn from one of its stroke skeletons with a random pen, wobble, slant and
    rotation, blurred sometimes (L, 255 = ink, on 0)."""
    styles = SKELETONS[digit]
    strokes = styles[rng.integers(len(styles))]
    size = 200
    aspect = rng.uniform(0.55, 1.0)
    sx, sy = size * 0.6 * aspect, size * 0.75
    ox, oy = (size - sx) / 2, (size - sy) / 2
    canvas = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(canvas)
    width = int(max(2, rng.uniform(0.03, 0.16) * sy))
    wobble = rng.uniform(0.0, 0.03)
    for stroke in strokes:
        points = np.asarray(stroke) + rng.normal(0, wobble, (len(stroke), 2))
        xy = [(ox + x * sx, oy + y * sy) for x, y in points]
        draw.line(xy, fill=255, width=width, joint="curve")
        r = width / 2
        for x, y in (xy[0], xy[-1]):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    canvas = _shear(canvas, rng.uniform(-0.35, 0.35)).rotate(rng.uniform(-12, 12), Image.BILINEAR)
    if rng.random() < 0.4:
        canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2.5)))
    return canvas


def make_drawn(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    items = []
    for i in range(count):
        canvas = _drawn_ink(i % 10, rng)
        items.append(_save(out, "drawn", i, i % 10, _ink_on_paper(canvas, rng), rng))
    return items


def make_filled(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    """Digits drawn from the skeletons and in the fonts, each stretched to fill a 16x16 box (its
    aspect lost: a 1 becomes a slab) and binarised at a fixed level, black on white, at 16 px
    or enlarged 4x: what a form scanner that stores every digit in a fixed box keeps."""
    fonts = _fonts()
    items = []
    for i in range(count):
        digit = i % 10
        inked = _fixed_cell(fonts, i, rng)
        if inked is None:
            continue
        scan = Image.fromarray(np.where(inked, 0, 255).astype(np.uint8), "L")
        if rng.random() < 0.5:
            scan = scan.resize((64, 64), Image.NEAREST)
        items.append(_save(out, "filled", i, digit, scan, rng, lossy=False))
    return items


def make_filled_scanned(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    """The same fixed-cell digits scanned again as a user scans a form: enlarged to 32-160 px
    (nearest or bilinear), on paper with a margin of 10-50% of the digit, in dark grey or blue
    ink, 40% of them JPEG. The cell no longer fills the picture."""
    fonts = _fonts()
    items = []
    for i in range(count):
        cells = _fixed_cell(fonts, i, rng)
        if cells is not None:
            items.append(_rescanned(out, i, i % 10, cells, rng))
    return items


def _fixed_cell(fonts: list[str], i: int, rng: np.random.Generator) -> np.ndarray | None:
    """Digit `i % 10`, in a font for `i % 20 >= 10` (when there are fonts), else drawn from the
    skeletons, stretched to fill a 16x16 cell and binarised at a fixed level: 16x16 bools,
    True = ink (None: no ink)."""
    digit = i % 10
    use_font = fonts and i % 20 >= 10
    canvas = _font_ink(fonts, digit, rng) if use_font else _drawn_ink(digit, rng)
    box = canvas.point(lambda v: 255 if v > 127 else 0).getbbox()
    if box is None:
        return None
    return np.asarray(canvas.crop(box).resize((16, 16), Image.BOX)) > rng.uniform(80, 140)


def _rescanned(out, i, digit, cells, rng) -> tuple[Path, int]:
    side = int(rng.integers(32, 160))
    resample = Image.NEAREST if rng.random() < 0.5 else Image.BILINEAR
    ink = Image.fromarray((cells * 255).astype(np.uint8), "L").resize((side, side), resample)
    margin = int(side * rng.uniform(0.1, 0.5))
    canvas = Image.new("L", (side + 2 * margin, side + 2 * margin), 0)
    shift = rng.integers(-(margin // 3), margin // 3 + 1, size=2)
    canvas.paste(ink, (margin + int(shift[0]), margin + int(shift[1])))
    paper = np.asarray(_paper(rng, canvas.size), np.float32)[..., None]
    alpha = np.asarray(canvas, np.float32)[..., None] / 255
    colour = np.array([20, 30, 160]) if rng.random() < 0.4 else np.full(3, rng.uniform(10, 90))
    scan = Image.fromarray(np.clip(paper * (1 - alpha) + colour * alpha, 0, 255).astype(np.uint8))
    folder = out / "filled-scanned"
    folder.mkdir(parents=True, exist_ok=True)
    jpeg = rng.random() < 0.4
    path = folder / f"{i:05d}-{digit}.{'jpg' if jpeg else 'png'}"
    scan.save(path, **({"quality": int(rng.integers(70, 95))} if jpeg else {}))
    return path, digit


def make_uci(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    return _uci_scans(out, "uci", slice(0, count), rng)


def make_uci_rest(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    return _uci_scans(out, "uci-rest", slice(count, None), rng)


def make_enlarged(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    return _uci_scans(out, "enlarged", slice(0, count), rng, enlarge=True)


def make_enlarged_rest(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    return _uci_scans(out, "enlarged-rest", slice(count, None), rng, enlarge=True)


def _uci_scans(
    out: Path, source: str, part: slice, rng: np.random.Generator, *, enlarge: bool = False
) -> list[tuple[Path, int]]:
    digits = _uci_images()
    if digits is None:
        print(
            f"{source}: scikit-learn is not installed (pip install scikit-learn); skipped",
            file=sys.stderr,
        )
        return []
    items = []
    for i in range(len(digits.target))[part]:
        ink = digits.images[i] / 16.0
        if enlarge:
            scan = _enlarged_scan(ink, rng)
        else:
            scan = Image.fromarray(np.clip(250 - 220 * ink, 0, 255).astype(np.uint8), "L")
            if i % 2:
                scan = scan.resize((16, 16), Image.BILINEAR)
        items.append(_save(out, source, i, int(digits.target[i]), scan, rng, lossy=enlarge))
    return items


def make_faint(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    """Legible digits of low contrast: drawn from the skeletons at 16-300 px, or UCI's 8x8
    scans at 8 px or enlarged, ink 16-80 grey levels from the paper (dark on any paper, or
    light on a dark canvas), noise at most an eighth of that, a gradient on some."""
    uci = _uci_images()
    items = []
    for i in range(count):
        digit = i % 10
        if uci is not None and i % 2:
            index = int(rng.integers(min(count, len(uci.target))))  # `uci`'s part
            digit = int(uci.target[index])
            ink = Image.fromarray((uci.images[index] * (255 / 16)).astype(np.uint8))
            size = int(rng.choice([8, 8, 16, 32, 64, 128]))
        else:
            ink, size = _drawn_ink(digit, rng), int(np.exp(rng.uniform(np.log(16), np.log(300))))
        alpha = np.asarray(ink.resize((size, size), Image.BILINEAR), np.float32) / 255.0
        contrast = rng.uniform(16, 80)
        light = rng.random() < 0.2
        paper = rng.uniform(10, 150) if light else rng.uniform(80 + contrast, 250)
        levels = paper + (contrast if light else -contrast) * alpha
        if size >= 64 and rng.random() < 0.5:
            yy, xx = np.mgrid[0:size, 0:size] / size
            levels += rng.uniform(-1, 1) * 0.4 * contrast * (xx if rng.random() < 0.5 else yy)
        levels += rng.normal(0, rng.uniform(0, contrast / 8), levels.shape)
        scan = Image.fromarray(np.clip(levels, 0, 255).astype(np.uint8), "L")
        items.append(_save(out, "faint", i, digit, scan, rng, lossy=size >= 32))
    return items


def make_row(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    """A digit between two others on one line, cut out 1.15-1.4 times as wide as it is (the
    neighbours cut by the picture's sides), at 24-200 px, on paper."""
    fonts = _fonts()
    items = []
    for i in range(count):
        digit = i % 10
        use_font = fonts and i % 2
        row = [int(rng.integers(10)), digit, int(rng.integers(10))]
        inks = [_font_ink(fonts, d, rng) if use_font else _drawn_ink(d, rng) for d in row]
        inks = [ink.crop(ink.getbbox()) for ink in inks]
        height = inks[1].height
        inks = [ink.resize((max(1, round(ink.width * height / ink.height)), height))
                for ink in inks]  # fmt: skip
        gap, pad = max(2, height // 8), int(rng.uniform(0.05, 0.3) * height)
        line = Image.new("L", (sum(ink.width for ink in inks) + 2 * gap, height + 2 * pad), 0)
        left = 0
        for ink in inks:
            line.paste(ink, (left, pad))
            left += ink.width + gap
        centre = inks[0].width + gap + inks[1].width // 2
        half = round(max(height, inks[1].width) * rng.uniform(1.15, 1.4) / 2)
        crop = line.crop((centre - half, 0, centre + half, line.height))
        scale = rng.uniform(24, 200) / max(crop.size)
        crop = crop.resize((max(8, round(crop.width * scale)), max(8, round(crop.height * scale))))
        items.append(_save(out, "row", i, digit, _ink_on_paper(crop, rng), rng))
    return items


def _digit_ink(fonts: list[str], i: int, rng: np.random.Generator) -> Image.Image:
    """Digit `i % 10`, in one of the `fonts` for odd `i` (when there are any), drawn from the
    skeletons otherwise, cropped to its ink (L, 255 = ink)."""
    digit = i % 10
    ink = _font_ink(fonts, digit, rng) if fonts and i % 2 else _drawn_ink(digit, rng)
    return ink.crop(ink.getbbox())


def make_boxed(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    """A digit drawn from the skeletons or in the fonts, inside a box drawn around it, the
    picture cut 0-30% of the digit's height outside the box, at 28-200 px, on paper."""
    fonts = _fonts()
    items = []
    for i in range(count):
        digit = i % 10
        ink = _digit_ink(fonts, i, rng)
        space, line = rng.uniform(0.1, 0.4) * ink.height, rng.uniform(0.01, 0.05) * ink.height
        margin = int(rng.uniform(0.0, 0.3) * ink.height)
        side = max(ink.size) + 2 * int(space) + 2 * max(1, int(line)) + 2 * margin
        canvas = Image.new("L", (side, side), 0)
        canvas.paste(ink, ((side - ink.width) // 2, (side - ink.height) // 2))
        ImageDraw.Draw(canvas).rectangle(
            [margin, margin, side - margin - 1, side - margin - 1],
            outline=int(rng.uniform(120, 255)), width=max(1, int(line)),
        )  # fmt: skip
        canvas = canvas.resize((max(8, round(rng.uniform(28, 200))),) * 2)
        items.append(_save(out, "boxed", i, digit, _ink_on_paper(canvas, rng), rng))
    return items


def make_lined(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    """A digit drawn from the skeletons or in the fonts on lined paper: ruled lines 20-50% as
    dark as the ink, 0.45-1 of its height apart, a margin of 20-60% of its height around it,
    at 40-250 px."""
    return [_on_ruled_paper(out, "lined", i, rng, (0.45, 1.0), (0.2, 0.5)) for i in range(count)]


def make_squared(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    """The same on squared paper: lines both ways, 15-40% as dark as the ink, 0.3-0.6 of the
    digit's height apart."""
    return [
        _on_ruled_paper(out, "squared", i, rng, (0.3, 0.6), (0.15, 0.4), columns=True)
        for i in range(count)
    ]


def make_cell(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    """A digit drawn from the skeletons or in the fonts in a table's cell: one to three of
    its rules (30-80% as dark as paper and ink apart) run across the picture, 0-50% of the
    margin from its sides."""
    fonts = _fonts()
    items = []
    for i in range(count):
        digit = i % 10
        ink = _digit_ink(fonts, i, rng)
        pad = int(rng.uniform(0.2, 0.5) * ink.height)
        w, h = ink.width + 2 * pad, ink.height + 2 * pad
        canvas = Image.new("L", (w, h), 0)
        canvas.paste(ink, (pad, pad))
        rules = Image.new("L", (w, h), 0)
        draw = ImageDraw.Draw(rules)
        width = max(1, int(rng.uniform(0.01, 0.04) * ink.height))
        for side in rng.choice(4, size=int(rng.integers(1, 4)), replace=False):
            at = int(rng.uniform(0, 0.5) * pad)
            far = (h if side < 2 else w) - 1 - at
            line = {0: [(0, at), (w, at)], 1: [(0, far), (w, far)],
                    2: [(at, 0), (at, h)], 3: [(far, 0), (far, h)]}[int(side)]  # fmt: skip
            draw.line(line, fill=255, width=width)
        paper = np.asarray(_paper(rng, (w, h)), np.float32)
        paper *= 1 - np.asarray(rules, np.float32) / 255 * rng.uniform(0.3, 0.8)
        alpha = np.asarray(canvas, np.float32) / 255
        picture = paper * (1 - alpha) + rng.uniform(10, 90) * alpha
        scale = rng.uniform(40, 250) / max(w, h)
        photo = Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8), "L").resize(
            (max(8, round(w * scale)), max(8, round(h * scale))), Image.BILINEAR
        )
        items.append(_save(out, "cell", i, digit, photo, rng))
    return items


def _on_ruled_paper(out, source, i, rng, spacing, darkness, columns=False) -> tuple[Path, int]:
    """Digit `i % 10` on paper ruled every `spacing` (a range, in the digit's heights), the
    lines `darkness` (a range) as dark as the ink, across and, with `columns`, down too."""
    digit = i % 10
    ink = _digit_ink(_fonts(), i, rng)
    pad = int(rng.uniform(0.2, 0.6) * ink.height)
    size = (ink.width + 2 * pad, ink.height + 2 * pad)
    lines = Image.new("L", size, 0)
    draw = ImageDraw.Draw(lines)
    step = rng.uniform(*spacing) * ink.height
    width = max(1, int(rng.uniform(0.01, 0.03) * ink.height))
    for y in np.arange(rng.uniform(0, step), size[1], step):
        draw.line([(0, y), (size[0], y)], fill=255, width=width)
    for x in np.arange(rng.uniform(0, step), size[0], step) if columns else ():
        draw.line([(x, 0), (x, size[1])], fill=255, width=width)
    canvas = Image.new("L", size, 0)
    canvas.paste(ink, (pad, pad))
    paper = np.asarray(_paper(rng, size), np.float32)
    paper *= 1 - np.asarray(lines, np.float32) / 255 * rng.uniform(*darkness)
    alpha = np.asarray(canvas, np.float32) / 255
    picture = paper * (1 - alpha) + rng.uniform(10, 90) * alpha
    scale = rng.uniform(40, 250) / max(size)
    photo = Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8), "L").resize(
        (max(8, round(size[0] * scale)), max(8, round(size[1] * scale))), Image.BILINEAR
    )
    return _save(out, source, i, digit, photo, rng)


def make_blank(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    """Images with no digit (label -1: right when answered "no digit found"): paper or a canvas
    of any grey, 8-400 px, noise up to 8 grey levels, a lighting gradient of up to 40 levels
    on some, paper grain on others, PNG or JPEG."""
    items = []
    for i in range(count):
        h, w = (int(np.exp(rng.uniform(np.log(8), np.log(400)))) for _ in range(2))
        levels = np.full((h, w), rng.uniform(0, 255), np.float32)
        if rng.random() < 0.5:
            yy, xx = np.mgrid[0:h, 0:w]
            levels += rng.uniform(-40, 40) * xx / w + rng.uniform(-40, 40) * yy / h
        if rng.random() < 0.3:
            grain = rng.normal(0, 1, (max(1, h // 8), max(1, w // 8))).astype(np.float32)
            levels += 6 * np.asarray(Image.fromarray(grain, "F").resize((w, h), Image.BICUBIC))
        levels += rng.normal(0, rng.uniform(0, 8), (h, w))
        scan = Image.fromarray(np.clip(levels, 0, 255).astype(np.uint8), "L")
        items.append(_save(out, "blank", i, -1, scan, rng))
    return items


def _uci_images():  # scikit-learn's load_digits, None without scikit-learn
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return None
    return load_digits()


ENLARGERS = (Image.BILINEAR, Image.BICUBIC, Image.LANCZOS, Image.HAMMING)


def _enlarged_scan(ink: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """An 8x8 scan as a viewer or a form's export shows it: smoothly enlarged to 28-200 px, on
    paper of any grey with a margin of 0-40% of the digit's size on each side, some noise."""
    paper, dark = float(rng.uniform(170, 255)), float(rng.uniform(0, 90))
    scan = Image.fromarray(np.clip(paper - (paper - dark) * ink, 0, 255).astype(np.uint8), "L")
    size = int(np.exp(rng.uniform(np.log(28), np.log(200))))
    pixels = np.asarray(scan.resize((size, size), ENLARGERS[rng.integers(len(ENLARGERS))]))
    margins = (rng.uniform(0, 0.4, 4) * size).astype(int) if rng.random() < 0.7 else [0] * 4
    top, bottom, left, right = (int(m) for m in margins)
    pixels = np.pad(pixels, ((top, bottom), (left, right)), constant_values=int(paper))
    noisy = pixels + rng.normal(0, rng.uniform(0, 6), pixels.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "L")


def make_rescan(out: Path, count: int, rng: np.random.Generator) -> list[tuple[Path, int]]:
    from digitcli.datasets.data import load_dataset

    test = load_dataset(ROOT / "MNIST", role="test").test
    items = []
    for i in range(min(count, len(test))):
        scan = rescanned(test.x[i], rng)
        items.append(_save(out, "rescan", i, int(test.y[i]), scan, rng, lossy=False))
    return items


def rescanned(digit: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """An MNIST digit (28x28, ink bright) re-scanned: its strokes thickened or thinned, shrunk
    to 8-16 px, half of them thresholded, dark on white, half enlarged 4 times by repeating."""
    from scipy import ndimage

    ink = digit.astype(np.float32)
    grow = int(rng.choice([-1, 0, 0, 1, 2, 3]))
    if grow > 0:
        ink = ndimage.grey_dilation(ink, size=(grow + 1, grow + 1))
    elif grow < 0:
        ink = ndimage.grey_erosion(ink, size=(2, 2))
    res = int(rng.integers(8, 17))
    small = Image.fromarray(ink.astype(np.uint8), "L").resize((res, res), Image.BOX)
    if rng.random() < 0.5:
        small = small.point(lambda v: 255 if v > 90 else 0)
    scan = Image.fromarray(255 - np.asarray(small), "L")
    if rng.random() < 0.5:
        scan = scan.resize((res * 4, res * 4), Image.NEAREST)
    return scan


def _save(out, source, i, digit, image, rng, lossy=True) -> tuple[Path, int]:
    folder = out / source
    folder.mkdir(parents=True, exist_ok=True)
    if lossy and rng.random() < 0.5:
        path = folder / f"{i:05d}-{digit}.jpg"
        image.convert("L").save(path, quality=int(rng.integers(60, 95)))
    else:
        path = folder / f"{i:05d}-{digit}.png"
        image.convert("L").save(path)
    return path, digit


MAKERS = {
    "uci": make_uci,
    "fonts": make_fonts,
    "drawn": make_drawn,
    "rescan": make_rescan,
    "filled": make_filled,
    "filled-scanned": make_filled_scanned,
    "uci-rest": make_uci_rest,
    "enlarged": make_enlarged,
    "enlarged-rest": make_enlarged_rest,
    "faint": make_faint,
    "blank": make_blank,
    "row": make_row,
    "boxed": make_boxed,
    "lined": make_lined,
    "squared": make_squared,
    "cell": make_cell,
}


def build(out: Path, per_source: int, seed: int = 0) -> dict[str, list[tuple[Path, int]]]:
    """The set, made once: a labels.json in `out` records it. Each source has its own seeded
    generator, so a source added later leaves the others as they were made."""
    index = out / "labels.json"
    sources: dict[str, list[tuple[Path, int]]] = {}
    if index.is_file():
        saved = json.loads(index.read_text())
        if saved.get("per_source") == per_source and saved.get("seed") == seed:
            sources = {s: [(out / p, d) for p, d in v] for s, v in saved["sources"].items()}
    for k, name in enumerate(SOURCES):
        if name not in sources:
            sources[name] = MAKERS[name](out, per_source, np.random.default_rng([seed, k]))
    out.mkdir(parents=True, exist_ok=True)
    relative = {s: [(str(p.relative_to(out)), d) for p, d in v] for s, v in sources.items()}
    index.write_text(json.dumps({"per_source": per_source, "seed": seed, "sources": relative}))
    return sources


def expected_calibration_error(confidence, correct, bins: int = 15) -> float:
    from digitcli.reports.evaluate import expected_calibration_error as ece

    return ece(np.asarray(confidence), np.asarray(correct), bins=bins)


def measure(model: str | None, items: list[tuple[Path, int]]) -> dict:
    from digitcli.predicting.predict import predict

    answers = list(predict([str(p) for p, _ in items], model=model, top_k=1))
    labels = np.array([d for _, d in items])
    digits = np.array([-1 if a.digit is None else a.digit for a in answers])
    confidence = np.array([a.confidence or 0.0 for a in answers])
    correct = digits == labels
    kept = confidence >= 0.9
    return {
        "n": len(items),
        "accuracy": float(correct.mean()) if len(items) else math.nan,
        "ece": expected_calibration_error(confidence, correct),
        "answered_at_0.9": float(kept.mean()) if len(items) else math.nan,
        "right_when_answered_at_0.9": float(correct[kept].mean()) if kept.any() else math.nan,
        "mistakes": [
            str(p.name) + f"->{d}"
            for (p, _), d, c in zip(items, digits, correct, strict=True)
            if not c
        ][:40],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "robustness")
    parser.add_argument("--per-source", type=int, default=1000)
    parser.add_argument("--model", action="append", help="model(s); default: the bundled one")
    parser.add_argument("--sources", nargs="*", default=list(SOURCES))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--mistakes", action="store_true")
    args = parser.parse_args(argv)
    sets = build(args.out, args.per_source)
    from digitcli.models.modeldir import BUNDLED_DIR

    results = {}
    for model in args.model or [str(BUNDLED_DIR)]:
        results[model] = {s: measure(model, sets[s]) for s in args.sources if sets.get(s)}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print("| model | source | images | accuracy | ECE | answered at 0.9 | right when answered |")
    print("|---|---|---|---|---|---|---|")
    for model, per_source in results.items():
        for source, r in per_source.items():
            print(
                f"| {model} | {source} | {r['n']} | {100 * r['accuracy']:.1f}% | {r['ece']:.3f} "
                f"| {100 * r['answered_at_0.9']:.1f}% "
                f"| {100 * r['right_when_answered_at_0.9']:.2f}% |"
            )
            if args.mistakes:
                print("  ", " ".join(r["mistakes"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
