"""An epoch in digitcli.training.fused's compiled loop trains exactly as `model.fit` does."""

from dataclasses import replace

import numpy as np
import pytest

from digitcli.core.config import train_config
from digitcli.models.backend import keras
from digitcli.training import fused
from digitcli.training.distribute import make_strategy
from digitcli.training.fused import FusedEpochs
from digitcli.training.recipe import batches, compiled_model, targets
from digitcli.training.train import train

from mnist_files import synthetic_digits

pytestmark = pytest.mark.trains


def twin_models(config):
    """Two models of `config` with the same first weights."""
    models = []
    for _ in range(2):
        keras.utils.set_random_seed(config.seed)
        models.append(compiled_model(config, 40, make_strategy("default")))
    return models


class Progress(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(batch)


@pytest.mark.parametrize(
    "arch, extra",
    [("mlp", {}), ("mlp", {"label_smoothing": 0.1}), ("mlp512", {})],
    ids=["labels", "one-hot targets", "rmsprop"],
)
def test_a_fused_epoch_trains_as_model_fit(monkeypatch, arch, extra) -> None:
    # 7 calls of 3 full batches, one of the last 3 that starts at the last of them, then the 13
    # images left over as a batch of their own: each must be trained on once, in order.
    monkeypatch.setattr(fused, "STEPS_PER_CALL", 3)
    config = replace(train_config(arch, layers=(24, 12), deskew=False, batch_size=16), **extra)
    x, y = synthetic_digits(365, seed=3)
    wanted = targets(y, config)
    plain, looped = twin_models(config)
    progress = Progress()
    fused_epochs = FusedEpochs(
        looped, 16, validation_data=batches(x[:50], wanted[:50], 16), callbacks=[progress]
    )
    fused_epochs.warm_up(x, wanted)  # compiles its programs and trains nothing
    assert int(looped.optimizer.iterations.numpy()) == 0
    for epoch in range(2):
        history = plain.fit(
            batches(x, wanted, 16), epochs=epoch + 1, initial_epoch=epoch, verbose=0, shuffle=False
        )
        logs = fused_epochs.fit_one_epoch(epoch, x, wanted)
        for key in ("loss", "accuracy"):
            assert logs[key] == pytest.approx(history.history[key][-1], abs=1e-6)
    assert set(logs) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for a, b in zip(plain.get_weights(), looped.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    assert progress.batches[-1] + 1 == 23  # every step of the epoch: 22 full batches and 1


def test_the_mlp_trains_in_the_fused_loop_compiled_beside_its_first_draw(
    tiny_data, tmp_path, monkeypatch
):
    epochs = []
    fit_one_epoch = FusedEpochs.fit_one_epoch

    def counted(self, epoch, *args, **kwargs):
        epochs.append(epoch)
        return fit_one_epoch(self, epoch, *args, **kwargs)

    monkeypatch.setattr(FusedEpochs, "fit_one_epoch", counted)
    warmed = []
    monkeypatch.setattr(FusedEpochs, "warm_up", lambda self, x, y: warmed.append(len(x)))
    train(train_config("mlp", epochs=2, layers=(16, 8)), data=tiny_data, output=tmp_path / "m")
    assert epochs == [0, 1]
    assert warmed == [540]  # once, beside the first draw: the training split less validation
    train(train_config("cnn", epochs=1, layers=(4, 8)), data=tiny_data, output=tmp_path / "c")
    assert epochs == [0, 1]
