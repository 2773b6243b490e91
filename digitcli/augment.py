"""Training images as other writers and other scanners would have made them.

MNIST's 500 writers used similar pens and were scanned one way; users' digits are slanted,
thicker or thinner, stretched, wobbly, blurred or binarised. `writers_augment` redraws a share
of each epoch's images with such differences, and then lays each one out again the way
`digitcli.images.prepare` lays out a user's digit (longest side 20 px, centre of mass at the
centre), so training sees what prediction will see.

One vectorised pass per epoch (scipy.ndimage on whole chunks of images): about 1 s for 54,000
images on one core, prepared on a background thread while the previous epoch trains.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from scipy import ndimage

from digitcli.config import IMAGE_SIZE

BOX = 20.0  # the longest side of a prepared digit (images.BOX_SIZE)
CENTRE = 14.0  # where its centre of mass goes (images.CENTRE)
CHUNK = 4096  # images warped at once: bounds the coordinate arrays to ~50 MB
ROTATION = np.radians(12)  # largest rotation either way
SLANT = 0.35  # largest shear either way (x += slant * y)
ASPECT = 0.25  # width / height changes by up to this share either way
ELASTIC = 1.2  # pixels: typical local displacement of the elastic distortion
THICKER, THINNER = 0.30, 0.15  # shares of images drawn with a thicker / thinner pen
BLURRED, BINARISED = 0.15, 0.10  # shares re-scanned at half resolution / in black and white


def writers_augment(images: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    """A copy of `images` (uint8, n x 28 x 28, white ink on black) with `share` of them redrawn."""
    out = images.copy()
    chosen = np.flatnonzero(rng.random(len(images)) < share)
    for start in range(0, len(chosen), CHUNK):
        index = chosen[start : start + CHUNK]
        out[index] = _redraw(images[index].astype(np.float32), rng)
    return out


def _redraw(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    ink = _pen(ink, rng)
    ink = _warp(ink, rng)
    ink = _rescan(ink, rng)
    return np.clip(np.rint(ink), 0, 255).astype(np.uint8)


def _pen(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Thicker strokes (grey dilation) or thinner ones (grey erosion) for some images."""
    draw = rng.random(len(ink))
    thick, thin = draw < THICKER, draw > 1 - THINNER
    if thick.any():
        ink[thick] = ndimage.grey_dilation(ink[thick], size=(1, 2, 2))
    if thin.any():
        eroded = ndimage.grey_erosion(ink[thin], size=(1, 2, 2))
        kept = eroded.reshape(len(eroded), -1).max(axis=1) > 64  # a hairline vanishes: keep it
        ink[np.flatnonzero(thin)[kept]] = eroded[kept]
    return ink


def _warp(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rotate, slant and stretch each image, add an elastic wobble, then fit and centre again."""
    n = len(ink)
    angle = rng.uniform(-ROTATION, ROTATION, n)
    slant = rng.uniform(-SLANT, SLANT, n)
    aspect = np.exp(rng.uniform(np.log(1 - ASPECT), np.log(1 + ASPECT), n))
    cos, sin = np.cos(angle), np.sin(angle)
    # forward[i] maps source (row, col) offsets from the centre of mass to output offsets.
    forward = np.empty((n, 2, 2))
    forward[:, 0, 0], forward[:, 0, 1] = cos, -sin
    forward[:, 1, 0], forward[:, 1, 1] = aspect * (sin + slant * cos), aspect * (cos - slant * sin)
    mass_row, mass_col, extent = _layout(ink, forward)
    forward *= (BOX * rng.uniform(0.9, 1.02, n) / np.maximum(extent, 1.0))[:, None, None]
    inverse = np.linalg.inv(forward).astype(np.float32)
    grid = np.indices((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32).reshape(2, 1, -1) - CENTRE
    shift = rng.normal(0, 0.5, (2, n, 1)).astype(np.float32)  # centre of mass within a pixel
    # source = inverse @ (grid - shift) + mass, written out: 4x faster than np.einsum here.
    rel_r, rel_c = grid[0] - shift[0], grid[1] - shift[1]
    elastic = _elastic(n, rng)
    rows = inverse[:, 0, 0, None] * rel_r + inverse[:, 0, 1, None] * rel_c
    cols = inverse[:, 1, 0, None] * rel_r + inverse[:, 1, 1, None] * rel_c
    rows += mass_row[:, None].astype(np.float32) + elastic[:, 0]
    cols += mass_col[:, None].astype(np.float32) + elastic[:, 1]
    return _bilinear(ink, rows, cols).reshape(n, IMAGE_SIZE, IMAGE_SIZE)


def _bilinear(ink: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """ink sampled at (rows, cols), zero outside: four gathers from a zero-bordered copy.
    3x faster here than scipy.ndimage.map_coordinates, which checks every point's bounds."""
    n, size = len(ink), IMAGE_SIZE + 2
    padded = np.zeros((n, size, size), np.float32)
    padded[:, 1:-1, 1:-1] = ink
    rows = np.clip(rows + 1, 0, size - 1.001).astype(np.float32)
    cols = np.clip(cols + 1, 0, size - 1.001).astype(np.float32)
    r0, c0 = rows.astype(np.int32), cols.astype(np.int32)
    fr, fc = rows - r0, cols - c0
    base = (np.arange(n, dtype=np.int64) * size * size)[:, None] + r0 * size + c0
    flat = padded.ravel()
    top = flat[base] * (1 - fc) + flat[base + 1] * fc
    bottom = flat[base + size] * (1 - fc) + flat[base + size + 1] * fc
    return top * (1 - fr) + bottom * fr


def _layout(ink: np.ndarray, forward: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each image's centre of mass, and the longest side of its inked pixels once transformed."""
    rows = np.arange(IMAGE_SIZE, dtype=np.float32)
    mass = ink.sum(axis=(1, 2)) + 1e-6
    mass_row = (ink.sum(axis=2) * rows).sum(axis=1) / mass
    mass_col = (ink.sum(axis=1) * rows).sum(axis=1) / mass
    inked = ink > 32
    grid = np.indices((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    offsets_r = grid[0][None] - mass_row[:, None, None]
    offsets_c = grid[1][None] - mass_col[:, None, None]
    extent = np.empty(len(ink))
    for axis in (0, 1):
        moved = (
            forward[:, axis, 0, None, None] * offsets_r
            + forward[:, axis, 1, None, None] * offsets_c
        )
        high = np.where(inked, moved, -np.inf).reshape(len(ink), -1).max(axis=1)
        low = np.where(inked, moved, np.inf).reshape(len(ink), -1).min(axis=1)
        pixel = np.abs(forward[:, axis, 0]) + np.abs(forward[:, axis, 1])  # one pixel, moved
        span = np.where(np.isfinite(high - low), high - low + pixel, BOX)
        extent = span if axis == 0 else np.maximum(extent, span)
    return mass_row, mass_col, extent


def _elastic(n: int, rng: np.random.Generator) -> np.ndarray:
    """Smooth random displacements (n, 2, 784): a 4x4 field of offsets, interpolated."""
    coarse = rng.normal(0, ELASTIC, (n * 2, 4, 4)).astype(np.float32)
    fine = np.einsum("ij,njk,lk->nil", _SPREAD, coarse, _SPREAD, optimize=True)
    return fine.reshape(n, 2, -1)


def _spread(cells: int, size: int) -> np.ndarray:
    """Bilinear interpolation weights from `cells` cell centres to `size` pixel centres."""
    position = np.clip((np.arange(size) + 0.5) * cells / size - 0.5, 0, cells - 1)
    below = np.minimum(np.floor(position).astype(int), cells - 2)
    weights = np.zeros((size, cells), np.float32)
    weights[np.arange(size), below] = 1 - (position - below)
    weights[np.arange(size), below + 1] = position - below
    return weights


_SPREAD = _spread(4, IMAGE_SIZE)


def _rescan(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Some images re-scanned at half resolution (blurred), some in black and white."""
    draw = rng.random(len(ink))
    blurred, binarised = draw < BLURRED, draw > 1 - BINARISED
    if blurred.any():
        half = ink[blurred].reshape(-1, IMAGE_SIZE // 2, 2, IMAGE_SIZE // 2, 2).mean(axis=(2, 4))
        ink[blurred] = ndimage.zoom(half, (1, 2, 2), order=1)
        peak = ink[blurred].reshape(blurred.sum(), -1).max(axis=1)
        ink[blurred] *= (255.0 / np.maximum(peak, 1.0))[:, None, None]  # cores stay white
    if binarised.any():
        ink[binarised] = np.where(ink[binarised] >= 96, 255.0, 0.0)
    return ink


class EpochImages:
    """Each epoch's augmented images, made on a background thread ahead of time.

    One draw serves `every` epochs in a row (each epoch still shuffles its own order): an MLP
    epoch takes ~2.5 s and a draw ~5 s of one core, so drawing every epoch would double the
    MLP's training time; drawing every third costs it ~20% for the same accuracy.
    """

    def __init__(self, images: np.ndarray, seed: int, share: float, every: int = 1) -> None:
        self.images = images
        self.seed = seed
        self.share = share
        self.every = max(1, every)
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="digitcli-augment")
        self.pending: dict[int, Future[np.ndarray]] = {}
        self.current: tuple[int, np.ndarray] | None = None

    def _make(self, draw: int) -> np.ndarray:
        return writers_augment(self.images, np.random.default_rng([self.seed, draw, 7]), self.share)

    def get(self, epoch: int, *, upcoming: int | None = None) -> np.ndarray:
        """The images for `epoch` (the same for the same seed and epoch, so runs resume);
        `upcoming`: the epoch after it, whose draw starts now if it is a new one."""
        draw = epoch // self.every
        if self.current is None or self.current[0] != draw:
            future = self.pending.pop(draw, None)
            self.current = (draw, future.result() if future else self._make(draw))
        if upcoming is not None:
            following = upcoming // self.every
            if following != draw and following not in self.pending:
                self.pending[following] = self.pool.submit(self._make, following)
        return self.current[1]

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
