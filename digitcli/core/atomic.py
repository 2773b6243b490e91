"""Outputs written whole or not at all, never over an existing one unasked, one writer at a time."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import glob
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from digitcli.core.errors import OutputExistsError, UsageError


def _sibling(target: Path, tag: str) -> Path:
    return target.parent / f".{target.name}.{tag}-{os.getpid()}"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# A folder holding one of these was written by digitcli, and the marker says what it is (the
# first found: a checkpoint holds a model too). --force replaces such a folder and no other, and
# only with an output of its own kind: a model directory is never replaced by its report.
FOLDER_KINDS = {
    "state.json": "training checkpoint",
    "metadata.json": "model directory",
    "saved_model.pb": "SavedModel export",
    "report.html": "report",
}
DIGITCLI_MARKERS = tuple(FOLDER_KINDS)
MODEL_DIRECTORY = "model directory"
REPORT = "report"
SAVEDMODEL = "SavedModel export"
FILE = "file"  # `check_writable(kind=FILE)`: the output is one file, not a folder


def check_writable(target: Path, *, force: bool, kind: str | None = None) -> None:
    """Refuse early, before any work, when `target` exists and `force` is not given, when it is a
    folder digitcli did not write, or when it holds the working directory.

    `kind`, when given, is what the output is: `FILE`, or one of `FOLDER_KINDS`' values. An
    existing `target` of another kind is refused even with `force`: a folder output never
    replaces a file, a file never a folder, and a digitcli folder only one of its own kind."""
    target = Path(target)
    if str(target) in ("", ".") or _holds_cwd(target):
        shown = str(target) if str(target) not in ("", ".") else "the current folder"
        raise UsageError(f"{shown}: not a place to write an output into (name a new folder)")
    check_can_create(target)
    if not target.exists() and not target.is_symlink():
        return
    if kind is not None:
        _check_same_kind(target, kind)
    if not force:
        raise OutputExistsError(f"{target} already exists (use --force to replace it)")
    if target.is_dir() and not target.is_symlink() and not written_by_digitcli(target):
        raise UsageError(
            f"{target} is a folder digitcli did not write: --force replaces only digitcli's own "
            "outputs (model directories, reports, exports); choose another --output"
        )


def _check_same_kind(target: Path, kind: str) -> None:
    """An existing `target` that an output of `kind` must not replace, even with --force."""
    is_folder = target.is_dir() and not target.is_symlink()
    if kind == FILE and is_folder:
        raise UsageError(f"{target} is a folder, not a file: choose another output name")
    if kind != FILE and not is_folder:
        raise UsageError(
            f"{target} is a file, not a folder: a {kind} is a folder; choose another output"
        )
    found = folder_kind(target) if is_folder else None
    if found is not None and found != kind:
        raise UsageError(
            f"{target} is a {found}: it is replaced only by another {found}, not by a {kind}; "
            "choose another output"
        )


def folder_kind(folder: Path) -> str | None:
    """What digitcli wrote `folder` as (a value of `FOLDER_KINDS`), or None."""
    return next(
        (kind for marker, kind in FOLDER_KINDS.items() if (folder / marker).is_file()), None
    )


def check_can_create(target: Path) -> None:
    """Refuse `target` when the nearest of its folders that exists is a file, or nothing can
    be created in it (read-only, not ours, /proc): found by creating and removing an empty
    file there, which root's permission to write anywhere, a read-only mount and /proc all
    answer truly."""
    import tempfile

    target = Path(target)
    folder = next((folder for folder in target.parents if folder.exists()), None)
    if folder is None:
        return
    if not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder: cannot write {target}")
    try:
        handle, probe = tempfile.mkstemp(prefix=".digitcli-probe-", dir=folder)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(f"cannot write {target}: {folder} is not writable ({reason})") from None
    os.close(handle)
    os.unlink(probe)


def written_by_digitcli(folder: Path) -> bool:
    return any((folder / marker).is_file() for marker in DIGITCLI_MARKERS)


def _holds_cwd(target: Path) -> bool:
    try:
        return Path.cwd().resolve().is_relative_to(target.resolve())
    except OSError:
        return False


FULL = (errno.ENOSPC, errno.EDQUOT)  # a full disk, or quota: the error then names the output


@contextlib.contextmanager
def atomic_output(
    target: Path, *, force: bool = False, directory: bool = False, kind: str | None = None
) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` in one rename.

    On any exception the temporary is removed and `target` is left as it was. `kind`: what the
    output is (see `check_writable`); a `directory` never replaces a file.
    """
    recover(target)
    check_writable(target, force=force, kind=kind)
    if directory and target.exists() and not (target.is_dir() and not target.is_symlink()):
        raise UsageError(f"{target} is a file, not a folder: choose another output")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(target, "tmp")
    _remove(staging)
    if directory:
        staging.mkdir()
    try:
        yield staging
        _fsync_tree(staging)
    except BaseException as error:
        _remove(staging)
        if isinstance(error, OSError) and error.errno in FULL and error.filename is None:
            raise OSError(error.errno, error.strerror, str(target)) from None  # say where
        raise
    if target.is_dir() and not target.is_symlink():
        # One atomic step swaps the new folder with the old one: at every instant `target` is
        # whole, old or new, even after a kill -9; the old one is then removed.
        _exchange(staging, target)
        _remove(staging)
    else:
        os.replace(staging, target)
    _fsync(target.parent)


def _exchange(a: Path, b: Path) -> None:
    """renameat2(RENAME_EXCHANGE): Linux swaps two paths atomically. Elsewhere (or on a file
    system without it), the old folder is moved aside first: a kill between the two renames
    then leaves it under its `.old-PID` name, which `recover` puts back."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd, rename_exchange = -100, 2
        done = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    except (AttributeError, OSError):
        done = -1
    if done == 0:
        return
    retired = _sibling(b, "old")
    os.replace(b, retired)
    os.replace(a, b)
    os.replace(retired, a)


def recover(target: Path) -> None:
    """What killed runs left beside `target`: their temporary and work folders go; an old
    folder moved aside and never replaced comes back."""
    if not target.parent.is_dir():
        return
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.*-*"):
        kind, _, pid = leftover.name.rpartition(".")[2].partition("-")
        if kind not in ("tmp", "old", "work") or not pid.isdigit() or _running(int(pid)):
            continue
        if kind == "old" and not target.exists():
            os.replace(leftover, target)
        else:
            _remove(leftover)


@contextlib.contextmanager
def work_folder(target: Path) -> Iterator[Path]:
    """A hidden folder beside `target` to work in, removed afterwards; named for this process,
    so that what a killed run left there `recover` removes."""
    folder = _sibling(target, "work")
    _remove(folder)
    folder.mkdir()
    try:
        yield folder
    finally:
        _remove(folder)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_tree(path: Path) -> None:
    """Flush what was written under `path` to the disk before it is renamed into place."""
    if path.is_dir():
        for folder, _, files in os.walk(path):
            for name in files:
                _fsync(Path(folder) / name)
            _fsync(Path(folder))
    elif path.exists():
        _fsync(path)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """Hold a lock on `target` so that two runs aimed at the same output cannot interleave.

    The lock file is removed by its holder before it lets go. A process that locked the file just
    as it was removed holds a lock on a name nobody else can find: it sees that the name now
    points elsewhere (or nowhere) and tries again, so two writers never both hold "the" lock.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    while True:
        lock = open(lock_path, "a")  # noqa: SIM115 - closed below
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise UsageError(f"{target} is being written by another digitcli process") from None
        if _same_file(lock, lock_path):
            break
        lock.close()
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock_path.unlink()  # while still holding it
        lock.close()


def _same_file(handle, path: Path) -> bool:
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(handle.fileno())
    return (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino)


def write_whole(target: Path, data: bytes) -> None:
    """Write the small file `target` whole (a reader sees the old file or the new, never part)
    by the umask as any other file is made (not mkstemp's 0600); an OSError leaves no staging
    file behind, nor does an interruption."""
    staging = _sibling(target, os.urandom(4).hex())
    handle = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(staging, target)  # never over a folder: that fails, the folder kept
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
