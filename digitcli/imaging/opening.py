"""Image files (or raw bytes) -> a small upright grayscale image: `open_image`.

The hand-off between the bounded reading and decoding of `digitcli.imaging.decoding` and the
grey conversion of `digitcli.imaging.grayscale`: the pixel and memory limits checked on the
header, OpenCV's pixels or Pillow's decoding, the EXIF or XMP orientation undone on the small
image, and every failure turned into one ImageError line. JPEGs are decoded at reduced scale.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

from digitcli.core.errors import ImageError, first_line
from digitcli.imaging import colours
from digitcli.imaging.decoding import (
    MAX_DECODED_BYTES,
    Plan,
    decode,
    pillow_cost,
    plan,
    read_input,
)
from digitcli.imaging.grayscale import COLOUR, array_to_gray, to_gray, working_side

MAX_PIXELS = 120_000_000  # a header claiming more is refused unread; a 100-megapixel photo passes
STDIN_NAME = "<stdin>"
_T = TypeVar("_T")

_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_SIDES = frozenset(  # a quarter turn, maybe mirrored
    {Image.Transpose.TRANSPOSE, Image.Transpose.ROTATE_270}
    | {Image.Transpose.TRANSVERSE, Image.Transpose.ROTATE_90}
)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"  # what Pillow's PNG plugin accepts
_JPEG_START = b"\xff\xd8\xff"  # what its JPEG plugin accepts
_XMP_KEYS = ("xmp", "XML:com.adobe.xmp", "Raw profile type exif")  # Pillow's info keys


def open_image(
    source: str | Path | bytes, *, name: str | None = None, max_side: int | None = None
) -> Image.Image:
    """Read a file (or raw bytes) into a small 8-bit grayscale ("L") image, upright.

    The result is at most `max_side` pixels a side (`read` keeps more than one digit needs;
    None: `predict`'s, `grayscale.working_side`); `image.info["source_size"]` is the upright
    file's own (width, height). Raises ImageError with one line, "<name>: <problem>", for
    anything that is not a readable image, and for inputs past the limits of
    `digitcli.imaging.decoding` (bytes read, bytes decoding would hold).
    """
    return Picture(source, name=name).at(max_side)


class Picture:
    """One file's (or raw bytes') picture, read once and decoded once for every size asked of
    it (`at`): `predict` looks at its size, a closer look and `read` at larger ones, and `read`
    asks `predict`'s verdict at `predict`'s. One decoding serves every size it can, bit for bit
    as `open_image` gives each: a PNG's (decoded whole for any size) serves them all; a JPEG is
    decoded at a reduced scale (`decoding.plan`), once for each scale asked. Its bytes and
    decodings are held as long as it is: one picture's look at a time."""

    def __init__(self, source: str | Path | bytes, *, name: str | None = None) -> None:
        self.label, self.data = _labelled(source, name)
        self._decoded: dict[Plan, np.ndarray | None] = {}  # OpenCV's pixels, by plan
        self._sized: dict[int | None, Image.Image] = {}

    def at(self, max_side: int | None = None) -> Image.Image:
        """The picture as `open_image` gives it at `max_side` (None: `predict`'s); raises its
        ImageError. The image given is shared by every caller asking the same size: not to be
        changed."""
        if max_side not in self._sized:
            read = partial(_read, self.data, self.label, max_side, self._decoded)
            self._sized[max_side] = _opening(read, self.label)
        return self._sized[max_side]


def _labelled(source: str | Path | bytes, name: str | None) -> tuple[str, bytes]:
    """The one-line name errors give `source` by, and its bytes (a file's read, bounded)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = _one_line(name or STDIN_NAME)
        if len(source) == 0:
            raise ImageError(f"{label}: empty input")
        return label, bytes(source)
    label = _one_line(name or str(source))
    return label, read_input(os.fspath(source), label)


def _opening(read: Callable[[], _T], label: str) -> _T:
    """`read()`, every failure of Pillow's turned into one ImageError line."""
    try:
        return read()
    except ImageError:
        raise
    except Image.DecompressionBombError:
        raise ImageError(f"{label}: image too large (more than {MAX_PIXELS:,} pixels)") from None
    except UnidentifiedImageError:
        raise ImageError(f"{label}: not an image (or not in a format digitcli reads)") from None
    except MemoryError:
        raise ImageError(f"{label}: not enough memory to decode the image") from None
    except Exception as error:  # Pillow's decoders raise many kinds on damaged files
        reason = _reason(error)
        problem = "truncated" if "truncated" in reason.lower() else "damaged or unsupported"
        raise ImageError(f"{label}: {problem} image ({reason})") from None


def _read(
    data: bytes, label: str, max_side: int | None, decoded: dict[Plan, np.ndarray | None]
) -> Image.Image:
    """The image at `max_side` (None: `predict`'s, `working_side`), from OpenCV's pixels of
    the same plan in `decoded` where an earlier size was decoded so (else decoded, and kept
    there)."""
    with _quiet():
        im = _opened(data)
    try:
        width, height = im.size
        if width * height > MAX_PIXELS:
            raise ImageError(
                f"{label}: image too large ({width}x{height} pixels, limit {MAX_PIXELS:,})"
            )
        if width < 1 or height < 1:
            raise ImageError(f"{label}: image has no pixels ({width}x{height})")
        max_side = working_side(width, height) if max_side is None else max_side
        how = plan(im, data, max_side)
        _check_cost(how.cost, im, label)
        if how not in decoded:
            decoded[how] = decode(data, how)
        pixels = decoded[how]
        if pixels is None or (im.format == "PNG" and "exif" not in im.info and _has_xmp(im)):
            _check_cost(pillow_cost(im), im, label)  # Pillow decodes it (or reads XMP after it)
        if pixels is not None:
            gray = _opencv_gray(pixels, max_side)
        else:
            gray = _pillow_gray(im, max_side)
            if gray is im:
                gray = gray.copy()  # not the file's image, closed below
            seen = colours.of_pillow(im)  # a palette file's, a WebP's, a TIFF's ...
            if seen is not None:
                gray.info[colours.INFO] = seen
        with _quiet():
            turn = _orientation(im, loaded=pixels is None)  # OpenCV was told to ignore it
        return _upright(gray, turn, (width, height))
    finally:
        im.close()


def _opencv_gray(pixels: np.ndarray, max_side: int) -> Image.Image:
    """OpenCV's decoded pixels grey, at most `max_side` a side, with their colours measured."""
    gray = array_to_gray(pixels, max_side)
    if pixels.shape[2:] == (COLOUR,):  # grey: none; BGRA's transparency: no colours measured
        gray.info[colours.INFO] = colours.features(pixels)
    return gray


def _upright(
    image: Image.Image, turn: Image.Transpose | None, size: tuple[int, int]
) -> Image.Image:
    """`image` turned upright (`turn`), with the upright file's own size (`size`: the file's
    width and height as stored) in its info."""
    if turn is not None:
        image = image.transpose(turn)
    width, height = size
    image.info["source_size"] = (height, width) if turn in _SWAPS_SIDES else (width, height)
    return image


def _opened(data: bytes) -> Image.Image:
    """`Image.open` of `data`, a PNG or JPEG through its own plugin: `Image.open` of bytes first
    imports Pillow's five common plugins, a few ms of a cold one-image predict. What the plugin
    refuses, other formats, and pictures past Pillow's decompression-bomb size go to
    `Image.open`, which answers them as before."""
    try:
        if data.startswith(_PNG_SIGNATURE):
            from PIL import PngImagePlugin

            im = PngImagePlugin.PngImageFile(io.BytesIO(data))
        elif data.startswith(_JPEG_START):
            from PIL import JpegImagePlugin

            im = JpegImagePlugin.jpeg_factory(io.BytesIO(data))
        else:
            return Image.open(io.BytesIO(data))
    except Exception:
        return Image.open(io.BytesIO(data))
    width, height = im.size
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and max(1, width) * max(1, height) > limit:
        im.close()
        return Image.open(io.BytesIO(data))  # its own check: an error or a warning
    return im


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
    return to_gray(im, max_side)


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
        return _UPRIGHT.get(im.getexif().get(ExifTags.Base.Orientation, 1))
    except Exception:
        return None


def _has_xmp(im: Image.Image) -> bool:
    return any(key in im.info for key in _XMP_KEYS)


def _reason(error: BaseException) -> str:
    return first_line(error)[:200]


def _one_line(text: str) -> str:
    return " ".join(text.split()) if ("\n" in text or "\r" in text) else text


def cropped(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[Image.Image, int, int]:
    """The `box` (left, top, right, bottom) of an image opened by `open_image`, with its source
    size scaled to match (segmentation maps boxes back to `source_size`), and how far right
    and down the source's pixels it starts."""
    left, top, right, bottom = box
    part = image.crop(box)
    width, height = image.info.get("source_size", image.size)
    sx, sy = width / image.width, height / image.height
    part.info["source_size"] = (
        max(1, round((right - left) * sx)),
        max(1, round((bottom - top) * sy)),
    )
    return part, round(left * sx), round(top * sy)
