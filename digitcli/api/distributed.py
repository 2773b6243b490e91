"""Batch inference on a Dask cluster (docs/distributed.md): a folder or a list of millions of
image paths, answered in chunks by worker processes that each load the model once, written in
input order as JSON lines (the objects `digitcli predict --format jsonl` writes) or Parquet.

Needs the `dask` extra (`pip install 'digitcli[dask]'`). The client process only lists the
paths and writes the answers; it never opens an image, and holds at most `2 x workers` chunks
of answers, however many paths there are.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitcli.api.inputs import path_option
from digitcli.core.errors import UsageError

if TYPE_CHECKING:
    from distributed import Client

    from digitcli.api.model import Model

CHUNK = 256  # paths per task: a few seconds of a worker's time, little to schedule
FORMATS = (".jsonl", ".parquet")


@dataclass(frozen=True)
class Summary:
    """What a run did: how many inputs, how many failed or had no digit, how long it took,
    and how often each worker loaded the model (once: `loads`, by worker address)."""

    output: str
    count: int
    failed: int
    unanswered: int
    seconds: float
    workers: int
    loads: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Inputs answered a second."""
        return self.count / self.seconds if self.seconds else 0.0


def predict_files(
    source: str | Path | Iterable[str | Path],
    output: str | Path,
    *,
    model: str | Path | None = None,
    client: Client | None = None,
    workers: int | None = None,
    chunk: int = CHUNK,
    recursive: bool = False,
    top_k: int = 3,
    threshold: float | None = None,
    invert: str = "auto",
    force: bool = False,
) -> Summary:
    """Predict every image of `source` on a Dask cluster and write the answers to `output`.

    `source`: a folder (its images, sorted; `recursive`: its sub-folders' too), a text file of
    paths one a line (as `digitcli predict --from-list` reads it), or an iterable of paths.
    `output`: a `.jsonl` file (one object a line, as `digitcli predict --format jsonl`) or a
    `.parquet` file (needs pyarrow). `client`: a `distributed.Client` of your cluster; None
    starts a LocalCluster of `workers` processes (default: one per core), one thread each,
    and closes it at the end. Each task answers `chunk` paths in one worker process, with the
    model that worker loaded on its first task (by the name given: every machine must reach
    it by that name). Paths are read by the workers: every machine must reach them too.
    `output` is written whole or not at all; an existing one is replaced only with `force`.
    """
    from digitcli.api.model import MOST_PROCESSES, check_options, is_whole, load, model_name
    from digitcli.core.atomic import FILE, atomic_output, check_writable

    if workers is not None and (
        not is_whole(workers) or not 1 <= workers <= MOST_PROCESSES
    ):  # a LocalCluster starts them all at once: 10**9 would never end starting processes
        raise UsageError(
            f"workers {workers!r}: give a number of processes from 1 to {MOST_PROCESSES}"
        )

    distributed = sys.modules.get("distributed")  # a Client comes from there
    if client is not None and (distributed is None or not isinstance(client, distributed.Client)):
        raise UsageError(f"client: give a distributed.Client or None, not {type(client).__name__}")
    out = Path(path_option(output, "output"))
    if out.suffix not in FORMATS:
        raise UsageError(f"{out}: write answers to a {' or a '.join(FORMATS)} file")
    if not is_whole(chunk) or chunk < 1:
        raise UsageError(f"chunk {chunk!r}: give a whole number of paths, 1 or more")
    check_options(top_k=top_k, threshold=threshold, invert=invert)
    check_writable(out, force=force, kind=FILE)  # never emptied, nor written through a link
    model = model_name(model)
    name = model if model is not None else str(load(None).path)
    load(name)  # a model that is not there is refused here, not in every worker
    options = {"top_k": top_k, "threshold": threshold, "invert": invert}
    paths = _paths(source, recursive)  # before any process starts: a picture is refused
    started = time.perf_counter()
    with atomic_output(out, force=force, kind=FILE) as staging:
        writer = _writer(staging, out.suffix)  # before any work: a missing pyarrow is said
        try:
            with _cluster(client, workers) as running:
                count = failed = unanswered = 0
                chunks = _answered(running, name, paths, chunk, options)
                for answers in chunks:
                    writer.write(answers)
                    count += len(answers)
                    failed += sum("error" in answer for answer in answers)
                    unanswered += sum(
                        "error" not in answer and answer["digit"] is None for answer in answers
                    )
                if count == 0:
                    raise UsageError(f"no images found in {_named(source)}")
                counted = running.run(_loads).items()
                loads = {address: counts.get(name, 0) for address, counts in counted}
                size = len(running.scheduler_info()["workers"])
        finally:
            writer.close()
    seconds = time.perf_counter() - started
    return Summary(str(out), count, failed, unanswered, seconds, size, loads)


def _named(source: str | Path | Iterable[str | Path]) -> str:
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else "the paths given"


def _paths(source: str | Path | Iterable[str | Path], recursive: bool) -> Iterator[str]:
    """Each path, as `digitcli predict FOLDER` or `--from-list FILE` lists it, read lazily."""
    from digitcli.inputs.sources import expand_inputs

    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            sources = expand_inputs([str(path)], recursive=recursive)
        else:
            sources = expand_inputs([], from_list=str(path))
            first = next(sources, None)  # a picture given as the list is refused now
            sources = itertools.chain([] if first is None else [first], sources)
        return (item.name for item in sources)
    try:
        items = iter(source)
    except TypeError:
        kind = type(source).__name__
        raise UsageError(
            f"source: give a folder, a list file or paths (a str or Path), not {kind}"
        ) from None
    return (path_option(item, "a path of source") for item in items)


def _answered(
    client: Client, model: str, paths: Iterator[str], chunk: int, options: dict
) -> Iterator[list[dict]]:
    """Each chunk's answers, in input order, with at most 2 x workers chunks in flight."""
    from distributed import as_completed

    from digitcli.inputs.batches import chunked

    window = 2 * max(1, len(client.scheduler_info()["workers"]))
    run = uuid.uuid4().hex[:8]
    chunks = enumerate(chunked(paths, chunk))
    index_of: dict[Any, int] = {}

    def submit(index: int, items: list[str]):
        future = client.submit(
            _predict_chunk, model, items, options, key=f"digitcli-predict-{run}-{index}"
        )
        index_of[future.key] = index
        return future

    waiting = as_completed([submit(i, items) for i, items in itertools.islice(chunks, window)])
    done: dict[int, list[dict]] = {}
    following = 0
    for future in waiting:
        done[index_of.pop(future.key)] = future.result()
        future.release()
        while following in done:
            yield done.pop(following)
            following += 1
        for index, items in itertools.islice(chunks, 1):
            waiting.add(submit(index, items))


UNGUARDED = (
    "a script that calls distributed_predict without a client must call it under "
    '`if __name__ == "__main__":` (Dask starts its workers by importing the script; '
    "docs/distributed.md)"
)


def _unguarded() -> bool:
    """Whether this is a worker process importing the caller's script (run as "__mp_main__"
    by multiprocessing's spawn), which calls distributed_predict at its top level."""
    importing = sys.modules.get("__mp_main__")  # the script, while spawn imports it
    return importing is not None and importing is not sys.modules.get("__main__")


class _cluster:
    """The caller's client, or a LocalCluster of processes started (and closed) here."""

    def __init__(self, client: Client | None, workers: int | None) -> None:
        self._given = client
        self._workers = workers
        self._own: list[Any] = []

    def __enter__(self) -> Client:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError(
                "batch inference on Dask needs the dask extra: pip install 'digitcli[dask]'"
            ) from None
        if self._given is not None:
            return self._given
        if _unguarded():  # in a worker process, importing the caller's script: say so once
            raise SystemExit(f"Error: {UNGUARDED}")
        try:
            cluster = LocalCluster(
                n_workers=self._workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
        except RuntimeError as error:  # "Nanny failed to start."
            raise UsageError(
                f"Dask's worker processes did not start ({error}): {UNGUARDED}"
            ) from None

        client = Client(cluster)
        self._own = [client, cluster]
        return client

    def __exit__(self, *exc: object) -> None:
        for part in self._own:
            part.close()


# In each worker process: the models it has loaded, by path (with their files' stamp then),
# and how many times it loaded each name.
_MODELS: dict[str, tuple[tuple, Model]] = {}
_LOADS: dict[str, int] = {}
_LOCK = threading.Lock()


def worker_model(name: str) -> Model:
    """The model `name` names, loaded once in this process (a Dask worker keeps its process
    from task to task), and again when its files were replaced since."""
    from digitcli.api.model import kept

    model = kept(name, _MODELS, _LOCK)
    with _LOCK:
        if not model.loaded:  # new here: loaded now, once, whatever thread asks
            model.runtime()
            _LOADS[name] = _LOADS.get(name, 0) + 1
    return model


def _loads() -> dict[str, int]:
    """How many times this process loaded each model (run on every worker by `Client.run`)."""
    return dict(_LOADS)


def _predict_chunk(model: str, paths: list[str], options: dict) -> list[dict]:
    """One task: the chunk's answers as `digitcli predict --format jsonl` writes them,
    prepared in this worker process alone (the cluster has a process per core already)."""
    answers = worker_model(model).predict(paths, errors="keep", processes=0, **options)
    return [answer.to_json() for answer in answers]


class _JsonLines:
    def __init__(self, path: Path) -> None:
        self._file = path.open("w", encoding="utf-8")

    def write(self, answers: list[dict]) -> None:
        from digitcli.core import strictjson

        self._file.writelines(strictjson.dumps(answer) + "\n" for answer in answers)

    def close(self) -> None:
        self._file.close()


class _Parquet:
    """One row group a chunk: file, digit, confidence, top_digits, top_probabilities, note,
    error, model (the answering model's name)."""

    def __init__(self, path: Path) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise UsageError(f"{path}: Parquet needs pyarrow: pip install pyarrow") from None
        self._pa = pa
        self._schema = pa.schema(
            [
                ("file", pa.string()),
                ("digit", pa.int8()),
                ("confidence", pa.float64()),
                ("top_digits", pa.list_(pa.int8())),
                ("top_probabilities", pa.list_(pa.float64())),
                ("note", pa.string()),
                ("error", pa.string()),
                ("model", pa.string()),
            ]
        )
        self._writer = pq.ParquetWriter(str(path), self._schema)

    def write(self, answers: list[dict]) -> None:
        rows = {
            "file": [a["file"] for a in answers],
            "digit": [a.get("digit") for a in answers],
            "confidence": [a.get("confidence") for a in answers],
            "top_digits": [[d for d, _ in a.get("top", [])] for a in answers],
            "top_probabilities": [[p for _, p in a.get("top", [])] for a in answers],
            "note": [a.get("note") for a in answers],
            "error": [a.get("error") for a in answers],
            "model": [a["model"]["name"] if "model" in a else None for a in answers],
        }
        self._writer.write_table(self._pa.table(rows, schema=self._schema))

    def close(self) -> None:
        self._writer.close()


def _writer(path: Path, suffix: str) -> _JsonLines | _Parquet:
    return _Parquet(path) if suffix == ".parquet" else _JsonLines(path)
