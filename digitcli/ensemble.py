"""Several trained models read as one: each reads the same pixels, their answers are averaged.

Two networks trained differently misread different digits: the bundled model is two CNNs (one
trained with short continental-1 flags, one with long ones) averaged. The average is of their
calibrated logits (a geometric mean of their probabilities), then a temperature is fitted again
on the validation split, as training fits one; everything is one Keras model, so `.tflite`,
ONNX and SavedModel exports run the members and the average exactly as `predict` does.
This module imports TensorFlow: import it only when combining models.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from digitcli import __version__
from digitcli.atomic import atomic_output, check_writable
from digitcli.backend import keras
from digitcli.calibration import fit_temperature, negative_log_likelihood, with_temperature
from digitcli.data import load_dataset
from digitcli.errors import UsageError
from digitcli.evaluate import expected_calibration_error, score
from digitcli.model import INPUT_SHAPE, load_keras_model, tflite_f16_bytes
from digitcli.modeldir import (
    DIGITCLI_INPUT,
    INPUT_NAME,
    KERAS_FILE,
    OUTPUT_NAME,
    TFLITE_FILE,
    Metadata,
    ModelRef,
    manifest,
    pack_manifest,
    read_metadata,
)
from digitcli.runtimes import load_runtime
from digitcli.train import calibration_images, split_validation

layers = keras.layers


def averaged(members: list[keras.Model], temperature: float = 1.0) -> keras.Model:
    """One model: every member's calibrated logits (the input of its softmax), averaged,
    divided by `temperature`, then a softmax. Members are digitcli models with a temperature
    (a layer named "temperature" before their softmax)."""
    pixels = keras.Input(shape=INPUT_SHAPE, name=INPUT_NAME)
    logits = []
    for number, member in enumerate(members, start=1):
        calibrated = member.get_layer("temperature").output
        inner = keras.Model(member.inputs, calibrated, name=f"member_{number}")  # FIRST_MEMBER
        logits.append(inner(pixels))
    mean = layers.Average(name="average")(logits) if len(logits) > 1 else logits[0]
    scaled = layers.Rescaling(1 / temperature, name="temperature")(mean)
    return keras.Model(pixels, layers.Softmax(name=OUTPUT_NAME)(scaled), name="ensemble")


def combine(
    sources: list[Path], output: Path, *, data: str | Path | None = None, force: bool = False
) -> Metadata:
    """Write the model directory `output`: the models `sources` (model directories, all
    trained on the same validation split of `data`) averaged and calibrated again."""
    if len(sources) < 2:
        raise UsageError("an ensemble needs at least two models")
    parts = [read_metadata(Path(source)) for source in sources]
    splits = {(part.config.seed, part.config.validation_split) for part in parts}
    if len(splits) != 1:
        raise UsageError("the models were trained on different validation splits (seeds)")
    check_writable(Path(output), force=force)
    members = [load_keras_model(Path(source) / KERAS_FILE) for source in sources]
    dataset = load_dataset(data, role="train")
    first = parts[0]
    _, validation = split_validation(
        dataset.train, first.config.validation_split, first.config.seed
    )
    images, labels, fitted_on = calibration_images(validation, first.config)
    before = averaged(members).predict(images, batch_size=1024, verbose=0)
    temperature = fit_temperature(before, labels)
    model = averaged(members, temperature)
    calibration = _calibration_record(before, labels, temperature, fitted_on)
    with atomic_output(Path(output), force=force, directory=True) as staging:
        model.save(staging / KERAS_FILE)
        (staging / TFLITE_FILE).write_bytes(tflite_f16_bytes(model))
        for name in (KERAS_FILE, TFLITE_FILE):
            pack_manifest(staging / name, manifest(DIGITCLI_INPUT, first))
        runtime = load_runtime(ModelRef(staging, "dir", first))
        test = score(runtime.predict(dataset.test.x), dataset.test.y)
        metadata = replace(
            first,
            digitcli_version=__version__,
            created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            calibration=calibration,
            metrics={"test_accuracy": test.accuracy, "test_loss": test.loss, "test_ece": test.ece},
            history={},
            members=tuple(
                _member_record(source, part) for source, part in zip(sources, parts, strict=True)
            ),
        )
        metadata.write(staging)
    return metadata


def _calibration_record(
    before: np.ndarray, labels: np.ndarray, temperature: float, fitted_on: str
) -> dict:
    after = with_temperature(before, temperature)
    right = before.argmax(axis=1) == labels
    return {
        "temperature": temperature,
        "fitted_on": fitted_on,
        "validation_nll": [round(negative_log_likelihood(p, labels), 6) for p in (before, after)],
        "validation_ece": [
            expected_calibration_error(p.max(axis=1), right) for p in (before, after)
        ],
    }


def _member_record(source: Path, metadata: Metadata) -> dict:
    return {
        "source": Path(source).name,
        "created": metadata.created,
        "config": metadata.config.to_dict(),
        "calibration": metadata.calibration,
        "metrics": metadata.metrics,
    }
