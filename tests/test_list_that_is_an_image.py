"""A picture given where a list of paths belongs (`predict --from-list photo.png`,
`distributed_predict("photo.png", ...)`) is said to be a picture, not read as binary "paths"."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inprocess import digitcli as cli


def _picture(path: Path, kind: str) -> Path:
    pixels = np.zeros((28, 28), np.uint8)
    pixels[6:22, 12:16] = 255
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=kind)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF", "TIFF", "WEBP", "BMP"])
@pytest.mark.parametrize("option", ["--from-list", "--from-list0"])
def test_predict_from_list_of_a_picture_says_it_is_one(tmp_path: Path, kind: str, option) -> None:
    photo = _picture(tmp_path / f"photo.{kind.lower()}", kind)
    done = cli("predict", option, str(photo), text=True)
    assert done.returncode == 2, done.stdout
    assert re.search(r"is an image \(\w+\), not a list of paths", done.stderr)
    assert done.stdout == ""


def test_a_list_whose_first_path_starts_like_a_bitmap_is_a_list(tmp_path: Path) -> None:
    """ "BM" alone is not a picture: BMW/photo.png is a path."""
    (tmp_path / "BMW").mkdir()
    _picture(tmp_path / "BMW" / "photo.png", "PNG")
    listing = tmp_path / "list.txt"
    listing.write_text(f"{tmp_path / 'BMW' / 'photo.png'}\n")
    done = cli("predict", "--from-list", str(listing), text=True)
    assert done.returncode == 0, done.stderr


def test_distributed_predict_of_a_picture_says_it_is_one(tmp_path: Path) -> None:
    import digitcli
    from digitcli.core.errors import UsageError

    photo = _picture(tmp_path / "photo.png", "PNG")
    with pytest.raises(UsageError, match=r"is an image \(PNG\), not a list of paths"):
        digitcli.distributed_predict(photo, tmp_path / "out.jsonl", model="bundled")
    assert not (tmp_path / "out.jsonl").exists()
