"""The Keras callbacks of a run: batch progress forwarded to the reporter, and a signal raised
at the next batch.

Apart from train.py: both are small hooks into Keras's loop, used by every way an epoch runs.
"""

from __future__ import annotations

from digitcli.core.signals import SignalGuard
from digitcli.models.backend import keras
from digitcli.training.reporting import TrainReporter


class ReporterCallback(keras.callbacks.Callback):
    """Forwards batch progress to the reporter, off the training thread."""

    async_safe = True

    def __init__(self, reporter: TrainReporter) -> None:
        super().__init__()
        self.reporter = reporter

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.reporter.batch(batch + 1, logs or {})


class StopAtNextBatch(keras.callbacks.Callback):
    """Raises the signal noted while `fit` runs (SignalGuard.held) when the next batch starts
    (why not at once: digitcli.core.signals). `on_*_batch_begin` runs on the main thread even when
    Keras hands the `_end` hooks to its thread pool."""

    def __init__(self, signals: SignalGuard) -> None:
        super().__init__()
        self.signals = signals

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.signals.raise_pending()

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.signals.raise_pending()
