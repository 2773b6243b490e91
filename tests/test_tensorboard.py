"""TensorBoard logs: per-epoch scalars in train/ and validation/, the graph written once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.trains


def read_events(run: Path) -> tuple[list[Path], list]:
    from digitcli.models.backend import tf

    files = sorted(run.glob("events.out.tfevents.*"))
    events = []
    for path in files:
        for record in tf.data.TFRecordDataset(str(path)):
            events.append(tf.compat.v1.Event.FromString(record.numpy()))
    return files, events


def test_logs_every_epoch_across_fit_calls_and_the_graph_once(tmp_path):
    from digitcli.core.config import train_config
    from digitcli.models.backend import keras
    from digitcli.models.model import build_model
    from digitcli.training.tensorboard import tensorboard_callback

    model = build_model(train_config("mlp", layers=(8,)))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 256, (64, 28, 28), dtype=np.uint8), rng.integers(0, 10, 64)
    callback = tensorboard_callback(tmp_path / "tb")
    assert isinstance(callback, keras.callbacks.Callback)
    for epoch in range(3):  # as digitcli's train does: one fit per epoch
        model.fit(
            x,
            y,
            epochs=epoch + 1,
            initial_epoch=epoch,
            validation_data=(x[:16], y[:16]),
            callbacks=[callback],
            verbose=0,
        )

    files, events = read_events(tmp_path / "tb" / "train")
    assert len(files) == 1  # one event file for the whole run, not one per fit
    scalars = {(v.tag, e.step) for e in events for v in e.summary.value if e.step > 0}
    for tag in ("epoch_loss", "epoch_accuracy", "epoch_learning_rate", "epoch_seconds"):
        assert {step for name, step in scalars if name == tag} == {1, 2, 3}
    assert sum(1 for e in events if e.graph_def) == 1
    keras_graphs = [v for e in events for v in e.summary.value if v.tag == "keras"]
    assert len(keras_graphs) == 1
    assert keras_graphs[0].metadata.plugin_data.plugin_name == "graph_keras_model"

    _, validation = read_events(tmp_path / "tb" / "validation")
    values = {(v.tag, e.step): v for e in validation for v in e.summary.value}
    assert set(values) == {(t, s) for t in ("epoch_loss", "epoch_accuracy") for s in (1, 2, 3)}
    loss = values[("epoch_loss", 3)]
    assert loss.metadata.plugin_data.plugin_name == "scalars"
    assert 0 < float(np.frombuffer(loss.tensor.tensor_content, np.float32)[0]) < 10
