"""Deskewing: each digit's slant taken out before a network reads it, inside the model.

Writers slant their digits by different amounts; MNIST's 500 writers mostly a little to the
right. A horizontal shear that makes the ink's second-moment axis vertical (the classic MNIST
deskew) removes that difference before the network sees it. It is a layer, not a step of
`images.prepare`, so every runtime and export (LiteRT, ONNX, SavedModel) deskews exactly as
training did, with no change to what a model's input is.

Training feeds the network digits deskewed by `deskewed`, the same shear in NumPy, made on the
draw's thread beside training; the saved model has the layer (in the training graph it would
slow every step). Deskewed, the default `mlp` reads other writers' scans
(`bench/checks/robustness.py`) better: docs/measurements/code-notes.md.
"""

from __future__ import annotations

import numpy as np

from digitcli.core.config import IMAGE_SIZE
from digitcli.models.backend import keras

ops = keras.ops

MAX_SKEW = 0.7  # the largest shear undone (x moves by this many pixels a row): ~35 degrees
# Floors on the two divisors, far below any written digit's (MNIST's least: 5,086 grey levels of
# ink, a row variance of 4.4) and far above an int8 export's step (its largest calibrated value
# over 255): an empty canvas or a lone pixel then divides by a number that quantises to non-zero,
# where integer LiteRT refused to divide by zero. Such an image is not sheared (skew ~ 0).
LEAST_INK = 2550.0  # total grey levels: ten white pixels
LEAST_ROW_VARIANCE = 1.0  # of the ink's rows, in pixels squared: ink one pixel tall
_CHUNK = 2048  # images at a time in NumPy: their temporaries stay in the CPU's cache
_MARGIN = 20  # zero columns each side of a row: a row moves at most MAX_SKEW x 27 < 19 px


@keras.saving.register_keras_serializable(package="digitcli")
class Deskew(keras.layers.Layer):
    """(batch, 28, 28) pixels -> the same pixels sheared so the ink stands upright.

    The shear x' = x + skew * (y - centre row), skew = mu11 / mu02 of the ink's grey levels,
    is sampled with linear interpolation along each row: elementwise operations, sums and
    two gathers, which every converter supports (a (28 x 28) interpolation matrix a row and an
    einsum gave the same pixels but took twice as long).
    The gathers read one flat, zero-padded copy of the rows: with take_along_axis, LiteRT ran
    index grids built by BROADCAST_TO and SELECT_V2 outside XNNPACK, several times slower, for
    the same pixels.
    """

    def call(self, pixels):
        pixels = ops.cast(pixels, "float32")
        left, right_share = _source_columns(pixels, ops.arange(IMAGE_SIZE, dtype="float32")[None])
        rows, index = _padded_rows(pixels, ops.cast(left, "int32"))
        return ops.take(rows, index) * (1.0 - right_share) + ops.take(rows, index + 1) * right_share

    def compute_output_shape(self, input_shape):
        return input_shape


def _source_columns(pixels, grid):
    """Where each output pixel reads its row (n, row, col), as the whole column to its left and
    the share of the column to its right; `grid` (1, 28) holds the column numbers 0..27."""
    row_mass = ops.sum(pixels, axis=2)  # (n, rows)
    col_mass = ops.sum(pixels, axis=1)  # (n, cols)
    mass = ops.maximum(ops.sum(row_mass, axis=1, keepdims=True), LEAST_INK)
    dy = grid - ops.sum(row_mass * grid, axis=1, keepdims=True) / mass
    dx = grid - ops.sum(col_mass * grid, axis=1, keepdims=True) / mass
    variance = ops.sum(row_mass * dy * dy, axis=1, keepdims=True) / mass  # mu02 / mass
    covariance = ops.sum(ops.sum(pixels * dx[:, None, :], axis=2) * dy, axis=1, keepdims=True)
    skew = covariance / mass / ops.maximum(variance, LEAST_ROW_VARIANCE)  # mu11 / mu02
    skew = ops.clip(skew, -MAX_SKEW, MAX_SKEW)
    source = grid[:, None, :] + (skew * dy)[:, :, None]  # (n, row, col): where to read
    left = ops.floor(source)
    return left, source - left


def deskew_graph(pixels):
    """The `Deskew` layer's shear as Keras operations on (symbolic) tensors, gathering along
    each row: a model built with it is saved and loaded by plain Keras, without digitcli.
    Its column numbers are made from the input: a constant tensor in a functional model comes
    back from the saved file as an outside tensor, which the ONNX converter took for an input."""
    pixels = ops.cast(pixels, "float32")
    grid = ops.cumsum(ops.ones_like(pixels[:1, 0, :]), axis=1) - 1.0
    left, right_share = _source_columns(pixels, grid)
    padded = ops.pad(pixels, [[0, 0], [0, 0], [_MARGIN, _MARGIN]])
    index = ops.clip(ops.cast(left, "int32"), -_MARGIN, IMAGE_SIZE + _MARGIN - 2) + _MARGIN
    return (
        ops.take_along_axis(padded, index, axis=2) * (1.0 - right_share)
        + ops.take_along_axis(padded, index + 1, axis=2) * right_share
    )


def plain_keras(model: keras.Model) -> keras.Model:
    """`model` with its `Deskew` layers replaced by `deskew_graph`, sharing every other layer
    and its weights: what `export --format keras` saves for clients that lack digitcli."""
    if isinstance(model, keras.Sequential):
        inputs = keras.Input(shape=model.input_shape[1:], name=model.inputs[0].name)
        return keras.Model(inputs, _called(model, inputs), name=model.name)
    return keras.models.clone_model(
        model, clone_function=lambda layer: layer, call_function=_called, recursive=True
    )


def _called(layer, *args, **kwargs):
    if isinstance(layer, Deskew):
        return deskew_graph(args[0])
    if isinstance(layer, keras.Sequential):
        x = args[0]
        for inner in layer.layers:
            x = _called(inner, x)
        return x
    return layer(*args, **kwargs)


def _padded_rows(pixels, columns):
    """The rows of `pixels` (n, 28, 28), _MARGIN zeros each side, as one flat vector, and the
    index in it of pixels[n, row, columns[n, row, col]] (int32 columns): a column outside the
    image reads a zero. (Clipped as integers: an int8 model quantises a float clip's output.)"""
    width = IMAGE_SIZE + 2 * _MARGIN
    flat = ops.reshape(ops.pad(pixels, [[0, 0], [0, 0], [_MARGIN, _MARGIN]]), [-1])
    row_starts = ops.arange(ops.shape(pixels)[0] * IMAGE_SIZE, dtype="int32") * width + _MARGIN
    within = ops.clip(columns, -_MARGIN, IMAGE_SIZE + _MARGIN - 2)  # and its right neighbour
    return flat, ops.reshape(row_starts, [-1, IMAGE_SIZE, 1]) + within


def deskewed(images: np.ndarray) -> np.ndarray:
    """What `Deskew` gives, for uint8 images (n, 28, 28) in NumPy, rounded to uint8: training's
    copy, made beside training (within half a grey level of the layer's). Each row is one shift
    of that row, so rows are read as windows of a zero-padded copy: far faster in NumPy than a
    gather per pixel (as the layer does)."""
    out = np.empty_like(images, dtype=np.uint8)
    for start in range(0, len(images), _CHUNK):
        out[start : start + _CHUNK] = _deskewed(images[start : start + _CHUNK])
    return out


def _deskewed(images: np.ndarray) -> np.ndarray:
    pixels = images.astype(np.float32)
    grid = np.arange(IMAGE_SIZE, dtype=np.float32)
    row_mass, col_mass = pixels.sum(axis=2), pixels.sum(axis=1)
    mass = np.maximum(row_mass.sum(axis=1, keepdims=True), LEAST_INK)
    dy = grid - (row_mass @ grid)[:, None] / mass
    dx = grid - (col_mass @ grid)[:, None] / mass
    variance = (row_mass * dy * dy).sum(axis=1, keepdims=True) / mass
    covariance = (np.einsum("nyx,nx->ny", pixels, dx) * dy).sum(axis=1, keepdims=True)
    skew = covariance / mass / np.maximum(variance, LEAST_ROW_VARIANCE)
    skew = np.clip(skew, -MAX_SKEW, MAX_SKEW)
    shift = (skew * dy).reshape(-1)  # row r of the output reads the input's row at x + shift
    rows = len(shift)
    padded = np.zeros((rows, IMAGE_SIZE + 2 * _MARGIN + 1), dtype=np.float32)
    padded[:, _MARGIN : _MARGIN + IMAGE_SIZE] = pixels.reshape(rows, IMAGE_SIZE)
    windows = np.lib.stride_tricks.sliding_window_view(padded, IMAGE_SIZE, axis=1)
    left = np.floor(shift)
    right_share = (shift - left)[:, None]
    first = left.astype(np.intp) + _MARGIN
    row = np.arange(rows)
    out = windows[row, first] * (1.0 - right_share) + windows[row, first + 1] * right_share
    return np.clip(out + 0.5, 0, 255).astype(np.uint8).reshape(images.shape)
