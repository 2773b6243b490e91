"""Train `digitcli/lines.tflite`: the line reader, which reads a whole line of digits at once.

Numbers are written with MNIST *training* digits by `make_numbers.make_number` (the read
benchmark writes its numbers with test digits), every kind, tight ones twice as often, and
`segment.find_candidates` finds each one's strip (`Line.strip`: the line's ink, 32 px high). A
small convolutional network reads the strip column by column and is trained with CTC
(connectionist temporal classification, as handwriting recognisers are), so it needs no
segmentation: it says how many digits a line holds and which, where touching digits defeat
the cuts. `read` weighs its readings against the segmentation's (`digitcli.lines`). About 25
minutes on 2 cores (writing 30,000 numbers ~7 min, 12 epochs of 70-85 s); the shipped model's
validation loss (CTC, -ln P(the true number)) was 0.197. Measured and not kept: 40,000 numbers
and 10 epochs (validation loss 0.135, yet on the read benchmark's tuning set 94.4% of numbers
exact against 95.4%, on the README's set 96.4% against 96.2%).

    python bench/make_line_reader.py                        # writes digitcli/lines.tflite
    python bench/make_line_reader.py --numbers 2000 --out /tmp/lines.tflite --data /tmp/l.npz
"""

from __future__ import annotations

import argparse
import os
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from make_verifier import kept, written_numbers

REPO = Path(__file__).resolve().parent.parent

KINDS = ("tight", "tight", "long", "spaced", "grouped", "boxed")
MAX_DIGITS = 12  # labels are padded to this many digits
SEED_BASE = 1000  # the verifier's and pair reader's numbers use seeds 0, 1, ...
PARTS = 2  # the numbers are written in this many parts, each with its own seed, in parallel


def strips(task: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Strips and padded labels (digit + 1; 0 is CTC's blank) for `count` numbers."""
    seed, count = task
    found, labels = [], []
    for number, line in written_numbers(seed, count, KINDS):
        if line.strip is None:
            continue
        found.append(line.strip)
        label = np.zeros(MAX_DIGITS, np.int32)
        label[: len(number.number)] = [int(d) + 1 for d in number.number]
        labels.append(label)
    return np.stack(found), np.stack(labels)


def written(count: int) -> tuple[np.ndarray, np.ndarray]:
    share = -(-count // PARTS)
    with Pool(min(PARTS, os.cpu_count() or 1)) as pool:
        parts = pool.map(strips, [(SEED_BASE + part, share) for part in range(PARTS)])
    return np.concatenate([s for s, _ in parts]), np.concatenate([label for _, label in parts])


def network(shape: tuple[int, int]):
    import keras
    from keras import layers

    def conv(x, filters):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        return layers.ReLU()(layers.BatchNormalization()(x))

    pixels = keras.Input((*shape, 1), dtype="uint8")
    x = layers.Rescaling(1 / 255)(pixels)
    x = layers.MaxPooling2D(2)(conv(x, 32))  # 16 x W/2
    x = layers.MaxPooling2D(2)(conv(x, 48))  # 8 x W/4
    x = layers.MaxPooling2D((2, 1))(conv(x, 64))  # 4 x W/4
    x = conv(x, 64)
    x = layers.Permute((2, 1, 3))(x)  # columns first
    x = layers.Reshape((shape[1] // 4, 4 * 64))(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    for _ in range(2):
        x = layers.Conv1D(128, 5, padding="same", activation="relu")(x)
        x = layers.Dropout(0.2)(x)
    logits = layers.Dense(11)(x)  # blank, then digits 0-9
    return keras.Model(pixels, logits)


def train(x: np.ndarray, y: np.ndarray, epochs: int, seed: int = 0):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.utils.set_random_seed(seed)
    model = network(x.shape[1:])
    steps = epochs * (len(x) * 9 // 10 // 64)
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, steps, warmup_target=2e-3,
                                                       warmup_steps=steps // 20)  # fmt: skip
    model.compile(keras.optimizers.Adam(schedule), keras.losses.CTC())
    model.fit(x[..., None], y, batch_size=64, epochs=epochs, validation_split=0.1, verbose=2)
    return model


def export(model, out: Path) -> None:
    import keras
    import tensorflow as tf

    probabilities = keras.Sequential([model, keras.layers.Softmax()])
    spec = tf.TensorSpec((None, *model.input_shape[1:]), tf.uint8)
    function = tf.function(lambda pixels: probabilities(pixels, training=False))
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [function.get_concrete_function(spec)]
    )
    out.write_bytes(converter.convert())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=30000, help="numbers to write (30000)")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--data", type=Path, help="save (or reuse) the strips here (.npz)")
    parser.add_argument("--out", type=Path, default=REPO / "digitcli" / "lines.tflite")
    args = parser.parse_args(argv)
    x, y = kept(args.data, ("x", "y"), lambda: written(args.numbers))
    print(f"{len(x)} lines, {int((y > 0).sum())} digits")
    model = train(x, y, args.epochs)
    export(model, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
