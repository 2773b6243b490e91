"""The network files of a model directory a run writes: `model.keras` and `model.tflite`, each
carrying its manifest, scored on the test set through the runtime that `predict` will run.

Shared by every writer of a model directory: `train`, the fine-tune of the bundled model and
the ensemble."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from digitcli.datasets.data import Split
from digitcli.models.modeldir import (
    DIGITCLI_INPUT,
    KERAS_FILE,
    TFLITE_FILE,
    Metadata,
    ModelRef,
    manifest,
    pack_manifest,
)
from digitcli.models.runtimes import load_runtime
from digitcli.reports.evaluate import Evaluation, score

if TYPE_CHECKING:
    from digitcli.models.backend import keras


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
