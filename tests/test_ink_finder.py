"""The ink finder: what it records, how it sees pictures of any shape, and the scenes it
learns from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitcli.core import fits
from digitcli.core.errors import ModelError
from digitcli.imaging import ink_finder
from digitcli.imaging.images import prepare
from digitcli.imaging.settings import overridden

import ink_scenes  # noqa: E402


def test_the_ink_finder_records_the_view_it_was_trained_on() -> None:
    fits.require(ink_finder.MODEL, ("ink_finder",), ink_finder.FITS)
    assert fits.recorded(ink_finder.MODEL)["ink_finder"]["settings"]["view"] == ink_finder.VIEW


def test_an_ink_finder_trained_on_another_view_is_refused_by_name(tmp_path: Path) -> None:
    copy = tmp_path / "ink_finder.tflite"
    shutil.copy(ink_finder.MODEL, copy)
    fits.stamp(copy, ("ink_finder",), {"ink_finder": {**ink_finder.FITS["ink_finder"], "view": 64}})
    with pytest.raises(ModelError, match="setting view 64, this digitcli has 96"):
        fits.require(copy, ("ink_finder",), ink_finder.FITS)


@pytest.mark.parametrize("shape", [(144, 192), (60, 34), (40, 400), (900, 50), (12, 1600)])
def test_every_pixel_of_a_picture_of_any_shape_gets_a_probability(shape) -> None:
    gray = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    chance = ink_finder.stroke_probability(gray)
    assert chance.shape == shape
    assert np.isfinite(chance).all() and chance.min() >= 0.0 and chance.max() <= 1.0


def test_a_line_is_seen_in_squares_that_overlap_and_cover_it() -> None:
    starts = ink_finder._starts(1000, 100)
    assert starts[0] == 0 and starts[-1] == 900
    assert all(b - a <= 75 for a, b in zip(starts, starts[1:], strict=False))


def test_blank_paper_has_no_stroke() -> None:
    paper = (200 + np.random.default_rng(1).normal(0, 3, (150, 200))).astype(np.uint8)
    with overridden(learned_ink=True):
        assert not prepare(Image.fromarray(paper)).has_ink


@pytest.mark.parametrize("family", ink_scenes.FAMILIES)
def test_each_family_makes_pictures_with_masks_of_their_strokes(family: str) -> None:
    strokes = ink_scenes.load_strokes("t10k")[:50]
    rng = np.random.default_rng(3)
    for _ in range(6):
        picture, mask = ink_scenes.scene(rng, strokes, family)
        assert picture.dtype == np.uint8 and picture.shape == mask.shape
        assert max(picture.shape) <= ink_scenes.SIDE
        assert set(np.unique(mask)) <= {0, 1}
        if mask.any():  # strokes are drawn where the mask says
            assert abs(float(picture[mask > 0].mean()) - float(picture[mask == 0].mean())) > 5


@pytest.mark.parametrize("shape", [(1, 2), (2, 1), (1, 7), (7, 1), (2, 12)])
def test_a_line_a_pixel_or_two_thin_gets_a_probability(shape) -> None:
    gray = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    chance = ink_finder.stroke_probability(gray)
    assert chance.shape == shape and np.isfinite(chance).all()


@pytest.mark.parametrize("shape", [(1, 1), (1, 3), (6, 1), (5000, 1), (300, 300)])
@pytest.mark.parametrize("command", ["predict", "read"])
def test_thin_and_blank_pictures_are_blank_with_the_ink_finder_on(
    tmp_path: Path, shape, command: str
) -> None:
    from typer.testing import CliRunner

    from digitcli.cli import app

    picture = tmp_path / "thin.png"
    Image.fromarray(np.zeros(shape, np.uint8)).save(picture)
    with overridden(learned_ink=True):
        result = CliRunner().invoke(
            app, [command, str(picture), "-f", "jsonl", "--model", "bundled"]
        )
    assert result.exit_code == 3, result.output
    assert "no digit found" in json.loads(result.stdout)["note"]
