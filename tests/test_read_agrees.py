"""`read` answers as `predict` does where `predict` finds one digit: the same preparation, the
same classifier, the same digit."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app

MNIST = Path(__file__).resolve().parent.parent / "MNIST" / "t10k-images-idx3-ubyte.gz"


def _answers(command: str, files: list[Path]) -> list[dict]:
    result = CliRunner().invoke(app, [command, *map(str, files), "--format", "jsonl"])
    assert result.exit_code in (0, 3), result.output  # 3: some file held no digit
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def test_read_finds_the_faint_digit_predict_finds(tmp_path):
    """MNIST digits drawn 20 grey levels below white paper (a faint pencil scanned light):
    predict reads them, read called every one of them blank."""
    raw = gzip.decompress(MNIST.read_bytes())
    digits = np.frombuffer(raw, np.uint8, 784 * 12, 16).reshape(12, 28, 28)
    files = []
    for index, digit in enumerate(digits):
        faint = np.round(255 - digit.astype(np.float32) * 20 / 255).astype(np.uint8)
        files.append(tmp_path / f"faint_{index}.png")
        Image.fromarray(faint, "L").save(files[-1])
    predicted = _answers("predict", files)
    read = _answers("read", files)
    found = [answer["digit"] for answer in predicted]
    assert sum(digit is not None for digit in found) >= 10
    assert [answer["number"] for answer in read] == [
        None if digit is None else str(digit) for digit in found
    ]
