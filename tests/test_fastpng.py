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
    rng = np.random.default_rng(seed)
    if mode == "I;16":
        return Image.fromarray(rng.integers(0, 2**16, (size[1], size[0]), np.uint16))
    bands = len(mode)
    values = rng.integers(0, 256, (size[1], size[0], bands), np.uint8)
    return Image.fromarray(values[..., 0] if bands == 1 else values, mode)


def decoded(data: bytes) -> np.ndarray | None:
    return fastpng.decoded(Image.open(io.BytesIO(data)), io.BytesIO(data))


def chunks_after_the_pixels(data: bytes, *extra: bytes) -> bytes:
    """`data` (a PNG) with `extra` chunks inserted just before IEND."""
    end = data.rindex(b"IEND") - 4
    return data[:end] + b"".join(extra) + data[end:]


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "I;16"])
def test_eight_bit_and_16_bit_grey_pngs_decode_to_pillows_pixels(mode: str) -> None:
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
        encode(noise("LA"), "PNG"),
        encode(noise("RGB"), "PNG", transparency=(0, 0, 0)),
        encode(noise("RGB"), "PNG", save_all=True, append_images=[noise("RGB", 1)]),
        chunks_after_the_pixels(encode(noise("L"), "PNG"), png_chunk(b"eXIf", b"MM\0*")),
        chunks_after_the_pixels(encode(noise("RGB"), "PNG"), xmp_chunk()),
        encode(noise("RGB").convert("YCbCr"), "JPEG"),
    ],
    ids=["palette", "1-bit", "4-bit", "LA", "tRNS", "APNG", "eXIf", "XMP", "JPEG"],
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


def raw_profile_chunk(kind: bytes, orientation: int) -> bytes:
    """EXIF as ImageMagick stores it in a PNG: a text chunk "Raw profile type exif", the
    bytes in hexadecimal after a line naming them and one counting them."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    raw = exif.tobytes()
    text = f"\nexif\n{len(raw):8d}\n{raw.hex()}\n".encode()
    keyword = b"Raw profile type exif\0"
    if kind == b"zTXt":
        return png_chunk(kind, keyword + b"\0" + zlib.compress(text))
    if kind == b"iTXt":
        return png_chunk(kind, keyword + b"\0\0\0\0" + text)
    return png_chunk(kind, keyword + text)


@pytest.mark.parametrize("kind", [b"tEXt", b"zTXt", b"iTXt"])
@pytest.mark.parametrize("where", ["before", "after"])
def test_an_orientation_in_a_raw_exif_profile_is_undone(kind: bytes, where: str) -> None:
    stored = f_shape(150, 200).transpose(Image.Transpose.ROTATE_90)  # shown turned clockwise
    plain = encode(stored, "PNG")
    if where == "after":
        data = chunks_after_the_pixels(plain, raw_profile_chunk(kind, 6))
    else:
        at = plain.index(b"IDAT") - 4
        data = plain[:at] + raw_profile_chunk(kind, 6) + plain[at:]
    assert decoded(data) is None  # left to Pillow, which reads the orientation
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


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "I;16"])
def test_pngs_read_by_either_decoder_give_the_same_working_image(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if mode == "I;16":
        data = smooth(mode)
    else:
        picture = f_shape(400, 300).convert(mode)
        if mode == "RGBA":
            picture.putalpha(Image.linear_gradient("L").resize(picture.size))
        data = encode(picture, "PNG")
    fast = np.asarray(open_image(data), dtype=np.int16)
    monkeypatch.setitem(sys.modules, "pyspng", None)  # as without the package: Pillow alone
    assert decoded(data) is None
    pillow = np.asarray(open_image(data), dtype=np.int16)
    assert np.abs(fast - pillow).max() <= 1  # OpenCV's luma weights differ from Pillow's


def without_isal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "isal", None)
    monkeypatch.setitem(sys.modules, "isal.isal_zlib", None)


def restored(data: bytes) -> bytes | None:
    im = Image.open(io.BytesIO(data))
    return fastpng._restored(data, fastpng._layout(data), im)


def smooth(mode: str, size: tuple[int, int] = (400, 300)) -> bytes:
    """A PNG that compresses well, so its rows span several stored blocks once inflated."""
    picture = f_shape(*size).convert("L" if mode == "I;16" else mode)
    if mode == "I;16":
        picture = Image.fromarray(np.asarray(picture).astype(np.uint16) * 257)
    return encode(picture, "PNG")


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "I;16"])
def test_rows_inflated_by_isal_are_a_png_that_decodes_to_the_same_pixels(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = smooth(mode)
    wrapped = restored(data)
    assert wrapped is not None and len(wrapped) > 65535  # more than one stored block
    assert np.array_equal(
        np.asarray(Image.open(io.BytesIO(wrapped))), np.asarray(Image.open(io.BytesIO(data)))
    )
    fast = decoded(data)
    without_isal(monkeypatch)
    assert restored(data) is None
    np.testing.assert_array_equal(fast, decoded(data))


def with_pixel_chunks(data: bytes, pixels: list[bytes]) -> bytes:
    """`data` (a PNG of one IDAT chunk) with its IDAT chunk replaced by `pixels`' chunks."""
    start = data.index(b"IDAT") - 4
    end = start + 12 + int.from_bytes(data[start : start + 4], "big")
    return data[:start] + b"".join(png_chunk(b"IDAT", part) for part in pixels) + data[end:]


def idat(data: bytes) -> bytes:
    start = data.index(b"IDAT") - 4
    return data[start + 8 : start + 8 + int.from_bytes(data[start : start + 4], "big")]


def test_pixels_split_over_several_chunks_are_restored_whole() -> None:
    data = smooth("RGB")
    stream = idat(data)
    split = with_pixel_chunks(data, [stream[:100], stream[100:101], stream[101:]])
    assert restored(split) is not None
    np.testing.assert_array_equal(decoded(split), np.asarray(Image.open(io.BytesIO(data))))


@pytest.mark.parametrize(
    "damage", ["no checksum", "bad checksum", "rows too short", "rows too long", "not zlib"]
)
def test_a_stream_isal_cannot_restore_exactly_is_left_as_it_was(damage: str) -> None:
    data = smooth("L")
    stream = idat(data)
    rows = zlib.decompress(stream)
    broken = {
        "no checksum": stream[:-4],
        "bad checksum": stream[:-4] + bytes(4),
        "rows too short": zlib.compress(rows[:-1]),
        "rows too long": zlib.compress(rows + b"\0" * 301),
        "not zlib": b"not a zlib stream",
    }[damage]
    assert restored(with_pixel_chunks(data, [broken])) is None


def test_interlaced_and_large_pictures_are_inflated_by_libspng_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 1)  # 1 x 1 grey, Adam7-interlaced
    rows = zlib.compress(b"\0\x80")  # its one pixel, in the first of seven passes
    interlaced = b"\x89PNG\r\n\x1a\n" + b"".join(
        png_chunk(kind, data) for kind, data in [(b"IHDR", header), (b"IDAT", rows), (b"IEND", b"")]
    )
    assert restored(interlaced) is None
    np.testing.assert_array_equal(decoded(interlaced), [[0x80]])
    data = smooth("L")
    assert restored(data) is not None
    width, height = Image.open(io.BytesIO(data)).size
    monkeypatch.setattr(fastpng, "MAX_RESTORED_BYTES", height * (width + 1) - 1)  # a byte short
    assert restored(data) is None
