import json

import numpy as np
import pytest

from digitcli.core.config import TrainConfig, train_config
from digitcli.models.deskew import MAX_SKEW, Deskew, deskewed
from digitcli.models.model import build_model, load_keras_model

pytestmark = pytest.mark.trains


def _bar(slant: float) -> np.ndarray:
    """A 3-pixel-wide stroke from row 4 to row 23 whose column moves `slant` pixels a row."""
    image = np.zeros((28, 28), dtype=np.float32)
    for row in range(4, 24):
        centre = 14 + slant * (row - 13.5)
        for col in range(28):
            image[row, col] = 255 * np.clip(2.0 - abs(col - centre), 0, 1)
    return image


def _column_of_each_row(image: np.ndarray) -> np.ndarray:
    rows = image[image.sum(axis=1) > 0]
    return (rows * np.arange(28)).sum(axis=1) / rows.sum(axis=1)


@pytest.mark.parametrize("slant", [0.4, -0.3])
def test_a_slanted_stroke_is_stood_upright(slant):
    image = _bar(slant)
    assert np.ptp(_column_of_each_row(image)) > 5
    upright = np.asarray(Deskew()(image[None]))[0]
    assert np.ptp(_column_of_each_row(upright)) < 0.5
    np.testing.assert_allclose(upright.sum(), image.sum(), rtol=0.01)  # the ink is kept


def test_an_upright_stroke_is_left_as_it_is():
    image = _bar(0.0)
    np.testing.assert_allclose(np.asarray(Deskew()(image[None]))[0], image, atol=1e-3)


def test_shears_beyond_the_largest_are_undone_only_as_far_as_it():
    image = _bar(1.0)
    upright = np.asarray(Deskew()(image[None]))[0]
    drift = np.polyfit(np.arange(20), _column_of_each_row(upright), 1)[0]
    assert drift == pytest.approx(1.0 - MAX_SKEW, abs=0.05)


def test_training_deskews_in_numpy_as_the_layer_does():
    rng = np.random.default_rng(0)
    bars = [_bar(slant) for slant in (-0.9, -0.4, 0.0, 0.25, 0.6)]
    blobs = rng.integers(0, 256, (3000, 28, 28)) * (rng.random((3000, 28, 28)) < 0.2)
    images = np.concatenate([np.stack(bars), blobs]).astype(np.uint8)
    by_layer = np.asarray(Deskew()(images.astype(np.float32)))
    assert np.abs(deskewed(images) - by_layer).max() <= 0.51  # rounding to grey levels only
    assert np.abs(deskewed(images) - images).max() > 100  # and it did move them


def test_a_blank_image_stays_blank():
    out = np.asarray(Deskew()(np.zeros((2, 28, 28), dtype=np.float32)))
    assert np.isfinite(out).all() and not out.any()


def test_models_deskew_by_default_and_models_recorded_before_it_do_not():
    assert TrainConfig().deskew and train_config("cnn").deskew
    assert not TrainConfig.from_dict({"arch": "mlp"}).deskew  # a 0.1.0 or earlier metadata.json
    assert TrainConfig.from_dict({"arch": "mlp", "deskew": True}).deskew
    names = [layer.name for layer in build_model(train_config("mlp")).layers]
    assert names[0] == "deskew"
    plain = build_model(train_config("mlp", deskew=False))
    assert "deskew" not in [layer.name for layer in plain.layers]


def test_a_deskewing_model_saves_and_loads_safely(tmp_path):
    model = build_model(train_config("mlp", layers=(8,)))
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = load_keras_model(path)
    image = _bar(0.4)[None]
    np.testing.assert_allclose(np.asarray(loaded(image)), np.asarray(model(image)), atol=1e-6)


def test_what_metadata_records_is_what_the_saved_model_does(tiny_data, tmp_path):
    from pathlib import Path

    from digitcli.models.model import MEMBER_PREFIX
    from digitcli.models.modeldir import BUNDLED_DIR, read_metadata
    from digitcli.training.train import train

    deskewing = tmp_path / "deskewing"
    train(train_config("mlp", epochs=1, layers=(8,)), data=tiny_data, output=deskewing)
    assert json.loads((deskewing / "metadata.json").read_text())["config"]["deskew"] is True
    old = Path(__file__).parent / "fixtures" / "model-0.1.0"
    for directory in (BUNDLED_DIR, old, deskewing):
        model = load_keras_model(directory / "model.keras")
        metadata = read_metadata(directory)
        # An ensemble's networks are its member_* layers; its config is its first member's.
        networks = [layer for layer in model.layers if layer.name.startswith(MEMBER_PREFIX)]
        recorded = [member["config"]["deskew"] for member in metadata.members or []]
        if not networks:
            networks, recorded = [model], [metadata.config.deskew]
        has_layer = [any(layer.name == "deskew" for layer in net.layers) for net in networks]
        assert has_layer == recorded and metadata.config.deskew == recorded[0], directory.name


def test_train_no_deskew_trains_a_model_without_it(tmp_path):
    from typer.testing import CliRunner

    from digitcli.cli import app

    output = tmp_path / "m"
    done = CliRunner().invoke(
        app, ["train", "-q", "--epochs", "1", "--no-deskew", "-o", str(output)]
    )
    assert done.exit_code == 0, done.output
    assert json.loads((output / "metadata.json").read_text())["config"]["deskew"] is False
    model = load_keras_model(output / "model.keras")
    assert "deskew" not in [layer.name for layer in model.layers]


def test_training_feeds_the_network_digits_deskewed_beside_it(tiny_data, tmp_path, monkeypatch):
    import digitcli.training.train
    from digitcli.training.train import train

    sizes = []

    def spy(images):
        sizes.append(len(images))
        return deskewed(images)

    monkeypatch.setattr(digitcli.training.train, "deskewed", spy)
    config = train_config("mlp", epochs=2, layers=(8,), calibrate=False)
    train(config, data=tiny_data, output=tmp_path / "m")
    # The validation split and every training image once, then each draw's redrawn ones.
    assert sizes[:2] == [60, 540] and len(sizes) == 4 and 200 < sizes[2] < 340
    trained = load_keras_model(tmp_path / "m" / "model.keras")
    assert trained.layers[0].name == "deskew"  # the saved model deskews what it is given


def test_fine_tuning_keeps_what_the_model_it_starts_from_was_trained_on(tiny_model, tmp_path):
    from typer.testing import CliRunner

    from digitcli.cli import app
    from digitcli.models.modeldir import deskews

    assert deskews("bundled") and not deskews(str(tiny_model))  # the bundled: its first CNN's
    assert not deskews(str(tiny_model / "model.keras"))
    deskewing = build_model(train_config("mlp", layers=(8,)))
    deskewing.save(tmp_path / "d.keras")
    assert deskews(str(tmp_path / "d.keras")) and deskews(str(tmp_path / "missing"))
    build_model(train_config("cnn", deskew=False)).save(tmp_path / "straight.keras")

    for start, deskewed_too in [("bundled", True), (str(tmp_path / "straight.keras"), False)]:
        output = tmp_path / "tuned"
        args = ["train", "-q", "--arch", "cnn", "--init", start, "--epochs", "1", "--force"]
        done = CliRunner().invoke(app, [*args, "-o", str(output)])
        assert done.exit_code == 0, done.output
        config = json.loads((output / "metadata.json").read_text())["config"]
        assert config["deskew"] is deskewed_too, start


def test_litert_runs_the_layer_without_broadcast_index_grids():
    # Read with take_along_axis, each of the layer's two reads became BROADCAST_TO, SELECT_V2
    # and a GATHER over index grids, which XNNPACK does not run: LiteRT spent 31.9 us an image
    # deskewing, 9x the default mlp's own 3.5 us. As two gathers from one flat, zero-padded
    # copy: 6.8 us, the same pixels.
    from ai_edge_litert.interpreter import Interpreter

    from digitcli.models.backend import keras
    from digitcli.models.model import tflite_bytes

    pixels = keras.Input((28, 28))
    interpreter = Interpreter(model_content=tflite_bytes(keras.Model(pixels, Deskew()(pixels))))
    operations = {op["op_name"] for op in interpreter._get_ops_details()}
    assert "GATHER" in operations
    assert not operations & {"BROADCAST_TO", "GATHER_ND"}, operations


def test_the_layer_reads_each_row_at_its_shear_with_zeros_outside():
    # A reference read, pixel by pixel, of what the layer computes (skew from the moments).
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (6, 28, 28)) * (rng.random((6, 28, 28)) < 0.3)
    images = images.astype(np.float32)
    images[0] = _bar(0.9)  # sheared as far as MAX_SKEW: rows read well outside the image
    expected = np.stack([_read_sheared(image.astype(np.float64)) for image in images])
    np.testing.assert_allclose(np.asarray(Deskew()(images)), expected, atol=0.02)


def _read_sheared(image: np.ndarray) -> np.ndarray:
    grid = np.arange(28, dtype=np.float64)
    rows, cols = image.sum(axis=1), image.sum(axis=0)
    mass = rows.sum() + 1e-6
    dy, dx = grid - (rows @ grid) / mass, grid - (cols @ grid) / mass
    skew = ((image * dx).sum(axis=1) @ dy) / max(rows @ (dy * dy), 1e-3 * mass)
    skew = np.clip(skew, -MAX_SKEW, MAX_SKEW)
    out = np.zeros_like(image)
    for r in range(28):
        padded = np.concatenate([np.zeros(40), image[r], np.zeros(40)])  # zeros outside
        for c in range(28):
            source = c + skew * dy[r]
            left = int(np.floor(source))
            share = source - left
            out[r, c] = padded[left + 40] * (1 - share) + padded[left + 41] * share
    return out
