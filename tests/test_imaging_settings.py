"""The preparation reads the settings in force when it runs (the override mechanism itself:
test_tunables.py)."""

from __future__ import annotations

from PIL import Image, ImageDraw

from digitcli.imaging.images import prepare
from digitcli.imaging.settings import overridden


def _a_grey_digit() -> Image.Image:
    """A 1 drawn 60 grey levels darker than its paper: plainly ink by default."""
    image = Image.new("L", (100, 100), 200)
    ImageDraw.Draw(image).line((50, 15, 50, 85), fill=140, width=8)
    return image


def test_prepare_reads_the_settings_in_force() -> None:
    assert prepare(_a_grey_digit()).has_ink
    with overridden(min_contrast=100.0, faintest_ink=100.0):
        assert not prepare(_a_grey_digit()).has_ink
    assert prepare(_a_grey_digit()).has_ink
