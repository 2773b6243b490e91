"""8-bit grey, RGB and RGBA PNG files, and 16-bit grey ones, decoded by libspng (pyspng) and
ISA-L rather than Pillow.

Pillow decodes a PNG's rows through Python-level chunk reads and into its own 4-byte pixels;
libspng decodes the same zlib stream into a NumPy array. On the predict benchmark's photo
files at 450 px (one process, decoding alone): RGB 2.84 -> 1.92 ms a file, RGBA 1.45 -> 1.18,
grey 1.17 -> 1.11; 16-bit grey gained nothing by itself, and palette files, which lost
(0.58 -> 0.64), stay with Pillow.

Inflating the zlib stream was half of libspng's time on such files, and libspng inflates with
zlib 1.2.11. Where ISA-L (the `isal` package) is installed, its inflate does it instead, 2.8x
as fast on these files (RGB 1.08 -> 0.39 ms, RGBA 1.12 -> 0.23, grey 0.43 -> 0.16), and
libspng gets the same rows re-wrapped in stored (uncompressed) deflate blocks, which it copies,
to undo the rows' filters (`_restored`): the same pixels, bit for bit. Decoding alone, Pillow
against now: RGB 2.90 -> 1.48 ms, RGBA 1.49 -> 0.66, grey 1.21 -> 0.82, 16-bit grey 1.80 ->
1.56 (which is why it comes here too). Undoing the filters is now most of what is left.

Pillow still opens every file (its header and the chunks before the pixels) and decodes
everything this module declines: other bit depths and modes, transparency keys, animations,
files with EXIF or XMP (an orientation) anywhere, in a chunk of its own or a text chunk, and
any file libspng cannot decode, so that a damaged file gets Pillow's error, as before.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

# Pillow's mode -> the file's bit depth, bytes a pixel in its rows, pyspng's output format
# (its own names; 16-bit grey comes out with an opaque alpha, which is dropped)
_DECODED = {"L": (8, 1, "L"), "RGB": (8, 3, "RGB"), "RGBA": (8, 4, "RGBA"), "I;16": (16, 2, None)}
_PILLOW_ONLY = (b"eXIf", b"acTL")  # EXIF (an orientation), an animation
_TEXT = (b"tEXt", b"zTXt", b"iTXt")
# The keywords of text chunks that may hold an orientation: XMP, and EXIF as ImageMagick and
# exiftool store it (hexadecimal; Pillow reads both)
_ORIENTING_TEXT = (b"XML:com.adobe.xmp", b"Raw profile type exif")
_BIT_DEPTH = 24  # offset of IHDR's bit depth: signature 8, chunk length 4, type 4, size 8
_INTERLACE = 28  # offset of IHDR's interlace method (0: none)
# Larger pictures are inflated by libspng itself: re-wrapping holds the rows twice more.
MAX_RESTORED_BYTES = 16 * 2**20
_STORED_BLOCK = 65535  # the most bytes one stored deflate block holds
_ZLIB_HEADER = b"\x78\x01"  # deflate, 32 KiB window, no dictionary (a multiple of 31)
_IEND = b"\0\0\0\0IEND\xae\x42\x60\x82"


def decoded(im: Image.Image, fp: str | io.BytesIO) -> np.ndarray | None:
    """The pixels of the PNG file Pillow opened as `im` (from `fp`, not yet loaded) as an
    array (h x w of uint8 or uint16, or h x w x 3 or 4 of uint8), or None where Pillow should
    decode it."""
    if im.format != "PNG" or im.mode not in _DECODED or "transparency" in im.info:
        return None
    depth, _, output = _DECODED[im.mode]
    try:
        import pyspng
    except ImportError:  # an optional speed-up: Pillow reads every PNG
        return None
    data = fp.getvalue() if isinstance(fp, io.BytesIO) else _file_bytes(im)
    if data is None or len(data) <= _INTERLACE or data[_BIT_DEPTH] != depth:
        return None
    layout = _layout(data)
    if layout is None:
        return None
    try:
        pixels = pyspng.load(_restored(data, layout, im) or data, output)
    except Exception:  # damaged: Pillow decodes it and says what is wrong
        return None
    return np.ascontiguousarray(pixels[..., 0]) if output is None else pixels


def _file_bytes(im: Image.Image) -> bytes | None:
    file = getattr(im, "fp", None)
    if file is None:
        return None
    file.seek(0)
    return file.read()


def _layout(data: bytes) -> tuple[int, list[memoryview]] | None:
    """Where the first IDAT chunk starts and every IDAT chunk's data, walking the chunks'
    headers (a few for a photo; searching all the bytes for names cost 0.07 ms a file); None
    where a chunk asks for Pillow."""
    view, at, first, pixels = memoryview(data), 8, 0, []
    while at + 8 <= len(data):
        length, kind = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        if kind in _PILLOW_ONLY or (kind in _TEXT and data.startswith(_ORIENTING_TEXT, at + 8)):
            return None
        if kind == b"IDAT":
            first = first or at
            pixels.append(view[at + 8 : at + 8 + length])
        at += length + 12  # length, type, data, CRC
    return first, pixels


def _restored(data: bytes, layout: tuple[int, list[memoryview]], im: Image.Image) -> bytes | None:
    """The PNG `data` with its pixels inflated by ISA-L and stored uncompressed, or None
    (no `isal`, an interlaced or large picture, or a stream that does not inflate to the
    header's size: libspng then reads `data` itself)."""
    first, pixels = layout
    width, height = im.size
    size = height * (1 + width * _DECODED[im.mode][1])  # each row: its filter's byte, pixels
    if not first or data[_INTERLACE] != 0 or size > MAX_RESTORED_BYTES:
        return None
    try:
        from isal import isal_zlib
    except ImportError:
        return None
    try:
        inflater = isal_zlib.decompressobj()
        rows = inflater.decompress(b"".join(pixels), size + 1)
    except isal_zlib.error:
        return None
    if len(rows) != size or not inflater.eof:  # short, long, or cut before its checksum
        return None
    stream = [_ZLIB_HEADER]
    view = memoryview(rows)
    for start in range(0, size, _STORED_BLOCK):
        block = view[start : start + _STORED_BLOCK]
        final = start + _STORED_BLOCK >= size
        stream += (bytes((final,)) + _block_length(len(block)), block)
    stream.append(isal_zlib.adler32(rows).to_bytes(4, "big"))
    length = sum(len(part) for part in stream)
    crc = isal_zlib.crc32(b"IDAT")  # ISA-L's: 4x zlib's on these
    for part in stream:
        crc = isal_zlib.crc32(part, crc)
    chunk = [length.to_bytes(4, "big"), b"IDAT", *stream, crc.to_bytes(4, "big")]
    return b"".join([data[:first], *chunk, _IEND])


def _block_length(length: int) -> bytes:
    """A stored block's LEN and NLEN (its one's complement), little-endian."""
    return length.to_bytes(2, "little") + (length ^ 0xFFFF).to_bytes(2, "little")
