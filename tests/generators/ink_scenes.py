"""Scenes of paper whose handwritten strokes are known by construction, each with its mask:
the pages, sheets and desks `nondigits.py` writes its pictures on, and the pieces of ink the
writing network learns from (`bench/build/make_writing.py`; the learned ink finder they were
first drawn for was deleted in round 9, docs/measurements/preparation.md).

Three families, drawn by code no check set shares (`bench/checks/other_pages.py`,
`make_blanks.py`, `make_photos.py` and `judge_pictures.py` stay apart from them):
- `page`: a close-up of paper filling the picture: plain, ruled, squared or dotted, with a
  margin, print, a box around the digit, a crease, a stain, a soft or hard shadow, glare, a
  scanner's dark border;
- `desk`: a whole sheet (or part of one) in perspective on a table or desk, lit unevenly,
  with the shadow of the phone or a hand, the table's grain and edges;
- `canvas`: a drawing program's or an app's flat canvas of any tone, the digit drawn large
  with a brush of any width, sometimes saved as a JPEG;
- and, asked for by name (`SHADOW`, not among `FAMILIES`), `shadow`: plain paper under a
  shadow (a hand's, a phone's), straight or round, its edge sharp or soft, near or over the
  digits.
Each writes 0 to 5 handwritten digits (MNIST's training digits, enlarged and redrawn as pen,
pencil, marker or ballpoint, of any darkness, width and pressure) and photograph the scene:
tilt and perspective, blur, noise, JPEG. A quarter of the pictures hold no digit at all; some
are light ink on a dark board. The mask is the digits' strokes, nothing else.

    python tests/generators/ink_scenes.py --n 16 --seed 3 --out DIR  # a few, with their masks
"""

from __future__ import annotations

import argparse
import string
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from digitcli.datasets.idx import read_idx  # noqa: E402

MNIST_DIR = ROOT / "MNIST"
FAMILIES = ("page", "desk", "canvas")
SHADOW = "shadow"
SIDE = 192  # px: the longest side of a picture, as the preparation's work image


def load_strokes(split: str = "train") -> np.ndarray:
    """MNIST's digits of `split` (uint8, N x 28 x 28), the strokes every scene writes."""
    path = MNIST_DIR / f"{split}-images-idx3-ubyte.gz"
    return read_idx(path, path.read_bytes(), "images")


def _smooth(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Smooth noise of unit spread, `cells` bumps a side."""
    grid = rng.normal(0, 1, (cells + 1, cells + 1)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def _paper(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Paper's grey levels: a tone, a slow unevenness and a grain."""
    tone = rng.uniform(150, 250)
    paper = tone + _smooth(rng, h, w, rng.integers(2, 6)) * rng.uniform(0, 10)
    paper += rng.normal(0, rng.uniform(0.5, 5), (h, w))
    return paper.astype(np.float32)


def _ruling(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """How dark each pixel of a ruling is (0-1): none, ruled, squared, dotted, with a margin."""
    marks = np.zeros((h, w), np.float32)
    kind = rng.choice(["none", "ruled", "squared", "dotted", "ruled"])
    if kind == "none":
        return marks
    step = int(rng.integers(6, 34))
    width = min(int(rng.choice([1, 1, 1, 2, 3])), max(1, step // 6))
    first = int(rng.integers(0, step))
    strength = rng.uniform(0.15, 0.8)
    if kind == "dotted":
        for y in range(first, h, step):
            for x in range(first, w, step):
                cv2.circle(marks, (x, y), max(1, width // 2), strength, -1)
        return marks
    for y in range(first, h, step):
        cv2.line(marks, (0, y), (w, y), strength, width)
    if kind == "squared":
        for x in range(first, w, step):
            cv2.line(marks, (x, 0), (x, h), strength, width)
    if rng.random() < 0.4:
        x = int(rng.uniform(0.05, 0.3) * w)
        cv2.line(marks, (x, 0), (x, h), rng.uniform(0.3, 0.9), int(rng.integers(1, 3)))
    return marks


def _print(rng: np.random.Generator, marks: np.ndarray) -> None:
    """Lines of printed text or figures drawn into `marks` (not handwriting: not ink)."""
    h, w = marks.shape
    for _ in range(int(rng.integers(1, 6))):
        text = "".join(rng.choice(list(string.ascii_letters + string.digits + " .,:-/"), 14))
        scale = rng.uniform(0.25, 0.7)
        place = (int(rng.uniform(-0.2, 0.8) * w), int(rng.uniform(0.05, 1.0) * h))
        font = int(rng.choice([cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN,
                               cv2.FONT_HERSHEY_DUPLEX]))  # fmt: skip
        cv2.putText(marks, text, place, font, scale, rng.uniform(0.4, 1.0), 1, cv2.LINE_AA)


FONTS = (cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
         cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN)  # fmt: skip


def _drawn(rng: np.random.Generator) -> np.ndarray:
    """A digit drawn as a drawing program draws it: straight and round strokes of one width
    (a Hershey font's, a handwriting one among them), 28 px high, as MNIST's are stored."""
    canvas = np.zeros((56, 56), np.float32)
    font = int(rng.choice(FONTS))
    cv2.putText(canvas, str(rng.integers(10)), (8, 46), font, 1.4, 1.0, int(rng.integers(2, 6)),
                cv2.LINE_AA)  # fmt: skip
    return cv2.resize(canvas, (28, 28), interpolation=cv2.INTER_AREA)


def _digit(rng: np.random.Generator, strokes: np.ndarray, height: int) -> np.ndarray:
    """One MNIST digit (or a drawn one, straight strokes and all), enlarged to `height` px,
    slanted, its strokes made wider or thinner: the share of ink at each pixel (0-1)."""
    digit = strokes[rng.integers(len(strokes))].astype(np.float32) / 255.0
    if rng.random() < 0.3:
        digit = _drawn(rng)
    rows, cols = np.flatnonzero(digit.max(1) > 0.1), np.flatnonzero(digit.max(0) > 0.1)
    digit = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    dh, dw = digit.shape
    width = max(2, round(height * dw / dh * rng.uniform(0.8, 1.2)))
    digit = cv2.resize(np.pad(digit, 2), (width + 4, height + 4), interpolation=cv2.INTER_CUBIC)
    # MNIST's strokes, enlarged, are about a tenth of the digit's height wide: redrawn as a
    # pen of `width` px, from a fine pen's 1 px to a marker's quarter of the height.
    width_px = rng.uniform(1.0, max(1.5, 0.25 * height)) if rng.random() < 0.7 else 0.1 * height
    reach = int(round((width_px - 0.1 * height) / 2))
    reach = max(reach, -int(0.05 * height - 0.5)) if reach < 0 else reach
    if reach:
        size = 2 * abs(reach) + 1
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        digit = (cv2.dilate if reach > 0 else cv2.erode)(digit, kernel)
    angle = rng.uniform(-15, 15)
    h, w = digit.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return np.clip(cv2.warpAffine(digit, turn, (w, h)), 0, 1)


def _write(rng, canvas, mask, strokes, ink: float | None = None) -> None:
    """0-5 digits in a row (or scattered), written into `canvas` (grey levels) and `mask`."""
    h, w = canvas.shape
    count = int(rng.choice([0, 0, 1, 1, 1, 1, 2, 3, 4, 5]))
    if count == 0:
        return
    height = int(rng.uniform(0.12, 0.95 if count == 1 else 0.35) * min(h, w))
    height = max(height, 8)
    ink = rng.uniform(0, 100) if ink is None else ink  # the ink's own grey level
    pressure = rng.uniform(0.45, 1.0)  # pencil pressed lightly .. a marker
    if rng.random() < 0.4:  # a pen or a drawing program's brush: the ink's own level, whole
        pressure = 1.0
    pencil = rng.random() < 0.3
    x = rng.uniform(0.05, 0.5) * w
    y = rng.uniform(0.05, 0.95) * h - height / 2
    for _ in range(count):
        share = _digit(rng, strokes, height)
        dh, dw = share.shape
        top, left = int(y + rng.normal(0, height * 0.05)), int(x)
        if left + dw >= w or top + dh >= h or left < 0 or top < 0:
            if count == 1:  # one digit placed anew wholly inside
                top = int(rng.uniform(0, max(1, h - dh)))
                left = int(rng.uniform(0, max(1, w - dw)))
            else:
                break
        spot = (slice(top, top + dh), slice(left, left + dw))
        share = share[: h - top, : w - left]
        spot = (slice(top, top + share.shape[0]), slice(left, left + share.shape[1]))
        alpha = share * pressure
        if pencil:
            alpha *= np.clip(rng.normal(1.0, 0.35, share.shape), 0.2, 1.3).astype(np.float32)
        canvas[spot] = canvas[spot] * (1 - alpha) + ink * alpha
        mask[spot] = np.maximum(mask[spot], (share > 0.5).astype(np.float32))
        x += dw * rng.uniform(0.75, 1.25)


def _marks(rng, canvas: np.ndarray) -> np.ndarray:
    """A box, a crease, a coffee ring, a stray line: marks on the paper that are not digits,
    darkening `canvas` in place."""
    h, w = canvas.shape
    dark = np.zeros_like(canvas)
    if rng.random() < 0.3:
        _print(rng, dark)
    if rng.random() < 0.15:
        x0, y0 = int(rng.uniform(0, 0.4) * w), int(rng.uniform(0, 0.4) * h)
        x1, y1 = int(rng.uniform(0.6, 1) * w), int(rng.uniform(0.6, 1) * h)
        cv2.rectangle(dark, (x0, y0), (x1, y1), rng.uniform(0.3, 0.9), int(rng.integers(1, 3)))
    if rng.random() < 0.1:
        centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        axes = (int(rng.uniform(0.1, 0.3) * w),) * 2
        cv2.ellipse(dark, centre, axes, 0, 0, 360, rng.uniform(0.1, 0.3), int(rng.integers(2, 6)))
    canvas *= 1 - dark * 0.75
    if rng.random() < 0.15:  # a crease: a bright or dark line, one side a little darker
        a, b = rng.uniform(0, 1, 2)
        p, q = (int(a * w), 0), (int(b * w), h)
        side = np.zeros_like(canvas)
        cv2.fillPoly(side, [np.int32([p, q, (w, h), (w, 0)])], 1.0)
        canvas *= 1 - side * rng.uniform(0, 0.12)
        cv2.line(canvas, p, q, float(rng.uniform(100, 255)), 1, cv2.LINE_AA)
    return canvas


def _light(rng, canvas: np.ndarray) -> np.ndarray:
    """Uneven light: a gradient, a vignette, a soft or hard-edged shadow, glare."""
    h, w = canvas.shape
    gain = 1 + _smooth(rng, h, w, 2) * rng.uniform(0, 0.12)
    if rng.random() < 0.4:  # a vignette
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        r = ((yy - h / 2) / h) ** 2 + ((xx - w / 2) / w) ** 2
        gain *= 1 - rng.uniform(0.2, 1.2) * r
    if rng.random() < 0.45:  # a shadow: a polygon, its edge hard or soft
        shade = np.zeros((h, w), np.float32)
        corners = rng.uniform(-0.3, 1.3, (int(rng.integers(3, 6)), 2)) * [w, h]
        cv2.fillPoly(shade, [corners.astype(np.int32)], 1.0)
        soft = rng.choice([0, 0, 3, 9, 25])
        if soft:
            shade = cv2.GaussianBlur(shade, (0, 0), float(soft))
        gain *= 1 - shade * rng.uniform(0.15, 0.6)
    if rng.random() < 0.15:  # glare
        spot = np.zeros((h, w), np.float32)
        cv2.circle(spot, (int(rng.uniform(0, w)), int(rng.uniform(0, h))),
                   int(rng.uniform(0.05, 0.3) * w), 1.0, -1)  # fmt: skip
        canvas = canvas + cv2.GaussianBlur(spot, (0, 0), 8.0) * rng.uniform(30, 120)
    return canvas * gain


def _desk(rng, h: int, w: int) -> np.ndarray:
    """A table or desk: a tone, a grain of streaks, a gradient."""
    tone = rng.uniform(10, 200)
    desk = tone + _smooth(rng, h, w, int(rng.integers(2, 8))) * rng.uniform(3, 30)
    streaks = cv2.resize(rng.normal(0, 1, (h, 4)).astype(np.float32), (w, h))
    desk += streaks * rng.uniform(0, 15)
    if rng.random() < 0.5:
        desk = desk.T if h == w else cv2.resize(desk.T, (w, h))
    return desk.astype(np.float32)


def _shadowed(rng, canvas: np.ndarray) -> np.ndarray:
    """`canvas` with a shadow: one side of a line at any angle, a corner of two, or a round
    one (a hand's, a phone's) from a side, its edge sharp or soft, darkened by a fifth to two
    thirds."""
    h, w = canvas.shape
    rows, cols = np.mgrid[0:h, 0:w].astype(np.float32)
    shade = np.ones((h, w), np.float32)
    if rng.random() < 0.4:  # round, its centre near or beyond a side
        y, x = rng.uniform(-0.2, 1.2) * h, rng.uniform(-0.2, 1.2) * w
        ry, rx = rng.uniform(0.15, 0.6) * h, rng.uniform(0.15, 0.6) * w
        shade *= ((rows - y) / ry) ** 2 + ((cols - x) / rx) ** 2 < 1
    else:
        for _ in range(int(rng.choice([1, 1, 2]))):
            angle = rng.uniform(0, 2 * np.pi)
            y, x = rng.uniform(0.2, 0.8) * h, rng.uniform(0.2, 0.8) * w
            shade *= (np.cos(angle) * (cols - x) + np.sin(angle) * (rows - y)) > 0
    soft = float(rng.choice([0, 0.7, 1.5, 3.0, 6.0, 12.0]))
    if soft:
        shade = cv2.GaussianBlur(shade, (0, 0), soft)
    return canvas * (1 - rng.uniform(0.2, 0.67) * shade)


def _sheet_on_desk(rng, page, mask) -> tuple[np.ndarray, np.ndarray]:
    """`page` (and its mask) as a sheet lying on a desk, seen in perspective."""
    h, w = page.shape
    inset = rng.uniform(-0.1, 0.25, (4, 2)) * [w, h]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    seen = (corners + inset * [[1, 1], [-1, 1], [-1, -1], [1, -1]]).astype(np.float32)
    warp = cv2.getPerspectiveTransform(corners, seen)
    flat = cv2.warpPerspective(page, warp, (w, h), flags=cv2.INTER_LINEAR, borderValue=-1.0)
    mask = cv2.warpPerspective(mask, warp, (w, h), flags=cv2.INTER_LINEAR)
    outside = flat < 0
    desk = _desk(rng, h, w)
    if rng.random() < 0.5:  # the sheet's own shadow on the desk
        below = cv2.GaussianBlur((~outside).astype(np.float32), (0, 0), rng.uniform(2, 8))
        desk *= 1 - 0.5 * np.roll(below, (3, 3), (0, 1))
    return np.where(outside, desk, flat), mask


def _scanned_border(rng, canvas) -> None:
    """A scanner's or a crop's dark band along one or more edges, in place."""
    h, w = canvas.shape
    for side in range(4):
        if rng.random() < 0.3:
            band = int(rng.uniform(0.01, 0.12) * (h if side % 2 == 0 else w))
            level = rng.uniform(0, 80)
            if side == 0:
                canvas[:band] = level
            elif side == 1:
                canvas[-band:] = level
            elif side == 2:
                canvas[:, :band] = level
            else:
                canvas[:, -band:] = level


def _photographed(rng, canvas, mask) -> tuple[np.ndarray, np.ndarray]:
    """A camera's view: a small tilt, blur, noise, JPEG; the mask follows the geometry."""
    h, w = canvas.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-8, 8), rng.uniform(0.95, 1.1))
    canvas = cv2.warpAffine(canvas, turn, (w, h), borderMode=cv2.BORDER_REFLECT)
    mask = cv2.warpAffine(mask, turn, (w, h))
    blur = rng.choice([0, 0, 0.5, 0.8, 1.2])
    if blur:
        canvas = cv2.GaussianBlur(canvas, (0, 0), float(blur))
    canvas = canvas + rng.normal(0, rng.uniform(0, 6), canvas.shape)
    canvas = np.clip(canvas, 0, 255).astype(np.uint8)
    if rng.random() < 0.6:
        quality = int(rng.integers(35, 95))
        ok, data = cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, quality])
        canvas = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return canvas, (mask > 0.5).astype(np.uint8)


def _canvas(rng, strokes, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """A flat canvas with a digit (or none, or several) drawn on it, saved as PNG or JPEG."""
    tone = rng.choice([255.0, 255.0, 0.0, rng.uniform(0, 255)])
    canvas = np.full((h, w), tone, np.float32)
    mask = np.zeros((h, w), np.float32)
    ink = rng.uniform(0, tone - 60) if tone > 128 else rng.uniform(tone + 60, 255)
    if rng.random() < 0.5:  # black on white, white on black
        ink = 255.0 - tone if tone in (0.0, 255.0) else ink
    _write(rng, canvas, mask, strokes, ink)
    canvas = np.clip(canvas + rng.normal(0, rng.choice([0, 0, 2])), 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        quality = int(rng.integers(50, 95))
        ok, data = cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, quality])
        canvas = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return canvas, (mask > 0.5).astype(np.uint8)


Scene = tuple[np.ndarray, np.ndarray]  # a picture (uint8 grey) and its mask of strokes (0/1)


def scene(rng: np.random.Generator, strokes: np.ndarray, family: str) -> Scene:
    """One picture (uint8 grey, at most SIDE a side) and its mask of handwritten strokes."""
    aspect = rng.uniform(0.6, 1.0)
    h, w = SIDE, max(32, int(SIDE * aspect))
    if rng.random() < 0.5:
        h, w = w, h
    mask = np.zeros((h, w), np.float32)
    if family == "canvas":
        return _canvas(rng, strokes, h, w)
    if family == SHADOW:
        page = _paper(rng, h, w)
        _write(rng, page, mask, strokes)
        return _photographed(rng, _shadowed(rng, page), mask)
    page = _paper(rng, h, w)
    page *= 1 - _ruling(rng, h, w) * rng.uniform(0.3, 0.8)
    _write(rng, page, mask, strokes)
    page = _marks(rng, page)
    if family == "desk":
        page, mask = _sheet_on_desk(rng, page, mask)
    elif rng.random() < 0.15:
        _scanned_border(rng, page)
    page = _light(rng, page)
    if rng.random() < 0.12:  # light ink on a dark board or canvas
        page = 255.0 - page
    return _photographed(rng, page, mask)


def scenes(n: int, seed: int, strokes: np.ndarray, families=FAMILIES):
    """`n` (picture, mask, family) triples, the families taking turns."""
    rng = np.random.default_rng(seed)
    for i in range(n):
        family = families[i % len(families)]
        picture, mask = scene(rng, strokes, family)
        yield picture, mask, family


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    strokes = load_strokes()
    for i, (picture, mask, family) in enumerate(scenes(args.n, args.seed, strokes)):
        cv2.imwrite(str(args.out / f"{i:04d}-{family}.png"), picture)
        cv2.imwrite(str(args.out / f"{i:04d}-{family}-mask.png"), mask * 255)


if __name__ == "__main__":
    main()
