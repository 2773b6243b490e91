"""Any image file -> an MNIST-style 28x28: white ink on black, fitted in 20x20, centred by mass.

Users hand us photos and scans of a digit on paper, drawings with a transparent background,
light ink on dark canvases, phone JPEGs with EXIF rotation, at any size and position. A model
trained on MNIST only understands what MNIST looks like, so `prepare` redoes MNIST's own
normalisation: find the ink, crop it, fit it in a 20x20 box keeping its aspect ratio, and paste
it into 28x28 so that its centre of mass is the centre. An image that already looks like MNIST
passes through essentially unchanged.

Speed matters (predict reads thousands of files): JPEGs are decoded at reduced scale
(`Image.draft`), every image is shrunk to at most `work_size` pixels a side (a long one keeps its
shorter side at `paper_size`: `grayscale.working_side`) before anything else, and the rest is
NumPy and OpenCV on that small array.

This module is the pipeline and its public names; each step lives in a module of its own:
`opening` (files to small upright grayscale), `grayscale` (modes, shrinking, transparency),
`polarity` (which way round the ink is), `background` (uneven lighting), `ink` (paper and
ink), `pieces` (which pieces are the digit), `fitting` (20x20 in 28x28), `count` and
`letters` (several digits written together, or no digit, on the 28x28), with `histograms`
and `morphology` under them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from digitcli.core import process
from digitcli.core.config import IMAGE_SIZE
from digitcli.imaging import closer as closer_look
from digitcli.imaging import colours, count, letters, networks
from digitcli.imaging.background import estimate_background
from digitcli.imaging.border import border_to_look_within
from digitcli.imaging.fitting import BOX_SIZE, fit_and_centre, stroke_width
from digitcli.imaging.grayscale import (
    HIGH_BIT_MODES,
    MID_GREY,
    high_bit_to_gray,
    to_gray,
    working_side,
)
from digitcli.imaging.histograms import otsu_threshold
from digitcli.imaging.ink import Strokes, isolate_ink
from digitcli.imaging.morphology import bounds, dilate, square
from digitcli.imaging.opening import MAX_PIXELS, STDIN_NAME, Picture, open_image
from digitcli.imaging.paper import paper_level
from digitcli.imaging.polarity import Look, look
from digitcli.imaging.settings import tuned
from digitcli.imaging.sheet import sheet_to_look_within
from digitcli.imaging.verdict import Kind

__all__ = [  # what callers import from here, wherever it is made
    "INVERT_CHOICES",
    "MAX_PIXELS",
    "STDIN_NAME",
    "Prepared",
    "dilate",
    "drawn_back",
    "fit_and_centre",
    "naive_resize",
    "open_image",
    "otsu_threshold",
    "prepare",
    "prepare_file",
    "save_pixels",
]

# Images smaller than MNIST's 28x28 (8x8 and 16x16 scans, tight crops) are enlarged to at least
# 28 a side first, and their paper is one flat level: the background and noise estimates need
# blocks of paper, which a 10x10 crop filled with ink does not have.
# Wider than thick_stroke px at 28x28 (`fitting.stroke_width`: area / half-perimeter; MNIST's
# median is 1.8), rare in MNIST (a marker, or an 8x8 form scan enlarged), loses a pixel off
# each side of every stroke after fitting (see prepare), so it looks like MNIST's strokes.
# Ink whose box is square and larger than MNIST's 20x20 (where a tenth of MNIST's own digits are
# square): a digit a form scanner stretched to fill its fixed cell (16x16 or 32x32, aspect
# lost: a 1 becomes a slab), alone or scanned again on paper with a margin. Drawn
# back to this share of its width it reads as written. Square only: few of MNIST's own digits
# are square, and they read as well squeezed (figures: docs/measurements/code-notes.md).
INVERT_CHOICES = ("auto", "yes", "no")

# OpenCV's own threads would only contend in digitcli's own process (images are small, batches
# run a worker process per core): one there; a program using the library keeps its setting.
process.opencv_threads(cv2)


@dataclass(frozen=True)
class Prepared:
    """One image, prepared the way MNIST's digits were."""

    pixels: np.ndarray  # uint8 (28, 28), white ink on black, MNIST convention
    has_ink: bool  # False: blank image (predict answers "no digit found", does not guess)
    inverted: bool  # whether the polarity was flipped
    groups: int = 1  # separate digit-sized groups of ink side by side: more than 1, a number
    joined: bool = False  # one group of several digits: run together, or so the judge says
    refused: Kind = Kind.BLANK  # without ink: why (`verdict.Kind`: blank, lines, not a digit)
    # The 28x28 of all the ink kept, where the writing network (`digitcli.imaging.writing`)
    # left pieces out of `pixels`: what the verdict looks at (None: `pixels` itself).
    judged: np.ndarray | None = None
    # The letters network's chance that the one digit is none (`letters.chance` of
    # `looked_at`, or of `pixels` where that is greater: `_told`; 0 where not asked: no ink,
    # several digits): `verdict.read_as_none` weighs it.
    letters: float = 0.0
    # Prepared where a closer look found it (`closer`): its ink too small in the working picture
    # to count its digits by (a small number in a register's large cell; `predict` asks `read`).
    looked_closer: bool = False
    # The count network's chance that the one group of ink is several digits (`count`; 0
    # where not asked: several groups, or the judge's word): `predict` asks `read` where it
    # leans to several, short of `several_sure`.
    several_chance: float = 0.0

    @property
    def looked_at(self) -> np.ndarray:
        """The 28x28 the verdict looks at: `judged`, else `pixels`."""
        return self.pixels if self.judged is None else self.judged

    @property
    def several(self) -> bool:
        """Whether the ink is several digits, apart or joined: a number, not one digit."""
        return self.groups > 1 or self.joined

    @property
    def lines(self) -> bool:
        """Whether no digit was found but ink the judge took for lines or a page of writing."""
        return not self.has_ink and self.refused is Kind.LINES


def prepare(
    image: Image.Image,
    *,
    invert: str = "auto",
    on_paper: bool = False,
    closer: closer_look.Opener | None = None,
) -> Prepared:
    """Turn a picture of one digit into what a model trained on MNIST expects.

    invert: "auto" lets `polarity` decide (its network, or its rule for a digit's crop: dark
    ink on light paper is inverted), "yes" always inverts, "no" never does. on_paper: the
    picture is a sheet of paper or a scanned cell already found (`read` prepares a part of a
    photo so): it is not taken for a photo of a thing. closer: the same picture opened again
    at `closer_look.closer_side` (`prepare_file`'s), for a closer look where its working
    picture holds too little ink to judge or read (default: `image` itself, where it is that
    much larger).
    """
    if invert not in INVERT_CHOICES:
        raise ValueError(f"invert must be one of {', '.join(INVERT_CHOICES)}, not {invert!r}")
    process.opencv_threads(cv2)  # one thread in digitcli's own process; a host's left alone
    seen = None if on_paper else picture_colours(image)  # (paper is never a thing)
    given, image = image, working_picture(image)
    if closer is None:
        closer = partial(to_gray, given, closer_look.closer_side())
    if not closer_look.worth_a_look(image, given):
        closer = None
    sheet = sheet_to_look_within(image, invert)
    if sheet is not None:  # a sheet on a desk: its digit, or none, is within it (its
        # edges, or the desk's beyond them, are no digit: a blank sheet was read as a 1)
        return _told(_prepared(sheet[0], invert, on_paper=True))
    bordered = border_to_look_within(image, invert)
    if bordered is not None:  # a scanned cell: the scanner's lid is no ink, nor is it paper
        part = bordered[0]
        within = None if closer is None else lambda: closer_look.same_part(closer(), *bordered)
        return _told(_prepared(part, invert, on_paper=True, closer=within))
    return _told(_prepared(image, invert, on_paper, seen, closer))


def working_picture(image: Image.Image) -> Image.Image:
    """The grey picture `prepare` looks at: `image` at its working size (`working_side`),
    a nearest-neighbour enlargement undone (`_unreplicated`)."""
    side = working_side(*image.size)
    if image.mode != "L" or max(image.size) > side or "transparency" in image.info:
        image = to_gray(image, side)
    return _unreplicated(image)


def picture_colours(image: Image.Image) -> np.ndarray | None:
    """The colours of a picture (`colours.features`): measured when it was decoded
    (`open_image`), or of a colour image given as it is (the Python API's); None: grey."""
    seen = image.info.get(colours.INFO)
    return seen if seen is not None else colours.of_pillow(image)


def _told(prepared: Prepared) -> Prepared:
    """`prepared`, refused as not a digit where the 28x28 of its one digit is taken for none
    (`letters`: a letter, a sign, a drawing), else with that chance kept (`Prepared.letters`).
    Both 28x28s are asked where the writing network left pieces out: the ink as kept
    (`looked_at`) and the one the digit model reads (`pixels`), the greater chance kept (a
    cross beside a shadow's edge, or among a board's lines, is no letter with them)."""
    if not prepared.has_ink or prepared.several:
        return prepared
    chance = prepared.letters or letters.chance(prepared.looked_at)  # (0: not asked yet)
    if prepared.judged is not None and not letters.sure(chance):
        chance = max(chance, letters.chance(prepared.pixels))
    if not letters.sure(chance):
        return replace(prepared, letters=chance)
    blank = np.zeros_like(prepared.pixels)
    return replace(prepared, pixels=blank, has_ink=False, refused=Kind.NOT_A_DIGIT, judged=None)


def _prepared(
    image: Image.Image,
    invert: str,
    on_paper: bool,
    colours_seen: np.ndarray | None = None,
    closer: closer_look.Opener | None = None,
) -> Prepared:
    """`prepare` of a grey picture (a photo of a sheet: within it), its polarity judged on it
    (the sheet's or the cell's, not the desk's), with its colours where it is a whole colour
    picture (`colours_seen`). A sheet or a cell found (`on_paper`) is paper: the network's
    word that it is a thing is not taken (a number photographed sharp on a slip was a thing
    to it)."""
    auto = invert == "auto"
    seen = look(np.asarray(image), colours_seen) if auto else Look(dark=invert == "yes")
    inverted = seen.dark
    blank = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    if seen.thing and not on_paper:  # a photo of a thing: whatever ink it holds is no writing
        return Prepared(blank, has_ink=False, inverted=inverted, refused=Kind.LINES)
    small = max(image.size) < IMAGE_SIZE
    if small:  # (its polarity judged at its own size: a digit's crop, `polarity`)
        image = _enlarged(image)
    pixels = np.asarray(image)
    signal = (255 - pixels if inverted else pixels).astype(np.float32)
    background = paper_level(signal) if small else estimate_background(image, inverted)
    ink, read, groups, refused, found = isolate_ink(signal, background, whole_strokes=not small)
    closer_up = _looked_closer(image.size, closer, inverted, found, refused)
    if closer_up is not None:  # a small number in a large cell: prepared where it is
        return closer_up
    if ink is None or read is None:
        return Prepared(blank, has_ink=False, inverted=inverted, groups=groups, refused=refused)
    pixels = _twenty_eight(read)
    judged = None if read is ink else _twenty_eight(ink)
    prepared = Prepared(pixels, True, inverted, groups, judged=judged)
    return _counted(prepared, groups, refused, found)


def _looked_closer(
    working: tuple[int, int],
    closer: closer_look.Opener | None,
    inverted: bool,
    found: Strokes | None,
    refused: Kind,
) -> Prepared | None:
    """`_prepared` of the part around the ink of a picture opened larger (`closer`, the
    working picture of `working` size), where the working picture held too little to find,
    judge or read: no strokes (`found`), or strokes too small (`closer_look.too_small`),
    answered or refused as blank paper or lines (not as not a digit: the letters network's
    word on its 28x28); None where none is asked or found (`around_small_ink`)."""
    if closer is None or refused is Kind.NOT_A_DIGIT:
        return None
    if found is not None and not closer_look.too_small(found.box):
        return None
    part = closer_look.around_small_ink(closer(), inverted, working)
    if part is None:
        return None
    found = _prepared(working_picture(part), "yes" if inverted else "no", on_paper=True)
    return replace(found, looked_closer=True)


def _twenty_eight(ink: np.ndarray) -> np.ndarray:
    """The 28x28 of `ink` (`isolate_ink`'s), as the digit model reads it."""
    return _thinned_thick_strokes(fit_and_centre(_unstretched(ink)))


def _counted(
    prepared: Prepared, groups: int, found: Kind | None, strokes: Strokes | None
) -> Prepared:
    """`prepared`, its one group of ink taken for several digits (`joined`) where the judge
    says so (`found`) or the count network (`count`) is sure they are digits written close
    together or into each other, and the letters network does not take the 28x28 for no digit
    (an M, a W or a word is as wide as two digits: `_told` refuses it); the count network's
    chance kept (`several_chance`: `predict` asks `read` where it leans to several). Groups
    that are pieces side by side (`strokes.side_by_side`) are one group where the 28x28 of
    them all is one digit to both networks (`_one_digit_in_strokes`: a 4 in two strokes)."""
    close = strokes is not None and strokes.side_by_side
    if groups > 1 and close and found is not Kind.SEVERAL:
        return _one_digit_in_strokes(prepared)
    if groups != 1:
        return prepared
    chance = 0.0 if found is Kind.SEVERAL else count.chance(prepared.looked_at)
    several = found is Kind.SEVERAL or count.sure(chance)
    none = letters.chance(prepared.looked_at) if several else 0.0  # (sure: `_told` refuses)
    joined = several and not letters.sure(none)
    return replace(prepared, joined=joined, several_chance=chance, letters=0.0 if joined else none)


def _one_digit_in_strokes(prepared: Prepared) -> Prepared:
    """`prepared` (pieces side by side, no gap between them) as one digit in strokes apart (a
    4's bent stroke and its stem; a 9's loop and its tail), with the count network's chance
    kept, where its 28x28 is no digits written close ("10"): the count network takes it for
    one digit rather than several, and the letters network for a digit rather than none (the
    two pieces of a barcode, or of a desk's edge beside a sheet, are no digit's strokes), each
    at even odds (`networks.leans`: docs/measurements/preparation.md, "Round 87"); else
    `prepared` as it is. (Under even odds the count is short of `several_sure`: not joined.)
    The letters network's chance is kept (`Prepared.letters`): `_told` weighs the same 28x28."""
    chance = count.chance(prepared.looked_at)
    if networks.leans(chance):
        return prepared
    none = letters.chance(prepared.looked_at)
    if networks.leans(none):
        return prepared
    return replace(prepared, groups=1, several_chance=chance, letters=none)


def _unstretched(ink: np.ndarray) -> np.ndarray:
    """`ink` (the isolated digit, 0-255 floats) cropped to its half-bright ink and drawn
    filled_squeeze as wide, with `isolate_ink`'s 2-px margin, when that crop is square and
    more than BOX_SIZE high, or fills all of a square `ink`; else `ink` itself."""
    box = bounds(ink > MID_GREY)
    if tuned().filled_squeeze == 1.0 or box is None:
        return ink
    rows, cols = box
    h, w = rows.stop - rows.start, cols.stop - cols.start
    if abs(h - w) > max(1, h // tuned().square_within) or (h <= BOX_SIZE and (h, w) != ink.shape):
        return ink
    return np.pad(drawn_back(ink[box]), 2)


def drawn_back(ink: np.ndarray, share: float | None = None) -> np.ndarray:
    """`ink` (0-255 floats) `share` as wide, as high: a digit stretched to fill a square cell
    drawn back to the width it was written with (`read` draws a line of them so too)."""
    share = tuned().filled_squeeze if share is None else share
    h, w = ink.shape
    narrower = (max(1, round(w * share)), h)
    squeezed = Image.fromarray(ink.astype(np.float32), "F").resize(
        narrower, Image.Resampling.BILINEAR
    )
    return np.asarray(squeezed)


def _unreplicated(image: Image.Image) -> Image.Image:
    """A nearest-neighbour enlargement (every pixel a k x k block: a low-resolution scan or
    icon zoomed for display) back at its own resolution, where its edges can be smoothed:
    read blocky, such scans lose much of their accuracy."""
    pixels = np.asarray(image)
    h, w = pixels.shape
    if h < 2 or w < 2 or not np.array_equal(pixels[0], pixels[1]):
        return image
    if not np.array_equal(pixels[:, 0], pixels[:, 1]):
        return image
    for k in range(tuned().max_block, 1, -1):
        if h % k == 0 and w % k == 0:
            blocks = pixels.reshape(h // k, k, w // k, k)
            if (blocks == blocks[:, :1, :, :1]).all():
                return Image.fromarray(np.ascontiguousarray(blocks[:, 0, :, 0]), "L")
    return image


def _enlarged(image: Image.Image) -> Image.Image:
    """An integer upscale to at least MNIST's 28 a side, smooth like the pen it came from:
    Lanczos draws a coarse scan's strokes round where bilinear drew straight-edged diamonds
    between its pixels (figures: docs/other-writers.md)."""
    factor = math.ceil(IMAGE_SIZE / max(1, max(image.size)))
    w, h = image.size
    return image.resize((w * factor, h * factor), Image.Resampling.LANCZOS)


def prepare_file(
    source: str | Path | bytes, *, invert: str = "auto", name: str | None = None
) -> Prepared:
    """open_image then prepare: one file (or raw bytes) to an MNIST-style 28x28."""
    return prepare_picture(Picture(source, name=name), invert=invert)


def prepare_picture(picture: Picture, *, invert: str = "auto") -> Prepared:
    """`prepare` of a picture opened at `predict`'s size, and larger for a closer look where
    it asks one."""
    closer = partial(picture.at, closer_look.closer_side())
    return prepare(picture.at(), invert=invert, closer=closer)


def naive_resize(image: Image.Image) -> np.ndarray:
    """The baseline prepare() is measured against: grayscale, resized to 28x28, nothing else."""
    if image.mode in HIGH_BIT_MODES:
        values = image.convert("F") if image.mode != "F" else image
        image = high_bit_to_gray(values, is_float=image.mode == "F")
    return np.asarray(image.convert("L").resize((IMAGE_SIZE, IMAGE_SIZE)), dtype=np.uint8)


def save_pixels(pixels: np.ndarray, path: Path) -> None:
    """Write a prepared 28x28 as a grayscale PNG (for predict --save-preprocessed)."""
    array = np.asarray(pixels)
    if array.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"expected a {IMAGE_SIZE}x{IMAGE_SIZE} array, got shape {array.shape}")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(array, 0, 255).astype(np.uint8), "L").save(path, format="PNG")


def _thinned_thick_strokes(pixels: np.ndarray) -> np.ndarray:
    """A prepared digit whose strokes are wider than thick_stroke with a pixel taken off each
    side of them (a 3x3 minimum): thick pens' scans read better so (figures:
    docs/measurements/code-notes.md)."""
    width = stroke_width(pixels)
    if width is None or width <= tuned().thick_stroke:
        return pixels
    return cv2.erode(pixels, square(1))
