"""A real `digitcli serve` in a child process on a free port of 127.0.0.1, for the HTTP tests."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from conftest import subprocess_env

BUNDLED = Path(__file__).resolve().parent.parent / "digitcli" / "models" / "pretrained"

# `serve()` as the CLI calls it, with limits a test may shorten (argv: model, port, limits
# and, among them, "workers").
_LIBRARY_SERVER = (
    "import json, sys; from digitcli.serve.server import Limits, serve; "
    "limits = json.loads(sys.argv[3]); workers = limits.pop('workers', 1); "
    "serve(sys.argv[1], port=int(sys.argv[2]), quiet=True, workers=workers,"
    " limits=Limits(**limits))"
)


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path  # the server's stderr

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def client(self, **options) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **options)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(
    *args: str,
    log: Path,
    env: dict | None = None,
    limits: dict | None = None,
    open_files: int | None = None,
) -> Iterator[Server]:
    """`digitcli serve ARGS --port FREE`, once /healthz answers; killed at the end if still up.
    With `limits`: `serve(ARGS[0], limits=Limits(**limits))` from Python instead, the same
    server with shorter timeouts (and `limits["workers"]` processes). `open_files`: the
    server's limit on open files."""
    port = free_port()
    if limits is None:
        command = [sys.executable, "-m", "digitcli", "serve", *args, "--port", str(port)]
    else:
        command = [sys.executable, "-c", _LIBRARY_SERVER, args[0], str(port), json.dumps(limits)]
    if open_files is not None:
        command = with_limit("RLIMIT_NOFILE", open_files, command)
    with open(log, "wb") as stderr:
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env or subprocess_env(),
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], object], what: str, seconds: float = 30) -> object:
    """`condition()` once it is true, polled until `seconds` have passed (then a failure)."""
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.02)
    return result


def refuses_connections(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:`port` any more (a server that began to stop)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def with_limit(resource_name: str, value: int, command: list[str]) -> list[str]:
    """`command` (a Python one) run under the resource limit `resource_name` = `value`, set by
    the child itself before it runs: not by a `preexec_fn`, which may deadlock in the child of
    a test process with threads (TensorFlow's, xdist's) that held a lock when it forked."""
    assert command[0] == sys.executable, command
    start = (
        "import resource, runpy, sys; "
        f"resource.setrlimit(resource.{resource_name}, ({value}, {value})); "
        "sys.argv = sys.argv[1:]; "
    )
    if command[1] == "-m":  # sys.argv[0] becomes the module's name, as `python -m` has it
        start += f"runpy.run_module({command[2]!r}, run_name='__main__', alter_sys=True)"
        return [sys.executable, "-c", start, *command[2:]]
    assert command[1] == "-c", command
    start += f"exec(compile({command[2]!r}, '<string>', 'exec'))"
    return [sys.executable, "-c", start, *command[2:]]


def _wait_until_up(server: Server, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited: {server.log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(server.url + "/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"the server did not start: {server.log.read_text()}")
