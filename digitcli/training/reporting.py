"""What a caller sees of a run: the reporter `train` shows its progress through, and the
`TrainResult` it gives back.

Apart from train.py, and without TensorFlow: the CLI's reporters and result tables are written
against these without importing the epoch loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from digitcli.core.config import TrainConfig
from digitcli.models.defaults import FEW_TO_JUDGE
from digitcli.reports.evaluate import Evaluation

if TYPE_CHECKING:
    from digitcli.models.defaults import DefaultChoice


class TrainReporter(Protocol):
    """What a caller sees of a run. Every method may be a no-op. A reporter may also have
    `downloading(url, file)`, a `download.Watch` that shows MNIST downloaded before the run."""

    def start(self, config: TrainConfig, *, start_epoch: int, steps_per_epoch: int) -> None: ...
    def batch(self, step: int, logs: dict) -> None: ...
    def epoch(self, epoch: int, logs: dict) -> None: ...
    def note(self, text: str) -> None: ...
    def finish(self) -> None: ...


class NullReporter:
    """Shows nothing: for --quiet and for Python callers."""

    wants_batches = False

    def start(self, config: TrainConfig, *, start_epoch: int, steps_per_epoch: int) -> None:
        pass

    def batch(self, step: int, logs: dict) -> None:
        pass

    def epoch(self, epoch: int, logs: dict) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def finish(self) -> None:
        pass


def split_notes(fit: int, validate: int, test: int) -> list[str]:
    """How many images fit, validate and test a run, and a warning where validation or test
    images are too few to judge a model by (fine-tuning on a few hundred pictures)."""
    notes = [f"images: {fit} to fit, {validate} to validate, {test} to test"]
    few = [
        f"only {count} {name} images (each moves {name} accuracy by {1 / count:.1%})"
        for name, count in (("validation", validate), ("test", test))
        if 0 < count < FEW_TO_JUDGE
    ]
    if few:
        notes.append(
            f"warning: {' and '.join(few)}: fewer than {FEW_TO_JUDGE} are too few to judge a "
            "model by; add pictures, or check on another folder with --validation-data DIR"
        )
    return notes


def wants_batches(reporter: TrainReporter) -> bool:
    return getattr(reporter, "wants_batches", True)


@dataclass
class TrainResult:
    model_dir: Path
    config: TrainConfig
    test: Evaluation
    train_seconds: float
    history: dict[str, list[float]]
    best_epoch: int  # 1-based; the epoch whose weights were kept
    default: DefaultChoice | None = None  # which model is the default now, and why

    @property
    def kind(self) -> str:
        """What was trained, in words: its networks as its metadata lists them (`cnn+cnn+mlp`
        for the bundled model fine-tuned), else the config's network."""
        from digitcli.core.errors import ModelError
        from digitcli.models.modeldir import read_metadata

        try:
            networks = read_metadata(self.model_dir).networks
        except (ModelError, OSError):
            networks = ()
        return "+".join(networks) or self.config.arch

    @property
    def test_set(self) -> str | None:
        """What `test.accuracy` was measured on, in words (testset.py), from the model's
        metadata; None where it cannot be read."""
        from digitcli.core.errors import ModelError
        from digitcli.models.modeldir import read_metadata
        from digitcli.models.testset import scored_on

        try:
            return scored_on(read_metadata(self.model_dir).data)
        except ModelError:
            return None

    def to_json(self) -> dict:
        chosen = {"default": self.default.to_json()} if self.default else {}
        return {
            "model": str(self.model_dir),
            "arch": self.kind,
            "epochs": len(self.history["loss"]),
            "best_epoch": self.best_epoch,
            "test_accuracy": self.test.accuracy,
            "test_set": self.test_set,
            "test_loss": self.test.loss,
            "train_seconds": round(self.train_seconds, 3),
            "history": self.history,
            **chosen,
        }
