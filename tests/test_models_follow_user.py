"""Models per user, not per folder (issue 88): the models folder and the default live in the
user's data folder, or $DIGITCLI_MODELS; a repository's ./MNIST/models of earlier versions is
still listed; a model written elsewhere (`train -o PATH`) is recorded and listed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from digitcli.core.config import models_root
from digitcli.models.defaults import settle_default
from digitcli.models.modeldir import (
    BUNDLED,
    choose_model,
    list_models,
    model_named,
    set_default,
)


@pytest.fixture
def user_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No $DIGITCLI_MODELS: the models folder is the user's, under an empty home."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("DIGITCLI_MODELS")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    return home


def test_the_models_folder_is_in_the_users_data_folder(user_home: Path, tmp_path: Path) -> None:
    root = models_root()
    assert root.is_absolute()
    assert root.is_relative_to(user_home)
    assert "MNIST" not in root.parts


def test_digitcli_models_still_names_the_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DIGITCLI_MODELS", str(tmp_path / "elsewhere"))
    assert models_root() == tmp_path / "elsewhere"


def test_a_default_chosen_in_one_folder_answers_in_another(
    user_home: Path, tmp_path: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    set_default(model_named(str(tiny_model)))
    monkeypatch.chdir(tmp_path / "b")
    assert choose_model(None).path.resolve() == tiny_model.resolve()


def test_a_repositorys_old_models_folder_is_listed_and_usable(
    user_home: Path, tmp_path: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = tmp_path / "clone"
    old = clone / "MNIST" / "models" / "old-mlp"
    shutil.copytree(tiny_model, old)
    monkeypatch.chdir(clone)
    listed = [row.model.path.resolve() for row in list_models()]
    assert old.resolve() in listed
    chosen = set_default(model_named("old-mlp"))
    assert chosen.path.resolve() == old.resolve()
    recorded = json.loads((models_root() / "default.json").read_text())["model"]
    assert Path(recorded) == old.resolve()  # an absolute path: it answers from anywhere
    assert not (models_root() / "old-mlp").exists()  # nothing copied
    monkeypatch.chdir(tmp_path)
    assert choose_model(None).path.resolve() == old.resolve()


def test_a_model_written_elsewhere_is_recorded_listed_and_named(
    tmp_path: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = Path(shutil.copytree(tiny_model, tmp_path / "work" / "mine-tuned"))
    choice = settle_default(mine, 0.9, None, None, 20)
    assert choice is not None and not choice.changed and choice.model == BUNDLED
    sentence = choice.sentence(mine.name)
    assert sentence.startswith("default: bundled stays the default")
    assert "models use" in sentence
    monkeypatch.chdir(tmp_path)
    assert mine.resolve() in [row.model.path.resolve() for row in list_models()]
    assert model_named("mine-tuned").resolve() == mine.resolve()
    shutil.rmtree(mine)  # gone: no longer listed, nothing fails
    assert mine.resolve() not in [row.model.path.resolve() for row in list_models()]
