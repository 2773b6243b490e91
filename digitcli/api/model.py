"""digitcli from Python: `load` a model by the names the CLI takes, then `predict`, `read`,
`evaluate` and `export` with it, getting the answers as frozen dataclasses: the very ones the
CLI and `serve` answer with (digitcli.predicting.answers, digitcli.reading.answers);
`list_models` and `use` are `digitcli models` and `models use`.

The CLI's `predict` and `read` call `Model.predict_files` and `Model.read_files`. Nothing heavy
is imported here: Pillow, OpenCV and LiteRT come with the first answer, TensorFlow only with a
Keras model.
"""

from __future__ import annotations

import math
import numbers
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from digitcli.api.inputs import Input, as_paths, as_sources, as_uint8, path_option
from digitcli.core.errors import ImageError, UsageError
from digitcli.models.info import ModelInfo
from digitcli.predicting.answers import Prediction
from digitcli.reading.answers import Reading

if TYPE_CHECKING:
    import numpy as np

    from digitcli.exporting.export import ExportResult
    from digitcli.inputs.sources import Source
    from digitcli.models.modeldir import ChosenModel, ListedModel, ModelRef
    from digitcli.models.runtimes import Runtime
    from digitcli.reports.evaluate import Evaluation

Errors = Literal["raise", "keep"]
INVERT = ("auto", "yes", "no")
MOST_TOP_K = 10  # there are ten digits
MOST_PROCESSES = 256  # worker processes that prepare inputs: far above any machine's cores
READ_CHUNK = 64  # in-memory inputs `read` answers at a time


class Model:
    """One model, found by `load`; it is loaded on the first answer and kept for the next ones.

    `name`, `path`, `bundled` and `why` (why this one: "named", "latest trained", "bundled,
    none trained") are those every answer names (`Prediction.model`).
    """

    def __init__(self, chosen: ChosenModel, ref: ModelRef) -> None:
        self._chosen = chosen
        self._ref = ref
        self._runtime: Runtime | None = None
        self._lock = threading.Lock()
        self.info = ModelInfo.of(chosen)

    def __repr__(self) -> str:
        return f"<digitcli.Model {self.name} ({self.path})>"

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def path(self) -> Path:
        return self._chosen.path

    @property
    def bundled(self) -> bool:
        return self.info.bundled

    @property
    def why(self) -> str:
        return self._chosen.why

    @property
    def networks(self) -> tuple[str, ...]:
        """The architecture of each network it reads with (an ensemble has several); () for a
        bare model file, which does not say."""
        metadata = self._ref.metadata
        return () if metadata is None else metadata.networks

    def describe(self) -> str:
        """`NAME (PATH, WHY)`, as the CLI's `model: ...` line says it."""
        return self._chosen.describe()

    @property
    def loaded(self) -> bool:
        """Whether the model is loaded yet (on its first answer, or `runtime()`)."""
        return self._runtime is not None

    def runtime(self) -> Runtime:
        """The loaded model (LiteRT, Keras, onnxruntime or TensorFlow), loaded on first use."""
        with self._lock:
            if self._runtime is None:
                from digitcli.models.runtimes import load_runtime

                self._runtime = load_runtime(self._ref)
            return self._runtime

    def predict(
        self,
        source: Input | Iterable[Input],
        *,
        stream: bool = False,
        top_k: int = 3,
        threshold: float | None = None,
        invert: str = "auto",
        errors: Errors = "raise",
        processes: int | None = None,
        recursive: bool = False,
    ) -> list[Prediction] | Iterator[Prediction]:
        """The digit of each input of `source`, a list in input order (`stream=True`: an
        iterator, each answer as it comes, in flat memory however many there are).

        `source`: an input or a list of them. An input is an image file's path, a folder
        (its pictures, sorted; `recursive`: its sub-folders' too) or a glob, a file's bytes, a
        PIL image or a NumPy array of any size, either polarity (uint8, or floats from 0 to
        1); a NumPy array (n, h, w) or (n, 784) is n images. Each is prepared exactly as
        `digitcli predict` prepares a file of it. `top_k` likeliest digits are kept; below
        `threshold` there is no digit (`note` says why); `invert` is "auto", "yes" or "no".
        An input that cannot be read raises ImageError, or with `errors="keep"` is answered
        with its `error`. `processes` prepare many inputs (None: one per core, as the CLI;
        0: this process alone).
        """
        check_options(top_k=top_k, threshold=threshold, invert=invert, errors=errors)
        if processes is not None and (
            not is_whole(processes) or not 0 <= processes <= MOST_PROCESSES
        ):  # with fork, a pool starts all its processes at once: 10**9 would be a fork bomb
            raise UsageError(f"processes {processes!r}: give 0 (this process) to {MOST_PROCESSES}")
        from digitcli.predicting.predict import predict_each

        found = predict_each(
            as_sources(source, recursive=recursive),
            self.runtime,
            top_k=top_k,
            threshold=threshold,
            invert=invert,
            processes=processes,
        )
        answers = (_raised(replace(p, model=self.info), errors) for p in found)
        return answers if stream else list(answers)

    def predict_files(
        self,
        inputs: Iterable[str | Path] = (),
        *,
        from_list: str | None = None,
        recursive: bool = False,
        top_k: int = 3,
        threshold: float | None = None,
        invert: str = "auto",
        save_preprocessed: str | Path | None = None,
    ) -> Iterator[Prediction]:
        """What `digitcli predict` answers, streamed in input order: `inputs` are files,
        folders (`recursive`: their sub-folders too), globs, or "-" (one image on stdin);
        `from_list` a file of paths one a line ("-": stdin). Memory stays flat however many
        there are. An input that cannot be read is answered with its `error`; no input at
        all is a UsageError."""
        check_options(top_k=top_k, threshold=threshold, invert=invert)
        from digitcli.predicting.predict import predict

        save_preprocessed = path_option(save_preprocessed, "save_preprocessed")
        found = predict(
            as_paths(inputs),
            from_list=path_option(from_list, "from_list"),
            model=self.path,
            top_k=top_k,
            threshold=threshold,
            invert=invert,
            save_preprocessed=None if save_preprocessed is None else Path(save_preprocessed),
            recursive=recursive,
            runtime=self.runtime,
        )
        return (replace(prediction, model=self.info) for prediction in found)

    def read(
        self,
        source: Input | Iterable[Input],
        *,
        stream: bool = False,
        threshold: float | None = None,
        digits: int | tuple[int, int] | str | None = None,
        invert: str = "auto",
        errors: Errors = "raise",
        recursive: bool = False,
    ) -> list[Reading] | Iterator[Reading]:
        """The whole number written in each input of `source`, as `digitcli read` reads it:
        a list in input order (`stream=True`: an iterator); sources as `predict` takes them.
        `digits`: the count expected (5, (4, 6) or "4-6"): another count answers no number.
        Read in this process."""
        check_options(threshold=threshold, invert=invert, errors=errors)
        count = _digit_count(digits)
        answers = self._readings(
            as_sources(source, recursive=recursive), threshold, count, invert, errors
        )
        return answers if stream else list(answers)

    def _readings(
        self,
        sources: Iterable[Source],
        threshold: float | None,
        count: tuple[int, int] | None,
        invert: str,
        errors: Errors,
    ) -> Iterator[Reading]:
        from digitcli.inputs.batches import chunked
        from digitcli.reading.read import read_sources

        for chunk in chunked(sources, READ_CHUNK):
            found = read_sources(
                self.runtime(), chunk, threshold=threshold, digits=count, invert=invert,
                pixels=False,
            )  # fmt: skip
            for reading in found:
                yield _raised(replace(reading, model=self.info), errors)

    def read_files(
        self,
        inputs: Iterable[str | Path] = (),
        *,
        from_list: str | None = None,
        recursive: bool = False,
        threshold: float | None = None,
        digits: int | tuple[int, int] | str | None = None,
        invert: str = "auto",
        save_preprocessed: str | Path | None = None,
    ) -> Iterator[Reading]:
        """What `digitcli read` answers, streamed in input order (inputs as `predict_files`
        takes them), read by worker processes."""
        check_options(threshold=threshold, invert=invert)
        count = _digit_count(digits)
        from digitcli.reading.read import read

        save_preprocessed = path_option(save_preprocessed, "save_preprocessed")
        found = read(
            as_paths(inputs),
            from_list=path_option(from_list, "from_list"),
            model=self.path,
            threshold=threshold,
            digits=count,
            invert=invert,
            save_preprocessed=None if save_preprocessed is None else Path(save_preprocessed),
            recursive=recursive,
        )
        return (replace(reading, model=self.info) for reading in found)

    def probabilities(self, pixels: np.ndarray) -> np.ndarray:
        """The model's raw output, (n, 10) probabilities, for prepared MNIST-style pixels:
        (n, 28, 28) uint8, white ink on black (what `evaluate` scores; no preparation)."""
        import numpy as np

        array = np.asarray(pixels)
        if array.ndim == 2:
            array = array[np.newaxis]
        if array.ndim != 3 or array.shape[1:] != (28, 28):
            raise UsageError(f"pixels of shape {array.shape}: give (n, 28, 28) MNIST-style ones")
        if array.dtype != np.uint8:
            array = as_uint8(array)
        return self.runtime().predict(array)

    def evaluate(
        self,
        images: np.ndarray | str | Path | None = None,
        labels: Iterable[int] | None = None,
        *,
        data: str | Path | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Evaluation:
        """Accuracy, loss, per-digit scores, calibration error and the confusion matrix, as
        `digitcli evaluate` scores them: on the test set of `data` (any data `evaluate --data`
        takes: MNIST's folder, a .npz, a CSV, folders 0/ to 9/, a folder with a labels.csv;
        None: MNIST's, as the command), or on MNIST-style arrays `images` (n, 28, 28) and
        their `labels`. A path given as `images` is `data`. `progress(done, total)` is
        called as the test images are answered."""
        data = path_option(data, "data")
        if isinstance(images, (str, os.PathLike)) and labels is None and data is None:
            images, data = None, images
        if images is None:
            if labels is not None:
                raise UsageError("labels without images: give both, or data=PATH alone")
            from digitcli.reports.evaluate import evaluate_with_predictions

            result, _ = evaluate_with_predictions(self.path, data, progress=progress)
            return result
        if data is not None:
            raise UsageError("give images and labels, or data=PATH, not both")
        return self._evaluate_arrays(images, labels)

    def export(
        self,
        format: str = "tflite",  # the CLI's --format, by its name
        output: str | Path | None = None,
        *,
        force: bool = False,
        verify: bool = True,
        data: str | Path | None = None,
    ) -> ExportResult:
        """What `digitcli export MODEL --format FORMAT -o OUTPUT` writes, checked as it checks
        it: "keras", "savedmodel", "tflite", "tflite-f16", "tflite-int8" or "onnx"; `output`
        None: beside the model. Not written unless the export agrees with this model on the
        test set of `data` (`verify=False`: no check); an existing output is replaced only
        with `force`. Needs a Keras model (a model directory or a .keras file)."""
        from digitcli.exporting.export import export_model

        output, data = path_option(output, "output"), path_option(data, "data")
        return export_model(self.path, format, output, force=force, verify=verify, data=data)

    def _evaluate_arrays(self, images: Any, labels: Any) -> Evaluation:
        """`evaluate` on arrays: MNIST-style images (n, 28, 28) and their labels."""
        import time

        import numpy as np

        from digitcli.reports.evaluate import score

        try:
            truth = np.asarray(labels if hasattr(labels, "__len__") else list(labels))
        except (TypeError, ValueError):  # None, a number, lists of lists: not labels
            truth = None
        if truth is None or truth.ndim == 0:  # a str is one value, not its characters
            raise UsageError(f"labels: give one digit 0 to 9 an image, not {type(labels).__name__}")
        if len(truth) == 0:
            raise UsageError("no images to evaluate on")
        if not np.issubdtype(truth.dtype, np.integer) or truth.min() < 0 or truth.max() > 9:
            raise UsageError("labels must be the digits 0 to 9")
        images = _images(images)
        if truth.ndim != 1 or len(truth) != len(images):
            raise UsageError(f"{len(images)} images and {truth.shape} labels: give one a label")
        started = time.perf_counter()
        found = self.probabilities(images)
        runtime = self.runtime()
        result = score(found, truth.astype(np.int64), model=str(self.path), runtime=runtime.name)
        return replace(result, seconds=time.perf_counter() - started)


def load(name: str | Path | None = None) -> Model:
    """The model `name` names, as the CLI's MODEL takes it: "bundled", a model directory, or a
    .tflite/.keras/.onnx file; None: the latest trained model, else the bundled one. A model
    that is not there, or is not a model, raises ModelError now; it is loaded on first use."""
    from digitcli.models.modeldir import choose_model
    from digitcli.models.runtimes import resolve_model

    chosen = choose_model(model_name(name))
    ref = resolve_model(chosen.path)
    return Model(replace(chosen, path=ref.path), ref)  # "bundled/": the bundled model's path


def model_name(name: Any) -> str | None:
    """A model's name or path as the CLI's MODEL takes it (None: the default); a value of
    another type (a number, bytes) is a UsageError."""
    if name is not None and not isinstance(name, (str, os.PathLike)):
        raise UsageError(f"model {name!r}: give its name or path (a str or Path), or None")
    return None if name is None else os.fsdecode(os.fspath(name))


def list_models() -> list[ListedModel]:
    """What `digitcli models` lists: the trained models, those trained elsewhere, and the
    bundled one, each with its name, path, networks, accuracy and the test set it was
    measured on; `default` marks the one `load()` answers with, and `model.why` says why.
    (Not `models()`: `digitcli.models` is the package's folder of model code.)"""
    from digitcli.models import modeldir

    return modeldir.list_models()


def use(name: str | Path) -> Model:
    """What `digitcli models use NAME` does: make the model `name` names ("bundled", a
    model's name in the models folder, or a model directory) the default, for every command
    and `load()` from any folder; answers it."""
    from digitcli.models.modeldir import model_named, set_default

    if not isinstance(name, (str, os.PathLike)):
        raise UsageError(f"model {name!r}: give its name or path (a str or Path)")
    chosen = set_default(model_named(os.fsdecode(os.fspath(name))))
    return load(chosen.path)


_LOADED: dict[str, tuple[tuple, Model]] = {}  # by path: the files' stamp then, the model
_LOADED_LOCK = threading.Lock()


def _cached(name: str | Path | Model | None) -> Model:
    """The model `name` names, loaded once per process for the module-level functions, and
    again when its files are no longer those it was loaded from (replaced by another model)."""
    if isinstance(name, Model):
        return name
    return kept(name, _LOADED, _LOADED_LOCK)


def kept(name: str | Path | None, loaded: dict, lock: threading.Lock) -> Model:
    """The model `name` names from `loaded` (by path), while its files' stamp (inode, size and
    time of each) is the one they had when it was loaded; else loaded now (its digests checked)
    and kept there."""
    from digitcli.models.modeldir import choose_model, files_stamp

    name = model_name(name)
    key = str(choose_model(name).path.resolve())
    stamp = files_stamp(key)
    with lock:
        found = loaded.get(key)
        if found is not None and found[0] == stamp:
            return found[1]
        model = load(name)
        loaded[key] = (stamp, model)
        return model


def predict(
    source: Input | Iterable[Input], *, model: str | Path | Model | None = None, **options: Any
) -> list[Prediction] | Iterator[Prediction]:
    """`load(model).predict(source, **options)`, the model kept loaded for the next call."""
    return _cached(model).predict(source, **options)


def read(
    source: Input | Iterable[Input], *, model: str | Path | Model | None = None, **options: Any
) -> list[Reading] | Iterator[Reading]:
    """`load(model).read(source, **options)`, the model kept loaded for the next call."""
    return _cached(model).read(source, **options)


def evaluate(
    images: np.ndarray | str | Path | None = None,
    labels: Iterable[int] | None = None,
    *,
    data: str | Path | None = None,
    model: str | Path | Model | None = None,
) -> Evaluation:
    """`load(model).evaluate(images, labels, data=data)`."""
    return _cached(model).evaluate(images, labels, data=data)


def check_options(
    *,
    top_k: int = 3,
    threshold: float | None = None,
    invert: str = "auto",
    errors: str = "raise",
) -> None:
    """The CLI's limits on its options, as UsageErrors."""
    if not is_whole(top_k) or not 1 <= top_k <= MOST_TOP_K:
        raise UsageError(f"top_k {top_k!r}: give a whole number from 1 to {MOST_TOP_K}")
    if threshold is not None and not (
        is_number(threshold) and math.isfinite(threshold) and 0 <= threshold <= 1
    ):
        raise UsageError(f"threshold {threshold!r}: give a confidence from 0 to 1")
    if invert not in INVERT:
        raise UsageError(f"invert {invert!r}: give one of {', '.join(INVERT)}")
    if errors not in ("raise", "keep"):
        raise UsageError(f"errors {errors!r}: give 'raise' or 'keep'")


def is_whole(value: object) -> bool:
    """A whole number, NumPy's too; not True or False, which Python counts as 1 and 0."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """A real number, NumPy's too; not True or False."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _images(images: Any) -> np.ndarray:
    """`evaluate`'s images as one array: an array, or a sequence or iterable of them."""
    import numpy as np

    if not isinstance(images, np.ndarray):
        try:
            images = np.asarray(list(images))
        except (TypeError, ValueError):
            raise UsageError(
                f"images: give an array (n, 28, 28), not {type(images).__name__}"
            ) from None
    if images.dtype.kind not in "biuf":
        raise UsageError(f"pixels of type {images.dtype}: give uint8, bool, integers or floats")
    return images


def _digit_count(digits: int | tuple[int, int] | str | None) -> tuple[int, int] | None:
    if digits is None:
        return None
    from digitcli.reading.count import parse_digit_count

    if is_whole(digits):  # NumPy's too, as top_k
        return parse_digit_count(str(digits))
    if isinstance(digits, tuple) and len(digits) == 2:
        return parse_digit_count(f"{digits[0]}-{digits[1]}")
    if isinstance(digits, str):
        return parse_digit_count(digits)
    raise UsageError(f"digits {digits!r}: give a count (5), a range (4, 6) or '4-6'")


def _raised(answer: Any, errors: str) -> Any:
    if answer.failed and errors == "raise":
        raise ImageError(f"{answer.file}: {answer.error}")
    return answer
