"""Train `digitcli/imaging/count.tflite`: whether the 28x28 the preparation made of one group
of ink is one digit or several digits written close together or into each other.

    python bench/build/make_count.py --seed 1 --count 60000 --epochs 8 --ruled 0.3

The pictures are MNIST's *training* digits (the first 40,000 to learn from, the rest to
check on), each cropped to its ink: half of them one digit, in half of those drawn 1 to 1.7
times as wide (a digit written broad is still one); half two digits (7 in 10) or three,
scaled to 85-115% of one height, each up to 20 px higher or lower, each advanced 0.6-1.15 of
its width (written into each other at the low end, a little apart at the high end). In 3 of
10, up to six specks lie beside the ink (`as_written`: what the preparation keeps of the
paper's grain near a digit; turning the ink and thinning or thickening its strokes too was
worse, docs/measurements/preparation.md "Round 39: the count network"). With `--ruled`, that
share of them (one digit and several alike) has a cell's rule beside the ink, under, over or
beside it or a corner of two (`beside_a_rule`: a small cell's ruling, which the preparation
keeps with its number; "Round 46"). Each is fitted in
28x28 as the preparation fits ink (`fitting.fit_and_centre`), where several digits are small
and wide and one digit fills the height. A small network (two convolutions of 16 and 32
filters, 32 units) learns them (about 8 s an epoch for 60,000 on 2 cores), is converted to
LiteRT and stamped with its data, seed and command (`core/fits.py`); it prints its accuracy
on 3,000 pictures made from the digits it never saw.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH.parent / "tests" / "generators"))

from digitcli.core.fits import stamp  # noqa: E402
from digitcli.imaging import count  # noqa: E402
from digitcli.imaging.fitting import fit_and_centre  # noqa: E402

from make_photos import load_mnist  # noqa: E402

LEARNT = 40_000  # MNIST training digits learnt from; the rest check the network
CHECKED = 3_000  # pictures made from the rest


def cropped(digit: np.ndarray) -> np.ndarray:
    """`digit` (MNIST 28x28) cropped to its ink, as floats."""
    rows, cols = np.flatnonzero(digit.max(axis=1) > 30), np.flatnonzero(digit.max(axis=0) > 30)
    return digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32)


def one(rng: np.random.Generator, digit: np.ndarray, ruled: float = 0.0) -> np.ndarray:
    """One digit's 28x28, drawn 1-1.7 times as wide in half of them; `ruled`: the share with
    a cell's rule beside it (`beside_a_rule`)."""
    ink = cropped(digit)
    if rng.random() < 0.5:
        ink = cv2.resize(ink, (int(ink.shape[1] * rng.uniform(1.0, 1.7)), ink.shape[0]))
    written = beside_a_rule(rng, ink, ruled) if ruled else np.pad(ink, 4)
    return fit_and_centre(as_written(rng, written))


RULE_KINDS = ("under", "over", "beside", "corner")


def beside_a_rule(rng: np.random.Generator, ink: np.ndarray, ruled: float) -> np.ndarray:
    """`ink` (cropped to its ink) in a margin of 0.4 of its height, and in a `ruled` share of
    them a cell's rule beside it: a line under or over it, one beside it running past it above
    and below, or both (a corner), all measured by the ink's height. What the preparation keeps
    of a small cell's ruling next to the ink it finds (a register's cell under `paper_size` a
    side: its 28x28 holds the number and the corner of its cell), in one digit and several
    alike: a rule is neither."""
    h, w = ink.shape
    margin = max(3, round(0.4 * h))
    canvas = np.pad(ink, margin)
    if rng.random() >= ruled:
        return canvas
    width = max(1, round(h * rng.uniform(0.04, 0.1)))
    level = float(rng.uniform(120, 255))
    gap = max(1, round(h * rng.uniform(0.05, 0.3)))
    kind = str(rng.choice(RULE_KINDS))
    if kind in ("under", "over", "corner"):
        y = margin + h + gap if kind != "over" else margin - gap - 1
        start = int(rng.integers(0, margin + 1))
        cv2.line(canvas, (start, y), (canvas.shape[1] - 1, y), level, width)
    if kind in ("beside", "corner"):
        right = kind == "corner" or rng.random() < 0.5
        x = margin + w + gap if right else margin - gap - 1
        cv2.line(canvas, (x, 0), (x, canvas.shape[0] - 1), level, width)
    return canvas


def as_written(rng: np.random.Generator, ink: np.ndarray) -> np.ndarray:
    """`ink` with, in 3 of 10, up to six specks beside it (what the preparation keeps of the
    paper's grain near a digit)."""
    h, w = ink.shape
    if rng.random() < 0.3:
        for _ in range(int(rng.integers(1, 7))):
            y, x, r = int(rng.integers(h)), int(rng.integers(w)), int(rng.integers(1, 3))
            cv2.circle(ink, (x, y), r, float(rng.uniform(100, 255)), -1)
    return ink


def several(rng: np.random.Generator, digits: np.ndarray, ruled: float = 0.0) -> np.ndarray:
    """The 28x28 of `digits` written in a row, close or into each other; `ruled`: the share
    with a cell's rule beside them (`beside_a_rule`)."""
    high = 40
    parts = []
    for digit in digits:
        ink = cropped(digit)
        tall = int(high * rng.uniform(0.85, 1.15))
        parts.append(cv2.resize(ink, (max(1, round(ink.shape[1] * tall / ink.shape[0])), tall)))
    canvas = np.zeros((high + 20, sum(p.shape[1] for p in parts) + 50), np.float32)
    x = 5
    for part in parts:
        y = int(rng.integers(0, canvas.shape[0] - part.shape[0] + 1))
        place = canvas[y : y + part.shape[0], x : x + part.shape[1]]
        np.maximum(place, part, out=place)
        x += int(part.shape[1] * rng.uniform(0.6, 1.15))
    written = beside_a_rule(rng, cropped(canvas), ruled) if ruled else canvas
    return fit_and_centre(as_written(rng, written))


def made(
    seed: int, n: int, digits: np.ndarray, ruled: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """`n` 28x28s (uint8) of one digit or several, half each, and their classes (1: several);
    `ruled`: the share with a cell's rule beside the ink."""
    rng = np.random.default_rng(seed)
    pictures, classes = [], []
    for _ in range(n):
        if rng.random() < 0.5:
            pictures.append(one(rng, digits[rng.integers(len(digits))], ruled))
            classes.append(0)
        else:
            k = 2 if rng.random() < 0.7 else 3
            pictures.append(several(rng, digits[rng.integers(len(digits), size=k)], ruled))
            classes.append(1)
    return np.clip(np.stack(pictures), 0, 255).astype(np.uint8), np.array(classes, np.float32)


def build():
    import keras

    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 3, activation="relu", padding="same"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, activation="relu", padding="same"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=30_000, help="pictures to learn from")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument(
        "--ruled", type=float, default=0.0, help="share with a cell's rule beside the ink (0)"
    )
    parser.add_argument("--out", type=Path, default=count.MODEL)
    args = parser.parse_args()
    import keras
    import tensorflow as tf

    digits = load_mnist("train")[0]
    x, y = made(args.seed, args.count, digits[:LEARNT], args.ruled)
    checked_x, checked_y = made(args.seed + 1000, CHECKED, digits[LEARNT:])
    keras.utils.set_random_seed(args.seed)
    model = build()
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x[..., None] / 255.0, y, epochs=args.epochs, batch_size=128, verbose=2)
    loss, accuracy = model.evaluate(checked_x[..., None] / 255.0, checked_y, verbose=0)
    print(f"{CHECKED} pictures of digits never learnt: accuracy {accuracy:.4f}")
    args.out.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    command = " ".join(["python bench/build/make_count.py", *sys.argv[1:]]).replace(
        str(args.out), args.out.name
    )
    training = {"seed": args.seed, "command": command, "mnist": f"MNIST's training digits "
                f"0-{LEARNT - 1} ({args.count} pictures); checked on {CHECKED} made of the "
                f"rest: accuracy {accuracy:.4f}"}  # fmt: skip
    stamp(args.out, ("preparation",), count.FITS, training)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
