"""A Dask worker with several threads (what `dask worker` starts without `--nthreads 1`) answers
every chunk, as a worker of one thread does: its threads share one loaded model."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # starts a cluster of processes

FILES = 96


def test_a_worker_of_four_threads_answers_every_chunk(tmp_path) -> None:
    from distributed import Client, LocalCluster
    from PIL import Image

    import digitcli

    rng = np.random.default_rng(3)
    paths = []
    for i in range(FILES):
        pixels = np.zeros((28, 28), np.uint8)
        top, left = rng.integers(4, 10, size=2)
        pixels[top : top + 14, left + 5 : left + 8] = 255
        path = tmp_path / f"{i:03d}.png"
        Image.fromarray(pixels).save(path)
        paths.append(str(path))
    expected = [p.to_json() for p in digitcli.load("bundled").predict(paths, processes=0)]
    out = tmp_path / "answers.jsonl"
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=4, processes=True, dashboard_address=None
        ) as local,
        Client(local) as client,
    ):
        summary = digitcli.distributed_predict(paths, out, model="bundled", client=client, chunk=4)
    found = [json.loads(line) for line in out.read_text().splitlines()]
    assert summary.failed == 0
    assert found == expected
