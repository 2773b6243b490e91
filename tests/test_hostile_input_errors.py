"""What a hostile user found in 0.6.8 (issue 71, "Hardening, round 3"): each case ends in a
per-file error row or one clear line and the documented exit code, never "unexpected ...",
a traceback, a 500 or raw terminal control codes."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app

runner = CliRunner()

# Pictures the fuzzing of issue 71 found crashing preparation: the sheet finder took each for a
# sheet and cut an empty piece out of it (an MNIST "1" shrunk to 11x11; a dark stroke on a
# 3-pixel-wide strip; an MNIST "1" shrunk to 8x8).
CRASHED = {
    "one-11x11.png": [
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 29, 13, 0, 0, 0, 0],
        [0, 0, 0, 0, 4, 97, 31, 0, 0, 0, 0], [0, 0, 0, 0, 7, 132, 44, 0, 0, 0, 0],
        [0, 0, 0, 0, 9, 136, 35, 0, 0, 0, 0], [0, 0, 0, 0, 9, 128, 25, 0, 0, 0, 0],
        [0, 0, 0, 0, 18, 127, 14, 0, 0, 0, 0], [0, 0, 0, 0, 26, 124, 9, 0, 0, 0, 0],
        [0, 0, 0, 0, 40, 102, 3, 0, 0, 0, 0], [0, 0, 0, 0, 18, 36, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ],
    "strip-3x12.png": [
        [255, 255, 255], [255, 255, 255], [255, 225, 246], [251, 184, 242], [246, 192, 247],
        [239, 194, 247], [211, 128, 248], [229, 165, 233], [255, 221, 242], [255, 226, 247],
        [255, 237, 250], [255, 255, 255],
    ],
    "one-8x8.png": [
        [0, 0, 0, 4, 5, 0, 0, 0], [0, 0, 0, 34, 72, 0, 0, 0], [0, 0, 0, 41, 108, 0, 0, 0],
        [0, 0, 0, 38, 114, 1, 0, 0], [0, 0, 0, 38, 127, 2, 0, 0], [0, 0, 0, 38, 127, 2, 0, 0],
        [0, 0, 0, 29, 103, 3, 0, 0], [0, 0, 0, 2, 8, 0, 0, 0],
    ],
}  # fmt: skip


def png_bytes(pixels) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(pixels, dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def a_digit() -> np.ndarray:
    """A plain "1": dark ink on light paper, 28x28."""
    pixels = np.full((28, 28), 255, np.uint8)
    pixels[5:23, 13:15] = 0
    return pixels


def crashed_and_good(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name, pixels in CRASHED.items():
        (folder / name).write_bytes(png_bytes(pixels))
    (folder / "good.png").write_bytes(png_bytes(a_digit()))
    return folder


# 1. One small or odd picture never crashes a batch.


@pytest.mark.parametrize("name", sorted(CRASHED))
def test_the_sheet_finder_never_cuts_an_empty_piece(name):
    from digitcli.imaging.opening import open_image
    from digitcli.imaging.sheet import on_the_sheet

    found = on_the_sheet(open_image(png_bytes(CRASHED[name])))
    assert found is None or (found[0].width > 0 and found[0].height > 0)


@pytest.mark.parametrize("command", ["predict", "read"])
def test_tiny_pictures_are_answered_with_the_rest_of_their_folder(tmp_path, command):
    folder = crashed_and_good(tmp_path / "pictures")
    result = runner.invoke(app, [command, str(folder), "-f", "csv"])
    assert "unexpected" not in result.output
    assert result.exit_code in (0, 1, 3), result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(CRASHED) + 1
    good = next(row for row in rows if row["file"].endswith("good.png"))
    assert good[{"predict": "digit", "read": "number"}[command]] == "1"


@pytest.mark.parametrize("command", ["predict", "read"])
def test_a_failure_preparing_one_file_is_that_files_error_row(tmp_path, monkeypatch, command):
    """Whatever goes wrong with one picture is its own error row; the others are answered."""
    from digitcli.imaging.opening import Picture

    folder = crashed_and_good(tmp_path / "pictures")
    (folder / "cursed.png").write_bytes(png_bytes(a_digit()))
    opened = Picture.at

    def failing(picture, *args, **kwargs):
        if "cursed" in picture.label:
            raise ValueError("a bug in preparation")
        return opened(picture, *args, **kwargs)

    monkeypatch.setattr(Picture, "at", failing)
    result = runner.invoke(app, [command, str(folder), "-f", "csv"])
    assert result.exit_code == 1, result.output
    rows = csv.DictReader(io.StringIO(result.stdout))
    rows = {row["file"].rsplit("/", 1)[-1]: row for row in rows}
    assert "internal error (ValueError: a bug in preparation)" in json.dumps(rows["cursed.png"])
    assert rows["good.png"][{"predict": "digit", "read": "number"}[command]] == "1"


def test_an_image_folder_with_tiny_pictures_loads(tmp_path):
    """What `train --data` and `evaluate --data` load."""
    from digitcli.datasets.imagefolder import load_image_folder

    for digit in range(10):
        crashed_and_good(tmp_path / "data" / str(digit))
    images = load_image_folder(tmp_path / "data")
    assert len(images.y) >= 10


@pytest.fixture(scope="module")
def client():
    from starlette.testclient import TestClient

    from digitcli.serve.app import create_app

    with TestClient(create_app(None, access_log=False)) as client:
        yield client


@pytest.mark.parametrize("route", ["/v1/predict", "/v1/read"])
def test_serve_answers_the_good_image_beside_a_tiny_one(client, route):
    files = [("file", (name, png_bytes(pixels), "image/png")) for name, pixels in CRASHED.items()]
    files.append(("file", ("good.png", png_bytes(a_digit()), "image/png")))
    response = client.post(route, files=files)
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]) == len(CRASHED) + 1


# 2. The decode guard counts what each row and each working copy holds.


def grey_png(width: int, height: int, *, pixels: bool = True) -> bytes:
    """A white grey PNG, its rows compressed as they are made; without `pixels`, its header
    alone (what the decode guard reads)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = b""
    if pixels:
        rows = (b"\0" + b"\xff" * width) * height
        data = zlib.compress(rows, 9)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(1, 100_000_000), (3, 39_000_000)])
def test_tall_thin_pictures_are_refused_before_decoding(size):
    from digitcli.core.errors import ImageError
    from digitcli.imaging.decoding import MAX_DECODED_BYTES, decoded_bytes
    from digitcli.imaging.opening import open_image

    header = grey_png(*size, pixels=False)
    assert decoded_bytes(header) > MAX_DECODED_BYTES
    with pytest.raises(ImageError, match="too large to decode"):
        open_image(header, name="tall.png")


def test_a_png_taller_than_libpng_allows_leaves_no_libpng_text(capfd):
    from digitcli.imaging.opening import open_image

    image = open_image(grey_png(1, 1_200_000), name="tall.png")
    assert image.info["source_size"] == (1, 1_200_000)
    assert "libpng" not in capfd.readouterr().err


def test_a_png_libpng_warns_about_leaves_no_libpng_text(capfd):
    """libpng writes its warnings (a too-short iCCP profile) to descriptor 2 itself: in a
    terminal or a piped stderr they sat among digitcli's own lines."""
    from digitcli.imaging.opening import open_image

    image = open_image(png_with_a_short_icc_profile(), name="iccp.png")
    assert image.size == (28, 28)
    assert "libpng" not in capfd.readouterr().err


# 3. Terminal control codes in file names never reach the terminal.

HOSTILE_NAMES = ["esc\x1b[31m.png", "clear\x1b[2J.png", "title\x1b]0;pwned\x07.png", "nl\nrow.png"]


def hostile_folder(folder):
    folder.mkdir()
    for name in HOSTILE_NAMES:
        (folder / name).write_bytes(png_bytes(a_digit()))
    return folder


@pytest.mark.parametrize("command", ["predict", "read"])
@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "terminal"])
def test_control_codes_in_names_are_escaped_in_tables(tmp_path, monkeypatch, command, terminal):
    if terminal:
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.setenv("COLUMNS", "200")
    folder = hostile_folder(tmp_path / "names")
    result = runner.invoke(app, [command, str(folder), "-f", "table"])
    for raw in ("\x1b[31m.png", "\x1b[2J", "\x1b]0;pwned", "\x07", "nl\nrow"):
        assert raw not in result.stdout
    assert "\\x1b[2J" in result.stdout
    if not terminal:  # one line a row: the header and one row per file
        assert len(result.stdout.splitlines()) == 1 + len(HOSTILE_NAMES)


def test_control_codes_in_names_are_escaped_in_error_lines(tmp_path):
    missing = str(tmp_path / "gone\x1b]0;pwned\x07\x1b[2J.png")
    result = runner.invoke(app, ["predict", missing, str(tmp_path / "nl\nx.png")])
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2 and "\\x1b]0;pwned\\x07" in errors[0]


# 4. CSV quotes a field holding a carriage return.


@pytest.mark.parametrize("command", ["predict", "read"])
def test_a_carriage_return_in_a_name_is_quoted_in_csv(tmp_path, command):
    folder = tmp_path / "weird"
    folder.mkdir()
    (folder / "cr\rx.png").write_bytes(png_bytes(a_digit()))
    (folder / "plain.png").write_bytes(png_bytes(a_digit()))
    result = runner.invoke(app, [command, str(folder), "-f", "csv"])
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert [row[0].rsplit("/", 1)[-1] for row in rows[1:]] == ["cr\rx.png", "plain.png"]
    assert '"' + str(folder / "cr\rx.png") + '"' in result.stdout


# 5. A broken model is flagged in `models` and never chosen as the default.


def trained_copy(models, name: str, *, age: int):
    """The bundled model's metadata and LiteRT file as a trained model, `age` seconds old."""
    import os
    import shutil
    import time

    from digitcli.models.modeldir import BUNDLED_DIR

    folder = models / name
    folder.mkdir(parents=True)
    for file in ("metadata.json", "model.tflite"):
        shutil.copy(BUNDLED_DIR / file, folder / file)
        when = time.time() - age
        os.utime(folder / file, (when, when))
    return folder


@pytest.mark.parametrize("broken", ["truncated", "format-99"])
@pytest.mark.default_model
def test_a_broken_model_is_flagged_and_not_chosen(isolated, broken):
    models = isolated / "models"
    trained_copy(models, "good", age=100)
    bad = trained_copy(models, "bad", age=10)
    if broken == "truncated":
        data = (bad / "model.tflite").read_bytes()
        (bad / "model.tflite").write_bytes(data[: len(data) // 20])
    else:
        metadata = json.loads((bad / "metadata.json").read_text())
        (bad / "metadata.json").write_text(json.dumps({**metadata, "format_version": 99}))
    listed = json.loads(runner.invoke(app, ["models", "--json"]).stdout)
    rows = {row["name"]: row for row in listed}
    assert rows["bad"]["problem"] and not rows["bad"]["default"]
    assert rows["good"]["default"]
    plain = runner.invoke(app, ["models"]).stdout
    assert "broken" in next(line for line in plain.splitlines() if line.startswith("bad\t"))
    result = runner.invoke(app, ["predict", "-f", "csv", "-"], input=png_bytes(a_digit()))
    assert result.exit_code == 0, result.output
    assert "model: good" in result.stderr


# 6. An output that cannot be written is refused first, in one line, with exit 2.


def refuse_loading_data(monkeypatch):
    """Loading the data is the expensive work that a refusal must come before. `train` loads
    it in splits.py (`run_images`), which imports no TensorFlow: patched whatever this worker
    imported before."""
    import digitcli.exporting.export as export
    import digitcli.training.splits as splits

    def too_late(*args, **kwargs):
        raise AssertionError("the data was loaded before the output was checked")

    monkeypatch.setattr(export, "load_dataset", too_late)
    monkeypatch.setattr(splits, "load_dataset", too_late)


def read_only_folder(tmp_path):
    import os

    if os.geteuid() == 0:  # root writes anywhere but in /proc
        return "/proc"
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    return str(folder)


@pytest.mark.parametrize(
    "args",
    [
        ["export", "bundled", "-f", "tflite-f16", "-o", "{ro}/x.tflite"],
        ["train", "--epochs", "1", "-o", "{ro}/m"],
        ["train", "--epochs", "1", "-o", "{ro}/deeper/m"],
        ["train", "--epochs", "1"],
    ],
    ids=["export", "train", "train-deeper", "train-models-env"],
)
def test_an_unwritable_output_is_refused_before_the_work(tmp_path, monkeypatch, args):
    ro = read_only_folder(tmp_path)
    monkeypatch.setenv("DIGITCLI_MODELS", f"{ro}/digits")
    refuse_loading_data(monkeypatch)
    result = runner.invoke(app, [arg.format(ro=ro) for arg in args])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "cannot write" in errors[0] and "unexpected" not in errors[0]


# 7. and 9. `serve`: an empty token is refused; more workers than cores are capped, with a warning.


@pytest.fixture
def busy_port():
    """A port something else listens on: `serve` gets past its checks, then stops there."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        yield str(taken.getsockname()[1])


def test_serve_refuses_an_empty_token(busy_port):
    result = runner.invoke(app, ["serve", "--token", "", "--port", busy_port])
    assert result.exit_code == 2
    assert "--token" in result.stderr and "empty" in result.stderr


def test_serve_caps_workers_at_the_cores_with_a_warning(busy_port):
    import os

    cores = len(os.sched_getaffinity(0))
    if cores >= 64:
        pytest.skip("a machine with 64 cores or more")
    result = runner.invoke(app, ["serve", "--workers", "64", "--port", busy_port])
    assert result.exit_code == 2  # the port in use, after the warning
    assert f"serving with {cores}" in result.stderr


# 10. NUL-separated lists (find -print0): read with --from-list0 / -0, refused as a --from-list.


def listed_pictures(folder) -> bytes:
    folder.mkdir()
    names = ["a.png", "with\nnewline.png", "c.png"]
    for name in names:
        (folder / name).write_bytes(png_bytes(a_digit()))
    return b"".join(str(folder / name).encode() + b"\0" for name in names)


@pytest.mark.parametrize("option", ["--from-list0", "-0"])
@pytest.mark.parametrize("command", ["predict", "read"])
def test_a_nul_separated_list_is_read_with_from_list0(tmp_path, command, option):
    listing = listed_pictures(tmp_path / "found")
    result = runner.invoke(app, [command, option, "-", "-f", "csv"], input=listing)
    assert result.exit_code == 0, result.output
    files = [row["file"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert files == [name.decode() for name in listing.split(b"\0")[:-1]]


def test_a_nul_in_a_newline_list_says_to_use_from_list0(tmp_path):
    listing = listed_pictures(tmp_path / "found")
    result = runner.invoke(app, ["predict", "--from-list", "-", "-f", "csv"], input=listing)
    assert result.exit_code == 1
    assert "NUL" in result.stderr and "--from-list0" in result.stderr


# 11. `train --data` names what it left out and why, and checks the data before TensorFlow.


def digit_tree(root):
    for digit in range(10):
        (root / str(digit)).mkdir(parents=True)
        (root / str(digit) / "a.png").write_bytes(png_bytes(a_digit()))
    return root


def test_an_image_folder_names_what_it_left_out(tmp_path):
    from digitcli.datasets.data import load_dataset

    root = digit_tree(tmp_path / "data")
    (root / "10").mkdir()
    (root / "x").mkdir()
    (root / "3" / "sub").mkdir()
    (root / "3" / "gone.png").symlink_to(root / "nowhere.png")
    (root / "3" / "photo.avif").write_bytes(b"not read from folders")
    (root / "3" / ".DS_Store").write_bytes(b"")
    dataset = load_dataset(root, role="train")
    said = ["10/ (not a digit folder", "x/ (not a digit folder", "3/sub (a sub-folder",
            "3/gone.png (a link to nothing", "3/photo.avif (not an image file name"]  # fmt: skip
    for each in said:
        assert each in dataset.source
    assert ".DS_Store" not in dataset.source


def test_a_looping_digit_folder_is_named_as_a_loop(tmp_path):
    from digitcli.core.errors import DataError
    from digitcli.datasets.imagefolder import survey

    root = digit_tree(tmp_path / "data")
    (root / "3" / "a.png").unlink()
    (root / "3").rmdir()
    (root / "3").symlink_to(root / "3")
    with pytest.raises(DataError, match=r"digit 3 .*3 \(a link that loops\)"):
        survey(root)


def test_train_checks_the_data_before_loading_tensorflow(tmp_path):
    from conftest import digitcli_watched

    root = digit_tree(tmp_path / "data")
    (root / "7" / "a.png").unlink()
    (root / "7").rmdir()
    done, tensorflow = digitcli_watched("train", "--data", str(root), "-o", str(tmp_path / "m"))
    assert done.returncode == 2, done.stderr
    assert "no folder for digit 7" in done.stderr
    assert not tensorflow  # TensorFlow never imported


# 8. `serve`'s protocol edges.


def png_with_a_short_icc_profile() -> bytes:
    """A PNG that decodes, with an iCCP chunk too short to be a profile: libpng warns on
    stderr ("libpng warning: iCCP: too short")."""
    import struct
    import zlib

    png = png_bytes(np.full((28, 28), 255, np.uint8))
    profile = b"x\0\0" + zlib.compress(bytes(10))
    crc = zlib.crc32(b"iCCP" + profile)
    iccp = struct.pack(">I", len(profile)) + b"iCCP" + profile + struct.pack(">I", crc)
    return png[:33] + iccp + png[33:]


def multipart(parts: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart body of (Content-Disposition parameters, content) parts, and its type."""
    body = b""
    for disposition, content in parts:
        body += b"--b0undary\r\nContent-Disposition: form-data; " + disposition.encode()
        body += b"\r\nContent-Type: image/png\r\n\r\n" + content + b"\r\n"
    return body + b"--b0undary--\r\n", "multipart/form-data; boundary=b0undary"


def test_a_file_part_without_a_filename_gets_a_precise_message(client):
    body, kind = multipart([('name="file"', png_bytes(a_digit()))])
    response = client.post("/v1/predict", content=body, headers={"content-type": kind})
    assert response.status_code == 400
    assert "filename" in response.json()["error"]


def test_answers_name_the_model_without_its_path_on_the_server(client):
    from digitcli.models.modeldir import BUNDLED_DIR

    files = [("file", ("one.png", png_bytes(a_digit()), "image/png"))]
    for route in ("/v1/predict", "/v1/read"):
        response = client.post(route, files=files)
        assert response.json()["results"][0]["model"]["name"] == "bundled"
        assert str(BUNDLED_DIR) not in response.text
    assert str(BUNDLED_DIR) not in client.get("/v1/model").text


def test_a_body_shorter_than_its_length_is_answered_503_after_the_timeout(monkeypatch):
    import asyncio

    import digitcli.serve.uploads as uploads
    from digitcli.serve.app import create_app

    monkeypatch.setattr(uploads, "BODY_SECONDS", 0.2)
    app = create_app(None, access_log=False)
    sent: list[dict] = []
    first = [{"type": "http.request", "body": b"\x89PNG", "more_body": True}]

    async def receive() -> dict:
        if first:
            return first.pop()
        await asyncio.sleep(3600)  # the rest of the body never comes

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": "POST", "path": "/v1/predict", "raw_path": b"/v1/predict",
        "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
        "headers": [(b"content-type", b"image/png"), (b"content-length", b"1000")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 10))
    assert sent[0]["status"] == 503
    assert b"0.2 s" in sent[1]["body"]


def test_serve_answers_huge_headers_and_urls_and_keeps_native_warnings_out_of_its_log(tmp_path):
    import socket

    from serving import BUNDLED, running_server

    def status_of(request: bytes, port: int) -> int:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(request)
            answer = connection.recv(65536)
        return int(answer.split(b" ", 2)[1]) if answer else 0

    with running_server(str(BUNDLED), log=tmp_path / "log") as server:
        header = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
        assert status_of(header, server.port) == 431
        url = b"GET /healthz?" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        assert status_of(url, server.port) == 414
        files = [("file", ("icc.png", png_with_a_short_icc_profile(), "image/png"))]
        with server.client() as http:
            assert http.post("/v1/predict", files=files).status_code == 200
    lines = (tmp_path / "log").read_text().splitlines()
    assert lines and all(line.startswith(("digitcli serve:", "GET ", "POST ")) for line in lines)


def test_a_truncated_keras_file_is_refused_before_loading_tensorflow(tmp_path):
    """A `.keras` file cut short is no zip archive: said in a second, not after TensorFlow's
    seconds of import."""
    import subprocess
    import sys

    from conftest import subprocess_env

    cut = tmp_path / "cut.keras"
    from conftest import FIXTURES

    cut.write_bytes((FIXTURES / "tiny-mlp" / "model.keras").read_bytes()[:5000])
    watch = (
        "import sys\nfrom pathlib import Path\n"
        "from digitcli.core.errors import ModelError\n"
        "from digitcli.models.runtimes import load_runtime\n"
        "try:\n    load_runtime(Path(sys.argv[1]))\n"
        "except ModelError as error:\n    print(error)\n"
        "print('tensorflow' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", watch, str(cut)],
        capture_output=True, text=True, env=subprocess_env(), timeout=120,
    )  # fmt: skip
    assert "not a zip archive" in done.stdout, done.stderr
    assert done.stdout.strip().endswith("False")  # TensorFlow never imported


def test_a_file_that_is_no_image_is_named_so_without_naming_a_decoder(tmp_path):
    """Text saved as .png is "not an image" in a line of digitcli's own words: which library
    failed to decode it (OpenCV or Pillow) is nothing the user chose or can act on."""
    (tmp_path / "notes.png").write_text("a shopping list, not a picture\n")
    result = runner.invoke(app, ["predict", str(tmp_path / "notes.png")])
    assert result.exit_code != 0
    line = [text for text in result.output.splitlines() if "notes.png" in text][0]
    assert "not an image" in line and "digitcli" in line
    assert "Pillow" not in result.output and "OpenCV" not in result.output
