"""The work image: a line of digits scaled to `work_height` and turned level, and the way back.

Segmentation (`digitcli.reading.segment`) works on a copy of the image `work_height` px high,
turned level when it is tilted; `Frame` maps its boxes back to the input image's pixels.
`sharpest` measures both the line's tilt and the handwriting's slant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from digitcli.imaging import settings as preparation
from digitcli.reading.settings import tuned


@dataclass
class Frame:
    """How the work image maps back to the input: scaled by (sx, sy), then turned by `angle`
    (radians, as PIL's rotate with expand) about the centre of a (w, h) image into (rw, rh)."""

    sx: float
    sy: float
    size: tuple[int, int]  # the input image's (width, height)
    angle: float = 0.0
    scaled: tuple[int, int] = (0, 0)
    turned: tuple[int, int] = (0, 0)
    left: int = 0  # the input's columns left of this image (a sheet cropped from a photo)
    top: int = 0  # the input's rows above this image (a line cropped from a form)

    def to_input(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.angle:
            (w, h), (rw, rh) = self.scaled, self.turned
            dx, dy = xs - rw / 2, ys - rh / 2
            cos, sin = math.cos(self.angle), math.sin(self.angle)
            xs, ys = w / 2 + dx * cos - dy * sin, h / 2 + dx * sin + dy * cos
        return xs / self.sx, ys / self.sy

    def boxes(self, work: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Work-frame boxes (n, 4: left, top, right, bottom exclusive) as boxes in input
        pixels, clipped, moved by (`left`, `top`); all in one pass, far faster than one at a
        time."""
        left, top, right, bottom = np.asarray(work, float).reshape(-1, 4).T
        xs, ys = self.to_input(
            np.stack([left, right, left, right], axis=1), np.stack([top, top, bottom, bottom], 1)
        )
        w, h = self.size
        found = np.stack(
            [
                np.clip(np.floor(xs.min(axis=1)), 0, w),
                np.clip(np.floor(ys.min(axis=1)), 0, h),
                np.clip(np.ceil(xs.max(axis=1)), 0, w),
                np.clip(np.ceil(ys.max(axis=1)), 0, h),
            ],
            axis=1,
        ).astype(int)
        found[:, 0::2] += self.left
        found[:, 1::2] += self.top
        return [tuple(int(v) for v in row) for row in found]


def work_image(image: Image.Image) -> tuple[Image.Image, Frame]:
    """The image `work_height` high (at most `work_width` wide), and how it maps back to the
    input: shrunk by area averaging, or enlarged with Lanczos, as `images.prepare` enlarges a
    small scan (small numbers read better enlarged than at their own size). A shrunk bilevel
    picture (a fax, a 1-bit scan) is blurred by `bilevel_blur` px: the line reader was taught
    digits with soft grey edges, and reads a solid stroke with hard edges (as the separators
    of its training dates were drawn) as no digit."""
    tune = tuned()
    size = image.info.get("source_size", image.size)
    w, h = image.size
    scale = min(tune.work_height / h, tune.work_width / w)
    # Enlarging with Lanczos softens a bilevel picture's edges itself.
    bilevel = scale < 1.0 and image.getcolors(2) is not None
    if scale != 1.0:
        resample = Image.Resampling.BOX if scale < 1.0 else Image.Resampling.LANCZOS
        image = image.resize((max(1, round(w * scale)), max(1, round(h * scale))), resample)
    if bilevel:
        image = image.filter(ImageFilter.GaussianBlur(tune.bilevel_blur))
    return image, Frame(image.width / size[0], image.height / size[1], size)


def sharpest(coords: np.ndarray, other: np.ndarray, slopes: np.ndarray) -> float:
    """The slope s for which `coords + s * other` bunches up most (`_bunching`): for rows, the
    line's tilt; for columns, the handwriting's slant (none without ink)."""
    if not coords.size:
        return 0.0
    scores = _bunching(coords, other, slopes)
    return _unless_flat(scores, slopes, int(np.argmax(scores)))


def shears() -> np.ndarray:
    """The slants of the handwriting tried (dx per dy)."""
    tune = tuned()
    return _either_way(tune.steepest_slant, tune.slant_step)


def _either_way(most: float, step: float) -> np.ndarray:
    """From -`most` to `most` in steps of `step`."""
    return np.arange(-most, most + 0.5 * step, step)


def _tilt(ys: np.ndarray, xs: np.ndarray) -> float:
    """The line's tilt, as a slope: the sharpest within `usual_turn` degrees, or a steeper one
    that bunches its rows `steep_gain` times better (a long line photographed askew; a short
    number's few slanted digits bunch about as well turned a little more than they should).
    Tilts are tried in the steps `predict` looks for ruled lines' slants in (the preparation's
    `line_step`: half a degree). `ys`, `xs`: the ink's pixels, listed column by column
    (`_bunching` counts them fastest so)."""
    tune = tuned()
    if not ys.size:
        return 0.0
    degrees = _either_way(tune.steepest_turn, preparation.tuned().line_step)
    tilts, steep = np.tan(np.radians(degrees)), np.abs(degrees) > tune.usual_turn
    scores = _bunching(ys, -xs, tilts)
    best = int(np.argmax(np.where(steep, -1, scores)))
    steepest = int(np.argmax(np.where(steep, scores, -1)))
    if scores[steepest] >= tune.steep_gain * scores[best]:
        best = steepest
    return _unless_flat(scores, tilts, best)


def _bunching(coords: np.ndarray, other: np.ndarray, slopes: np.ndarray) -> np.ndarray:
    """How much `coords + s * other` bunches up for each slope s: the sum of its squared
    counts, rounded to whole pixels. `coords` and `other` are pixel coordinates; each run of
    `coords` one apart at one `other` moves as one: a shift of the run's two ends, summed back
    (`np.cumsum`), counts its pixels. Sorted by `other`, then `coords` (as `np.nonzero` lists
    a mask's, or its transpose's, pixels), a run is a stroke's width: a few times fewer steps
    than pixel by pixel (in any other order, as many runs as pixels: the same counts). In
    float32, faster than float64, with the same choices."""
    new = np.ones(len(coords), bool)
    new[1:] = (other[1:] != other[:-1]) | (coords[1:] != coords[:-1] + 1)
    first = np.flatnonzero(new)
    last = np.append(first[1:], len(coords)) - 1
    at = other[first].astype(np.float32) - other.astype(np.float32).mean()
    shifts = np.rint(slopes.astype(np.float32)[:, None] * at[None, :])  # (slopes, runs)
    starts = shifts + coords[first].astype(np.float32)  # whole numbers: exact in float32
    stops = shifts + (coords[last] + 1).astype(np.float32)
    lowest = float(starts.min())
    width = int(stops.max() - lowest) + 1  # every slope's counts in one bincount, not a loop
    offsets = (np.arange(len(slopes)) * width - lowest).astype(np.float32)[:, None]
    size = len(slopes) * width
    ends = np.bincount((starts + offsets).astype(np.int64).ravel(), minlength=size)
    ends -= np.bincount((stops + offsets).astype(np.int64).ravel(), minlength=size)
    counts = np.cumsum(ends.reshape(len(slopes), width), axis=1)
    return np.square(counts).sum(axis=1)


def _unless_flat(scores: np.ndarray, slopes: np.ndarray, best: int) -> float:
    """`slopes[best]`, or 0 where it is hardly better than as it is (the middle slope)."""
    if abs(scores[best] - scores[len(slopes) // 2]) < tuned().flat_gain * scores[best]:
        return 0.0
    return float(slopes[best])


def turn_level(
    flat: np.ndarray, mask: np.ndarray, frame: Frame
) -> tuple[np.ndarray, np.ndarray, Frame]:
    """Turn the line level when `_tilt` finds it tilted: by a step of its tilts or more."""
    xs, ys = np.nonzero(mask.T)  # by column, then row: `_bunching`'s order
    angle = math.atan(_tilt(ys, xs))
    if abs(angle) < math.radians(preparation.tuned().line_step):
        return flat, mask, frame
    degrees = math.degrees(angle)
    turned = Image.fromarray(flat, "F").rotate(degrees, Image.Resampling.BILINEAR, expand=True)
    shape = Image.fromarray(mask.astype(np.float32), "F")
    turned_mask = np.asarray(shape.rotate(degrees, Image.Resampling.BILINEAR, expand=True)) > 0.5
    frame.angle, frame.scaled, frame.turned = angle, flat.shape[::-1], turned.size
    return np.asarray(turned), turned_mask, frame
