"""MNIST's IDX files (train-images-idx3-ubyte and its partners, gzipped or raw): pairing images
with labels by name, and reading each file with its header checked and a gzip bomb refused before
it fills the memory. One of the formats `data.load_dataset` recognises."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np

from digitcli.core.config import IMAGE_SIZE
from digitcli.core.errors import DataError, first_line
from digitcli.datasets.checks import (
    PIXELS,
    Loader,
    Split,
    complete_pairs,
    pair,
    read_hashed,
    to_labels,
)

IMAGES_MAGIC = 0x00000803  # IDX: unsigned bytes, 3 dimensions
LABELS_MAGIC = 0x00000801  # IDX: unsigned bytes, 1 dimension
MAX_IDX_ITEMS = 2_000_000  # images or labels in one IDX file: MNIST has 70,000, EMNIST 814,255
GUNZIP_PIECE = 1 << 20  # bytes decompressed at a time into the file's buffer (held twice)
IDX_NAME = re.compile(r"(train|t10k|test)-(images|labels)[.-]idx([13])-ubyte(\.gz)?")


def idx_split(prefix: str) -> str:
    return "train" if prefix.lower() == "train" else "test"


def idx_pairs(folder: Path, names: list[str]) -> dict[str, tuple[Path, Path]]:
    halves: dict[tuple[str, str], str] = {}
    for name in names:
        match = IDX_NAME.fullmatch(name)
        if not match or (match.group(2) == "images") != (match.group(3) == "3"):
            continue
        key = (idx_split(match.group(1)), match.group(2))
        if key not in halves or not name.endswith(".gz"):  # the raw file, when both are there
            halves[key] = name
    prefix = {"train": "train", "test": "t10k"}
    return complete_pairs(
        folder,
        halves,
        ("images", "labels"),
        lambda split, kind: f"{prefix[split]}-{kind}-idx{3 if kind == 'images' else 1}-ubyte(.gz)",
    )


def idx_loader(pairs: dict[str, tuple[Path, Path]]) -> Loader:
    def load(files: dict[str, str]) -> dict[str, Split]:
        splits = {}
        for split, (images_path, labels_path) in pairs.items():
            x = read_idx(images_path, read_hashed(images_path, files, writable=True), "images")
            y = read_idx(labels_path, read_hashed(labels_path, files), "labels")
            y = to_labels(y, lambda i, p=labels_path: f"{p}: index {i}")
            splits[split] = pair(x, y, str(images_path), labels_path.name, "images")
        return splits

    return load


def _gunzip(path: Path, data: bytes) -> bytes:
    if data[:2] != b"\x1f\x8b":
        if path.name.endswith(".gz") and data[:3] != b"\x00\x00\x08":  # raw IDX named .gz is fine
            raise DataError(f"{path}: not a gzip file")
        return data
    try:
        return _bounded_gunzip(path, data)
    except EOFError as error:
        raise DataError(f"{path}: truncated gzip file") from error
    except (OSError, zlib.error) as error:
        raise DataError(f"{path}: corrupt gzip file ({first_line(error)})") from error


def _bounded_gunzip(path: Path, data: bytes) -> bytes | memoryview:
    """Decompress no more than the IDX header says the file holds, and refuse a header that
    claims more than MAX_IDX_ITEMS: a 4 MB bomb must not fill the memory before it is judged.
    Written into one buffer a piece at a time: the images are held once, never twice."""
    stream = zlib.decompressobj(wbits=31)  # gzip
    head = stream.decompress(data, 16)
    if len(head) < 8:
        if len(head) < 16 and not stream.eof:
            raise EOFError("compressed stream ended early")
        return head
    count = int.from_bytes(head[4:8], "big")
    if count > MAX_IDX_ITEMS:
        raise DataError(
            f"{path}: its header claims {count:,} items, more than the {MAX_IDX_ITEMS:,} "
            "digitcli reads (not MNIST, or a decompression bomb)"
        )
    item = PIXELS if int.from_bytes(head[:4], "big") == IMAGES_MAGIC else 1
    limit = 16 + count * item + 1  # one byte more: trailing bytes are reported, not read
    raw = bytearray(limit)  # pages are taken only as they are written
    raw[: len(head)] = head
    filled = len(head)
    while filled < limit and not stream.eof:
        piece = stream.decompress(stream.unconsumed_tail, min(limit - filled, GUNZIP_PIECE))
        if not piece:  # the input ended
            break
        raw[filled : filled + len(piece)] = piece
        filled += len(piece)
    if filled < limit and not stream.eof:
        raise EOFError("compressed stream ended early")
    return memoryview(raw)[:filled]


def read_idx(path: Path, data: bytes, kind: str) -> np.ndarray:
    """The array of one IDX file: (n, 28, 28) for images, (n,) for labels."""
    raw = _gunzip(path, data)
    images = kind == "images"
    magic, header = (IMAGES_MAGIC, 16) if images else (LABELS_MAGIC, 8)
    if len(raw) < 4:
        raise DataError(f"{path}: too short for an IDX file ({len(raw)} bytes)")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise DataError(
            f"{path}: wrong magic number 0x{found:08x} (expected 0x{magic:08x} for {kind})"
        )
    unpacked = " after decompression" if raw is not data else ""
    if len(raw) < header:
        raise DataError(
            f"{path}: truncated header: expected {header} bytes, got {len(raw)}{unpacked}"
        )
    dims = [int.from_bytes(raw[i : i + 4], "big") for i in range(4, header, 4)]
    if images and dims[1:] != [IMAGE_SIZE, IMAGE_SIZE]:
        raise DataError(
            f"{path}: images are {dims[1]}x{dims[2]} (expected {IMAGE_SIZE}x{IMAGE_SIZE})"
        )
    count = dims[0]
    expected = header + count * (PIXELS if images else 1)
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "trailing bytes"
        raise DataError(
            f"{path}: {problem}: expected {expected} bytes for {count} {kind}, "
            f"got {len(raw)}{unpacked}"
        )
    if count == 0:
        raise DataError(f"{path}: holds no {kind}")
    array = np.frombuffer(raw, dtype=np.uint8, offset=header)
    return array.reshape(count, IMAGE_SIZE, IMAGE_SIZE) if images else array
