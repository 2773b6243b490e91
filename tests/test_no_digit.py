"""What is not one digit: blank paper (shadows, edges, folds, ruled lines, an empty cell) is
"no digit found" for predict and read; several digits are refused by predict; a page of text
or a row too long to read is no number; one digit reads the same in predict and read."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from typer.testing import CliRunner

from digitcli.cli import app

MNIST = Path(__file__).resolve().parent.parent / "MNIST"
runner = CliRunner()


@pytest.fixture(scope="module")
def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    """MNIST's first 300 test digits (white ink on black) and their labels."""
    raw = gzip.decompress((MNIST / "t10k-images-idx3-ubyte.gz").read_bytes())
    labels = gzip.decompress((MNIST / "t10k-labels-idx1-ubyte.gz").read_bytes())[8:308]
    images = np.frombuffer(raw, np.uint8, count=300 * 784, offset=16).reshape(300, 28, 28)
    return images, np.frombuffer(labels, np.uint8)


def _jsonl(args: list[str]) -> list[dict]:
    done = runner.invoke(app, args)
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_read_a_row_of_100_digits(mnist_test, tmp_path):
    images, labels = mnist_test
    row = np.zeros((40, 3000), np.uint8)
    for i in range(100):
        row[6:34, i * 30 + 1 : i * 30 + 29] = images[i]
    Image.fromarray(255 - row).save(tmp_path / "row.png")
    (answer,) = _jsonl(["read", str(tmp_path / "row.png"), "--format", "jsonl"])
    truth = "".join(str(d) for d in labels[:100])
    assert answer["number"] is not None, answer
    assert len(answer["number"]) == 100
    assert sum(a == b for a, b in zip(answer["number"], truth, strict=True)) >= 95


def test_read_a_row_of_300_small_digits_is_too_many(mnist_test, tmp_path):
    images, _ = mnist_test
    row = np.full((40, 3000), 255, np.uint8)
    for i in range(300):
        small = np.asarray(Image.fromarray(images[i]).resize((10, 10), Image.BILINEAR))
        row[15:25, i * 10 : i * 10 + 10] = 255 - small
    Image.fromarray(row).save(tmp_path / "row.png")
    (answer,) = _jsonl(["read", str(tmp_path / "row.png"), "--format", "jsonl"])
    assert "blank" not in json.dumps(answer)
    assert answer["error"].startswith("too many digits, or digits too small")


def test_read_a_page_of_printed_text_is_no_number(tmp_path):
    page = Image.new("L", (1000, 1300), 245)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=22)
    for i in range(40):
        draw.text((40, 30 + 31 * i), "The quick brown fox jumps over the lazy dog", 20, font)
    page.save(tmp_path / "page.png")
    (answer,) = _jsonl(["read", str(tmp_path / "page.png"), "--format", "jsonl"])
    assert answer["number"] is None
    assert answer["note"].startswith("no number")
