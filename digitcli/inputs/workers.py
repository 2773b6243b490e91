"""The worker pool: one process per core, forked, that dies with its parent and outlives the
loss of a worker (the OOM killer)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from digitcli.core.errors import ImageError
from digitcli.inputs.sources import Source

if TYPE_CHECKING:
    from concurrent.futures import Executor

T = TypeVar("T")

WORKER_CHUNK = 8  # sources a worker takes at a time


class Workers:
    """One worker process per core, or `processes` of them (decoding and preparing are
    CPU-bound and partly hold the GIL), that outlive the loss of one: when a worker is killed,
    every source the pool had not finished is done again one at a time in a fresh pool, and a
    source whose worker is killed then is answered with an error."""

    def __init__(self, processes: int | None = None) -> None:
        self._executor: Executor | None = None
        self._processes = processes  # None: one per core

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
            self._executor = _workers(self._processes)
        return self._executor

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None


LOST = "the worker process preparing it was killed (out of memory?)"


def _work_on(work: Callable[[Source], T], chunk: list[Source]) -> list[T]:
    return [work(source) for source in chunk]


def _workers(processes: int | None = None) -> Executor:
    """(Imported here: a one-image predict, which needs no workers, does not pay for it.)"""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    cores = processes or os.cpu_count() or 1
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
    import signal

    end_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def end_with_parent(parent: int) -> None:
    """This process (a worker of process `parent`) is killed when its parent ends, however it
    ends (kill -9 and the OOM killer included), and ends now if the parent already has. Linux
    only; elsewhere nothing is done."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: Linux sends SIGKILL at the parent's end
    if os.getppid() != parent:  # the parent ended before prctl took effect
        os._exit(1)
