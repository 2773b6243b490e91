"""One `Model` shared by 8 threads (a web app, a notebook, a multi-threaded Dask worker) answers
every call, and answers as it does from one thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import digitcli
from digitcli.api.model import _LOADED

from mnist_files import real_digits

THREADS = 8
ROUNDS = 5


def _digits(count: int, seed: int = 0) -> np.ndarray:
    """`count` real MNIST training digits (`mnist_files.real_digits`), white ink on black:
    `predict` answers each at once (a made stroke, half of them refused, cost 2.5 times as
    much, most of this file's time)."""
    return real_digits(-(-count // 10), seed)[0][:count]


def _answers(predictions) -> list[tuple]:
    return [(p.digit, round(p.confidence or 0.0, 5)) for p in predictions]


def _from_threads(call) -> list:
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(call, n) for n in range(THREADS * ROUNDS)]
        return [future.result() for future in futures]  # the first exception is raised


@pytest.mark.parametrize("size", [64, 1])
def test_a_model_shared_by_eight_threads_answers_as_one_thread(size: int) -> None:
    """Batches of 64 and single images: LiteRT's interpreter, shared, raised "There is at least
    1 reference to internal data" in most calls."""
    model = digitcli.load("bundled")
    images = _digits(64)
    if size == 1:
        expected = [_answers(model.predict(image, processes=0)) for image in images[:8]]
        found = _from_threads(lambda n: _answers(model.predict(images[n % 8], processes=0)))
        assert found == [expected[n % 8] for n in range(THREADS * ROUNDS)]
    else:
        expected = _answers(model.predict(images, processes=0))
        found = _from_threads(lambda n: _answers(model.predict(images, processes=0)))
        assert found == [expected] * (THREADS * ROUNDS)


def test_the_module_level_predict_from_eight_threads() -> None:
    _LOADED.clear()
    images = _digits(16, seed=1)
    expected = _answers(digitcli.predict(images, model="bundled", processes=0))
    found = _from_threads(
        lambda n: _answers(digitcli.predict(images, model="bundled", processes=0))
    )
    assert found == [expected] * (THREADS * ROUNDS)


def test_read_from_eight_threads() -> None:
    """`read` runs the line reader's interpreter, shared by every model, too."""
    model = digitcli.load("bundled")
    picture = np.zeros((40, 120), np.uint8)
    for x in (10, 50, 90):
        picture[8:32, x : x + 4] = 255
    expected = model.read(picture)[0].number
    found = _from_threads(lambda n: model.read(picture)[0].number)
    assert found == [expected] * (THREADS * ROUNDS)


def test_the_interpreter_runs_its_own_threads_in_parallel() -> None:
    """A thread never waits on another's LiteRT call: each thread has its own interpreter."""
    runtime = digitcli.load("bundled").runtime()
    images = _digits(8)
    runtime.predict(images)
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda _: runtime.predict(images), range(THREADS)))
    assert runtime._function.interpreters() >= 2


def test_stderr_comes_back_after_overlapping_silences() -> None:
    """Threads loading interpreters silence fd 2 at once: the last out brings stderr back (each
    restoring what it saved left it at /dev/null for the rest of the process)."""
    import os
    import threading

    from digitcli.core.quiet import native_stderr_silenced

    before = os.fstat(2)
    entered = threading.Barrier(THREADS)

    def silence(_) -> None:
        with native_stderr_silenced():
            entered.wait()  # all eight inside at once

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(silence, range(THREADS)))
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)


def test_threads_asking_for_worker_processes_do_not_hang(tmp_path) -> None:
    """8 threads each predicting 33 images with the default `processes` (a pool of forked
    workers each) hung: a fork copied a lock another thread held. In a process of its own,
    so that a hang fails the test instead of the session."""
    import subprocess
    import sys

    from conftest import subprocess_env

    script = (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "import numpy as np, digitcli\n"
        "m = digitcli.load('bundled'); x = np.zeros((33, 28, 28), np.uint8)\n"
        "x[:, 6:22, 12:16] = 255\n"
        "with ThreadPoolExecutor(8) as pool:\n"
        "    found = list(pool.map(lambda _: [p.digit for p in m.predict(x)], range(24)))\n"
        "assert all(f == found[0] for f in found), found\n"
        "print('answered', len(found))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        env=subprocess_env(), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "answered 24" in done.stdout
