"""Shared fixtures: tiny synthetic MNIST, one tiny trained model, an isolated working folder."""

from __future__ import annotations

import faulthandler
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mnist_files import one_stroke_test_digits, write_tiny_mnist  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# the generators of made pictures, numbers and pages the tests draw with (tests/README.md)
sys.path.insert(1, str(Path(__file__).parent / "generators"))

# What a test needs, as marks (pyproject.toml describes each): a test module or test says it
# with `pytest.mark.NAME`; a fixture that brings the need says it with `@needs("NAME")`, and
# every test that uses the fixture gets the mark. `slow` (what `make test-fast` leaves out,
# `-m 'not slow'`) is every test that trains or starts a browser, and the few marked slow
# themselves (the export matrix, a cluster of processes).
NEEDS = ("trains", "browser", "server", "signals", "default_model")
SLOW_NEEDS = {"trains", "browser"}
_FIXTURE_NEEDS: dict[str, str] = {}


def needs(mark: str):
    """Mark every test that uses the decorated fixture with `mark` (one of NEEDS). Put it under
    `@pytest.fixture`: `@pytest.fixture(scope="module")` then `@needs("trains")`."""
    if mark not in NEEDS:
        raise ValueError(f"unknown need {mark!r}: one of {', '.join(NEEDS)}")

    def register(function):
        _FIXTURE_NEEDS[function.__name__] = mark
        return function

    return register


def pytest_configure(config: pytest.Config) -> None:
    """Before any fixture of any scope runs (a module's server, a session's): an empty models
    folder of this test process, never the user's ./MNIST/models/ or $DIGITCLI_MODELS. Each
    test then gets its own (`isolated`)."""
    import tempfile

    os.environ["DIGITCLI_MODELS"] = str(Path(tempfile.mkdtemp(prefix="digitcli-models-")))
    os.environ.pop("DIGITCLI_DEBUG", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = Path(os.environ.get("DIGITCLI_MODELS", ""))
    if folder.name.startswith("digitcli-models-"):
        shutil.rmtree(folder, ignore_errors=True)


# pytest-timeout's SIGALRM ends a test hung in Python after 300 s (pyproject.toml), but never
# reaches one blocked in C code, nor a teardown that blocks again: then the whole run would wait
# to CI's end. This watchdog (a C thread, invisible to `threading`, which digitcli asks before
# it forks workers) ends the test's process a while later, with every thread's stack on its
# stderr; xdist names the test and starts another worker.
HUNG_AFTER = 420  # seconds


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    faulthandler.dump_traceback_later(HUNG_AFTER, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def in_a_fresh_process(function, *args):
    """`function(*args)` in a new interpreter (spawned, not forked), for a test of digitcli's
    worker processes: digitcli forks no workers beside other threads, and a test's process
    may hold threads earlier tests left (Dask's, a server's). `function` must be importable."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
        return fresh.submit(function, *args).result(timeout=240)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_data: Path) -> Path:
    """Each test runs in its own empty folder; models go there; data defaults to `tiny_data`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGITCLI_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("DIGITCLI_DATA", str(tiny_data))
    monkeypatch.delenv("DIGITCLI_DEBUG", raising=False)
    monkeypatch.delenv("DIGITCLI_MNIST_URL", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 training and 200 test images of ten easy synthetic 'digits', as IDX .gz files."""
    return write_tiny_mnist(tmp_path_factory.mktemp("tiny-mnist"))


def fixture_model(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A copy of the checked-in model directory tests/fixtures/NAME, which tests may write into
    (made by tests/fixtures/make_tiny_model.py; tests/test_fixtures.py checks it is current)."""
    return Path(shutil.copytree(FIXTURES / name, tmp_path_factory.mktemp("models") / name))


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small MLP trained for two epochs on `tiny_data`, without deskewing: a model directory
    (a copy of tests/fixtures/tiny-mlp, shared by the session's tests)."""
    return fixture_model(tmp_path_factory, "tiny-mlp")


@pytest.fixture(scope="session")
@needs("server")
def bundled_server(tmp_path_factory: pytest.TempPathFactory):
    """`digitcli serve` of the bundled model with its default limits, one per test session
    (per xdist worker), for the tests that only send it requests (tests/serving.py)."""
    from serving import BUNDLED, running_server

    log = tmp_path_factory.mktemp("serve") / "stderr.log"
    with running_server(str(BUNDLED), log=log) as running:
        yield running


def child_pids(pid: int) -> list[int]:
    """The processes `pid` started (its workers), from Linux's /proc; [] once it has ended."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def started_workers(process: subprocess.Popen, seconds: float = 60) -> list[int]:
    """The worker processes `process` has started, waiting up to `seconds` for the first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not child_pids(process.pid):
        time.sleep(0.01)
    return child_pids(process.pid)


def script_word() -> np.ndarray:
    """`hello` in OpenCV's Hershey script face, dark on light paper (120x285, grey): several
    digits to `predict`'s count, not a digit to `read` (tests of the one verdict on a word)."""
    import cv2

    word = np.full((120, 285), 235, np.uint8)
    cv2.putText(word, "hello", (20, 80), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 2.0, 30, 4, cv2.LINE_AA)
    return word


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for running `python -m digitcli` in a child process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def digitcli_watched(
    *args: str, module: str = "tensorflow"
) -> tuple[subprocess.CompletedProcess, bool]:
    """`digitcli ARGS` in a process of its own (its stderr without the watch's line), and
    whether it imported `module`: what must be said before TensorFlow (or NumPy) loads is."""
    watch = (
        "import sys, runpy; sys.argv = ['digitcli'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('digitcli', run_name='__main__')\n"
        f"finally:\n    print({module!r} in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", watch, *args],
        capture_output=True, text=True, env=subprocess_env(), timeout=120,
    )  # fmt: skip
    said, _, imported = done.stderr.rstrip().rpartition("\n")
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout, said), (
        imported == "True"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for name in item.fixturenames:
            if name in _FIXTURE_NEEDS:
                item.add_marker(_FIXTURE_NEEDS[name])
        if any(item.get_closest_marker(mark) for mark in SLOW_NEEDS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def mnist_test_digits() -> dict[int, list[np.ndarray]]:
    """MNIST's test digits of each class, in one stroke each (`mnist_files`), for the tests
    that write numbers with them (`test_read.write_number`)."""
    return one_stroke_test_digits()
