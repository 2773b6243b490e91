"""Answer "which digit?" for many image files, in input order, streamed in batches.

The inputs are listed and prepared to MNIST's convention by the input layer
(`digitcli.inputs`), and the model runs once per batch. Memory stays flat however many inputs
there are. A picture `predict` asks `read` about (`asks_read`: several digits, blank or
lines to it, a digit found by a closer look or one a network doubts) is looked at as `read`
looks at it too (`Seen`), and `read`'s word on it is `predict`'s (the one verdict).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from digitcli.core.errors import ImageError, without_name
from digitcli.imaging import networks, verdict
from digitcli.imaging.images import Prepared
from digitcli.inputs.batches import (
    BATCH_SIZE,
    opened_and_prepared,
    prepared_batches,
    source_batches,
)
from digitcli.inputs.previews import claimed_previews, preview_name, save_preview
from digitcli.inputs.sources import Source
from digitcli.models.runtimes import Runtime, runtime_loader
from digitcli.predicting.answers import Prediction

if TYPE_CHECKING:
    from digitcli.reading.answers import Reading
    from digitcli.reading.multiline import Lines
    from digitcli.reading.segment import Line


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
        work = partial(seen, invert=invert)
        batches = prepared_batches(
            inputs, from_list, work, batch_size, meanwhile=runtime, recursive=recursive
        )
        for batch, looked in batches:
            yield from _answer(runtime(), batch, looked, top_k, threshold)
            if previews is not None:
                _save_previews(previews, index, batch, _prepared(looked))
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
    work = partial(seen, invert=invert)
    batches = source_batches(sources, work, batch_size, meanwhile=runtime, processes=processes)
    for batch, looked in batches:
        yield from _answer(runtime(), batch, looked, top_k, threshold)


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
    looked = [seen(source, invert) for source in sources]
    return list(_answer(runtime, sources, looked, top_k, threshold)), _prepared(looked)


@dataclass(frozen=True)
class Seen:
    """A source as `predict` sees it: prepared (`opened_and_prepared`), and, where `read` is asked
    about it (`asks_read`), its lines as `read` finds them (`picture_lines`, in the same
    worker): `read`'s word on it, which `predict` gives (`_said_by_read`)."""

    prepared: Prepared | ImageError
    lines: Line | Lines | ImageError | None = None


# The verdicts `read` is asked about: a word or a photo of a thing is several digits to the
# count, and a number blank or lines to the preparation (a register's cell, a lamp's hot
# spot) is one `read` reads. Not a digit stays the letters network's word.
ASKS_READ = frozenset({verdict.Kind.SEVERAL, verdict.Kind.BLANK, verdict.Kind.LINES})


def asks_read(prepared: Prepared) -> bool:
    """Whether `predict` asks `read` about a prepared picture: where its verdict is one of
    ASKS_READ, or it found one digit by a closer look (a small number in a large cell, whose
    digits its working picture was too small to count), or where a network doubts its one
    digit (`networks.leans`): the count network leans to several digits (two digits written
    close together, short of its `several_sure`), or the letters network to no digit (one
    digit kept of a number, the rest left out with a cell's rule or a shadow's edge, short
    of its `letters_sure`)."""
    kind = verdict.kind(prepared)
    doubted = networks.leans(prepared.several_chance) or networks.leans(prepared.letters)
    return kind in ASKS_READ or prepared.looked_closer or (kind is verdict.Kind.DIGIT and doubted)


def seen(source: Source, invert: str) -> Seen:
    """`source` prepared, and its lines found where `read` is asked about it (`Seen`), the
    picture read and decoded once for both looks; `read` is imported only where a picture
    asks for it (start-up)."""
    picture, prepared = opened_and_prepared(source, invert)
    if not isinstance(prepared, Prepared) or not asks_read(prepared):
        return Seen(prepared)
    from digitcli.reading.picture import picture_lines

    lines = picture_lines(source, invert, pixels=False, prepared=prepared, picture=picture)
    return Seen(prepared, lines)


def _prepared(looked: list[Seen | ImageError]) -> list[Prepared | ImageError]:
    """What the model saw of each source (an ImageError: a worker killed, or unreadable)."""
    return [item.prepared if isinstance(item, Seen) else item for item in looked]


def _save_previews(
    folder: Path, start: int, batch: list[Source], prepared: list[Prepared | ImageError]
) -> None:
    for offset, (source, item) in enumerate(zip(batch, prepared, strict=True)):
        if isinstance(item, Prepared):
            save_preview(item.pixels, folder / preview_name(start + offset, source))


def _answer(
    runtime: Runtime,
    batch: list[Source],
    looked: list[Seen | ImageError],
    top_k: int,
    threshold: float | None,
) -> Iterator[Prediction]:
    prepared = _prepared(looked)
    inked = [i for i, item in enumerate(prepared) if isinstance(item, Prepared) and item.has_ink]
    probabilities = (
        runtime.predict(np.stack([prepared[i].pixels for i in inked]))
        if inked
        else np.zeros((0, 10))
    )
    rows = dict(zip(inked, probabilities, strict=True))
    said = _said_by_read(runtime, batch, looked)
    for i, (source, item) in enumerate(zip(batch, prepared, strict=True)):
        word = said.get(i)  # `read`'s, where asked
        if isinstance(item, ImageError):
            yield Prediction(source.name, error=without_name(str(item), source.name))
        elif i not in rows or item.several:
            yield Prediction(source.name, note=word or verdict.note(item))
        elif word and _word_stands(item, rows[i]):
            yield Prediction(source.name, note=word)
        elif verdict.read_as_none(item, rows[i]):
            yield Prediction(source.name, note=verdict.NOT_A_DIGIT)
        else:
            yield _decide(source.name, rows[i], top_k, threshold)


def _word_stands(prepared: Prepared, probabilities: np.ndarray) -> bool:
    """Whether `read`'s word on a digit `predict` found stands: where it looked closer, always;
    where a network doubted the digit, unless its classifier takes the digit for none
    (`verdict.read_as_none`: a blurred scribble `read` reads as 20 stays not a digit)."""
    return prepared.looked_closer or not verdict.read_as_none(prepared, probabilities)


def _said_by_read(
    runtime: Runtime, batch: list[Source], looked: list[Seen | ImageError]
) -> dict[int, str | None]:
    """`read`'s word on the pictures `predict` asks it about (their lines found, `Seen`), by
    their place in `batch` (`_word`)."""
    asked = [
        i for i, item in enumerate(looked) if isinstance(item, Seen) and item.lines is not None
    ]
    if not asked:
        return {}
    from digitcli.reading.read import read_found

    found = read_found(runtime, [batch[i] for i in asked], [looked[i].lines for i in asked])
    return {i: _word(looked[i].prepared, it) for i, it in zip(asked, found, strict=True)}


def _word(prepared: Prepared, reading: Reading) -> str | None:
    """`predict`'s note on a picture it asked `read` about, where `read`'s `reading` of it
    decides: `read`'s refusal; several digits where `predict` did not find them (it refused
    the picture, or found one digit by a closer look or one a network doubts) and `read`
    reads a number of two digits or more; None where `predict`'s own answer stands."""
    from digitcli.reading.read import refusal

    refused = refusal(reading)
    if refused is not None or verdict.kind(prepared) is verdict.Kind.SEVERAL:
        return refused
    count = len(reading.number or "")
    return verdict.several(count) if count > 1 else None


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
