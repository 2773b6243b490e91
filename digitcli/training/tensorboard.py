"""TensorBoard logs of a training run: scalars per epoch and the model's graph.

Writing the logs needs only TensorFlow's core `tf.summary.write`; reading them needs the
`tensorboard` package: `pip install tensorboard && tensorboard --logdir DIR`.

Keras' own `TensorBoard` callback is not used: its scalars go through `tf.summary.scalar`, which
TensorFlow only provides when the `tensorboard` package is installed, and since digitcli calls
`fit` once per epoch it would open new event files and write the graph again every epoch.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras


def tensorboard_callback(log_dir: Path) -> keras.callbacks.Callback:
    """A Keras callback that logs to `log_dir`/train and `log_dir`/validation.

    Scalars `epoch_loss`, `epoch_accuracy` (in both runs), `epoch_learning_rate` and
    `epoch_seconds` (train) at step = epoch number, counted from 1 as in history.csv; the op
    graph of the model's forward pass and its Keras (conceptual) graph, once. Reusable across
    `fit` calls and across a resumed run: steps come from the epoch Keras reports.
    """
    from digitcli.models.backend import keras, tf
    from digitcli.training.loop import learning_rate

    class TensorBoardLogger(keras.callbacks.Callback):
        def __init__(self, log_dir: Path) -> None:
            super().__init__()
            self.log_dir = Path(log_dir)
            self._writers: dict = {}
            self._graph_written = False
            self._started = 0.0

        def _writer(self, run: str):
            if run not in self._writers:
                self._writers[run] = tf.summary.create_file_writer(str(self.log_dir / run))
            return self._writers[run]

        def on_train_begin(self, logs: dict | None = None) -> None:
            if not self._graph_written:
                self._write_graph()
                self._graph_written = True

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self._started = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            logs = dict(logs or {})
            step = epoch + 1
            train = {k: v for k, v in logs.items() if not k.startswith("val_")}
            validation = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
            train["learning_rate"] = learning_rate(self.model)
            train["seconds"] = time.perf_counter() - self._started
            for run, values in (("train", train), ("validation", validation)):
                if not values:
                    continue
                with self._writer(run).as_default():
                    for name, value in values.items():
                        if value is not None:
                            _scalar(tf, f"epoch_{name}", float(value), step)
                self._writer(run).flush()

        def _write_graph(self) -> None:
            model = self.model
            with self._writer("train").as_default():
                # The conceptual graph: layers as TensorBoard's Graphs tab draws them.
                _keras_model_summary(model, tf)
                # The op graph of one forward pass, traced from the model's input signature.
                spec = tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)
                forward = tf.function(lambda x: model(x, training=False))
                tf.summary.graph(forward.get_concrete_function(spec).graph)
            self._writer("train").flush()

        def on_train_end(self, logs: dict | None = None) -> None:
            for writer in self._writers.values():
                writer.flush()

    return TensorBoardLogger(log_dir)


def _scalar(tf, tag: str, value: float, step: int) -> None:
    """What `tf.summary.scalar` writes, without needing the `tensorboard` package."""
    metadata = tf.compat.v1.SummaryMetadata()
    metadata.plugin_data.plugin_name = "scalars"  # content left empty: ScalarPluginData v0
    tf.summary.write(tag=tag, tensor=tf.constant(value, tf.float32), step=step, metadata=metadata)


def _keras_model_summary(model, tf) -> None:
    """The model's Keras JSON under the `graph_keras_model` plugin, as Keras' callback writes it."""
    metadata = tf.compat.v1.SummaryMetadata()
    metadata.plugin_data.plugin_name = "graph_keras_model"
    metadata.plugin_data.content = b"1"
    tf.summary.write(tag="keras", tensor=model.to_json(), step=0, metadata=metadata)
