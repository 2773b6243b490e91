"""Tests never see the user's models: every fixture, of any scope, finds an empty models
folder of its own (conftest.py), so `make train` or a fine-tune before `make test` changes
nothing (.ci/run trains one before running the tests again)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.default_model

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def models_seen_by_a_module_fixture() -> tuple[str | None, Path]:
    from digitcli.core.config import models_root

    return os.environ.get("DIGITCLI_MODELS"), models_root().resolve()


def test_a_module_fixture_sees_no_models_of_the_user(models_seen_by_a_module_fixture) -> None:
    named, root = models_seen_by_a_module_fixture
    assert named is not None
    assert root != (REPO / "MNIST" / "models").resolve()
    assert not list(root.glob("*/metadata.json")) and not (root / "default.json").exists()


def test_a_test_has_its_own_empty_models_folder(isolated: Path) -> None:
    from digitcli.core.config import models_root
    from digitcli.models.modeldir import choose_model

    assert models_root() == isolated / "models"
    assert choose_model(None).name == "bundled"
