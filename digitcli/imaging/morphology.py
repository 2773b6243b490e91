"""Masks and boxes: square dilations and maxima, openings and closings, bounding boxes,
connected pieces.

The small geometric steps every stage of finding the ink shares, each one OpenCV call on the
working picture (faster than NumPy's or scipy's, which takes 150 ms to import: `read` imported
it for the steps below that give scipy.ndimage's answers exactly, `tests/test_morphology.py`).
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

Box = tuple[slice, slice]  # rows, columns


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Square dilation of a boolean mask, nothing beyond its edges."""
    return cv2.dilate(np.ascontiguousarray(mask).view(np.uint8), square(radius)).view(bool)


@functools.lru_cache(maxsize=16)
def square(radius: int) -> np.ndarray:
    """A (2 radius + 1)-wide square of ones: the kernel of every square step here."""
    return np.ones((2 * radius + 1, 2 * radius + 1), dtype=np.uint8)


def square_max(values: np.ndarray, radius: int) -> np.ndarray:
    """The maximum over each pixel's (2 radius + 1)-wide square of non-negative `values`
    (nothing beyond the edges)."""
    return cv2.dilate(np.ascontiguousarray(values, dtype=np.float32), square(radius))


def opened(values: np.ndarray, radius: int) -> np.ndarray:
    """The minimum over each pixel's (2 radius + 1)-wide square of float `values`, then the
    maximum, edges repeated: scipy.ndimage's grey_opening in mode "nearest"."""
    kernel = square(radius)
    low = cv2.erode(values, kernel, borderType=cv2.BORDER_REPLICATE)
    return cv2.dilate(low, kernel, borderType=cv2.BORDER_REPLICATE)


def max_along(values: np.ndarray, length: int, axis: int) -> np.ndarray:
    """The maximum of `values` (uint8) over `length` pixels along `axis`, from `length` // 2
    before each: scipy.ndimage's maximum_filter1d (its edges reflected)."""
    return cv2.dilate(values, _line(length, axis), borderType=cv2.BORDER_REPLICATE)


def min_along(values: np.ndarray, length: int, axis: int) -> np.ndarray:
    """The minimum, as `max_along` the maximum: scipy.ndimage's minimum_filter1d."""
    return cv2.erode(values, _line(length, axis), borderType=cv2.BORDER_REPLICATE)


def closed_along(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """A boolean mask closed with a line of `length` pixels along `axis`, nothing beyond its
    edges held (what lies within half a line of an edge along it is opened by the edge):
    scipy.ndimage's binary_closing with that line, its dilation's line turned about its
    middle."""
    turned = (length - 1) // 2
    grown = cv2.dilate(
        np.ascontiguousarray(mask).view(np.uint8),
        _line(length, axis),
        anchor=(0, turned) if axis == 0 else (turned, 0),
    )
    kept = cv2.erode(grown, _line(length, axis), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return kept.view(bool)


@functools.lru_cache(maxsize=16)
def _line(length: int, axis: int) -> np.ndarray:
    """A line of `length` ones along `axis`: a kernel."""
    return np.ones((length, 1) if axis == 0 else (1, length), dtype=np.uint8)


def bounds(mask: np.ndarray) -> Box | None:
    """The bounding box of `mask`'s True pixels, None if it has none (OpenCV's: faster than
    NumPy's any() along each axis)."""
    left, top, width, height = cv2.boundingRect(mask.view(np.uint8))
    if width == 0:
        return None
    return slice(top, top + height), slice(left, left + width)


def widened(box: Box, margin: int, shape: tuple[int, ...]) -> Box:
    """`box` `margin` wider on each side, within an image of `shape`."""
    rows, cols = box
    return (
        slice(max(rows.start - margin, 0), min(rows.stop + margin, shape[0])),
        slice(max(cols.start - margin, 0), min(cols.stop + margin, shape[1])),
    )


def shifted(box: Box, window: Box) -> Box:
    """`box`, found within `window`, in the coordinates of the whole image."""
    (rows, cols), (top, left) = box, (window[0].start, window[1].start)
    return slice(rows.start + top, rows.stop + top), slice(cols.start + left, cols.stop + left)


def runs(flags: np.ndarray) -> list[slice]:
    """The runs of True in a 1-D boolean array, as slices."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.view(np.int8), [0]])))
    return [slice(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def labelled(mask: np.ndarray, connectivity: int = 8) -> tuple[np.ndarray, list[Box]]:
    """The `connectivity`-connected (8 or 4) pieces of a boolean mask: a label image (0
    outside them, piece i at i + 1, numbered in the order their first pixels come in rows)
    and each piece's box: scipy.ndimage's label and find_objects (OpenCV's Wu labelling)."""
    _, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        np.ascontiguousarray(mask).view(np.uint8), connectivity, cv2.CV_32S, cv2.CCL_WU
    )
    boxes = [
        (slice(top, top + height), slice(left, left + width))
        for left, top, width, height, _ in stats[1:].tolist()
    ]
    return labels, boxes


def connected_to(seeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """`seeds` and the 8-connected pieces of `mask` that hold a pixel of them."""
    count, labels = cv2.connectedComponentsWithAlgorithm(
        mask.view(np.uint8), 8, cv2.CV_32S, cv2.CCL_WU
    )
    chosen = np.zeros(count, dtype=bool)
    chosen[labels[seeds]] = True
    chosen[0] = False
    return chosen[labels] | seeds
