"""Tiny MNIST-like datasets written in every format digitcli reads, for any test module to use.

For example, `x, y = synthetic_digits(200, seed=0)`, then
`write_idx(tmp_path, train=(x[:150], y[:150]), test=(x[150:], y[150:]))`, then
`load_dataset(tmp_path, download=False)`.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np

SIZE = 28
Arrays = tuple[np.ndarray, np.ndarray]  # (x uint8 (n, 28, 28), y uint8 (n,))


def _templates() -> np.ndarray:
    """One bright stroke per class, a bar through the centre at angle 18° x digit."""
    rows, cols = np.mgrid[0:SIZE, 0:SIZE] - (SIZE - 1) / 2
    templates = np.zeros((10, SIZE, SIZE))
    for digit in range(10):
        angle = np.pi * digit / 10
        across = np.abs(-np.sin(angle) * cols + np.cos(angle) * rows)
        along = np.abs(np.cos(angle) * cols + np.sin(angle) * rows)
        templates[digit] = (across < 1.6) & (along < 10)
    return templates


# The classes whose bar is steep. The bars of 0, 1 and 9 lie within 20° of flat: a dash,
# which the letters network takes for no digit (round 54), so `predict` refuses some of them;
# the 2's, at 36°, is a slash the classifier reads as a 1 unsurely (0.4-0.8), and `unsure`
# refuses some of those (round 62).
STEEP = (3, 4, 5, 6, 7, 8)


def synthetic_digits(n: int, seed: int = 0, classes: tuple[int, ...] = tuple(range(10))) -> Arrays:
    """n images that a tiny model tells apart well above chance: a stroke per class, shifted by up
    to 2 pixels, in random brightness, over faint noise. Labels are balanced over `classes` and
    shuffled (STEEP: pictures `predict` answers, for tests of what is done with answers)."""
    rng = np.random.default_rng(seed)
    y = np.asarray(classes)[rng.permutation(np.arange(n) % len(classes))].astype(np.uint8)
    templates = _templates()
    x = np.empty((n, SIZE, SIZE), dtype=np.uint8)
    for i, digit in enumerate(y):
        shifted = np.roll(templates[digit], tuple(rng.integers(-2, 3, size=2)), axis=(0, 1))
        image = shifted * rng.uniform(170, 255) + rng.uniform(0, 40, size=(SIZE, SIZE))
        x[i] = np.clip(image, 0, 255).astype(np.uint8)
    return x, y


def idx_images_bytes(x: np.ndarray) -> bytes:
    """An IDX image file (magic 0x00000803, count, 28, 28, pixels), uncompressed."""
    header = np.array([0x803, len(x), x.shape[1], x.shape[2]], dtype=">u4").tobytes()
    return header + np.ascontiguousarray(x, dtype=np.uint8).tobytes()


def idx_labels_bytes(y: np.ndarray) -> bytes:
    """An IDX label file (magic 0x00000801, count, labels), uncompressed."""
    return np.array([0x801, len(y)], dtype=">u4").tobytes() + np.asarray(y, np.uint8).tobytes()


def write_idx(
    folder: Path,
    train: Arrays | None = None,
    test: Arrays | None = None,
    *,
    gz: bool = True,
    dot_names: bool = False,
) -> dict[str, Path]:
    """The standard four files (or two, for one split); dot_names spells t10k-images.idx3-ubyte."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sep = "." if dot_names else "-"
    written = {}
    for prefix, arrays in (("train", train), ("t10k", test)):
        if arrays is None:
            continue
        for kind, data in (
            ("images", idx_images_bytes(arrays[0])),
            ("labels", idx_labels_bytes(arrays[1])),
        ):
            name = f"{prefix}-{kind}{sep}idx{3 if kind == 'images' else 1}-ubyte"
            path = folder / (name + ".gz" if gz else name)
            path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
            written[f"{prefix}-{kind}"] = path
    return written


def write_tiny_mnist(folder: Path) -> Path:
    """The tests' `tiny_data`: 600 training and 200 test images of `synthetic_digits(800,
    seed=1)` as IDX .gz files. The fixture models (tests/fixtures/make_tiny_model.py) were
    trained on them."""
    x, y = synthetic_digits(800, seed=1)
    write_idx(folder, train=(x[:600], y[:600]), test=(x[600:], y[600:]))
    return Path(folder)


def _csv_text(table: np.ndarray, header: list[str] | None) -> str:
    out = io.StringIO()
    if header:
        out.write(",".join(header) + "\n")
    np.savetxt(out, table, fmt="%d", delimiter=",")
    return out.getvalue()


def write_csv_split(
    folder: Path, train: Arrays | None = None, test: Arrays | None = None, *, header: bool = False
) -> dict[str, Path]:
    """The digit_xtrain.csv / digit_ytrain.csv / digit_xtest.csv / digit_ytest.csv layout."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for split, arrays in (("train", train), ("test", test)):
        if arrays is None:
            continue
        x, y = arrays
        x_path, y_path = folder / f"digit_x{split}.csv", folder / f"digit_y{split}.csv"
        pixel_names = [f"{r}x{c}" for r in range(1, SIZE + 1) for c in range(1, SIZE + 1)]
        x_path.write_text(_csv_text(x.reshape(len(x), -1), pixel_names if header else None))
        y_path.write_text(_csv_text(np.asarray(y).reshape(-1, 1), ["label"] if header else None))
        written[f"x{split}"], written[f"y{split}"] = x_path, y_path
    return written


def write_labelled_csv(path: Path, x: np.ndarray, y: np.ndarray, *, header: bool = False) -> Path:
    """One CSV, the label then 784 pixels per row (Kaggle's mnist_train.csv layout)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = np.column_stack([np.asarray(y).reshape(-1), x.reshape(len(x), -1)])
    names = ["label"] + [f"pixel{i}" for i in range(SIZE * SIZE)]
    path.write_text(_csv_text(table, names if header else None))
    return path


def write_npz(
    path: Path, train: Arrays | None = None, test: Arrays | None = None, *, compress: bool = True
) -> Path:
    """Keras' mnist.npz layout: x_train, y_train, x_test, y_test (either split may be left out)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(npz_bytes(train, test, compress=compress))
    return path


def npz_bytes(
    train: Arrays | None = None, test: Arrays | None = None, *, compress: bool = True
) -> bytes:
    """What write_npz writes, as bytes (a test server serves them, property tests mutate them)."""
    arrays = {}
    for split, pair in (("train", train), ("test", test)):
        if pair is not None:
            arrays[f"x_{split}"], arrays[f"y_{split}"] = pair
    buffer = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def real_digits(per_digit: int, seed: int = 0) -> Arrays:
    """`per_digit` real MNIST *training* digits of each class (28x28 uint8, white ink on
    black), picked at random by `seed`, labels shuffled: pictures of folders of a user's
    digits that `predict` answers as one digit each (a made bar can be taken for a dash)."""
    mnist = Path(__file__).resolve().parent.parent / "MNIST"
    count = 2000  # the first training digits: about 200 of each class
    raw = _head(mnist / "train-images-idx3-ubyte.gz", 16 + count * 784)
    labels = np.frombuffer(_head(mnist / "train-labels-idx1-ubyte.gz", 8 + count), np.uint8,
                           count=count, offset=8)  # fmt: skip
    images = np.frombuffer(raw, np.uint8, count=count * 784, offset=16).reshape(count, 28, 28)
    rng = np.random.default_rng(seed)
    chosen = np.concatenate(
        [rng.choice(np.flatnonzero(labels == d), per_digit, replace=False) for d in range(10)]
    )
    chosen = rng.permutation(chosen)
    return images[chosen].copy(), labels[chosen].copy()


def one_stroke_test_digits() -> dict[int, list[np.ndarray]]:
    """The first MNIST *test* digits of each class written in one stroke (one piece of ink),
    as 28x28 uint8 (white ink on black): digits whose shape is not in doubt."""
    from scipy import ndimage

    mnist = Path(__file__).resolve().parent.parent / "MNIST"
    raw = _head(mnist / "t10k-images-idx3-ubyte.gz", 16 + 200 * 784)
    labels = _head(mnist / "t10k-labels-idx1-ubyte.gz", 208)[8:208]
    images = np.frombuffer(raw, np.uint8, count=200 * 784, offset=16).reshape(200, 28, 28)
    by_digit: dict[int, list[np.ndarray]] = {d: [] for d in range(10)}
    for image, label in zip(images, labels, strict=True):
        if ndimage.label(image > 60, structure=np.ones((3, 3)))[1] == 1:
            by_digit[label].append(image)
    return by_digit


def _head(path: Path, size: int) -> bytes:
    """The first `size` bytes of a gzipped file, decompressed no further (the digits used come
    first: the whole of MNIST's training images took 0.2 s a call)."""
    with gzip.open(path, "rb") as stream:
        return stream.read(size)
