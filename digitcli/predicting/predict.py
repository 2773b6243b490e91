"""Answer "which digit?" for many image files, in input order, streamed in batches.

Inputs are expanded lazily (files, directories, globs, `-` for stdin bytes, a list file), images
are prepared to MNIST's convention by `digitcli.imaging.images`, and the model runs once per batch.
Memory stays flat however many inputs there are.
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeVar

import numpy as np

from digitcli.core.errors import ImageError, UsageError, unexpected_image_error
from digitcli.imaging.decoding import MAX_INPUT_BYTES
from digitcli.imaging.images import STDIN_NAME, Prepared, prepare_file, save_pixels
from digitcli.models.runtimes import Runtime, load_runtime, resolve_model

if TYPE_CHECKING:
    from concurrent.futures import Executor

BATCH_SIZE = 256  # images prepared, then predicted together
PARALLEL_FROM = 16  # fewer inputs are prepared in-process: workers would cost more than they save
IMAGE_SUFFIXES = frozenset(
    ".png .jpg .jpeg .bmp .gif .tif .tiff .webp .pgm .ppm .pbm .pnm .ico .jfif".split()
)
STDIN = "-"
MAX_LIST_LINE = 4096  # bytes in one line of --from-list: PATH_MAX on Linux
T = TypeVar("T")


@dataclass
class Prediction:
    """One answer. `digit` is None when there is no confident answer; `note` then says why."""

    file: str
    digit: int | None = None
    confidence: float | None = None
    top: list[tuple[int, float]] = field(default_factory=list)
    error: str | None = None
    note: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def to_json(self) -> dict:
        if self.error is not None:
            return {"file": self.file, "error": self.error}
        data = {
            "file": self.file,
            "digit": self.digit,
            "confidence": self.confidence,
            "top": [[digit, probability] for digit, probability in self.top],
        }
        if self.note:
            data["note"] = self.note
        return data


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
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                yield Source(item, problem="no file matches this pattern")
            yield from (Source(m, path=Path(m)) for m in matches)
        else:
            yield Source(item, path=path)


def _folder_images(folder: Path, recursive: bool) -> list[Path]:
    """The image files in `folder`, sorted; with `recursive`, in its sub-folders too."""
    entries = folder.rglob("*") if recursive else folder.iterdir()
    found = (p for p in entries if p.suffix.lower() in IMAGE_SUFFIXES)
    return sorted(p for p in found if not recursive or p.is_file())


def _not_searched(inputs: list[str]) -> str:
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


def _listed(from_list: str) -> Iterator[Source]:
    nul = isinstance(from_list, NulList)
    option = "--from-list0" if nul else "--from-list"
    if from_list == STDIN:
        if sys.stdin.isatty():
            raise UsageError(
                f"{option} - reads paths from stdin, which is a terminal: pipe "
                f"them in (find DIR -name '*.png' | digitcli predict {option} -)"
            )
        stream = sys.stdin.buffer
    else:
        stream = _open_list(from_list)
    entries = _nul_entries(stream, from_list) if nul else _lines(stream, from_list)
    for name in entries:
        if "\0" in name:  # a NUL-separated list read as one path a line
            yield _unreadable_name(name, hint=" (a list of paths ending in NUL: --from-list0)")
        elif name.strip():
            yield Source(name, path=Path(name))


def _lines(stream: BinaryIO, from_list: str) -> Iterator[str]:
    for number, raw in enumerate(iter(lambda: stream.readline(MAX_LIST_LINE + 1), b""), 1):
        if len(raw) > MAX_LIST_LINE and not raw.endswith(b"\n"):
            raise UsageError(
                f"{from_list}: line {number} is longer than {MAX_LIST_LINE} bytes: "
                "not a list of paths, one per line"
            )
        yield raw.decode("utf-8", "surrogateescape").rstrip("\r\n")


def _nul_entries(stream: BinaryIO, from_list: str) -> Iterator[str]:
    """Each NUL-terminated path of `stream` (the last may lack its NUL), read as it comes."""
    pending = b""
    number = 0
    while chunk := stream.read1(MAX_LIST_LINE + 1):
        *done, pending = (pending + chunk).split(b"\0")
        for raw in done:
            number += 1
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
    except OSError as exc:
        raise UsageError(f"{from_list}: cannot read the list ({exc.strerror})") from None
    if stat.S_ISDIR(os.fstat(fd).st_mode):
        os.close(fd)
        raise UsageError(f"{from_list}: cannot read the list (it is a directory)")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def predict(
    inputs: Iterable[str] = (),
    *,
    from_list: str | None = None,
    model: str | Path | None = None,
    top_k: int = 3,
    threshold: float | None = None,
    invert: str = "auto",
    save_preprocessed: Path | None = None,
    batch_size: int = BATCH_SIZE,
    recursive: bool = False,
) -> Iterator[Prediction]:
    """Predict the digit in each input, yielding one `Prediction` per input in input order;
    `recursive`: folders' sub-folders are searched too."""
    runtime = runtime_loader(model)
    previews = preview_folder(save_preprocessed)
    index = 0
    work = partial(_prepare, invert=invert)
    batches = prepared_batches(
        inputs, from_list, work, batch_size, meanwhile=runtime, recursive=recursive
    )
    for batch, prepared in batches:
        yield from _answer(runtime(), batch, prepared, top_k, threshold)
        if previews is not None:
            _save_previews(previews, index, batch, prepared)
        index += len(batch)


def predict_sources(
    runtime: Runtime,
    sources: list[Source],
    *,
    top_k: int = 3,
    threshold: float | None = None,
    invert: str = "auto",
) -> tuple[list[Prediction], list[Prepared | ImageError]]:
    """One batch answered in this process (what `serve` runs per request): each source's
    `Prediction`, exactly as `predict` gives it, and what the model saw."""
    prepared = [_prepare(source, invert) for source in sources]
    return list(_answer(runtime, sources, prepared, top_k, threshold)), prepared


def runtime_loader(model: str | Path | None) -> Callable[[], Runtime]:
    """The model's runtime, loaded on the first call (the model is found, or refused, now):
    `prepared_batches` loads it while the workers prepare the first batch (LiteRT's import
    and the model's loading overlap the preparing)."""
    return cache(partial(load_runtime, resolve_model(model)))


def preview_folder(folder: Path | None) -> Path | None:
    """The --save-preprocessed folder, made if needed; refused when it is a file."""
    if folder is not None:
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"--save-preprocessed {folder}: not a directory")
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def prepared_batches(
    inputs: Iterable[str],
    from_list: str | None,
    work: Callable[[Source], T],
    batch_size: int = BATCH_SIZE,
    *,
    meanwhile: Callable[[], object] | None = None,
    recursive: bool = False,
) -> Iterator[tuple[list[Source], list[T | ImageError]]]:
    """The inputs in batches, each with `work` done on every source (in worker processes once
    a batch is large enough), in input order; `meanwhile` is called once, while the workers
    start on the first batch; `recursive`: folders' sub-folders are searched too. A source
    whose worker was killed (the OOM killer) is an ImageError, the others are answered. No
    input at all is a usage error, which names the sub-folders not searched."""
    count = 0
    with contextlib.ExitStack() as stack:
        pool: Workers | None = None
        waiting: tuple[list[Source], Callable[[], list[T | ImageError]]] | None = None
        for batch in _chunks(expand_inputs(inputs, from_list, recursive=recursive), batch_size):
            if pool is None and len(batch) >= PARALLEL_FROM:
                pool = Workers()
                # Shut down on the way out; after an error in the caller, the work not yet
                # started is dropped (at the end, there is none left).
                stack.callback(pool.shutdown)
            # The workers start on this batch while the caller runs the model on the last one.
            if pool is not None:
                done = pool.start(work, batch)
            else:
                results = list(map(work, batch))
                done = partial(list, results)
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
            if waiting is not None:
                yield waiting[0], waiting[1]()
            waiting = (batch, done)
            count += len(batch)
        if waiting is not None:
            yield waiting[0], waiting[1]()
    if count == 0:
        named = ", ".join(list(inputs)[:3]) or from_list or "the inputs"
        suffixes = " ".join(sorted(IMAGE_SUFFIXES))
        skipped = "" if recursive else _not_searched(list(inputs))
        raise UsageError(f"no images found in {named} (image files end in: {suffixes}){skipped}")


WORKER_CHUNK = 8  # sources a worker takes at a time


class Workers:
    """One worker process per core (decoding and preparing are CPU-bound and partly hold the
    GIL) that outlive the loss of one: when a worker is killed, every source the pool had not
    finished is done again one at a time in a fresh pool, and a source whose worker is killed
    then is answered with an error."""

    def __init__(self) -> None:
        self._executor: Executor | None = None

    def start(self, work: Callable[[Source], T], batch: list[Source]) -> Callable[[], list]:
        """Start `work` on the batch; the returned function waits for its results in order."""
        from concurrent.futures.process import BrokenProcessPool

        chunks = [batch[i : i + WORKER_CHUNK] for i in range(0, len(batch), WORKER_CHUNK)]
        executor, futures = self._running(), []
        try:
            futures = [executor.submit(_work_on, work, chunk) for chunk in chunks]
        except BrokenProcessPool:  # lost a worker since the last batch: the rest done alone
            pass
        return partial(self._results, work, chunks, futures, executor)

    def _results(
        self, work: Callable[[Source], T], chunks: list, futures: list, executor: Executor
    ) -> list:
        from concurrent.futures import CancelledError
        from concurrent.futures.process import BrokenProcessPool

        results: list = []
        for index, chunk in enumerate(chunks):
            try:
                results.extend(futures[index].result())
            except (BrokenProcessPool, CancelledError, IndexError):
                if self._executor is executor:
                    self.shutdown()  # every unfinished future of a broken pool fails too
                results.extend(self._alone(work, source) for source in chunk)
        return results

    def _alone(self, work: Callable[[Source], T], source: Source) -> T | ImageError:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self._running().submit(work, source).result()
        except BrokenProcessPool:
            self.shutdown()
            return ImageError(f"{source.name}: {LOST}")

    def _running(self) -> Executor:
        if self._executor is None:
            self._executor = _workers()
        return self._executor

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None


LOST = "the worker process preparing it was killed (out of memory?)"


def _work_on(work: Callable[[Source], T], chunk: list[Source]) -> list[T]:
    return [work(source) for source in chunk]


def _workers() -> Executor:
    """(Imported here: a one-image predict, which needs no workers, does not pay for it.)"""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    cores = os.cpu_count() or 1
    # fork: the workers start at once, with the modules already imported.
    return ProcessPoolExecutor(
        max_workers=cores,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )


def _die_with_parent(parent: int) -> None:
    """A worker ends when the predict process does, however it ended (kill -9 included):
    otherwise it would hold the pipe open and `digitcli predict dir | wc -l` never returns."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: Linux sends SIGKILL at the parent's end
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if os.getppid() != parent:  # the parent ended before prctl took effect
        os._exit(1)


def _save_previews(
    folder: Path, start: int, batch: list[Source], prepared: list[Prepared | ImageError]
) -> None:
    for offset, (source, item) in enumerate(zip(batch, prepared, strict=True)):
        if isinstance(item, Prepared):
            save_pixels(item.pixels, folder / preview_name(start + offset, source))


def _prepare(source: Source, invert: str) -> Prepared | ImageError:
    if source.problem is not None:
        return ImageError(f"{source.name}: {source.problem}")
    try:
        return prepare_file(source.read(), invert=invert, name=source.name)
    except ImageError as error:
        return error
    except Exception as error:  # one picture's bug must not cost its batch its answers
        return unexpected_image_error(source.name, error)


def _answer(
    runtime: Runtime,
    batch: list[Source],
    prepared: list[Prepared | ImageError],
    top_k: int,
    threshold: float | None,
) -> Iterator[Prediction]:
    inked = [i for i, item in enumerate(prepared) if isinstance(item, Prepared) and item.has_ink]
    probabilities = (
        runtime.predict(np.stack([prepared[i].pixels for i in inked]))
        if inked
        else np.zeros((0, 10))
    )
    rows = dict(zip(inked, probabilities, strict=True))
    for i, (source, item) in enumerate(zip(batch, prepared, strict=True)):
        if isinstance(item, ImageError):
            yield Prediction(source.name, error=without_name(str(item), source.name))
        elif i not in rows:
            yield Prediction(source.name, note="no digit found: the image is blank")
        elif item.several:
            found = f"{item.groups} found" if item.groups > 1 else "2 or more, touching"
            yield Prediction(source.name, note=f"several digits ({found}): use `digitcli read`")
        else:
            yield _decide(source.name, rows[i], top_k, threshold)


def _decide(
    name: str, probabilities: np.ndarray, top_k: int, threshold: float | None
) -> Prediction:
    order = np.argsort(-probabilities, kind="stable")
    best = int(order[0])
    confidence = round(float(probabilities[best]), 6)
    top = [(int(d), round(float(probabilities[d]), 6)) for d in order[: max(top_k, 1)]]
    if threshold is not None and confidence < threshold:
        note = f"confidence {confidence:.3f} is below the threshold {threshold:g}"
        return Prediction(name, None, confidence, top, note=note)
    return Prediction(name, best, confidence, top)


def without_name(message: str, name: str) -> str:
    prefix = f"{name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def preview_name(index: int, source: Source, part: int | None = None) -> str:
    """`00042-photo.png` for the 42nd input (`00042-photo-3.png` for its third digit)."""
    stem = Path(source.name).stem if source.path is not None else "stdin"
    return f"{index + 1:05d}-{stem}{'' if part is None else f'-{part}'}.png"


def _chunks(items: Iterable[Source], size: int) -> Iterator[list[Source]]:
    chunk: list[Source] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
