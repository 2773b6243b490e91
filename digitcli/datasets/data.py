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

This module finds the data and assembles the splits; each format is read by its own module
(idx.py, npz.py, csvfile.py, imagefolder.py), the checks they share are in checks.py and the
download is in download.py.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from digitcli.core.config import DATA_ENV, IMAGE_SIZE, default_data_path
from digitcli.core.errors import DataError, first_line
from digitcli.datasets.checks import ROLES, Loader, Split
from digitcli.datasets.csvfile import (
    DIGIT_CSV,
    digit_csv_loader,
    digit_csv_pairs,
    load_labelled_csv,
)
from digitcli.datasets.download import NPZ_NAME, Progress, Watch, download_mnist
from digitcli.datasets.idx import IDX_NAME, idx_loader, idx_pairs, idx_split
from digitcli.datasets.imagefolder import (
    LABELS_CSV,
    digit_folders,
    has_labels_csv,
    labels_csv,
    load_image_folder,
    load_labelled_folder,
    survey,
)
from digitcli.datasets.npz import load_npz

HELD_OUT = 7  # a one-split source trained on keeps its last 1/7 as test, like MNIST's 60k/10k


@dataclass(frozen=True, eq=False)
class Dataset:
    """Both splits of one source, with what is needed to record where they came from."""

    train: Split  # empty when role="test" on a source that holds only one split
    test: Split
    source: str  # for people, e.g. "MNIST (IDX, 60000 train / 10000 test)"
    files: dict[str, str]  # file name -> sha256 of its bytes as read
    format: str  # "idx" | "npz" | "csv" | "images"
    skipped: tuple[str, ...] = ()  # image folders: each file left out, and why ("PATH: ...")


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
    location, (fmt, loader) = _source(path, role, download=download, progress=progress)
    files: dict[str, str] = {}
    splits = loader(files)
    dataset = _dataset(location, fmt, splits, files, role, getattr(loader, "note", ""))
    return replace(dataset, skipped=getattr(loader, "skipped", ()))


def check_data(
    path: str | Path | None = None, *, role: str = "train", watch: Watch | None = None
) -> None:
    """Refuse now what `load_dataset` would refuse from listing the data alone (no such
    path, no data in it, an image folder missing a digit), and download MNIST into the default
    ./MNIST/ that holds none, shown by `watch` (download.py): `train` says so, or that the
    download failed, before TensorFlow loads (seconds and hundreds of MB)."""
    _, (_, loader) = _source(path, role, watch=watch)
    if isinstance(loader, _ImageFolderLoader):
        if loader.labelled:
            labels_csv(loader.folder)
        else:
            survey(loader.folder)


def _source(
    path: str | Path | None,
    role: str,
    *,
    download: bool = True,
    progress: Progress | None = None,
    watch: Watch | None = None,
) -> tuple[Path, tuple[str, Loader]]:
    """Where the data is (`path`, $DIGITCLI_DATA, else the default ./MNIST/, downloaded into
    when it holds none and `download`), with its format and loader; DataError where none is."""
    explicit = (path is not None and str(path) != "") or bool(os.environ.get(DATA_ENV))
    location = resolve_data_path(path)
    found = _locate(location, role)
    if found is None and download and not explicit:
        found = _downloaded(location, role, progress, watch)
    if found is None:
        raise _nothing_found(location, explicit)
    return location, found


def _downloaded(
    location: Path, role: str, progress: Progress | None = None, watch: Watch | None = None
) -> tuple[str, Loader] | None:
    """Keras' mnist.npz downloaded into the default `location`, which holds no data; found."""
    try:
        download_mnist(location, progress=progress, watch=watch)
    except DataError as error:  # say first where we looked and how to point elsewhere
        raise DataError(
            f"no MNIST found in {location}/ (point at it with --data PATH or "
            f"${DATA_ENV}); downloading it there failed: {error}"
        ) from error
    return _locate(location, role)


def _nothing_found(location: Path, explicit: bool) -> DataError:
    if not location.exists():
        problem = "no such file or directory"
    else:
        problem = (
            "no MNIST data found (IDX files, an .npz or CSV files) and no image "
            "folders (one sub-folder per digit, 0/ to 9/)"
        )
    hint = "" if explicit else f"; pass --data PATH or set ${DATA_ENV}"
    return DataError(f"{location}: {problem}{hint}")


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
        return "npz", lambda files: load_npz(location, files)
    if match := IDX_NAME.fullmatch(name):
        split = idx_split(match.group(1))
        pairs = idx_pairs(location.parent, _file_names(location.parent))
        if split in pairs:
            return "idx", idx_loader({split: pairs[split]})
    if match := DIGIT_CSV.fullmatch(name):
        split = match.group(2).lower()
        pairs = digit_csv_pairs(location.parent, _file_names(location.parent))
        if split in pairs:
            return "csv", digit_csv_loader({split: pairs[split]})
    elif name.lower().endswith(".csv"):
        return "csv", lambda files: {"all": load_labelled_csv(location, files)}
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
    if has_labels_csv(folder):  # a flat folder of pictures and their labels.csv
        return "images", _ImageFolderLoader(folder, labelled=True)
    names = _file_names(folder)
    if pairs := idx_pairs(folder, names):
        return "idx", idx_loader(_needed(pairs, role))
    npzs = [name for name in names if name.lower().endswith(".npz")]
    if NPZ_NAME in npzs or len(npzs) == 1:
        chosen = folder / (NPZ_NAME if NPZ_NAME in npzs else npzs[0])
        return "npz", lambda files: load_npz(chosen, files)
    if npzs:
        raise DataError(f"{folder}: several .npz files ({', '.join(npzs)}); name one")
    if pairs := digit_csv_pairs(folder, names):
        return "csv", digit_csv_loader(_needed(pairs, role))
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
        split: load_labelled_csv(path, files) for split, path in chosen_csvs.items()
    }


LEFT_OUT_SHOWN = 5  # of an image folder's entries left out, this many are named


class _ImageFolderLoader:
    """Loads `folder`/0 .. 9 (imagefolder.py); afterwards `note` says what was skipped."""

    def __init__(self, folder: Path, *, labelled: bool = False) -> None:
        self.folder = folder
        self.labelled = labelled  # a flat folder with labels.csv, not 0/ .. 9/
        self.note = ""
        self.skipped: tuple[str, ...] = ()

    def __call__(self, files: dict[str, str]) -> dict[str, Split]:
        if self.labelled:
            images = load_labelled_folder(self.folder)
            files[f"{LABELS_CSV} ({len(images.y)} images)"] = images.digest
        else:
            images = load_image_folder(self.folder)
            files[f"0/ to 9/ ({len(images.y)} images)"] = images.digest
        self.skipped = images.skipped_files
        if images.skipped:
            skipped = f"{images.skipped} skipped, unreadable or blank"
            self.note = f"; {skipped} (first: {images.first_skipped})"
        if images.left_out:
            shown = ", ".join(images.left_out[:LEFT_OUT_SHOWN])
            more = len(images.left_out) - LEFT_OUT_SHOWN
            self.note += f"; left out: {shown}" + (f" and {more} more" if more > 0 else "")
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
