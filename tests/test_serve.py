"""`digitcli serve`: a real server on 127.0.0.1, spoken to over HTTP."""

from __future__ import annotations

import gzip
import io
import json
import os
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest
from PIL import Image

from digitcli.imaging import verdict
from digitcli.serve.uploads import MAX_BODY_BYTES, MAX_IMAGES

from conftest import script_word, subprocess_env
from serving import BUNDLED, refuses_connections, running_server, wait_for

pytestmark = pytest.mark.server

MNIST = Path(__file__).resolve().parent.parent / "MNIST"


def mnist_test_images(count: int) -> np.ndarray:
    raw = gzip.decompress((MNIST / "t10k-images-idx3-ubyte.gz").read_bytes())
    return np.frombuffer(raw, np.uint8, count=count * 784, offset=16).reshape(count, 28, 28)


def photo_bytes(digit: np.ndarray, kind: str = "JPEG", size: int = 240) -> bytes:
    """A digit as dark ink on light paper, enlarged: what a user photographs."""
    paper = 230 - (digit.astype(np.float32) * 0.8)
    image = Image.fromarray(paper.astype(np.uint8)).resize((size, size), Image.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    for i, digit in enumerate(mnist_test_images(6)):
        kind = "JPEG" if i % 2 else "PNG"
        (folder / f"d{i}.{kind.lower().replace('jpeg', 'jpg')}").write_bytes(
            photo_bytes(digit, kind)
        )
    return folder


@pytest.fixture
def server(bundled_server):
    """The session's server of the bundled model (conftest.bundled_server)."""
    return bundled_server


def predict_json(folder: Path, *names: str, options: tuple[str, ...] = ()) -> list[dict]:
    command = [sys.executable, "-m", "digitcli", "predict", "--model", str(BUNDLED)]
    done = subprocess.run(
        [*command, "--format", "json", *options, *names],
        cwd=folder,
        capture_output=True,
        env=subprocess_env(),
        check=True,
    )
    return json.loads(done.stdout)


def served(results: list[dict]) -> list[dict]:
    """The CLI's results as `serve` gives them: the model named without its path."""
    return [
        {**r, "model": {k: v for k, v in r["model"].items() if k != "path"}} if "model" in r else r
        for r in results
    ]


def files(folder: Path, *names: str) -> list[tuple[str, tuple[str, bytes]]]:
    return [("file", (name, (folder / name).read_bytes())) for name in names]


def test_answers_agree_exactly_with_predict(server, photos):
    names = sorted(p.name for p in photos.iterdir())
    expected = served(predict_json(photos, *names, options=("--top-k", "5", "--threshold", "0.9")))
    with server.client() as client:
        many = client.post("/v1/predict?top_k=5&threshold=0.9", files=files(photos, *names))
        one = client.post(
            f"/v1/predict?top_k=5&threshold=0.9&name={names[1]}",
            content=(photos / names[1]).read_bytes(),
            headers={"content-type": "image/jpeg"},
        )
    assert many.status_code == 200, many.text
    assert many.json() == {"model": "bundled", "results": expected}
    assert one.json()["results"] == [expected[1]]
    assert [r["digit"] for r in expected if r["digit"] is not None]  # a real answer, not all null


def test_a_word_is_refused_as_predict_and_read_refuse_it(server):
    """A word, several digits to `predict`'s count, is refused as `read` refuses it
    (tests/test_predict_read_agree.py), by the server too."""
    upload = ("hello.png", cv2.imencode(".png", script_word())[1].tobytes())
    with server.client() as client:
        found = client.post("/v1/predict", files=[("file", upload)])
    assert found.status_code == 200, found.text
    assert found.json()["results"][0]["note"] == verdict.NOT_A_DIGIT


def test_a_preview_is_the_28x28_image_the_model_saw(server, photos):
    with server.client() as client:
        answer = client.post("/v1/predict?preview=1", files=files(photos, "d0.png")).json()
    data = answer["results"][0]["preview"].removeprefix("data:image/png;base64,")
    import base64

    image = Image.open(io.BytesIO(base64.b64decode(data)))
    assert image.size == (28, 28) and image.mode == "L"
    assert np.asarray(image).max() == 255  # white ink on black, as MNIST


def bomb_png() -> bytes:
    """A PNG header claiming 60000x60000 pixels: refused before anything is decoded."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = (60000).to_bytes(4, "big") * 2
    import zlib

    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)


BAD_IMAGES = {
    "empty": (b"", "empty input"),
    "not an image": (b"hello, world\n" * 10, "not an image"),
    "truncated": (photo_bytes(np.full((28, 28), 200, np.uint8), "PNG")[:60], ""),
    "bomb header": (bomb_png(), "too large"),
}


@pytest.mark.parametrize("case", BAD_IMAGES)
def test_a_bad_image_gets_its_own_error_and_the_server_keeps_serving(server, photos, case):
    data, says = BAD_IMAGES[case]
    with server.client() as client:
        alone = client.post("/v1/predict", files=[("file", ("bad.png", data))])
        mixed = client.post(
            "/v1/predict", files=[("file", ("bad.png", data)), *files(photos, "d0.png")]
        )
        after = client.post("/v1/predict", files=files(photos, "d1.jpg"))
    assert alone.status_code == 422
    body = alone.json()
    assert body["status"] == 422 and body["error"].startswith("no image could be read: bad.png")
    assert says in body["results"][0]["error"]
    assert mixed.status_code == 200
    assert "error" in mixed.json()["results"][0] and "digit" in mixed.json()["results"][1]
    assert after.status_code == 200 and after.json()["results"][0]["digit"] is not None


def too_many_files(photos: Path):
    return [("file", (f"{i}.png", b"x")) for i in range(MAX_IMAGES + 1)]


BAD_REQUESTS = {
    "oversized body": (
        lambda p: {
            "content": b"\0" * (MAX_BODY_BYTES + 1),
            "headers": {"content-type": "image/png"},
        },
        413,
        "over 10 MB",
    ),
    "too many files": (lambda p: {"files": too_many_files(p)}, 413, f"more than {MAX_IMAGES}"),
    "wrong content type": (
        lambda p: {"json": {"image": "d0.png"}},
        415,
        "'application/json' carries no image",
    ),
    "no body": (lambda p: {}, 400, "no image in the request"),
    "no file field": (lambda p: {"files": {"comment": (None, b"hello")}}, 400, "no image"),
}


@pytest.mark.parametrize("case", BAD_REQUESTS)
def test_a_bad_request_gets_a_documented_4xx_and_the_next_one_works(server, photos, case):
    make, status, says = BAD_REQUESTS[case]
    with server.client() as client:
        refused = client.post("/v1/predict", **make(photos))
        after = client.post("/v1/predict", files=files(photos, "d1.jpg"))
    assert refused.status_code == status
    assert refused.json()["status"] == status and says in refused.json()["error"]
    assert after.status_code == 200


def test_an_oversized_body_is_refused_as_it_arrives_whatever_its_length_claims(server):
    def endless():
        for _ in range(MAX_BODY_BYTES // 2**16 + 2):
            yield b"\0" * 2**16

    with server.client() as client:
        refused = client.post("/v1/predict", content=endless())  # chunked: no Content-Length
    assert refused.status_code == 413


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("top_k=0", "top_k"),
        ("threshold=2", "threshold"),
        ("threshold=nan", "threshold"),
        ("invert=maybe", "invert"),
    ],
)
def test_bad_parameters_are_400(server, photos, query, says):
    with server.client() as client:
        answer = client.post(f"/v1/predict?{query}", files=files(photos, "d0.png"))
    assert answer.status_code == 400 and says in answer.json()["error"]


def test_read_answers_like_digitcli_read(server, photos, tmp_path):
    digits = mnist_test_images(3)
    paper = np.full((60, 120), 230, np.uint8)
    for i, digit in enumerate(digits):
        paper[16:44, 10 + 36 * i : 38 + 36 * i] = 230 - (digit * 0.8).astype(np.uint8)
    image = Image.fromarray(paper).resize((360, 180), Image.BICUBIC)
    image.save(tmp_path / "number.png")
    command = [sys.executable, "-m", "digitcli", "read", "--model", str(BUNDLED), "--json"]
    done = subprocess.run(
        [*command, "number.png"], cwd=tmp_path, capture_output=True, env=subprocess_env()
    )
    with server.client() as client:
        answer = client.post("/v1/read", files=files(tmp_path, "number.png"))
        bad = client.post("/v1/read?digits=x", files=files(tmp_path, "number.png"))
        shown = client.post("/v1/read?preview=1", files=files(tmp_path, "number.png"))
    assert answer.json()["results"] == served(json.loads(done.stdout))
    with_previews = shown.json()["results"]
    previews = [digit.pop("preview") for digit in with_previews[0]["digits"]]
    assert len(previews) == 3 and all(p.startswith("data:image/png;base64,") for p in previews)
    assert with_previews == answer.json()["results"]
    assert answer.json()["results"][0]["number"] == "721"  # MNIST's first three test digits
    assert bad.status_code == 400 and "digits" in bad.json()["error"]


@pytest.mark.parametrize("digits", ["3-", "%D9%A3", "%EF%BC%93", "1_0"])  # 3-, ٣, ３, 1_0
def test_digits_is_parsed_as_the_cli_parses_it(server, photos, digits):
    with server.client() as client:
        bad = client.post(f"/v1/read?digits={digits}", files=files(photos, "d0.png"))
        good = client.post("/v1/read?digits=1-3", files=files(photos, "d0.png"))
    assert bad.status_code == 400 and "digits" in bad.json()["error"], bad.text
    assert good.status_code == 200


def test_model_health_openapi_and_unknown_paths(server):
    with server.client() as client:
        about = client.get("/v1/model").json()
        health = client.get("/healthz")
        spec = client.get("/openapi.json").json()
        missing = client.get("/v2/nothing")
        wrong_method = client.get("/v1/predict")
    assert about["arch"] == "cnn" and about["runtime"] == "litert"
    assert about["networks"] == ["cnn", "cnn", "mlp"]  # the bundled model's, in order
    assert "history" not in about["metadata"] and about["input"]["shape"] == [28, 28]
    assert health.json()["status"] == "ok"
    assert spec["openapi"].startswith("3.") and set(spec["paths"]) >= {"/v1/predict", "/v1/read"}
    assert missing.status_code == 404 and missing.json() == {"error": "Not Found", "status": 404}
    assert wrong_method.status_code == 405 and wrong_method.json()["status"] == 405


def test_the_openapi_description_matches_the_routes():
    from starlette.routing import Route

    from digitcli import __version__
    from digitcli.serve.app import create_app
    from digitcli.serve.openapi import openapi_spec

    app = create_app(BUNDLED)
    routes = {
        route.path: {m.lower() for m in route.methods - {"HEAD"}}
        for route in app.routes
        if isinstance(route, Route)
    }
    spec = openapi_spec(__version__)["paths"]
    assert routes == {path: set(operations) for path, operations in spec.items()}


def test_every_request_gets_one_access_log_line(server, photos):
    before = len(server.log.read_text().splitlines())  # the session's server: earlier tests' lines
    with server.client() as client:
        client.post("/v1/predict", files=files(photos, "d0.png"))
        client.get("/healthz?probe=access-log")
    lines = wait_for(
        lambda: (new := server.log.read_text().splitlines()[before:]) and len(new) >= 2 and new,
        "two access log lines",
    )
    assert len(lines) == 2
    assert lines[0].startswith("POST /v1/predict 200 ") and lines[0].endswith("ms")
    assert lines[1].startswith("GET /healthz 200 ")


def test_the_page_and_its_assets_come_from_the_server_with_a_strict_policy(server):
    with server.client() as client:
        page = client.get("/")
        script = client.get("/static/page.js")
    policy = page.headers["content-security-policy"]
    assert page.status_code == 200 and "<canvas" in page.text
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "http" not in page.text.replace('"http-equiv"', "")  # nothing from elsewhere
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]


def test_with_a_token_every_api_call_needs_it(tmp_path, photos):
    with running_server(str(BUNDLED), "--token", "s3cret", log=tmp_path / "log") as server:
        with server.client() as client:
            missing = client.post("/v1/predict", files=files(photos, "d0.png"))
            wrong = client.get("/v1/model", headers={"authorization": "Bearer nope"})
            right = client.post(
                "/v1/predict",
                files=files(photos, "d0.png"),
                headers={"authorization": "Bearer s3cret"},
            )
            health = client.get("/healthz")
            page = client.get("/")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert wrong.status_code == 401 and wrong.json()["error"] == "wrong token"
    assert right.status_code == 200
    assert health.status_code == 200 and page.status_code == 200


def run_serve(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "digitcli", "serve", str(BUNDLED), *args],
        capture_output=True,
        text=True,
        env=subprocess_env(**env),
        timeout=60,
    )


def test_json_announces_where_it_listens_as_one_object_on_stdout():
    command = [sys.executable, "-m", "digitcli", "serve", str(BUNDLED), "--port", "0", "--json"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env(), text=True
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else ""
        assert line.startswith("{"), (line, process.poll() and process.stderr.read())
        announced = json.loads(line)
        health = httpx.get(f"{announced['url']}healthz", timeout=10)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    port = announced["port"]
    model = announced.pop("model")
    assert announced == {
        "url": f"http://127.0.0.1:{port}/",
        "api": f"http://127.0.0.1:{port}/v1/predict",
        "host": "127.0.0.1",
        "port": port,
        "workers": 1,
    }
    assert model["name"] == "bundled" and Path(model["path"]).resolve() == BUNDLED.resolve()
    assert port != 0 and health.status_code == 200 and code == 0
    assert process.stdout.read() == "" and "digitcli serve: http" not in process.stderr.read()


def test_another_address_without_a_token_is_refused():
    done = run_serve("--host", "0.0.0.0", "--port", "0")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "Error: --host 0.0.0.0 lets other machines in: give --token TOKEN (or set DIGITCLI_TOKEN)"
    ]


@pytest.mark.parametrize("package", ["uvicorn", "starlette"])
def test_without_the_serve_extra_serve_says_how_to_install_it(package):
    hide = f"import sys; sys.modules[{package!r}] = None; import runpy; "
    done = subprocess.run(
        [sys.executable, "-c", hide + "runpy.run_module('digitcli', run_name='__main__')", "serve"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"Error: digitcli serve needs its extra ({package} is missing): "
        "pip install 'digitcli[serve]'"
    ]


def test_a_port_in_use_is_a_one_line_usage_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = run_serve("--port", str(taken.getsockname()[1]))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "cannot listen on 127.0.0.1" in done.stderr


def test_sigterm_lets_the_request_under_way_finish_then_exits_0(tmp_path, photos):
    body_parts = files(photos, *sorted(p.name for p in photos.iterdir()))
    request = httpx.Request("POST", "http://x/v1/predict", files=body_parts)
    body = request.read()
    with running_server(str(BUNDLED), log=tmp_path / "log") as server:
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as connection:
            head = (
                f"POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: {request.headers['content-type']}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            connection.sendall(head.encode() + body[: len(body) // 2])
            answered_after = httpx.get(server.url + "/healthz", timeout=10)  # it has the head
            server.process.send_signal(signal.SIGTERM)
            wait_for(lambda: refuses_connections(port), "the server to stop listening")
            connection.sendall(body[len(body) // 2 :])
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        assert server.process.wait(timeout=30) == 0
    status_line, _, rest = answer.partition(b"\r\n")
    assert answered_after.status_code == 200 and status_line == b"HTTP/1.1 200 OK"
    assert len(json.loads(rest.partition(b"\r\n\r\n")[2])["results"]) == len(body_parts)


@pytest.mark.slow
def test_several_worker_processes_answer(tmp_path, photos):
    with running_server(str(BUNDLED), "--workers", "2", log=tmp_path / "log") as server:
        with server.client() as client:
            answers = [client.post("/v1/predict", files=files(photos, "d0.png")) for _ in range(8)]
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
    assert all(answer.status_code == 200 for answer in answers)
    assert os.path.getsize(tmp_path / "log") > 0


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")  # reaped or a zombie
    except FileNotFoundError:
        return True


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_worker_processes_end_when_the_server_is_killed(tmp_path):
    """kill -9 (or the OOM killer) on `serve --workers 2` leaves no worker holding the port
    and a model's memory."""
    with running_server(str(BUNDLED), "--workers", "2", log=tmp_path / "log") as server:
        workers = wait_for(lambda: _children(server.process.pid), "the worker processes")
        server.process.kill()
        server.process.wait()
        wait_for(lambda: all(map(_gone, workers)), "the workers to end", seconds=10)
