"""Image files to pixels within two limits: what is read, and what decoding would hold.

Every input, a file, a named pipe, a device or stdin, is read up to `MAX_INPUT_BYTES` and no
further, without blocking on a pipe nobody writes to. Pillow then reads the header only (size,
mode, orientation), and an image whose decoding would hold more than `MAX_DECODED_BYTES` is
refused before a pixel is decoded (a 466 KB PNG can claim 10,950 x 10,950 RGBA: 480 MB; a
194 KB one 1 x 100,000,000 grey pixels, whose row pointers alone hold 800 MB).

OpenCV decodes JPEG (at 1/2, 1/4 or 1/8 scale when that is still large enough; in colour where
the file is, for its colours, `colours`), PNG, BMP and PNM files; Pillow decodes what OpenCV
does not read as we need (GIF, TIFF, WebP, ICO, transparent-colour PNGs, 16-bit colour with
alpha), palette files (faster than OpenCV) and any file OpenCV fails on, so that a damaged file
gets Pillow's reason. Orientation (EXIF or XMP) is Pillow's reading of the header.
"""

from __future__ import annotations

import errno
import math
import os
import select
import stat
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from digitcli.core.errors import ImageError
from digitcli.core.quiet import native_stderr_silenced

MAX_INPUT_BYTES = 64 * 2**20  # read from any one input: far above any photo file
MAX_DECODED_BYTES = 128 * 2**20  # held while decoding one image: a 120-MP grey scan passes
ROW_BYTES = 16  # held a row of the image, however narrow: the decoder's and a working copy's
# pointer to it (a 1 x 100,000,000 PNG holds 800 MB of them, a hundred times its pixels)
LIBPNG_MAX_SIDE = 1_000_000  # libpng's user limit in OpenCV's build: Pillow decodes the rest
PIPE_TIMEOUT = 10.0  # seconds a pipe or device may stay silent before it is given up
_CHUNK = 2**20
# Fixed by the formats and decoders, not tuned: bytes a pixel of RGB costs decoded (the
# decoder's rows, BGR and its grey), a PNG's 8-bit depth and where its header says its depth
# (signature 8, length 4, type 4, width 4, height 4), and OpenCV's colour channels (BGR, BGRA).
RGB_PIXEL_BYTES = 5
PNG_8_BIT = 8
PNG_DEPTH_AT = 24
COLOUR_CHANNELS = (3, 4)

# cv2's warnings about damaged files go to stderr; the user gets one ImageError instead.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

_CV2_FORMATS = frozenset({"JPEG", "MPO", "PNG", "BMP", "PPM"})
_CV2_GREY_MODES = frozenset({"1", "L", "RGB", "CMYK", "YCbCr"})
_GREY = cv2.IMREAD_GRAYSCALE | cv2.IMREAD_IGNORE_ORIENTATION
# libjpeg's reductions while decoding: OpenCV's flags for each, in grey and in colour
_REDUCED = {2: (cv2.IMREAD_REDUCED_GRAYSCALE_2, cv2.IMREAD_REDUCED_COLOR_2),
            4: (cv2.IMREAD_REDUCED_GRAYSCALE_4, cv2.IMREAD_REDUCED_COLOR_4),
            8: (cv2.IMREAD_REDUCED_GRAYSCALE_8, cv2.IMREAD_REDUCED_COLOR_8)}  # fmt: skip
_JPEG_COLOUR = frozenset({"RGB", "YCbCr"})
_HIGH_BIT = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
_ALPHA = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})


@dataclass(frozen=True)
class Plan:
    """How one image is decoded: OpenCV's `flags` (None: by Pillow) and `cost`, the bytes that
    decoding and turning it grey hold at once (about)."""

    flags: int | None
    cost: int


def read_input(path: str, label: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the file, pipe or device at `path`, at most `limit` of them. Raises
    ImageError ("<label>: <problem>") for a missing, unreadable or empty input, a folder, one
    over the limit, and a pipe silent for PIPE_TIMEOUT seconds. A named pipe is opened without
    waiting for a writer: one nobody writes to is empty, not a hang."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ImageError(f"{label}: no such file") from None
    except PermissionError:
        raise ImageError(f"{label}: permission denied") from None
    except OSError as error:
        raise ImageError(f"{label}: cannot read ({error.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ImageError(f"{label}: is a directory, not an image")
        regular = stat.S_ISREG(info.st_mode)
        if regular and info.st_size > limit:
            raise ImageError(f"{label}: {_over(limit)}")
        data = _read_bounded(fd, label, limit, regular)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ImageError(f"{label}: {_over(limit)}")
    if not data:
        kind = "file" if regular else "input (a pipe or device that gave no bytes)"
        raise ImageError(f"{label}: empty {kind}")
    return data


def _over(limit: int) -> str:
    return f"more than {limit / 2**20:g} MB: not one image (the limit of any input)"


def _read_bounded(fd: int, label: str, limit: int, regular: bool) -> bytes:
    parts, size = [], 0
    while size <= limit:
        try:
            part = os.read(fd, min(_CHUNK, limit + 1 - size))
        except BlockingIOError:  # a pipe whose writer has not written yet
            if regular or not select.select([fd], [], [], PIPE_TIMEOUT)[0]:
                raise ImageError(f"{label}: nothing arrived in {PIPE_TIMEOUT:g} s") from None
            continue
        except OSError as error:
            if error.errno == errno.EISDIR:
                raise ImageError(f"{label}: is a directory, not an image") from None
            raise ImageError(f"{label}: cannot read ({error.strerror})") from None
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def plan(im: Image.Image, data: bytes, max_side: int) -> Plan:
    """How to decode the image Pillow opened (lazily, header only) from `data`. Each cost
    counts the decoded pixels, the full-size working copies made of them and ROW_BYTES a row."""
    width, height = im.size
    pixels = width * height
    rows = ROW_BYTES * height
    # Palette files: Pillow's decoding is faster.
    if _opencv_decodes(im):
        if im.format in ("JPEG", "MPO") and im.mode in _CV2_GREY_MODES:
            scale = _jpeg_scale(width, height, max_side)
            reduced = math.ceil(width / scale) * math.ceil(height / scale)
            grey, colour = _REDUCED.get(scale, (0, cv2.IMREAD_COLOR))
            if im.mode in _JPEG_COLOUR:  # in colour, its colours measured (`colours`), then grey
                colour |= cv2.IMREAD_IGNORE_ORIENTATION
                return Plan(colour, RGB_PIXEL_BYTES * reduced + rows // scale)
            per_pixel = 4 if im.mode == "CMYK" else 1  # libjpeg decodes a row at a time
            return Plan(grey | _GREY, reduced * per_pixel + rows // scale)
        if im.mode == "RGB" and _fits(RGB_PIXEL_BYTES * pixels + rows):
            # colour, then grey: faster than libpng's own conversion, but more memory:
            # the decoder's rows, BGR and its grey
            return Plan(
                cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION, RGB_PIXEL_BYTES * pixels + rows
            )
        # libpng's grey and OpenCV's copy of it; Pillow, holding one, decodes a large PNG
        if im.mode in _CV2_GREY_MODES and (im.format != "PNG" or _fits(2 * pixels + rows)):
            return Plan(_GREY, 2 * pixels + rows)
        if im.format == "PNG" and im.mode == "I;16":
            return Plan(_GREY | cv2.IMREAD_ANYDEPTH, 2 * pixels + rows)
        if im.format == "PNG" and im.mode in ("LA", "RGBA") and _png_depth(data) == PNG_8_BIT:
            return Plan(cv2.IMREAD_UNCHANGED, 7 * pixels + rows)  # BGRA, luma, alpha, product
    return Plan(None, pillow_cost(im))


def _fits(cost: int) -> bool:
    return cost <= MAX_DECODED_BYTES


def _opencv_decodes(im: Image.Image) -> bool:
    """Whether OpenCV decodes the file: not a palette or transparent-colour file, and not a
    PNG longer than libpng allows (it would print its own error on stderr, then fail)."""
    if im.format not in _CV2_FORMATS or im.mode == "P" or "transparency" in im.info:
        return False
    return im.format != "PNG" or max(im.size) <= LIBPNG_MAX_SIDE


def pillow_cost(im: Image.Image) -> int:
    """Bytes Pillow holds decoding `im` and turning it grey: its own storage (1, 2 or 4 bytes
    a pixel), and the grey, float or alpha copies `images` makes of it at full size."""
    mode = im.mode
    stored = 1 if mode in ("1", "L", "P") else 2 if mode.startswith("I;16") else 4
    if mode in _HIGH_BIT:
        extra = 4
    elif mode in _ALPHA or "transparency" in im.info:
        extra = 8
    else:
        extra = 0 if mode == "L" else 1
    return im.size[0] * im.size[1] * (stored + extra) + ROW_BYTES * im.size[1]


def _jpeg_scale(width: int, height: int, max_side: int) -> int:
    """The largest reduction libjpeg does while decoding that keeps max_side (Image.draft's)."""
    for scale in (8, 4, 2):
        if max(width, height) / scale >= max_side:
            return scale
    return 1


def _png_depth(data: bytes) -> int:
    return data[PNG_DEPTH_AT] if len(data) > PNG_DEPTH_AT else 0  # IHDR's bit depth


def decode(data: bytes, how: Plan) -> np.ndarray | None:
    """OpenCV's pixels of `data` as `how` says: grey (h x w, uint8 or uint16), BGR or BGRA
    (h x w x 3 or 4); None where OpenCV cannot decode it (Pillow then says why)."""
    if how.flags is None:
        return None
    try:
        with native_stderr_silenced():  # libpng's warnings ("iCCP: too short") go to fd 2
            pixels = cv2.imdecode(np.frombuffer(data, np.uint8), how.flags)
    except cv2.error:
        return None
    if pixels is None or pixels.size == 0:
        return None
    if pixels.ndim > 2 and pixels.shape[2] not in COLOUR_CHANNELS:
        return None
    return pixels


def decoded_bytes(data: bytes, max_side: int = 1024) -> int:
    """About how many bytes decoding `data` to at most `max_side` a side would hold (0 for
    what is not an image: decoding says what is wrong). `serve` bounds a request's total."""
    import io

    try:
        with Image.open(io.BytesIO(data)) as im:
            return plan(im, data, max_side).cost
    except Exception:  # not an image, a damaged header: its own error comes when it is decoded
        return 0
