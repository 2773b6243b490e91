"""How good a model is on labelled images: accuracy, loss, per-digit scores, confusion matrix."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from digitcli.core.config import NUM_CLASSES
from digitcli.datasets.data import load_dataset
from digitcli.models.runtimes import load_runtime, resolve_model

EPSILON = 1e-7  # Keras clips probabilities the same way before taking the log
ECE_BINS = 15  # equal-width bins of top-1 confidence, the usual choice (Guo et al., 2017)


@dataclass(frozen=True)
class ClassScore:
    digit: int
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    model: str
    runtime: str
    accuracy: float
    loss: float
    per_class: list[ClassScore]
    confusion_matrix: np.ndarray  # rows are true digits, columns predicted
    ece: float = 0.0  # expected calibration error: how far confidence is from accuracy
    seconds: float = 0.0
    skipped: tuple[str, ...] = ()  # test images left out, and why ("PATH: no digit found: ...")

    @property
    def samples(self) -> int:
        return int(self.confusion_matrix.sum())

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "runtime": self.runtime,
            "accuracy": self.accuracy,
            "loss": self.loss,
            "ece": self.ece,
            "samples": self.samples,
            "per_class": [vars(score) for score in self.per_class],
            "confusion_matrix": self.confusion_matrix.tolist(),
            "seconds": round(self.seconds, 3),
        }


def score(
    probabilities: np.ndarray, labels: np.ndarray, *, model: str = "", runtime: str = ""
) -> Evaluation:
    """Score predicted probabilities (n, 10) against true labels (n,)."""
    labels = labels.astype(np.int64)
    predicted = probabilities.argmax(axis=1)
    picked = np.clip(probabilities[np.arange(len(labels)), labels], EPSILON, 1.0)
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    return Evaluation(
        model=model,
        runtime=runtime,
        accuracy=float((predicted == labels).mean()) if len(labels) else 0.0,
        loss=_no_minus_zero(float(-np.log(picked).mean())) if len(labels) else 0.0,
        ece=expected_calibration_error(probabilities.max(axis=1), predicted == labels),
        per_class=per_class_scores(confusion),
        confusion_matrix=confusion,
    )


def _no_minus_zero(loss: float) -> float:
    """A loss of exactly 0 (every picked probability 1) as 0.0: -log(1) is -0.0, and "-0.0"
    reads like a bug."""
    return loss + 0.0


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, *, bins: int = ECE_BINS
) -> float:
    """The mean gap between confidence and accuracy over equal-width confidence bins, each
    weighted by its share of the samples: 0 when "90% sure" is right 90% of the time."""
    confidence = np.asarray(confidence, dtype=np.float64)
    if confidence.size == 0:
        return 0.0
    correct = np.asarray(correct, dtype=np.float64)
    which = np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0, bins - 1)
    gap = np.bincount(which, weights=confidence - correct, minlength=bins)
    return round(float(np.abs(gap).sum() / confidence.size), 6)


def reliability(
    confidence: np.ndarray, correct: np.ndarray, *, bins: int = ECE_BINS
) -> list[tuple[float, float, int]]:
    """Per confidence bin: (mean confidence, accuracy, count), for a reliability diagram."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    which = np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0, bins - 1)
    count = np.bincount(which, minlength=bins)
    conf = np.bincount(which, weights=confidence, minlength=bins)
    hits = np.bincount(which, weights=correct, minlength=bins)
    return [
        (float(conf[b] / count[b]), float(hits[b] / count[b]), int(count[b]))
        for b in range(bins)
        if count[b]
    ]


def per_class_scores(confusion: np.ndarray) -> list[ClassScore]:
    scores = []
    for digit in range(NUM_CLASSES):
        hits = int(confusion[digit, digit])
        predicted = int(confusion[:, digit].sum())
        support = int(confusion[digit].sum())
        precision = hits / predicted if predicted else 0.0
        recall = hits / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(
            ClassScore(digit, round(precision, 6), round(recall, 6), round(f1, 6), support)
        )
    return scores


@dataclass(frozen=True)
class Predictions:
    """What a model said about each test image: for pictures of its mistakes."""

    images: np.ndarray  # uint8 (n, 28, 28), white ink on black
    labels: np.ndarray  # (n,) true digits
    probabilities: np.ndarray  # (n, 10)


def evaluate(
    model: str | Path | None = None, data: str | Path | None = None, *, prefer: str = "auto"
) -> Evaluation:
    """Evaluate `model` (default: the latest trained) on the test split of `data`."""
    return evaluate_with_predictions(model, data, prefer=prefer)[0]


def evaluate_with_predictions(
    model: str | Path | None = None,
    data: str | Path | None = None,
    *,
    prefer: str = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Evaluation, Predictions]:
    """Like `evaluate`, and also return the test images with the model's probabilities.
    `progress(done, total)` is called as each `CHUNK` of test images is answered."""
    ref = resolve_model(model)
    dataset = load_dataset(data, role="test")
    runtime = load_runtime(ref, prefer=prefer)
    started = time.perf_counter()
    probabilities = _answered(runtime, dataset.test.x, progress or (lambda done, total: None))
    result = score(probabilities, dataset.test.y, model=str(ref.path), runtime=runtime.name)
    result = replace(result, seconds=time.perf_counter() - started, skipped=dataset.skipped)
    return result, Predictions(dataset.test.x, dataset.test.y, probabilities)


CHUNK = 16_384  # test images answered between two calls of `progress`: a second or two


def _answered(runtime, images: np.ndarray, progress: Callable[[int, int], None]) -> np.ndarray:
    """The runtime's probabilities for `images`, a chunk at a time, progress said after each."""
    probabilities = np.empty((len(images), NUM_CLASSES), np.float32)
    for start in range(0, len(images), CHUNK):
        stop = min(start + CHUNK, len(images))
        probabilities[start:stop] = runtime.predict(images[start:stop])
        progress(stop, len(images))
    return probabilities
