"""A real `digitcli serve` in a child process on a free port of 127.0.0.1, for the HTTP tests."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from conftest import subprocess_env

BUNDLED = Path(__file__).resolve().parent.parent / "digitcli" / "pretrained"


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path  # the server's stderr

    def client(self, **options) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **options)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(*args: str, log: Path, env: dict | None = None) -> Iterator[Server]:
    """`digitcli serve ARGS --port FREE`, once /healthz answers; killed at the end if still up."""
    port = free_port()
    command = [sys.executable, "-m", "digitcli", "serve", *args, "--port", str(port)]
    with open(log, "wb") as stderr:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=stderr, env=env or subprocess_env()
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


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
