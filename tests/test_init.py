"""Fine-tuning: `train --init MODEL` starts from a trained model's weights."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from digitcli.core.config import train_config
from digitcli.core.errors import UsageError
from digitcli.models.backend import keras
from digitcli.models.model import build_model
from digitcli.training.recipe import start_from

from conftest import subprocess_env

pytestmark = pytest.mark.trains

TINY = {"layers": (32, 16), "batch_size": 16, "learning_rate": 0.01}


def test_start_from_gives_the_new_model_the_trained_weights(tiny_model):
    model = build_model(train_config("mlp", **TINY))
    start_from(model, str(tiny_model))
    trained = keras.models.load_model(tiny_model / "model.keras", compile=False)
    for ours, theirs in zip(model.get_weights(), trained.get_weights(), strict=True):
        assert np.array_equal(ours, theirs)


def test_start_from_the_bundled_model_builds_on_the_cnn():
    model = build_model(train_config("cnn"))
    start_from(model, "bundled")
    images = np.zeros((1, 28, 28), np.uint8)
    images[0, 4:24, 13:15] = 255  # a 1
    assert int(np.argmax(model.predict(images, verbose=0))) == 1


def test_a_network_of_another_shape_is_refused(tiny_model):
    with pytest.raises(UsageError, match="not the one --arch builds"):
        start_from(build_model(train_config("mlp")), str(tiny_model))


def test_train_init_a_file_that_is_no_model_exits_with_a_usage_error(tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    done = subprocess.run(
        [sys.executable, "-m", "digitcli", "train", "--epochs", "1", "--init", str(junk)],
        capture_output=True, text=True, env=subprocess_env(), cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--init" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_fine_tuning_starts_where_the_model_left_off(tiny_model, tiny_data, tmp_path):
    from digitcli.training.train import train

    config = train_config("mlp", epochs=1, init=str(tiny_model), **TINY)
    result = train(config, data=tiny_data, output=tmp_path / "tuned")
    fresh = train(train_config("mlp", epochs=1, **TINY), data=tiny_data, output=tmp_path / "fresh")
    assert result.history["loss"][0] < fresh.history["loss"][0]
    assert result.config.init == str(tiny_model)
