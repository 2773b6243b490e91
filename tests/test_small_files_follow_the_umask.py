"""The small files digitcli writes whole (the default's `default.json`, the record of models
written elsewhere, a downloaded `mnist.npz`) are made as every other file is, by the umask (a
service account sharing the folder must read them), not 0600 as a temporary file is made, nor
world-readable where the umask says otherwise."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from test_data import server  # noqa: F401 (a fixture: MNIST served on 127.0.0.1)

from digitcli.core.config import models_root
from digitcli.datasets.download import download_mnist
from digitcli.models.modeldir import BUNDLED_DIR, DEFAULT_FILE, set_default
from digitcli.models.registry import record_model, registry_file

MODES = [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)]


def made_under(umask: int, write: Callable[[], Path]) -> int:
    before = os.umask(umask)
    try:
        written = write()
    finally:
        os.umask(before)
    return stat.S_IMODE(written.stat().st_mode)


@pytest.mark.parametrize("umask, mode", MODES)
def test_default_json_follows_the_umask(umask: int, mode: int) -> None:
    def choose() -> Path:
        set_default(BUNDLED_DIR)
        return models_root() / DEFAULT_FILE

    assert made_under(umask, choose) == mode


@pytest.mark.parametrize("umask, mode", MODES)
def test_the_record_of_models_follows_the_umask(umask: int, mode: int, tmp_path: Path) -> None:
    def record() -> Path:
        record_model(tmp_path / "mine")
        return registry_file()

    assert made_under(umask, record) == mode


@pytest.mark.parametrize("umask, mode", MODES)
def test_a_downloaded_mnist_follows_the_umask(umask: int, mode: int, tmp_path, server) -> None:  # noqa: F811
    url = server.url + "/mnist.npz"
    assert made_under(umask, lambda: download_mnist(tmp_path / "dl", url=url)) == mode
