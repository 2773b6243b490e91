"""Shell completion of model names (issue 88): `digitcli models use <TAB>` and `--model <TAB>`
offer "bundled" and the trained models' names."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import subprocess_env


def completions(words: str, cword: int, models: Path) -> list[str]:
    env = subprocess_env(
        _DIGITCLI_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(cword),
        DIGITCLI_MODELS=str(models),
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "digitcli"], env=env, capture_output=True, text=True, timeout=60
    )
    return done.stdout.split()


@pytest.mark.parametrize(
    "words,cword",
    [("digitcli models use ", 3), ("digitcli predict --model ", 3), ("digitcli evaluate ", 2)],
)
def test_model_names_complete(words: str, cword: int, tiny_model: Path, tmp_path: Path) -> None:
    shutil.copytree(tiny_model, tmp_path / "models" / "tiny-one")
    offered = completions(words, cword, tmp_path / "models")
    assert "bundled" in offered and "tiny-one" in offered


def test_a_started_name_completes(tiny_model: Path, tmp_path: Path) -> None:
    shutil.copytree(tiny_model, tmp_path / "models" / "tiny-one")
    assert completions("digitcli models use ti", 3, tmp_path / "models") == ["tiny-one"]
