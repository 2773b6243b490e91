"""A redrawn digit is still a digit: the writers' redraw (`training.augment`) never hands
training, or `make_line_reader.py --sources mnist-writers`, a blank picture under a digit's
label. A faint stroke re-scanned in black and white fell under the scanner's fixed level and
vanished (MNIST's training digits 20818 and 21429 with seed 51 did)."""

from __future__ import annotations

import numpy as np

from digitcli.training.augment import writers_augment


def _faint_strokes(count: int) -> np.ndarray:
    images = np.zeros((count, 28, 28), np.uint8)
    images[:, 5:23, 12:15] = 80  # a faint 1, under the black-and-white scanner's level
    return images


def test_no_redrawn_digit_comes_out_blank():
    images = _faint_strokes(300)
    redrawn = writers_augment(images, np.random.default_rng(3), 1.0, np.ones(300, np.int64))
    assert redrawn.reshape(len(redrawn), -1).max(axis=1).min() > 0


def test_a_digit_bright_enough_is_scanned_in_black_and_white_as_before():
    images = _faint_strokes(300)
    images[images > 0] = 200
    redrawn = writers_augment(images, np.random.default_rng(3), 1.0, np.ones(300, np.int64))
    levels = [set(np.unique(image)) for image in redrawn]
    assert any(level == {0, 255} for level in levels)  # some were binarised at the fixed level
