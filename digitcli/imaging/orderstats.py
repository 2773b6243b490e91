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


def percentile(values: np.ndarray, q: float) -> float:
    """`np.percentile(values, q)`, NumPy's linear interpolation between order statistics."""
    return quantiles(values, (q / 100,))[0]


def quantiles(values: np.ndarray, shares: tuple[float, ...]) -> list[float]:
    """`np.quantile(values, share)` of each share alone, the values partitioned once."""
    flat = np.ravel(values)
    last = flat.size - 1
    places = [last * share for share in shares]
    lowers = [int(place) for place in places]
    kept = sorted({index for lower in lowers if lower < last for index in (lower, lower + 1)})
    ordered = np.partition(flat, kept) if kept else flat
    found = []
    for place, lower in zip(places, lowers, strict=True):
        if lower >= last:
            found.append(float(np.max(flat)))
            continue
        below, above = ordered[lower], ordered[lower + 1]
        gap = above - below
        share = place - lower
        found.append(float(below + gap * share if share < 0.5 else above - gap * (1 - share)))
    return found
