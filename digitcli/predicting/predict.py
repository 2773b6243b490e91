"""Answer "which digit?" for many image files, in input order, streamed in batches.

The inputs are listed and prepared to MNIST's convention by the input layer
(`digitcli.inputs`), and the model runs once per batch. Memory stays flat however many inputs
there are.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import numpy as np

from digitcli.core.atomic import check_can_create
from digitcli.core.errors import ImageError, UsageError
from digitcli.imaging import verdict
from digitcli.imaging.images import Prepared, save_pixels
from digitcli.inputs.batches import BATCH_SIZE, prepare_source, prepared_batches, source_batches
from digitcli.inputs.sources import Source
from digitcli.models.runtimes import Runtime, load_runtime, resolve_model
from digitcli.predicting.answers import Prediction

# `read`'s refusal of each of some pictures `predict` finds several digits in (its note:
# blank, lines or a page, not a digit), or None where it reads them: given by the layer above
# (`digitcli.reading.read.refusals`), so that a word or a photo is refused by both alike.
Refusals = Callable[[Runtime, list[Source], str], list[str | None]]


def predict(
    inputs: Iterable[str | os.PathLike] = (),
    *,
    from_list: str | None = None,
    model: str | Path | None = None,
    top_k: int = 3,
    threshold: float | None = None,
    invert: str = "auto",
    save_preprocessed: Path | None = None,
    batch_size: int = BATCH_SIZE,
    recursive: bool = False,
    runtime: Callable[[], Runtime] | None = None,
    refusals: Refusals | None = None,
) -> Iterator[Prediction]:
    """Predict the digit in each input, yielding one `Prediction` per input in input order;
    `recursive`: folders' sub-folders are searched too; `runtime`: the model's runtime
    already found (`runtime_loader`), instead of `model`; `refusals`: `read`'s word on the
    pictures found to hold several digits (None: they are answered so)."""
    runtime = runtime or runtime_loader(model)
    with claimed_previews(save_preprocessed) as previews:
        index = 0
        work = partial(prepare_source, invert=invert)
        batches = prepared_batches(
            inputs, from_list, work, batch_size, meanwhile=runtime, recursive=recursive
        )
        for batch, prepared in batches:
            answer = _Answer(runtime(), top_k, threshold, invert, refusals)
            yield from answer(batch, prepared)
            if previews is not None:
                _save_previews(previews, index, batch, prepared)
            index += len(batch)


def predict_each(
    sources: Iterable[Source],
    runtime: Callable[[], Runtime],
    *,
    top_k: int = 3,
    threshold: float | None = None,
    invert: str = "auto",
    batch_size: int = BATCH_SIZE,
    processes: int | None = None,
    refusals: Refusals | None = None,
) -> Iterator[Prediction]:
    """`predict` of sources already made (the Python API's bytes, images and arrays), one
    `Prediction` per source in order; `processes` prepare them (None: one per core, 0: this
    process alone); `refusals` as `predict`'s."""
    work = partial(prepare_source, invert=invert)
    batches = source_batches(sources, work, batch_size, meanwhile=runtime, processes=processes)
    for batch, prepared in batches:
        yield from _Answer(runtime(), top_k, threshold, invert, refusals)(batch, prepared)


def predict_sources(
    runtime: Runtime,
    sources: list[Source],
    *,
    top_k: int = 3,
    threshold: float | None = None,
    invert: str = "auto",
    refusals: Refusals | None = None,
) -> tuple[list[Prediction], list[Prepared | ImageError]]:
    """One batch answered in this process (what `serve` runs per request): each source's
    `Prediction`, exactly as `predict` gives it (`refusals` as its), and what the model saw."""
    prepared = [prepare_source(source, invert) for source in sources]
    answer = _Answer(runtime, top_k, threshold, invert, refusals)
    return list(answer(sources, prepared)), prepared


def runtime_loader(model: str | Path | None) -> Callable[[], Runtime]:
    """The model's runtime, loaded on the first call (the model is found, or refused, now):
    `prepared_batches` loads it while the workers prepare the first batch (LiteRT's import
    and the model's loading overlap the preparing)."""
    return cache(partial(load_runtime, resolve_model(model)))


def preview_folder(folder: Path | None) -> Path | None:
    """The --save-preprocessed folder, made if needed; refused when it is a file, or when it
    holds anything already: a file there named as a preview would be replaced, and a link so
    named written through (nothing of the user's is ever written over)."""
    if folder is not None:
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"--save-preprocessed {folder}: not a directory")
        if folder.is_dir() and any(folder.iterdir()):
            raise UsageError(
                f"--save-preprocessed {folder} already holds files: name a new or empty folder "
                "(nothing in it is replaced)"
            )
        check_can_create(folder)  # /proc, a read-only disk: said as for any other output
        folder.mkdir(parents=True, exist_ok=True)
    return folder


CLAIM = ".digitcli-writing"  # in a --save-preprocessed folder while a run writes there


@contextlib.contextmanager
def claimed_previews(folder: Path | None) -> Iterator[Path | None]:
    """`preview_folder`, claimed for this run while it writes there: the check that it is
    empty and the claim are one step (a file made with O_EXCL), so a second run started at
    the same moment is refused rather than writing beside it."""
    folder = preview_folder(folder)
    if folder is None:
        yield None
        return
    claim = folder / CLAIM
    try:
        os.close(os.open(claim, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except FileExistsError:
        raise UsageError(
            f"--save-preprocessed {folder}: another run is writing there: name another folder"
        ) from None
    try:
        yield folder
    finally:
        claim.unlink(missing_ok=True)


def save_preview(pixels: np.ndarray, path: Path) -> None:
    """`save_pixels`, on a full disk naming the file and removing what was written of it."""
    try:
        save_pixels(pixels, path)
    except OSError as error:
        path.unlink(missing_ok=True)
        if error.filename is None:
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise


def _save_previews(
    folder: Path, start: int, batch: list[Source], prepared: list[Prepared | ImageError]
) -> None:
    for offset, (source, item) in enumerate(zip(batch, prepared, strict=True)):
        if isinstance(item, Prepared):
            save_preview(item.pixels, folder / preview_name(start + offset, source))


@dataclass(frozen=True)
class _Answer:
    """How a batch is answered: the model, the options, and `read`'s word on the pictures
    found to hold several digits (`Refusals`)."""

    runtime: Runtime
    top_k: int
    threshold: float | None
    invert: str
    refusals: Refusals | None

    def __call__(
        self, batch: list[Source], prepared: list[Prepared | ImageError]
    ) -> Iterator[Prediction]:
        inked = [i for i, item in enumerate(prepared) if _prepared(item) and item.has_ink]
        probabilities = (
            self.runtime.predict(np.stack([prepared[i].pixels for i in inked]))
            if inked
            else np.zeros((0, 10))
        )
        rows = dict(zip(inked, probabilities, strict=True))
        refused = self._refused(batch, prepared)
        for i, (source, item) in enumerate(zip(batch, prepared, strict=True)):
            if isinstance(item, ImageError):
                yield Prediction(source.name, error=without_name(str(item), source.name))
            elif i not in rows or item.several:
                yield Prediction(source.name, note=refused.get(i) or verdict.note(item))
            elif verdict.read_as_none(item, rows[i]):
                yield Prediction(source.name, note=verdict.NOT_A_DIGIT)
            else:
                yield _decide(source.name, rows[i], self.top_k, self.threshold)

    def _refused(
        self, batch: list[Source], prepared: list[Prepared | ImageError]
    ) -> dict[int, str | None]:
        """`read`'s refusals of the pictures of several digits, by their place in `batch`."""
        several = [
            i
            for i, item in enumerate(prepared)
            if _prepared(item) and verdict.kind(item) is verdict.Kind.SEVERAL
        ]
        if self.refusals is None or not several:
            return {}
        notes = self.refusals(self.runtime, [batch[i] for i in several], self.invert)
        return dict(zip(several, notes, strict=True))


def _prepared(item: Prepared | ImageError) -> bool:
    return isinstance(item, Prepared)


def _decide(
    name: str, probabilities: np.ndarray, top_k: int, threshold: float | None
) -> Prediction:
    order = np.argsort(-probabilities, kind="stable")
    best = int(order[0])
    confidence = round(float(probabilities[best]), 6)
    top = [(int(d), round(float(probabilities[d]), 6)) for d in order[: max(top_k, 1)]]
    if threshold is not None and confidence < threshold:
        shown = f"{confidence:.3f}"
        if float(shown) >= threshold:  # 0.99996 is not "1.000 below the threshold 1"
            shown = f"{confidence:.6f}".rstrip("0")
        note = f"confidence {shown} is below the threshold {threshold:g}"
        return Prediction(name, None, confidence, top, note=note)
    return Prediction(name, best, confidence, top)


def without_name(message: str, name: str) -> str:
    prefix = f"{name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def preview_name(index: int, source: Source, part: int | None = None) -> str:
    """`00042-photo.png` for the 42nd input (`00042-photo-3.png` for its third digit)."""
    stem = Path(source.name).stem if source.path is not None else "stdin"
    return f"{index + 1:05d}-{stem}{'' if part is None else f'-{part}'}.png"
