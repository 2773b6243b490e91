"""A user's own handwriting as training data: a folder with one sub-folder per digit.

`DIR/0/` .. `DIR/9/` hold image files (the layout of Keras' `image_dataset_from_directory`,
torchvision's ImageFolder and Ultralytics' classify datasets); each is prepared as `predict`
prepares it (`digitcli.imaging.images`), so the network learns from what it will be shown.

What is not read is named, with why, in the dataset's description (`train` prints it): folders
not named 0 .. 9 (`10/`, `x/`), sub-folders of a digit's folder, links to nothing or looping,
files whose names do not end in an image suffix (hidden files such as `.DS_Store` are passed
over unsaid, and so are files beside the digit folders). An image file that cannot be read,
holds no ink, or holds several digits (what `predict` answers with no digit) is skipped and
counted: the count and the first such file are part of the
description too, and each is named with why (`evaluate` prints them). Every digit needs at
least one usable image; `survey` checks that from the listing alone, before anything is decoded
(and, in `train`, before TensorFlow loads). This module never imports TensorFlow.
"""

from __future__ import annotations

import errno
import hashlib
import re
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np

from digitcli.core.config import IMAGE_SIZE, NUM_CLASSES
from digitcli.core.errors import DataError, first_line

DIGIT_FOLDER = re.compile(r"[0-9]")
ORDER_SEED = 0  # the images are shuffled once, so that the held-out test part has every digit


@dataclass(frozen=True)
class FolderImages:
    """The prepared images of a digit-folder tree, shuffled, and what was left out of it."""

    x: np.ndarray  # uint8 (n, 28, 28), white ink on black
    y: np.ndarray  # uint8 (n,)
    skipped: int  # image files unreadable or blank
    first_skipped: str  # "DIR/3/scan.png: not an image ..." or ""
    digest: str  # sha256 over every file's relative path and prepared pixels
    skipped_files: tuple[str, ...] = ()  # each skipped file and why, as first_skipped says it
    left_out: tuple[str, ...] = ()  # "10/ (not a digit folder)": what the listing passed over


@dataclass(frozen=True)
class Survey:
    """The image files of a digit-folder tree, found by listing it, and what was left out."""

    paths: list[Path]
    labels: np.ndarray  # uint8, one a path
    left_out: tuple[str, ...]  # each entry, relative to the folder, with why


def digit_folders(folder: Path) -> list[Path]:
    """The sub-folders of `folder` named 0 .. 9 (empty when it has none)."""
    try:
        return sorted(p for p in folder.iterdir() if DIGIT_FOLDER.fullmatch(p.name) and p.is_dir())
    except OSError as error:
        raise DataError(f"{folder}: cannot list ({first_line(error)})") from error


def load_image_folder(folder: Path) -> FolderImages:
    """Every image under `folder`/0 .. 9, prepared; a DataError names what is missing."""
    found = survey(folder)
    images = _prepared(folder, found.paths, found.labels)
    return replace(images, left_out=found.left_out)


def survey(folder: Path) -> Survey:
    """The image files under `folder`/0 .. 9 and what was left out, from listing alone; a
    DataError names a digit with no folder (and why, where its name is there) or no images."""
    left_out: list[str] = []
    present: dict[int, Path] = {}
    for entry in _listed(folder):
        if DIGIT_FOLDER.fullmatch(entry.name) and entry.is_dir():
            present[int(entry.name)] = entry
        elif entry.is_dir():
            left_out.append(f"{entry.name}/ (not a digit folder, 0/ to 9/)")
        elif entry.is_symlink() or DIGIT_FOLDER.fullmatch(entry.name):
            left_out.append(f"{entry.name} ({_not_there(entry)})")
    missing = [str(d) for d in range(NUM_CLASSES) if d not in present]
    if missing:
        why = [item for item in left_out if item.split(" ")[0] in missing]
        raise DataError(
            f"{folder}: no folder for digit{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (an image folder needs one sub-folder per digit, 0/ to 9/)"
            + (f"; {', '.join(why)}" if why else "")
        )
    paths: list[Path] = []
    labels: list[int] = []
    for digit, sub in sorted(present.items()):
        found = []
        for entry in _listed(sub):
            why = _why_left_out(entry)
            if why is None:
                found.append(entry)
            elif why:
                left_out.append(f"{digit}/{entry.name} ({why})")
        if not found:
            raise DataError(f"{sub}: no image files (each digit needs at least one)")
        paths += found
        labels += [digit] * len(found)
    return Survey(paths, np.array(labels, dtype=np.uint8), tuple(left_out))


LABELS_CSV = "labels.csv"  # a flat folder's labels: a `file,label` header, then one row a file
LABELS_CSV_BYTES = 64 * 1024 * 1024  # a million rows; a longer file is not a labels file


def has_labels_csv(folder: Path) -> bool:
    """Whether `folder` is a flat folder of pictures with a labels.csv (evaluate's --data)."""
    return (folder / LABELS_CSV).is_file()


def load_labelled_folder(folder: Path) -> FolderImages:
    """The pictures `folder`/labels.csv names, each with its digit, prepared; a DataError names
    the line of a row that is not `file,digit` or names a file outside the folder."""
    paths, labels = labels_csv(folder)
    return _prepared(folder, paths, np.array(labels, dtype=np.uint8), every_digit=False)


def labels_csv(folder: Path) -> tuple[list[Path], list[int]]:
    """The files `folder`/labels.csv names and their digits, from the file alone; a
    DataError names a line that is not `file,digit` or names a file outside the folder."""
    import csv
    import io
    import os

    where = folder / LABELS_CSV
    try:
        if where.stat().st_size > LABELS_CSV_BYTES:
            raise DataError(f"{where}: over {LABELS_CSV_BYTES:,} bytes: not a labels file")
        text = where.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{where}: cannot read ({first_line(error)})") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [cell.strip().lower() for cell in rows[0]] != ["file", "label"]:
        raise DataError(f"{where}: the first line must be the header file,label")
    paths, labels = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != 2:
            raise DataError(f"{where}: line {number}: give file,label ({len(row)} fields)")
        name, label = row[0].strip(), row[1].strip()
        if not (label.isdigit() and len(label) == 1):
            raise DataError(f"{where}: line {number}: label {label!r} is not a digit 0-9")
        inside = os.path.normpath(name)
        if os.path.isabs(inside) or inside == ".." or inside.startswith(".." + os.sep):
            raise DataError(f"{where}: line {number}: {name} is outside the folder")
        paths.append(folder / inside)
        labels.append(int(label))
    if not paths:
        raise DataError(f"{where}: no rows after the header file,label")
    return paths, labels


def _listed(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError as error:
        raise DataError(f"{folder}: cannot list ({first_line(error)})") from error


def _why_left_out(entry: Path) -> str | None:
    """Why a digit folder's entry is not read (None: it is; "": unsaid, a hidden file)."""
    from digitcli.inputs.sources import IMAGE_SUFFIXES

    if entry.name.startswith("."):
        return ""
    if entry.is_dir():
        return "a sub-folder: only the files of a digit's folder are read"
    if not entry.is_file():
        return _not_there(entry)
    if entry.suffix.lower() not in IMAGE_SUFFIXES:
        return f"not an image file name: {', '.join(sorted(IMAGE_SUFFIXES))}"
    return None


def _not_there(entry: Path) -> str:
    """What a name that is neither a folder nor a file is."""
    if entry.is_symlink():
        try:
            entry.resolve(strict=True)
        except RuntimeError:
            return "a link that loops"
        except OSError as error:
            if error.errno == errno.ELOOP:
                return "a link that loops"
            return "a link to nothing"
        return "a link to neither a file nor a folder"
    return "a file, not a folder" if entry.is_file() else "neither a file nor a folder"


def _why(path: Path, prepared) -> str:
    """Why a picture `predict` would not answer with a digit is not learnt as one."""
    from digitcli.imaging import verdict

    return f"{path}: {verdict.note(prepared)}"


def _prepared(
    folder: Path, paths: list[Path], labels: np.ndarray, *, every_digit: bool = True
) -> FolderImages:
    from digitcli.core.errors import ImageError
    from digitcli.imaging.images import Prepared
    from digitcli.inputs.batches import prepare_source, prepared_batches

    pixels = np.zeros((len(paths), IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    usable = np.zeros(len(paths), dtype=bool)
    digest = hashlib.sha256()
    reasons = [""] * len(paths)  # why each picture left out is
    index = 0
    work = partial(prepare_source, invert="auto")
    for _, batch in prepared_batches([str(p) for p in paths], None, work):
        for item in batch:
            path = paths[index]
            digest.update(f"{path.relative_to(folder).as_posix()}\0".encode())
            if isinstance(item, Prepared) and item.has_ink and not item.several:
                pixels[index], usable[index] = item.pixels, True
                digest.update(item.pixels.tobytes())
            else:
                reasons[index] = (
                    first_line(item) if isinstance(item, ImageError) else _why(path, item)
                )
            index += 1
    if not usable.any():
        raise DataError(f"{folder}: no usable images (first: {reasons[0]})")
    for digit in range(NUM_CLASSES) if every_digit else ():
        mine = np.flatnonzero(labels == digit)
        if not usable[mine].any():
            first = reasons[mine[0]] if mine.size else "no picture of it"
            raise DataError(f"{folder / str(digit)}: no usable images (first: {first})")
    order = np.random.default_rng(ORDER_SEED).permutation(int(usable.sum()))
    skipped = [reason for reason in reasons if reason]
    return FolderImages(
        pixels[usable][order],
        labels[usable][order],
        int((~usable).sum()),
        skipped[0] if skipped else "",
        digest.hexdigest(),
        tuple(skipped),
    )
