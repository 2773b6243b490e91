"""Train `digitcli/reading/verifier.npz`: is a candidate of `read`'s segmentation one whole digit?

Numbers are written with MNIST *training* digits by `make_numbers.make_number` (the read
benchmark writes its numbers with test digits), every kind, tight ones twice as often, half of
them in the widened styles (`--wide`: dates parted by "/", "-" or ".", combs and other boxes;
before, none were, and a date's separator was read as a digit); each
candidate `segment.find_candidates` finds in them is labelled "one digit" when its box matches a
true digit's box (intersection over union above 0.7), else "not". A small dense network
(789 -> 128 -> 32 -> 1) learns it from `digitcli.reading.verifier.inputs`; its weights are saved as
float16. About 4.5 minutes on 2 cores. The shipped one (issue 52) was written in 16 parts on
16 cores (`--parts 16`) and trained with Keras's torch backend on a GPU: validation accuracy
88.5% (loss 0.268), 181,239 candidates, 30.0% of them one digit.

    python bench/make_verifier.py                     # writes digitcli/reading/verifier.npz
    python bench/make_verifier.py --numbers 600 --out verifier-test.npz
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from functools import partial
from multiprocessing import Pool
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
from make_numbers import make_number

from digitcli.core.fits import stamp

from make_photos import load_mnist

REPO = Path(__file__).resolve().parent.parent

KINDS = ("tight", "tight", "long", "spaced", "grouped", "boxed")
MATCH = 0.7  # intersection over union with a true digit's box that counts as one digit
WIDE = 0.5  # the share of numbers written in the widened styles (make_numbers' `wide`)


def intersection(a, b) -> float:
    """The area two (left, top, right, bottom) boxes share."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


def overlap(a, b) -> float:
    """Intersection over union of two (left, top, right, bottom) boxes."""
    inter = intersection(a, b)
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def kept(
    path: Path | None, names: tuple[str, ...], make: Callable[[], tuple[np.ndarray, ...]]
) -> tuple[np.ndarray, ...]:
    """`make()`'s arrays, saved at `path` (.npz, under `names`) when given, or loaded from it
    when it exists."""
    if path and path.exists():
        with np.load(path) as saved:
            return tuple(saved[name] for name in names)
    arrays = make()
    if path:
        np.savez_compressed(path, **dict(zip(names, arrays, strict=True)))
    return arrays


def in_parts(
    work: Callable[[tuple[int, int]], tuple[np.ndarray, ...]],
    count: int,
    parts: int,
    first_seed: int = 0,
) -> tuple[np.ndarray, ...]:
    """`work((seed, share))` for `parts` parts of `count` numbers, seeds `first_seed`, `first_seed
    + 1`, ..., in parallel; each of its arrays joined across the parts."""
    share = -(-count // parts)
    with Pool(min(parts, os.cpu_count() or 1)) as pool:
        done = pool.map(work, [(first_seed + part, share) for part in range(parts)])
    return tuple(np.concatenate(arrays) for arrays in zip(*done, strict=True))


def is_wide(index: int, kinds: int, share: float) -> bool:
    """Whether number `index` is written wide: of each run of `kinds` numbers (every kind once),
    a `share` of the runs, spread evenly."""
    run = index // kinds
    return math.floor((run + 1) * share) > math.floor(run * share)


def written_numbers(seed: int, count: int, kinds: tuple[str, ...], wide: float = WIDE):
    """`count` numbers written with MNIST training digits (kinds in turn, a `wide` share of them
    in the widened styles), each with the line `segment.find_candidates` finds in it."""
    from digitcli.imaging.images import open_image
    from digitcli.reading.segment import OPEN_SIDE, find_candidates

    x, y = load_mnist("train")
    rng = np.random.default_rng(seed)
    with TemporaryDirectory(prefix="digitcli-numbers-") as tmp:
        for i in range(count):
            wide_one = is_wide(i, len(kinds), wide)
            number = make_number(x, y, kinds[i % len(kinds)], Path(tmp) / f"n{i}", rng, wide_one)
            yield number, find_candidates(open_image(Path(tmp) / number.file, max_side=OPEN_SIDE))


def candidates(task: tuple[int, int], wide: float = WIDE) -> tuple[np.ndarray, np.ndarray]:
    """The verifier's inputs and labels for `count` numbers made with seed `seed`."""
    from digitcli.reading.verifier import inputs

    features, labels = [], []
    for number, line in written_numbers(*task, KINDS, wide):
        if not line.candidates:
            continue
        features.append(inputs(line))
        labels += [max(overlap(c.box, b) for b in number.boxes) > MATCH for c in line.candidates]
    return np.concatenate(features), np.array(labels, np.float32)


def train(features: np.ndarray, labels: np.ndarray, seed: int = 0) -> list[np.ndarray]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((features.shape[1],)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])  # fmt: skip
    model.compile(keras.optimizers.Adam(1e-3), "binary_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
    model.fit(features, labels, batch_size=128, epochs=30, validation_split=0.1,
              callbacks=[stop], verbose=2)  # fmt: skip
    return [weight.numpy() for weight in model.weights]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=6000, help="numbers to write (6000)")
    parser.add_argument("--wide", type=float, default=WIDE, help="share written wide (0.5)")
    cores = os.cpu_count() or 1
    parser.add_argument("--parts", type=int, default=cores, help="parts (seeds) written at once")
    parser.add_argument("--out", type=Path, default=REPO / "digitcli" / "reading" / "verifier.npz")
    args = parser.parse_args(argv)
    work = partial(candidates, wide=args.wide)
    features, labels = in_parts(work, args.numbers, args.parts)
    print(f"{len(labels)} candidates, {labels.mean():.1%} of them one digit")
    order = np.random.default_rng(0).permutation(len(labels))
    weights = train(features[order], labels[order])
    np.savez(args.out, *[w.astype(np.float16) for w in weights])
    stamp(args.out, ("preparation", "segmentation"))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
