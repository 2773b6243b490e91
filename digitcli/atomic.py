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


def check_writable(target: Path, *, force: bool) -> None:
    """Refuse early, before any work, when `target` exists and `force` is not given."""
    if target.exists() and not force:
        raise OutputExistsError(f"{target} already exists (use --force to replace it)")


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
            fcntl.flock(lock, fcntl.LOCK_UN)
            with contextlib.suppress(FileNotFoundError):
                lock_path.unlink()
