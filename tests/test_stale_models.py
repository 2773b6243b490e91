"""A model replaced on disk is not answered from memory: the Python API's module-level functions
and a Dask worker keep a model loaded between calls only while its files are the same ones
(size, time, inode; then the digest its metadata records)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

import digitcli
from digitcli.api.distributed import worker_model
from digitcli.models.modeldir import BUNDLED_DIR


def _picture() -> np.ndarray:
    pixels = np.zeros((28, 28), np.uint8)
    pixels[6:22, 12:16] = 255
    return pixels


def _confidences(model: str) -> list[float]:
    [answer] = digitcli.predict(_picture(), model=model, processes=0)
    return [probability for _, probability in answer.top]


def _replace(folder: Path, by: Path) -> None:
    """`folder` replaced by a copy of `by` (times kept, as `cp -a` keeps them)."""
    shutil.rmtree(folder)
    shutil.copytree(by, folder)


def test_predict_answers_with_the_model_now_at_that_path(tmp_path, tiny_model) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(tiny_model, folder)
    first = _confidences(str(folder))
    _replace(folder, BUNDLED_DIR)
    assert _confidences(str(folder)) == _confidences("bundled") != first


def test_a_model_file_swapped_in_place_is_refused(tmp_path, tiny_model) -> None:
    """Only model.tflite replaced: the digest metadata.json records no longer matches."""
    import pytest

    from digitcli.core.errors import ModelError

    folder = tmp_path / "mine"
    shutil.copytree(tiny_model, folder)
    _confidences(str(folder))
    staged = folder / ".swap"
    shutil.copyfile(BUNDLED_DIR / "model.tflite", staged)
    staged.replace(folder / "model.tflite")
    with pytest.raises(ModelError, match="sha256"):
        _confidences(str(folder))


def test_a_dask_worker_loads_the_model_again_when_replaced(tmp_path, tiny_model) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(tiny_model, folder)
    first = worker_model(str(folder))
    assert worker_model(str(folder)) is first  # the same files: kept
    _replace(folder, BUNDLED_DIR)
    again = worker_model(str(folder))
    assert again is not first
    assert again.networks == digitcli.load("bundled").networks
