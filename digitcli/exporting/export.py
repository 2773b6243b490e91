"""Export a model to the formats it is deployed in, and prove each export still answers the same.

`export_model(model, fmt)` converts a Keras model (a model directory or a `.keras` file) to one
of `FORMATS`, loads the result back with the runtime it will be deployed with (LiteRT,
onnxruntime, `tf.saved_model.load`, Keras), runs it on the whole test set and compares its
answers with the source model's. An export that agrees on fewer than `MIN_AGREEMENT` of the
test images is not written at all: a failed export never lands where a deployment script would
pick it up, and never replaces a good one (`verify=False` writes it unchecked).

Every export describes itself: it takes raw MNIST pixels (0-255, white ink on black, 28x28,
`modeldir.DIGITCLI_INPUT`), says so inside the artifact where the format allows (ONNX
metadata_props; `digitcli.json` packed into a .tflite or .keras file as an associated file;
`assets.extra/digitcli.json` in a SavedModel), in `ExportResult.input`, and in a model card
written beside it, so a client with no digitcli code feeds it right.

TensorFlow is imported only once the arguments are checked, so mistakes are reported at once.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from digitcli.core.atomic import (
    FILE,
    SAVEDMODEL,
    atomic_output,
    check_writable,
    exclusive,
    recover,
    work_folder,
)
from digitcli.core.errors import (
    DataError,
    DigitcliError,
    ExportError,
    ModelError,
    TrainingInterrupted,
    UsageError,
    first_line,
)
from digitcli.core.quiet import native_stderr_silenced
from digitcli.core.signals import Interrupted, SignalGuard
from digitcli.datasets.data import Dataset, Split, check_data, load_dataset
from digitcli.datasets.download import Watch
from digitcli.models.model_card import card_path, model_card
from digitcli.models.modeldir import (
    BUNDLED_DIR,
    DIGITCLI_INPUT,
    KERAS_FILE,
    LABELS_FILE,
    MANIFEST_FILE,
    METADATA_FILE,
    TFLITE_FILE,
    InputConvention,
    ModelRef,
    manifest,
    pack_manifest,
)
from digitcli.models.runtimes import load_runtime, resolve_model
from digitcli.models.runtimes.onnx import ONNX_EXTRA_HINT

REPRESENTATIVE_SAMPLES = 500  # training images that calibrate int8 ranges; more changes nothing
REPRESENTATIVE_SEED = 0  # the same images every time: the same int8 model every time
WARMUP_IMAGES = 1024  # one batch run before timing, so one-off set-up is not counted per image


@dataclass(frozen=True)
class Format:
    """One export format: how its artifact is named, run and judged."""

    name: str
    suffix: str  # the file name's ending; "" for a directory
    default_name: str  # beside the model; {stem} is "model" in a model directory
    kind: str  # the ModelRef kind that runs it
    min_agreement: float  # share of test images where it must predict what the source predicts
    help: str
    dtype: str = "float32"  # what its input tensor holds

    @property
    def input(self) -> InputConvention:
        """What the artifact takes: raw MNIST pixels, as this format's input type."""
        return replace(DIGITCLI_INPUT, dtype=self.dtype)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("keras", ".keras", "{stem}-export.keras", "keras", 0.999, "another Keras program"),
        Format("savedmodel", "", "{stem}-savedmodel", "savedmodel", 0.999, "TF Serving"),
        # In a model directory this is training's own model.tflite (what predict runs):
        # verified and given its card, not written a second time (see `_as_trained`).
        Format("tflite", ".tflite", "{stem}.tflite", "tflite", 0.999, "LiteRT, float32"),
        Format("tflite-f16", ".tflite", "{stem}-f16.tflite", "tflite", 0.999, "float16 weights"),
        # Full-integer quantisation moves a few borderline images; 99.5% still means <= 50/10000.
        Format(
            "tflite-int8",
            ".tflite",
            "{stem}-int8.tflite",
            "tflite",
            0.995,
            "uint8 in and out",
            dtype="uint8",
        ),
        Format("onnx", ".onnx", "{stem}.onnx", "onnx", 0.999, "onnxruntime, outside TensorFlow"),
    )
}


@dataclass(frozen=True)
class ExportResult:
    format: str
    path: Path
    bytes: int  # the file's size, or the sum of a directory's files
    source: Path  # the Keras model exported
    runtime: str = ""  # the engine that verified it: litert, onnxruntime, savedmodel, keras
    samples: int = 0  # test images it was verified on; 0: not verified
    accuracy: float | None = None  # the exported artifact's, on the test set
    source_accuracy: float | None = None  # the source model's, on the same images
    agreement: float | None = None  # share of test images where both predict the same digit
    max_difference: float | None = None  # largest difference of any probability
    seconds_per_image: float | None = None  # the artifact's, in batches of 1024
    input: InputConvention = DIGITCLI_INPUT  # what the artifact takes, as it says inside
    model_card: Path | None = None  # the model card written beside it

    @property
    def verified(self) -> bool:
        return self.samples > 0

    def to_json(self) -> dict:
        def rounded(value: float | None, digits: int) -> float | None:
            return None if value is None else round(value, digits)

        return {
            "format": self.format,
            "path": str(self.path),
            "bytes": self.bytes,
            "source": str(self.source),
            "verified": self.verified,
            "runtime": self.runtime or None,
            "samples": self.samples,
            "accuracy": self.accuracy,
            "source_accuracy": self.source_accuracy,
            "agreement": self.agreement,
            "max_difference": rounded(self.max_difference, 8),
            "seconds_per_image": rounded(self.seconds_per_image, 9),
            "input": self.input.to_json(),
            "model_card": str(self.model_card) if self.model_card else None,
        }


def export_model(
    model: str | Path | None = None,
    fmt: str = "tflite",
    output: str | Path | None = None,
    *,
    force: bool = False,
    verify: bool = True,
    data: str | Path | None = None,
) -> ExportResult:
    """Export `model` (default: the latest trained) as `fmt`, verified on the test set of `data`.

    `output` defaults to a file beside the model (see `default_output`); an existing directory
    given for a file format receives the default name inside it. Raises OutputExistsError when
    the output exists and `force` is false, before any work; ExportError when the export fails
    or does not agree with the source model (nothing is written then).
    """
    spec = _format(fmt)
    ref = _keras_model(model)
    source = ref.keras_file
    target = output_path(ref, spec, output)
    card = card_path(target, directory=not spec.suffix)
    if _as_trained(ref, spec, output, force):
        return _ship_as_trained(ref, spec, card, force=force, verify=verify, data=data)
    _check_not_a_models_own(target, ref, spec)
    check_writable(target, force=force, kind=FILE if spec.suffix else SAVEDMODEL)
    if spec.suffix:
        check_writable(card, force=force, kind=FILE)
    if spec.name == "onnx":
        _require_onnx(verify)
    dataset = _test_data(data, spec) if verify or spec.name == "tflite-int8" else None
    if verify and len(dataset.test) == 0:
        raise UsageError(f"{dataset.source}: no test images to verify on (or use --no-verify)")

    from digitcli.models.runtimes.keras import KerasRuntime

    keras_runtime = KerasRuntime(source, metadata=ref.metadata)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _stopped_said(target) as signals, exclusive(target), _scratch(target) as staged:
        model = _pixels_model(keras_runtime.model, keras_runtime.input)
        with signals.held():  # a converter stopped midway fails in its own words: let it end
            _write(spec, model, staged, dataset, manifest(spec.input, ref.metadata))
        result = ExportResult(
            spec.name, target, _size(staged), source, input=spec.input, model_card=card
        )
        if verify:  # run as a stranger would: the artifact's own manifest says how to feed it
            artifact = load_runtime(ModelRef(staged, spec.kind, None))
            result = _verified(result, spec, artifact, keras_runtime, dataset.test)
        text = model_card(result, ref.metadata)
        if not spec.suffix:  # a directory: the card travels inside it
            (staged / card.name).write_text(text)
            result = replace(result, bytes=_size(staged))
        with atomic_output(target, force=force) as final:
            os.replace(staged, final)
    if spec.suffix:
        with atomic_output(card, force=force) as staging:
            staging.write_text(text)
    if ref.kind == "dir" and target == ref.path / TFLITE_FILE:  # --force: converted again
        ref.metadata.write(ref.path)  # which records the new file's digest
        _keep_old_name(target)
    return result


def check_export_data(
    model: str | Path | None = None,
    fmt: str = "tflite",
    data: str | Path | None = None,
    *,
    verify: bool = True,
    watch: Watch | None = None,
) -> None:
    """What `export_model` will refuse of the model and of its test data, refused now, and
    MNIST downloaded into the default ./MNIST/ that holds none, shown by `watch`
    (download.Watch): where the export needs data (to verify, or to calibrate tflite-int8),
    before a caller's own display of the export starts. Nothing downloaded where none is."""
    spec = _format(fmt)
    _keras_model(model)
    if verify or spec.name == "tflite-int8":
        with _data_said(spec):
            check_data(data, role="test", watch=watch)


def _format(fmt: str) -> Format:
    spec = FORMATS.get(fmt)
    if spec is None:
        raise UsageError(f"unknown export format {fmt!r} (choose {', '.join(FORMATS)})")
    return spec


def _keras_model(model: str | Path | None) -> ModelRef:
    """The model exported, which must have a Keras model to export."""
    ref = resolve_model(model)
    if ref.keras_file is None:
        raise ModelError(
            f"{ref.path}: export needs a Keras model (a model directory with model.keras, "
            "or a .keras file)"
        )
    return ref


def _test_data(data: str | Path | None, spec: Format) -> Dataset:
    """The test set an export is verified on (and tflite-int8 calibrated with)."""
    with _data_said(spec):
        return load_dataset(data, role="test")


@contextlib.contextmanager
def _data_said(spec: Format) -> Iterator[None]:
    """Where only verifying needs the data, data missing or unreadable says that --no-verify
    does without."""
    try:
        yield
    except DataError as error:
        if spec.name == "tflite-int8":  # calibrating needs it too: --no-verify would not help
            raise
        unchecked = "nothing was written (--no-verify writes it unchecked)"
        raise DataError(f"{error}; {unchecked}") from error


def _check_not_a_models_own(target: Path, ref: ModelRef, spec: Format) -> None:
    """Refuse, even with --force, an export over the model it is made from, or over a file a
    model directory runs or describes itself with: `-o r1/model.tflite` with tflite-int8 would
    quantize what predict runs while r1's metadata and card still say float32. The one
    exception: `--format tflite` converts a model directory's own model.tflite again."""
    resolved = target.resolve()
    if ref.kind != "dir" and resolved == ref.path.resolve():
        raise UsageError(f"{target} is the model being exported: choose another --output")
    folder = target.parent
    if target.name not in (KERAS_FILE, TFLITE_FILE, METADATA_FILE):
        return
    if not (folder / METADATA_FILE).is_file():
        return
    own_tflite = ref.kind == "dir" and resolved == (ref.path / TFLITE_FILE).resolve()
    if own_tflite and spec.name == "tflite":
        return
    named = spec.default_name.format(stem="model")
    raise UsageError(
        f"{target} is the model directory {folder}'s own {target.name}, which predict runs: "
        f"export elsewhere (e.g. -o {folder}, which names it {named})"
    )


def _as_trained(ref: ModelRef, spec: Format, output: str | Path | None, force: bool) -> bool:
    """Whether `export --format tflite` ships the model directory's own `model.tflite` (float32
    LiteRT, what training wrote and predict runs) instead of writing a near-identical second
    file beside it. `--force` converts it again, in place."""
    own = ref.path / TFLITE_FILE
    bundled = ref.path.resolve() == BUNDLED_DIR.resolve()
    return (
        spec.name == "tflite"
        and output is None
        and ref.kind == "dir"
        and not bundled
        and (own.is_file() and not force)
    )


def _ship_as_trained(
    ref: ModelRef, spec: Format, card: Path, *, force: bool, verify: bool, data
) -> ExportResult:
    """The model directory's `model.tflite`, verified as any export is, and its card."""
    target, source = ref.path / TFLITE_FILE, ref.keras_file
    check_writable(card, force=force, kind=FILE)
    result = ExportResult(
        spec.name, target, target.stat().st_size, source, input=spec.input, model_card=card
    )
    if verify:
        from digitcli.models.runtimes.keras import KerasRuntime

        dataset = _test_data(data, spec)
        if len(dataset.test) == 0:
            raise UsageError(f"{dataset.source}: no test images to verify on (or use --no-verify)")
        artifact = load_runtime(ModelRef(target, spec.kind, None))
        keras_runtime = KerasRuntime(source, metadata=ref.metadata)
        result = _verified(result, spec, artifact, keras_runtime, dataset.test)
    with atomic_output(card, force=force) as staging:
        staging.write_text(model_card(result, ref.metadata))
    _keep_old_name(target)
    return result


OLD_TFLITE_NAME = "model-f32.tflite"  # what `export --format tflite` wrote in digitcli 0.1.0


def _keep_old_name(target: Path) -> None:
    """Scripts written for the old name keep working: `model-f32.tflite` beside `model.tflite`
    is a link to it (one file, two names), made only where that name is free."""
    old = target.with_name(OLD_TFLITE_NAME)
    if not old.exists() and not old.is_symlink():
        old.symlink_to(TFLITE_FILE)


def _write(spec: Format, model, path: Path, dataset: Dataset | None, described: dict) -> None:
    """Write `model` as `spec` to `path`, carrying the manifest `described` inside."""
    try:
        with _quiet():
            WRITERS[spec.name](model, path, dataset)
            EMBEDDERS[spec.name](path, described)
    except DigitcliError:
        raise
    except ImportError as exc:
        raise ExportError(f"{spec.name} export needs {exc.name}: {ONNX_EXTRA_HINT}") from None
    except Exception as exc:  # converters raise their own types; the first line says why
        raise ExportError(f"{spec.name} export failed: {first_line(exc)}") from exc


def output_path(ref: ModelRef, spec: Format, output: str | Path | None = None) -> Path:
    """Where the export goes: `output`, or beside the model (see `default_output`)."""
    if output is None:
        return default_output(ref, spec)
    target = Path(output)
    if spec.suffix and target.is_dir():
        return target / spec.default_name.format(stem=_stem(ref))
    if spec.suffix and target.suffix.lower() != spec.suffix:
        article = "an" if spec.name[0] in "aeiou" else "a"  # an onnx, a tflite: as they sound
        raise UsageError(
            f"{target}: {article} {spec.name} export's name must end in {spec.suffix} "
            "(digitcli tells a model's format by its ending)"
        )
    return target


def default_output(ref: ModelRef, spec: Format) -> Path:
    """Beside the model: in a model directory `model.onnx`, `model-int8.tflite`, ... (tflite:
    its own `model.tflite`); beside a file `X.keras`, `X.onnx`, `X.tflite`, `X-int8.tflite`, ... ;
    for the bundled model, in the current directory, `digitcli-pretrained.onnx`, ..."""
    if ref.kind == "dir" and ref.path.resolve() == BUNDLED_DIR.resolve():
        folder = Path.cwd()
    elif ref.kind == "dir":
        folder = ref.path
    else:
        folder = ref.path.parent
    return folder / spec.default_name.format(stem=_stem(ref))


def _stem(ref: ModelRef) -> str:
    if ref.kind == "dir":
        return "digitcli-pretrained" if ref.path.resolve() == BUNDLED_DIR.resolve() else "model"
    return ref.path.stem


def _require_onnx(verify: bool) -> None:
    """Fail at once, before TensorFlow loads, when the optional ONNX packages are missing."""
    needed = ["tf2onnx", "onnx"] + (["onnxruntime"] if verify else [])
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if missing:
        raise ExportError(f"ONNX export needs {', '.join(missing)}: {ONNX_EXTRA_HINT}")


@contextlib.contextmanager
def _stopped_said(target: Path) -> Iterator[SignalGuard]:
    """SIGTERM or Ctrl-C while exporting: the work folder and lock go (the default SIGTERM
    ended the process with them left), and the stop is said, exit 143 or 130. Yields the
    guard, whose `held` blocks finish before a signal stops the export."""
    signals = SignalGuard()
    try:
        with signals.installed():
            yield signals
    except Interrupted as stop:
        raise TrainingInterrupted(
            f"{stop.name}: the export to {target} stopped; run it again", exit_code=stop.exit_code
        ) from None


@contextlib.contextmanager
def _scratch(target: Path) -> Iterator[Path]:
    """A path with the target's own name in a hidden folder beside it, removed afterwards.

    Keras and digitcli tell formats by the name's ending, so the artifact is written and
    verified under its final name, then moved into place in one rename. The folder is named
    `.NAME.work-PID`: what a killed export left there, the next one to `target` removes.
    """
    recover(target)
    with work_folder(target) as folder:
        yield folder / target.name


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Converters print to stdout and stderr, and warn; stdout carries only our data."""
    with (
        contextlib.redirect_stdout(io.StringIO()),
        native_stderr_silenced(),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        yield


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


# Verification ---------------------------------------------------------------------------------


def _verified(result: ExportResult, spec: Format, runtime, source, test: Split) -> ExportResult:
    """`result` with the scores of `runtime` (the export) against `source` on `test`, once it
    has answered an empty canvas and a lone white pixel (`_answers_blank_canvases`)."""
    _answers_blank_canvases(spec, runtime)
    expected = source.predict(test.x)
    runtime.predict(test.x[:WARMUP_IMAGES])
    started = time.perf_counter()
    probabilities = runtime.predict(test.x)
    seconds = time.perf_counter() - started
    predicted = probabilities.argmax(axis=1)
    labels = test.y.astype(np.int64)
    agreement = float((predicted == expected.argmax(axis=1)).mean())
    result = replace(
        result,
        runtime=runtime.name,
        samples=len(test),
        accuracy=float((predicted == labels).mean()),
        source_accuracy=float((expected.argmax(axis=1) == labels).mean()),
        agreement=agreement,
        max_difference=float(np.abs(probabilities - expected).max()),
        seconds_per_image=seconds / len(test),
    )
    if agreement < spec.min_agreement:
        raise ExportError(
            f"the {spec.name} export predicts what the source model predicts on "
            f"{agreement:.2%} of {len(test)} test images, below the {spec.min_agreement:.1%} "
            "required; nothing was written (--no-verify writes it unchecked)"
        )
    return result


def blank_canvases() -> np.ndarray:
    """An empty canvas and one with a single white pixel: what an app shows before anything is
    drawn, and what no test set holds (an int8 export once divided by zero on both)."""
    canvases = np.zeros((2, *DIGITCLI_INPUT.shape), np.uint8)
    canvases[1, DIGITCLI_INPUT.shape[0] // 2, DIGITCLI_INPUT.shape[1] // 2] = 255
    return canvases


def _answers_blank_canvases(spec: Format, runtime) -> None:
    """Refuse an export that fails on `blank_canvases`, or answers them with no number."""
    try:
        probabilities = runtime.predict(blank_canvases())
    except Exception as exc:  # each runtime raises its own types; the first line says why
        problem = first_line(exc)
    else:
        problem = "" if np.isfinite(probabilities).all() else "its probabilities are not numbers"
    if problem:
        raise ExportError(
            f"the {spec.name} export fails on an empty canvas or a lone white pixel "
            f"({problem}); nothing was written (--no-verify writes it unchecked)"
        )


# Writers: one per format, each given a model that takes pixels 0-255 ----------------------------


def _pixels_model(model, convention: InputConvention):
    """`model` itself when it takes raw pixels, like digitcli's; else wrapped to take them.

    Every export then takes `DIGITCLI_INPUT`: 0-255, white ink on black. A model that takes
    another range or polarity gets one Rescaling layer in front that maps raw pixels onto it.
    """
    from digitcli.models.backend import keras
    from digitcli.models.modeldir import BLACK_ON_WHITE, INPUT_NAME

    if (convention.range, convention.polarity) == (DIGITCLI_INPUT.range, DIGITCLI_INPUT.polarity):
        return model
    black, white = convention.range
    scale, offset = (white - black) / 255, black
    if convention.polarity == BLACK_ON_WHITE:  # ink 255 becomes the range's black end
        scale, offset = -scale, white
    return keras.Sequential(
        [
            keras.Input(shape=model.input_shape[1:], name=INPUT_NAME),
            keras.layers.Rescaling(scale, offset),
            model,
        ],
        name=model.name,
    )


def _write_keras(model, path: Path, dataset: Dataset | None) -> None:
    from digitcli.models.deskew import plain_keras

    plain_keras(model).save(path)  # loads with `keras.models.load_model` alone


def _write_savedmodel(model, path: Path, dataset: Dataset | None) -> None:
    """A SavedModel whose `serving_default` (and `serve`) signature maps `pixels` (float32,
    (n, 28, 28), 0-255) to `probabilities` (n, 10): what TF Serving answers on /v1/models/..."""
    from digitcli.models.backend import keras, tf
    from digitcli.models.modeldir import INPUT_NAME, OUTPUT_NAME

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "serve",
        lambda pixels: {OUTPUT_NAME: model(pixels, training=False)},
        input_signature=[
            tf.TensorSpec([None, *model.input_shape[1:]], tf.float32, name=INPUT_NAME)
        ],
    )
    archive.write_out(str(path), verbose=False)


def _write_tflite(model, path: Path, dataset: Dataset | None) -> None:
    from digitcli.models.model import tflite_bytes

    path.write_bytes(tflite_bytes(model))


def _write_tflite_f16(model, path: Path, dataset: Dataset | None) -> None:
    from digitcli.models.model import tflite_f16_bytes

    path.write_bytes(tflite_f16_bytes(model))


def _write_tflite_int8(model, path: Path, dataset: Dataset | None) -> None:
    from digitcli.models.model import tflite_int8_bytes

    path.write_bytes(tflite_int8_bytes(model, representative_images(dataset)))


def representative_images(dataset: Dataset) -> np.ndarray:
    """A seeded sample of training images (test images when the data holds no training split)."""
    pool = dataset.train if len(dataset.train) else dataset.test
    if len(pool) == 0:
        raise UsageError(f"{dataset.source}: no images to calibrate int8 quantisation with")
    rng = np.random.default_rng(REPRESENTATIVE_SEED)
    picked = rng.choice(len(pool), size=min(REPRESENTATIVE_SAMPLES, len(pool)), replace=False)
    return pool.x[np.sort(picked)]


def _write_onnx(model, path: Path, dataset: Dataset | None) -> None:
    """Through Keras' own exporter (tf2onnx), then named like every other export: `pixels` in,
    `probabilities` out, the batch dimension `batch`."""
    import onnx

    from digitcli.models.modeldir import OUTPUT_NAME

    model(np.zeros((1, *model.input_shape[1:]), np.float32))  # Keras exports called models only
    model.export(str(path), format="onnx", verbose=False)
    proto = onnx.load(str(path))
    graph = proto.graph
    old = graph.output[0].name
    for node in graph.node:
        node.output[:] = [OUTPUT_NAME if name == old else name for name in node.output]
        node.input[:] = [OUTPUT_NAME if name == old else name for name in node.input]
    graph.output[0].name = OUTPUT_NAME
    for value in (*graph.input, *graph.output):
        batch = value.type.tensor_type.shape.dim[0]
        if not batch.dim_value:
            batch.dim_param = "batch"
    onnx.checker.check_model(proto)
    onnx.save(proto, str(path))


WRITERS: dict[str, Callable[..., None]] = {
    "keras": _write_keras,
    "savedmodel": _write_savedmodel,
    "tflite": _write_tflite,
    "tflite-f16": _write_tflite_f16,
    "tflite-int8": _write_tflite_int8,
    "onnx": _write_onnx,
}


# Manifests: how each format carries its self-description ---------------------------------------


def _embed_in_savedmodel(path: Path, described: dict) -> None:
    """`assets.extra/digitcli.json`: TF Serving's folder for files beside the graph."""
    import json

    from digitcli.models.runtimes.savedmodel import ASSETS_EXTRA

    (path / ASSETS_EXTRA).mkdir(exist_ok=True)
    (path / ASSETS_EXTRA / MANIFEST_FILE).write_text(json.dumps(described, indent=2) + "\n")
    (path / ASSETS_EXTRA / LABELS_FILE).write_text("\n".join(described["labels"]) + "\n")


def _embed_in_onnx(path: Path, described: dict) -> None:
    """ONNX metadata_props: the whole manifest under "digitcli", and "input" and "labels" as
    JSON on their own, which onnxruntime shows as `get_modelmeta().custom_metadata_map`."""
    import json

    import onnx

    from digitcli.models.runtimes.onnx import MANIFEST_KEY

    proto = onnx.load(str(path))
    props = {
        MANIFEST_KEY: json.dumps(described),
        "input": json.dumps(described["input"]),
        "labels": json.dumps(described["labels"]),
    }
    del proto.metadata_props[:]
    for key, value in props.items():
        proto.metadata_props.add(key=key, value=value)
    proto.doc_string = _ONNX_DOC.format(**described["input"])
    onnx.save(proto, str(path))


_ONNX_DOC = (
    "Handwritten digit classifier. Input: {dtype} {shape}, values {range} ({polarity}; "
    "{preprocessing}). Output: probabilities of the labels in metadata_props['labels']."
)

EMBEDDERS: dict[str, Callable[[Path, dict], None]] = {
    "keras": pack_manifest,
    "savedmodel": _embed_in_savedmodel,
    "tflite": pack_manifest,
    "tflite-f16": pack_manifest,
    "tflite-int8": pack_manifest,
    "onnx": _embed_in_onnx,
}
