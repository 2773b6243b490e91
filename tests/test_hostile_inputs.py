"""Hostile inputs (issue 50): named pipes, endless pipes, trailing bytes, small files that decode
huge, a worker killed. Each ends in an answer or an error row per input, the rest answered."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from digitcli.core.errors import ImageError
from digitcli.imaging.decoding import MAX_INPUT_BYTES
from digitcli.inputs.batches import _may_fork, prepared_batches
from digitcli.inputs.workers import LOST

from conftest import in_a_fresh_process, started_workers, subprocess_env
from inprocess import digitcli
from mnist_files import real_digits

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / "bench" / kind)
    for kind in (".", "build", "checks", "perf")
]
from hostile_memory import measured  # noqa: E402


def rows(done: subprocess.CompletedProcess) -> dict[str, dict]:
    assert b"Traceback" not in done.stderr and b"unexpected" not in done.stderr, done.stderr
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    return {Path(row["file"]).name: row for row in lines}


@pytest.fixture
def ok_png(tmp_path: Path) -> Path:
    """A real MNIST training digit, which `predict` answers at once: a made stroke over noise
    was asked of `read` too, 60 ms a picture (the worker-kill test's 1,500: 100 s)."""
    x, _ = real_digits(1, seed=5)
    path = tmp_path / "ok.png"
    Image.fromarray(x[0]).save(path)
    return path


def test_a_fifo_in_a_folder_is_an_error_row_not_a_hang(tiny_model, tmp_path, ok_png):
    folder = tmp_path / "d"
    folder.mkdir()
    ok_png.rename(folder / "ok.png")
    os.mkfifo(folder / "m.png")
    done = digitcli("predict", str(folder), "--model", str(tiny_model), "--format", "jsonl")
    answered = rows(done)
    assert done.returncode == 1
    assert "digit" in answered["ok.png"]
    assert "empty" in answered["m.png"]["error"]


def test_a_named_fifo_among_the_inputs_is_an_error_row(tiny_model, tmp_path, ok_png):
    os.mkfifo(tmp_path / "fifo.png")
    done = digitcli("predict", str(tmp_path / "fifo.png"), str(ok_png), "--model",
                    str(tiny_model), "--format", "jsonl")  # fmt: skip
    answered = rows(done)
    assert done.returncode == 1
    assert "error" in answered["fifo.png"] and "digit" in answered["ok.png"]


def test_read_from_a_list_that_is_a_fifo_or_names_one(tiny_model, tmp_path, ok_png):
    os.mkfifo(tmp_path / "list")
    done = digitcli("read", "--from-list", str(tmp_path / "list"), "--model", str(tiny_model))
    assert done.returncode == 2 and b"no images found" in done.stderr
    os.mkfifo(tmp_path / "m.png")
    listing = tmp_path / "list.txt"
    listing.write_text(f"{tmp_path / 'm.png'}\n{ok_png}\n")
    done = digitcli("read", "--from-list", str(listing), "--model", str(tiny_model),
                    "--format", "jsonl")  # fmt: skip
    answered = rows(done)
    assert "error" in answered["m.png"] and "number" in answered["ok.png"]


def test_a_pipe_is_read_up_to_the_limit_only(tiny_model, ok_png):
    # `predict <(cat ok.png; head -c 1000M /dev/zero)`, as a user's shell runs it
    script = (
        f'exec "$0" -m digitcli predict <(cat {ok_png}; head -c 1000M /dev/zero) {ok_png} '
        f"--model {tiny_model} --format jsonl"
    )
    start = time.monotonic()
    done = subprocess.run(["bash", "-c", script, sys.executable], capture_output=True,
                          env=subprocess_env(), timeout=60)  # fmt: skip
    assert time.monotonic() - start < 20
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert done.returncode == 1, done.stderr
    assert f"more than {MAX_INPUT_BYTES // 2**20} MB" in lines[0]["error"]
    assert "digit" in lines[1]


def test_a_file_over_the_limit_is_refused_unread(tiny_model, tmp_path, ok_png):
    padded = tmp_path / "padded.png"
    with open(padded, "wb") as file:  # a valid PNG, then 200 MB of zeros (sparse: no disk)
        file.write(ok_png.read_bytes())
        file.truncate(200 * 2**20)
    start = time.monotonic()
    done = digitcli("predict", str(padded), str(ok_png), "--model", str(tiny_model),
                    "--format", "jsonl")  # fmt: skip
    assert time.monotonic() - start < 20
    answered = rows(done)
    assert "more than" in answered["padded.png"]["error"] and "digit" in answered["ok.png"]


def huge_png(side: int, depth: int, colour: int) -> bytes:
    """A side x side PNG of zeros, a few hundred KB that decode to hundreds of MB."""
    channels = {0: 1, 6: 4}[colour]
    row = bytes(1 + side * channels * depth // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, depth, colour, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("depth", "colour"), [(8, 6), (16, 0)], ids=["rgba", "grey16"])
def test_a_small_file_that_decodes_huge_is_refused_before_decoding(
    tiny_model, tmp_path, ok_png, depth, colour
):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(huge_png(10_950, depth, colour))
    assert bomb.stat().st_size < 2 * 2**20
    command = [sys.executable, "-m", "digitcli", "predict", str(bomb), str(ok_png), "--model",
               str(tiny_model), "--format", "jsonl"]  # fmt: skip
    done, peak_mb = run_measured(command, tmp_path)
    answered = rows(done)
    assert "too large" in answered["bomb.png"]["error"] and "digit" in answered["ok.png"]
    assert peak_mb < 400


def run_measured(command: list[str], folder: Path) -> tuple[subprocess.CompletedProcess, float]:
    """`command` run to its end, and its own peak memory in MB: measured by a small process
    of its own (Linux keeps the high-water mark across exec: started from this test's
    process, with TensorFlow loaded by a fixture, any child's peak was 900 MB)."""
    peak = folder / "peak"
    done = subprocess.run(measured(command, peak), capture_output=True, env=subprocess_env(),
                          timeout=120)  # fmt: skip
    return done, int(peak.read_text()) / 1024


def _kill_on_bomb(source):
    """Work for worker processes: the OOM killer's answer to one file, every time."""
    if source.name.endswith("bomb.png"):
        os.kill(os.getpid(), signal.SIGKILL)
    return source.name


def _batch_with_a_bomb(names: list[str]) -> list:
    assert _may_fork(), "this process may not fork: the bomb would kill it"
    [(batch, done)] = list(prepared_batches(names, None, _kill_on_bomb, 64))
    return done


def test_a_killed_worker_costs_its_file_an_error_row_not_the_batch(tmp_path):
    names = [str(tmp_path / f"{i:02d}.png") for i in range(40)]
    names[13] = str(tmp_path / "bomb.png")
    done = in_a_fresh_process(_batch_with_a_bomb, names)
    assert len(done) == 40
    assert isinstance(done[13], ImageError) and LOST in str(done[13])
    assert [d for i, d in enumerate(done) if i != 13] == [n for i, n in enumerate(names) if i != 13]


def test_predict_survives_a_worker_killed_from_outside(tiny_model, tmp_path, ok_png):
    listing = tmp_path / "list.txt"
    listing.write_text(f"{ok_png}\n" * 1500)
    main = subprocess.Popen(
        [sys.executable, "-m", "digitcli", "predict", "--from-list", str(listing), "--model",
         str(tiny_model), "--format", "plain"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env(),
    )  # fmt: skip
    workers = started_workers(main)
    assert workers, "predict started no workers"
    os.kill(workers[0], signal.SIGKILL)
    out, err = main.communicate(timeout=120)
    assert b"BrokenProcessPool" not in err and b"Traceback" not in err, err
    assert main.returncode in (0, 1), err
    assert len(out.decode().splitlines()) == 1500


@pytest.mark.slow  # starts a server of its own, with a low limit
def test_serve_refuses_a_request_that_would_decode_too_much(tmp_path, ok_png):
    from serving import BUNDLED, running_server

    grey = huge_png(10_000, 8, 0)  # 141 KB, 100 MB decoded: one is answered, three are too many
    with running_server(str(BUNDLED), log=tmp_path / "serve.log") as server:
        with server.client() as client:
            one = client.post("/v1/predict", files=[("file", ("grey.png", grey))])
            start = time.monotonic()
            three = client.post("/v1/predict", files=[("file", ("grey.png", grey))] * 3)
            seconds = time.monotonic() - start
            bomb = huge_png(10_950, 8, 6)
            rgba = client.post("/v1/predict", files=[("file", ("bomb.png", bomb))] * 20)
    assert one.status_code == 200, one.text
    assert three.status_code == 413 and "decode to about" in three.json()["error"]
    assert seconds < 2
    assert rgba.status_code == 413


def test_a_pipe_whose_writer_stays_silent_is_given_up(tmp_path, monkeypatch):
    from digitcli.imaging import decoding

    monkeypatch.setattr(decoding, "PIPE_TIMEOUT", 0.3)
    fifo = tmp_path / "silent.png"
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)  # a writer that never writes
    try:
        start = time.monotonic()
        with pytest.raises(ImageError, match="nothing arrived in 0.3 s"):
            decoding.read_input(str(fifo), "silent.png")
        assert time.monotonic() - start < 5
    finally:
        os.close(writer)
