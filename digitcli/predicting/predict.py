"""Answer "which digit?" for many image files, in input order, streamed in batches.

The inputs are listed and prepared to MNIST's convention by the input layer
(`digitcli.inputs`), and the model runs once per batch. Memory stays flat however many inputs
there are.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

import numpy as np

from digitcli.core.errors import ImageError, without_name
from digitcli.imaging import verdict
from digitcli.imaging.images import Prepared
from digitcli.inputs.batches import BATCH_SIZE, prepare_source, prepared_batches, source_batches
from digitcli.inputs.previews import claimed_previews, preview_name, save_preview
from digitcli.inputs.sources import Source
from digitcli.models.runtimes import Runtime, runtime_loader
from digitcli.predicting.answers import Prediction


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
) -> Iterator[Prediction]:
    """Predict the digit in each input, yielding one `Prediction` per input in input order;
    `recursive`: folders' sub-folders are searched too; `runtime`: the model's runtime
    already found (`runtime_loader`), instead of `model`."""
    runtime = runtime or runtime_loader(model)
    with claimed_previews(save_preprocessed) as previews:
        index = 0
        work = partial(prepare_source, invert=invert)
        batches = prepared_batches(
            inputs, from_list, work, batch_size, meanwhile=runtime, recursive=recursive
        )
        for batch, prepared in batches:
            yield from _answer(runtime(), batch, prepared, top_k, threshold, invert)
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
) -> Iterator[Prediction]:
    """`predict` of sources already made (the Python API's bytes, images and arrays), one
    `Prediction` per source in order; `processes` prepare them (None: one per core, 0: this
    process alone)."""
    work = partial(prepare_source, invert=invert)
    batches = source_batches(sources, work, batch_size, meanwhile=runtime, processes=processes)
    for batch, prepared in batches:
        yield from _answer(runtime(), batch, prepared, top_k, threshold, invert)


def predict_sources(
    runtime: Runtime,
    sources: list[Source],
    *,
    top_k: int = 3,
    threshold: float | None = None,
    invert: str = "auto",
) -> tuple[list[Prediction], list[Prepared | ImageError]]:
    """One batch answered in this process (what `serve` runs per request): each source's
    `Prediction`, exactly as `predict` gives it, and what the model saw."""
    prepared = [prepare_source(source, invert) for source in sources]
    return list(_answer(runtime, sources, prepared, top_k, threshold, invert)), prepared


def _save_previews(
    folder: Path, start: int, batch: list[Source], prepared: list[Prepared | ImageError]
) -> None:
    for offset, (source, item) in enumerate(zip(batch, prepared, strict=True)):
        if isinstance(item, Prepared):
            save_preview(item.pixels, folder / preview_name(start + offset, source))


def _answer(
    runtime: Runtime,
    batch: list[Source],
    prepared: list[Prepared | ImageError],
    top_k: int,
    threshold: float | None,
    invert: str,
) -> Iterator[Prediction]:
    inked = [i for i, item in enumerate(prepared) if isinstance(item, Prepared) and item.has_ink]
    probabilities = (
        runtime.predict(np.stack([prepared[i].pixels for i in inked]))
        if inked
        else np.zeros((0, 10))
    )
    rows = dict(zip(inked, probabilities, strict=True))
    refused = _refused_by_read(runtime, batch, prepared, invert)
    for i, (source, item) in enumerate(zip(batch, prepared, strict=True)):
        if isinstance(item, ImageError):
            yield Prediction(source.name, error=without_name(str(item), source.name))
        elif i not in rows or item.several:
            yield Prediction(source.name, note=refused.get(i) or verdict.note(item))
        elif verdict.read_as_none(item, rows[i]):
            yield Prediction(source.name, note=verdict.NOT_A_DIGIT)
        else:
            yield _decide(source.name, rows[i], top_k, threshold)


def _refused_by_read(
    runtime: Runtime, batch: list[Source], prepared: list[Prepared | ImageError], invert: str
) -> dict[int, str | None]:
    """`read`'s refusals of the pictures of several digits, by their place in `batch`: a word
    or a photo of a thing is several digits to the count, and `read` refuses it."""
    several = [
        i
        for i, item in enumerate(prepared)
        if isinstance(item, Prepared) and verdict.kind(item) is verdict.Kind.SEVERAL
    ]
    if not several:
        return {}
    from digitcli.reading.read import refusals  # only where a picture asks (start-up)

    return dict(zip(several, refusals(runtime, [batch[i] for i in several], invert), strict=True))


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
