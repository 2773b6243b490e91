"""Sources in batches, each prepared (in worker processes once a batch is large enough) while
the caller answers the last one: what `predict`, `read`, `serve` and the image-folder dataset
share."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TypeVar

from digitcli.core.errors import ImageError, UsageError, unexpected_image_error
from digitcli.imaging.images import Prepared, prepare_picture
from digitcli.imaging.opening import Picture
from digitcli.inputs.sources import IMAGE_SUFFIXES, Source, expand_inputs, not_searched
from digitcli.inputs.workers import Workers

T = TypeVar("T")

BATCH_SIZE = 256  # images prepared, then predicted together


PARALLEL_FROM = 16  # fewer inputs are prepared in-process: workers would cost more than they save


def prepared_batches(
    inputs: Iterable[str | os.PathLike],
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
    input at all is a usage error, which names the sub-folders not searched. A `Path` is
    named as its string."""
    count = 0
    sources = expand_inputs(map(os.fsdecode, inputs), from_list, recursive=recursive)
    for batch, done in source_batches(sources, work, batch_size, meanwhile=meanwhile):
        count += len(batch)
        yield batch, done
    if count == 0:
        named = [os.fsdecode(item) for item in inputs]  # (streamed ones: read already, none)
        if from_list is not None and not named:
            raise UsageError(
                f"no images found: the list {from_list} holds no paths (or blank lines only)"
            )
        raise no_images(named, from_list, recursive=recursive)


def no_images(inputs: list[str], from_list: str | None = None, *, recursive: bool) -> UsageError:
    """The error of inputs that hold no picture: which, the endings looked for, and the
    sub-folders not searched."""
    named = ", ".join(inputs[:3]) or from_list or "the inputs"
    suffixes = " ".join(sorted(IMAGE_SUFFIXES))
    skipped = "" if recursive else not_searched(inputs)
    return UsageError(f"no images found in {named} (image files end in: {suffixes}){skipped}")


def source_batches(
    sources: Iterable[Source],
    work: Callable[[Source], T],
    batch_size: int = BATCH_SIZE,
    *,
    meanwhile: Callable[[], object] | None = None,
    processes: int | None = None,
) -> Iterator[tuple[list[Source], list[T | ImageError]]]:
    """`prepared_batches` of sources already made (the Python API's bytes and arrays);
    `processes`: how many worker processes (None: one per core; 0: none, all in this one)."""
    with contextlib.ExitStack() as stack:
        pool: Workers | None = None
        waiting: tuple[list[Source], Callable[[], list[T | ImageError]]] | None = None
        for batch in chunked(sources, batch_size):
            if pool is None and processes != 0 and len(batch) >= PARALLEL_FROM and _may_fork():
                pool = Workers(processes)
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
        if waiting is not None:
            yield waiting[0], waiting[1]()


def _may_fork() -> bool:
    """Whether this process may start worker processes: not a daemonic one (a
    multiprocessing.Pool's worker), which may have no children, nor one running other
    threads (the Python API's callers'), which a fork may copy holding a lock its child then
    waits on forever (8 threads each forking a pool hung). Either prepares in-process."""
    import multiprocessing
    import threading

    others = [
        thread
        for thread in threading.enumerate()
        if thread is not threading.current_thread() and thread.name not in OUR_IDLE_THREADS
    ]
    return not multiprocessing.current_process().daemon and not others


# Threads of digitcli's own that only wait and write a line (console's "still at work"):
# they hold no lock a fork could copy.
OUR_IDLE_THREADS = frozenset({"digitcli-still-at-work"})


def prepare_source(source: Source, invert: str) -> Prepared | ImageError:
    """One source prepared as `predict` prepares it (in a worker); a source that cannot be
    read, or a picture that fails to prepare, is its ImageError: the batch goes on."""
    return opened_and_prepared(source, invert)[1]


def opened_and_prepared(
    source: Source, invert: str
) -> tuple[Picture | None, Prepared | ImageError]:
    """`prepare_source`'s answer, with the source opened (its `Picture`, read once: a named
    pipe gives its bytes once, and `read` looks at the picture again, from the same
    decoding where it can); None with an ImageError."""
    if source.problem is not None:
        return None, ImageError(f"{source.name}: {source.problem}")
    try:
        picture = Picture(source.read(), name=source.name)
        return picture, prepare_picture(picture, invert=invert)
    except ImageError as error:
        return None, _without_frames(error)
    except Exception as error:  # one picture's bug must not cost its batch its answers
        return None, unexpected_image_error(source.name, error)


def _without_frames(error: ImageError) -> ImageError:
    """`error` as a row keeps it: its message, without the tracebacks of it and of the errors
    behind it, whose frames hold the picture's bytes (10 MB from a server's request) until the
    garbage collector's next full pass, which a quiet server seldom makes."""
    error.__cause__ = error.__context__ = None
    return error.with_traceback(None)


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter), read lazily."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
