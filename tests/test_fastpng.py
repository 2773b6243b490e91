"""digitcli.fastpng: 8-bit PNG files decoded by libspng, everything else left to Pillow."""

from __future__ import annotations

import io
import struct
import sys
import zlib

import numpy as np
import pytest
from PIL import Image
from test_images import ORIENTATION, assert_upright_f, encode, f_shape, png_chunk

from digitcli import fastpng
from digitcli.errors import ImageError
from digitcli.images import open_image, prepare

pytest.importorskip("pyspng")


def noise(mode: str, seed: int = 0, size: tuple[int, int] = (61, 47)) -> Image.Image:
    bands = len(mode)
    values = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], bands), np.uint8)
    return Image.fromarray(values[..., 0] if bands == 1 else values, mode)


def decoded(data: bytes) -> np.ndarray | None:
    return fastpng.decoded(Image.open(io.BytesIO(data)), io.BytesIO(data))


def chunks_after_the_pixels(data: bytes, *extra: bytes) -> bytes:
    """`data` (a PNG) with `extra` chunks inserted just before IEND."""
    end = data.rindex(b"IEND") - 4
    return data[:end] + b"".join(extra) + data[end:]


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_eight_bit_pngs_decode_to_pillows_pixels(mode: str) -> None:
    data = encode(noise(mode), "PNG")
    pixels = decoded(data)
    assert pixels is not None
    np.testing.assert_array_equal(pixels, np.asarray(Image.open(io.BytesIO(data))))


def four_bit_grey() -> bytes:
    """A 4 x 4 grey PNG of 4 bits a pixel (Pillow opens it as "L", scaling 0-15 to 0-255)."""
    header = struct.pack(">IIBBBBB", 4, 4, 4, 0, 0, 0, 0)
    rows = zlib.compress(b"\0\x12\x34" * 4)  # filter 0, then four pixels in two bytes
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        png_chunk(kind, data) for kind, data in [(b"IHDR", header), (b"IDAT", rows), (b"IEND", b"")]
    )


def xmp_chunk() -> bytes:
    return png_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta/>")


@pytest.mark.parametrize(
    "data",
    [
        encode(noise("L").convert("P"), "PNG"),
        encode(noise("L").convert("1"), "PNG"),
        four_bit_grey(),
        encode(noise("L").convert("I;16"), "PNG"),
        encode(noise("LA"), "PNG"),
        encode(noise("RGB"), "PNG", transparency=(0, 0, 0)),
        encode(noise("RGB"), "PNG", save_all=True, append_images=[noise("RGB", 1)]),
        chunks_after_the_pixels(encode(noise("L"), "PNG"), png_chunk(b"eXIf", b"MM\0*")),
        chunks_after_the_pixels(encode(noise("RGB"), "PNG"), xmp_chunk()),
        encode(noise("RGB").convert("YCbCr"), "JPEG"),
    ],
    ids=["palette", "1-bit", "4-bit", "16-bit", "LA", "tRNS", "APNG", "eXIf", "XMP", "JPEG"],
)
def test_files_pillow_must_read_are_left_to_it(data: bytes) -> None:
    assert decoded(data) is None


def exif_chunk(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return png_chunk(b"eXIf", exif.tobytes()[6:])  # without the "Exif\0\0" of JPEG's APP1


def test_an_orientation_stored_after_the_pixels_is_still_undone() -> None:
    stored = f_shape(150, 200).transpose(Image.Transpose.ROTATE_90)  # shown turned clockwise
    data = chunks_after_the_pixels(encode(stored, "PNG"), exif_chunk(6))
    assert "exif" not in Image.open(io.BytesIO(data)).info  # only found after the pixels
    assert_upright_f(prepare(open_image(data)).pixels)


def test_a_damaged_png_gets_the_error_pillow_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    data = encode(noise("RGB", size=(300, 300)), "PNG")
    cut = data[: len(data) // 2]
    with pytest.raises(ImageError) as fast:
        open_image(cut, name="cut.png")
    monkeypatch.setitem(sys.modules, "pyspng", None)
    with pytest.raises(ImageError) as pillow:
        open_image(cut, name="cut.png")
    assert str(fast.value) == str(pillow.value)
    assert "truncated" in str(fast.value)


def test_a_png_whose_pixels_do_not_match_its_header_is_left_to_pillow() -> None:
    header = struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * 5 * 3)  # three rows of four grey pixels, not four
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", rows)
    assert decoded(data + png_chunk(b"IEND", b"")) is None


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_pngs_read_by_either_decoder_give_the_same_working_image(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    picture = f_shape(400, 300).convert(mode)
    if mode == "RGBA":
        picture.putalpha(Image.linear_gradient("L").resize(picture.size))
    data = encode(picture, "PNG")
    fast = np.asarray(open_image(data), dtype=np.int16)
    monkeypatch.setitem(sys.modules, "pyspng", None)  # as without the package: Pillow alone
    assert decoded(data) is None
    pillow = np.asarray(open_image(data), dtype=np.int16)
    assert np.abs(fast - pillow).max() <= 1  # OpenCV's luma weights differ from Pillow's
