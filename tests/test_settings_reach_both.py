"""A setting put in force reaches `predict` and `read` alike: no stage keeps a copy of it made
at import (`reading/ink.py`, `formlines.py` and the sheet finder once did, so a changed
min_contrast moved `predict`'s ink and not `read`'s)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.imaging import settings as preparation
from digitcli.imaging import verdict
from digitcli.imaging.images import prepare
from digitcli.reading.ink import ink_signal

MNIST = Path(__file__).resolve().parent.parent / "MNIST" / "t10k-images-idx3-ubyte.gz"


def _pale_seven() -> Image.Image:
    """MNIST's first test digit (a 7), 40 grey levels darker than its paper, 112 px a side."""
    raw = gzip.decompress(MNIST.read_bytes())
    digit = np.frombuffer(raw, np.uint8, 784, 16).reshape(28, 28).astype(np.float32)
    paper = 220.0 - digit * 40.0 / 255.0
    noise = np.random.default_rng(0).normal(0, 1.0, (112, 112))
    big = np.asarray(Image.fromarray(paper, "F").resize((112, 112), Image.Resampling.BILINEAR))
    return Image.fromarray(np.clip(big + noise, 0, 255).astype(np.uint8), "L")


def _answer(command: str, path: Path) -> dict:
    result = CliRunner().invoke(app, [command, str(path), "--format", "jsonl"])
    assert result.exit_code in (0, 3), result.output
    return json.loads(result.output.splitlines()[0])


def test_a_raised_min_contrast_reaches_both_inks():
    seven = _pale_seven()
    assert prepare(seven).has_ink and ink_signal(seven)[1].any()
    with preparation.overridden(min_contrast=80.0, faintest_ink=80.0):
        assert not prepare(seven).has_ink
        assert not ink_signal(seven)[1].any()


def test_a_raised_min_contrast_reaches_both_commands(tmp_path):
    path = tmp_path / "seven.png"
    _pale_seven().save(path)
    assert _answer("predict", path)["digit"] == 7
    assert _answer("read", path)["number"] == "7"
    with preparation.overridden(min_contrast=80.0, faintest_ink=80.0):
        assert _answer("predict", path)["note"] == verdict.BLANK
        assert _answer("read", path)["note"] == verdict.BLANK
