"""Pen strokes added to 28x28 digits: the segments the redraw draws (flags, curls, crossbars)."""

from __future__ import annotations

import numpy as np

from digitcli.core.config import IMAGE_SIZE


def with_strokes(ink: np.ndarray, strokes: list[tuple], width: np.ndarray) -> np.ndarray:
    """`ink` (n x 28 x 28) with pen strokes added: each (r0, c0, r1, c1) a segment per image,
    `width` pixels wide (per image), its edges anti-aliased over a pixel."""
    n = len(ink)
    grid_r, grid_c = np.indices((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32).reshape(2, 1, -1)
    for r0, c0, r1, c1 in strokes:
        distance = to_segment(grid_r, grid_c, r0, c0, r1, c1)
        stroke = np.clip(width[:, None] / 2 + 0.5 - distance, 0.0, 1.0) * 255.0
        ink = np.maximum(ink, stroke.reshape(n, IMAGE_SIZE, IMAGE_SIZE))
    return ink


def to_segment(r, c, r0, c0, r1, c1) -> np.ndarray:
    """Each pixel's distance to each image's segment (r0, c0)-(r1, c1)."""
    dr, dc = (r1 - r0)[:, None], (c1 - c0)[:, None]
    t = ((r - r0[:, None]) * dr + (c - c0[:, None]) * dc) / np.maximum(dr * dr + dc * dc, 1e-6)
    t = np.clip(t, 0.0, 1.0)
    return np.hypot(r - r0[:, None] - t * dr, c - c0[:, None] - t * dc)


def curve(r0, c0, rc, cc, r1, c1, pieces: int = 3) -> list[tuple]:
    """A quadratic Bezier curve from (r0, c0) to (r1, c1) pulled towards (rc, cc), per image,
    as `pieces` segments for `with_strokes`."""
    t = np.linspace(0.0, 1.0, pieces + 1)[:, None]
    r = (1 - t) ** 2 * r0 + 2 * (1 - t) * t * rc + t**2 * r1
    c = (1 - t) ** 2 * c0 + 2 * (1 - t) * t * cc + t**2 * c1
    return [(r[k], c[k], r[k + 1], c[k + 1]) for k in range(pieces)]
