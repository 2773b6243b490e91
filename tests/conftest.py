"""Shared fixtures: tiny synthetic MNIST, one tiny trained model, an isolated working folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mnist_files import synthetic_digits, write_idx  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_data: Path) -> Path:
    """Each test runs in its own empty folder; models go there; data defaults to `tiny_data`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGITCLI_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("DIGITCLI_DATA", str(tiny_data))
    monkeypatch.delenv("DIGITCLI_DEBUG", raising=False)
    monkeypatch.delenv("DIGITCLI_MNIST_URL", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 training and 200 test images of ten easy synthetic 'digits', as IDX .gz files."""
    folder = tmp_path_factory.mktemp("tiny-mnist")
    x, y = synthetic_digits(800, seed=1)
    write_idx(folder, train=(x[:600], y[:600]), test=(x[600:], y[600:]))
    return folder


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, tiny_data: Path) -> Path:
    """A small MLP trained for two epochs on `tiny_data`: a complete model directory."""
    from digitcli.core.config import train_config
    from digitcli.training.train import train

    output = tmp_path_factory.mktemp("models") / "tiny-mlp"
    # The synthetic digits are bars told apart by their slant alone, which deskewing takes away;
    # a font's digits look nothing like them.
    config = train_config(
        "mlp", epochs=2, layers=(32, 16), batch_size=16, learning_rate=0.01, deskew=False,
        fonts=0.0,
    )  # fmt: skip
    train(config, data=tiny_data, output=output)
    return output


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for running `python -m digitcli` in a child process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env
