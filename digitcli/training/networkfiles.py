"""The files of a model directory a run writes: `model.keras` and `model.tflite`, each carrying
its manifest, scored on the test set through the runtime that `predict` will run; after a run of
epochs, history.csv, the pictures and the record `metadata.json` keeps of the run.

Shared by every writer of a model directory: `train`, the fine-tune of the bundled model and
the ensemble (the networks only)."""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from digitcli.core.version import VERSION
from digitcli.datasets.data import Dataset, Split
from digitcli.models.modeldir import (
    DIGITCLI_INPUT,
    HISTORY_FILE,
    KERAS_FILE,
    TFLITE_FILE,
    Metadata,
    ModelRef,
    manifest,
    pack_manifest,
)
from digitcli.models.runtimes import load_runtime
from digitcli.reports.evaluate import Evaluation, score
from digitcli.reports.plots import save_training_pictures

if TYPE_CHECKING:
    from digitcli.models.backend import keras
    from digitcli.training.checkpoint import TrainingState


def write_networks(
    staging: Path, model: keras.Model, tflite: bytes, described: Metadata, test: Split, name: str
) -> Evaluation:
    """Write `model` into `staging` as `model.keras` and as the LiteRT flatbuffer `tflite`,
    each saying what it takes (`described`'s manifest), and score it on `test` through the
    same runtime `evaluate` uses, so that the two always agree (`name`: the model's path)."""
    model.save(staging / KERAS_FILE)
    (staging / TFLITE_FILE).write_bytes(tflite)
    for file in (KERAS_FILE, TFLITE_FILE):  # each file says what it takes, even alone
        pack_manifest(staging / file, manifest(DIGITCLI_INPUT, described))
    runtime = load_runtime(ModelRef(staging, "dir", described))
    return score(runtime.predict(test.x), test.y, model=name, runtime=runtime.name)


def write_trained(
    staging: Path,
    model: keras.Model,
    tflite: bytes,
    described: Metadata,
    test: Split,
    output: Path,
    state: TrainingState,
    best_epoch: int,
) -> Evaluation:
    """`write_networks`, then the run's history.csv (a row an epoch, the columns of
    `checkpoint.HISTORY_KEYS`) and its pictures (curves, confusion)."""
    from digitcli.training.checkpoint import HISTORY_KEYS  # TensorFlow: imported when training

    evaluation = write_networks(staging, model, tflite, described, test, str(output))
    with (staging / HISTORY_FILE).open("w", newline="") as handle:  # a row an epoch
        rows = zip(*(state.history[key] for key in HISTORY_KEYS), strict=True)
        csv.writer(handle).writerows(
            [["epoch", *HISTORY_KEYS], *([epoch, *row] for epoch, row in enumerate(rows, 1))]
        )
    save_training_pictures(staging, state.history, best_epoch, evaluation.confusion_matrix)
    return evaluation


def run_record(
    dataset: Dataset, fit: Split, val: Split, evaluation: Evaluation, state: TrainingState
) -> dict:
    """What `metadata.json` records of a run of epochs: which digitcli, when, on what data
    (`fit` and `val` taken from `dataset`'s training split), its history and how well."""
    return {
        "digitcli_version": VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {
            "source": dataset.source,
            "format": dataset.format,
            "sha256": dataset.files,
            "train_samples": len(fit),
            "validation_samples": len(val),
            "test_samples": len(dataset.test),
        },
        "metrics": {
            "test_accuracy": evaluation.accuracy,
            "test_loss": evaluation.loss,
            "test_ece": evaluation.ece,
            "best_epoch": state.best_epoch,
            "epochs_run": state.epoch,
            "train_seconds": round(state.train_seconds, 3),
        },
        "history": state.history,
    }
