"""Outputs written whole or not at all, never over an existing one unasked, one writer at a time."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from digitcli.errors import OutputExistsError, UsageError


def _sibling(target: Path, tag: str) -> Path:
    return target.parent / f".{target.name}.{tag}-{os.getpid()}"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# A folder holding one of these was written by digitcli: a model directory, a report, a SavedModel
# export, a training checkpoint. --force replaces such a folder and no other.
DIGITCLI_MARKERS = ("metadata.json", "report.html", "saved_model.pb", "state.json")


def check_writable(target: Path, *, force: bool) -> None:
    """Refuse early, before any work, when `target` exists and `force` is not given, when it is a
    folder digitcli did not write, or when it holds the working directory."""
    target = Path(target)
    if str(target) in ("", ".") or _holds_cwd(target):
        shown = str(target) if str(target) not in ("", ".") else "the current folder"
        raise UsageError(f"{shown}: not a place to write an output into (name a new folder)")
    for folder in target.parents:
        if folder.exists():
            if not folder.is_dir():
                raise UsageError(f"{folder} is a file, not a folder: cannot write {target}")
            break
    if not target.exists() and not target.is_symlink():
        return
    if not force:
        raise OutputExistsError(f"{target} already exists (use --force to replace it)")
    if target.is_dir() and not target.is_symlink() and not written_by_digitcli(target):
        raise UsageError(
            f"{target} is a folder digitcli did not write: --force replaces only digitcli's own "
            "outputs (model directories, reports, exports); choose another --output"
        )


def written_by_digitcli(folder: Path) -> bool:
    return any((folder / marker).is_file() for marker in DIGITCLI_MARKERS)


def _holds_cwd(target: Path) -> bool:
    try:
        return Path.cwd().resolve().is_relative_to(target.resolve())
    except OSError:
        return False


@contextlib.contextmanager
def atomic_output(target: Path, *, force: bool = False, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` in one rename.

    On any exception the temporary is removed and `target` is left as it was.
    """
    check_writable(target, force=force)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(target, "tmp")
    _remove(staging)
    if directory:
        staging.mkdir()
    try:
        yield staging
    except BaseException:
        _remove(staging)
        raise
    if target.is_dir() and not target.is_symlink():
        # A directory cannot be replaced by rename: move the old one aside first.
        retired = _sibling(target, "old")
        os.replace(target, retired)
        os.replace(staging, target)
        _remove(retired)
    else:
        os.replace(staging, target)


@contextlib.contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """Hold a lock on `target` so that two runs aimed at the same output cannot interleave."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"{target} is being written by another digitcli process") from None
        try:
            yield
        finally:
            # The lock file stays: unlinking it would let a third process lock a new file
            # while a second still holds the old one (two writers at once).
            fcntl.flock(lock, fcntl.LOCK_UN)
