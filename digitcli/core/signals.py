"""SIGINT and SIGTERM while training: one guard for `model.fit`, the MLPs' compiled loop
(`fused`: raised between its calls, the same callback) and the distributed loop.

Installed once for the whole run. Outside `held()` a signal raises `Interrupted` at once;
inside, it is only noted and raised when the block ends or where the code calls
`raise_pending`: for the whole of `model.fit` (a callback raises it when the next batch starts:
raised at once, it landed wherever the main thread stood, and a SIGINT'd run once exited 0
with the signal lost and once died of heap corruption), while an epoch's checkpoint is
written, and for the whole of a distributed epoch, where a handler that raises while
TensorFlow raises a collective op's error is lost in it (pybind11 "MISMATCH of original and
normalized active exception types"); that loop stops at the next step boundary instead.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

from digitcli.core.errors import EXIT_INTERRUPTED, EXIT_TERMINATED

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """Raised for SIGINT or SIGTERM: training stops where it stands."""

    def __init__(self, signum: int) -> None:
        self.signum = signum

    @property
    def name(self) -> str:
        """The signal's name: SIGINT or SIGTERM."""
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """What the process exits with, stopped so: 143 for SIGTERM, 130 for Ctrl-C."""
        return EXIT_TERMINATED if self.signum == signal.SIGTERM else EXIT_INTERRUPTED


class SignalGuard:
    def __init__(self) -> None:
        self.holding = False
        self.pending: int | None = None

    def _handle(self, signum: int, frame: object) -> None:
        if self.holding:
            self.pending = signum
        else:
            raise Interrupted(signum)

    @contextmanager
    def installed(self) -> Iterator[None]:
        previous = {}
        try:
            for signum in SIGNALS:
                previous[signum] = signal.signal(signum, self._handle)
        except ValueError:  # not the main thread: signals are not ours to handle
            pass
        try:
            yield
        finally:
            for signum, old in previous.items():
                signal.signal(signum, old)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Signals wait until the block is done (or `raise_pending` is called in it)."""
        holding, self.holding = self.holding, True
        try:
            yield
        finally:
            self.holding = holding
        if not holding:
            self.raise_pending()

    def raise_pending(self) -> None:
        if self.pending is not None:
            signum, self.pending = self.pending, None
            raise Interrupted(signum)
