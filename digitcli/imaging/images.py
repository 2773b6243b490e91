"""Any image file -> an MNIST-style 28x28: white ink on black, fitted in 20x20, centred by mass.

Users hand us photos and scans of a digit on paper, drawings with a transparent background,
light ink on dark canvases, phone JPEGs with EXIF rotation, at any size and position. A model
trained on MNIST only understands what MNIST looks like, so `prepare` redoes MNIST's own
normalisation: find the ink, crop it, fit it in a 20x20 box keeping its aspect ratio, and paste
it into 28x28 so that its centre of mass is the centre. An image that already looks like MNIST
passes through essentially unchanged.

Speed matters (predict reads thousands of files): JPEGs are decoded at reduced scale
(`Image.draft`), every image is shrunk to at most `WORK_SIZE` pixels a side before anything else,
and the rest is NumPy and OpenCV on that small array.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageChops, UnidentifiedImageError

from digitcli.core.config import IMAGE_SIZE
from digitcli.core.errors import ImageError, first_line
from digitcli.imaging import clutter
from digitcli.imaging.decoding import MAX_DECODED_BYTES, decode, pillow_cost, plan, read_input

MAX_PIXELS = 120_000_000  # a header claiming more is refused unread; a 100-megapixel photo passes
WORK_SIZE = 192  # longest side everything is shrunk to first: a digit of a third of it is ~64 px
# Images smaller than MNIST's 28x28 (8x8 and 16x16 scans, tight crops) are enlarged to at least
# SMALL_SIZE first, and their paper is one flat level: the background and noise estimates need
# blocks of paper, which a 10x10 crop filled with ink does not have.
SMALL_SIZE = 64
MAX_BLOCK = 8  # the largest nearest-neighbour enlargement undone (see _unreplicated)
BOX_SIZE = 20  # MNIST fits each digit in 20x20, keeping its aspect ratio ...
CENTRE = 14.0  # ... and centres its mass here (row, column) in 28x28; measured on MNIST: 14.0
# Stroke widths in px at 28x28 (area / half-perimeter): MNIST's median is 1.8, and 99% of its
# digits are wider than 1.0. Thinner than THIN_STROKE gets widened to TYPICAL_STROKE.
# Pixels above FAINT_STROKE of the way from the noise floor to the ink threshold belong to
# a stroke when they touch one (hysteresis): a calligraphic pen's hairline stays.
FAINT_STROKE = 0.3
THIN_STROKE = 0.8
TYPICAL_STROKE = 1.8
# Wider than THICK_STROKE (0.4% of MNIST's digits; a marker, or an 8x8 form scan enlarged, as
# 9% of UCI's are) loses a pixel off each side of every stroke after fitting (see prepare).
THICK_STROKE = 4.0
# Ink on all four sides of a square picture: a digit a form scanner stretched to fill its fixed
# cell (16x16 or 32x32, aspect lost: a 1 becomes a slab). Drawn back to this share of its width
# it reads as written (bench/robustness.py's `filled`: the bundled model 93.6% -> 94.7%, the
# default mlp 92.4% -> 94.6%, every other source unchanged; 0.6 and 0.8 about as good, 0.45
# worse). Square only: of 2,000 MNIST test digits cropped to their ink, 978 touch all four
# sides (the mlp read those 0.4 points worse squeezed) and 91 of them are square (all 2,000:
# mlp 97.75% -> 97.70%, bundled 99.0% -> 99.1%).
FILLED_SQUEEZE = 0.7
# The background's blocks are at least WIDE_STROKE_BLOCK strokes wide (a marker's digit, or a
# small scan enlarged to fill its picture, has strokes a quarter of its height; blocks of a
# tenth of the image put a block wholly inside them and took them for shadow), but no fewer
# than FEWEST_BLOCKS along the image. bench/robustness.py's `enlarged`, the bundled model:
# 98.5% with 1.2 and 6, 96.5% with blocks of a tenth always, 98.4% with 1.6 and 6, 98.5%
# with 1.2 and 4 (but the predict benchmark's photo files 98.8% against 99.3%).
WIDE_STROKE_BLOCK = 1.2
FEWEST_BLOCKS = 6
INVERT_CHOICES = ("auto", "yes", "no")
STDIN_NAME = "<stdin>"

_ORIENTATION_TAG = 0x0112
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_SIDES = frozenset(_UPRIGHT[o] for o in (5, 6, 7, 8))  # a quarter turn, maybe mirrored
_XMP_KEYS = ("xmp", "XML:com.adobe.xmp", "Raw profile type exif")  # Pillow's info keys
_ALPHA_MODES = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})
_HIGH_BIT_MODES = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
_MIN_CONTRAST = 24.0  # grey levels between background and ink below which an image is blank
# ... unless the paper is quiet: Otsu's two classes at least FAINTEST_INK levels apart and
# FAINT_SEPARATION of the paper's spreads. bench/robustness.py (bundled model): `faint` 82.4% ->
# 85.8% (all 34 newly answered read right), `blank` 98.2% both, no other file of the development
# set nor of the predict benchmark prepared differently; a new draw of 2,000 each (seed 1):
# `faint` 81.9% -> 85.1%, `blank` 97.7% -> 97.6%. Tried: 16 and 7, 84.1%; 10 and 7, 86.4% but
# `blank` 98.0%; 8 and 8, 86.5% / 97.9%.
FAINTEST_INK, FAINT_SEPARATION = 12.0, 8.0
# Pictures PAPER_SIZE px or more a side show paper around their digit (not a crop of it as
# MNIST's 28x28, where a digit may touch two sides): there, lines and edges crossing the
# picture, the paper's texture and the edges of dark regions are not taken for ink.
PAPER_SIZE = 2 * IMAGE_SIZE
# On paper, a digit is at least SMALLEST_ON_PAPER of the picture's shorter side (the photo
# digits 0.25 or more, bench/robustness.py's crops more); smaller ink is a speck or the
# remains of a ruled line.
SMALLEST_ON_PAPER = 0.1
# A pen's strokes stand out of the paper's noise: their cores (the 80th percentile of the
# digit's pixels) STROKE_NOISE of its standard deviations above the paper, or STROKE_CORE times
# as far above the noise's floor as the threshold that found them (a plateau, not the peaks of
# a texture). The paper's texture along a shadow's or a fold's soft edge (bench/make_blanks.py)
# stood 3.6-5.1 deviations and 0.75-1.9 times above; photo digits 6-40 and 2.8-4.6 times,
# bench/robustness.py's faintest (`faint`, `enlarged-rest`) 5.0-6.4 and 2.2-2.5 times.
STROKE_NOISE, STROKE_CORE = 7.0, 2.0
# A pen's stroke has paper around it; ink joined to DARK_REGION times its area of darkness that
# runs off the picture is the edge of a dark region (`_edge_of_a_dark_region`).
DARK_REGION = 2.0
# Ink wider than SEVERAL_WIDE of its height, in pieces standing side by side, is several digits
# (`_side_by_side`): no one digit is that wide (segment's MAX_WIDTH, the widest: 1.3).
SEVERAL_WIDE = 1.4
_PAPER_SHIFT = 2.0  # grey levels the median may lie above the paper's before it counts as ink
_EXTREME_PIXELS = 8  # "the darkest" is the 8th darkest pixel (or 0.05% of them): not one speck

# OpenCV's own threads would only contend here: images are small, and batches already run one
# worker process per core.
cv2.setNumThreads(1)


Box = tuple[slice, slice]  # rows, columns


@dataclass(frozen=True)
class Prepared:
    """One image, prepared the way MNIST's digits were."""

    pixels: np.ndarray  # uint8 (28, 28), white ink on black, MNIST convention
    has_ink: bool  # False: blank image (predict answers "no digit found", does not guess)
    inverted: bool  # whether the polarity was flipped
    groups: int = 1  # separate digit-sized groups of ink side by side: more than 1, a number


# ---------------------------------------------------------------------------------------------
# Reading


def open_image(
    source: str | Path | bytes, *, name: str | None = None, max_side: int = WORK_SIZE
) -> Image.Image:
    """Read a file (or raw bytes) into a small 8-bit grayscale ("L") image, upright.

    The result is at most `max_side` pixels a side (`read` keeps more than one digit needs);
    `image.info["source_size"]` is the upright file's own (width, height). Raises ImageError
    with one line, "<name>: <problem>", for anything that is not a readable image, and for
    inputs past the limits of `digitcli.imaging.decoding` (bytes read, bytes decoding would hold).
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = _one_line(name or STDIN_NAME)
        if len(source) == 0:
            raise ImageError(f"{label}: empty input")
        data = bytes(source)
    else:
        label = _one_line(name or str(source))
        data = read_input(os.fspath(source), label)
    try:
        return _read(data, label, max_side)
    except ImageError:
        raise
    except Image.DecompressionBombError:
        raise ImageError(f"{label}: image too large (more than {MAX_PIXELS:,} pixels)") from None
    except UnidentifiedImageError:
        raise ImageError(f"{label}: not an image (or a format Pillow cannot read)") from None
    except MemoryError:
        raise ImageError(f"{label}: not enough memory to decode the image") from None
    except Exception as error:  # Pillow's decoders raise many kinds on damaged files
        reason = _reason(error)
        problem = "truncated" if "truncated" in reason.lower() else "damaged or unsupported"
        raise ImageError(f"{label}: {problem} image ({reason})") from None


def _read(data: bytes, label: str, max_side: int) -> Image.Image:
    with _quiet():
        im = Image.open(io.BytesIO(data))
    try:
        width, height = im.size
        if width * height > MAX_PIXELS:
            raise ImageError(
                f"{label}: image too large ({width}x{height} pixels, limit {MAX_PIXELS:,})"
            )
        if width < 1 or height < 1:
            raise ImageError(f"{label}: image has no pixels ({width}x{height})")
        how = plan(im, data, max_side)
        _check_cost(how.cost, im, label)
        pixels = decode(data, how)
        if pixels is None or (im.format == "PNG" and "exif" not in im.info and _has_xmp(im)):
            _check_cost(pillow_cost(im), im, label)  # Pillow decodes it (or reads XMP after it)
        if pixels is not None:
            gray = _array_to_gray(pixels, max_side)
        else:
            gray = _pillow_gray(im, max_side)
            if gray is im:
                gray = gray.copy()  # not the file's image, closed below
        with _quiet():
            turn = _orientation(im, loaded=pixels is None)  # OpenCV was told to ignore it
        if turn is not None:
            gray = gray.transpose(turn)
        swapped = turn in _SWAPS_SIDES
        gray.info["source_size"] = (height, width) if swapped else (width, height)
        return gray
    finally:
        im.close()


def _check_cost(cost: int, im: Image.Image, label: str) -> None:
    if cost > MAX_DECODED_BYTES:
        width, height = im.size
        raise ImageError(
            f"{label}: image too large to decode ({width}x{height} {im.mode}: "
            f"{cost / 2**20:,.0f} MB to hold, limit {MAX_DECODED_BYTES / 2**20:g} MB)"
        )


def _pillow_gray(im: Image.Image, max_side: int) -> Image.Image:
    """Pillow's decoding (JPEG only where OpenCV failed on it: at reduced scale too)."""
    if im.format in ("JPEG", "MPO"):
        width, height = im.size
        scale = max_side / max(width, height)
        request = (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale)))
        im.draft("L" if im.mode == "RGB" else im.mode, request)
    im.load()
    return _to_gray(im, max_side)


_warnings_lock = threading.Lock()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence Pillow's warnings (above ~89 MP, where MAX_PIXELS is our own limit, and about
    damaged metadata): the user gets a result or one ImageError. catch_warnings changes global
    state, hence the lock; it is held only while parsing headers, not while decoding."""
    with _warnings_lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _orientation(im: Image.Image, loaded: bool = True) -> Image.Transpose | None:
    """What ImageOps.exif_transpose would do to show the image upright (EXIF or XMP
    orientation), to be done to the small grayscale instead; damaged metadata is ignored.
    A PNG read by OpenCV and holding neither before its pixels has none: Pillow's getexif
    would decode the whole file again to look for an eXIf chunk after them."""
    if im.format == "PNG" and not loaded and "exif" not in im.info and not _has_xmp(im):
        return None
    try:
        return _UPRIGHT.get(im.getexif().get(_ORIENTATION_TAG, 1))
    except Exception:
        return None


def _has_xmp(im: Image.Image) -> bool:
    return any(key in im.info for key in _XMP_KEYS)


def _to_gray(im: Image.Image, max_side: int = WORK_SIZE) -> Image.Image:
    """Any mode Pillow opens, shrunk to max_side, as 8-bit grayscale with alpha composited."""
    mode = im.mode
    if mode in _HIGH_BIT_MODES:
        values = _shrunk(im.convert("F") if mode != "F" else im, max_side)
        return _high_bit_to_gray(values, is_float=mode == "F")
    if mode in _ALPHA_MODES or "transparency" in im.info:
        if mode == "La":
            im = im.convert("LA")
        elif mode not in ("LA", "RGBA"):
            im = im.convert("RGBA")
        return _composite(im, max_side)
    if mode == "LAB":
        im = im.getchannel(0)
    elif mode == "HSV":
        im = im.getchannel(2)
    elif mode != "L":
        # At full size: converting is cheaper than shrinking colour, and Pillow shrinks "1"
        # and "P" with nearest neighbour.
        im = im.convert("L")
    return _shrunk(im, max_side)


def _array_to_gray(pixels: np.ndarray, max_side: int = WORK_SIZE) -> Image.Image:
    """`_to_gray` of OpenCV's pixels: 8-bit or 16-bit grey (h x w), BGR or BGRA. 16-bit
    grey is shrunk before its range is read: no float copy at full size."""
    if pixels.dtype == np.uint16:
        height, width = pixels.shape
        if max(width, height) > max_side:  # as _shrunk: a whole factor's box average, then linear
            scale = max_side / max(width, height)
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            whole = max(width, height) // max_side
            if whole > 1:
                box = (max(1, width // whole), max(1, height // whole))
                pixels = cv2.resize(pixels, box, interpolation=cv2.INTER_AREA)
            pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_LINEAR)
        return _high_bit_to_gray(pixels, is_float=False)
    if pixels.ndim == 2:
        return _shrunk(Image.fromarray(pixels, "L"), max_side)
    if pixels.shape[2] == 3:
        return _shrunk(Image.fromarray(cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY), "L"), max_side)
    luma = Image.fromarray(cv2.cvtColor(pixels, cv2.COLOR_BGRA2GRAY), "L")
    return _composited(luma, Image.fromarray(np.ascontiguousarray(pixels[..., 3]), "L"), max_side)


def _shrunk(im: Image.Image, max_side: int = WORK_SIZE) -> Image.Image:
    """At most max_side a side: an integer reduce() (a box average: free of aliasing, it
    averages the noise away), then OpenCV's bilinear for the rest, less than 2x. A 450-px
    grey picture: 0.07 ms, against 0.17 for Pillow's area-averaging resize all the way
    (bench/robustness.py, bundled and default mlp: 21 of 30 accuracies the same, 6 up and
    3 down by at most 0.4 points)."""
    width, height = im.size
    if max(width, height) <= max_side:
        return im
    scale = max_side / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if im.mode != "L":
        return im.resize(size, Image.Resampling.BOX, reducing_gap=2.0)
    whole = max(width, height) // max_side
    reduced = im.reduce(whole) if whole > 1 else im
    return Image.fromarray(cv2.resize(np.asarray(reduced), size, interpolation=cv2.INTER_LINEAR))


def _high_bit_to_gray(im: Image.Image | np.ndarray, *, is_float: bool) -> Image.Image:
    """16-bit, 32-bit integer and float images to 0-255, guessing the range from the values."""
    values = np.nan_to_num(np.asarray(im, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if lo >= 0 and hi <= 1.0 and is_float:
        values = values * 255.0
    elif lo >= 0 and hi <= 255:
        pass
    elif lo >= 0 and hi <= 65535:
        values = values / 257.0
    else:
        values = (values - lo) * (255.0 / max(hi - lo, 1e-12))
    return Image.fromarray(np.clip(values + 0.5, 0, 255).astype(np.uint8), "L")


def _composite(im: Image.Image, max_side: int = WORK_SIZE) -> Image.Image:
    """LA or RGBA to L: transparent areas become background, chosen so the ink keeps contrast.

    Drawings are ink on a transparent canvas: the visible pixels are the ink, so the background
    is white under dark ink and black under light ink. When most of the image is opaque, the
    visible pixels are mostly paper, and the transparent rest takes the paper's grey.
    """
    lum_full = im.getchannel(0) if im.mode == "LA" else im.convert("L")  # alpha is ignored
    return _composited(lum_full, im.getchannel("A"), max_side)


def _composited(lum_full: Image.Image, alpha_full: Image.Image, max_side: int) -> Image.Image:
    """`_composite` of an image's luma and alpha ("L" images)."""
    # Compositing is linear in (luma x alpha, alpha), so both can be shrunk first, exactly.
    weighted = _shrunk(ImageChops.multiply(lum_full, alpha_full), max_side)
    alpha = np.asarray(_shrunk(alpha_full, max_side), dtype=np.float32) / 255.0
    weighted_lum = np.asarray(weighted, dtype=np.float32)
    if alpha.min() >= 0.98:
        return Image.fromarray(np.clip(weighted_lum / alpha + 0.5, 0, 255).astype(np.uint8), "L")
    visible = alpha > 0.5
    if not visible.any():
        return Image.new("L", weighted.size, 0)
    if visible.mean() < 0.5:
        ink = float(weighted_lum.sum() / alpha.sum())
        background = 255.0 if ink < 127.5 else 0.0
    else:
        background = float(np.median(weighted_lum[visible] / alpha[visible]))
    out = weighted_lum + background * (1.0 - alpha)
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8), "L")


def _reason(error: BaseException) -> str:
    return first_line(error)[:200]


def _one_line(text: str) -> str:
    return " ".join(text.split()) if ("\n" in text or "\r" in text) else text


# ---------------------------------------------------------------------------------------------
# Preparing


def prepare(image: Image.Image, *, invert: str = "auto") -> Prepared:
    """Turn a picture of one digit into what a model trained on MNIST expects.

    invert: "auto" decides the polarity from the background (dark ink on light paper is
    inverted), "yes" always inverts, "no" never does.
    """
    if invert not in INVERT_CHOICES:
        raise ValueError(f"invert must be one of {', '.join(INVERT_CHOICES)}, not {invert!r}")
    if image.mode != "L" or max(image.size) > WORK_SIZE or "transparency" in image.info:
        image = _to_gray(image)
    image = _unreplicated(image)
    small = max(image.size) < IMAGE_SIZE
    if small:
        image = _enlarged(image)
    pixels = np.asarray(image)
    if invert == "auto":
        inverted = _ink_is_dark(pixels)
    else:
        inverted = invert == "yes"
    signal = (255 - pixels if inverted else pixels).astype(np.float32)
    background = _paper_level(signal) if small else _background(image, inverted)
    ink, groups = _isolate_ink(signal, background, whole_strokes=not small)
    blank = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    if ink is None:
        return Prepared(blank, has_ink=False, inverted=inverted)
    pixels = _thinned_thick_strokes(fit_and_centre(_unstretched(ink)))
    return Prepared(pixels, has_ink=True, inverted=inverted, groups=groups)


def _unstretched(ink: np.ndarray) -> np.ndarray:
    """`ink` (the isolated digit, 0-255 floats) FILLED_SQUEEZE as wide when it fills its whole
    square picture (half-bright ink on all four edges; `_isolate_ink` keeps a 2-px margin of
    paper around a digit that does not), else `ink` itself."""
    h, w = ink.shape
    edges = (ink[0], ink[-1], ink[:, 0], ink[:, -1])
    if FILLED_SQUEEZE == 1.0 or abs(h - w) > max(1, h // 50) or min(e.max() for e in edges) < 128:
        return ink
    narrower = (max(1, round(w * FILLED_SQUEEZE)), h)
    squeezed = Image.fromarray(ink.astype(np.float32), "F").resize(
        narrower, Image.Resampling.BILINEAR
    )
    return np.asarray(squeezed)


def _unreplicated(image: Image.Image) -> Image.Image:
    """A nearest-neighbour enlargement (every pixel a k x k block: a low-resolution scan or
    icon zoomed for display) back at its own resolution, where its edges can be smoothed;
    read blocky, it cost 8-px scans enlarged 4x a third of their accuracy (83.6% -> 55.7%)."""
    pixels = np.asarray(image)
    h, w = pixels.shape
    if h < 2 or w < 2 or not np.array_equal(pixels[0], pixels[1]):
        return image
    if not np.array_equal(pixels[:, 0], pixels[:, 1]):
        return image
    for k in range(MAX_BLOCK, 1, -1):
        if h % k == 0 and w % k == 0:
            blocks = pixels.reshape(h // k, k, w // k, k)
            if (blocks == blocks[:, :1, :, :1]).all():
                return Image.fromarray(np.ascontiguousarray(blocks[:, 0, :, 0]), "L")
    return image


def _enlarged(image: Image.Image) -> Image.Image:
    """An integer upscale to at least SMALL_SIZE a side, smooth like the pen it came from:
    Lanczos draws a coarse scan's strokes round where bilinear drew straight-edged diamonds
    between its pixels (measured on bench/robustness.py's `uci-rest`: docs/other-writers.md)."""
    factor = math.ceil(SMALL_SIZE / max(1, max(image.size)))
    w, h = image.size
    return image.resize((w * factor, h * factor), Image.Resampling.LANCZOS)


def prepare_file(
    source: str | Path | bytes, *, invert: str = "auto", name: str | None = None
) -> Prepared:
    """open_image then prepare: one file (or raw bytes) to an MNIST-style 28x28."""
    return prepare(open_image(source, name=name), invert=invert)


def naive_resize(image: Image.Image) -> np.ndarray:
    """The baseline prepare() is measured against: grayscale, resized to 28x28, nothing else."""
    if image.mode in _HIGH_BIT_MODES:
        values = image.convert("F") if image.mode != "F" else image
        image = _high_bit_to_gray(values, is_float=image.mode == "F")
    return np.asarray(image.convert("L").resize((IMAGE_SIZE, IMAGE_SIZE)), dtype=np.uint8)


def save_pixels(pixels: np.ndarray, path: Path) -> None:
    """Write a prepared 28x28 as a grayscale PNG (for predict --save-preprocessed)."""
    array = np.asarray(pixels)
    if array.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"expected a {IMAGE_SIZE}x{IMAGE_SIZE} array, got shape {array.shape}")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(array, 0, 255).astype(np.uint8), "L").save(path, format="PNG")


def _ink_is_dark(gray: np.ndarray) -> bool:
    """Whether the ink is darker than the background, which is what the border mostly shows:
    the ink is the side whose extreme grey levels (uint8 `gray`) lie further from the
    background's."""
    h, w = gray.shape
    band = max(1, round(0.04 * min(h, w)))
    border = np.concatenate(
        [gray[:band].ravel(), gray[-band:].ravel(), gray[:, :band].ravel(), gray[:, -band:].ravel()]
    )
    background = _quantile(_histogram(border), 0.5)
    hist = _histogram(gray)
    if abs(_quantile(hist, 0.5) - background) >= _MIN_CONTRAST:  # the border is not the paper
        background = clutter.paper_inside_a_box(gray, band, background, _MIN_CONTRAST)
    darkest, lightest = _extremes(hist)
    # Judged from FAINTEST_INK levels, where _two_levels starts to count faint ink (judged from
    # _MIN_CONTRAST, it guessed below 24: bench/robustness.py's `faint` 85.8% -> 86.6%).
    if max(background - darkest, lightest - background) < FAINTEST_INK:
        return background > 127.5  # no ink to speak of: paper is light, a canvas dark
    return background - darkest > lightest - background


def _isolate_ink(
    signal: np.ndarray, background: np.ndarray, *, whole_strokes: bool = True
) -> tuple[np.ndarray | None, int]:
    """Bright ink on a dark background -> ink only (0-255 floats, background 0), or None if
    blank; and how many separate digit-sized groups of ink it holds.

    Subtracts the (possibly uneven) background, zeroes the noise, and keeps the connected
    pieces of ink that make up the digit, dropping specks away from it. whole_strokes: also
    keep the faint strokes attached to them, as bright as their neighbours (not for small
    scans, whose soft edges come from enlarging them).
    """
    flat = signal - background
    noise = _noise_below(flat)
    np.maximum(flat, 0.0, out=flat)
    levels = np.minimum(flat, 255.0).astype(np.uint8)  # for statistics, to the grey level
    hist = _histogram(levels)
    otsu = otsu_threshold(hist)
    median = _quantile(hist, 0.5)
    spread = 1.4826 * _mad(hist, median)
    peak = _extremes(hist)[1]
    paper_median, paper_spread = _paper_statistics(hist, otsu)
    # The median pixel is not paper: ink and its soft edges cover half the image (a small scan
    # enlarged smoothly to fill its picture), so the spread of all the pixels is the ink's, not
    # the noise's (used for the blank test, it answered "no digit found" to 40% of
    # bench/robustness.py's faint digits of 30-40 grey levels, 10% now).
    covered = median > paper_median + max(_PAPER_SHIFT, paper_spread)
    noise = max(noise, paper_spread if covered else spread)
    low_contrast = peak - median < max(_MIN_CONTRAST, 6.0 * noise)
    if low_contrast and not _two_levels(hist, otsu):
        return None, 0
    if low_contrast or covered:
        # Ink covers much of the image (a tight crop, a thick pen): noise from the paper alone.
        median, spread = paper_median, paper_spread
    floor = median + 3.0 * spread  # nearly all background noise stays below this
    threshold = max(otsu, floor + 0.2 * (peak - floor))
    faint_level = floor + FAINT_STROKE * (threshold - floor)
    ruled = clutter.ruled_lines(flat, levels, max(floor, FAINTEST_INK), faint_level)
    strokes = flat > threshold
    if ruled is not None:
        strokes = clutter.bridged(strokes, *ruled)
    on_paper = whole_strokes and max(flat.shape) >= PAPER_SIZE
    found = _digit_components(strokes, on_paper=on_paper)
    if found is None:
        return None, 0
    kept, box, groups = found
    if whole_strokes:
        reach = max(box[0].stop - box[0].start, box[1].stop - box[1].start) // 2
        near = _widened(box, reach, kept.shape)
        faint = flat[near] > faint_level
        if ruled is not None:
            faint &= ~ruled[0][near[0], None] & ~ruled[1][None, near[1]]
        kept[near] = _connected_to(kept[near], faint)
        box = _shifted(_bounds(kept[near]), near)
        if on_paper and (clutter.runs_off(kept) or _edge_of_a_dark_region(signal, kept, threshold)):
            return None, 0
    near = _widened(box, 2, kept.shape)  # all the steps below keep: 5-10x fewer pixels
    flat, kept, levels = flat[near], kept[near], levels[near]
    level = _quantile(_histogram(levels, kept), 0.8)  # strokes' cores become white, as in MNIST
    weak = level - median < STROKE_NOISE * noise and level - floor < STROKE_CORE * (
        threshold - floor
    )
    if on_paper and weak:
        return None, 0  # the paper's own texture (a shadow's soft edge), not a pen's stroke
    ink = _scaled_ink(flat, kept, floor, level, whole_strokes=whole_strokes)
    return ink, groups


def _edge_of_a_dark_region(signal: np.ndarray, kept: np.ndarray, threshold: float) -> bool:
    """Whether the ink found (`kept`; `signal`: the picture, ink bright) is the edge of a
    region as dark as ink that the background took in (a desk beyond the paper's edge, a deep
    shadow), not a pen's stroke: what is as dark as most of it (its 25th percentile) and
    thicker than 4 px (not ruled lines), joined to it, runs off the picture and covers
    DARK_REGION times its area or more."""
    levels = np.clip(signal, 0, 255).astype(np.uint8)
    paper = _quantile(_histogram(levels), 0.5)
    ink = _quantile(_histogram(levels, kept), 0.25)
    if ink - paper < threshold:
        return False
    thick = cv2.erode((levels >= ink).view(np.uint8), _square(2)).view(bool)  # not lines
    seeds = kept & thick
    if not seeds.any():
        return False
    region = _connected_to(seeds, thick)
    off = region[0].any() or region[-1].any() or region[:, 0].any() or region[:, -1].any()
    return bool(off) and np.count_nonzero(region) >= DARK_REGION * np.count_nonzero(seeds)


def _noise_below(flat: np.ndarray) -> float:
    """The noise's standard deviation from the pixels below the background (`flat`: the image
    less its background): ink only ever lies above it, so these are noise alone. The spread
    of what lies above understates it where the background sits at the noise's own mean (half
    the pixels then clip to 0): plain noise of 7 grey levels measured 1.5 there, and 2.4% of
    bench/robustness.py's `blank` images were answered with a digit (1.1% now)."""
    under = _histogram(np.clip(-flat[::2, ::2], 0.0, 255.0))  # a quarter of them: 4x faster
    under[0] = 0  # at the background or less than a grey level below it
    return _quantile(under, 0.5) / 0.6745  # a normal's median absolute value, in sigmas


def _scaled_ink(
    flat: np.ndarray, kept: np.ndarray, floor: float, level: float, *, whole_strokes: bool
) -> np.ndarray:
    """Grey levels from `floor` (0) to the strokes' `level` (255), near the kept strokes only."""
    ink = flat - floor
    if whole_strokes:
        # Each stroke scaled by its own brightness nearby, so a pen's hairlines are as white
        # as its full strokes (MNIST's strokes are all one brightness).
        nearby = _square_max(flat * kept, 3) - floor
        ink *= 255.0 / np.clip(nearby, max(0.3 * (level - floor), 1.0), max(level - floor, 1.0))
    else:
        ink *= 255.0 / max(level - floor, 1.0)
    np.clip(ink, 0.0, 255.0, out=ink)
    ink *= dilate(kept, 2)  # anti-aliased edges near the kept strokes stay; the rest goes
    return ink


def _bounds(mask: np.ndarray) -> Box | None:
    """The bounding box of `mask`'s True pixels, None if it has none (OpenCV's: 2.6 us for a
    192-px working image, against 10.3 for NumPy's any() along each axis)."""
    left, top, width, height = cv2.boundingRect(mask.view(np.uint8))
    if width == 0:
        return None
    return slice(top, top + height), slice(left, left + width)


def _widened(box: Box, margin: int, shape: tuple[int, ...]) -> Box:
    """`box` `margin` wider on each side, within an image of `shape`."""
    rows, cols = box
    return (
        slice(max(rows.start - margin, 0), min(rows.stop + margin, shape[0])),
        slice(max(cols.start - margin, 0), min(cols.stop + margin, shape[1])),
    )


def _shifted(box: Box, window: Box) -> Box:
    """`box`, found within `window`, in the coordinates of the whole image."""
    (rows, cols), (top, left) = box, (window[0].start, window[1].start)
    return slice(rows.start + top, rows.stop + top), slice(cols.start + left, cols.stop + left)


def _two_levels(hist: np.ndarray, threshold: float) -> bool:
    """Whether the grey levels split into paper and ink, rather than one level with noise:
    Otsu's two classes lie far apart for their spread (Gaussian noise split at its mean gives
    2.7 standard deviations of the lower class; a digit on paper, 5 to 50), by 4 spreads and
    _MIN_CONTRAST levels, or by FAINT_SEPARATION spreads and FAINTEST_INK levels. `threshold`:
    Otsu's."""
    levels = np.arange(256)
    low, high = levels < threshold, levels >= threshold
    n_low, n_high = hist[low].sum(), hist[high].sum()
    if n_low == 0 or n_high == 0:
        return False
    mean_low = (hist[low] * levels[low]).sum() / n_low
    mean_high = (hist[high] * levels[high]).sum() / n_high
    std_low = math.sqrt((hist[low] * (levels[low] - mean_low) ** 2).sum() / n_low)
    gap, spread = mean_high - mean_low, max(std_low, 1.0)
    if n_high < 0.02 * hist.sum():
        return False
    if gap >= _MIN_CONTRAST:
        return gap >= 4.0 * spread
    return gap >= max(FAINTEST_INK, FAINT_SEPARATION * spread)


def _paper_level(signal: np.ndarray) -> float:
    """The paper of a small scan, where ink may fill most of the picture: one level, the median
    of Otsu's darker class (in `signal`, where ink is bright)."""
    levels = np.clip(signal, 0, 255).astype(np.uint8)
    hist = _histogram(levels)
    return _paper_statistics(hist, otsu_threshold(hist))[0]


def _paper_statistics(hist: np.ndarray, otsu: float) -> tuple[float, float]:
    """Median and robust spread of the levels below Otsu's threshold `otsu`: the paper's."""
    paper = hist.copy()
    paper[int(otsu) + 1 :] = 0
    median = _quantile(paper, 0.5)
    return median, 1.4826 * _mad(paper, median)


def _histogram(values: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    """Counts of each grey level 0-255, of the pixels `where` is True if given (OpenCV's:
    8 us for 28,000 pixels, Pillow's 15 us, np.bincount's 31 us)."""
    levels = np.ascontiguousarray(values, dtype=np.uint8)
    mask = None if where is None else np.ascontiguousarray(where).view(np.uint8)
    return cv2.calcHist([levels], [0], mask, [256], [0, 256]).ravel().astype(np.int64)


_LEVELS = np.arange(256)


def _quantile(hist: np.ndarray, q: float) -> float:
    """The grey level below which a share q of the histogram's values lie."""
    cdf = np.cumsum(hist)
    return float(np.searchsorted(cdf, q * cdf[-1], side="left")) if cdf[-1] else 0.0


def _extremes(hist: np.ndarray) -> tuple[float, float]:
    """The darkest and lightest grey levels, ignoring the few most extreme pixels (a sparse
    thin digit may cover only 0.1% of the image, so these are counts, not percentiles)."""
    cdf = np.cumsum(hist)
    count = max(_EXTREME_PIXELS, round(0.0005 * float(cdf[-1])))
    count = min(count, max(1, int(cdf[-1]) // 2))
    darkest = np.searchsorted(cdf, count, side="left")
    lightest = np.searchsorted(cdf, cdf[-1] - count, side="right")
    return float(darkest), float(lightest)


def _mad(hist: np.ndarray, centre: float) -> float:
    """Median absolute deviation from `centre` (a grey level), from a histogram of grey levels."""
    distance = np.abs(_LEVELS - round(centre))
    cdf = np.cumsum(np.bincount(distance, weights=hist, minlength=256))
    return float(np.searchsorted(cdf, 0.5 * cdf[-1])) if cdf[-1] else 0.0


def _background(image: Image.Image, inverted: bool, blocks: int = 10) -> np.ndarray:
    """A smooth low envelope of the (inverted) image: the background under uneven lighting.

    The image is cut in blocks (about `blocks` along its longest side, at least 8 px, and at
    least WIDE_STROKE_BLOCK times as wide as the strokes, down to FEWEST_BLOCKS) and
    box-averaged to 4x4 cells per block; each block gives its 25th percentile. An opening of
    that grid (the minimum, then the maximum, over 3x3 blocks) removes what is narrower than
    three blocks, the ink, and keeps gradients; it is upsampled back bilinearly.
    """
    w, h = image.size
    step = max(8.0, max(h, w) / blocks)
    cells = _cells(image, inverted, step)
    wide = WIDE_STROKE_BLOCK * _stroke_width_in_cells(cells) * step / _CELLS
    fewest = max(h, w) / FEWEST_BLOCKS
    if wide > step and fewest > step:
        step = min(wide, fewest)  # blocks wider than thick strokes, or an opening keeps them
        cells = _cells(image, inverted, step)
    gh, gw = cells.shape[0] // _CELLS, cells.shape[1] // _CELLS
    grid = cells.reshape(gh, _CELLS, gw, _CELLS).transpose(0, 2, 1, 3).reshape(gh, gw, -1)
    k = _CELLS * _CELLS // 4
    low = _opened3(np.ascontiguousarray(np.partition(grid, k, axis=-1)[..., k]))
    return _upsample(low, h, w)


_CELLS = 4


def _cells(image: Image.Image, inverted: bool, step: float) -> np.ndarray:
    """The image box-averaged to _CELLS x _CELLS cells per block of `step` px, ink bright."""
    w, h = image.size
    gh, gw = max(1, round(h / step)), max(1, round(w / step))
    small = np.asarray(image.resize((gw * _CELLS, gh * _CELLS), Image.Resampling.BOX))
    return (255.0 - small if inverted else small).astype(np.float32)


def _stroke_width_in_cells(cells: np.ndarray) -> float:
    """How wide the strokes that stand out of `cells` are, in cells (area over half the
    outline of what lies above Otsu's threshold); 0 where nothing does."""
    levels = cells.astype(np.uint8)  # box averages of 0-255, whole levels apart
    mask = cv2.threshold(levels, 0, 1, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1].view(bool)
    edges = np.count_nonzero(mask[1:] != mask[:-1]) + np.count_nonzero(mask[:, 1:] != mask[:, :-1])
    return 2.0 * np.count_nonzero(mask) / edges if edges else 0.0


def _upsample(grid: np.ndarray, h: int, w: int) -> np.ndarray:
    """Bilinear interpolation from cell centres to pixel centres (as PIL's BILINEAR does)."""
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_LINEAR)


def _opened3(grid: np.ndarray) -> np.ndarray:
    """The minimum over each cell's 3x3 neighbourhood, then the maximum (edges repeated)."""
    square = _square(1)
    low = cv2.erode(grid, square, borderType=cv2.BORDER_REPLICATE)
    return cv2.dilate(low, square, borderType=cv2.BORDER_REPLICATE)


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Square dilation of a boolean mask, nothing beyond its edges."""
    return cv2.dilate(np.ascontiguousarray(mask).view(np.uint8), _square(radius)).view(bool)


@functools.lru_cache(maxsize=16)
def _square(radius: int) -> np.ndarray:
    return np.ones((2 * radius + 1, 2 * radius + 1), dtype=np.uint8)


def otsu_threshold(hist: np.ndarray) -> float:
    """Otsu's threshold for a histogram of 256 grey levels: the best split into two classes
    (a few lines of NumPy on a histogram we already have; OpenCV's takes the pixels). Also
    `segment`'s."""
    hist = hist.astype(np.float64)
    weight = np.cumsum(hist)
    mass = np.cumsum(hist * _LEVELS)
    total, total_mass = weight[-1], mass[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_low = mass / weight
        mean_high = (total_mass - mass) / (total - weight)
        between = weight * (total - weight) * (mean_low - mean_high) ** 2
    between = between[:-1]
    between[np.isnan(between)] = -1.0  # an empty class: 0 / 0 (never x / 0: no mass without weight)
    return float(np.argmax(between)) + 0.5


def _digit_components(
    mask: np.ndarray, *, on_paper: bool = True
) -> tuple[np.ndarray, Box, int] | None:
    """The 8-connected pieces of `mask` that make up the digit, as a mask, with their
    bounding box, and how many separate digit-sized groups they form (`_groups`); None if
    no piece does.

    Keeps the largest piece, then, largest first, each piece that is big (>= 30% of the
    largest) or not tiny (>= 2%) and near the pieces kept so far; isolated specks are dropped,
    and so are a box drawn around the digit and the parts of its neighbours in a row
    (`digitcli.imaging.clutter`), and, `on_paper` (not a small scan, which its digit may fill),
    the lines and edges that cross the picture (`clutter.crossing_pieces`).
    """
    window = _bounds(mask)
    if window is None:
        return None
    count, labels, stats = _components(mask[window])  # in the ink's box: 3x faster
    x0, y0 = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    x1 = x0 + stats[:, cv2.CC_STAT_WIDTH] - 1  # inclusive
    y1 = y0 + stats[:, cv2.CC_STAT_HEIGHT] - 1
    area = stats[:, cv2.CC_STAT_AREA]
    order = np.argsort(-area, kind="stable")
    if on_paper:
        boxes = (x0 + window[1].start, y0 + window[0].start, x1 + window[1].start,
                 y1 + window[0].start)  # fmt: skip
        order = order[~clutter.crossing_pieces(labels, boxes, mask.shape)[order]]
        if order.size == 0:
            return None
    if count > 1:  # 985 of the 1,000 photo files' digits are one piece
        order = order[~clutter.box_pieces(labels, (x0, y0, x1, y1), area)[order]]
        fills_height = window[0].start == 0 and window[0].stop == mask.shape[0]
        if not fills_height:  # a digit stretched to fill its box has no neighbours
            left = window[1].start
            neighbours = clutter.neighbour_pieces(x0 + left, x1 + left, y1 - y0 + 1, mask.shape)
            order = order[~neighbours[order]]
    main = order[0]
    largest = area[main]
    keep = np.zeros(count, dtype=bool)
    keep[main] = True
    box = [y0[main], x0[main], y1[main], x1[main]]
    candidates = [int(c) for c in order[1:] if area[c] >= 0.02 * largest]
    changed = True
    while changed:
        changed = False
        reach = 0.5 * max(box[2] - box[0] + 1, box[3] - box[1] + 1)
        for c in candidates:
            if keep[c]:
                continue
            gap = max(y0[c] - box[2], box[0] - y1[c], x0[c] - box[3], box[1] - x1[c], 0)
            if area[c] >= 0.3 * largest or gap <= reach:
                keep[c] = changed = True
                box = [
                    min(box[0], y0[c]),
                    min(box[1], x0[c]),
                    max(box[2], y1[c]),
                    max(box[3], x1[c]),
                ]
    h, w = mask.shape
    size = max(box[2] - box[0], box[3] - box[1]) + 1
    if size < max(2, 0.03 * max(h, w)) or (on_paper and size < SMALLEST_ON_PAPER * min(h, w)):
        return None  # a speck, not a digit
    groups = _groups(np.stack([y0, x0, y1, x1], axis=1)[keep], area[keep])
    ink_box = _shifted((slice(box[0], box[2] + 1), slice(box[1], box[3] + 1)), window)
    if keep.all():
        return mask, ink_box, groups
    kept = np.zeros_like(mask)
    kept[window] = np.concatenate([[False], keep])[labels]
    return kept, ink_box, groups


def _groups(boxes: np.ndarray, area: np.ndarray) -> int:
    """How many digits stand side by side, apart: pieces (boxes y0, x0, y1, x1 inclusive) of
    at least 15% of the largest's ink are grouped unless a gap of 0.3 of a digit's height
    parts them;
    groups at least half as tall as the tallest, on one line, with clear gaps, are digits.
    One digit in pieces (a 5's flag, a 4's two strokes) stays one group."""
    big = boxes[area >= 0.15 * area.max()]
    if len(big) < 2:
        return 1
    tall = float((big[:, 2] - big[:, 0]).max() + 1)
    groups: list[list[float]] = []  # [x0, x1, y0, y1]
    for y0, x0, y1, x1 in big[np.argsort(big[:, 1], kind="stable")]:
        if groups and x0 - groups[-1][1] < 0.3 * tall:
            last = groups[-1]
            last[1], last[2], last[3] = max(last[1], x1), min(last[2], y0), max(last[3], y1)
        else:
            groups.append([x0, x1, y0, y1])
    digits = [g for g in groups if g[3] - g[2] + 1 >= 0.5 * tall]
    if len(digits) < 2:
        return _side_by_side(big, tall)
    centres = [(g[2] + g[3]) / 2 for g in digits]
    return len(digits) if max(centres) - min(centres) < 0.5 * tall else 1


def _side_by_side(big: np.ndarray, tall: float) -> int:
    """How many digits written close together (gaps under 0.3 of their height) stand side by
    side: pieces at least half as tall as the tallest, their columns apart (overlapping by
    less than 0.15 of its height, a slant), on one line, spanning together more than
    SEVERAL_WIDE of its height (no one digit is that wide: a 0 broken in two halves is not
    several digits); 1 otherwise. Pieces: `_groups`' `big`."""
    upright = big[big[:, 2] - big[:, 0] + 1 >= 0.5 * tall]
    columns: list[list[float]] = []  # [x0, x1, y0, y1]
    for y0, x0, y1, x1 in upright[np.argsort(upright[:, 1], kind="stable")]:
        if columns and x0 < columns[-1][1] - 0.15 * tall:
            last = columns[-1]
            last[1], last[2], last[3] = max(last[1], x1), min(last[2], y0), max(last[3], y1)
        else:
            columns.append([x0, x1, y0, y1])
    if len(columns) < 2 or columns[-1][1] - columns[0][0] + 1 < SEVERAL_WIDE * tall:
        return 1
    centres = [(c[2] + c[3]) / 2 for c in columns]
    return len(columns) if max(centres) - min(centres) < 0.5 * tall else 1


def _components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """The 8-connected pieces of `mask`: how many, a label image (0 outside them, piece i at
    i + 1, numbered in the order their first pixels come in rows) and each piece's
    (left, top, width, height, area). OpenCV's labelling (Wu's algorithm: the same labels as
    scipy.ndimage.label, which takes 150 ms to import) replaced NumPy runs with pointer
    jumping; with the ink's box (see _digit_components), finding the digit's pieces went from
    183 to 58 us an image on the 300-px photo files."""
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        np.ascontiguousarray(mask).view(np.uint8), 8, cv2.CV_32S, cv2.CCL_WU
    )
    return count - 1, labels, stats[1:]


def _connected_to(seeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """`seeds` and the 8-connected pieces of `mask` that hold a pixel of them."""
    count, labels = cv2.connectedComponentsWithAlgorithm(
        mask.view(np.uint8), 8, cv2.CV_32S, cv2.CCL_WU
    )
    chosen = np.zeros(count, dtype=bool)
    chosen[labels[seeds]] = True
    chosen[0] = False
    return chosen[labels] | seeds


def _ink_box(ink: np.ndarray) -> tuple[int, int, int, int]:
    """Top, bottom, left, right (exclusive) of what rounds to a visible grey level."""
    rows, cols = _bounds(ink >= 0.5)
    return rows.start, rows.stop, cols.start, cols.stop


def _stroke_width(ink: np.ndarray) -> float | None:
    """The strokes' width in pixels: the ink's area over half its outline (None: no outline)."""
    core = ink >= 128
    edges = np.count_nonzero(core[1:] != core[:-1]) + np.count_nonzero(core[:, 1:] != core[:, :-1])
    return 2.0 * float(ink.sum()) / 255.0 / edges if edges else None


def _thinned_thick_strokes(pixels: np.ndarray) -> np.ndarray:
    """A prepared digit whose strokes are wider than THICK_STROKE with a pixel taken off each
    side of them (a 3x3 minimum). Measured with the default `mlp` (seeds 0 and 1) on the
    development set of bench/robustness.py: uci 93.7 -> 95.1% and 92.8 -> 94.2%, uci-rest
    94.4 -> 95.4% and 93.5 -> 94.6%, rescan 91.8 -> 90.6% and 91.1 -> 90.4%; the bundled model
    within 0.3 points either way."""
    width = _stroke_width(pixels)
    if width is None or width <= THICK_STROKE:
        return pixels
    return cv2.erode(pixels, _square(1))


def _thicken_thin_strokes(ink: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Widen strokes that would shrink to a hairline in the 20x20 box (a drawing app's thin
    brush on a big canvas) to MNIST's usual width; leaves every MNIST-like stroke alone.
    `box`: _ink_box(ink)."""
    width = _stroke_width(ink)
    if width is None:
        return ink
    top, bottom, left, right = box
    scale = BOX_SIZE / max(bottom - top, right - left)
    if width * scale >= THIN_STROKE:
        return ink
    radius = round((TYPICAL_STROKE / scale - width) / 2)
    if radius < 1:
        return ink
    padded = np.pad(ink, radius)  # room for strokes at the crop's edge to widen into
    return _square_max(padded, radius)


def _square_max(values: np.ndarray, radius: int) -> np.ndarray:
    """The maximum over each pixel's (2 radius + 1)-wide square of non-negative `values`
    (nothing beyond the edges)."""
    return cv2.dilate(np.ascontiguousarray(values, dtype=np.float32), _square(radius))


def fit_and_centre(ink: np.ndarray) -> np.ndarray:
    """Crop to the ink, fit in BOX_SIZE x BOX_SIZE keeping the aspect ratio, centre by mass."""
    box = _ink_box(ink)
    thickened = _thicken_thin_strokes(ink, box)
    if thickened is not ink:
        ink, box = thickened, _ink_box(thickened)
    top, bottom, left, right = box
    crop = ink[top:bottom, left:right]
    h, w = crop.shape
    scale = BOX_SIZE / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size != (w, h):
        resample = Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC
        crop = np.asarray(
            Image.fromarray(crop.astype(np.float32), "F").resize(size, resample), dtype=np.float32
        )
        crop = np.clip(crop, 0.0, 255.0)
    patch = np.floor(crop + 0.5).astype(np.uint8)
    mass = patch.astype(np.float64)
    total = mass.sum()
    ph, pw = patch.shape
    if total > 0:
        cy = float((mass.sum(axis=1) * np.arange(ph)).sum() / total)
        cx = float((mass.sum(axis=0) * np.arange(pw)).sum() / total)
    else:
        cy, cx = (ph - 1) / 2, (pw - 1) / 2
    top = min(max(round(CENTRE - cy), 0), IMAGE_SIZE - ph)
    left = min(max(round(CENTRE - cx), 0), IMAGE_SIZE - pw)
    out = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    out[top : top + ph, left : left + pw] = patch
    return out
