"""Made pictures of what is not a digit, for `bench/build/make_judge.py`'s "nondigit" class and for
checking it: handwritten-looking letters and symbols, shapes, scribbles and textures, drawn by
code, in the scenes the judge's digit pictures are made in.

The glyphs: OpenCV's Hershey fonts (script ones among them, italic or not) and stroke paths
(a smiley, a house, a star, an arrow, a cross, a tick, a heart, a spiral, a scribble, a
zigzag, a barcode, hatching, dots, a filled blob), each drawn with a pen's wobble (a smooth
random displacement of its strokes), slanted, turned a little, of any pen width. Letters
that a hand writes as a digit are left out: O and o (a 0), I, l, i, j and slashes (a 1); S,
Z, X, q, g, b and the others stay in (a handwritten S is not a 5).

The scenes (`SCENES`): `canvas` (a paint program's flat canvas or paper photographed close,
the glyph filling it), `paper` (a sheet, lit unevenly, with a shadow, a fold or ruled
lines), `desk` (paper photographed on a desk beyond its edge, under a soft shadow), `corner`
(a corner of the paper in a soft shadow), `page` and `sheet` (`ink_scenes.py`'s close-up of
paper and sheet in perspective on a desk, photographed) and `screen` (a photographed screen:
a dark bezel, a bright panel, moire). Each scene is drawn with a non-digit, a digit (an
MNIST digit or a Hershey digit drawn with the same wobble: the judge must learn the
glyph, not the scene) or nothing.

    python bench/checks/nondigits.py --n 24 --seed 3 --out DIR   # look at a few
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

import ink_scenes  # noqa: E402
import judge_pictures  # noqa: E402
from make_blanks import MARKS  # noqa: E402
from make_photos import _lighting, _texture  # noqa: E402

# Letters and symbols a hand does not write as a digit (no O o I l i j | / \ ! [ ]).
LETTERS = "ABCEFGHJKLMNPQRSTUVWXYZabcdefhkmnpqrstuvwxyz"
SYMBOLS = "+*#@&%$?=~<>{}^"
FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_SCRIPT_COMPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
)  # fmt: skip
# Letters and marks a hand writes much as a digit, that are not one (S a 5, Z a 2, q and g a 9,
# b a 6, X an 8 ...): the hard non-digits (`lookalike`), drawn as the digits beside them are.
LOOKALIKES = "SZzqgbXxTGBDAJLUYCPRsty"
LOOKALIKE_SHAPES = ("smiley", "cross", "tick", "plus", "heart")
SCENES = ("canvas", "paper", "desk", "corner", "page", "sheet", "screen")
WORK = 128  # px: the side glyphs are drawn at, before they are sized to their picture


def _wobble(rng: np.random.Generator, ink: np.ndarray, amount: float) -> np.ndarray:
    """`ink` with its strokes moved by a smooth random field up to `amount` px: a hand's."""
    h, w = ink.shape
    fields = []
    for _ in range(2):
        grid = rng.normal(0, amount, (5, 5)).astype(np.float32)
        fields.append(cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return cv2.remap(ink, xx + fields[0], yy + fields[1], cv2.INTER_LINEAR)


def _slanted(rng: np.random.Generator, ink: np.ndarray) -> np.ndarray:
    """`ink` slanted (a shear), turned a little and stretched, on a canvas big enough."""
    h, w = ink.shape
    pad = max(h, w) // 2
    ink = np.pad(ink, pad)
    size = (ink.shape[1], ink.shape[0])
    turn = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), rng.uniform(-15, 15), 1.0)
    shear = np.float32([[1, rng.uniform(-0.35, 0.35), 0], [0, 1, 0]])
    shear[0, 2] = -shear[0, 1] * size[1] / 2
    ink = cv2.warpAffine(ink, shear, size)
    ink = cv2.warpAffine(ink, turn, size)
    stretch = rng.uniform(0.75, 1.3)
    return cv2.resize(ink, (max(1, round(size[0] * stretch)), size[1]))


def _cropped(ink: np.ndarray) -> np.ndarray:
    rows, cols = np.flatnonzero(ink.max(1) > 0.05), np.flatnonzero(ink.max(0) > 0.05)
    if rows.size == 0:
        return ink
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _text(rng: np.random.Generator, text: str, pen: int) -> np.ndarray:
    """`text` in a Hershey font (italic a third of the time), `pen` px thick at WORK."""
    font = int(rng.choice(FONTS)) | (cv2.FONT_ITALIC if rng.random() < 0.3 else 0)
    canvas = np.zeros((WORK * 2, WORK * 2 * max(1, len(text))), np.float32)
    cv2.putText(canvas, text, (WORK // 2, WORK + WORK // 2), font, 3.0, 1.0, pen, cv2.LINE_AA)
    return _cropped(canvas)


def _path(points: np.ndarray, closed: bool, rng, canvas: np.ndarray, pen: int) -> None:
    """A stroke through `points` (0-1 of WORK), the hand trembling along it, onto `canvas`."""
    points = np.asarray(points, np.float32) * (WORK - 1) + WORK / 2
    if closed:
        points = np.vstack([points, points[:1]])
    trembling_stroke(rng, canvas, points, pen)


def trembling_stroke(
    rng: np.random.Generator,
    canvas: np.ndarray,
    points,
    pen: int,
    *,
    spacing: float = 3,
    tremor: float = 0.35,
) -> None:
    """A pen's stroke through `points` (px) onto `canvas`, the hand trembling along it: a
    random walk of `tremor` px a step, a step every `spacing` px, back to where it ends."""
    points = np.asarray(points, np.float32)
    steps = [np.linspace(a, b, max(2, int(np.hypot(*(b - a)) // spacing)), endpoint=False)
             for a, b in zip(points[:-1], points[1:], strict=True)]  # fmt: skip
    dense = np.vstack([*steps, points[-1:]])
    walk = np.cumsum(rng.normal(0, tremor, dense.shape), axis=0)
    walk -= np.linspace(0, 1, len(dense))[:, None] * walk[-1]
    cv2.polylines(canvas, [np.round(dense + walk).astype(np.int32)], False, 1.0, pen,
                  cv2.LINE_AA)  # fmt: skip


def _circle(cx: float, cy: float, rx: float, ry: float, start=0.0, stop=2 * np.pi, n=40):
    t = np.linspace(start, stop, n)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], 1)


def _shape(rng: np.random.Generator, pen: int, kind: str | None = None) -> np.ndarray:
    """A drawn shape or mark (`kind`, one of SHAPES; None: any): its strokes at WORK px."""
    canvas = np.zeros((WORK * 2, WORK * 2), np.float32)
    kind = str(rng.choice(SHAPES)) if kind is None else kind
    draw = lambda pts, closed=False: _path(np.array(pts), closed, rng, canvas, pen)  # noqa: E731
    u = lambda a, b: rng.uniform(a, b)  # noqa: E731
    if kind == "smiley":
        draw(_circle(0.5, 0.5, 0.5, 0.5 * u(0.85, 1.15)), True)
        for x in (0.33, 0.67):
            draw(_circle(x, 0.35, 0.04, 0.06), True)
        draw(_circle(0.5, 0.55, 0.25, 0.18 * u(0.6, 1.2), 0.3, np.pi - 0.3, 16))
    elif kind == "house":
        draw([(0.1, 0.45), (0.1, 1), (0.9, 1), (0.9, 0.45)])
        draw([(0, 0.5), (0.5, 0), (1, 0.5)])
        if rng.random() < 0.6:
            draw([(0.4, 1), (0.4, 0.7), (0.6, 0.7), (0.6, 1)])
    elif kind == "star":
        t = np.pi / 2 + np.arange(5) * 4 * np.pi / 5
        draw(np.stack([0.5 + 0.5 * np.cos(t), 0.5 - 0.5 * np.sin(t)], 1), True)
    elif kind == "arrow":
        draw([(0, 0.5), (1, 0.5)])
        draw([(0.7, 0.3), (1, 0.5), (0.7, 0.7)])
    elif kind == "cross":
        draw([(0, 0), (1, 1)])
        draw([(1, 0), (0, 1)])
    elif kind == "plus":
        draw([(0.5, 0), (0.5, 1)])
        draw([(0, 0.5), (1, 0.5)])
    elif kind == "tick":
        draw([(0, 0.55), (0.35, 1), (1, 0)])
    elif kind == "heart":
        left = _circle(0.27, 0.3, 0.25, 0.25, np.pi * 0.75, np.pi * 2.0, 20)
        right = _circle(0.73, 0.3, 0.25, 0.25, np.pi, np.pi * 2.25, 20)
        draw(np.vstack([[(0.5, 1)], left, right, [(0.5, 1)]]))
    elif kind == "spiral":
        t = np.linspace(0, u(3, 6) * np.pi, 80)
        r = 0.5 * t / t[-1]
        draw(np.stack([0.5 + r * np.cos(t), 0.5 + r * np.sin(t)], 1))
    elif kind == "scribble":
        points = rng.uniform(0, 1, (int(rng.integers(5, 14)), 2))
        smooth = cv2.resize(points.astype(np.float32), (2, len(points) * 6))
        draw(smooth)
    elif kind == "zigzag":
        n = int(rng.integers(3, 8))
        draw([(i / n, i % 2) for i in range(n + 1)])
    elif kind == "wave":
        t = np.linspace(0, 1, 60)
        draw(np.stack([t, 0.5 + 0.3 * np.sin(t * u(2, 5) * 2 * np.pi)], 1))
    elif kind == "triangle":
        draw([(0.5, 0), (1, 1), (0, 1)], True)
    elif kind == "square":
        draw([(0, 0), (1, 0), (1, u(0.6, 1)), (0, u(0.6, 1))], True)
        if rng.random() < 0.5:
            draw([(0, 0), (1, 1)])
    else:  # marks that fill an area: a barcode, hatching, dots, a blob
        return _area(rng, kind, pen)
    return _cropped(canvas)


def _area(rng: np.random.Generator, kind: str, pen: int) -> np.ndarray:
    """A barcode, hatching, a field of dots or a filled blob (an object), at WORK px."""
    canvas = np.zeros((WORK, int(WORK * rng.uniform(0.8, 2.0))), np.float32)
    h, w = canvas.shape
    if kind == "barcode":
        x = 0
        while x < w:
            bar = int(rng.integers(1, 6))
            canvas[: int(h * rng.uniform(0.85, 1)), x : x + bar] = 1.0
            x += bar + int(rng.integers(2, 8))
    elif kind == "hatching":
        step = int(rng.integers(6, 16))
        for x in range(-h, w, step):
            cv2.line(canvas, (x, h), (x + h, 0), 1.0, max(1, pen // 2), cv2.LINE_AA)
    elif kind == "dots":
        for _ in range(int(rng.integers(10, 60))):
            centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.circle(canvas, centre, int(rng.integers(2, 6)), 1.0, -1, cv2.LINE_AA)
    else:  # a blob: a shaded object's silhouette
        centre = (w // 2, h // 2)
        axes = (int(w * rng.uniform(0.25, 0.5)), int(h * rng.uniform(0.25, 0.5)))
        cv2.ellipse(canvas, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1, cv2.LINE_AA)
        canvas *= rng.uniform(0.4, 1.0) + 0.3 * ink_scenes._smooth(rng, h, w, 3)
    return np.clip(canvas, 0, 1)


SHAPES = ("smiley", "house", "star", "arrow", "cross", "plus", "tick", "heart", "spiral",
          "scribble", "scribble", "zigzag", "wave", "triangle", "square", "barcode",
          "hatching", "dots", "blob")  # fmt: skip


def glyph(rng: np.random.Generator, side: int) -> np.ndarray:
    """Ink coverage (0-1) of something not a digit, about `side` px high: a letter or two, a
    symbol, or a shape, drawn with a wobble, slanted, any pen width."""
    pen = int(rng.integers(2, 16))
    pick = rng.random()
    if pick < 0.45:
        ink = _text(rng, str(rng.choice(list(LETTERS))), pen)
    elif pick < 0.55:
        ink = _text(rng, "".join(rng.choice(list(LETTERS), int(rng.integers(2, 4)))), pen)
    elif pick < 0.65:
        ink = _text(rng, str(rng.choice(list(SYMBOLS))), pen)
    else:
        ink = _shape(rng, pen)
    return _sized(rng, ink, side)


def lookalike(rng: np.random.Generator, side: int) -> np.ndarray:
    """Ink coverage (0-1) of a letter or a mark a hand writes much as a digit (LOOKALIKES,
    LOOKALIKE_SHAPES), about `side` px high, drawn as `digit_glyph` draws a Hershey digit:
    the judge learns the glyph, not the pen."""
    pen = int(rng.integers(2, 16))
    if rng.random() < 0.85:
        ink = _text(rng, str(rng.choice(list(LOOKALIKES))), pen)
    else:
        ink = _shape(rng, pen, str(rng.choice(LOOKALIKE_SHAPES)))
    return _sized(rng, ink, side)


# Letters printed by hand with a marker, as people write them on a canvas or a sheet (the
# real set's lowercase letters): the fonts nearest a printing hand, no letter a hand writes
# as a digit (o l i: a 0, a 1; q g s z: `LOOKALIKES` has them), and marks drawn alike.
MARKER_LETTERS = "abcdefhjkmnprtuvwxyabcdefhkmnprtuvwxyABCDEFGHJKLMNPRTUVWXY"
MARKER_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX,
                cv2.FONT_HERSHEY_SCRIPT_SIMPLEX)  # fmt: skip
MARKER_SHAPES = ("cross", "heart", "scribble", "smiley", "star", "house", "spiral", "X")


def marker_letter(rng: np.random.Generator, side: int) -> np.ndarray:
    """Ink coverage (0-1) of a letter printed by hand with a marker (MARKER_LETTERS, in a
    font of MARKER_FONTS, lowercase two times in three), or a fifth of the time a mark of
    MARKER_SHAPES, about `side` px high, a pen 3-10 px wide at the drawing's size."""
    pen = int(rng.integers(3, 11))
    if rng.random() < 0.2:
        kind = str(rng.choice(MARKER_SHAPES))
        ink = _text(rng, kind, pen) if kind == "X" else _shape(rng, pen, kind)
        return _sized(rng, ink, side)
    return _printed(rng, lambda: str(rng.choice(list(MARKER_LETTERS))), pen, side)


def marker_digit(rng: np.random.Generator, mnist: np.ndarray, side: int) -> np.ndarray:
    """Ink coverage (0-1) of a digit drawn as `marker_letter` draws a letter (the network
    learns the glyph, not the pen): an MNIST digit half the time (`digit_glyph`), else a digit
    in a font of MARKER_FONTS with a pen 3-10 px wide."""
    if rng.random() < 0.5:
        return _sized(rng, _cropped(_mnist_ink(rng, mnist)), side)
    return _printed(rng, lambda: str(rng.integers(10)), int(rng.integers(3, 11)), side)


def _printed(rng: np.random.Generator, char: Callable[[], str], pen: int, side: int) -> np.ndarray:
    """Ink coverage (0-1) of a character (`char`, drawn after the font) printed in a font of
    MARKER_FONTS, italic a fifth of the time, with a pen `pen` px wide, about `side` px high."""
    font = int(rng.choice(MARKER_FONTS)) | (cv2.FONT_ITALIC if rng.random() < 0.2 else 0)
    canvas = np.zeros((WORK * 2, WORK * 2), np.float32)
    cv2.putText(canvas, char(), (WORK // 2, WORK + WORK // 2), font, 3.0, 1.0, pen, cv2.LINE_AA)
    return _sized(rng, _cropped(canvas), side)


def named(rng: np.random.Generator, name: str, side: int) -> np.ndarray:
    """Ink coverage (0-1) of `name`, about `side` px high, drawn as `glyph` draws: one of
    SHAPES, or text (a letter, a symbol, a digit) in a Hershey font."""
    pen = int(rng.integers(3, 10))
    ink = _shape(rng, pen, name) if name in SHAPES else _text(rng, name, pen)
    return _sized(rng, ink, side)


def digit_glyph(rng: np.random.Generator, mnist: np.ndarray, side: int) -> np.ndarray:
    """Ink coverage (0-1) of a digit about `side` px high, drawn as `glyph` draws: an MNIST
    digit, or a Hershey digit with a hand's wobble and slant."""
    if rng.random() < 0.5:
        ink = _mnist_ink(rng, mnist)
    else:
        ink = _text(rng, str(rng.integers(10)), int(rng.integers(2, 16)))
    return _sized(rng, _cropped(ink), side)


def _mnist_ink(rng: np.random.Generator, mnist: np.ndarray) -> np.ndarray:
    """One of `mnist`'s digits as ink coverage (0-1) at WORK px, its strokes made thinner or
    thicker."""
    digit = mnist[rng.integers(len(mnist))].astype(np.float32) / 255.0
    ink = cv2.resize(digit, (WORK, WORK), interpolation=cv2.INTER_CUBIC)
    width = int(rng.integers(-4, 10))
    if width:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(width) + 1,) * 2)
        ink = (cv2.dilate if width > 0 else cv2.erode)(ink, kernel)
    return np.clip(ink, 0, 1)


def handwritten(rng: np.random.Generator, ink: np.ndarray, side: int) -> np.ndarray:
    """Ink coverage (0-1) of a real drawing `ink` (coverage 0-1, say a character of another
    script), about `side` px high, drawn as `digit_glyph` draws an MNIST digit: any pen
    width, a wobble, a slant."""
    ink = _cropped(ink).astype(np.float32)
    scale = WORK / max(ink.shape)
    size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
    ink = cv2.resize(ink, size, interpolation=cv2.INTER_AREA)
    width = int(rng.integers(0, 10))
    if width:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1,) * 2)
        ink = cv2.dilate(ink, kernel)
    return _sized(rng, _cropped(np.clip(ink, 0, 1)), side)


def _sized(rng: np.random.Generator, ink: np.ndarray, side: int) -> np.ndarray:
    """`ink` with a wobble and a slant, `side` px on its longer side; a fifth of the time its
    strokes' outline alone (a hollow letter, a digit drawn in outline: no cue either way)."""
    ink = _cropped(_slanted(rng, _wobble(rng, ink, rng.uniform(0.5, 4.0))))
    if rng.random() < 0.2 and min(ink.shape) > 12:
        inner = cv2.erode(ink, np.ones((5, 5), np.uint8), iterations=int(rng.integers(1, 3)))
        ink = np.clip(ink - inner, 0, 1) if inner.max() > 0.5 else ink
    scale = side / max(ink.shape)
    size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
    return np.clip(cv2.resize(ink, size, interpolation=cv2.INTER_AREA), 0, 1)


Ink = Callable[[int], np.ndarray]  # ink coverage (0-1) about this many px a side, or None


def _coverage(rng, shape, ink_of: Ink | None, share: tuple[float, float]) -> np.ndarray:
    """`ink_of`'s ink (0-1), `share` of the shorter side of `shape`, placed anywhere in it."""
    h, w = shape
    coverage = np.zeros((h, w), np.float32)
    if ink_of is not None:
        ink = ink_of(max(8, int(min(h, w) * rng.uniform(*share))))
        top = int(rng.integers(0, max(1, h - ink.shape[0] + 1)))
        left = int(rng.integers(0, max(1, w - ink.shape[1] + 1)))
        part = ink[: h - top, : w - left]
        coverage[top : top + part.shape[0], left : left + part.shape[1]] = part
    return coverage


def _placed(rng, sheet: np.ndarray, ink_of: Ink | None, share: tuple[float, float], strength):
    """Darken `sheet` in place by `ink_of`'s ink (`_coverage`) at `strength`."""
    sheet *= 1.0 - strength * _coverage(rng, sheet.shape, ink_of, share)


def _canvas(rng, ink_of: Ink | None) -> np.ndarray:
    width = int(rng.integers(100, 601))
    height = int(np.clip(width * rng.uniform(0.6, 1.6), 100, 600))
    if rng.random() < 0.5:  # a paint program's canvas
        sheet = np.full((height, width), rng.uniform(200, 255)) + rng.normal(0, rng.uniform(0, 3))
    else:  # paper photographed close
        sheet = _lighting(width, height, rng.uniform(150, 245), rng.uniform(0, 40), rng)
        sheet = sheet + _texture(width, height, rng) + rng.normal(0, rng.uniform(1, 8), sheet.shape)
    _placed(rng, sheet, ink_of, (0.5, 0.95), rng.uniform(0.6, 1.0))
    return sheet


def _paper(rng, ink_of: Ink | None) -> np.ndarray:
    width = int(rng.integers(100, 601))
    height = int(np.clip(width * rng.uniform(0.5, 2.0), 60, 600))
    sheet = _lighting(width, height, rng.uniform(150, 245), rng.uniform(0, 45), rng)
    sheet = sheet + _texture(width, height, rng) + rng.normal(0, rng.uniform(1, 8), sheet.shape)
    if rng.random() < 0.5:
        sheet = MARKS[str(rng.choice(list(MARKS)))](sheet, rng)
    _placed(rng, sheet, ink_of, (0.2, 0.9), rng.uniform(0.2, 0.85))
    return sheet


def _desk(rng, ink_of: Ink | None) -> np.ndarray:
    sheet = judge_pictures.photo_paper(rng, *judge_pictures._size(rng))
    _placed(rng, sheet, ink_of, (0.2, 0.6), rng.uniform(0.3, 0.9))
    return judge_pictures.desk_shadow(sheet, rng)


def _corner(rng, ink_of: Ink | None) -> np.ndarray:
    sheet = judge_pictures.photo_paper(rng, *judge_pictures._size(rng))
    judge_pictures.shadowed_corner(sheet, rng)
    _placed(rng, sheet, ink_of, (0.2, 0.6), rng.uniform(0.2, 0.9))
    return sheet


def _ink_scene(rng, ink_of: Ink | None, on_desk: bool) -> np.ndarray:
    """`ink_scenes.py`'s page or sheet on a desk, with `ink_of`'s ink in its own grey level."""
    side = ink_scenes.SIDE
    h, w = side, max(32, int(side * rng.uniform(0.6, 1.0)))
    if rng.random() < 0.5:
        h, w = w, h
    page = ink_scenes._paper(rng, h, w)
    page *= 1 - ink_scenes._ruling(rng, h, w) * rng.uniform(0.3, 0.8)
    mask = np.zeros((h, w), np.float32)
    alpha = _coverage(rng, (h, w), ink_of, (0.25, 0.9)) * rng.uniform(0.5, 1.0)
    page = page * (1 - alpha) + rng.uniform(0, 100) * alpha
    page = ink_scenes._marks(rng, page)
    if on_desk:
        page, mask = ink_scenes._sheet_on_desk(rng, page, mask)
    page = ink_scenes._light(rng, page)
    return ink_scenes._photographed(rng, page, mask)[0].astype(np.float64)


def _screen(rng, ink_of: Ink | None) -> np.ndarray:
    """A photographed screen: a dark bezel around a bright panel with moire, a glyph on it."""
    width = int(rng.integers(200, 701))
    height = int(np.clip(width * rng.uniform(0.6, 1.4), 150, 700))
    sheet = np.full((height, width), rng.uniform(5, 60)) + rng.normal(0, 3, (height, width))
    top, left = int(height * rng.uniform(0.03, 0.2)), int(width * rng.uniform(0.03, 0.2))
    bottom, right = height - int(height * rng.uniform(0.03, 0.2)), width - left
    yy, xx = np.mgrid[0 : bottom - top, 0 : right - left].astype(np.float32)
    angle, period = rng.uniform(0, np.pi), rng.uniform(2.5, 9)
    moire = np.sin((np.cos(angle) * xx + np.sin(angle) * yy) * 2 * np.pi / period)
    panel = rng.uniform(160, 250) + rng.uniform(0, 12) * moire
    panel = panel * (1 - rng.uniform(0, 0.3) * (xx / xx.max()))
    _placed(rng, panel, ink_of, (0.3, 0.85), rng.uniform(0.5, 1.0))
    sheet[top:bottom, left:right] = panel
    return cv2.GaussianBlur(sheet.astype(np.float32), (0, 0), rng.uniform(0.3, 1.2))


def picture(rng: np.random.Generator, scene: str, ink_of: Ink | None) -> Image.Image:
    """One picture of `scene` (one of SCENES) with `ink_of`'s ink on it, or blank (None);
    light ink on a dark ground a tenth of the time."""
    if scene in ("page", "sheet"):
        sheet = _ink_scene(rng, ink_of, on_desk=scene == "sheet")
    else:
        sheet = {"canvas": _canvas, "paper": _paper, "desk": _desk, "corner": _corner,
                 "screen": _screen}[scene](rng, ink_of)  # fmt: skip
    if rng.random() < 0.1:
        sheet = 255.0 - sheet
    return Image.fromarray(np.clip(sheet + 0.5, 0, 255).astype(np.uint8), "L")


def pictures(n: int, seed, scenes=SCENES, mnist: np.ndarray | None = None, *, hard: bool = False):
    """`n` (picture, what, scene) triples, the scenes taking turns: `what` is "nondigit",
    "digit" (with `mnist`'s digits or Hershey ones, three in eight) or "blank" (one in
    eight). `hard`: the non-digits are `lookalike`s, and half the pictures digits, none
    blank."""
    rng = np.random.default_rng(seed)
    digits = np.zeros((1, 28, 28), np.uint8) if mnist is None else mnist
    other, blanks = (lookalike, 0.0) if hard else (glyph, 0.125)
    for i in range(n):
        scene = scenes[i % len(scenes)]
        pick = rng.random()
        if pick < blanks:
            what, ink_of = "blank", None
        elif pick < 0.5:
            what, ink_of = "digit", (lambda side: digit_glyph(rng, digits, side))
        else:
            what, ink_of = "nondigit", (lambda side: other(rng, side))
        yield picture(rng, scene, ink_of), what, scene


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=24)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    mnist = ink_scenes.load_strokes("train")[:2000]
    for i, (image, what, scene) in enumerate(pictures(args.n, args.seed, mnist=mnist)):
        image.save(args.out / f"{i:04d}_{scene}_{what}.png")


if __name__ == "__main__":
    main()
