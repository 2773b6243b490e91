"""`digitcli serve` against hostile clients: odd query values, trickled bytes, piles of idle
connections, odd tokens. A real server on 127.0.0.1, spoken to over raw sockets."""

from __future__ import annotations

import contextlib
import select
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

from conftest import subprocess_env
from inprocess import digitcli
from serving import BUNDLED, running_server, wait_for

pytestmark = pytest.mark.server

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c636000000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def server(bundled_server):
    """The session's server of the bundled model (conftest.bundled_server)."""
    return bundled_server


BAD_VALUES = {
    "top_k": ["--3", "²", "①", "٣", "３", "-3", "+3", " 3", "3.0", "0", "11", "1" * 5000],
    "threshold": ["٠.٥", "0.５", "--0.5", "-0", "1e-1", "0_5", "inf", "nan", "1.5", "½"],
    "invert": ["maybe", "YES "],
    "preview": ["maybe", "①"],
}


@pytest.mark.parametrize(
    ("path", "key", "value"),
    [
        (path, key, value)
        for path in ("/v1/predict", "/v1/read")
        for key, values in BAD_VALUES.items()
        if not (path == "/v1/read" and key == "top_k")
        for value in values
    ],
)
def test_a_bad_query_value_is_a_400_naming_it_and_never_a_traceback(server, path, key, value):
    with server.client() as client:
        answer = client.post(path, params={key: value}, content=PNG_1x1)
    assert answer.status_code == 400, answer.text
    assert answer.json()["status"] == 400 and answer.json()["error"].startswith(f"{key}=")
    assert "Traceback" not in server.log.read_text()


@pytest.mark.parametrize(
    "query", ["top_k=10", "top_k=01", "threshold=0.5", "threshold=.5", "threshold=1", "top_k="]
)
def test_plain_ascii_values_and_empty_ones_are_taken(server, query):
    with server.client() as client:
        answer = client.post(f"/v1/predict?{query}&preview=false", content=PNG_1x1)
    assert answer.status_code == 200, answer.text


def closed_within(connection: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed `connection` (anything it said first is read too), or
    None if it was still open after `seconds`."""
    start = time.monotonic()
    while (left := start + seconds - time.monotonic()) > 0:
        ready, _, _ = select.select([connection], [], [], left)
        if not ready:
            break
        try:
            if not connection.recv(65536):
                return time.monotonic() - start
        except ConnectionError:
            return time.monotonic() - start
    return None


@contextlib.contextmanager
def trickling(port: int, data: bytes, every: float = 0.2):
    """A connection that sends `data` one byte every `every` seconds while the block runs."""
    connection = socket.create_connection(("127.0.0.1", port))
    stop = threading.Event()

    def send() -> None:
        for byte in data:
            if stop.wait(every):
                return
            with contextlib.suppress(OSError):
                connection.send(bytes([byte]))

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        yield connection
    finally:
        stop.set()
        sender.join()
        connection.close()


def post_head(length: int) -> bytes:
    return (
        f"POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_a_trickled_body_does_not_keep_the_server_up_after_sigterm(tmp_path):
    limits = {"shutdown_seconds": 2, "body_seconds": 600}
    with running_server(str(BUNDLED), log=tmp_path / "log", limits=limits) as server:
        with trickling(server.port, b"\0" * 10_000) as connection:
            connection.sendall(post_head(10_000))
            httpx.get(server.url + "/healthz", timeout=10)  # answered after it read that head
            start = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            code = server.process.wait(timeout=20)
            took = time.monotonic() - start
    assert code == 0 and took < 2 + 3, took
    log = (tmp_path / "log").read_text().splitlines()
    assert log == ["ERROR:    Cancel 1 running task(s), timeout graceful shutdown exceeded"]


def test_a_trickled_body_is_cut_off_and_others_are_still_served(tmp_path):
    limits = {"body_seconds": 2}
    with running_server(str(BUNDLED), log=tmp_path / "log", limits=limits) as server:
        with trickling(server.port, b"\0" * 10_000) as connection:
            connection.sendall(post_head(10_000))
            took = closed_within(connection, 10)
            health = httpx.get(server.url + "/healthz", timeout=5)
    assert took is not None and 1 < took < 2 + 2, took
    assert health.status_code == 200


def test_trickled_headers_are_cut_off(tmp_path):
    limits = {"header_seconds": 2}
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 1000
    with running_server(str(BUNDLED), log=tmp_path / "log", limits=limits) as server:
        with trickling(server.port, head) as connection:
            took = closed_within(connection, 10)
        with socket.create_connection(("127.0.0.1", server.port)) as silent:
            silent_took = closed_within(silent, 10)  # connects and says nothing
        with trickling(server.port, head) as second:  # a first request, then a slow one
            second.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            second_took = closed_within(second, 10)
    assert took is not None and 1.5 < took < 2 + 2, took
    assert silent_took is not None and silent_took < 2 + 2, silent_took
    assert second_took is not None and 1.5 < second_took < 2 + 2, second_took


@pytest.mark.slow
def test_each_worker_process_keeps_the_limits(tmp_path):
    limits = {"header_seconds": 1, "workers": 2}
    with running_server(str(BUNDLED), log=tmp_path / "log", limits=limits) as server:
        silent = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(6)]
        took = [closed_within(connection, 10) for connection in silent]
        for connection in silent:
            connection.close()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
    assert all(seconds is not None and seconds < 1 + 2 for seconds in took), took


def test_endless_headers_are_cut_off_at_a_size(tmp_path):
    limits = {"header_seconds": 600, "header_bytes": 8192}
    with running_server(str(BUNDLED), log=tmp_path / "log", limits=limits) as server:
        with socket.create_connection(("127.0.0.1", server.port)) as connection:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            with contextlib.suppress(ConnectionError):
                for _ in range(100):
                    connection.sendall(b"X-Long: " + b"a" * 1000 + b"\r\n")
            took = closed_within(connection, 5)
    assert took is not None


@pytest.mark.skipif(sys.platform == "win32", reason="no open-file limit to set")
def test_more_idle_connections_than_open_files_leave_healthz_answering(tmp_path):
    """The hostile run's 1,100 connections against 1,024 files, scaled down: 150 against 128."""
    limits = {"header_seconds": 600}
    with running_server(
        str(BUNDLED), log=tmp_path / "log", limits=limits, open_files=128
    ) as server:
        idle = []
        try:
            for _ in range(150):
                connection = socket.create_connection(("127.0.0.1", server.port))
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                idle.append(connection)
            # A first one answered (refused): the server has taken all the connections it can.
            wait_for(lambda: select.select(idle, [], [], 0)[0], "one connection past the cap")
            answers = [httpx.get(server.url + "/healthz", timeout=5) for _ in range(3)]
            with server.client() as client:
                predicted = client.post("/v1/predict", content=PNG_1x1)
        finally:
            for connection in idle:
                connection.close()
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert predicted.status_code in (200, 422)
    log = (tmp_path / "log").read_text()
    assert "Traceback" not in log and "Too many open files" not in log, log


def run_serve(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`digitcli serve BUNDLED ARGS` in this process: for what it refuses before serving."""
    return digitcli("serve", str(BUNDLED), *args, env=env, text=True)


@pytest.mark.parametrize("token", ["café", "s3cret\u00a0", "tab\there", "two words", "ключ"])
def test_a_token_that_no_client_could_send_is_refused_at_start(token):
    given = run_serve("--port", "0", "--token", token)
    from_env = run_serve("--port", "0", DIGITCLI_TOKEN=token)
    for done in (given, from_env):
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip().splitlines() == [
            "Error: --token: use printable ASCII characters only (no spaces), "
            "as an Authorization header can carry"
        ]


def test_the_help_says_what_a_token_may_hold():
    done = digitcli("serve", "--help", env={"COLUMNS": "200"}, text=True)
    assert "printable ascii characters only, no spaces" in " ".join(done.stdout.lower().split())


def test_port_0_announces_the_port_the_system_gave(tmp_path):
    command = [sys.executable, "-m", "digitcli", "serve", str(BUNDLED), "--port", "0"]
    process = subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=subprocess_env()
    )
    try:
        ready, _, _ = select.select([process.stderr], [], [], 60)
        line = process.stderr.readline().decode() if ready else ""
        assert line.startswith("digitcli serve: http://127.0.0.1:"), line
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    assert port != 0 and health.status_code == 200 and code == 0


def read_responses(connection: socket.socket, count: int = 1) -> list[bytes]:
    """`count` HTTP responses with a Content-Length, read off a raw connection (pipelined
    ones may arrive in one packet): their status lines."""
    data, statuses = b"", []
    while len(statuses) < count:
        while b"\r\n\r\n" not in data:
            data += connection.recv(65536) or b"<closed>"
            assert not data.endswith(b"<closed>"), data
        head, _, data = data.partition(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        while len(data) < length:
            data += connection.recv(65536)
        data = data[length:]
        statuses.append(head.split(b"\r\n")[0])
    assert data == b""  # nothing more than the responses asked for
    return statuses


def read_response(connection: socket.socket) -> bytes:
    """One HTTP response off a raw connection: its status line."""
    (status,) = read_responses(connection)
    return status


def test_a_kept_alive_connection_gets_the_header_time_afresh_for_each_request(tmp_path):
    limits = {"header_seconds": 1}
    get = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    with running_server(str(BUNDLED), log=tmp_path / "log", limits=limits) as server:
        with socket.create_connection(("127.0.0.1", server.port)) as connection:
            statuses = []
            for _ in range(4):  # 2.4 s in all on one connection, 0.6 s between requests
                connection.sendall(get)
                statuses.append(read_response(connection))
                time.sleep(0.6)
            connection.sendall(get * 2)  # pipelined
            statuses += read_responses(connection, 2)
    assert statuses == [b"HTTP/1.1 200 OK"] * 6


def healthz_if(server, status: int) -> httpx.Response | None:
    """The server's answer to GET /healthz if it has `status`, else None."""
    answer = httpx.get(server.url + "/healthz", timeout=5)
    return answer if answer.status_code == status else None


def test_past_the_cap_with_every_connection_busy_a_new_one_gets_a_json_503(tmp_path):
    limits = {"connections": 8, "body_seconds": 600}
    with running_server(str(BUNDLED), log=tmp_path / "log", limits=limits) as server:
        busy = []
        for _ in range(8):  # each in the middle of its body
            connection = socket.create_connection(("127.0.0.1", server.port))
            connection.sendall(post_head(1000) + b"\0" * 10)
            busy.append(connection)
        refused = wait_for(lambda: healthz_if(server, 503), "a 503 once 8 connections are busy")
        for connection in busy:
            connection.close()
        after = wait_for(lambda: healthz_if(server, 200), "a 200 once they are closed")
    assert refused.status_code == 503
    assert refused.json() == {
        "error": "the server has too many connections: try again",
        "status": 503,
    }
    assert after.status_code == 200


# Nothing the server answers is built from what a client sent, or shows the server's files.


@pytest.mark.parametrize("path", ["/v1/predict/", "/v1/read/", "/v1/model/", "/healthz/"])
@pytest.mark.parametrize("token", [None, "sesame"])
def test_no_redirect_is_built_from_the_host_header(path, token):
    from starlette.testclient import TestClient

    from digitcli.serve.app import create_app

    app = create_app(BUNDLED, token=token, access_log=False)
    with TestClient(app, base_url="http://evil.example") as client:
        answer = client.request(
            "POST" if "v1/" in path and "model" not in path else "GET",
            path,
            content=PNG_1x1,
            follow_redirects=False,
        )
    assert not 300 <= answer.status_code < 400, answer.headers
    assert "evil.example" not in answer.headers.get("location", "")
    assert answer.json()["status"] == answer.status_code


def model_with_metadata(tiny_model, tmp_path, change):
    import json
    import shutil

    model = shutil.copytree(tiny_model, tmp_path / "odd-model")
    metadata = json.loads((model / "metadata.json").read_text())
    change(metadata)
    (model / "metadata.json").write_text(json.dumps(metadata))  # NaN as Python writes it
    return model


def test_a_metadata_nan_is_null_in_v1_model_not_a_500(tiny_model, tmp_path):
    from starlette.testclient import TestClient

    from digitcli.serve.app import create_app

    def nan(metadata):
        metadata["metrics"]["test_loss"] = float("nan")
        metadata["metrics"]["test_accuracy"] = float("nan")

    model = model_with_metadata(tiny_model, tmp_path, nan)
    with TestClient(create_app(model, access_log=False), raise_server_exceptions=False) as client:
        answer = client.get("/v1/model")
    assert answer.status_code == 200, answer.text
    assert answer.json()["test_accuracy"] is None
    assert "NaN" not in answer.text


def test_v1_model_shows_no_file_names_or_paths_of_the_server(tiny_model, tmp_path):
    from starlette.testclient import TestClient

    from digitcli.serve.app import create_app

    def paths(metadata):
        metadata["config"]["init"] = "/home/someone/secret-project/base-model"
        metadata["config"]["teacher"] = "/home/someone/secret-project/teacher.keras"
        metadata["data"]["source"] = "/home/someone/secret-project/scans"

    model = model_with_metadata(tiny_model, tmp_path, paths)
    with TestClient(create_app(model, access_log=False)) as client:
        text = client.get("/v1/model").text
    assert "secret-project" not in text and "/home" not in text
    assert "train-images-idx3-ubyte.gz" not in text  # the training folder's file names
    assert str(tmp_path) not in text
