"""How alike a number's digits look: one writer's number is written in one ink, at one size, on
one paper. A digit darker or fainter than the others, much larger or smaller, or a patch of other
background along the line (a photo's grey tile, where a digit may have been missed) makes a
reading less likely to be the number written, however sure the classifier is of each digit:
`read` multiplies the number's confidence by `alike`.

Measured on a small grey copy of the picture (`small_copy`), kept with each line in the worker
that found it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from digitcli.imaging import orderstats
from digitcli.imaging.paper import ink_is_dark
from digitcli.reading.settings import ReadingSettings, tuned

Box = tuple[int, int, int, int]  # left, top, right, bottom in the input image's pixels


@dataclass(frozen=True)
class SmallCopy:
    """A grey copy of the input picture, and its size over the input's (x and y)."""

    pixels: np.ndarray  # uint8 (h, w)
    scale: tuple[float, float]


def small_copy(image: Image.Image) -> SmallCopy:
    """`image` (an "L" image as `open_image` gives it) at most `alike_copy_side` pixels a side."""
    width, height = image.info.get("source_size", image.size)
    shrink = min(1.0, tuned().alike_copy_side / max(image.size))
    size = (max(1, round(image.width * shrink)), max(1, round(image.height * shrink)))
    small = image.resize(size, Image.Resampling.BOX) if size != image.size else image
    return SmallCopy(np.asarray(small, np.uint8), (size[0] / width, size[1] / height))


def alike(copy: SmallCopy | None, boxes: list[Box]) -> float:
    """1.0 where the digits in `boxes` look written alike (or cannot be compared: fewer than
    two); less, down towards 0, the more their ink, size or background differ."""
    if copy is None or len(boxes) < 2:
        return 1.0
    params = tuned()
    band = _region(copy, _union(boxes))
    regions = [_region(copy, box) for box in boxes]
    dark_ink = ink_is_dark(band)  # as `predict` and segmentation judge it
    paper_at = params.alike_paper_share if dark_ink else 1 - params.alike_paper_share
    ink_at = params.alike_ink_share if dark_ink else 1 - params.alike_ink_share
    papers, inks = np.array([orderstats.quantiles(r, (paper_at, ink_at)) for r in regions]).T
    steps = _background_steps(band, orderstats.median(papers), paper_at, params)
    steps += _ratio_steps(np.maximum(np.abs(papers - inks), 1.0), params.alike_contrast)
    heights = np.array([max(1, bottom - top) for _, top, _, bottom in boxes], float)
    steps += _ratio_steps(heights, params.alike_size)
    return float(0.5**steps)  # halved per step


def _union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes), min(b[1] for b in boxes),
        max(b[2] for b in boxes), max(b[3] for b in boxes),
    )  # fmt: skip


def _region(copy: SmallCopy, box: Box) -> np.ndarray:
    """The copy's pixels in `box`, at least one pixel each way."""
    sx, sy = copy.scale
    left, top, right, bottom = box
    x0, y0 = int(left * sx), int(top * sy)
    return copy.pixels[y0 : max(y0 + 1, round(bottom * sy)), x0 : max(x0 + 1, round(right * sx))]


def _background_steps(
    band: np.ndarray, paper: float, paper_at: float, params: ReadingSettings
) -> float:
    """Steps beyond `alike_background` by which the paper of any block along the line (between the
    digits too), a quarter of the line's height wide, differs from the digits' paper."""
    height, length = band.shape
    width = max(1, height // 4)
    whole = length - length % width  # the blocks a full width wide: their quantiles in one call
    blocks = band[:, :whole].reshape(height, -1, width).swapaxes(0, 1).reshape(-1, height * width)
    found = list(np.quantile(blocks, paper_at, axis=1)) if whole else []
    if whole < length:
        found.append(np.quantile(band[:, whole:], paper_at))  # the narrower last block
    odd = max(abs(float(level) - paper) for level in found) / 255
    return max(0.0, odd - params.alike_background) / params.alike_background_step


def _ratio_steps(values: np.ndarray, limit: float) -> float:
    """How far beyond `limit` times the others' median the most different value lies, in
    doublings."""
    middle = orderstats.median(values)
    worst = float(np.max(np.maximum(values / middle, middle / values)))
    return max(0.0, float(np.log2(worst / limit)))
