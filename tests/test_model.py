import numpy as np
import pytest

from digitcli.core.config import ARCHES, train_config
from digitcli.core.errors import ModelError
from digitcli.models.model import build_model, load_keras_model
from digitcli.models.runtimes import load_runtime, sample_shape


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.trains
def test_every_arch_builds_and_trains_a_step(arch):
    from mnist_files import synthetic_digits

    model = build_model(train_config(arch))
    assert model.input_shape == (None, 28, 28)
    assert model.output_shape == (None, 10)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = synthetic_digits(64)
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    probabilities = np.asarray(model(x[:4].astype("float32"), training=False))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_mlp_is_the_original_784_512_64_10():
    model = build_model(train_config("mlp"))
    dense = [layer for layer in model.layers if layer.__class__.__name__ == "Dense"]
    assert [layer.units for layer in dense] == [512, 64, 10]
    assert model.count_params() == 784 * 512 + 512 + 512 * 64 + 64 + 64 * 10 + 10


def test_mlp512_is_784_512_10():
    dense = [x for x in build_model(train_config("mlp512")).layers if hasattr(x, "units")]
    assert [layer.units for layer in dense] == [512, 10]


def test_dropout_adds_dropout_layers():
    model = build_model(train_config("mlp", dropout=0.2))
    rates = [layer.rate for layer in model.layers if layer.__class__.__name__ == "Dropout"]
    assert rates == [0.2, 0.2]


@pytest.mark.parametrize("shape", [(None, 28, 28), (None, 28, 28, 1), (None, 784)])
def test_accepted_input_shapes(shape, tmp_path):
    sample_shape(shape[1:], tmp_path)


@pytest.mark.parametrize("shape", [(None, 32, 32, 3), (None, 10), (None, 28, 28, 3)])
def test_other_input_shapes_are_refused(shape, tmp_path):
    with pytest.raises(ModelError, match="not a 28x28 grey image"):
        sample_shape(shape[1:], tmp_path)


def test_foreign_model_with_another_input_shape_is_refused(tmp_path):
    from digitcli.models.backend import keras

    model = keras.Sequential(
        [keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    path = tmp_path / "cifar.keras"
    model.save(path)
    with pytest.raises(ModelError, match=r"\(32, 32, 3\)"):
        load_runtime(path)


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04truncated"])
def test_broken_keras_files_are_model_errors(tmp_path, content):
    path = tmp_path / "broken.keras"
    path.write_bytes(content)
    with pytest.raises(ModelError, match="not a loadable Keras model"):
        load_keras_model(path)


def test_lambda_layers_are_refused_in_safe_mode(tmp_path):
    from digitcli.models.backend import keras

    model = keras.Sequential(
        [keras.Input((28, 28)), keras.layers.Lambda(lambda t: t * 2), keras.layers.Flatten()]
    )
    path = tmp_path / "code.keras"
    model.save(path)
    with pytest.raises(ModelError, match="not a loadable Keras model"):
        load_keras_model(path)
