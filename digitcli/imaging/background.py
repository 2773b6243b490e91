"""The background under uneven lighting: a smooth low envelope of the picture, to subtract.

A photo of paper is lit unevenly (a shadow, a gradient, a lamp's hot spot); ink is what stands
above the paper near it, not above one level for the whole picture. The envelope is an opening
of a coarse grid of blocks wider than the strokes, so that it follows the light, not the ink.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from digitcli.imaging.morphology import opened
from digitcli.imaging.settings import tuned

# What the settings this module reads are for (their values: settings.py).
# The background's blocks are at least wide_stroke_block strokes wide (a marker's digit, or a
# small scan enlarged to fill its picture, has strokes a quarter of its height; blocks of a
# tenth of the image put a block wholly inside them and took them for shadow), but no fewer
# than fewest_blocks along the image, so that the blocks still follow the light.


def estimate_background(image: Image.Image, inverted: bool, blocks: int = 10) -> np.ndarray:
    """A smooth low envelope of the (inverted) image: the background under uneven lighting.

    The image is cut in blocks (about `blocks` along its longest side, at least 8 px, and at
    least wide_stroke_block times as wide as the strokes, down to fewest_blocks) and
    box-averaged to 4x4 cells per block; each block gives its 25th percentile. An opening of
    that grid (the minimum, then the maximum, over 3x3 blocks) removes what is narrower than
    three blocks, the ink, and keeps gradients; it is upsampled back bilinearly.
    """
    w, h = image.size
    settings, step = tuned(), max(8.0, max(h, w) / blocks)
    cells = _cells(image, inverted, step)
    side = settings.cells
    wide = settings.wide_stroke_block * _stroke_width_in_cells(cells) * step / side
    fewest = max(h, w) / settings.fewest_blocks
    if wide > step and fewest > step:
        step = min(wide, fewest)  # blocks wider than thick strokes, or an opening keeps them
        cells = _cells(image, inverted, step)
    gh, gw = cells.shape[0] // side, cells.shape[1] // side
    grid = cells.reshape(gh, side, gw, side).transpose(0, 2, 1, 3).reshape(gh, gw, -1)
    k = side * side // 4
    low = opened(np.ascontiguousarray(np.partition(grid, k, axis=-1)[..., k]), 1)
    return _upsample(low, h, w)


def _cells(image: Image.Image, inverted: bool, step: float) -> np.ndarray:
    """The image box-averaged to cells x cells cells per block of `step` px, ink bright."""
    w, h = image.size
    gh, gw = max(1, round(h / step)), max(1, round(w / step))
    side = tuned().cells
    small = np.asarray(image.resize((gw * side, gh * side), Image.Resampling.BOX))
    return (255.0 - small if inverted else small).astype(np.float32)


def _stroke_width_in_cells(cells: np.ndarray) -> float:
    """How wide the strokes that stand out of `cells` are, in cells (area over half the
    outline of what lies above Otsu's threshold); 0 where nothing does."""
    levels = cells.astype(np.uint8)  # box averages of 0-255, whole levels apart
    mask = cv2.threshold(levels, 0, 1, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1].view(bool)
    edges = np.count_nonzero(mask[1:] != mask[:-1]) + np.count_nonzero(mask[:, 1:] != mask[:, :-1])
    return 2.0 * np.count_nonzero(mask) / edges if edges else 0.0


def _upsample(grid: np.ndarray, h: int, w: int) -> np.ndarray:
    """Bilinear interpolation from cell centres to pixel centres (as PIL's BILINEAR does)."""
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_LINEAR)
