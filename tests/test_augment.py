"""digitcli.augment: redrawn training digits stay digits, come out the same for the same seed."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_files import synthetic_digits

augment_module = pytest.importorskip("digitcli.augment")


def test_same_seed_same_images_other_epoch_other_images() -> None:
    x, _ = synthetic_digits(64, seed=3)
    first = augment_module.augment(x, (0, 1))
    assert first.dtype == np.uint8 and first.shape == x.shape
    np.testing.assert_array_equal(first, augment_module.augment(x, (0, 1)))
    assert (first != augment_module.augment(x, (0, 2))).any()
    assert (first != x).any()


def test_stroke_width_changes_go_both_ways() -> None:
    x, _ = synthetic_digits(32, seed=4)
    ink = (x > 127).sum()
    thick = augment_module.Augmentation(
        warp=0, elastic=0, thicker=1, thinner=0, low_resolution=0, blur=0
    )
    thin = augment_module.Augmentation(
        warp=0, elastic=0, thicker=0, thinner=1, low_resolution=0, blur=0
    )
    assert (augment_module.augment(x, (0, 0), thick) > 127).sum() > ink * 1.2
    assert (augment_module.augment(x, (0, 0), thin) > 127).sum() < ink


def test_ink_stays_in_frame_and_full_contrast() -> None:
    x, _ = synthetic_digits(200, seed=5)
    out = augment_module.augment(x, (1, 0))
    assert (out.reshape(len(out), -1).max(axis=1) == 255).all()  # none washed out
    assert (out.reshape(len(out), -1) > 127).sum(axis=1).min() > 5  # none erased


def test_epoch_images_draw_ahead_and_reuse_a_draw() -> None:
    x, _ = synthetic_digits(16, seed=6)
    images = augment_module.EpochImages(x, seed=0, every=2)
    try:
        first, second, third = (images.epoch(e, last=3) for e in range(3))
    finally:
        images.close()
    np.testing.assert_array_equal(first, second)  # one draw serves two epochs
    np.testing.assert_array_equal(first, augment_module.augment(x, (0, 0)))
    np.testing.assert_array_equal(third, augment_module.augment(x, (0, 1)))
