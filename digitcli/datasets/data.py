"""MNIST in every format it is shipped in (IDX, .gz or raw; mnist.npz; CSV), and image folders.

`load_dataset` finds the data (--data, then $DIGITCLI_DATA, then ./MNIST/), recognises the format,
validates it and returns MNIST-shaped arrays: uint8 images (n, 28, 28), white ink on black, and
uint8 labels 0-9. Anything wrong with the input raises a DataError whose one-line message names the
file and the problem. When the default ./MNIST/ holds no data, Keras' mnist.npz is downloaded there.

A source that holds only one split (one labelled CSV, an npz with only x_test/y_test, a folder with
only the t10k files) is all test data for role="test"; for role="train" its last 1/7 is held out as
the test split, the way MNIST's 10,000 test images follow its 60,000 training images.

A folder with sub-folders 0/ .. 9/ of image files is a user's own handwriting (imagefolder.py):
each file prepared as `predict` prepares it, shuffled once, one split.

CSV cells are integers 0-255 (labels 0-9); a CSV or npz whose pixels are fractions in [0, 1] is
scaled by 255. This module prints nothing and never imports TensorFlow.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import http.client
import io
import lzma
import math
import os
import re
import struct
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitcli import __version__
from digitcli.core.config import DATA_ENV, IMAGE_SIZE, MNIST_URL_ENV, default_data_path
from digitcli.core.errors import DataError, first_line
from digitcli.datasets.imagefolder import digit_folders, load_image_folder

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
NPZ_NAME = "mnist.npz"  # what the download writes
PIXELS = IMAGE_SIZE * IMAGE_SIZE
IMAGES_MAGIC = 0x00000803  # IDX: unsigned bytes, 3 dimensions
LABELS_MAGIC = 0x00000801  # IDX: unsigned bytes, 1 dimension
HELD_OUT = 7  # a one-split source trained on keeps its last 1/7 as test, like MNIST's 60k/10k
ROLES = ("train", "test")

Progress = Callable[[int, int], None]  # (bytes done, bytes in all; 0 when the server won't say)

_IDX_NAME = re.compile(r"(train|t10k|test)-(images|labels)[.-]idx([13])-ubyte(\.gz)?")
_DIGIT_CSV = re.compile(r"digit_([xy])(train|test)\.csv", re.IGNORECASE)
_NPZ_KEYS = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_HEADER_CELL = re.compile(r"[A-Za-z_][\w .-]*|\d+x\d+")  # label, pixel0, 1x1
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


@dataclass(frozen=True, eq=False)
class Split:
    """The images and labels of one split."""

    x: np.ndarray  # uint8, shape (n, 28, 28), white ink on black like MNIST
    y: np.ndarray  # uint8, shape (n,), labels 0-9

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Both splits of one source, with what is needed to record where they came from."""

    train: Split  # empty when role="test" on a source that holds only one split
    test: Split
    source: str  # for people, e.g. "MNIST (IDX, 60000 train / 10000 test)"
    files: dict[str, str]  # file name -> sha256 of its bytes as read
    format: str  # "idx" | "npz" | "csv" | "images"


Loader = Callable[[dict[str, str]], dict[str, Split]]  # fills in file hashes, returns the splits


def resolve_data_path(path: str | Path | None) -> Path:
    """Where data is looked for: `path` (--data), then $DIGITCLI_DATA, then ./MNIST/."""
    if path is not None and str(path) != "":
        return Path(path).expanduser()
    return default_data_path().expanduser()


def load_dataset(
    path: str | Path | None = None,
    *,
    role: str = "train",
    download: bool = True,
    progress: Progress | None = None,
) -> Dataset:
    """Load MNIST from a folder or a file in any supported format.

    `role` says what the caller needs when the source holds one split: "test" takes all of it as
    test data, "train" holds out its last 1/7 as test. When the default ./MNIST/ (neither `path`
    nor $DIGITCLI_DATA given) holds no data and `download` is true, Keras' mnist.npz is downloaded
    into it first, reporting through `progress(done_bytes, total_bytes)`.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    explicit = (path is not None and str(path) != "") or bool(os.environ.get(DATA_ENV))
    location = resolve_data_path(path)
    found = _locate(location, role)
    if found is None and download and not explicit:
        try:
            download_mnist(location, progress=progress)
        except DataError as error:  # say first where we looked and how to point elsewhere
            raise DataError(
                f"no MNIST found in {location}/ (point at it with --data PATH or "
                f"${DATA_ENV}); downloading it there failed: {error}"
            ) from error
        found = _locate(location, role)
    if found is None:
        if not location.exists():
            problem = "no such file or directory"
        else:
            problem = (
                "no MNIST data found (IDX files, an .npz or CSV files) and no image "
                "folders (one sub-folder per digit, 0/ to 9/)"
            )
        hint = "" if explicit else f"; pass --data PATH or set ${DATA_ENV}"
        raise DataError(f"{location}: {problem}{hint}")
    fmt, loader = found
    files: dict[str, str] = {}
    splits = loader(files)
    return _dataset(location, fmt, splits, files, role, getattr(loader, "note", ""))


def download_mnist(
    dest_dir: Path,
    *,
    url: str | None = None,
    sha256: str | None = None,
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download Keras' mnist.npz into `dest_dir` and return the path of the file written.

    The URL is `url`, else $DIGITCLI_MNIST_URL, else Keras' own. The file from Keras' URL must
    match MNIST_SHA256; from any other URL it is checked against `sha256` only when one is given.
    Either way it must hold valid MNIST arrays, and it is written atomically or not at all.
    """
    url = url or os.environ.get(MNIST_URL_ENV) or MNIST_URL
    expected = sha256 or (MNIST_SHA256 if url == MNIST_URL else None)
    data = _fetch(url, progress, timeout)
    digest = hashlib.sha256(data).hexdigest()
    if expected and digest != expected.lower():
        raise DataError(f"{url}: sha256 {digest} does not match the expected {expected}")
    _npz_splits(url, data)  # a broken mirror must not leave a broken mnist.npz behind
    dest_dir = Path(dest_dir)
    target = dest_dir / NPZ_NAME
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest_dir, prefix="mnist.", suffix=".npz.tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as error:
        raise DataError(f"{target}: cannot write ({first_line(error)})") from error
    return target


def _fetch(url: str, progress: Progress | None, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": f"digitcli/{__version__}"})
    chunks: list[bytes] = []
    done = total = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0)
            if progress:
                progress(0, total)
            while chunk := response.read(1 << 16):
                chunks.append(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except urllib.error.HTTPError as error:
        raise DataError(f"cannot download {url}: HTTP {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise DataError(f"cannot download {url}: {first_line(error.reason)}") from error
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise DataError(f"cannot download {url}: {first_line(error)}") from error
    if total and done != total:
        raise DataError(f"cannot download {url}: got {done} of {total} bytes")
    return b"".join(chunks)


# --- finding the data ----------------------------------------------------------------------------


def _locate(location: Path, role: str = "train") -> tuple[str, Loader] | None:
    """The format and a loader for what is at `location`; None when it holds no data at all.
    For role "test", a source with separate test files loads only those."""
    if location.is_dir():
        return _locate_in_folder(location, role)
    if not location.is_file():
        return None
    name = location.name
    if name.lower().endswith(".npz"):
        return "npz", lambda files: _load_npz(location, files)
    if match := _IDX_NAME.fullmatch(name):
        split = _split_name(match.group(1))
        pairs = _idx_pairs(location.parent, _file_names(location.parent))
        if split in pairs:
            return "idx", _idx_loader({split: pairs[split]})
    if match := _DIGIT_CSV.fullmatch(name):
        split = match.group(2).lower()
        pairs = _digit_csv_pairs(location.parent, _file_names(location.parent))
        if split in pairs:
            return "csv", _digit_csv_loader({split: pairs[split]})
    elif name.lower().endswith(".csv"):
        return "csv", lambda files: {"all": _load_labelled_csv(location, files)}
    raise DataError(
        f"{location}: not a recognised MNIST file "
        "(expected IDX files such as train-images-idx3-ubyte.gz, an .npz or a .csv)"
    )


def _needed(pairs: dict, role: str) -> dict:
    """Only the test pair when only the test split is needed (evaluate) and there is one."""
    return {"test": pairs["test"]} if role == "test" and "test" in pairs else pairs


def _locate_in_folder(folder: Path, role: str = "train") -> tuple[str, Loader] | None:
    if digit_folders(folder):
        return "images", _ImageFolderLoader(folder)
    names = _file_names(folder)
    if pairs := _idx_pairs(folder, names):
        return "idx", _idx_loader(_needed(pairs, role))
    npzs = [name for name in names if name.lower().endswith(".npz")]
    if NPZ_NAME in npzs or len(npzs) == 1:
        chosen = folder / (NPZ_NAME if NPZ_NAME in npzs else npzs[0])
        return "npz", lambda files: _load_npz(chosen, files)
    if npzs:
        raise DataError(f"{folder}: several .npz files ({', '.join(npzs)}); name one")
    if pairs := _digit_csv_pairs(folder, names):
        return "csv", _digit_csv_loader(_needed(pairs, role))
    csvs = [name for name in names if name.lower().endswith(".csv")]
    by_split = {
        split: [name for name in csvs if split in name.lower()] for split in ("train", "test")
    }
    for split, matches in by_split.items():
        if len(matches) > 1:
            raise DataError(f"{folder}: several {split} CSV files ({', '.join(matches)}); name one")
    chosen_csvs = {split: folder / m[0] for split, m in by_split.items() if m}
    if not chosen_csvs and len(csvs) == 1:
        chosen_csvs = {"all": folder / csvs[0]}
    elif not chosen_csvs and csvs:
        raise DataError(
            f"{folder}: cannot tell the train CSV from the test CSV ({', '.join(csvs)})"
        )
    if not chosen_csvs:
        return None
    return "csv", lambda files: {
        split: _load_labelled_csv(path, files) for split, path in chosen_csvs.items()
    }


class _ImageFolderLoader:
    """Loads `folder`/0 .. 9 (imagefolder.py); afterwards `note` says what was skipped."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.note = ""

    def __call__(self, files: dict[str, str]) -> dict[str, Split]:
        images = load_image_folder(self.folder)
        files[f"0/ to 9/ ({len(images.y)} images)"] = images.digest
        if images.skipped:
            skipped = f"{images.skipped} skipped, unreadable or blank"
            self.note = f"; {skipped} (first: {images.first_skipped})"
        return {"all": Split(images.x, images.y)}


def _file_names(folder: Path) -> list[str]:
    try:
        entries = list(folder.iterdir())
    except OSError as error:
        raise DataError(f"{folder}: cannot list ({first_line(error)})") from error
    for entry in entries:  # a data file's name on a folder or a FIFO: say so, not "no partner"
        if _DATA_NAME.fullmatch(entry.name) and not entry.is_file():
            kind = "a folder" if entry.is_dir() else "not a regular file (a FIFO or a device)"
            raise DataError(f"{entry}: has a data file's name but is {kind}")
    return sorted(entry.name for entry in entries if entry.is_file())


_DATA_NAME = re.compile(r"(?i)(train|t10k|test)[-.](images|labels)[-.]idx[13][-.]ubyte(\.gz)?")


def _split_name(prefix: str) -> str:
    return "train" if prefix.lower() == "train" else "test"


def _complete_pairs(
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


def _idx_pairs(folder: Path, names: list[str]) -> dict[str, tuple[Path, Path]]:
    halves: dict[tuple[str, str], str] = {}
    for name in names:
        match = _IDX_NAME.fullmatch(name)
        if not match or (match.group(2) == "images") != (match.group(3) == "3"):
            continue
        key = (_split_name(match.group(1)), match.group(2))
        if key not in halves or not name.endswith(".gz"):  # the raw file, when both are there
            halves[key] = name
    prefix = {"train": "train", "test": "t10k"}
    return _complete_pairs(
        folder,
        halves,
        ("images", "labels"),
        lambda split, kind: f"{prefix[split]}-{kind}-idx{3 if kind == 'images' else 1}-ubyte(.gz)",
    )


def _digit_csv_pairs(folder: Path, names: list[str]) -> dict[str, tuple[Path, Path]]:
    halves = {}
    for name in names:
        if match := _DIGIT_CSV.fullmatch(name):
            halves[(match.group(2).lower(), match.group(1).lower())] = name
    return _complete_pairs(
        folder, halves, ("x", "y"), lambda split, kind: f"digit_{kind}{split}.csv"
    )


# --- assembling the dataset ----------------------------------------------------------------------


def _empty_split() -> Split:
    return Split(
        np.zeros((0, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8), np.zeros((0,), dtype=np.uint8)
    )


def _dataset(
    location: Path,
    fmt: str,
    splits: dict[str, Split],
    files: dict[str, str],
    role: str,
    note: str = "",
) -> Dataset:
    if "train" in splits and "test" in splits:
        train, test = splits["train"], splits["test"]
        detail = f"{len(train)} train / {len(test)} test"
    else:
        (only,) = splits.values()
        if role == "test":
            train, test = _empty_split(), only
            detail = f"{len(test)} test"
        else:
            n_test = max(1, len(only) // HELD_OUT) if len(only) > 1 else 0
            cut = len(only) - n_test
            train = Split(only.x[:cut], only.y[:cut])
            test = Split(only.x[cut:], only.y[cut:])
            detail = (
                f"{len(train)} train / {len(test)} test, its last 1/{HELD_OUT} held out as test"
            )
    label = {"idx": "IDX", "npz": "npz", "csv": "CSV", "images": "image folders"}[fmt]
    source = f"{location.name or location} ({label}, {detail}{note})"
    return Dataset(train, test, source, files, fmt)


def _read(path: Path, files: dict[str, str]) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot read ({first_line(error)})") from error
    if not data:
        raise DataError(f"{path}: empty file")
    files[path.name] = hashlib.sha256(data).hexdigest()
    return data


def _pair(x: np.ndarray, y: np.ndarray, x_name: str, y_name: str, unit: str) -> Split:
    if len(x) != len(y):
        raise DataError(f"{x_name}: {len(x)} {unit} but {y_name} has {len(y)} labels")
    # Callers may shuffle or normalise in place; arrays parsed from bytes are read-only till copied.
    x = np.require(x, np.uint8, ["C_CONTIGUOUS", "WRITEABLE", "OWNDATA"])
    return Split(x, np.require(y, np.uint8, ["C_CONTIGUOUS", "WRITEABLE", "OWNDATA"]))


def _to_pixels(values: np.ndarray, where: Callable[[int], str]) -> np.ndarray:
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


def _to_labels(values: np.ndarray, where: Callable[[int], str]) -> np.ndarray:
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


# --- IDX -----------------------------------------------------------------------------------------


def _idx_loader(pairs: dict[str, tuple[Path, Path]]) -> Loader:
    def load(files: dict[str, str]) -> dict[str, Split]:
        splits = {}
        for split, (images_path, labels_path) in pairs.items():
            x = _read_idx(images_path, _read(images_path, files), "images")
            y = _read_idx(labels_path, _read(labels_path, files), "labels")
            y = _to_labels(y, lambda i, p=labels_path: f"{p}: index {i}")
            splits[split] = _pair(x, y, str(images_path), labels_path.name, "images")
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


def _bounded_gunzip(path: Path, data: bytes) -> bytes:
    """Decompress no more than the IDX header says the file holds, and refuse a header that
    claims more than MAX_IDX_ITEMS: a 4 MB bomb must not fill the memory before it is judged."""
    stream = zlib.decompressobj(wbits=31)  # gzip
    head = stream.decompress(data, 16)
    if len(head) >= 8:
        count = int.from_bytes(head[4:8], "big")
        if count > MAX_IDX_ITEMS:
            raise DataError(
                f"{path}: its header claims {count:,} items, more than the {MAX_IDX_ITEMS:,} "
                "digitcli reads (not MNIST, or a decompression bomb)"
            )
        item = PIXELS if int.from_bytes(head[:4], "big") == IMAGES_MAGIC else 1
        limit = 16 + count * item + 1  # one byte more: trailing bytes are reported, not read
    else:
        limit = 16
    body = stream.decompress(stream.unconsumed_tail, max(0, limit - len(head)))
    raw = head + body
    if len(raw) < limit and not stream.eof:
        raise EOFError("compressed stream ended early")
    return raw


MAX_IDX_ITEMS = 2_000_000  # images or labels in one IDX file: MNIST has 70,000, EMNIST 814,255


def _read_idx(path: Path, data: bytes, kind: str) -> np.ndarray:
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


# --- npz -----------------------------------------------------------------------------------------


def _load_npz(path: Path, files: dict[str, str]) -> dict[str, Split]:
    return _npz_splits(str(path), _read(path, files))


def _npz_splits(name: str, data: bytes) -> dict[str, Split]:
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
        splits[split] = _pair(x, y, f"{name}: {x_key}", y_key, "images")
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
    return _to_pixels(x, lambda i: f"{name}: {key}{[int(v) for v in np.unravel_index(i, x.shape)]}")


def _npz_labels(name: str, key: str, y: np.ndarray) -> np.ndarray:
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DataError(f"{name}: {key} has shape {y.shape} (expected (n,))")
    return _to_labels(y, lambda i: f"{name}: {key}[{i}]")


# --- CSV -----------------------------------------------------------------------------------------


def _digit_csv_loader(pairs: dict[str, tuple[Path, Path]]) -> Loader:
    def load(files: dict[str, str]) -> dict[str, Split]:
        splits = {}
        for split, (x_path, y_path) in pairs.items():
            table, lines = _csv_table(x_path, _read(x_path, files), PIXELS, "784 pixels")
            x = _to_pixels(table, _csv_where(x_path, lines, PIXELS, 1))
            table, y_lines = _csv_table(y_path, _read(y_path, files), 1, "a label")
            y = _to_labels(table[:, 0], _csv_where(y_path, y_lines, 1, 1))
            x = x.reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
            splits[split] = _pair(x, y, f"{x_path}", y_path.name, "rows")
        return splits

    return load


def _load_labelled_csv(path: Path, files: dict[str, str]) -> Split:
    table, lines = _csv_table(path, _read(path, files), 1 + PIXELS, "a label, then 784 pixels")
    y = _to_labels(table[:, 0], _csv_where(path, lines, 1, 1))
    x = _to_pixels(table[:, 1:], _csv_where(path, lines, PIXELS, 2))
    return Split(x.reshape(-1, IMAGE_SIZE, IMAGE_SIZE), y)


def _csv_where(path: Path, lines: list[int], width: int, first_column: int) -> Callable[[int], str]:
    """Names the line and column of the i-th value of a (rows, width) block of a CSV."""
    return lambda i: f"{path}: line {lines[i // width]}, column {i % width + first_column}"


def _csv_table(path: Path, data: bytes, width: int, meaning: str) -> tuple[np.ndarray, list[int]]:
    """The numbers of a CSV as a (rows, width) array, and the line number of each row."""
    data = data.removeprefix(codecs.BOM_UTF8)
    lines = data.split(b"\n")
    numbers = [i + 1 for i, line in enumerate(lines) if line and not line.isspace()]
    if numbers and _is_header(lines[numbers[0] - 1]):
        cells = lines[numbers[0] - 1].count(b",") + 1
        if cells != width:
            raise DataError(
                f"{path}: line {numbers[0]}: header has {cells} cells, expected {width}"
            )
        numbers = numbers[1:]
    if not numbers:
        raise DataError(f"{path}: no rows of data")
    body = b"\n".join(lines[number - 1] for number in numbers)
    table = _loadtxt(body, np.int32)
    floats = b"." in body or b"e" in body or b"E" in body
    if table is None and floats:
        table = _loadtxt(body, np.float64)
    if table is None or table.shape != (len(numbers), width):
        _raise_first_bad_cell(path, lines, numbers, width, meaning)
        if table is None and not floats:  # numbers too big for int32: the range check names them
            table = _loadtxt(body, np.float64)
    if table is None or table.shape != (len(numbers), width):
        raise DataError(f"{path}: cannot be read as CSV of numbers")
    return table, numbers


def _loadtxt(body: bytes, dtype: type) -> np.ndarray | None:
    """numpy's fast C parser; None when it fails, to let the precise scan find out where."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.loadtxt(
                io.BytesIO(body), delimiter=",", dtype=dtype, ndmin=2, comments=None, quotechar=None
            )
    except (ValueError, OverflowError, UnicodeDecodeError):
        return None


def _raise_first_bad_cell(
    path: Path, lines: list[bytes], numbers: list[int], width: int, meaning: str
) -> None:
    for number in numbers:
        line = lines[number - 1].rstrip(b"\r")
        cells = line.count(b",") + 1
        if cells != width:
            count = f"{cells} cell{'s' if cells > 1 else ''}"
            raise DataError(f"{path}: line {number} has {count}, expected {width} ({meaning})")
        empty_cell = b",," in line or line.startswith(b",") or line.endswith(b",")
        if line.translate(None, b",").isdigit() and not empty_cell:  # the common case, fast
            continue
        for column, cell in enumerate(line.decode("utf-8", "replace").split(","), 1):
            if not _NUMBER.fullmatch(cell):
                shown = cell.strip()
                shown = shown if len(shown) <= 20 else shown[:20] + "..."
                raise DataError(
                    f"{path}: line {number}, column {column}: {shown!r} is not a number"
                )


def _is_header(line: bytes) -> bool:
    """True for a row of names such as label,pixel0,... or label,1x1,...: no cell a number."""
    cells = [c.strip().strip("\"'") for c in line.decode("utf-8", "replace").strip().split(",")]
    return all(_HEADER_CELL.fullmatch(cell) and not _is_float(cell) for cell in cells)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(value: np.generic) -> str:
    value = value.item()
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
