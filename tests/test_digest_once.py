"""A model's files are hashed when written; after that a check compares their size and time with
those metadata.json records, and hashes again only when they differ (`models` took 17 s a listing
for one 3 GB file, and a cold `predict` hashed the bundled model's 6.6 MB each time)."""

from __future__ import annotations

import os
import shutil

import pytest

from digitcli.models import modeldir
from digitcli.models.modeldir import BUNDLED_DIR, changed_file, read_metadata


@pytest.fixture
def hashed(monkeypatch):
    """The files sha256_of hashes, in order."""
    seen: list[str] = []
    real = modeldir.sha256_of

    def counting(path):
        seen.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(modeldir, "sha256_of", counting)
    return seen


@pytest.fixture
def written(tmp_path, tiny_model):
    folder = tmp_path / "mine"
    shutil.copytree(tiny_model, folder)
    read_metadata(folder).write(folder)  # as train writes it: digests, sizes and times
    return folder


def test_unchanged_files_are_not_hashed_again(written, hashed) -> None:
    assert changed_file(written, read_metadata(written)) is None
    assert hashed == []


def test_a_file_touched_is_hashed_and_still_the_same(written, hashed) -> None:
    os.utime(written / "model.tflite", ns=(1, 1))
    assert changed_file(written, read_metadata(written)) is None
    assert hashed == ["model.tflite"]


def test_a_file_of_another_size_is_hashed_and_refused(written, hashed) -> None:
    with open(written / "model.tflite", "ab") as handle:
        handle.write(b"\0")
    assert "sha256" in changed_file(written, read_metadata(written))
    assert hashed == ["model.tflite"]


def test_a_copy_keeping_times_is_not_hashed(tmp_path, written, hashed) -> None:
    """`cp -a`, `rsync -a`: the same sizes and times, the same files."""
    copy = tmp_path / "copy"
    shutil.copytree(written, copy)
    assert changed_file(copy, read_metadata(copy)) is None
    assert hashed == []


def test_models_lists_without_hashing(written, hashed, monkeypatch) -> None:
    monkeypatch.setenv("DIGITCLI_MODELS", str(written.parent))
    listed = modeldir.list_models()
    assert any(row.model.path == written and row.problem is None for row in listed)
    assert hashed == []


def test_a_cold_predict_does_not_hash_the_bundled_model(hashed) -> None:
    from digitcli.models.runtimes import resolve_model

    assert resolve_model("bundled").path == BUNDLED_DIR
    assert hashed == []
