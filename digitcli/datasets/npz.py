"""MNIST as an .npz (Keras' mnist.npz or any file with x_train/y_train and/or x_test/y_test):
read without pickle and without trusting the sizes the archive declares, so a hostile file is a
DataError, not a crash or a filled memory. Used by `data.load_dataset` and by the download, which
checks what it fetched before writing it."""

from __future__ import annotations

import io
import lzma
import math
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from digitcli.core.config import IMAGE_SIZE
from digitcli.core.errors import DataError, first_line
from digitcli.datasets.checks import PIXELS, Split, pair, read_hashed, to_labels, to_pixels

_NPZ_KEYS = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}
# What parsing a corrupt .npz can raise, from zipfile, its decompressors and numpy's .npy reader.
_NPZ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    OSError,
    EOFError,
    ValueError,
    TypeError,
    KeyError,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    MemoryError,
)


def load_npz(path: Path, files: dict[str, str]) -> dict[str, Split]:
    return npz_splits(str(path), read_hashed(path, files))


def npz_splits(name: str, data: bytes) -> dict[str, Split]:
    arrays = _npz_arrays(name, data)
    splits = {}
    for split, (x_key, y_key) in _NPZ_KEYS.items():
        if x_key not in arrays and y_key not in arrays:
            continue
        if x_key not in arrays or y_key not in arrays:
            have, missing = (x_key, y_key) if x_key in arrays else (y_key, x_key)
            raise DataError(f"{name}: has {have} but no {missing}")
        x = _npz_images(name, x_key, arrays[x_key])
        y = _npz_labels(name, y_key, arrays[y_key])
        splits[split] = pair(x, y, f"{name}: {x_key}", y_key, "images")
    if not splits:
        found = ", ".join(sorted(arrays)) or "nothing usable"
        raise DataError(f"{name}: no x_train/y_train or x_test/y_test arrays (found {found})")
    return splits


def _npz_arrays(name: str, data: bytes) -> dict[str, np.ndarray]:
    """The MNIST arrays of an .npz, read without pickle and without trusting declared sizes."""
    wanted = {key for keys in _NPZ_KEYS.values() for key in keys}
    arrays = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                key = info.filename.removesuffix(".npy")
                if key in wanted and key not in arrays:
                    with archive.open(info) as member:
                        arrays[key] = _read_npy(name, key, member, info.file_size)
    except _NPZ_ERRORS as error:
        raise DataError(f"{name}: not a valid .npz file ({first_line(error)})") from error
    return arrays


def _read_npy(name: str, key: str, member: io.BufferedIOBase, size: int) -> np.ndarray:
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
    else:
        raise DataError(f"{name}: {key} has unsupported .npy version {version}")
    if dtype.kind not in "uif" or dtype.fields is not None:
        raise DataError(f"{name}: {key} holds {dtype} values, not numbers")
    if any(dim < 0 for dim in shape):
        raise DataError(f"{name}: {key} has a negative dimension {shape}")
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    buffer = member.read(nbytes) if nbytes <= size else b""
    if len(buffer) != nbytes:
        raise DataError(f"{name}: {key} is truncated: expected {nbytes} bytes of data")
    array = np.frombuffer(buffer, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran else "C")


def _npz_images(name: str, key: str, x: np.ndarray) -> np.ndarray:
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]  # channels-last (n, 28, 28, 1)
    elif x.ndim == 2 and x.shape[1] == PIXELS:
        x = x.reshape(-1, IMAGE_SIZE, IMAGE_SIZE)  # flattened (n, 784)
    if x.ndim != 3 or x.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise DataError(f"{name}: {key} has shape {x.shape} (expected (n, 28, 28))")
    if len(x) == 0:
        raise DataError(f"{name}: {key} holds no images")
    return to_pixels(x, lambda i: f"{name}: {key}{[int(v) for v in np.unravel_index(i, x.shape)]}")


def _npz_labels(name: str, key: str, y: np.ndarray) -> np.ndarray:
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DataError(f"{name}: {key} has shape {y.shape} (expected (n,))")
    return to_labels(y, lambda i: f"{name}: {key}[{i}]")
