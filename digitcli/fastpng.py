"""8-bit grey, RGB and RGBA PNG files decoded by libspng (pyspng) rather than Pillow.

Pillow decodes a PNG's rows through Python-level chunk reads and into its own 4-byte pixels;
libspng decodes the same zlib stream into a NumPy array. On the predict benchmark's photo
files at 450 px (one process, decoding alone): RGB 2.84 -> 1.92 ms a file, RGBA 1.45 -> 1.18,
grey 1.17 -> 1.11; 16-bit and palette files gained nothing and stay with Pillow.

Pillow still opens every file (its header and the chunks before the pixels) and decodes
everything this module declines: other bit depths and modes, transparency keys, animations,
files whose EXIF or XMP (an orientation) may lie after the pixels, and any file libspng
cannot decode, so that a damaged file gets Pillow's error, as before.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

_MODES = frozenset({"L", "RGB", "RGBA"})  # Pillow's names for them are pyspng's too
_PILLOW_ONLY = (b"eXIf", b"acTL")  # EXIF (an orientation), an animation
_XMP = b"XML:com.adobe.xmp"  # the keyword of the iTXt chunk that holds XMP
_BIT_DEPTH = 24  # offset of IHDR's bit depth: signature 8, chunk length 4, type 4, size 8


def decoded(im: Image.Image, fp: str | io.BytesIO) -> np.ndarray | None:
    """The pixels of the PNG file Pillow opened as `im` (from `fp`, not yet loaded) as an
    array (h x w, or h x w x 3 or 4), or None where Pillow should decode it."""
    if im.format != "PNG" or im.mode not in _MODES or "transparency" in im.info:
        return None
    try:
        import pyspng
    except ImportError:  # an optional speed-up: Pillow reads every PNG
        return None
    data = fp.getvalue() if isinstance(fp, io.BytesIO) else _file_bytes(im)
    if data is None or len(data) <= _BIT_DEPTH or data[_BIT_DEPTH] != 8:
        return None
    if _for_pillow(data):
        return None
    try:
        return pyspng.load(data, im.mode)
    except Exception:  # damaged: Pillow decodes it and says what is wrong
        return None


def _file_bytes(im: Image.Image) -> bytes | None:
    file = getattr(im, "fp", None)
    if file is None:
        return None
    file.seek(0)
    return file.read()


def _for_pillow(data: bytes) -> bool:
    """Whether a chunk of the PNG `data` asks for Pillow: walks the chunks' headers (a few
    for a photo; searching all the bytes for the names cost 0.07 ms a file)."""
    at = 8
    while at + 8 <= len(data):
        length, kind = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        if kind in _PILLOW_ONLY or (kind == b"iTXt" and data.startswith(_XMP, at + 8)):
            return True
        at += length + 12  # length, type, data, CRC
    return False
