"""The median and percentiles of an array's values, the very numbers NumPy's give.

`np.median` and `np.percentile` import `numpy.ma` on their first call (a NaN check, and
`np.unique` of the indexes): a tenth of the imports of a cold one-image `predict`. These take
the same order statistics with `np.partition` and interpolate as NumPy's default ("linear")
does, step for step, so that each answer is the same float. Values hold no NaN.
"""

from __future__ import annotations

import numpy as np


def median(values: np.ndarray) -> float:
    """`np.median(values)`: the middle value, or the mean of the middle two."""
    flat = np.ravel(values)
    half = flat.size // 2
    if flat.size % 2:
        middle = np.partition(flat, half)[half : half + 1]
    else:
        middle = np.partition(flat, (half - 1, half))[half - 1 : half + 1]
    return float(np.mean(middle))


def byte_median(values: np.ndarray) -> float:
    """`np.median` of 8-bit values (uint8) from their histogram: no sort, one pass."""
    counts = np.cumsum(np.bincount(np.ravel(values), minlength=256))
    size = int(counts[-1])
    low, high = np.searchsorted(counts, ((size - 1) // 2, size // 2), side="right")
    return (int(low) + int(high)) / 2


def percentile(values: np.ndarray, q: float) -> float:
    """`np.percentile(values, q)`, NumPy's linear interpolation between order statistics."""
    flat = np.ravel(values)
    last = flat.size - 1
    place = last * (q / 100)
    lower = int(place)
    if lower >= last:
        return float(np.max(flat))
    ordered = np.partition(flat, (lower, lower + 1))
    below, above = ordered[lower], ordered[lower + 1]
    gap = above - below
    share = place - lower
    if share < 0.5:
        return float(below + gap * share)
    return float(above - gap * (1 - share))
