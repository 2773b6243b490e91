"""What `predict` and `read` write with `--save-preprocessed`: each input's 28x28 as the model
saw it, in a folder of the user's that a run claims while it writes there."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from digitcli.core.atomic import check_can_create
from digitcli.core.errors import UsageError
from digitcli.imaging.images import save_pixels
from digitcli.inputs.sources import Source


def preview_folder(folder: Path | None) -> Path | None:
    """The --save-preprocessed folder, made if needed; refused when it is a file, or when it
    holds anything already: a file there named as a preview would be replaced, and a link so
    named written through (nothing of the user's is ever written over)."""
    if folder is not None:
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"--save-preprocessed {folder}: not a directory")
        if folder.is_dir() and any(folder.iterdir()):
            raise UsageError(
                f"--save-preprocessed {folder} already holds files: name a new or empty folder "
                "(nothing in it is replaced)"
            )
        check_can_create(folder)  # /proc, a read-only disk: said as for any other output
        folder.mkdir(parents=True, exist_ok=True)
    return folder


CLAIM = ".digitcli-writing"  # in a --save-preprocessed folder while a run writes there


@contextlib.contextmanager
def claimed_previews(folder: Path | None) -> Iterator[Path | None]:
    """`preview_folder`, claimed for this run while it writes there: the check that it is
    empty and the claim are one step (a file made with O_EXCL), so a second run started at
    the same moment is refused rather than writing beside it."""
    folder = preview_folder(folder)
    if folder is None:
        yield None
        return
    claim = folder / CLAIM
    try:
        os.close(os.open(claim, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except FileExistsError:
        raise UsageError(
            f"--save-preprocessed {folder}: another run is writing there: name another folder"
        ) from None
    try:
        yield folder
    finally:
        claim.unlink(missing_ok=True)


def save_preview(pixels: np.ndarray, path: Path) -> None:
    """`save_pixels`, on a full disk naming the file and removing what was written of it."""
    try:
        save_pixels(pixels, path)
    except OSError as error:
        path.unlink(missing_ok=True)
        if error.filename is None:
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise


def preview_name(index: int, source: Source, part: int | None = None) -> str:
    """`00042-photo.png` for the 42nd input (`00042-photo-3.png` for its third digit)."""
    stem = Path(source.name).stem if source.path is not None else "stdin"
    return f"{index + 1:05d}-{stem}{'' if part is None else f'-{part}'}.png"
