"""Train `digitcli/reading/pairs.tflite`: which two touching digits is a span of `read`'s
segmentation?

Numbers are written with MNIST *training* digits by `make_numbers.make_number` (the read
benchmark writes its numbers with test digits), tight and long ones most; each pair candidate
`segment.find_candidates` finds in them (a run of touching pieces as wide as two digits) is
labelled with the two digits whose joint box it matches (intersection over union above 0.7,
holding no more of a third digit than that box does), or "not a pair" when it matches one
digit alone (holding no more of its neighbours than that digit's box does: a thin 1 pressed
against a 5 makes the pair "15", not a 5). A small convolutional network reads the 28x56
pixels: one output says whether it is a pair, two more which digit is on the left and which on
the right. About 35 minutes on 2 cores (5 to find 132,000 candidates in 8,000 numbers, the rest
training); the shipped model reads 91.2% of the validation split's pairs right and tells a
pair from a non-pair 87.5% of the time (spans from 0.8 line heights wide, where a single wide
digit is a candidate too).

    python bench/make_pairs.py                      # writes digitcli/reading/pairs.tflite
    python bench/make_pairs.py --numbers 2000 --out pairs-test.tflite
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from make_verifier import MATCH, in_parts, intersection, kept, overlap, written_numbers

from digitcli.core.fits import stamp
from digitcli.reading.pairs import LEFT, OUTPUTS, RIGHT

REPO = Path(__file__).resolve().parent.parent
KINDS = ("tight", "tight", "long", "long", "grouped", "spaced")
NOT_A_PAIR = 100
# A span matches a true box (a digit's, or two neighbours' joint box) at IoU > MATCH, unless it
# holds this much more of another digit than that box does: a thin 1 pressed against a 5
# matches the 5's box at IoU ~0.8, but it is the pair "15".
EXTRA = 0.4


def held(box, other) -> float:
    """The share of box `other` that lies inside `box`."""
    return intersection(box, other) / max((other[2] - other[0]) * (other[3] - other[1]), 1)


def matches(box, truth, true_boxes) -> bool:
    """Whether `box` matches the true box `truth` and holds no more of any digit than `truth`
    itself does (up to EXTRA)."""
    if overlap(box, truth) <= MATCH:
        return False
    return all(held(box, b) - held(truth, b) < EXTRA for b in true_boxes)


def pair_label(box, true_boxes, digits: str) -> int:
    """10 * left + right for the two neighbouring digits whose joint box `box` matches."""
    if any(matches(box, b, true_boxes) for b in true_boxes):
        return NOT_A_PAIR
    for i in range(len(true_boxes) - 1):
        a, b = true_boxes[i], true_boxes[i + 1]
        joint = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
        if matches(box, joint, true_boxes):
            return 10 * int(digits[i]) + int(digits[i + 1])
    return NOT_A_PAIR


def candidates(task: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Pair candidates' pixels and labels in `count` numbers made with seed `seed`."""
    pixels, labels = [], []
    for number, line in written_numbers(*task, KINDS):
        for pair in line.pairs:
            pixels.append(pair.pixels)
            labels.append(pair_label(pair.box, number.boxes, number.number))
    return np.array(pixels, np.uint8).reshape(-1, 28, 56), np.array(labels, np.int64)


def collect(numbers: int, first_seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    return in_parts(candidates, numbers, os.cpu_count() or 1, first_seed)


def targets(labels: np.ndarray) -> np.ndarray:
    """(n, OUTPUTS): is it a pair, then the left and the right digit one-hot (uniform if not a
    pair)."""
    pair = labels != NOT_A_PAIR
    out = np.full((len(labels), OUTPUTS), 0.1, np.float32)
    out[:, 0] = pair
    out[pair, 1:] = 0.0
    rows = np.flatnonzero(pair)
    out[rows, LEFT.start + labels[pair] // 10] = 1.0
    out[rows, RIGHT.start + labels[pair] % 10] = 1.0
    return out


def build():
    import keras
    from keras import layers

    pixels = keras.Input((28, 56), name="pixels")
    x = layers.Reshape((28, 56, 1))(layers.Rescaling(1 / 255)(pixels))
    for filters, size in ((16, 5), (32, 3), (64, 3)):
        x = layers.Conv2D(filters, size, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Dropout(0.3)(layers.Dense(128, activation="relu")(layers.Flatten()(x)))
    pair = layers.Dense(1, activation="sigmoid")(x)
    left = layers.Dense(10, activation="softmax")(x)
    right = layers.Dense(10, activation="softmax")(x)
    return keras.Model(pixels, layers.Concatenate()([pair, left, right]))


def loss(target, output):
    from keras import ops

    eps = 1e-7
    output = ops.clip(output, eps, 1 - eps)
    is_pair = target[:, 0]
    pair = -(is_pair * ops.log(output[:, 0]) + (1 - is_pair) * ops.log(1 - output[:, 0]))
    digits = -ops.sum(target[:, 1:] * ops.log(output[:, 1:]), axis=1)
    return pair + is_pair * digits


def train(pixels: np.ndarray, labels: np.ndarray, seed: int = 0):
    """Adam at 1e-3 for up to 8 epochs in batches of 128, then at 3e-4 for up to 5 in batches
    of 256; each phase stops early when the validation loss stops falling."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.utils.set_random_seed(seed)
    model = build()
    inputs, wanted = pixels.astype(np.float32), targets(labels)
    for rate, epochs, batch in ((1e-3, 8, 128), (3e-4, 5, 256)):
        model.compile(keras.optimizers.Adam(rate), loss)
        stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
        model.fit(inputs, wanted, batch_size=batch, epochs=epochs, validation_split=0.1,
                  callbacks=[stop], verbose=2)  # fmt: skip
    return model


def accuracy(model, pixels: np.ndarray, labels: np.ndarray) -> str:
    out = model.predict(pixels.astype(np.float32), batch_size=512, verbose=0)
    pair = labels != NOT_A_PAIR
    said = out[:, 0] > 0.5
    read = 10 * out[:, LEFT].argmax(1) + out[:, RIGHT].argmax(1)
    return (f"pair or not {np.mean(said == pair):.2%}; pairs read right "
            f"{np.mean(read[pair] == labels[pair]):.2%}")  # fmt: skip


def export(model, path: Path) -> None:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    path.write_bytes(converter.convert())
    stamp(path, ("preparation", "segmentation"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=8000, help="numbers to write (8000)")
    parser.add_argument("--data", type=Path, help="save (or reuse) the candidates here (.npz)")
    parser.add_argument("--out", type=Path, default=REPO / "digitcli" / "reading" / "pairs.tflite")
    parser.add_argument("--keras", type=Path, help="also save the Keras model here")
    args = parser.parse_args(argv)
    pixels, labels = kept(args.data, ("pixels", "labels"), lambda: collect(args.numbers))
    print(f"{len(labels)} pair candidates, {np.mean(labels != NOT_A_PAIR):.1%} of them pairs")
    order = np.random.default_rng(0).permutation(len(labels))
    pixels, labels = pixels[order], labels[order]
    model = train(pixels, labels)
    held = len(labels) // 10
    print("validation:", accuracy(model, pixels[-held:], labels[-held:]))
    if args.keras:
        model.save(args.keras)
    export(model, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
