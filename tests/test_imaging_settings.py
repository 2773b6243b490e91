"""The preparation's settings: one frozen object, overridden by name for a block, and read by
`prepare` when it runs."""

from __future__ import annotations

import dataclasses

import pytest
from PIL import Image, ImageDraw

from digitcli.imaging.images import prepare
from digitcli.imaging.settings import DEFAULT, overridden, tuned


def _a_grey_digit() -> Image.Image:
    """A 1 drawn 60 grey levels darker than its paper: plainly ink by default."""
    image = Image.new("L", (100, 100), 200)
    ImageDraw.Draw(image).line((50, 15, 50, 85), fill=140, width=8)
    return image


def test_the_settings_are_frozen_and_the_default_is_in_force() -> None:
    assert tuned() is DEFAULT
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.min_contrast = 3.0  # type: ignore[misc]


def test_an_override_holds_inside_its_block_only() -> None:
    with overridden(min_contrast=30.0, work_size=128) as inside:
        assert tuned() is inside and (inside.min_contrast, inside.work_size) == (30.0, 128)
        assert inside.faintest_ink == DEFAULT.faintest_ink
    assert tuned() is DEFAULT
    with pytest.raises(TypeError), overridden(no_such_setting=1.0):
        pass
    assert tuned() is DEFAULT


def test_prepare_reads_the_settings_in_force() -> None:
    assert prepare(_a_grey_digit()).has_ink
    with overridden(min_contrast=100.0, faintest_ink=100.0):
        assert not prepare(_a_grey_digit()).has_ink
    assert prepare(_a_grey_digit()).has_ink
