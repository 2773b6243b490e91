"""Split, and the checks every MNIST format shares (IDX, npz, CSV): reading a file and recording
its sha256, pixels that are integers 0-255 (or fractions scaled by 255), labels 0-9, as many
images as labels, and both files of a two-file split. Kept apart so each format's reader needs
only this, not the module that finds and assembles the data."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitcli.core.config import IMAGE_SIZE
from digitcli.core.errors import DataError, first_line

PIXELS = IMAGE_SIZE * IMAGE_SIZE
ROLES = ("train", "test")


@dataclass(frozen=True, eq=False)
class Split:
    """The images and labels of one split."""

    x: np.ndarray  # uint8, shape (n, 28, 28), white ink on black like MNIST
    y: np.ndarray  # uint8, shape (n,), labels 0-9

    def __len__(self) -> int:
        return len(self.y)


Loader = Callable[[dict[str, str]], dict[str, Split]]  # fills in file hashes, returns the splits


def read_hashed(path: Path, files: dict[str, str], *, writable: bool = False) -> bytes | bytearray:
    """The bytes of `path`, its sha256 recorded in `files` under its name; empty is an error.
    `writable`: in a bytearray, which arrays can use as it is (a raw IDX file: not copied)."""
    try:
        if writable:
            with open(path, "rb") as file:
                data = bytearray(os.fstat(file.fileno()).st_size)
                del data[file.readinto(data) :]  # a file cut short while being read
        else:
            data = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot read ({first_line(error)})") from error
    if not data:
        raise DataError(f"{path}: empty file")
    files[path.name] = hashlib.sha256(data).hexdigest()
    return data


def pair(x: np.ndarray, y: np.ndarray, x_name: str, y_name: str, unit: str) -> Split:
    """A Split of as many images as labels, as writable uint8 arrays."""
    if len(x) != len(y):
        raise DataError(f"{x_name}: {len(x)} {unit} but {y_name} has {len(y)} labels")
    # Callers may shuffle or normalise in place; arrays parsed from bytes are read-only till
    # copied. One decompressed into a buffer of its own is used as it is: 1.5 GB is not copied.
    x = np.require(x, np.uint8, ["C_CONTIGUOUS", "WRITEABLE"])
    return Split(x, np.require(y, np.uint8, ["C_CONTIGUOUS", "WRITEABLE"]))


def to_pixels(values: np.ndarray, where: Callable[[int], str]) -> np.ndarray:
    """uint8 pixels from integers 0-255 or from fractions in [0, 1] (scaled by 255)."""
    if values.dtype == np.uint8:
        return values
    if values.dtype.kind == "f":
        finite = bool(np.isfinite(values).all())
        if (
            finite
            and values.size
            and values.min() >= 0
            and values.max() <= 1
            and (values % 1 != 0).any()
        ):
            return np.rint(values * 255).astype(np.uint8)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(values) | (values < 0) | (values > 255) | (values % 1 != 0)
    else:
        bad = (values < 0) | (values > 255)
    if bad.any():
        first = int(np.argmax(bad.ravel()))
        value = _number(values.ravel()[first])
        raise DataError(f"{where(first)}: pixel value {value} is not an integer 0-255")
    return values.astype(np.uint8)


def to_labels(values: np.ndarray, where: Callable[[int], str]) -> np.ndarray:
    if values.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(values) | (values < 0) | (values > 9) | (values % 1 != 0)
    else:
        bad = (values < 0) | (values > 9)
    if bad.any():
        first = int(np.argmax(bad.ravel()))
        value = _number(values.ravel()[first])
        raise DataError(f"{where(first)}: label {value} is not an integer 0-9")
    return values.astype(np.uint8)


def complete_pairs(
    folder: Path,
    halves: dict[tuple[str, str], str],
    kinds: tuple[str, str],
    spell: Callable[[str, str], str],
) -> dict[str, tuple[Path, Path]]:
    """Per split, both files of a pair; a split with only one of them is an error."""
    pairs = {}
    for split in ROLES:
        have = [halves.get((split, kind)) for kind in kinds]
        if all(have):
            pairs[split] = (folder / have[0], folder / have[1])
        elif any(have):
            present = next(name for name in have if name)
            missing = spell(split, kinds[have.index(None)])
            raise DataError(f"{folder / present}: found without its partner {missing}")
    return pairs


def _number(value: np.generic) -> str:
    value = value.item()
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
