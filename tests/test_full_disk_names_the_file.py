"""A full disk while `predict --save-preprocessed`, `evaluate --report` or `export` writes names
the file (the CLI's one line: "PATH: no space left on device"), and leaves no partial file."""

from __future__ import annotations

import errno
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitcli.core.atomic import atomic_output


def _full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_atomic_output_names_its_target(tmp_path: Path) -> None:
    """What `evaluate --report` and `export` write goes through atomic_output."""
    target = tmp_path / "report.html"
    with pytest.raises(OSError) as raised, atomic_output(target) as staging:
        staging.write_text("half")
        _full()
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []


def test_a_preview_that_does_not_fit_is_named_and_removed(tmp_path: Path, monkeypatch) -> None:
    import digitcli
    from digitcli.inputs import previews as preview_files

    def half_then_full(pixels, path) -> None:
        Path(path).write_bytes(b"\x89PNG half")
        _full()

    monkeypatch.setattr(preview_files, "save_pixels", half_then_full)
    picture = tmp_path / "x.png"
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(picture)
    previews = tmp_path / "previews"
    with pytest.raises(OSError) as raised:
        list(digitcli.load("bundled").predict_files([picture], save_preprocessed=previews))
    assert raised.value.filename == str(previews / "00001-x.png")
    assert [p.name for p in previews.iterdir()] == []


def test_two_runs_into_one_empty_folder_do_not_both_write(tmp_path: Path) -> None:
    """The emptiness check and the claim are one step: the second run is refused."""
    from digitcli.core.errors import UsageError
    from digitcli.inputs.previews import claimed_previews

    folder = tmp_path / "previews"
    refused = pytest.raises(UsageError, match="another run|already holds files")
    with claimed_previews(folder), refused, claimed_previews(folder):
        pass
    assert list(folder.iterdir()) == []
