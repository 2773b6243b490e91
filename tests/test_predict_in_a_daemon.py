"""`Model.predict` of many paths inside a `multiprocessing.Pool` worker (a daemonic process,
which may not start processes of its own, as in many data pipelines) prepares them in-process
and answers as it does elsewhere."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
from PIL import Image

FILES = 20  # more than PARALLEL_FROM: elsewhere they would go to worker processes


def _digits(paths: list[str]) -> list[int | None]:
    import digitcli

    return [answer.digit for answer in digitcli.load("bundled").predict(paths)]


def test_predict_many_paths_inside_a_pool_worker(tmp_path: Path) -> None:
    paths = []
    for i in range(FILES):
        pixels = np.zeros((28, 28), np.uint8)
        pixels[6:22, 10 + i % 6 : 14 + i % 6] = 255
        path = tmp_path / f"{i:02d}.png"
        Image.fromarray(pixels).save(path)
        paths.append(str(path))
    expected = _digits(paths)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_digits, (paths,)) == expected
