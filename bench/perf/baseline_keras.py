"""The baseline: a plain Keras script of digitcli's default recipe, as a user would write it.

784-512-64-10 MLP, Adam 0.001, batch 32, 18 epochs, validation_split 0.1, `model.fit` on NumPy
arrays with Keras' defaults. Prints one JSON line: fit seconds and test accuracy.

    python bench/perf/baseline_keras.py --epochs 18
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from digitcli.datasets.data import load_dataset  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=18)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()

    import keras

    dataset = load_dataset(args.data)
    x_train = dataset.train.x.astype("float32") / 255.0
    x_test = dataset.test.x.astype("float32") / 255.0
    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.001),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    started = time.perf_counter()
    model.fit(x_train, dataset.train.y, batch_size=32, epochs=args.epochs, validation_split=0.1)
    fit_seconds = time.perf_counter() - started
    loss, accuracy = model.evaluate(x_test, dataset.test.y, verbose=0)
    print(json.dumps({"fit_seconds": fit_seconds, "test_accuracy": accuracy, "test_loss": loss}))


if __name__ == "__main__":
    main()
