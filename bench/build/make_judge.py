"""Train `digitcli/imaging/judge.tflite`: whether the ink found on a picture of paper is one
digit, blank paper, lines or a page, or several digits.

    python bench/build/make_judge.py --real DIR --cache VIEWS.npz             # the shipped judge
    python bench/build/make_judge.py --real DIR --cache VIEWS.npz --hold-out 2 --out fold2.tflite
    python bench/build/make_judge.py --real DIR --cache VIEWS.npz --make-only # the views alone
    python bench/build/make_judge.py --stamp-only             # record a changed setting's new stamp
    python bench/build/make_judge.py --real DIR --cache V.npz --init judge.tflite  # go on from it
    python bench/build/make_judge.py ... --init judge.tflite --folder C=NEW --learn-anew 1
        # NEW's views learnt by their class, the rest as the judge it starts from answers them

What the judge sees is what `isolate_ink` hands it on a picture on paper (`judge.view` of the
picture less its background and the ink kept), so every training picture goes through the
preparation, and pictures that never reach the judge (small scans, canvases, no ink at all)
are left out. The pictures: blank pages, photo digits and numbers made as `make_blanks.py`,
`make_photos.py` and `make_numbers.py` make theirs (their seeds here are never 21 nor 81,
the seeds they are measured on), quick made pages (`made`: MNIST's *training* digits on paper
with a shadow, a fold, ruled lines, in rows and pages of writing; `notebook`: a thin pen on
ruled notebook paper photographed askew; `canvas_digit`: a thin pen's digit filling a paint
program's canvas; `judge_pictures`: blank paper on a desk under a shadow, faint digits by a
shadowed corner, large digits off the page's centre; `bench/checks/robustness.py`'s development
pictures), and the real set's pictures
(`bench/checks/real_pictures.py build`) of every fold but the one held out, several times each,
and what is not a digit (`bench/checks/nondigits.py`: letters, symbols, shapes, scribbles, textures
drawn by code, with digits and blank sheets drawn alike, in every scene but `CHECK_SCENE`,
kept to check the judge; and the letters a hand writes much as a digit, S, Z, q ..., beside
digits drawn alike: `nondigits.lookalike`, `--lookalikes`; the real set's non-digit pictures:
their views are made as a fifth class, left out of what the judge learns, `--classes`, while
the digits and blank sheets drawn beside them are learnt). The made views and those of each
`--folder` are kept in VIEWS.npz with the folders they came from, and reused: folders named
after those are added to it, and a VIEWS.npz of other folders is refused. The network is
trained on CPU (TensorFlow only here), converted to LiteRT and stamped by `core/fits.py`.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH.parent))
sys.path[:0] = [str(BENCH / kind) for kind in (".", "build", "checks", "perf")]
sys.path.insert(0, str(BENCH.parent / "tests" / "generators"))

import robustness  # noqa: E402
from real_pictures import file_name  # noqa: E402

from digitcli.core.errors import ImageError  # noqa: E402
from digitcli.core.fits import stamp  # noqa: E402
from digitcli.imaging import judge, verdict  # noqa: E402
from digitcli.imaging.images import prepare, prepare_file  # noqa: E402
from digitcli.imaging.morphology import bounds  # noqa: E402
from digitcli.inputs.sources import IMAGE_SUFFIXES  # noqa: E402

import judge_pictures  # noqa: E402
import make_blanks  # noqa: E402
import make_numbers  # noqa: E402
import make_photos  # noqa: E402
import nondigits  # noqa: E402
from judge_pictures import write  # noqa: E402
from make_blanks import MARKS  # noqa: E402
from make_photos import _lighting, _texture, load_mnist  # noqa: E402

DIGIT, BLANK, LINES, SEVERAL = judge.DIGIT, judge.BLANK, judge.LINES, judge.SEVERAL
NONDIGIT = len(judge.VERDICTS)  # what is not a digit: views made, never learnt (`--classes`)
CLASSES = NONDIGIT + 1  # the classes views are made of
VIEW = 48  # px a side of what the network sees (`judge.view`; the judge reads it back)
NONDIGITS = 5000  # bench/checks/nondigits.py pictures (three eighths digits, an eighth blank)
LOOKALIKES = 4000  # ... of letters written much as digits (S, Z, q ...), half of them digits
SMALL = 1000  # MNIST-sized digits and as many non-digits (`small_views`)
CHECK_SCENE = "screen"  # the nondigits scene never trained on: it checks the judge
CHECK_SEED = 81  # ... and the nondigits seed it is checked on, never trained on
MADE = 800  # quick made pages of each class ...
BLANK_TIMES = 5  # ... blank ones this many times as many (1 in 4 leaves ink to judge)
HARD_BLANK_TIMES = 6  # judge_pictures' blank pages this many times as many as its digits
FILES = 300  # make_blanks pictures of each kind; twice as many make_photos digits
REAL_REPEATS = 6  # each real training picture counts this many times
EPOCHS = 14
FILTERS = (16, 32, 48)  # each convolution's; a letter told from a digit wants more (`--filters`)
DENSE = 64
DIGIT_WEIGHT = 1.0
VALIDATION = 0.15  # share of the made views kept out of training, to choose the threshold on
THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7)
SEED = 5  # the generators' seed here: never 21 nor 81, the seeds they are measured on


def paper(rng: np.random.Generator, marked: float = 0.6) -> np.ndarray:
    """A blank page, 100-400 px a side: lighting, texture, noise, and maybe a shadow, a desk's
    edge, a fold, ruled lines or a cell's rules (`marked`: how often, twice a fifth of those
    times); or a drawing program's flat canvas, 28-400 px."""
    if rng.random() < 0.35 * (1 - marked) / 0.4:
        side = int(rng.choice([28, 28, 64, 100, 200, 280, 400]))
        height = int(np.clip(side * rng.uniform(0.7, 1.4), 20, 400)) if side > 28 else 28
        return np.full((height, side), rng.choice([255.0, rng.uniform(200, 255)]))
    width = int(rng.integers(100, 601))
    height = int(np.clip(width * rng.uniform(0.5, 2.0), 60, 600))
    sheet = _lighting(width, height, rng.uniform(150, 245), rng.uniform(0, 45), rng)
    sheet = sheet + _texture(width, height, rng) + rng.normal(0, rng.uniform(1, 8), sheet.shape)
    if rng.random() < marked:
        for _ in range(2 if rng.random() < 0.2 else 1):
            sheet = MARKS[rng.choice(list(MARKS))](sheet, rng)
    return sheet


def skeleton(mask: np.ndarray) -> np.ndarray:
    """Zhang and Suen's thinning of a boolean mask to one-pixel lines."""
    image = mask.astype(np.uint8)
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            p = np.pad(image, 1)
            around = [p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:], p[2:, 2:],
                      p[2:, 1:-1], p[2:, :-2], p[1:-1, :-2], p[:-2, :-2]]  # fmt: skip
            count = sum(a.astype(int) for a in around)
            ring = around + [around[0]]
            rises = sum(((ring[i] == 0) & (ring[i + 1] == 1)).astype(int) for i in range(8))
            n, e, s, w = around[0], around[2], around[4], around[6]
            if step == 0:
                allowed = (n * e * s == 0) & (e * s * w == 0)
            else:
                allowed = (n * e * w == 0) & (n * s * w == 0)
            gone = (image == 1) & (count >= 2) & (count <= 6) & (rises == 1) & allowed
            if gone.any():
                image[gone] = 0
                changed = True
    return image.astype(bool)


def pen_digit(digit: np.ndarray, side: int, width: int) -> np.ndarray:
    """An MNIST digit redrawn along its strokes' centre lines with a pen `width` px wide, `side`
    px high, as ink coverage (0-1): a paint program's or a fine pen's digit."""
    centre = skeleton(cv2.resize(digit, (56, 56), interpolation=cv2.INTER_LINEAR) > 100)
    canvas = np.zeros((side, side), np.uint8)
    scale = side / 56.0
    ys, xs = np.nonzero(centre)
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
        y2, x2 = ys + dy, xs + dx
        inside = (y2 < 56) & (x2 >= 0) & (x2 < 56)
        linked = inside.copy()
        linked[inside] = centre[y2[inside], x2[inside]]
        for y, x, v, u in zip(ys[linked], xs[linked], y2[linked], x2[linked], strict=True):
            start = (round((x + 0.5) * scale), round((y + 0.5) * scale))
            end = (round((u + 0.5) * scale), round((v + 0.5) * scale))
            cv2.line(canvas, start, end, 255, width, cv2.LINE_AA)
    return canvas.astype(np.float32) / 255.0


def digit_ink(digit: np.ndarray, side: int, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit as ink coverage (0-1), `side` px high: as written, with a pen along its
    centre lines (1 px to a marker's width), or only its strokes' cores."""
    pen = rng.random()
    if pen < 0.4:
        return pen_digit(digit, side, int(rng.integers(1, max(2, side // 8))))
    image = Image.fromarray(digit).resize((side, side), Image.Resampling.BICUBIC)
    ink = np.asarray(image, np.float32) / 255.0
    if pen < 0.5:  # only the stroke's core
        ink = np.clip((ink - 0.6) * 3.0, 0, 1)
    elif pen < 0.6:  # a marker
        ink = np.clip(ink * 2.0, 0, 1)
    return ink


def row_of_digits(sheet, digits, top, left, height, rng, strength) -> int:
    """Write `digits` in a row from (top, left), `height` px high; the row's right end."""
    x = left
    for digit in digits:
        write(sheet, digit_ink(digit, height, rng), top + int(rng.integers(-2, 3)), x, strength)
        x += int(height * rng.uniform(0.45, 1.0))
    return x


def made(kind: int, mnist: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """One quick made picture of `kind`: a page (`paper`) with a digit, a row of digits,
    rows of them, or nothing."""
    sheet = paper(rng, marked=0.9 if kind == BLANK else 0.5)
    h, w = sheet.shape
    strength = rng.uniform(0.15, 0.85)
    pick = lambda n: mnist[rng.integers(len(mnist), size=n)]  # noqa: E731
    if kind == DIGIT:
        side = int(min(h, w) * rng.uniform(0.2, 0.9))
        top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        write(sheet, digit_ink(pick(1)[0], side, rng), top, left, strength)
    elif kind == SEVERAL:
        count = int(rng.integers(2, 7))
        height = int(min(h * rng.uniform(0.3, 0.9), w / (0.75 * count)))
        height = max(height, 12)
        top = int(rng.integers(0, max(1, h - height)))
        left = int(rng.integers(0, max(1, w - int(0.75 * count * height))))
        row_of_digits(sheet, pick(count), top, left, height, rng, strength)
    elif kind == LINES:
        rows = int(rng.integers(3, 8))
        height = max(10, int(h / rows * rng.uniform(0.45, 0.8)))
        for row in range(rows):
            count = int(rng.integers(3, max(4, w // max(height, 1))))
            top = int(row * h / rows + rng.integers(0, max(1, h // rows - height)))
            row_of_digits(sheet, pick(count), top, int(rng.integers(0, w // 4 + 1)), height,
                          rng, strength)  # fmt: skip
    if rng.random() < 0.1:  # light ink on a dark canvas
        sheet = 255.0 - sheet
    return Image.fromarray(np.clip(sheet + 0.5, 0, 255).astype(np.uint8), "L")


def canvas_digit(mnist: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """A digit drawn in a paint program or an app, or on paper photographed close: a thin pen
    (1-4 px) on a flat canvas or paper 100-600 px a side, the digit filling 60-100% of its
    height, often touching its sides; light on dark a fifth of the time."""
    width = int(rng.integers(100, 601))
    height = int(np.clip(width * rng.uniform(0.6, 1.6), 100, 600))
    if rng.random() < 0.5:  # a paint program's canvas
        sheet = np.full((height, width), rng.uniform(200, 255)) + rng.normal(0, rng.uniform(0, 3))
    else:  # or paper photographed close
        sheet = _lighting(width, height, rng.uniform(150, 245), rng.uniform(0, 40), rng)
        sheet = sheet + _texture(width, height, rng) + rng.normal(0, rng.uniform(1, 8), sheet.shape)
    side = int(min(height, width) * rng.uniform(0.7, 1.5))
    ink = pen_digit(mnist[rng.integers(len(mnist))], side, int(rng.integers(1, 5)))
    ink = ink[bounds(ink > 0)]  # the ink alone, placed ...
    scale = min(1.0, rng.uniform(0.6, 1.0) * height / ink.shape[0])  # ... up to the sides
    ink = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    top = int(rng.integers(0, max(1, height - ink.shape[0] + 1)))
    left = int(rng.integers(0, max(1, width - ink.shape[1] + 1)))
    write(sheet, ink, top, left, 1.0)
    if rng.random() < 0.2:
        sheet = 255.0 - sheet
    return Image.fromarray(np.clip(sheet + 0.5, 0, 255).astype(np.uint8), "L")


def notebook(kind: int, mnist: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """A phone photo of ruled notebook paper, its lines askew by up to 3 degrees, with a digit
    or a number written on it in a thin pen (across the lines or between them), or nothing
    (LINES)."""
    width = int(rng.integers(400, 1601))
    height = int(np.clip(width * rng.uniform(0.35, 1.2), 250, 1400))
    sheet = _lighting(width, height, rng.uniform(170, 245), rng.uniform(0, 40), rng)
    sheet = sheet + _texture(width, height, rng) + rng.normal(0, rng.uniform(1, 6), sheet.shape)
    spacing = height * rng.uniform(0.12, 0.3)
    slope = np.tan(np.radians(rng.uniform(-3, 3)))
    thickness = max(1, round(width * rng.uniform(0.001, 0.004)))
    darkness = rng.uniform(0.15, 0.5)
    lines = np.zeros((height, width), np.uint8)
    y = rng.uniform(0, spacing)
    while y < height + abs(slope) * width:
        start = (0, round(y - slope * width / 2))
        end = (width - 1, round(y + slope * width / 2))
        cv2.line(lines, start, end, 255, thickness, cv2.LINE_AA)
        y += spacing
    sheet *= 1.0 - darkness * lines.astype(np.float32) / 255.0
    strength = rng.uniform(0.5, 0.9)
    side = int(spacing * rng.uniform(0.7, 1.8))
    pen = max(1, round(side * rng.uniform(0.04, 0.1)))
    if kind == DIGIT:
        top = int(rng.integers(0, max(1, height - side)))
        left = int(rng.integers(0, max(1, width - side)))
        write(sheet, pen_digit(mnist[rng.integers(len(mnist))], side, pen), top, left, strength)
    elif kind == SEVERAL:
        count = int(rng.integers(2, 7))
        side = min(side, int(width / (0.9 * count)))
        top = int(rng.integers(0, max(1, height - side)))
        x = int(rng.integers(0, max(1, width - int(0.9 * count * side))))
        for digit in mnist[rng.integers(len(mnist), size=count)]:
            write(sheet, pen_digit(digit, side, pen), top + int(rng.integers(-3, 4)), x, strength)
            x += int(side * rng.uniform(0.6, 0.9))
    return Image.fromarray(np.clip(sheet + 0.5, 0, 255).astype(np.uint8), "L")


class Seen:
    """What the judge was shown while a picture was prepared: its view, or None. The verdict
    stands in for the judge wherever the preparation reaches it, on paper and off (what a
    judge with a "nondigit" class would have been shown), and answers one digit."""

    def __init__(self) -> None:
        self.view: np.ndarray | None = None
        self._before = verdict.judged

    def __enter__(self) -> Seen:
        def shown(
            flat: np.ndarray, kept: np.ndarray, *, on_paper: bool, strokes: np.ndarray | None = None
        ) -> None:
            self.view = judge.view(flat, kept, VIEW)

        verdict.judged = shown
        return self

    def __exit__(self, *_exc) -> None:
        verdict.judged = self._before


def view_of(source) -> np.ndarray | None:
    """The judge's view of a picture (an image or a file), None where it never reaches it."""
    with Seen() as seen:
        try:
            if isinstance(source, Image.Image):
                prepare(source)
            else:
                prepare_file(source)
        except ImageError:
            return None
    return seen.view


def collect(views: list, kinds: list, source, kind: int) -> None:
    found = view_of(source)
    if found is not None:
        views.append(found)
        kinds.append(kind)


def folder_views(folders: list[str], most: int) -> tuple[list[np.ndarray], list[int], list[int]]:
    """The views of pictures made before (`CLASS=DIR`: a make_photos or bench/checks/robustness.py
    folder, every picture in it of CLASS, one of judge.VERDICTS), at most `most` a folder, and
    how many views each folder gave."""
    views: list[np.ndarray] = []
    kinds: list[int] = []
    counts: list[int] = []
    for folder in folders:
        before = len(kinds)
        name, _, path = folder.partition("=")
        pictures = sorted(p for p in Path(path).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        for picture in pictures[:most]:
            collect(views, kinds, picture, judge.VERDICTS.index(name))
        counts.append(len(kinds) - before)
        print(f"{folder}: {len(kinds)} views so far", flush=True)
    return views, kinds, counts


def nondigit_views(seed, count: int, *, hard: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The views of `count` `bench/checks/nondigits.py` pictures of seed `seed` (every scene but
    CHECK_SCENE; `hard`: letters written much as digits, and digits) that reach the judge, and
    their classes."""
    mnist_x, _ = load_mnist("train")
    scenes = tuple(scene for scene in nondigits.SCENES if scene != CHECK_SCENE)
    classes = {"nondigit": NONDIGIT, "digit": DIGIT, "blank": BLANK}
    views: list[np.ndarray] = []
    kinds: list[int] = []
    for image, what, _ in nondigits.pictures(count, seed, scenes, mnist_x, hard=hard):
        collect(views, kinds, image, classes[what])
    print(f"nondigits (hard {hard}): {np.bincount(kinds, minlength=CLASSES).tolist()}", flush=True)
    return np.stack(views), np.array(kinds)


def small_views(seed, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The views of `count` MNIST training digits, as many non-digits (`nondigits.glyph`,
    half of them `nondigits.lookalike`) and half as many digits drawn as those are
    (`nondigits.digit_glyph`) as 28x28 pictures, light ink on black: what the judge sees of
    an MNIST-sized file or a small scan. Their view is made here: the picture as the ink less
    its background, its ink the pixels above a quarter of the strokes' level."""
    mnist_x, _ = load_mnist("train")
    rng = np.random.default_rng(seed)
    views, kinds = [], []
    for digit in mnist_x[rng.integers(len(mnist_x), size=count)]:
        views.append(judge.view(digit.astype(np.float32), digit > 64, VIEW))
        kinds.append(DIGIT)
    drawn = [(nondigits.glyph, NONDIGIT)] * (count // 2) + [(nondigits.lookalike, NONDIGIT)] * (
        count - count // 2
    )
    drawn += [(lambda rng, side: nondigits.digit_glyph(rng, mnist_x, side), DIGIT)] * (count // 2)
    for draw, kind in drawn:
        ink = draw(rng, int(rng.integers(16, 23)))
        picture = np.zeros((28, 28), np.float32)
        top, left = (28 - ink.shape[0]) // 2, (28 - ink.shape[1]) // 2
        picture[top : top + ink.shape[0], left : left + ink.shape[1]] = 255 * ink
        views.append(judge.view(picture, picture > 64, VIEW))
        kinds.append(kind)
    return np.stack(views), np.array(kinds)


def made_views(
    seed: int, made_count: int, files: int, nondigit_count: int = NONDIGITS
) -> tuple[np.ndarray, np.ndarray]:
    """The views of every made picture that reaches the judge, and their classes."""
    mnist_x, mnist_y = load_mnist("train")
    rng = np.random.default_rng(seed)
    views: list[np.ndarray] = []
    kinds: list[int] = []
    for kind in (DIGIT, BLANK, LINES, SEVERAL):
        for _ in range(made_count * (BLANK_TIMES if kind == BLANK else 1)):
            collect(views, kinds, made(kind, mnist_x, rng), kind)
        print(f"made pages, {judge.VERDICTS[kind]}: {kinds.count(kind)} views", flush=True)
    for kind in (DIGIT, LINES, SEVERAL):
        for _ in range(files):
            collect(views, kinds, notebook(kind, mnist_x, rng), kind)
    for _ in range(made_count):
        collect(views, kinds, canvas_digit(mnist_x, rng), DIGIT)
    print(f"notebook pages: {len(kinds)} views so far", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for k, blank in enumerate(make_blanks.KINDS):
            blank_rng = np.random.default_rng([seed, 100 + k])
            kind = LINES if blank in ("ruled", "cell") else BLANK
            for i in range(files):
                style = make_blanks.STYLES[
                    blank_rng.choice(len(make_blanks.STYLES), p=make_blanks.STYLE_WEIGHTS)
                ]
                stem = out / f"{blank}_{i:04d}_{style}"
                collect(views, kinds, make_blanks._make_one(blank, style, stem, blank_rng), kind)
        print(f"make_blanks: {len(kinds)} views so far", flush=True)
        start = int(rng.integers(0, len(mnist_x) - 2 * files))
        photos = make_photos.make_photo_set(
            mnist_x[start:], mnist_y[start:], out / "photos", 2 * files, seed
        )
        for path, _ in photos:
            collect(views, kinds, path, DIGIT)
        print(f"make_photos: {len(kinds)} views so far", flush=True)
        for number, look in enumerate(NUMBER_LOOKS):
            numbers = make_numbers.make_number_set(
                mnist_x, mnist_y, out / f"numbers{number}", max(1, files // 20), seed, look=look
            )
            for found in numbers:
                collect(views, kinds, out / f"numbers{number}" / found.file, SEVERAL)
        print(f"make_numbers: {len(kinds)} views", flush=True)
    more, more_kinds = hard_views(seed, made_count // 2)
    developed, developed_kinds = development_views(files)
    other, other_kinds = nondigit_views([seed, 300], nondigit_count)
    return (
        np.concatenate([np.stack(views), more, developed, other]),
        np.concatenate([kinds, more_kinds, developed_kinds, other_kinds]),
    )


def development_views(per_source: int) -> tuple[np.ndarray, np.ndarray]:
    """The views of `bench/checks/robustness.py`'s development pictures (its own seeds; not the
    `-rest` sources, kept for checking): `per_source` of each, blank ones BLANK, the others
    DIGIT (boxed, in a cell, on lined or squared paper, cut from a row, faint, drawn ...)."""
    views: list[np.ndarray] = []
    kinds: list[int] = []
    with tempfile.TemporaryDirectory() as folder:
        for k, name in enumerate(robustness.SOURCES):
            if name.endswith("-rest"):
                continue
            made = robustness.MAKERS[name](Path(folder), per_source, np.random.default_rng([0, k]))
            for path, _ in made:
                collect(views, kinds, path, BLANK if name == "blank" else DIGIT)
    print(f"robustness: {np.bincount(kinds, minlength=CLASSES).tolist()} views", flush=True)
    return np.stack(views), np.array(kinds)


def hard_views(seed: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The views of `count` made pictures of each kind the judge once got wrong
    (`judge_pictures`), drawn from their own random stream, and their classes."""
    mnist_x, _ = load_mnist("train")
    rng = np.random.default_rng([seed, 200])
    digit_ink_of = lambda side: digit_ink(mnist_x[rng.integers(len(mnist_x))], side, rng)  # noqa: E731
    views: list[np.ndarray] = []
    kinds: list[int] = []
    for _ in range(count):
        for _ in range(HARD_BLANK_TIMES):  # most blank pages leave no ink to judge
            collect(views, kinds, judge_pictures.blank_on_desk(rng), BLANK)
            collect(views, kinds, judge_pictures.blank_shadowed_corner(rng), BLANK)
        collect(views, kinds, judge_pictures.faint_digit_by_shadow(digit_ink_of, rng), DIGIT)
        collect(views, kinds, judge_pictures.off_centre_digit(digit_ink_of, rng), DIGIT)
    print(f"judge_pictures: {np.bincount(kinds, minlength=CLASSES).tolist()} views", flush=True)
    return np.stack(views), np.array(kinds)


NUMBER_LOOKS = (
    make_numbers.Look(wide=True),
    make_numbers.Look(),
    make_numbers.Look(wide=True, paper="lined"),
    make_numbers.Look(wide=True, paper="squared", desk="dark", sheet=1.6),
    make_numbers.Look(hand="loose", desk="light", sheet=1.6),
)


def real_class(label: str) -> int | None:
    """The judge's class of a real picture's label (a letter, a drawing: NONDIGIT)."""
    if label == "blank":
        return BLANK
    if label.startswith("several"):
        return SEVERAL
    if label == "nondigit":
        return NONDIGIT
    return DIGIT


def real_views(folder: Path, hold_out: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The views of the real set's pictures in `folder` that reach the judge, but for the folds
    `hold_out`, and their classes."""
    views: list[np.ndarray] = []
    kinds: list[int] = []
    with (folder / "real_pictures.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if int(row["fold"]) in hold_out:
                continue
            name = file_name(row["repo"], row["path"])
            path = folder / row["fold"] / name
            kind = real_class(row["label"])
            if path.is_file() and kind is not None:
                collect(views, kinds, path, kind)
    return np.stack(views), np.array(kinds)


def build(filters: tuple[int, int, int] = FILTERS, dense: int = DENSE):
    import keras

    return keras.Sequential([
        keras.Input((VIEW, VIEW, 3)),
        keras.layers.Conv2D(filters[0], 3, activation="relu", padding="same"),
        keras.layers.MaxPooling2D(),  # 24: strokes and lines
        keras.layers.Conv2D(filters[1], 3, activation="relu", padding="same"),
        keras.layers.MaxPooling2D(),  # 12
        keras.layers.Conv2D(filters[2], 3, activation="relu", padding="same"),
        keras.layers.MaxPooling2D(),  # 6: how the ink spreads over the picture
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(dense, activation="relu"),
        keras.layers.Dense(NONDIGIT, activation="softmax"),  # the judge's classes
    ])  # fmt: skip


def refusals(chances: np.ndarray, kinds: np.ndarray) -> None:
    """For each threshold of the digit probability under which the judge refuses, the share
    of the made views kept out of training refused, by class: the threshold (`not_digit`) is
    chosen from these, never from the real pictures held out."""
    for threshold in THRESHOLDS:
        refused = chances[:, DIGIT] < threshold
        parts = [
            f"{name} {np.mean(refused[kinds == kind]):.1%}"
            for kind, name in enumerate(judge.VERDICTS)
            if (kinds == kind).any()
        ]
        print(f"refused under {threshold}: " + ", ".join(parts), flush=True)


def started_from(model, path: Path) -> None:
    """Set `model`'s weights to those of the judge in `path` (LiteRT): a judge of fewer
    classes gives its classes' outputs, the others start from nothing."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    found: dict[tuple[int, ...], np.ndarray] = {}
    for detail in interpreter.get_tensor_details():
        shape = tuple(int(n) for n in detail["shape"])
        if detail["dtype"] != np.float32 or not shape or (len(shape) > 1 and shape[0] == 1):
            continue  # not a layer's weights: the picture, what a layer hands on
        found[shape] = interpreter.get_tensor(detail["index"])
    for layer in model.layers:
        if not layer.get_weights():
            continue
        kernel, bias = layer.get_weights()
        if kernel.ndim == 4:  # LiteRT keeps a convolution's kernel (out, h, w, in)
            kernel = found[(kernel.shape[3], *kernel.shape[:3])].transpose(1, 2, 3, 0)
            bias = found[bias.shape]
        else:  # and a dense layer's (out, in)
            old = next(v for k, v in found.items() if len(k) == 2 and k[1] == kernel.shape[0])
            kernel[:, : old.shape[0]] = old.T
            bias[: old.shape[0]] = found[(old.shape[0],)]
        layer.set_weights([kernel, bias])


def digest(*arrays: np.ndarray) -> str:
    """A short sha256 of arrays' bytes: which data a judge was trained on."""
    import hashlib

    hashed = hashlib.sha256()
    for array in arrays:
        hashed.update(np.ascontiguousarray(array).tobytes())
    return hashed.hexdigest()[:16]


def file_digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def tflite(model, out: Path, training: dict | None = None) -> None:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    out.write_bytes(converter.convert())
    stamp(out, ("preparation",), judge.FITS, training)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, help="the real set's folder (its manifest inside)")
    parser.add_argument(
        "--hold-out", type=int, action="append", default=[],
        help="a real fold to leave out (again for more): the judge's threshold is checked on them",
    )  # fmt: skip
    parser.add_argument("--made", type=int, default=MADE, help="quick made pages of each class")
    parser.add_argument("--files", type=int, default=FILES, help="generators' files of a kind")
    parser.add_argument("--nondigits", type=int, default=NONDIGITS, help="nondigits.py pictures")
    parser.add_argument("--small", type=int, default=SMALL, help="28x28 digits, non-digits")
    parser.add_argument(
        "--lookalikes", type=int, default=LOOKALIKES,
        help="nondigits.py pictures of letters written much as digits, and digits",
    )  # fmt: skip
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=judge.MODEL)
    parser.add_argument(
        "--cache", type=Path, help="an .npz of made and folders' views, reused if present"
    )
    parser.add_argument("--folder", action="append", default=[], help="CLASS=DIR made before")
    parser.add_argument("--per-folder", type=int, default=300, help="pictures of a --folder")
    parser.add_argument("--init", type=Path, help="a judge to start from (LiteRT), not nothing")
    parser.add_argument(
        "--learn-anew", type=int, default=0, metavar="N",
        help="with --init: learn the views of the last N --folder by their class, and every "
        "other view as the judge it starts from answers it (it keeps what it knew)",
    )  # fmt: skip
    parser.add_argument("--rate", type=float, default=1e-3, help="Adam's learning rate")
    parser.add_argument(
        "--filters", type=lambda text: tuple(int(n) for n in text.split(",")), default=FILTERS,
        help="the three convolutions' filters, as 16,32,48",
    )  # fmt: skip
    parser.add_argument("--dense", type=int, default=DENSE, help="the dense layer's units")
    parser.add_argument(
        "--classes", type=int, choices=(NONDIGIT,), default=NONDIGIT,
        help="the judge's classes, the only number it can have (recorded commands name it)",
    )  # fmt: skip
    parser.add_argument(
        "--digit-weight", type=float, default=DIGIT_WEIGHT,
        help="the digit class's weight in training, times the other classes' (by their counts)",
    )  # fmt: skip
    parser.add_argument(
        "--stamp-only", action="store_true",
        help="only record this digitcli's versions in --out (after a setting changed that what "
        "the judge sees does not depend on); no training",
    )  # fmt: skip
    parser.add_argument("--make-only", action="store_true", help="make the views, no training")
    return parser.parse_args()


def command() -> str:
    """This run's command line, each path in it by its name alone (no machine's folders); a
    `--folder CLASS=DIR` keeps its class."""
    return " ".join(["python bench/build/make_judge.py", *map(_named, sys.argv[1:])])


def _named(word: str) -> str:
    kind, equals, path = word.rpartition("=")
    return kind + equals + (Path(path).name if "/" in path else path)


def main() -> None:
    args = arguments()
    if args.learn_anew and args.init is None:
        raise SystemExit("--learn-anew: name the judge it starts from, --init")
    if args.stamp_only:
        stamp(args.out, ("preparation",), judge.FITS)
        print(f"stamped {args.out}")
        return
    made_x, made_y, anew = all_made(args)
    if args.make_only:
        return
    training = {
        "seed": args.seed,
        "command": command(),
        "made_views": digest(made_x, made_y),
        "nondigits": {"seed": [args.seed, 300], "lookalikes_seed": [args.seed, 500]},
        "nondigits_checked_on": {"seed": CHECK_SEED, "scene": CHECK_SCENE},
        "mnist": "MNIST's training digits",
    }
    real_x, real_y, kept_x, kept_y = real(args, training)
    if args.init is not None:
        training["started_from"] = file_digest(args.init)
    fit(args, (made_x, made_y, anew), (real_x, real_y), (kept_x, kept_y), training)


def cached(path: Path | None, make) -> tuple[np.ndarray, np.ndarray]:
    """The views in `path` if it is there, else `make()`'s, kept in `path` (where given)."""
    if path is not None and path.exists():
        found = np.load(path)
        return found["x"], found["y"]
    x, y = make()
    if path is not None:
        np.savez_compressed(path, x=x, y=y)
    return x, y


def all_made(args) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every made view (`--cache`, and the look-alikes beside it, reused where made before),
    their classes, and which of them are learnt by their class (`--learn-anew`: the last
    folders' views only; else all)."""
    *views, counts = made_and_folders(args)
    parts = [views]
    if args.lookalikes:
        beside = None if args.cache is None else args.cache.with_suffix(".lookalikes.npz")
        parts.append(cached(beside, lambda: nondigit_views([args.seed, 500], args.lookalikes,
                                                           hard=True)))  # fmt: skip
    if args.small:
        parts.append(small_views([args.seed, 400], args.small))
    x, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    print(f"made: {len(x)} views, {np.bincount(y, minlength=CLASSES).tolist()} by class")
    anew = np.ones(len(x), dtype=bool)
    if args.learn_anew:
        newest = counts[-args.learn_anew :]
        if len(newest) < args.learn_anew or min(newest) < 0:
            raise SystemExit(
                f"--learn-anew: {args.cache} does not tell those folders' views apart (made "
                "before it recorded them): name another --cache"
            )
        end = len(views[0])
        anew[:] = False
        anew[end - sum(newest) : end] = True
    return x, y, anew


def made_and_folders(args) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """The made views, then each `--folder`'s in order, and how many views each folder gave
    (-1: not recorded by the cache they came from). A `--cache` records the folders it holds:
    it is reused for them and extended by the folders given after them; one holding other
    folders is refused, not silently reused for them."""
    held: list[str] = []
    counts: list[int] = []
    if args.cache is not None and args.cache.exists():
        with np.load(args.cache) as found:
            x, y = found["x"], found["y"]
            recorded = "folders" in found
            held = [str(folder) for folder in found["folders"]] if recorded else []
            counts = found["counts"].tolist() if "counts" in found else [-1] * len(held)
        if not recorded or held != args.folder[: len(held)]:
            raise SystemExit(
                f"{args.cache}: holds the views of the folders {held or 'it does not record'}, "
                "not the first of those given: name another --cache"
            )
    else:
        x, y = made_views(args.seed, args.made, args.files, args.nondigits)
    todo = args.folder[len(held) :]
    more, kinds, made = folder_views(todo, args.per_folder)
    counts += made
    if more:
        x, y = np.concatenate([x, np.stack(more)]), np.concatenate([y, kinds])
    if args.cache is not None and (todo or not args.cache.exists()):
        np.savez_compressed(args.cache, x=x, y=y, folders=np.array(args.folder, dtype=str),
                            counts=np.array(counts))  # fmt: skip
    return x, y, counts


def real(args, training: dict) -> tuple[np.ndarray, ...]:
    """The real set's views to train on (each REAL_REPEATS times) and those of the folds held
    out (`--hold-out`), recorded in `training`."""
    empty = np.zeros((0, VIEW, VIEW, 3), np.float32), np.zeros(0, int)
    if args.real is None:
        return *empty, *empty
    if not (args.real / "real_pictures.csv").is_file():
        raise SystemExit(f"{args.real}: no real set; `bench/checks/real_pictures.py build` one")
    rx, ry = real_views(args.real, args.hold_out)
    print(f"real: {len(rx)} views, {np.bincount(ry, minlength=CLASSES).tolist()}", flush=True)
    others = sorted({0, 1, 2, 3, 4} - set(args.hold_out)) if args.hold_out else []
    kept = real_views(args.real, others) if args.hold_out else empty
    training["real"] = {
        "manifest": file_digest(args.real / "real_pictures.csv"),
        "views": digest(rx, ry),
        "folds_held_out": args.hold_out,
    }
    return np.repeat(rx, REAL_REPEATS, axis=0), np.repeat(ry, REAL_REPEATS), *kept


def fit(args, made_views, real_views, kept_views, training: dict) -> None:
    """Train the judge on the made views (but VALIDATION of them) and the real ones, print
    what it refuses of those kept out and of the real folds held out, and write it. Made
    views that are not learnt anew (`--learn-anew`) and the real ones are learnt as the judge
    it starts from answers them."""
    import keras

    anew = made_views[2][made_views[1] < NONDIGIT]
    (made_x, made_y), (real_x, real_y), (kept_x, kept_y) = (
        (x[y < NONDIGIT], y[y < NONDIGIT]) for x, y, *_ in (made_views, real_views, kept_views)
    )  # the views of what is not a digit are made, never learnt

    keras.utils.set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    checked = rng.random(len(made_y)) < VALIDATION  # made views kept out of training
    x = np.concatenate([made_x[~checked], real_x])
    y = np.concatenate([made_y[~checked], real_y])
    model = build(args.filters, args.dense)
    if args.init is not None:
        started_from(model, args.init)
    counts = np.maximum(np.bincount(y, minlength=NONDIGIT), 1)
    weights = np.sqrt(len(y) / (NONDIGIT * counts))  # halfway
    weights[DIGIT] *= args.digit_weight  # a real digit refused is an error too
    if args.learn_anew:
        learnt = np.concatenate([anew[~checked], np.zeros(len(real_y), dtype=bool)])
        as_before = model.predict(x, verbose=0)  # what the judge it starts from answers
        as_before[learnt] = np.eye(NONDIGIT, dtype=np.float32)[y[learnt]]
        model.compile(keras.optimizers.Adam(args.rate), "categorical_crossentropy",
                      metrics=["categorical_accuracy"])  # fmt: skip
        model.fit(x, as_before, sample_weight=weights[y], batch_size=64, epochs=args.epochs,
                  verbose=2, shuffle=True)  # fmt: skip
    else:
        model.compile(keras.optimizers.Adam(args.rate), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])  # fmt: skip
        model.fit(x, y, batch_size=64, epochs=args.epochs, verbose=2, shuffle=True,
                  class_weight=dict(enumerate(weights)))  # fmt: skip
    refusals(model.predict(made_x[checked], verbose=0), made_y[checked])
    if len(kept_y):
        print("the real folds held out:")
        refusals(model.predict(kept_x, verbose=0), kept_y)
    tflite(model, args.out, training)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
