"""Train `digitcli/imaging/polarity.tflite`, the first look at a picture: whether its ink is
darker than its paper, or lighter, or whether it is a photo of a thing (no writing at all).

    python bench/build/make_polarity.py make --real REAL --real NUMBERS --things PHOTOS \
        --whole-things HANDS --out V.npz
    python bench/build/make_polarity.py fit --data V.npz --out polarity.tflite
    python bench/build/make_polarity.py check [--model polarity.tflite] [--things PHOTOS]
    python bench/build/make_polarity.py stamp      # record a changed setting's new stamp

`make` draws the pictures and keeps each one's view (`polarity.view`) with its label (1: the
ink is dark), known by construction:
- `tests/generators/ink_scenes.py` scenes of seeds SCENE_SEEDS (pages lit unevenly, under
  hard and soft shadows, in a window's light, sheets on desks, canvases of any tone; never
  `CHECK_SEED`, which `check` scores): the ink is dark where its strokes (the scene's mask)
  are darker than the paper just around them; a scene with no strokes, or strokes within
  `FAINT` grey levels of their paper, is left out; a quarter of them are inverted, the label
  with them;
- MNIST's training digits as tight crops, as a PNG of a digit is: on paper of any tone, ink
  of any contrast and width, enlarged or not, half of them light ink on dark (a crop under
  `paper_size` a side is judged by the rule, `polarity.ink_is_dark`; these teach the network
  a digit filling a picture of paper); and 3,000 strips of 2-7 of them side by side, cut
  tight as a form's field or a cell is, the pen any width, blurred or not (`number_strip`);
- pictures of no ink (an even tone, a gradient): light paper is taken for dark ink;
- the real development pictures (`--real`: the folders `bench/checks/real_pictures.py build`
  and `real_numbers.py build` write; not the check sets `real_photos`, `pen_photos`,
  `paper_photos`), REAL_REPEATS times each, in a window's light or inverted as the scenes are:
  their ink is dark but for those `polarity_light.csv` names (by eye; the pictures of no
  digit, photos of things, left out);
- photos of things (`--things`: a folder of photos, one per ImageNet class in the shipped
  network's), labelled `UNKNOWN` (a thing: no ink to tell the side of): of the photos sorted by
  name every `THINGS_HELD`th from the first kept out for `check`, and those of things that hold
  writing, digits or a page (`WRITTEN`: a clock, a menu, a keyboard) left out; each photo whole
  and cropped (`THING_VIEWS`); `--whole-things`: photos of one thing on a plain ground (a hand),
  kept out alike, each learnt whole only (cropped, a hand is a smooth blob filling its picture,
  as a coarse scan enlarged to fill its picture is); `--cut-outs N`: N more views of each photo
  of a thing cut out of its scene (OpenCV's GrabCut) and set on a plain ground, as a product, a
  pet or a toy is photographed (`grounded_things`). The shipped network was made without them:
  taught so, it took score-card cells and check photos of digits for things
  (docs/measurements/preparation.md, "Round 80").
Three in ten scenes and real pictures get a window's light on part of the page
(`window_light`): the case the rule the network replaced got wrong.
`fit` trains a small network (TensorFlow only here, on CPU) to tell the three classes apart
(`polarity.CLASSES`; a thing's views weigh `THING_WEIGHT`: a page refused as a thing costs more
than a thing answered) and writes it converted to LiteRT, stamped by `core/fits.py` with its
data's digest, its seeds and its command. `check` counts, for the shipped network (or
`--model`), the scenes of `CHECK_SEED` whose polarity is right and those taken for things, per
family, MNIST's *test* digits in both polarities, and the photos `make` kept out taken for
things, whole and cut out onto a plain ground.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

import cv2
import numpy as np

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH.parent / "tests" / "generators"))
sys.path.insert(0, str(BENCH / "checks"))  # real_pictures: the built sets' file names

from real_pictures import file_name  # noqa: E402

from digitcli.core.fits import stamp  # noqa: E402
from digitcli.imaging import polarity  # noqa: E402
from digitcli.imaging.grayscale import to_gray  # noqa: E402
from digitcli.imaging.morphology import bounds  # noqa: E402
from digitcli.imaging.opening import open_image  # noqa: E402
from digitcli.imaging.polarity import DARK, LIGHT, THING, Look  # noqa: E402

import ink_scenes  # noqa: E402

SCENE_SEEDS = (101, 102, 103, 104)  # never CHECK_SEED
SCENES = 3000  # scenes of each seed
CHECK_SEED = 16  # the ink_scenes seed `check` scores, a check set since round 19
MNIST = 8000  # MNIST training digits as tight crops
BLANKS = 1000  # pictures of no ink
STRIPS = 3000  # strips of numbers cut tight from MNIST's training digits
LINES = 6000  # long numbers, pages, small digits on large canvases, lettered numbers, coarse scans
REAL_REPEATS = 4  # views of each real development picture
LIGHT_LIST = Path(__file__).with_name("polarity_light.csv")  # the real pictures of light ink
FAINT = 10.0  # grey levels: strokes this close to their paper tell no polarity
INVERTED = 0.25  # the share of scenes inverted, the label with them
WINDOW = 0.3  # the share of scenes with a window's light on part of the page
EPOCHS = 12  # the shipped network's
VIEW = 64  # px a side of what the network sees (`polarity.view`)
UNKNOWN = 255  # the label of a picture whose polarity nothing tells (a photo of a thing)
THINGS_HELD = 5  # `--things`: of the photos sorted by name, every fifth (from the first) kept out
PHOTOS = (".jpeg", ".jpg", ".png")  # the files of a `--things` folder
THING_VIEWS = 4  # views of each photo of a thing: whole, and cropped
CUT_SIDE = 300  # px: a photo of a thing is cut out at this size (`cut_out`), and set so
CUT_FRAME = 0.08  # GrabCut's frame: this share of each side inside the photo's edges
CUT_ITERATIONS = 3  # GrabCut's
CUT_SHARE = (0.08, 0.8)  # a cut-out filling less or more of its photo is left out
# A thing's views weigh this much: a page refused as a thing costs more than a thing answered
THING_WEIGHT = 0.3
# Photos of things that hold writing, digits or a page (a clock, a menu, a keyboard): neither
# class, left out
WRITTEN = (
    "clock", "watch", "odometer", "scoreboard", "web_site", "menu", "comic", "crossword",
    "jacket", "envelope", "notebook", "binder", "paper", "rule", "sign", "meter", "phone",
    "scale", "barometer", "sundial", "computer", "laptop", "monitor", "screen", "television",
    "keyboard", "remote", "packet", "carton", "book", "shop", "mailbox", "pencil", "eraser",
    "pen", "puzzle", "plate", "bottle", "jug", "lotion", "sunscreen",
)  # fmt: skip


def view(gray: np.ndarray) -> np.ndarray:
    return polarity.view(gray, VIEW)


def labelled_scene(picture: np.ndarray, mask: np.ndarray) -> int | None:
    """1 where the scene's strokes are darker than the paper just around them, 0 where
    lighter, None where it holds none or they are too faint to tell."""
    strokes = mask.astype(bool)
    if strokes.sum() < 20:
        return None
    ring = cv2.dilate(mask, np.ones((5, 5), np.uint8)).astype(bool) & ~strokes
    difference = float(picture[ring].mean()) - float(picture[strokes].mean())
    return None if abs(difference) < FAINT else int(difference > 0)


def lit_or_inverted(
    picture: np.ndarray, label: int, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """`picture` in a window's light (`WINDOW` of the time), then inverted with its label
    (`INVERTED` of the time)."""
    if rng.random() < WINDOW:
        picture = window_light(picture, rng)
    if rng.random() < INVERTED:
        picture, label = 255 - picture, 1 - label
    return picture, label


def scene_views(seed: int, count: int) -> tuple[list[np.ndarray], list[int]]:
    rng = np.random.default_rng(seed + 1000)
    views, labels = [], []
    for picture, mask, _family in ink_scenes.scenes(count, seed, ink_scenes.load_strokes()):
        label = labelled_scene(picture, mask)
        if label is None:
            continue
        picture, label = lit_or_inverted(picture, label, rng)
        views.append(view(picture))
        labels.append(label)
    return views, labels


def window_light(picture: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`picture` with a window's light falling on part of it: the paper beyond a hard-edged
    line (any slant, a soft edge of 0-6 px) brightened 1.2-2 times, up to white."""
    h, w = picture.shape
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:h, 0:w]
    x0, y0 = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h  # a point on the line
    across = (xs - x0) * np.cos(angle) + (ys - y0) * np.sin(angle)
    lit = np.clip(across / max(rng.uniform(0, 6), 0.5), 0, 1)
    gain = 1.0 + lit * (rng.uniform(1.2, 2.0) - 1.0)
    return np.clip(picture * gain, 0, 255).astype(np.uint8)


def crop(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """An MNIST digit as a tight crop: paper of any tone, ink of any contrast and width, 8 to
    200 px a side, noisy or not; its label."""
    dark = rng.random() < 0.5
    paper = rng.uniform(150, 255) if dark else rng.uniform(0, 105)
    contrast = rng.uniform(40, 255)
    ink = max(0.0, paper - contrast) if dark else min(255.0, paper + contrast)
    side = int(rng.choice([8, 16, 28, 28, 28, 56, 112, 200]))
    thicker = int(rng.choice([0, 0, 1, 2, 3]))  # a marker's or a brush's stroke
    if thicker:
        digit = cv2.dilate(digit, np.ones((thicker + 1, thicker + 1), np.uint8))
    shape = cv2.resize(digit, (side, side), interpolation=cv2.INTER_LINEAR) / 255.0
    grain = rng.normal(0, rng.choice([0.0, 2.0, 6.0]), shape.shape)
    picture = paper + (ink - paper) * shape + grain
    return np.clip(picture, 0, 255).astype(np.uint8), int(dark)


def number_strip(digits: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """2-7 MNIST digits side by side, cropped tight to a strip of a number (as a cell or a
    form's field is cut out), the pen any width, blurred or not, dark on light or light on
    dark; its label. A thick pen's strip is mostly ink."""
    count = int(rng.integers(2, 8))
    picked = digits[rng.integers(0, len(digits), count)]
    thicker = int(rng.choice([0, 1, 2, 3]))
    if thicker:
        picked = np.stack([cv2.dilate(d, np.ones((thicker + 1,) * 2, np.uint8)) for d in picked])
    strip = np.concatenate([d[:, 2:26] for d in picked], axis=1)
    height = int(rng.integers(32, 100))
    shape = cv2.resize(strip, (strip.shape[1] * height // 28, height)) / 255.0
    return painted(shape, rng, blur_most=2.5, dark_share=0.5)


def painted(
    shape: np.ndarray, rng: np.random.Generator, blur_most: float, dark_share: float
) -> tuple[np.ndarray, int]:
    """The ink `shape` (0-1) blurred by up to `blur_most` px half of the time, painted dark on
    light paper (`dark_share` of the time) or light on dark, with grain; its label."""
    if rng.random() < 0.5:
        shape = cv2.GaussianBlur(shape, (0, 0), rng.uniform(0.5, blur_most))
    dark = rng.random() < dark_share
    paper = rng.uniform(140, 255) if dark else rng.uniform(0, 100)
    ink = paper - rng.uniform(60, paper) if dark else paper + rng.uniform(60, 255 - paper)
    grain = rng.normal(0, rng.choice([0.0, 3.0, 6.0]), shape.shape)
    return np.clip(paper + (ink - paper) * shape + grain, 0, 255).astype(np.uint8), int(dark)


def written_line(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The ink (0-255) of 5-10 MNIST digits on a line, touching or parted by up to a digit's
    width, a dot or a dash between groups now and then, the pen any width, cut to its box."""
    count = int(rng.integers(5, 11))
    picked = digits[rng.integers(0, len(digits), count)]
    thicker = int(rng.choice([0, 0, 1, 2, 3]))
    if thicker:
        picked = np.stack([cv2.dilate(d, np.ones((thicker + 1,) * 2, np.uint8)) for d in picked])
    parts = []
    for digit in picked:
        gap = np.zeros((28, int(rng.integers(0, 29 if rng.random() < 0.5 else 6))), np.uint8)
        if gap.shape[1] >= 6 and rng.random() < 0.2:  # a dot on the line, or a dash across it
            row = 22 if rng.random() < 0.5 else 14
            gap[row : row + 3 + thicker, 1 : gap.shape[1] - 1 if row == 14 else 5] = 255
        parts += [digit[:, 3:25], gap]
    return _boxed(np.concatenate(parts, axis=1))


def _boxed(ink: np.ndarray) -> np.ndarray:
    """`ink` cut to the box of its strokes (an MNIST digit lies within 4 px of paper)."""
    return ink[bounds(ink > 0)]


def written_page(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The ink of 3-10 lines of digits under each other (a page of numbers written out)."""
    lines = [written_line(digits, rng) for _ in range(int(rng.integers(3, 11)))]
    width = max(line.shape[1] for line in lines)
    rows = []
    for line in lines:
        rows += [np.pad(line, ((0, int(rng.integers(4, 20))), (0, width - line.shape[1])))]
    return np.concatenate(rows, axis=0)


FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
         cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
         cv2.FONT_HERSHEY_SCRIPT_COMPLEX, cv2.FONT_HERSHEY_PLAIN)  # fmt: skip


def lettered_line(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The ink of 1-12 digits lettered in one of OpenCV's Hershey fonts (a marker's printed
    number, a stamped code, one digit drawn in straight strokes), a separator now and then, the
    pen thin to very bold, cut to its box. (`digits` unused: the drawers' signature.)"""
    text = "".join(rng.choice(list("0123456789"), int(rng.integers(1, 13))))
    if len(text) > 1 and rng.random() < 0.3:
        at = int(rng.integers(1, len(text)))
        text = text[:at] + str(rng.choice(list(".,-/:"))) + text[at:]
    font = int(rng.choice(FONTS)) | (cv2.FONT_ITALIC if rng.random() < 0.3 else 0)
    scale, pen = rng.uniform(1.0, 3.0), int(rng.integers(1, 16))
    (width, height), _ = cv2.getTextSize(text, font, scale, pen)
    canvas = np.zeros((height * 2 + pen * 2, width + pen * 2 + 10), np.uint8)
    cv2.putText(canvas, text, (pen + 5, height + pen), font, scale, 255, pen, cv2.LINE_AA)
    return _boxed(canvas)


def coarse_scan(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The ink of one MNIST digit scanned coarsely (8-16 px a side, filling the box, 16 grey
    levels, as UCI's digits are much so) and enlarged smoothly: a blurred digit filling its
    picture, its strokes a quarter of it wide."""
    side = int(rng.choice([8, 8, 10, 12, 16]))
    box = _boxed(digits[rng.integers(0, len(digits))])
    small = cv2.resize(box, (side, side), interpolation=cv2.INTER_AREA) // 16 * 16
    smooth = (cv2.INTER_LINEAR, cv2.INTER_CUBIC, cv2.INTER_LANCZOS4)[int(rng.integers(0, 3))]
    return np.clip(cv2.resize(small, (28, 28), interpolation=smooth), 0, 255).astype(np.uint8)


def lone_digit(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The ink of one MNIST digit, small, anywhere on a large canvas of any shape."""
    digit = digits[rng.integers(0, len(digits))]
    h, w = (int(28 * rng.uniform(1.5, 8)) for _ in range(2))
    top, left = int(rng.integers(0, h - 27)), int(rng.integers(0, w - 27))
    canvas = np.zeros((h, w), np.uint8)
    canvas[top : top + 28, left : left + 28] = digit
    return canvas


def on_paper(ink: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """`ink` with a margin of paper (none, a quarter of the time: a field cut tight), 40-400 px
    high, blurred or not, dark on light (three times in four) or light on dark; its label."""
    margin = 0 if rng.random() < 0.25 else int(rng.integers(2, 20))
    ink = np.pad(ink, ((margin, margin), (margin + int(rng.integers(0, 30)),) * 2))
    height = int(rng.integers(40, 200 if ink.shape[0] < 60 else 400))
    shape = cv2.resize(ink, (max(1, ink.shape[1] * height // ink.shape[0]), height)) / 255.0
    return painted(shape, rng, blur_most=2.0, dark_share=0.75)


def line_views(count: int, seed: int) -> tuple[list[np.ndarray], list[int]]:
    """`count` pictures of writing that, squeezed to the network's square, must not pass for
    things: long numbers (a smear of ink), pages of numbers, a small digit on a large canvas,
    numbers lettered in a font, a coarse scan enlarged."""
    rng = np.random.default_rng(seed)
    digits = ink_scenes.load_strokes()[:MNIST]
    drawers = (written_line, written_line, written_page, lone_digit, lettered_line, coarse_scan)
    pairs = [on_paper(drawers[i % len(drawers)](digits, rng), rng) for i in range(count)]
    return [view(p) for p, _ in pairs], [label for _, label in pairs]


def crop_views(count: int, seed: int) -> tuple[list[np.ndarray], list[int]]:
    rng = np.random.default_rng(seed)
    digits = ink_scenes.load_strokes()[:count]
    pairs = [crop(digit, rng) for digit in digits]
    pairs += [number_strip(digits, rng) for _ in range(STRIPS)]
    return [view(p) for p, _ in pairs], [label for _, label in pairs]


def blank_views(count: int, seed: int) -> tuple[list[np.ndarray], list[int]]:
    """Pictures of no ink (an even tone, a gradient, grain): light paper is taken to hold
    dark ink, a dark board light ink, the prior where nothing tells."""
    rng = np.random.default_rng(seed)
    views, labels = [], []
    for _ in range(count):
        h, w = (int(v) for v in rng.integers(8, 193, 2))
        tone = rng.uniform(0, 255)
        ramp = np.linspace(0, rng.uniform(-30, 30), w)[None, :] + np.zeros((h, 1))
        picture = tone + ramp + rng.normal(0, rng.choice([0.0, 2.0, 5.0]), (h, w))
        views.append(view(np.clip(picture, 0, 255).astype(np.uint8)))
        labels.append(int(tone > 127.5))
    return views, labels


def split_photos(folder: Path) -> tuple[list[Path], list[Path]]:
    """The photos of things in `folder` sorted by name, parted in two: those kept out to check
    on (every `THINGS_HELD`th from the first) and the rest."""
    photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTOS)
    return photos[::THINGS_HELD], [p for index, p in enumerate(photos) if index % THINGS_HELD]


def thing_photos(folder: Path) -> list[Path]:
    """The photos of things in `folder` to learn from: those not kept out (`split_photos`),
    but those of things that hold writing (`WRITTEN`)."""
    _, rest = split_photos(folder)
    return [p for p in rest if not any(word in p.stem.lower() for word in WRITTEN)]


def thing_views(
    folder: Path, seed: int, count: int = THING_VIEWS
) -> tuple[list[np.ndarray], list[int]]:
    """`count` views of each photo of a thing (`thing_photos`): the whole, and crops of
    40-90% of its sides, mirrored half of the time; their polarity `UNKNOWN`."""
    rng = np.random.default_rng(seed)
    views = []
    for path in thing_photos(folder):
        gray = np.asarray(to_gray(open_image(path)))
        for index in range(count):
            picture = gray if index == 0 else _cropped(gray, rng)
            views.append(view(picture[:, ::-1] if rng.random() < 0.5 else picture))
    return views, [UNKNOWN] * len(views)


def cut_out_views(folder: Path, seed: int, count: int) -> tuple[list[np.ndarray], list[int]]:
    """`count` views of each photo of a thing (`thing_photos`) cut out of its scene and set on
    a plain ground (`grounded_things`); their polarity `UNKNOWN`."""
    views = [view(grey) for grey in grounded_things(thing_photos(folder), seed, count)]
    return views, [UNKNOWN] * len(views)


def grounded_things(photos: list[Path], seed: int, count: int) -> list[np.ndarray]:
    """`count` grey pictures of each photo of a thing cut out of its scene (`cut_out`) and set
    on a plain ground (`on_plain_ground`), as a product, a pet or a toy is photographed,
    mirrored half of the time; a photo whose cut-out fails is left out."""
    rng = np.random.default_rng(seed)
    pictures = []
    for path in photos:
        cut = cut_out(cv2.imread(str(path), cv2.IMREAD_COLOR))
        for _ in range(0 if cut is None else count):
            grey = cv2.cvtColor(on_plain_ground(*cut, rng), cv2.COLOR_BGR2GRAY)
            pictures.append(grey[:, ::-1] if rng.random() < 0.5 else grey)
    return pictures


def cut_out(photo: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The thing in a colour photo (BGR) and its soft mask (float32, 0-1), cut to its box:
    OpenCV's GrabCut from a frame `CUT_FRAME` of each side inside the photo's edges (the thing
    is near its middle, as ImageNet's are); None where what it cuts out fills under
    `CUT_SHARE[0]` or over `CUT_SHARE[1]` of the photo (the scene, or a speck)."""
    if photo is None:
        return None
    h, w = photo.shape[:2]
    scale = CUT_SIDE / max(h, w)
    photo = cv2.resize(photo, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    h, w = photo.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    frame = (round(w * CUT_FRAME), round(h * CUT_FRAME))
    rect = (*frame, w - 2 * frame[0], h - 2 * frame[1])
    models = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.grabCut(photo, mask, rect, *models, CUT_ITERATIONS, cv2.GC_INIT_WITH_RECT)
    thing = (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)
    if not CUT_SHARE[0] < thing.mean() < CUT_SHARE[1]:
        return None
    rows, cols = bounds(thing)
    soft = cv2.GaussianBlur(thing.astype(np.float32), (5, 5), 0)
    return photo[rows, cols], soft[rows, cols]


def on_plain_ground(thing: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A cut-out `thing` (BGR) on a plain ground of any light or mid tone, tinted, lit
    unevenly (a ramp), with a soft shadow beneath it, filling 35-95% of the shorter side of a
    picture of any shape (BGR uint8)."""
    height = CUT_SIDE
    width = round(height * rng.uniform(0.6, 1.6))
    share = rng.uniform(0.35, 0.95) * min(width, height) / max(thing.shape[:2])
    size = (max(1, round(thing.shape[1] * share)), max(1, round(thing.shape[0] * share)))
    thing = cv2.resize(thing, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    alpha = cv2.resize(mask, size, interpolation=cv2.INTER_AREA)[..., None]
    tone = rng.uniform(140, 255) + rng.normal(0, 10, 3)
    ramp = np.linspace(-1, 1, height)[:, None, None] * rng.uniform(0, 30)
    ground = np.clip(np.broadcast_to(tone, (height, width, 3)) + ramp, 0, 255)
    top = int(rng.integers(0, max(1, height - size[1] + 1)))
    left = int(rng.integers(0, max(1, width - size[0] + 1)))
    place = slice(top, top + size[1]), slice(left, left + size[0])
    shadow = np.zeros((height, width), np.float32)
    shadow[place] = alpha[..., 0]
    offset = np.float32([[1, 0, rng.uniform(-8, 8)], [0, 1, rng.uniform(2, 12)]])
    shadow = cv2.GaussianBlur(cv2.warpAffine(shadow, offset, (width, height)), (0, 0), 6)
    ground *= 1 - rng.uniform(0.1, 0.4) * shadow[..., None]
    ground[place] = alpha * thing + (1 - alpha) * ground[place]
    return ground.astype(np.uint8)


def _cropped(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = gray.shape
    ch, cw = (max(8, int(side * rng.uniform(0.4, 0.9))) for side in (h, w))
    top, left = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    return gray[top : top + ch, left : left + cw]


def light_ink() -> set[tuple[str, str]]:
    """(repo, path) of the real development pictures whose ink is lighter than its paper
    (`LIGHT_LIST`, by eye); all the others' is darker."""
    with LIGHT_LIST.open(newline="") as handle:
        return {(row["repo"], row["path"]) for row in csv.DictReader(handle)}


def real_views(folder: Path, seed: int) -> tuple[list[np.ndarray], list[int]]:
    """REAL_REPEATS views of each picture of a built real development set (its manifest, the
    one .csv file in `folder`) but those of no digit (`nondigit`), in a window's light or
    inverted as the scenes are."""
    rng = np.random.default_rng(seed)
    light = light_ink()
    views, labels = [], []
    with next(folder.glob("*.csv")).open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["label"] != "nondigit"]
    for row in rows:
        name = file_name(row["repo"], row["path"])
        path = folder / row["fold"] / name
        if not path.is_file():
            continue
        gray = np.asarray(to_gray(open_image(path)))
        dark = int((row["repo"], row["path"]) not in light)
        for _ in range(REAL_REPEATS):
            picture, label = lit_or_inverted(gray, dark, rng)
            views.append(view(picture))
            labels.append(label)
    return views, labels


def make(args) -> None:
    views, labels = crop_views(MNIST, seed=7)
    more_views, more_labels = blank_views(BLANKS, seed=8)
    views += more_views
    labels += more_labels
    for index, folder in enumerate(args.real):
        more_views, more_labels = real_views(folder, seed=9 + index)
        views += more_views
        labels += more_labels
    for seed in SCENE_SEEDS:
        more_views, more_labels = scene_views(seed, SCENES)
        views += more_views
        labels += more_labels
    things = [(folder, 20 + index, THING_VIEWS) for index, folder in enumerate(args.things)]
    things += [(folder, 40 + index, 1) for index, folder in enumerate(args.whole_things)]
    for folder, seed, count in things:
        more_views, more_labels = thing_views(folder, seed, count)
        views += more_views
        labels += more_labels
    for index, folder in enumerate(args.things if args.cut_outs else []):
        more_views, more_labels = cut_out_views(folder, 60 + index, args.cut_outs)
        views += more_views
        labels += more_labels
    more_views, more_labels = line_views(LINES, seed=30)
    views += more_views
    labels += more_labels
    x, y = np.stack(views).astype(np.float16), np.array(labels, np.uint8)
    made = {
        "command": command(),
        "scenes": {
            "generator": "tests/generators/ink_scenes.py",
            "seeds": list(SCENE_SEEDS),
            "each": SCENES,
            "checked_on": CHECK_SEED,
        },
        "mnist": f"MNIST's first {MNIST} training digits as tight crops, and {STRIPS} tight "
        "strips of numbers drawn from them (seed 7)",
        "blanks": f"{BLANKS} pictures of no ink (seed 8)",
        "lines": f"{LINES} long numbers, pages of numbers, small digits on large canvases and "
        "coarse scans enlarged, drawn of those digits, and numbers lettered in OpenCV's Hershey "
        "fonts (seed 30)",
        "real": [f"{folder.name}, {REAL_REPEATS} views each" for folder in args.real],
        "light_ink": LIGHT_LIST.name,
        "things": [
            f"{folder.name}: sorted by name, every {THINGS_HELD}th from the first kept out, "
            + (
                "each learnt whole (one view)"
                if count == 1
                else f"those holding writing left out, {count} views each"
            )
            for folder, _, count in things
        ],
    }
    if args.cut_outs:
        made["cut_outs"] = (
            f"{args.cut_outs} of each `--things` photo learnt, cut out by GrabCut and set on "
            "a plain ground (`cut_out_views`, seeds 60 on)"
        )
    np.savez_compressed(args.out, x=x, y=y, made=json.dumps(made))
    things = int(np.count_nonzero(y == UNKNOWN))
    print(
        f"{len(y)} views ({np.mean(y[y != UNKNOWN]):.0%} dark ink, {things} things) -> {args.out}"
    )


def build():
    import keras
    from keras import layers

    inputs = keras.Input((VIEW, VIEW, 2))
    x = inputs
    for filters in (16, 32):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.Concatenate()([layers.GlobalMaxPooling2D()(x), layers.GlobalAveragePooling2D()(x)])
    x = layers.Dense(16, activation="relu")(x)
    outputs = layers.Dense(len(polarity.CLASSES), activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])  # fmt: skip
    return model


def fit(args) -> None:
    import keras
    import tensorflow as tf

    data = np.load(args.data)
    x, y = data["x"].astype(np.float32), classes(data["y"])
    keras.utils.set_random_seed(args.seed)
    order = np.random.default_rng(args.seed).permutation(len(y))
    x, y = x[order], y[order]
    model = build()
    weights = {LIGHT: 1.0, DARK: 1.0, THING: args.thing_weight}
    model.fit(x, y, epochs=args.epochs, batch_size=64, validation_split=0.05, verbose=2,
              class_weight=weights)  # fmt: skip
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    args.out.write_bytes(converter.convert())
    training = {
        "seed": args.seed,
        "command": command(),
        "views": hashlib.sha256(data["x"].tobytes() + data["y"].tobytes()).hexdigest()[:16],
        "made": json.loads(str(data["made"])),
    }
    stamp(args.out, ("preparation",), polarity.FITS, training)
    print(f"wrote {args.out}")


def classes(labels: np.ndarray) -> np.ndarray:
    """The network's class of each view's label (1: dark ink, 0: light, `UNKNOWN`: a thing)."""
    found = np.where(labels == 1, DARK, LIGHT)
    return np.where(labels == UNKNOWN, THING, found).astype(np.int32)


def command() -> str:
    """This run's command line (of this builder, or of one that imports this function), each
    path in it by its name alone (no machine's folders)."""
    named = (Path(word).name if "/" in word else word for word in sys.argv[1:])
    return " ".join([f"python bench/build/{Path(sys.argv[0]).name}", *named])


def check(args) -> None:
    """Per family of `CHECK_SEED`'s scenes and for MNIST's test digits: the polarity right, and
    the pictures taken for things (all of them are writing); per `--things` folder, its photos
    kept out of `make` taken for things."""
    chances = _chances(args.model)
    right: dict[str, list[int]] = {}
    things: dict[str, list[int]] = {}

    def judged(name: str, gray: np.ndarray, dark: int) -> None:
        seen = Look.of(chances(gray))
        right.setdefault(name, []).append(int(seen.dark == bool(dark)))
        things.setdefault(name, []).append(int(seen.thing))

    for picture, mask, family in ink_scenes.scenes(
        args.count, CHECK_SEED, ink_scenes.load_strokes()
    ):
        label = labelled_scene(picture, mask)
        if label is not None:
            judged(family, picture, label)
    for digit in ink_scenes.load_strokes("t10k")[: args.mnist]:
        judged("MNIST, black on white", 255 - digit, 1)
        judged("MNIST, white on black", digit, 0)
    for name, marks in right.items():
        print(f"{name:24s} {sum(marks):5d} / {len(marks):5d} right, {sum(things[name]):4d} things")
    for folder in args.things:
        held, _ = split_photos(folder)
        found = [Look.of(chances(np.asarray(to_gray(open_image(p))))).thing for p in held]
        print(f"{folder.name + ', kept out':24s} {sum(found):5d} / {len(found):5d} things")
        found = [Look.of(chances(grey)).thing for grey in grounded_things(held, CHECK_SEED, 1)]
        print(f"{'... cut out, on a ground':24s} {sum(found):5d} / {len(found):5d} things")


def _chances(model: Path | None):
    if model is None:
        return polarity.chances
    from digitcli.core.litert import Runner

    runner = Runner(model)
    return lambda gray: runner(view(gray)[np.newaxis])[0]


def restamp(args) -> None:
    """Record this digitcli's preparation version in the network at `--out` (the shipped
    one), its training record kept: after a setting changed or went."""
    stamp(args.out, ("preparation",), polarity.FITS)
    print(f"stamped {args.out}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("make", "fit", "check", "stamp"))
    parser.add_argument("--out", type=Path, default=polarity.MODEL)
    parser.add_argument("--data", type=Path)
    parser.add_argument(
        "--real", type=Path, action="append", default=[],
        help="a built real development set (real_pictures.py, real_numbers.py)",
    )  # fmt: skip
    parser.add_argument(
        "--things", type=Path, action="append", default=[],
        help="a folder of photos of things, no writing in any (their class: a thing)",
    )  # fmt: skip
    parser.add_argument(
        "--whole-things", type=Path, action="append", default=[],
        help="a folder of photos of one thing on a plain ground, each learnt whole: cropped, a "
        "hand is a smooth blob filling its picture, as a coarse scan enlarged is",
    )  # fmt: skip
    parser.add_argument(
        "--cut-outs", type=int, default=0, metavar="N",
        help="views of each --things photo cut out and set on a plain ground (`cut_out_views`)",
    )  # fmt: skip
    parser.add_argument("--model", type=Path)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--thing-weight", type=float, default=THING_WEIGHT)
    parser.add_argument("--count", type=int, default=900, help="check scenes")
    parser.add_argument("--mnist", type=int, default=2000, help="check MNIST test digits")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    {"make": make, "fit": fit, "check": check, "stamp": restamp}[args.step](args)


if __name__ == "__main__":
    main()
