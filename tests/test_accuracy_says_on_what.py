"""Every accuracy says on what (issue 88): "99.56% of MNIST's 10,000 test digits" and "95.96%
of your 99 test pictures" are not to be read as the same kind of figure."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from digitcli.models.modeldir import BUNDLED_DIR, list_models, read_metadata
from digitcli.models.testset import accuracy_on, scored_on

from inprocess import digitcli


def test_the_bundled_models_accuracy_is_on_mnists_test_digits() -> None:
    metadata = read_metadata(BUNDLED_DIR)
    assert scored_on(metadata.data) == "MNIST's 10,000 test digits"
    assert accuracy_on(0.9956, metadata.data) == "99.56% of MNIST's 10,000 test digits"


def test_a_fine_tunes_accuracy_is_on_your_pictures() -> None:
    metadata = read_metadata(BUNDLED_DIR)
    tuned = replace(
        metadata,
        data={"source": "own (image folders, 99 test)", "format": "images", "test_samples": 99},
    )
    assert accuracy_on(0.9596, tuned.data) == "95.96% of your 99 test pictures"


def test_models_json_names_the_test_set(tiny_model: Path, isolated: Path) -> None:
    shutil.copytree(tiny_model, isolated / "models" / "tiny")
    rows = {row["name"]: row for row in json.loads(digitcli("models", "--json", text=True).stdout)}
    assert rows["bundled"]["test_set"] == "MNIST's 10,000 test digits"
    assert rows["tiny"]["test_set"].startswith("200 test digits of ")
    assert [row.model.name for row in list_models()] == ["tiny", "bundled"]


def test_models_piped_says_on_what(tiny_model: Path, isolated: Path) -> None:
    out = digitcli("models", text=True).stdout
    bundled = next(line for line in out.splitlines() if line.startswith("bundled\t"))
    assert "MNIST's 10,000 test digits" in bundled


def test_the_serve_page_says_what_the_api_says() -> None:
    page = (BUNDLED_DIR.parent.parent / "serve" / "static" / "page.js").read_text()
    assert "on MNIST's test set" not in page
    assert "about.test_set" in page


def test_trains_answer_names_the_test_set(tiny_model: Path) -> None:
    from digitcli.training.reporting import TrainResult

    result = TrainResult(tiny_model, None, None, 0.0, {"loss": []}, 0)
    assert result.test_set == "200 test digits of tiny_data"
