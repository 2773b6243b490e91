"""What `train` accepts, for the command and for `digitcli.train` alike: the choices, each
whole-number option's range and each share's largest value. Light: the command line reads it
to build its options, without the API."""

from __future__ import annotations

from digitcli.core.config import TrainConfig

ARCHS = ("mlp", "mlp512", "cnn")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
FLAGS = ("short", "long")
STRATEGIES = ("auto", "default", "mirrored", "multi-worker")
MAX_SEED = 2**32 - 1  # NumPy's and TensorFlow's seeds are 32-bit
MAX_EPOCHS = 100_000
MAX_BATCH = 1_000_000
MAX_RATE = 10.0  # a learning rate above this only diverges (1e30: NaN loss every epoch)
DEFAULT = TrainConfig()
# Each whole-number option's range, and each share's largest value (from 0).
WHOLE = {
    "epochs": (1, MAX_EPOCHS),
    "batch_size": (1, MAX_BATCH),
    "seed": (0, MAX_SEED),
    "validation_seed": (0, MAX_SEED),
    "patience": (1, MAX_EPOCHS),
}
SHARES = {
    "validation_split": 0.9,
    "dropout": 0.9,
    "augment": 1.0,
    "hollow": 1.0,
    "fonts": 1.0,
    "continental": 1.0,
    "rehearsal": 0.9,
}
CHOICES = {"arch": ARCHS, "optimizer": OPTIMIZERS, "flags": FLAGS, "strategy": STRATEGIES}
