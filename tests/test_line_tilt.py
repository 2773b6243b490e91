"""`read`'s measure of a line's tilt and its writing's slant (`reading.frame`): how much the
ink's pixels bunch up, counted run by run, is what counting them pixel by pixel gives."""

import math

import cv2
import numpy as np

from digitcli.reading import frame


def pixel_by_pixel(coords: np.ndarray, other: np.ndarray, slopes: np.ndarray) -> np.ndarray:
    """The sum of squared counts of `coords + s * other` for each slope s, one pixel at a
    time (offsets in float32, rounded, as `frame._bunching` rounds them)."""
    at = other.astype(np.float32) - other.astype(np.float32).mean()
    moved = np.rint(slopes.astype(np.float32)[:, None] * at[None, :]) + coords
    return np.array([np.square(np.unique(row, return_counts=True)[1]).sum() for row in moved])


def strokes(seed: int) -> np.ndarray:
    """A mask of a few thick random strokes, 60 x 200."""
    rng = np.random.default_rng(seed)
    canvas = np.zeros((60, 200), np.uint8)
    for _ in range(6):
        (x0, y0), (x1, y1) = rng.integers((0, 0), (200, 60), size=(2, 2)).tolist()
        cv2.line(canvas, (x0, y0), (x1, y1), 1, int(rng.integers(1, 6)))
    return canvas.astype(bool)


def test_runs_count_as_their_pixels() -> None:
    slopes = np.tan(np.radians(np.arange(-20, 20.5, 0.5)))
    for seed in range(5):
        mask = strokes(seed)
        xs, ys = np.nonzero(mask.T)  # the tilt's order: by column, then row
        assert np.array_equal(frame._bunching(ys, -xs, slopes), pixel_by_pixel(ys, -xs, slopes))
        ys, xs = np.nonzero(mask)  # the slant's: by row, then column
        shears = frame.shears()
        assert np.array_equal(frame._bunching(xs, ys, shears), pixel_by_pixel(xs, ys, shears))


def test_a_tilted_line_is_turned_level() -> None:
    """Three bars drawn along a line tilted by 6 degrees: the tilt found is that one."""
    canvas = np.zeros((120, 400), np.uint8)
    slope = math.tan(math.radians(6))
    for left in (40, 160, 280):
        y = 60 + slope * (left + 40 - 200)
        start, stop = (left, round(y - slope * 40)), (left + 80, round(y + slope * 40))
        cv2.line(canvas, start, stop, 1, 5)
    xs, ys = np.nonzero(canvas.T)
    assert math.isclose(math.degrees(math.atan(frame._tilt(ys, xs))), 6.0, abs_tol=0.25)


def test_pixels_in_any_order_count_alike() -> None:
    """The order only makes the runs longer (fewer steps): shuffled, each pixel is a run."""
    ys, xs = np.nonzero(strokes(7))
    slopes = frame.shears()
    order = np.random.default_rng(0).permutation(len(ys))
    shuffled = frame._bunching(xs[order], ys[order], slopes)
    assert np.array_equal(shuffled, frame._bunching(xs, ys, slopes))
