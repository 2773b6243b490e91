import csv
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from digitcli.core.config import train_config
from digitcli.core.errors import DataError, OutputExistsError, UsageError
from digitcli.reports.evaluate import evaluate
from digitcli.training.splits import split_validation
from digitcli.training.train import train

from conftest import FIXTURES, needs, subprocess_env

pytestmark = pytest.mark.trains


@pytest.fixture(scope="module")
@needs("trains")
def trained_tiny(tmp_path_factory, tiny_data):
    """What `train` writes today with the settings of the checked-in tests/fixtures/tiny-mlp."""
    from fixtures.make_tiny_model import TINY

    output = tmp_path_factory.mktemp("trained") / "tiny-mlp"
    train(TINY, data=tiny_data, output=output)
    return output


def test_model_directory_holds_everything(trained_tiny, tiny_data):
    tiny_model = trained_tiny
    names = {p.name for p in tiny_model.iterdir()}
    assert {"model.keras", "model.tflite", "metadata.json", "history.csv"} <= names
    metadata = json.loads((tiny_model / "metadata.json").read_text())
    assert metadata["arch"] == "mlp"
    assert metadata["config"]["layers"] == [32, 16]
    assert metadata["config"]["optimizer"] == "adam"
    assert metadata["config"]["validation_split"] == 0.1
    assert metadata["input"]["polarity"] == "white ink on black"
    assert len(metadata["data"]["sha256"]) == 4
    assert metadata["data"]["train_samples"] + metadata["data"]["validation_samples"] == 600
    assert metadata["metrics"]["test_accuracy"] > 0.5  # ten easy synthetic classes
    assert set(metadata["versions"]) >= {"tensorflow", "keras", "numpy", "python"}
    assert len(metadata["history"]["val_accuracy"]) == 2
    rows = list(csv.DictReader((tiny_model / "history.csv").open()))
    assert [row["epoch"] for row in rows] == ["1", "2"]
    for name in ("model.keras", "model.tflite"):  # each file says what it takes, even alone
        manifest = json.loads(zipfile.ZipFile(tiny_model / name).read("digitcli.json"))
        assert manifest["input"]["range"] == [0, 255] and manifest["labels"][9] == "9"
    # Evaluating scores it through the same runtime training did.
    assert evaluate(tiny_model, tiny_data).accuracy == metadata["metrics"]["test_accuracy"]


def _shape(data):
    """The keys of `data`, nested, without the values."""
    if isinstance(data, dict):
        return {key: _shape(value) for key, value in data.items()}
    return type(data).__name__ if data is None or isinstance(data, (bool, str)) else "value"


def test_the_checked_in_fixture_model_is_what_train_writes_today(trained_tiny):
    """tests/fixtures/tiny-mlp stands in for training in the fast tests: it must still have the
    shape of a freshly trained model directory (else rebuild it with make_tiny_model.py)."""
    fresh = json.loads((trained_tiny / "metadata.json").read_text())
    fixture = json.loads((FIXTURES / "tiny-mlp" / "metadata.json").read_text())
    for volatile in ("created", "digitcli_version", "versions", "metrics", "history"):
        fresh.pop(volatile), fixture.pop(volatile)
    fresh["data"]["source"] = fixture["data"]["source"]  # the fixture names no scratch folder
    assert _shape(fixture) == _shape(fresh)
    assert fixture["config"] == fresh["config"] and fixture["data"] == fresh["data"]
    assert _layers(FIXTURES / "tiny-mlp") == _layers(trained_tiny)


def _layers(model_dir):
    """The layers of a model directory's Keras file, less what Keras numbers itself (layer
    names, ids of shared objects)."""
    config = json.loads(zipfile.ZipFile(model_dir / "model.keras").read("config.json"))
    layers = config["config"]["layers"]
    return [(layer["class_name"], _unnumbered(layer["config"], "name")) for layer in layers]


def _unnumbered(data, *drop: str):
    if isinstance(data, dict):
        kept = {k: v for k, v in data.items() if k not in (*drop, "shared_object_id")}
        return {k: _unnumbered(v) for k, v in kept.items()}
    return [_unnumbered(v) for v in data] if isinstance(data, list) else data


def test_result_json_shape(tiny_data, tmp_path):
    result = train(train_config("mlp512", epochs=1), data=tiny_data, output=tmp_path / "m")
    data = result.to_json()
    assert {
        "model",
        "arch",
        "epochs",
        "test_accuracy",
        "test_loss",
        "train_seconds",
        "history",
    } <= set(data)
    assert data["arch"] == "mlp512" and data["epochs"] == 1
    assert set(data["history"]) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    json.dumps(data)


def test_cnn_trains_with_augmentation_and_label_smoothing(tiny_data, tmp_path):
    config = train_config("cnn", epochs=1, layers=(8, 16))
    assert config.writers > 0 and config.label_smoothing > 0
    result = train(config, data=tiny_data, output=tmp_path / "cnn")
    assert result.test.samples == 200
    assert (tmp_path / "cnn" / "model.tflite").stat().st_size > 0


def test_training_saves_a_calibrated_model(tiny_data, tmp_path):
    config = train_config("mlp", epochs=2, layers=(16,))
    train(config, data=tiny_data, output=tmp_path / "m")
    metadata = json.loads((tmp_path / "m" / "metadata.json").read_text())
    calibration = metadata["calibration"]
    assert calibration["temperature"] > 0 and calibration["temperature"] != 1.0
    nll_before, nll_after = calibration["validation_nll"]
    assert nll_after <= nll_before
    from digitcli.models.model import load_keras_model

    model = load_keras_model(tmp_path / "m" / "model.keras")
    scale = model.get_layer("temperature").scale
    assert abs(scale - 1 / calibration["temperature"]) < 1e-6


def test_no_calibrate_keeps_the_plain_softmax(tiny_data, tmp_path):
    config = train_config("mlp", epochs=1, layers=(16,), calibrate=False)
    train(config, data=tiny_data, output=tmp_path / "m")
    metadata = json.loads((tmp_path / "m" / "metadata.json").read_text())
    assert metadata["calibration"]["temperature"] == 1.0


@pytest.mark.parametrize("arch, layers", [("mlp", (16,)), ("cnn", (8, 16))])
def test_same_seed_same_model(tiny_data, tmp_path, arch, layers):
    config = train_config(arch, epochs=1, layers=layers, seed=7)
    first = train(config, data=tiny_data, output=tmp_path / "a")
    second = train(config, data=tiny_data, output=tmp_path / "b")
    assert first.history["loss"] == second.history["loss"]
    assert first.test.loss == second.test.loss


def test_default_output_is_named_after_settings(tiny_data, isolated):
    result = train(train_config("mlp", epochs=1, layers=(16,)), data=tiny_data)
    assert result.model_dir == isolated / "models" / "mlp-16-lr0.001-e1"
    assert result.model_dir.is_dir()


def test_existing_output_is_not_touched_without_force(tiny_data, tmp_path):
    output = tmp_path / "m"
    output.mkdir()
    (output / "metadata.json").write_text('{"note": "last week\'s model"}')
    with pytest.raises(OutputExistsError):
        train(train_config("mlp", epochs=1, layers=(8,)), data=tiny_data, output=output)
    assert "last week" in (output / "metadata.json").read_text()
    train(train_config("mlp", epochs=1, layers=(8,)), data=tiny_data, output=output, force=True)
    assert "last week" not in (output / "metadata.json").read_text()


def test_force_refuses_a_folder_digitcli_did_not_write(tiny_data, tmp_path):
    output = tmp_path / "precious"
    output.mkdir()
    (output / "thesis.txt").write_text("four years of work")
    with pytest.raises(UsageError, match="did not write"):
        train(train_config("mlp", epochs=1, layers=(8,)), data=tiny_data, output=output, force=True)
    assert (output / "thesis.txt").read_text() == "four years of work"


def test_bad_data_writes_nothing(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "train-images-idx3-ubyte.gz").write_bytes(b"garbage")
    with pytest.raises(DataError):
        train(train_config("mlp", epochs=1), data=bad, output=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad"]


def test_patience_stops_early(tiny_data, tmp_path):
    # A learning rate of zero: no epoch beats the first, so patience 1 stops after the second.
    config = train_config("mlp", epochs=5, layers=(8,), patience=1, learning_rate=0.0)
    result = train(config, data=tiny_data, output=tmp_path / "m")
    assert len(result.history["loss"]) == 2 and result.best_epoch == 1


def test_best_epoch_is_kept(tiny_data, tmp_path):
    result = train(
        train_config("mlp", epochs=3, layers=(16,)), data=tiny_data, output=tmp_path / "m"
    )
    val = result.history["val_accuracy"]
    assert val[result.best_epoch - 1] == max(val)


def test_split_validation_is_seeded_and_disjoint():
    from digitcli.datasets.data import Split

    ids = np.arange(100, dtype=np.uint8)  # image i is filled with i, its label is i
    split = Split(np.repeat(ids, 28 * 28).reshape(100, 28, 28), ids)
    fit_a, val_a = split_validation(split, 0.1, seed=1)
    fit_b, val_b = split_validation(split, 0.1, seed=1)
    assert len(val_a) == 10 and len(fit_a) == 90
    assert np.array_equal(val_a.x, val_b.x) and np.array_equal(fit_a.y, fit_b.y)
    assert set(fit_a.y.tolist()).isdisjoint(val_a.y.tolist())
    assert sorted([*fit_a.y.tolist(), *val_a.y.tolist()]) == ids.tolist()
    assert np.array_equal(fit_a.x[:, 0, 0], fit_a.y)  # images stay with their labels
    _, val_other = split_validation(split, 0.1, seed=2)
    assert not np.array_equal(val_other.y, val_a.y)


def test_the_validation_seed_holds_out_its_own_digits_whatever_the_seed(
    tiny_data, tmp_path, monkeypatch
):
    from typer.testing import CliRunner

    import digitcli.training.splits as splits
    from digitcli.cli import app

    asked = []
    real = splits.split_validation
    monkeypatch.setattr(
        splits,
        "split_validation",
        lambda split, fraction, seed: asked.append(seed) or real(split, fraction, seed),
    )
    common = ["train", "--epochs", "1", "--data", str(tiny_data), "--quiet"]
    for seeds, output in [(["--seed", "3", "--validation-seed", "0"], "a"), (["--seed", "3"], "b")]:
        done = CliRunner().invoke(app, [*common, *seeds, "--output", str(tmp_path / output)])
        assert done.exit_code == 0, done.output
    assert asked == [0, 3]
    recorded = json.loads((tmp_path / "a" / "metadata.json").read_text())["config"]
    assert (recorded["seed"], recorded["validation_seed"]) == (3, 0)


def test_resume_without_checkpoint_is_a_usage_error(tiny_data, tmp_path):
    with pytest.raises(UsageError, match="nothing to resume"):
        train(train_config("mlp", epochs=1), data=tiny_data, output=tmp_path / "m", resume=True)


def test_a_full_disk_says_where_and_how_to_go_on(tiny_data, tmp_path, monkeypatch):
    import errno

    import digitcli.training.train as training
    from digitcli.core.errors import DigitcliError

    real_savez = training.np.savez
    calls = []

    def savez(path, *arrays):
        calls.append(path)
        if len(calls) == 2:  # the second epoch's checkpoint
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_savez(path, *arrays)

    monkeypatch.setattr(training.np, "savez", savez)
    output = tmp_path / "m"
    with pytest.raises(DigitcliError) as caught:
        train(train_config("mlp", epochs=3, layers=(8,)), data=tiny_data, output=output)
    message = str(caught.value)
    assert "no space left on device while saving epoch 2" in message
    assert "best-weights.npz" in message  # the path that was being written
    assert "checkpoint of epoch 1 is kept" in message and "--resume" in message
    assert caught.value.exit_code == 1
    assert (tmp_path / "m.checkpoint" / "state.json").is_file()


INTRA_OP_AFTER_TRAINING = """
import os, sys
from digitcli.core.config import train_config
from digitcli.training.train import train
from digitcli.models.backend import tf
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))} | {max(os.sched_getaffinity(0))})
writers = float(sys.argv[3])
train(train_config("mlp", epochs=1, layers=(8,), writers=writers), data=sys.argv[1],
      output=sys.argv[2])
print(tf.config.threading.get_intra_op_parallelism_threads())
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("writers", "env", "expected"),
    [(0.5, {}, "1"), (0.0, {}, "0"), (0.5, {"TF_NUM_INTRAOP_THREADS": "2"}, "0")],
    ids=["redrawn-beside", "no-draw", "user-setting-kept"],
)
def test_training_beside_a_draw_leaves_the_draw_a_core(tiny_data, tmp_path, writers, env, expected):
    """On 2 cores, TensorFlow's two op threads and the draw's thread took turns on them: the
    default mlp trained in a median 38.3 s against 33.1 s with one op thread (five runs each)."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two cores")
    done = subprocess.run(
        [sys.executable, "-c", INTRA_OP_AFTER_TRAINING, str(tiny_data), str(tmp_path / "m"),
         str(writers)],
        capture_output=True, text=True, env=subprocess_env(**env), timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == expected


def test_a_draw_beside_training_gets_quick_interpreter_switches(tiny_data, tmp_path, monkeypatch):
    import digitcli.training.draws
    import digitcli.training.train

    seen = []
    drawn = digitcli.training.train.EpochImages.get

    def get(self, epoch, **kwargs):
        seen.append(sys.getswitchinterval())
        return drawn(self, epoch, **kwargs)

    monkeypatch.setattr(digitcli.training.train.EpochImages, "get", get)
    before = sys.getswitchinterval()
    config = train_config("mlp", epochs=1, layers=(8,), calibrate=False)
    train(config, data=tiny_data, output=tmp_path / "m")
    assert seen == [digitcli.training.draws.DRAW_SWITCH_INTERVAL] != [before]
    assert sys.getswitchinterval() == before  # the process's own setting, back after training


@pytest.mark.parametrize("augment", [False, True])
def test_an_epochs_batches_come_in_order_without_tf_datas_autotuning(augment):
    # Keras' own pipeline for NumPy arrays autotunes, and tearing it down as each epoch's fit
    # returned stalled training ~1.2 s on a third of the epochs.
    from digitcli.training.recipe import fit_inputs

    x = np.arange(70 * 28 * 28, dtype=np.float32).reshape(70, 28, 28) % 256
    y = np.arange(70) % 10
    config = train_config(epochs=1, batch_size=32, augment=augment)
    dataset = fit_inputs(x, y, config)
    assert dataset.options().autotune.enabled is False
    labels = [batch_y.numpy() for _, batch_y in dataset]
    assert [len(batch) for batch in labels] == [32, 32, 6]
    np.testing.assert_array_equal(np.concatenate(labels), y)
