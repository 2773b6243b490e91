"""Several trained models read as one: each reads the same pixels, their answers are averaged.

Networks trained apart misread different digits: the bundled model is two CNNs (seeds 0 and 1,
holding out the same validation digits) and the default mlp averaged. The average is of their
calibrated logits (a geometric mean of their probabilities), then a temperature is fitted again
on the validation split, as training fits one; everything is one Keras model, so `.tflite`,
ONNX and SavedModel exports run the members and the average exactly as `predict` does.
This module imports TensorFlow: import it only when combining models.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from digitcli.core.atomic import MODEL_DIRECTORY, atomic_output, check_writable
from digitcli.core.config import TrainConfig
from digitcli.core.errors import UsageError
from digitcli.core.version import VERSION as __version__
from digitcli.datasets.data import Split, load_dataset
from digitcli.models.backend import keras
from digitcli.models.model import (
    INPUT_SHAPE,
    MEMBER_PREFIX,
    TEMPERATURE_LAYER,
    load_keras_model,
    tflite_f16_bytes,
)
from digitcli.models.modeldir import (
    INPUT_NAME,
    KERAS_FILE,
    OUTPUT_NAME,
    Metadata,
    read_metadata,
)
from digitcli.training.calibration import calibration_record
from digitcli.training.draws import calibration_images
from digitcli.training.networkfiles import write_networks
from digitcli.training.splits import split_validation

layers = keras.layers


def averaged(members: list[keras.Model], temperature: float = 1.0) -> keras.Model:
    """One model: every member's calibrated logits (the input of its softmax), averaged,
    divided by `temperature`, then a softmax. Members are digitcli models with a temperature
    (a TEMPERATURE_LAYER before their softmax)."""
    pixels = keras.Input(shape=INPUT_SHAPE, name=INPUT_NAME)
    logits = []
    for number, member in enumerate(members, start=1):
        calibrated = member.get_layer(TEMPERATURE_LAYER).output
        inner = keras.Model(member.inputs, calibrated, name=f"{MEMBER_PREFIX}{number}")
        logits.append(inner(pixels))
    mean = layers.Average(name="average")(logits) if len(logits) > 1 else logits[0]
    scaled = layers.Rescaling(1 / temperature, name=TEMPERATURE_LAYER)(mean)
    return keras.Model(pixels, layers.Softmax(name=OUTPUT_NAME)(scaled), name="ensemble")


def combine(
    sources: list[Path], output: Path, *, data: str | Path | None = None, force: bool = False
) -> Metadata:
    """Write the model directory `output`: the models `sources` (model directories, all
    trained on the same validation split of `data`) averaged and calibrated again."""
    if len(sources) < 2:
        raise UsageError("an ensemble needs at least two models")
    parts = [read_metadata(Path(source)) for source in sources]
    if len({(part.config.split_seed, part.config.validation_split) for part in parts}) != 1:
        raise UsageError("the models were trained on different validation splits (seeds)")
    check_writable(Path(output), force=force, kind=MODEL_DIRECTORY)
    members = [_member(Path(source)) for source in sources]
    dataset = load_dataset(data, role="train")
    model, calibration = _calibrated(members, dataset.train, parts[0].config)
    with atomic_output(Path(output), force=force, directory=True, kind=MODEL_DIRECTORY) as staging:
        tflite = tflite_f16_bytes(model)
        test = write_networks(staging, model, tflite, parts[0], dataset.test, str(output))
        metadata = replace(
            parts[0],
            digitcli_version=__version__,
            created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            calibration=calibration,
            metrics={"test_accuracy": test.accuracy, "test_loss": test.loss, "test_ece": test.ece},
            history={},
            members=tuple(map(_member_record, sources, parts)),
        )
        metadata.write(staging)
    return metadata


def _member(source: Path) -> keras.Model:
    """The network of the model directory `source`; it must have a temperature to average."""
    network = load_keras_model(source / KERAS_FILE)
    if TEMPERATURE_LAYER not in [layer.name for layer in network.layers]:
        raise UsageError(f"{source}: no temperature (trained with --no-calibrate): cannot average")
    return network


def _calibrated(
    members: list[keras.Model], train: Split, config: TrainConfig
) -> tuple[keras.Model, dict]:
    """`members` averaged, with a temperature fitted on the validation split `config` held out
    of `train` (as training fits one), and the record of the fit."""
    _, validation = split_validation(train, config.validation_split, config.split_seed)
    images, labels, fitted_on = calibration_images(validation, config)
    before = averaged(members).predict(images, batch_size=1024, verbose=0)
    calibration = calibration_record(before, labels, fitted_on)
    return averaged(members, calibration["temperature"]), calibration


def _member_record(source: Path, metadata: Metadata) -> dict:
    return {
        "source": Path(source).name,
        "created": metadata.created,
        "config": metadata.config.to_dict(),
        "calibration": metadata.calibration,
        "metrics": metadata.metrics,
    }
