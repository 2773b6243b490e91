"""What the user named, as sources: files, folders (with `recursive`, their sub-folders), globs,
`-` for one image on stdin, and lists of paths (one a line, or NUL-separated), read lazily."""

from __future__ import annotations

import errno
import fnmatch
import glob
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from digitcli.core.errors import UsageError
from digitcli.imaging.decoding import MAX_INPUT_BYTES
from digitcli.imaging.images import STDIN_NAME

IMAGE_SUFFIXES = frozenset(
    ".png .jpg .jpeg .bmp .gif .tif .tiff .webp .pgm .ppm .pbm .pnm .ico .jfif".split()
)


STDIN = "-"


MAX_LIST_LINE = 4096  # bytes in one line of --from-list: PATH_MAX on Linux


@dataclass(frozen=True)
class Source:
    """One input: a path, or bytes read from stdin."""

    name: str
    path: Path | None = None
    data: bytes | None = None
    problem: str | None = None  # why this input cannot be read at all (answered as an error)

    def read(self) -> str | Path | bytes:
        return self.data if self.data is not None else self.path


def expand_inputs(
    inputs: Iterable[str], from_list: str | None = None, *, recursive: bool = False
) -> Iterator[Source]:
    """Every input as a `Source`, in order: files, directory contents (with `recursive`, its
    sub-folders' too, as `rg` and `find` search them), glob matches, stdin."""
    inputs = list(inputs)
    if [from_list, *inputs].count(STDIN) > 1:
        raise UsageError(
            "stdin is read once: give `-` either as one image or as the list of paths "
            "(--from-list - or -0 -), not both or twice"
        )
    if from_list is not None:
        yield from _listed(from_list)
    for item in inputs:
        if item == STDIN:
            yield _stdin_image()
            continue
        if "\0" in item:
            yield _unreadable_name(item)
            continue
        path = Path(item)
        if path.is_dir():
            yield from (Source(str(p), path=p) for p in _folder_images(path, recursive))
        elif not path.exists() and glob.has_magic(item):
            matches = sorted(set(_glob(item)))
            if not matches:
                yield Source(item, problem="no file matches this pattern")
            yield from (Source(m, path=Path(m)) for m in matches)
        else:
            yield Source(item, path=path)


def _glob(pattern: str) -> Iterator[str]:
    """What `glob.glob(pattern, recursive=True)` matches, except that `**` never descends into
    a linked folder, as `find`, `rg` and shells' `**` do not: one `up -> ..` link would match
    each picture dozens of times, two never end, a link to `/` searches the whole disk."""
    if "**" not in pattern:
        return iter(glob.glob(pattern))
    absolute = pattern.startswith(os.sep)
    parts = [part for part in pattern.split(os.sep) if part]
    found = _matches(os.sep if absolute else "", parts)
    if pattern.endswith(os.sep):  # `DIR/**/`: the folders, each with its slash, as glob has it
        return (os.path.join(path, "") for path in found if os.path.isdir(path))
    return found


def _matches(base: str, parts: list[str]) -> Iterator[str]:
    head, rest = parts[0], parts[1:]
    if head == "**":
        if not rest:  # `base` itself, as glob lists it
            yield os.path.join(base, "") if base else base
        yield from _any_depth(base, rest)
        return
    if not glob.has_magic(head):
        path = os.path.join(base, head)
        if rest and os.path.isdir(path):
            yield from _matches(path, rest)
        elif not rest and os.path.lexists(path):
            yield path
        return
    for name, _ in _entries(base, hidden=head.startswith(".")):
        if fnmatch.fnmatchcase(name, head):
            path = os.path.join(base, name)
            if not rest:
                yield path
            elif os.path.isdir(path):  # a link named by `*` is followed, as by the shell
                yield from _matches(path, rest)


def _any_depth(base: str, rest: list[str]) -> Iterator[str]:
    """`**/REST` in `base`: REST here and in every real folder below (no link is entered);
    with no REST, everything below."""
    if rest:
        yield from _matches(base, rest)
    for name, linked in _entries(base, hidden=False):
        path = os.path.join(base, name)
        if not rest:
            yield path
        if not linked and os.path.isdir(path):
            yield from _any_depth(path, rest)


def _entries(base: str, *, hidden: bool) -> Iterator[tuple[str, bool]]:
    """The names in `base` (hidden ones only with `hidden`) and whether each is a link."""
    try:
        with os.scandir(base or os.curdir) as entries:
            found = [(e.name, e.is_symlink()) for e in entries if hidden or e.name[0] != "."]
    except OSError:
        return
    yield from found


def _folder_images(folder: Path, recursive: bool) -> list[Path]:
    """The image files in `folder`, sorted; with `recursive`, in its sub-folders too."""
    entries = folder.rglob("*") if recursive else folder.iterdir()
    found = (p for p in entries if p.suffix.lower() in IMAGE_SUFFIXES)
    # Folders named like images are passed over; a link to nothing or a FIFO is not: its
    # row says why it cannot be read, as without --recursive.
    return sorted(p for p in found if not recursive or not p.is_dir())


def not_searched(inputs: list[str]) -> str:
    """What the inputs' folders hold that was not searched: "; DIR's sub-folders (0, 1, ...)
    were not searched: add --recursive (-r) to search them", or ""."""
    for item in inputs:
        path = Path(item)
        try:
            subs = sorted(p.name for p in path.iterdir() if p.is_dir()) if path.is_dir() else []
        except OSError:
            subs = []
        if subs:
            shown = ", ".join(subs[:4]) + (", ..." if len(subs) > 4 else "")
            return (
                f"; {item}'s sub-folders ({shown}) were not searched: add --recursive (-r) "
                "to search them"
            )
    return ""


def _stdin_image() -> Source:
    if sys.stdin.isatty():
        raise UsageError("- reads an image from stdin, which is a terminal: pipe an image in")
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        limit = MAX_INPUT_BYTES / 2**20
        return Source(STDIN_NAME, problem=f"more than {limit:g} MB on stdin: not one image")
    return Source(STDIN_NAME, data=data)


def _unreadable_name(name: str, hint: str = "") -> Source:
    shown = name.replace("\0", "\\0")
    return Source(shown, problem=f"a file name cannot contain a NUL byte{hint}")


class NulList(str):
    """A `--from-list0` list: its paths each end in a NUL byte (`find -print0`, `xargs -0`),
    so that a path may hold a newline."""


def check_list(from_list: str) -> None:
    """A UsageError now, before a model is looked for, where the list cannot be read: stdin
    that is a terminal, a file that is not there, a folder, a file not readable."""
    if from_list == STDIN:
        if sys.stdin.isatty():
            option = "--from-list0" if isinstance(from_list, NulList) else "--from-list"
            raise UsageError(
                f"{option} - reads paths from stdin, which is a terminal: pipe "
                f"them in (find DIR -name '*.png' | digitcli predict {option} -)"
            )
        return
    try:  # stat, not open: a named pipe's writer must not see a reader come and go
        mode = os.stat(from_list).st_mode
    except OSError as exc:
        raise _unreadable_list(from_list, exc.strerror) from None
    if stat.S_ISDIR(mode):
        raise _unreadable_list(from_list, "it is a directory")
    if not os.access(from_list, os.R_OK):
        raise _unreadable_list(from_list, os.strerror(errno.EACCES))


def _unreadable_list(from_list: str, why: str | None) -> UsageError:
    return UsageError(f"{from_list}: cannot read the list ({why})")


def _listed(from_list: str) -> Iterator[Source]:
    check_list(from_list)
    stream = sys.stdin.buffer if from_list == STDIN else _open_list(from_list)
    nul = isinstance(from_list, NulList)
    entries = _nul_entries(stream, from_list) if nul else _lines(stream, from_list)
    for name in entries:
        if "\0" in name:  # a NUL-separated list read as one path a line
            yield _unreadable_name(name, hint=" (a list of paths ending in NUL: --from-list0)")
        elif name.strip():
            yield Source(name, path=Path(name))


# How picture files begin: given as a list of paths, one is said to be a picture.
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n": "PNG",  # (a line of it ends there)
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}


def image_kind(head: bytes) -> str | None:
    """The kind of picture a file beginning with `head` is (its first 16 bytes or more), or
    None. A bitmap only when its header holds a NUL byte ("BMW/photo.png" is a path)."""
    for signature, kind in IMAGE_SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[:2] == b"BM" and b"\0" in head[2:16]:
        return "BMP"
    return None


def refuse_picture(head: bytes, from_list: str) -> None:
    """A UsageError where the list `from_list`, which begins with `head`, is a picture."""
    kind = image_kind(head)
    if kind is not None:
        raise UsageError(
            f"{from_list} is an image ({kind}), not a list of paths: give it as an input "
            f"(digitcli predict {from_list})"
        )


def _lines(stream: BinaryIO, from_list: str) -> Iterator[str]:
    for number, raw in enumerate(iter(lambda: stream.readline(MAX_LIST_LINE + 1), b""), 1):
        if number == 1:
            refuse_picture(raw[:16], from_list)
        if len(raw) > MAX_LIST_LINE and not raw.endswith(b"\n"):
            raise UsageError(
                f"{from_list}: line {number} is longer than {MAX_LIST_LINE} bytes: "
                "not a list of paths, one per line"
            )
        yield raw.decode("utf-8", "surrogateescape").rstrip("\r\n")


def _nul_entries(stream: BinaryIO, from_list: str) -> Iterator[str]:
    """Each NUL-terminated path of `stream` (the last may lack its NUL), read as it comes."""
    pending = b""
    number = empty = 0
    while chunk := stream.read1(MAX_LIST_LINE + 1):
        if number == 0 and not pending:
            refuse_picture(chunk[:16], from_list)
        *done, pending = (pending + chunk).split(b"\0")
        for raw in done:
            number += 1
            empty = 0 if raw else empty + 1
            if empty > MAX_LIST_LINE:  # /dev/zero: never a path, and never an end
                raise UsageError(
                    f"{from_list}: {empty} empty paths in a row: not a list of paths ending "
                    "in NUL bytes"
                )
            yield raw.decode("utf-8", "surrogateescape")
        if len(pending) > MAX_LIST_LINE:
            raise UsageError(
                f"{from_list}: path {number + 1} is longer than {MAX_LIST_LINE} bytes: "
                "not a list of paths ending in NUL bytes"
            )
    if pending:
        yield pending.decode("utf-8", "surrogateescape")


def _open_list(from_list: str) -> BinaryIO:
    """The list file, opened without waiting for a writer: a named pipe nobody writes to reads
    as empty at once (a usage error: no images), one being written to streams as it comes."""
    try:
        fd = os.open(from_list, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:  # (gone, or changed, since check_list)
        raise _unreadable_list(from_list, exc.strerror) from None
    if stat.S_ISDIR(os.fstat(fd).st_mode):
        os.close(fd)
        raise _unreadable_list(from_list, "it is a directory")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")
