"""Training images that look like other writers, pens and scanners than MNIST's.

MNIST's digits come from ~500 writers, one kind of pen, one scanner. What differs for our users:
stroke width (felt pens, pencils), slant, proportions, wobbly strokes, and low-resolution or blurry
scans. `augment` redraws a whole epoch of training images that way, vectorised over the batch:
NumPy shifted-slice maxima for the stroke width (10x faster here than `tf.nn.max_pool2d` on
one-channel 28x28 images), one TensorFlow projective warp for rotation/slant/size/aspect/shift,
a bilinear gather for the elastic field, two resizes for the low resolution. Each change touches
only the images that drew it. `EpochImages` prepares the next epoch on a background thread while
the current one trains.

Every draw comes from a generator seeded by (seed, epoch): the same run gives the same images,
and a resumed run redraws exactly the epoch it stopped in.
This module imports TensorFlow: import it only when training.
"""

from __future__ import annotations

import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from digitcli.backend import tf

SIZE = 28


@dataclass(frozen=True)
class Augmentation:
    """How often each change happens and how far it goes; every image draws its own amounts."""

    warp: float = 0.7  # probability of an affine change: rotation, slant, size, aspect, shift
    rotation: float = 12.0  # degrees, either way
    shear: float = 0.3  # slant: columns shift by shear * (row - centre), either way
    scale: tuple[float, float] = (0.85, 1.1)  # overall size
    aspect: float = 0.25  # width / height changes by up to this factor, either way
    shift: float = 2.0  # pixels, each axis
    elastic: float = 0.25  # probability of a smooth random displacement field (wobbly strokes)
    elastic_pixels: float = 1.5  # its largest displacement
    thicker: float = 0.3  # probability of a thicker pen (grey dilation, partly blended)
    thinner: float = 0.15  # probability of a thinner pen (grey erosion, partly blended)
    low_resolution: float = 0.15  # probability of a re-scan at 10-16 px, blown up again
    blur: float = 0.1  # probability of a 3x3 Gaussian blur


WRITERS = Augmentation()  # the default for every architecture


def augment(
    images: np.ndarray, seed: tuple[int, int], policy: Augmentation = WRITERS
) -> np.ndarray:
    """`images` (n, 28, 28) uint8, white ink on black -> a redrawn copy of the same shape."""
    rng = np.random.default_rng(seed)
    x = images.astype(np.float32)
    _stroke_width(x, rng, policy)
    _affine(x, rng, policy)
    _elastic(x, rng, policy)
    _low_resolution(x, rng, policy)
    _blur(x, rng, policy)
    # Preparation stretches every user's digit to full contrast; so do we.
    peak = x.max(axis=(1, 2), keepdims=True)
    x *= np.where(peak > 1, 255 / np.maximum(peak, 1), 1)
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def _chosen(rng: np.random.Generator, n: int, probability: float) -> np.ndarray:
    return np.flatnonzero(rng.random(n) < probability)


def _neighbourhood(x: np.ndarray, pick) -> np.ndarray:
    """The 3x3 maximum (`pick=np.maximum`) or minimum of every pixel: grey dilation/erosion."""
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1)), constant_values=0 if pick is np.maximum else 255)
    out = x.copy()
    for dr in range(3):
        for dc in range(3):
            pick(out, padded[:, dr : dr + SIZE, dc : dc + SIZE], out=out)
    return out


def _stroke_width(x: np.ndarray, rng: np.random.Generator, policy: Augmentation) -> None:
    """Thicker or thinner pens, blended in by a random amount so widths vary continuously."""
    draw = rng.random(len(x))
    for index, pick, strength in (
        (np.flatnonzero(draw < policy.thicker), np.maximum, 1.0),
        (np.flatnonzero(draw > 1 - policy.thinner), np.minimum, 0.7),  # erosion can erase ink
    ):
        if len(index):
            amount = rng.uniform(0.4, 1.0, len(index))[:, None, None] * strength
            part = x[index]
            x[index] = part + amount * (_neighbourhood(part, pick) - part)


def _affine(x: np.ndarray, rng: np.random.Generator, policy: Augmentation) -> None:
    index = _chosen(rng, len(x), policy.warp)
    if not len(index):
        return
    n = len(index)
    angle = rng.uniform(-1, 1, n) * math.radians(policy.rotation)
    shear = rng.uniform(-policy.shear, policy.shear, n)
    scale = rng.uniform(*policy.scale, n)
    aspect = np.exp(rng.uniform(-1, 1, n) * math.log1p(policy.aspect))
    sx, sy = scale * np.sqrt(aspect), scale / np.sqrt(aspect)
    shift = rng.uniform(-policy.shift, policy.shift, (n, 2))
    # The forward map about the centre: scale, then slant, then rotate, then shift.
    cos, sin = np.cos(angle), np.sin(angle)
    forward = np.zeros((n, 3, 3))
    forward[:, 0, 0], forward[:, 0, 1] = cos * sx, -sin * sy + cos * shear * sy
    forward[:, 1, 0], forward[:, 1, 1] = sin * sx, cos * sy + sin * shear * sy
    forward[:, 2, 2] = 1
    centre = (SIZE - 1) / 2
    forward[:, :2, 2] = centre + shift - forward[:, :2, :2] @ np.array([centre, centre])
    # The op wants, per image, the map from output (x, y) to input: the inverse, flattened.
    inverse = np.linalg.inv(forward).reshape(n, 9)[:, :8] / np.linalg.inv(forward)[:, 2, 2, None]
    warped = tf.raw_ops.ImageProjectiveTransformV3(
        images=x[index, :, :, None],
        transforms=inverse.astype(np.float32),
        output_shape=[SIZE, SIZE],
        fill_value=0.0,
        interpolation="BILINEAR",
    )
    x[index] = warped.numpy()[..., 0]


def _elastic(x: np.ndarray, rng: np.random.Generator, policy: Augmentation) -> None:
    """A smooth random displacement (4x4 random vectors, bicubically smoothed up to 28x28)."""
    index = _chosen(rng, len(x), policy.elastic)
    if not len(index):
        return
    coarse = rng.uniform(-1, 1, (len(index), 4, 4, 2)).astype(np.float32)
    field = tf.image.resize(coarse, (SIZE, SIZE), method="bicubic").numpy()
    field *= policy.elastic_pixels
    grid = np.arange(SIZE, dtype=np.float32)
    rows = grid[None, :, None] + field[..., 0]
    cols = grid[None, None, :] + field[..., 1]
    x[index] = _bilinear(x[index], rows, cols)


def _bilinear(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Sample images x (n, 28, 28) at float coordinates (n, 28, 28); outside is background."""
    n = len(x)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1))).reshape(-1)  # a ring of background
    side = SIZE + 2
    rows = np.clip(rows + 1, 0, side - 1.001)
    cols = np.clip(cols + 1, 0, side - 1.001)
    r0, c0 = np.floor(rows).astype(np.int64), np.floor(cols).astype(np.int64)
    fr, fc = rows - r0, cols - c0
    flat = np.arange(n)[:, None, None] * side * side + r0 * side + c0
    top = padded[flat] * (1 - fc) + padded[flat + 1] * fc
    bottom = padded[flat + side] * (1 - fc) + padded[flat + side + 1] * fc
    return top * (1 - fr) + bottom * fr


def _low_resolution(x: np.ndarray, rng: np.random.Generator, policy: Augmentation) -> None:
    """A coarse re-scan: shrink to 10-16 px, the digit to 7-11 px (area averaging, like a
    scanner's sensor), blow back up bilinearly, and re-threshold half of them into hard edges."""
    index = _chosen(rng, len(x), policy.low_resolution)
    if not len(index):
        return
    small = rng.choice((10, 13, 16), len(index))
    harden = rng.random(len(index)) < 0.5
    for size in (10, 13, 16):
        part = index[small == size]
        if not len(part):
            continue
        coarse = tf.image.resize(x[part, :, :, None], (size, size), "area")
        x[part] = tf.image.resize(coarse, (SIZE, SIZE)).numpy()[..., 0]
    hard = index[harden]
    x[hard] = np.clip((x[hard] - 60.0) * 2.0, 0, 255)


def _blur(x: np.ndarray, rng: np.random.Generator, policy: Augmentation) -> None:
    """A 3x3 Gaussian (1-2-1 each way), as separable shifted sums."""
    index = _chosen(rng, len(x), policy.blur)
    if not len(index):
        return
    padded = np.pad(x[index], ((0, 0), (1, 1), (1, 1)))
    rows = padded[:, :-2] + 2 * padded[:, 1:-1] + padded[:, 2:]
    x[index] = (rows[:, :, :-2] + 2 * rows[:, :, 1:-1] + rows[:, :, 2:])[:, :, :] / 16


class EpochImages:
    """Each epoch's augmented training images, drawn on a background thread ahead of time.

    A draw serves `every` epochs in a row (each epoch still shuffles its own order): the MLPs'
    epochs take ~2 s, so a fresh draw every epoch would cost more than the training itself.
    """

    def __init__(
        self, images: np.ndarray, seed: int, policy: Augmentation = WRITERS, every: int = 1
    ) -> None:
        self.images = images
        self.seed = seed
        self.policy = policy
        self.every = max(1, every)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="augment")
        self.draws: dict[int, Future] = {}

    def _draw(self, index: int) -> Future:
        if index not in self.draws:
            self.draws[index] = self.pool.submit(
                augment, self.images, (self.seed, index), self.policy
            )
        return self.draws[index]

    def epoch(self, epoch: int, *, last: int) -> np.ndarray:
        """The images for `epoch` (0-based), in the original order; starts the next draw."""
        index = epoch // self.every
        images = self._draw(index)
        for old in [key for key in self.draws if key < index]:
            del self.draws[old]
        if (index + 1) * self.every < last:
            self._draw(index + 1)
        return images.result()

    def close(self) -> None:
        for future in self.draws.values():
            future.cancel()
        self.pool.shutdown(wait=True)
