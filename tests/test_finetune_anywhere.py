"""Fine-tune anywhere (issue 88): the MNIST training digits `train --init bundled` rehearses
with ship with the package, so that it works from a folder with no ./MNIST."""

from __future__ import annotations

import json

import numpy as np
import pytest

from digitcli.training.finetune import REHEARSAL_FILE, _rehearsal_digits


def test_the_rehearsal_digits_ship_with_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIGITCLI_DATA")  # the test's folder holds no ./MNIST
    digits = _rehearsal_digits(None)
    assert digits.x.shape[1:] == (28, 28) and digits.x.dtype == np.uint8
    assert len(digits) >= 2000
    assert sorted(np.bincount(digits.y, minlength=10)) == [len(digits) // 10] * 10


def test_the_rehearsal_file_says_where_it_is_from() -> None:
    with np.load(REHEARSAL_FILE) as stored:
        about = json.loads(str(stored["about"]))
    assert "training split" in about["source"]
    assert len(about["sha256"]["train-images-idx3-ubyte.gz"]) == 64
    assert about["command"].startswith("python bench/build/make_rehearsal.py")
    assert REHEARSAL_FILE.stat().st_size < 2_000_000  # compact: a wheel stays small


def test_a_rehearsal_folder_given_is_still_used(tiny_data) -> None:
    assert len(_rehearsal_digits(tiny_data)) == 600  # tiny_data's training split, not ours
