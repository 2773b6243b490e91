"""The model directory, a versioned format: what `train` writes and everything else reads.

A model directory holds `model.keras` (what `export` converts), `model.tflite` (what `predict`
runs), `history.csv`, pictures and `metadata.json`, whose shape is the `Metadata` dataclass:
how the model was trained, on what, how well it did, and the input convention every runtime
and export follows. `format_version` numbers that shape; `read_metadata` migrates older
directories on read, so models written by digitcli 0.1.0 (format 1, no version field) still load.

No TensorFlow here: finding a model and reading its metadata must stay fast.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from digitcli.core import strictjson
from digitcli.core.config import (
    IMAGE_SIZE,
    NUM_CLASSES,
    TrainConfig,
    legacy_models_root,
    models_root,
)
from digitcli.core.errors import ModelError, UsageError
from digitcli.core.version import VERSION as __version__
from digitcli.models.registry import recorded_models
from digitcli.models.testset import scored_on

KERAS_FILE = "model.keras"
TFLITE_FILE = "model.tflite"
METADATA_FILE = "metadata.json"
MODEL_FILES = (TFLITE_FILE, KERAS_FILE)  # what a runtime runs, the first found first
HISTORY_FILE = "history.csv"
MODEL_CARD_FILE = "model-card.md"
BUNDLED_DIR = Path(__file__).parent / "pretrained"
BUNDLED = "bundled"  # what `train --teacher` and `--init` call the model in BUNDLED_DIR
CHECKPOINT_SUFFIX = ".checkpoint"

# 1: digitcli 0.1.0, no version field, the input convention under "preprocessing".
# 2: `format_version`, the input convention under "input", `labels`.
FORMAT_VERSION = 2

WHITE_ON_BLACK = "white ink on black"  # MNIST's own: background 0, ink 255
BLACK_ON_WHITE = "black ink on white"  # paper: background 255, ink 0
POLARITIES = (WHITE_ON_BLACK, BLACK_ON_WHITE)
MNIST_LAYOUT = "digit fitted in 20x20 keeping its aspect ratio, centred by centre of mass in 28x28"
LABELS = tuple(str(digit) for digit in range(NUM_CLASSES))
INPUT_NAME = "pixels"  # the input tensor's name in every model and export
OUTPUT_NAME = "probabilities"  # the output tensor's


@dataclass(frozen=True)
class InputConvention:
    """What a model's input tensor takes. digitcli's own models take raw MNIST pixels."""

    shape: tuple[int, ...] = (IMAGE_SIZE, IMAGE_SIZE)  # one image; the batch dimension comes first
    dtype: str = "float32"  # the input tensor's type; "uint8" for a fully quantised TFLite model
    range: tuple[float, float] = (0.0, 255.0)  # the values of black and of white
    polarity: str = WHITE_ON_BLACK
    preprocessing: str = MNIST_LAYOUT  # how a photo or scan becomes such an image

    def to_json(self) -> dict:
        return {
            "shape": list(self.shape),
            "dtype": self.dtype,
            "range": [_number(v) for v in self.range],
            "polarity": self.polarity,
            "preprocessing": self.preprocessing,
        }

    @classmethod
    def from_json(cls, data: dict) -> InputConvention:
        convention = cls(
            shape=tuple(int(d) for d in data.get("shape", cls.shape)),
            dtype=str(data.get("dtype", cls.dtype)),
            range=tuple(float(v) for v in data.get("range", cls.range)),
            polarity=str(data.get("polarity", cls.polarity)),
            preprocessing=str(data.get("preprocessing", cls.preprocessing)),
        )
        if len(convention.range) != 2 or convention.polarity not in POLARITIES:
            raise ValueError(f"unknown input convention {data!r}")
        return convention


DIGITCLI_INPUT = InputConvention()  # what every model digitcli trains or exports takes


# What an exported artifact carries about itself (as digitcli.json inside it, or as ONNX
# metadata_props), so a client with no digitcli code feeds it right.
MANIFEST_FILE = "digitcli.json"
LABELS_FILE = "labels.txt"  # one label a line, in output order: TFLite's associated-file habit
OUTPUT_MEANING = "probability of each label, in the order of labels; they sum to 1"


def manifest(convention: InputConvention, metadata: Metadata | None = None) -> dict:
    """The self-description an export carries: its input convention, labels and output."""
    labels = metadata.labels if metadata else LABELS
    return {
        "format_version": FORMAT_VERSION,
        "digitcli_version": __version__,
        "input": convention.to_json(),
        "labels": list(labels),
        "output": {"shape": [None, len(labels)], "meaning": OUTPUT_MEANING},
        "arch": metadata.arch if metadata else None,
        "test_accuracy": metadata.metrics.get("test_accuracy") if metadata else None,
    }


def pack_manifest(path: Path, described: dict) -> None:
    """Pack the manifest `described` and the labels into `path` as associated files.

    A .keras file is a zip archive already; a .tflite file gets one appended, the way TFLite
    metadata packs its associated files. Keras and LiteRT ignore them; `zipfile` reads them.
    """
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST_FILE, json.dumps(described, indent=2) + "\n")
        archive.writestr(LABELS_FILE, "\n".join(described["labels"]) + "\n")


def convention_from_manifest(data: dict) -> InputConvention:
    """The input convention an artifact's manifest states (see `manifest`)."""
    if data.get("format_version", FORMAT_VERSION) > FORMAT_VERSION:
        raise ValueError("written by a newer digitcli: upgrade digitcli")
    return InputConvention.from_json(data["input"])


@dataclass(frozen=True)
class Metadata:
    """A model directory's `metadata.json`: written once by `train`, read by everything else."""

    config: TrainConfig  # every setting of the run, so the model can be rebuilt exactly
    digitcli_version: str = ""
    created: str = ""  # ISO 8601, UTC
    input: InputConvention = DIGITCLI_INPUT
    labels: tuple[str, ...] = LABELS  # what each output position means
    data: dict = field(default_factory=dict)  # source, format, sha256 of each file, split sizes
    metrics: dict = field(default_factory=dict)  # test_accuracy, test_loss, best_epoch, ...
    history: dict = field(default_factory=dict)  # per-epoch loss, accuracy, val_*, learning_rate
    versions: dict = field(default_factory=dict)  # python, tensorflow, keras, numpy
    calibration: dict = field(default_factory=dict)  # temperature fitted, on what; baked in
    members: tuple[dict, ...] = ()  # an ensemble's models (ensemble.py): each one's record
    files: dict = field(default_factory=dict)  # sha256 of model.tflite and model.keras (`write`)
    stats: dict = field(default_factory=dict)  # their [size, mtime_ns] then: `changed_file`
    format_version: int = FORMAT_VERSION

    @property
    def arch(self) -> str:
        return self.config.arch

    @property
    def networks(self) -> tuple[str, ...]:
        """The architecture of each network it reads with: an ensemble's members in order."""
        return tuple(member["config"]["arch"] for member in self.members) or (self.arch,)

    def to_json(self) -> dict:
        return {
            "format_version": self.format_version,
            "digitcli_version": self.digitcli_version,
            "created": self.created,
            "arch": self.arch,  # also in config; on top for people reading the file
            "config": self.config.to_dict(),
            "input": self.input.to_json(),
            "labels": list(self.labels),
            "calibration": self.calibration,
            "data": self.data,
            "metrics": self.metrics,
            "history": self.history,
            "versions": self.versions,
            **({"members": list(self.members)} if self.members else {}),
            **({"files": self.files} if self.files else {}),
            **({"stats": self.stats} if self.stats else {}),
        }

    @classmethod
    def from_json(cls, data: dict) -> Metadata:
        """Metadata from a parsed metadata.json of any known format version (migrated)."""
        data = migrate(data)
        return cls(
            config=TrainConfig.from_dict(data.get("config") or {"arch": data.get("arch", "mlp")}),
            digitcli_version=str(data.get("digitcli_version", "")),
            created=str(data.get("created", "")),
            input=InputConvention.from_json(data.get("input") or {}),
            labels=tuple(str(label) for label in data.get("labels") or LABELS),
            data=dict(data.get("data") or {}),
            metrics=dict(data.get("metrics") or {}),
            history=dict(data.get("history") or {}),
            versions=dict(data.get("versions") or {}),
            calibration=dict(data.get("calibration") or {}),
            members=tuple(dict(member) for member in data.get("members") or ()),
            files={str(k): str(v) for k, v in dict(data.get("files") or {}).items()},
            stats=_stats(data.get("stats")),
            format_version=FORMAT_VERSION,
        )

    def write(self, directory: Path) -> Path:
        """Write `directory`/metadata.json whole, recording the sha256 of the model files it
        describes as they are now, with their sizes and times (`changed_file`): a file swapped
        in later is noticed."""
        directory = Path(directory)
        stats = {name: file_stat(directory / name) for name in MODEL_FILES}
        digests = file_digests(directory)
        described = replace(
            self, files=digests, stats={name: stats[name] for name in digests if stats[name]}
        )
        path, staging = directory / METADATA_FILE, directory / f".{METADATA_FILE}.{os.getpid()}"
        staging.write_text(strictjson.dumps(described.to_json(), indent=2) + "\n")
        os.replace(staging, path)
        return path


def file_digests(directory: Path) -> dict[str, str]:
    """The sha256 of each of `directory`'s model files (model.tflite, model.keras) there is."""
    found = (Path(directory) / name for name in MODEL_FILES)
    return {path.name: sha256_of(path) for path in found if path.is_file()}


def sha256_of(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_stat(path: Path) -> list[int] | None:
    """`path`'s [size, mtime_ns], or None where it is not a file."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns] if stat.S_ISREG(found.st_mode) else None


def _stats(data: object) -> dict:
    """metadata.json's `stats`, each [size, mtime_ns]; anything else dropped (then hashed)."""
    if not isinstance(data, dict):
        return {}
    return {
        str(name): [int(n) for n in value]
        for name, value in data.items()
        if isinstance(value, list) and len(value) == 2 and all(type(n) is int for n in value)
    }


def changed_file(directory: Path, metadata: Metadata) -> str | None:
    """Why `directory`'s model files are not the ones its metadata was written with (a
    `model.tflite` copied in from another model), or None: the metadata then describes another
    network than the one commands would run. Metadata of 0.9.1 and before records no digests.
    A file whose size and time are those recorded is taken as the one hashed then (as make
    and git take them); any other is hashed."""
    for name, recorded in metadata.files.items():
        path = Path(directory) / name
        if name not in MODEL_FILES or not path.is_file():
            continue
        if metadata.stats.get(name) == file_stat(path) or sha256_of(path) == recorded:
            continue
        return (
            f"{name} is not the file this model was written with (its sha256 differs from "
            f"the one {METADATA_FILE} records): put the model's own {name} back, or train "
            "it again"
        )
    return None


def files_stamp(path: Path) -> tuple:
    """What changes when the model at `path` is replaced, cheaply (no hashing): the device,
    inode, size and time of `path` and of each file directly in it. A model kept loaded is
    reused only while its stamp is the same (`digitcli.api`)."""

    def entry(where: str) -> tuple:
        try:
            found = os.stat(where)
        except OSError:
            return (where,)
        return (where, found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)

    path = os.fspath(path)
    if not os.path.isdir(path):
        return (entry(path),)
    try:
        names = sorted(os.listdir(path))[:STAMPED_ENTRIES]
    except OSError:
        names = []
    return (entry(path), *(entry(os.path.join(path, name)) for name in names))


STAMPED_ENTRIES = 256  # a model directory holds a handful of files


def migrate(data: dict) -> dict:
    """`data` (a parsed metadata.json) brought up to `FORMAT_VERSION`, one version at a time."""
    version = data.get("format_version", 1)
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"format_version {version!r} is not a positive whole number")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"written by a newer digitcli (format {version}; this one reads up to "
            f"{FORMAT_VERSION}): upgrade digitcli"
        )
    while version < FORMAT_VERSION:
        data = MIGRATIONS[version](data)
        version = data["format_version"]
    return data


def _from_format_1(data: dict) -> dict:
    """0.1.0 kept the input convention under "preprocessing", with other key names."""
    old = data.get("preprocessing") or {}
    migrated = {key: value for key, value in data.items() if key != "preprocessing"}
    migrated["input"] = {
        "shape": old.get("input_shape", list(DIGITCLI_INPUT.shape)),
        "range": old.get("input_range", list(DIGITCLI_INPUT.range)),
        "polarity": old.get("polarity", WHITE_ON_BLACK),
        "preprocessing": old.get("layout", MNIST_LAYOUT),
    }
    # Settings added since, as 0.1.0 trained: no other writers' images, no temperature.
    migrated["config"] = {"writers": 0.0, "calibrate": False, **(data.get("config") or {})}
    migrated["labels"] = list(LABELS)
    migrated["format_version"] = 2
    return migrated


MIGRATIONS = {1: _from_format_1}  # format N -> N + 1


def read_metadata(directory: Path) -> Metadata:
    """The metadata of the model directory `directory`, migrated to the current format."""
    path = Path(directory) / METADATA_FILE
    try:
        return Metadata.from_json(json.loads(read_bounded(path, METADATA_BYTES)))
    except FileNotFoundError:
        message = f"{directory}: not a digitcli model directory (no {METADATA_FILE})"
        raise ModelError(message) from None
    except (OSError, ValueError, TypeError, AttributeError, UsageError) as exc:
        raise ModelError(f"{path}: unreadable metadata ({exc})") from None


METADATA_BYTES = 16 * 1024 * 1024  # metadata.json holds ~8 KB; 1,000 epochs' history ~200 KB


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the file `path`; a ValueError where it is no regular file (a FIFO is not
    waited on, a device not read to its end) or holds over `limit` bytes (not read whole)."""
    import stat

    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise ValueError("not a file")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"over {limit:,} bytes")
    return data


EMPTY_NAME = "an empty model name: give 'bundled', a model directory or a model's file"


def named_model(source: str | Path) -> Path:
    """The model a command, `train --init` or `--teacher` names: "bundled" (BUNDLED_DIR), a
    path, or, where no such path exists, a model's name in models_root() (as `models use`)."""
    if str(source) == BUNDLED:
        return BUNDLED_DIR
    if not str(source):  # a script's unset variable: not the current folder
        raise UsageError(EMPTY_NAME)
    path = Path(source)
    name = str(source)
    if os.path.lexists(path) or os.sep in name or name in (".", ".."):
        return path
    for inside in [models_root() / name, *elsewhere_named(name)]:
        if _is_model_dir(inside):
            return inside
    return path


def elsewhere_named(name: str) -> list[Path]:
    """Where a model called `name` may be outside the models folder: the models written with
    `train -o` of that name (the latest first), then this folder's ./MNIST/models of an
    earlier digitcli."""
    found = [path for path in reversed(recorded_models()) if path.name == name]
    legacy = legacy_models_root()
    return [*found, *([legacy / name] if legacy is not None else [])]


def other_models() -> list[Path]:
    """The model directories `models` lists beside those in the models folder: this folder's
    ./MNIST/models of an earlier digitcli, then those `train -o` recorded that are still there."""
    legacy = legacy_models_root()
    found = trained_models(legacy) if legacy is not None else []
    found += [path for path in recorded_models() if _is_model_dir(path)]
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def deskews(source: str) -> bool:
    """Whether the model `train --init` names ("bundled", a model directory or a .keras file)
    deskews its digits: a fine-tuned model keeps what its weights were trained on. True where
    that cannot be read (`--init` itself then says what is wrong with it)."""
    path = named_model(source)
    try:
        if path.is_dir():
            return read_metadata(path).config.deskew
        with zipfile.ZipFile(path) as archive:  # a .keras file: its config.json names its layers
            layers = json.loads(archive.read("config.json"))["config"]["layers"]
        return any(layer.get("class_name") == "Deskew" for layer in layers)
    except (ModelError, OSError, KeyError, TypeError, ValueError, zipfile.BadZipFile):
        return True


def network_of(source: str) -> tuple[str, tuple[int, ...]] | None:
    """The architecture and layer widths of the model `train --init` names ("bundled" or a
    model directory), from its metadata; None where it has none (a .keras file)."""
    path = named_model(source)
    try:
        config = read_metadata(path).config if path.is_dir() else None
    except (ModelError, OSError):
        return None
    return None if config is None else (config.arch, tuple(config.layers))


@dataclass(frozen=True)
class ModelRef:
    """A model located on disk, and how to run it."""

    path: Path  # what the user named (or what was found)
    kind: str  # "dir", or the file type a runtime backend opens: "keras", "tflite", ...
    metadata: Metadata | None  # a model directory's; None for bare files

    @property
    def keras_file(self) -> Path | None:
        if self.kind == "keras":
            return self.path
        if self.kind == "dir" and (self.path / KERAS_FILE).is_file():
            return self.path / KERAS_FILE
        return None

    @property
    def tflite_file(self) -> Path | None:
        if self.kind == "tflite":
            return self.path
        if self.kind == "dir" and (self.path / TFLITE_FILE).is_file():
            return self.path / TFLITE_FILE
        return None


def is_model_dir(path: Path) -> bool:
    return (Path(path) / METADATA_FILE).is_file()


def trained_models(root: Path | None = None) -> list[Path]:
    """Model directories under `root`, oldest first: those whose metadata is a file (not a
    FIFO, which reading would wait on forever)."""
    root = root or models_root()
    if not root.is_dir():
        return []
    found = [
        p.parent
        for p in root.glob(f"*/{METADATA_FILE}")
        if not p.parent.name.startswith(".") and p.is_file()
    ]
    return sorted(found, key=lambda d: (d / METADATA_FILE).stat().st_mtime)


def latest_model() -> Path | None:
    """The most recently trained model that can be loaded (`model_problem`): a broken one,
    a truncated `model.tflite` or metadata from a newer digitcli, is passed over."""
    for path in reversed(trained_models()):
        if model_problem(path) is None:
            return path
    return None


def model_problem(directory: Path) -> str | None:
    """Why the model directory cannot be used (its metadata, then the file a runtime would
    run); None when it can."""
    from digitcli.models.intact import damaged

    try:
        metadata = read_metadata(directory)
    except ModelError as error:  # said of the directory, as the model files' problems are
        return str(error).removeprefix(f"{directory}{os.sep}")
    files = [directory / name for name in (TFLITE_FILE, KERAS_FILE)]
    tflite, keras = (file if file.is_file() else None for file in files)
    return damaged(tflite, keras) or changed_file(directory, metadata)


def default_model() -> Path:
    """The model used when none is named: the default chosen (`set_default`), else, in a
    models folder from before that choice existed, the most recently trained one, else the
    bundled one."""
    return choose_model(None).path


# Why a command answers with the model it does (`ChosenModel.why`).
NAMED = "named"  # the user named it (--model, MODEL)
CHOSEN = "the default"  # none named: the one DEFAULT_FILE names (train or `models use` chose it)
LATEST = "latest trained"  # none named, none chosen (a folder of 0.9): the most recent
FALLBACK = "bundled, none trained"  # none named, none trained
GONE = "bundled: the default is gone"  # DEFAULT_FILE names a model that no longer loads

# In models_root(): which model commands use when none is named. Written whole by `train` and
# `digitcli models use`; `{"model": NAME}`, NAME a folder in models_root(), a path, or "bundled".
DEFAULT_FILE = "default.json"


@dataclass(frozen=True)
class ChosenModel:
    """The model a command answers with, and why that one: what every answer names."""

    path: Path
    why: str  # NAMED, LATEST or FALLBACK

    @property
    def bundled(self) -> bool:
        return self.path.resolve() == BUNDLED_DIR.resolve()

    @property
    def checked(self) -> bool:
        """Whether `choose_model` found it loadable already (`model_problem`: its metadata, its
        files opened and their digests): a default chosen or the latest trained one."""
        return self.why in (CHOSEN, LATEST) and not self.bundled

    @property
    def name(self) -> str:
        """ "bundled", else the directory's or file's name (`mlp-512-64-lr0.001-e18`)."""
        return BUNDLED if self.bundled else Path(os.path.abspath(self.path)).name

    def to_json(self) -> dict:
        """The `model` object of every JSON answer."""
        return {"name": self.name, "path": str(self.path), "bundled": self.bundled}

    def describe(self) -> str:
        """`NAME (PATH, WHY)`: what the stderr line `model: ...` says."""
        return f"{self.name} ({self.path}, {self.why})"


def choose_model(name: str | Path | None) -> ChosenModel:
    """The model `name` means ("bundled" or a path), or with none named the default chosen
    (`set_default`), else the most recently trained one, else the bundled one. Finds it; does
    not check that it loads (except the chosen default's metadata and weights, as
    `latest_model` checks them)."""
    if name is not None:
        return ChosenModel(named_model(name), NAMED)
    try:
        chosen = chosen_default()
    except ModelError:  # a choice recorded, unreadable: still not the latest model's to take
        chosen = None
        if is_model_dir(BUNDLED_DIR):
            return ChosenModel(BUNDLED_DIR, GONE)
    if chosen is not None:
        if _loads(chosen):
            return ChosenModel(chosen, CHOSEN)
        if is_model_dir(BUNDLED_DIR):
            return ChosenModel(BUNDLED_DIR, GONE)
    latest = latest_model()
    if latest is not None:
        return ChosenModel(latest, LATEST)
    if not is_model_dir(BUNDLED_DIR):
        raise ModelError("no model given, none trained yet and no bundled model installed")
    return ChosenModel(BUNDLED_DIR, FALLBACK)


def default_file() -> Path:
    return models_root() / DEFAULT_FILE


def _loads(chosen: Path) -> bool:
    """Whether the chosen default is the bundled model or a model directory that loads
    (its metadata a file: a FIFO would be waited on forever)."""
    try:
        if chosen.resolve() == BUNDLED_DIR.resolve():
            return True
        return is_model_dir(chosen) and model_problem(chosen) is None
    except (OSError, ValueError, RuntimeError):  # a name the system refuses (too long, a NUL
        return False  # byte in it), a link to itself ("Symlink loop", RuntimeError in 3.11)


DEFAULT_FILE_BYTES = 64 * 1024  # `{"model": NAME}` is far shorter: a longer file is not one


def chosen_default() -> Path | None:
    """The model DEFAULT_FILE names (BUNDLED_DIR for "bundled"); None where there is no such
    file; a ModelError where there is one that cannot be read: damaged, a folder, a FIFO (not
    waited on), a device (not read to its end)."""
    recorded = default_file()
    if not os.path.lexists(recorded):
        return None
    try:
        named = json.loads(read_bounded(recorded, DEFAULT_FILE_BYTES))["model"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ModelError(f"{recorded}: unreadable ({error})") from None
    if not isinstance(named, str) or not named:
        raise ModelError(f"{recorded}: names no model")
    if named == BUNDLED:
        return BUNDLED_DIR
    path = Path(named)
    return path if path.is_absolute() else models_root() / path


def default_trouble() -> str | None:
    """Why the default `DEFAULT_FILE` records is not the model answering, said by `models`;
    None where it is, or where none is recorded."""
    try:
        chosen = chosen_default()
    except ModelError as error:
        return f"{error}: the bundled model answers"
    if chosen is None or _loads(chosen):
        return None
    try:
        problem = model_problem(chosen) if is_model_dir(chosen) else "no such model"
    except (OSError, ValueError, RuntimeError):
        problem = "no such model"
    answers = "the bundled model answers"
    return f"{default_file()} names {chosen}, which does not load ({problem}): {answers}"


def model_named(name: str | Path) -> Path:
    """The model directory `digitcli models use NAME` means: "bundled", a folder's name in
    models_root(), or a path to a model directory (a NAME with a "/", "./mine", is a path
    first); a UsageError if it is none of them."""
    if str(name) == BUNDLED:
        return BUNDLED_DIR
    candidates = [models_root() / str(name), Path(name)]
    candidates = reversed(candidates) if os.sep in str(name) else candidates
    for path in [*candidates, *elsewhere_named(str(name))]:
        if _is_model_dir(path) and str(name) not in ("", ".", ".."):
            problem = model_problem(path)
            if problem is not None:
                raise UsageError(f"{name}: {problem}")
            return path
    known = ", ".join(p.name for p in trained_models()) or "none trained yet"
    give = f"give 'bundled', a model directory, or the name of one in {models_root()} ({known})"
    if not str(name):
        raise UsageError(f"models use: an empty name; {give}")
    if any(os.path.isfile(path) for path in (Path(name), models_root() / str(name))):
        raise UsageError(f"{name} is a file, not a model directory: {give}")  # an image, an export
    raise UsageError(f"{name}: no such model; {give}")


def _is_model_dir(path: Path) -> bool:
    try:
        return is_model_dir(path)
    except OSError:  # a name too long for the system
        return False


def set_default(path: Path) -> ChosenModel:
    """Make the model directory `path` the one commands use when none is named, recorded in
    models_root()/DEFAULT_FILE (written whole: a reader sees the old choice or the new)."""
    from digitcli.core.atomic import write_whole  # not on a command's cold path

    root = models_root()
    path = Path(path)
    if path.resolve() == BUNDLED_DIR.resolve():
        named = BUNDLED
    elif path.resolve().parent == root.resolve():  # "./bundled": a folder of that name
        named = f"./{path.name}" if path.name == BUNDLED else path.name
    else:
        named = str(path.resolve())
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _unrecorded(root, error) from None
    try:
        write_whole(root / DEFAULT_FILE, (json.dumps({"model": named}) + "\n").encode())
    except OSError as error:
        raise _unrecorded(root / DEFAULT_FILE, error) from None
    return ChosenModel(path, CHOSEN)


def _unrecorded(where: Path, error: OSError) -> OSError | UsageError:
    """Why the default could not be recorded at `where`: a full disk stays an OSError (the
    commands say so, exit 1); anything else is the folder's, a usage error."""
    import errno

    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return error
    reason = error.strerror or type(error).__name__
    return UsageError(f"{where}: {reason}: cannot record the default model there")


@dataclass(frozen=True)
class ListedModel:
    """One row of `digitcli models`."""

    model: ChosenModel  # its name, path and whether it is the bundled one
    arch: str | None  # None where the metadata cannot be read
    test_accuracy: float | None
    created: str
    default: bool  # the model a command given no model would use
    problem: str | None = None  # why its metadata could not be read
    test_samples: int | None = None  # how many test images test_accuracy was measured on
    test_set: str | None = None  # which, in words: "MNIST's 10,000 test digits" (testset.py)

    def to_json(self) -> dict:
        return {
            **self.model.to_json(),
            "arch": self.arch,
            "test_accuracy": self.test_accuracy,
            "test_samples": self.test_samples,
            "test_set": self.test_set,
            "created": self.created,
            "default": self.default,
            "why": self.model.why if self.default else None,
            **({"problem": self.problem} if self.problem else {}),
        }


def list_models() -> list[ListedModel]:
    """The trained models under `models_root()`, oldest first, then those elsewhere
    (`other_models`), then a default chosen elsewhere, then the bundled one. One row is the
    default: the one at the default's path, else the first that is the same directory (a link
    to it)."""
    try:
        chosen = choose_model(None)
    except ModelError:
        chosen = None
    paths = trained_models()
    inside = {path.resolve() for path in paths}
    paths += [path for path in other_models() if path.resolve() not in inside]
    bundled = [BUNDLED_DIR] if (BUNDLED_DIR / "metadata.json").is_file() else []
    if chosen is None:
        return [_listed(path, None) for path in [*paths, *bundled]]
    same = [p for p in [*paths, *bundled] if p.resolve() == chosen.path.resolve()]
    if not same:
        paths.append(chosen.path)
    default = chosen.path if chosen.path in [*paths, *bundled] else same[0]
    return [_listed(path, chosen if path == default else None) for path in [*paths, *bundled]]


def _listed(path: Path, chosen: ChosenModel | None) -> ListedModel:
    """`path`'s row; `chosen` where it is the default."""
    default = chosen is not None
    model = ChosenModel(path, chosen.why) if chosen else ChosenModel(path, "")
    try:
        metadata = read_metadata(path)
    except ModelError as error:
        return ListedModel(model, None, None, "", default, str(error))
    problem = None if path.resolve() == BUNDLED_DIR.resolve() else model_problem(path)
    arch = "+".join(metadata.networks)
    if problem is not None:
        return ListedModel(model, arch, None, metadata.created, default, problem)
    accuracy = metadata.metrics.get("test_accuracy")
    samples = metadata.data.get("test_samples")
    samples = samples if isinstance(samples, int) and accuracy is not None else None
    on = scored_on(metadata.data) if samples is not None else None
    return ListedModel(
        model, arch, accuracy, metadata.created, default, test_samples=samples, test_set=on
    )


def checkpoint_path(output: Path) -> Path:
    """Where training keeps its resumable checkpoint: beside the output directory."""
    return output.parent / f"{output.name}{CHECKPOINT_SUFFIX}"


CHECKPOINT_STATE = "state.json"  # a checkpoint's settings and progress (training/checkpoint.py)


def check_resumable(checkpoint: Path) -> None:
    """`train --resume` with no checkpoint in `checkpoint` to continue: refused."""
    if not (checkpoint / CHECKPOINT_STATE).is_file():
        raise UsageError(f"nothing to resume: no checkpoint at {checkpoint}")


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def init_keras_file(source: str) -> Path:
    """The .keras file `train --init` starts from ("bundled", a model directory or a .keras
    file); anything else a UsageError."""
    path = named_model(source)
    try:
        path = path / KERAS_FILE if path.is_dir() else path
        usable = path.suffix == ".keras" and path.is_file()
    except OSError:  # a name too long for the system
        usable = False
    if not usable:
        raise UsageError(f"--init {source}: give 'bundled', a model directory or a .keras file")
    return path


def check_init(config: TrainConfig) -> None:
    """Refuse `--init` of no model, or of a model whose network `config` does not build,
    naming the --arch that does: before TensorFlow loads and the data is read (fine-tuning on
    a folder of pictures takes a while)."""
    if config.init is not None:  # "" too: a script's unset variable is no model
        init_keras_file(config.init)
    network = network_of(config.init) if config.init else None
    if network is not None and network != (config.arch, tuple(config.layers)):
        arch, layers = network
        raise UsageError(
            f"--init {config.init}: its network is {arch} {list(layers)}, not the "
            f"{config.arch} {list(config.layers)} --arch {config.arch} builds: pass "
            f"--arch {arch}, or leave --arch out"
        )
