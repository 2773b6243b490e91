"""Defaults in one place, with the reason on the line, and where things live on disk."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from digitcli.core.errors import UsageError

# The choices the CLI offers (its enums are made from these) and the library checks.
ARCHES = ("mlp", "mlp512", "cnn")  # the keys of ARCH_DEFAULTS, below
OPTIMIZERS = ("adam", "rmsprop", "sgd")
SCHEDULES = ("cosine", "onecycle", "constant")  # how the learning rate moves over the run
MONITORS = ("accuracy", "loss")  # what picks the best epoch, on the validation set
STRATEGIES = ("auto", "default", "mirrored", "multi-worker")  # tf.distribute; see distribute.py
IMAGE_SIZE = 28
NUM_CLASSES = 10

DATA_ENV = "DIGITCLI_DATA"  # where data is looked for when --data is left out
MODELS_ENV = "DIGITCLI_MODELS"  # where trained models go; default: the user's data folder
MNIST_URL_ENV = "DIGITCLI_MNIST_URL"  # point the download at a mirror
DEBUG_ENV = "DIGITCLI_DEBUG"  # 1: show tracebacks


@dataclass(frozen=True)
class ArchDefaults:
    """What each architecture trains with when the user does not say."""

    layers: tuple[int, ...]  # hidden widths (mlp) or conv filters (cnn): names the model directory
    optimizer: str
    learning_rate: float
    epochs: int
    batch_size: int
    dropout: float
    schedule: str  # "cosine": anneal to zero over the run; "onecycle": warm up, then cosine
    label_smoothing: float
    augment: bool  # 0.1.0's small random shifts, rotations and zoom (Keras layers); now off
    writers: float  # share of each epoch's images redrawn as other writers would (augment.py)
    writers_every: int  # epochs one draw of those images serves: a draw costs ~half an MLP epoch
    flags: str  # the redrawn continental 1s' flags: "long" and shallow, or "short" (augment.py)
    hollow: float  # share of the redrawn images whose strokes are drawn as outlines (augment.py)
    fonts: float  # share of the redrawn digits drawn from a handwriting font instead (augment.py)
    continental: float  # share of the redrawn 1s, 7s, 4s in continental shapes (continental.py)
    jit_compile: bool  # XLA: faster for the MLPs on a CPU, slower for convolutions
    monitor: str  # what picks the best epoch: "accuracy" or "loss" (on the validation set)


ARCH_DEFAULTS: dict[str, ArchDefaults] = {
    # The original notebook's recipe: 784-512-64-10, Adam 0.001, 18 epochs, batch 32. Continental
    # shapes on half the redrawn 1s, 7s and 4s: continental writers read better, MNIST as well;
    # on more of them MNIST read worse.
    "mlp": ArchDefaults(
        layers=(512, 64), optimizer="adam", learning_rate=0.001, epochs=18, batch_size=32,
        dropout=0.0, schedule="cosine", label_smoothing=0.0, augment=False, writers=0.5,
        writers_every=1, flags="long", hollow=0.1, fonts=0.4, continental=0.5, jit_compile=True,
        monitor="accuracy",
    ),
    # The RMSprop notebook: 784-512-10, 5 epochs, batch 128; a peak of 0.002 annealed by the
    # cosine schedule reads better than the notebook's constant 0.001. Fonts 0.4 as the mlp:
    # other writers and fonts read better, MNIST as well.
    "mlp512": ArchDefaults(
        layers=(512,), optimizer="rmsprop", learning_rate=0.002, epochs=5, batch_size=128,
        dropout=0.0, schedule="cosine", label_smoothing=0.0, augment=False, writers=0.5,
        writers_every=1, flags="long", hollow=0.1, fonts=0.4, continental=0.5, jit_compile=True,
        monitor="accuracy",
    ),
    # A small batch-normalised convnet, with augmentation and a one-cycle schedule. 30 epochs,
    # not 20: MNIST a little better, other writers' scans no worse, for a quarter more time.
    # Fonts 0.25 (a fifth of an epoch's digits, as the mlp's 0.4 of its half): fonts and other
    # writers read better, MNIST as well. No continental shapes: not measured on the cnn.
    "cnn": ArchDefaults(
        layers=(48, 96), optimizer="adam", learning_rate=0.003, epochs=30, batch_size=128,
        dropout=0.25, schedule="onecycle", label_smoothing=0.1, augment=False, writers=0.8,
        writers_every=1, flags="short", hollow=0.1, fonts=0.25, continental=0.0, jit_compile=False,
        monitor="loss",
    ),
}  # fmt: skip


NO_TEACHER = "none"  # TrainConfig.teacher: learn from the labels alone
FROM_ARCH: Any = None  # a TrainConfig setting left so takes its architecture's default


@dataclass(frozen=True)
class TrainConfig:
    """Every setting of one training run; recorded whole in the model's metadata.json.

    The settings `ArchDefaults` lists default to the architecture's: `TrainConfig()` is the mlp's
    recipe, `TrainConfig(arch="cnn")` the cnn's, and `None` for any of them means the same.
    """

    arch: str = "mlp"
    layers: tuple[int, ...] = FROM_ARCH
    optimizer: str = FROM_ARCH
    learning_rate: float = FROM_ARCH
    epochs: int = FROM_ARCH
    batch_size: int = FROM_ARCH
    dropout: float = FROM_ARCH
    schedule: str = FROM_ARCH
    label_smoothing: float = FROM_ARCH
    augment: bool = FROM_ARCH
    writers: float = FROM_ARCH
    writers_every: int = FROM_ARCH
    flags: str = FROM_ARCH
    hollow: float = FROM_ARCH
    fonts: float = FROM_ARCH
    continental: float = FROM_ARCH
    jit_compile: bool = FROM_ARCH
    monitor: str = FROM_ARCH
    # The same for every architecture:
    validation_split: float = 0.1  # held out from the training set to pick the best epoch
    seed: int = 0  # same seed, same data, same machine: the same model
    # The seed of the validation hold-out (None: `seed`): models of other seeds that hold out the
    # same digits can be read as one, calibrated on those digits (ensemble.py).
    validation_seed: int | None = None
    patience: int | None = None  # stop after this many epochs without a better validation score
    calibrate: bool = True  # fit a temperature on the validation split: confidence that holds
    restore_best: bool = True  # keep the epoch with the best validation score
    deskew: bool = True  # the model takes each digit's slant out first (deskew.py)
    teacher: str = NO_TEACHER  # a model whose probabilities are the targets (distill.py): "bundled"
    init: str | None = None  # a trained model whose weights training starts from: "bundled"
    steps_per_execution: int = 16  # steps per call into TensorFlow: faster MLP epochs on a CPU
    strategy: str = "auto"  # tf.distribute: auto picks MirroredStrategy when there are 2+ GPUs

    def __post_init__(self) -> None:
        defaults = ARCH_DEFAULTS.get(self.arch)
        if defaults is None:
            raise UsageError(f"unknown architecture {self.arch!r} (choose {', '.join(ARCHES)})")
        for name in ARCH_SETTINGS:
            if getattr(self, name) is None:
                object.__setattr__(self, name, getattr(defaults, name))
        object.__setattr__(self, "layers", tuple(self.layers))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["layers"] = list(self.layers)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """The config `data` records; settings it lacks take their defaults, except `deskew`,
        `flags`, `hollow`, `fonts` and `continental`: a run recorded before they existed did not
        deskew, drew short flags, no hollow strokes, no fonts and no continental shapes."""
        old = {"deskew": False, "flags": "short", "hollow": 0.0, "fonts": 0.0, "continental": 0.0}
        data = {**old, **data}
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    @property
    def split_seed(self) -> int:
        """The seed that picks the validation split."""
        return self.seed if self.validation_seed is None else self.validation_seed

    @property
    def run_name(self) -> str:
        """The default directory name: settings a person can read, like mlp-512-64-lr0.001-e18."""
        layers = "-".join(str(width) for width in self.layers)
        return f"{self.arch}-{layers}-lr{self.learning_rate:g}-e{self.epochs}"


ARCH_SETTINGS = tuple(f.name for f in fields(ArchDefaults))  # what differs by architecture


def train_config(arch: str = "mlp", **overrides: object) -> TrainConfig:
    """The configuration for `arch`; every setting not given (or None) takes its default."""
    return TrainConfig(arch=arch, **overrides)


def models_root() -> Path:
    """Where `train` writes model directories and the default chosen is recorded: the user's
    data folder (`user_models_root`), or $DIGITCLI_MODELS; one that names a file is a usage
    error."""
    root = Path(os.environ.get(MODELS_ENV) or user_models_root())
    try:
        problem = "not a directory" if root.exists() and not root.is_dir() else None
    except OSError as error:  # a name too long, a folder on the way not ours to look in
        problem = error.strerror or type(error).__name__
    if problem:
        raise UsageError(f"${MODELS_ENV} {root}: {problem} (it names where models are kept)")
    return root


def user_models_root() -> Path:
    """The platform's folder for this user's data, `models` in it: ~/.local/share/digitcli/
    models on Linux ($XDG_DATA_HOME moves it), ~/Library/Application Support/digitcli/models
    on macOS, %LOCALAPPDATA%\\digitcli\\models on Windows."""
    import platformdirs

    return Path(platformdirs.user_data_dir("digitcli", appauthor=False)) / "models"


# Where digitcli 0.9 and before kept models: ./MNIST/models of the folder it ran in. Still
# listed and usable by name from that folder; `models use` of one records its absolute path.
LEGACY_MODELS = Path("MNIST") / "models"


def legacy_models_root() -> Path | None:
    """This folder's ./MNIST/models of an earlier digitcli, when there is one and it is not
    the models folder itself."""
    try:
        if LEGACY_MODELS.is_dir() and LEGACY_MODELS.resolve() != models_root().resolve():
            return LEGACY_MODELS
    except (OSError, RuntimeError):
        return None
    return None


def default_data_path() -> Path:
    return Path(os.environ.get(DATA_ENV) or "MNIST")
