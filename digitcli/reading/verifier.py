"""Is a candidate of `read`'s segmentation one whole digit? A small network that knows.

The digit classifier is sure of itself on what is not one digit: a 1 pressed against an 8 is
"an 8", half of a 0 is "a 1". This network was trained on the candidates `segment.py` finds in
numbers written with MNIST *training* digits (`bench/make_verifier.py`), each labelled by
whether it matches one true digit's box, from the candidate's 28x28 pixels and its shape on
the line (width and height in line heights, aspect, pieces, penalty). `best_reading` adds its
log-probability to the classifier's: on the read benchmark's held-out set, 82.2% -> 85.2% of
numbers read exactly, and it lets `segment.py` try more cuts (88.8%).

It runs in NumPy (three small dense layers, ~0.3 ms for an image's candidates), so `read` needs
no TensorFlow for it. It knows the candidates `segment.py` makes today: after changing how they
are cut, joined or priced, train it again (`python bench/make_verifier.py`) and measure.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from digitcli.reading.segment import Line

WEIGHTS = Path(__file__).parent / "verifier.npz"
FEATURES = 5  # appended to the 784 pixels; see shape_features


def shape_features(line: Line) -> np.ndarray:
    """(len(candidates), FEATURES): ln aspect, pieces / 6, penalty / 10, ln width and ln height
    in line heights."""
    boxes = np.array([c.box for c in line.candidates], np.float32).reshape(-1, 4)
    width = np.maximum(boxes[:, 2] - boxes[:, 0], 1.0)
    height = np.maximum(boxes[:, 3] - boxes[:, 1], 1.0)
    pieces = np.array([c.stop - c.start for c in line.candidates], np.float32)
    penalty = np.array([c.penalty for c in line.candidates], np.float32)
    line_height = max(line.height, 1.0)
    return np.stack(
        [
            np.log(np.maximum(width / height, 0.05)),
            np.minimum(pieces, 6) / 6,
            np.minimum(penalty, 10) / 10,
            np.log(np.maximum(width / line_height, 0.05)),
            np.log(np.maximum(height / line_height, 0.05)),
        ],
        axis=1,
    )


def inputs(line: Line) -> np.ndarray:
    """What the network reads for each candidate: pixels scaled to 0-1, then shape_features."""
    pixels = np.stack([c.pixels for c in line.candidates]).reshape(len(line.candidates), 784)
    return np.concatenate([pixels.astype(np.float32) / 255.0, shape_features(line)], axis=1)


@cache
def _layers() -> list[tuple[np.ndarray, np.ndarray]]:
    from digitcli.core.fits import require

    require(WEIGHTS, ("preparation", "segmentation"))
    with np.load(WEIGHTS) as saved:
        count = sum(name.startswith("arr_") for name in saved.files)
        arrays = [saved[f"arr_{i}"].astype(np.float32) for i in range(count)]
    return list(zip(arrays[::2], arrays[1::2], strict=True))


def log_single(line: Line) -> np.ndarray:
    """ln P(the candidate is one whole digit), for each of `line`'s candidates."""
    if not line.candidates:
        return np.zeros(0, np.float32)
    hidden = inputs(line)
    *inner, (weights, bias) = _layers()
    for inner_weights, inner_bias in inner:
        hidden = np.maximum(_product(hidden, inner_weights) + inner_bias, 0.0)
    logits = (_product(hidden, weights) + bias)[:, 0]
    return -np.logaddexp(0.0, -logits)


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b in NumPy's own loops, not BLAS: 0.3 ms instead of 0.05 ms an image, but a BLAS
    call wakes its thread pool, whose spinning threads took the workers' cores (read: 52 -> 45
    numbers/s on 2 cores)."""
    return np.einsum("ij,jk->ik", a, b)
