"""`read --save-preprocessed`: a run claims its folder while it writes there, as `predict`
does, so that two runs started at once into one empty folder do not both write in it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitcli.core.errors import UsageError
from digitcli.reading.read import read


def _number(path: Path) -> Path:
    pixels = np.full((40, 90), 255, np.uint8)
    pixels[8:32, 12:16] = 0  # a 1
    pixels[8:32, 52:56] = 0  # another
    Image.fromarray(pixels).save(path)
    return path


def test_a_second_read_started_before_the_first_writes_is_refused(tmp_path: Path) -> None:
    """The first run has read its first picture and not yet written its previews (the folder
    is still empty to look at) when the second starts: the second is refused."""
    picture = _number(tmp_path / "eleven.png")
    folder = tmp_path / "previews"
    first = read([str(picture)], model="bundled", save_preprocessed=folder)
    next(first)
    with pytest.raises(UsageError, match="another run|already holds files"):
        list(read([str(picture)], model="bundled", save_preprocessed=folder))
    list(first)
    assert [p.name for p in folder.iterdir()] == [p.name for p in folder.glob("00001-*")]


def test_read_leaves_no_claim_behind(tmp_path: Path) -> None:
    picture = _number(tmp_path / "eleven.png")
    folder = tmp_path / "previews"
    list(read([str(picture)], model="bundled", save_preprocessed=folder))
    names = [p.name for p in folder.iterdir()]
    assert names and not [name for name in names if name.startswith(".")]
