"""`imaging.morphology`'s OpenCV steps give scipy.ndimage's answers exactly: `read` found its
lines with scipy.ndimage, whose import cost a cold `read` 150 ms, and its answers must not move.
Masks of random pixels and of strokes, sizes odd and even, lines odd, even and longer than
the mask."""

import subprocess
import sys

import cv2
import numpy as np
import pytest
from scipy import ndimage

from digitcli.imaging import morphology


def masks() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    found = []
    for _ in range(40):
        h, w = (int(v) for v in rng.integers(3, 70, 2))
        found.append(rng.random((h, w)) < rng.uniform(0.05, 0.6))
        strokes = np.zeros((h, w), np.uint8)
        for _ in range(4):
            (x0, y0), (x1, y1) = rng.integers((0, 0), (w, h), size=(2, 2)).tolist()
            cv2.line(strokes, (x0, y0), (x1, y1), 1, int(rng.integers(1, 4)))
        found.append(strokes.astype(bool))
    return found


@pytest.mark.parametrize("connectivity", [8, 4])
def test_pieces_are_labelled_and_boxed_as_scipy_does(connectivity: int) -> None:
    structure = np.ones((3, 3)) if connectivity == 8 else None
    for mask in masks():
        labels, boxes = morphology.labelled(mask, connectivity)
        expected, _ = ndimage.label(mask, structure=structure)
        assert np.array_equal(labels, expected)
        assert boxes == ndimage.find_objects(expected)


@pytest.mark.parametrize("length", [1, 2, 3, 4, 7, 10, 101])
def test_maxima_and_minima_along_an_axis_are_scipys(length: int) -> None:
    for mask in masks():
        values = mask.view(np.uint8)
        for axis in (0, 1):
            most = ndimage.maximum_filter1d(values, length, axis=axis)
            least = ndimage.minimum_filter1d(values, length, axis=axis)
            assert np.array_equal(morphology.max_along(values, length, axis), most)
            assert np.array_equal(morphology.min_along(values, length, axis), least)


@pytest.mark.parametrize("length", [1, 2, 3, 4, 7, 8, 101])
def test_a_closing_along_an_axis_is_scipys_edges_and_all(length: int) -> None:
    for mask in masks():
        for axis, shape in ((0, (length, 1)), (1, (1, length))):
            expected = ndimage.binary_closing(mask, structure=np.ones(shape, bool))
            assert np.array_equal(morphology.closed_along(mask, length, axis), expected)


def test_an_opening_and_a_dilation_are_scipys() -> None:
    rng = np.random.default_rng(1)
    for mask in masks():
        values = (rng.random(mask.shape) * 255).astype(np.float32)
        expected = ndimage.grey_opening(values, size=(3, 3), mode="nearest")
        assert np.array_equal(morphology.opened(values, 1), expected)
        grown = ndimage.binary_dilation(mask, structure=np.ones((3, 3), bool))
        assert np.array_equal(morphology.dilate(mask, 1), grown)


def test_read_does_not_import_scipy() -> None:
    """A cold `read` imports no scipy (150 ms): its steps are OpenCV's."""
    code = "import sys, digitcli.reading.read; print('scipy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
