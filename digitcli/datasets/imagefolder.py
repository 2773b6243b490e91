"""A user's own handwriting as training data: a folder with one sub-folder per digit.

`DIR/0/` .. `DIR/9/` hold image files (the layout of Keras' `image_dataset_from_directory`,
torchvision's ImageFolder and Ultralytics' classify datasets); each is prepared as `predict`
prepares it (`digitcli.imaging.images`), so the network learns from what it will be shown.

Files whose names do not end in an image suffix (notes, `.DS_Store`) are ignored. An image file
that cannot be read, or holds no ink, is skipped and counted: the count and the first such file
are part of the dataset's description (`train` prints it), and each is named with why
(`evaluate` prints them). Every digit needs at least one usable
image. This module never imports TensorFlow.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
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


def digit_folders(folder: Path) -> list[Path]:
    """The sub-folders of `folder` named 0 .. 9 (empty when it has none)."""
    try:
        return sorted(p for p in folder.iterdir() if DIGIT_FOLDER.fullmatch(p.name) and p.is_dir())
    except OSError as error:
        raise DataError(f"{folder}: cannot list ({first_line(error)})") from error


def load_image_folder(folder: Path) -> FolderImages:
    """Every image under `folder`/0 .. 9, prepared; a DataError names what is missing."""
    from digitcli.predicting.predict import IMAGE_SUFFIXES

    present = {int(p.name): p for p in digit_folders(folder)}
    missing = [str(d) for d in range(NUM_CLASSES) if d not in present]
    if missing:
        raise DataError(
            f"{folder}: no folder for digit{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (an image folder needs one sub-folder per digit, 0/ to 9/)"
        )
    paths: list[Path] = []
    labels: list[int] = []
    for digit, sub in present.items():
        try:
            found = sorted(
                p for p in sub.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
            )
        except OSError as error:
            raise DataError(f"{sub}: cannot list ({first_line(error)})") from error
        if not found:
            raise DataError(f"{sub}: no image files (each digit needs at least one)")
        paths += found
        labels += [digit] * len(found)
    return _prepared(folder, paths, np.array(labels, dtype=np.uint8))


def _prepared(folder: Path, paths: list[Path], labels: np.ndarray) -> FolderImages:
    from digitcli.core.errors import ImageError
    from digitcli.imaging.images import Prepared
    from digitcli.predicting.predict import _prepare, prepared_batches

    pixels = np.zeros((len(paths), IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    usable = np.zeros(len(paths), dtype=bool)
    digest = hashlib.sha256()
    skipped: list[str] = []
    index = 0
    work = partial(_prepare, invert="auto")
    for _, batch in prepared_batches([str(p) for p in paths], None, work):
        for item in batch:
            path = paths[index]
            digest.update(f"{path.relative_to(folder).as_posix()}\0".encode())
            if isinstance(item, Prepared) and item.has_ink:
                pixels[index], usable[index] = item.pixels, True
                digest.update(item.pixels.tobytes())
            else:
                blank = f"{path}: no ink found"
                skipped.append(first_line(item) if isinstance(item, ImageError) else blank)
            index += 1
    for digit in range(NUM_CLASSES):
        if not usable[labels == digit].any():
            raise DataError(f"{folder / str(digit)}: no usable images (unreadable or blank)")
    order = np.random.default_rng(ORDER_SEED).permutation(int(usable.sum()))
    return FolderImages(
        pixels[usable][order],
        labels[usable][order],
        int((~usable).sum()),
        skipped[0] if skipped else "",
        digest.hexdigest(),
        tuple(skipped),
    )
