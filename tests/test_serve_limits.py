"""What one `digitcli serve` holds for its clients, measured on a real server on 127.0.0.1:
the memory that uploads take (its resident size, from Linux's /proc), and what it answers to
requests that would make it build a URL or a page from what a client sent."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from serving import BUNDLED, running_server

pytestmark = pytest.mark.server

MB = 2**20
CLIENTS = 24
SENT = 9 * MB  # of a 10 MB body each slow client announces: it never sends the rest


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def slow_upload(port: int, opened: list[socket.socket]) -> None:
    """A client that announces 10 MB, sends 9, and waits."""
    client = socket.create_connection(("127.0.0.1", port), timeout=60)
    opened.append(client)
    head = (
        "POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/octet-stream\r\n"
        f"Content-Length: {10 * MB}\r\n\r\n"
    )
    client.sendall(head.encode() + b"\0" * SENT)


@pytest.mark.timeout(240)
def test_slow_uploads_are_not_held_in_memory_and_memory_comes_back(tmp_path):
    with running_server(str(BUNDLED), log=tmp_path / "serve.log") as server:
        pid = server.process.pid
        before = resident_mb(pid)
        opened: list[socket.socket] = []
        threads = [
            threading.Thread(target=slow_upload, args=(server.port, opened), daemon=True)
            for _ in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert len(opened) == CLIENTS
        time.sleep(1)  # the server reads what the kernel still holds
        during = resident_mb(pid)
        for client in opened:
            client.close()
        with server.client() as client:  # still answering
            assert client.get("/healthz").status_code == 200
        time.sleep(1)
        after = resident_mb(pid)
    # 24 clients sent 216 MB: held in memory, the server would have grown by as much.
    assert during - before < 64, (before, during, after)
    assert after - before < 64, (before, during, after)


def full_upload(url: str, answers: list[int]) -> None:
    import httpx

    body = b"\0" * SENT  # no image: answered 422 once read
    with httpx.Client(timeout=120) as client:
        answers.append(client.post(url, content=body).status_code)


@pytest.mark.timeout(240)
@pytest.mark.parametrize("path", ["/v1/predict", "/v1/read"])
def test_complete_uploads_at_once_are_held_one_request_at_a_time(tmp_path, path):
    with running_server(str(BUNDLED), log=tmp_path / "serve.log") as server:
        pid = server.process.pid
        before = resident_mb(pid)
        answers: list[int] = []
        peak = [before]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak.append(resident_mb(pid))
                time.sleep(0.01)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        clients = [
            threading.Thread(target=full_upload, args=(server.url + path, answers), daemon=True)
            for _ in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join(180)
        done.set()
        watcher.join()
        after = resident_mb(pid)
    assert sorted(set(answers)) in ([422], [422, 503], [503]), answers
    # 24 bodies of 9 MB at once: ~216 MB if all were held together, and kept (each picture's
    # error held its bytes until the garbage collector's next full pass).
    assert max(peak) - before < 100, (before, max(peak), after)
    assert after - before < 64, (before, max(peak), after)
