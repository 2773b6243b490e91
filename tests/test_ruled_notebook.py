"""Ruled lines photographed askew are background, like the paper: a thin pen's digit on ruled
notebook paper is read, the paper alone is blank."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from digitcli.imaging.images import prepare

MNIST = Path(__file__).resolve().parent.parent / "MNIST" / "t10k-images-idx3-ubyte.gz"


def _mnist(count: int) -> np.ndarray:
    raw = gzip.decompress(MNIST.read_bytes())
    return np.frombuffer(raw, np.uint8, 784 * count, 16).reshape(count, 28, 28)


def notebook_photo(strokes: list[list[tuple[int, int]]], pen: int = 4) -> Image.Image:
    """A phone photo of ruled notebook paper, 1400x600, its lines 1.4 degrees askew, with
    `strokes` (polylines) written in a thin pen `pen` px wide."""
    rng = np.random.default_rng(0)
    w, h = 1400, 600
    lines = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(lines)
    slope = np.tan(np.radians(1.4))
    for y in range(40, h + 40, 110):
        draw.line([(0, y - slope * w / 2), (w, y + slope * w / 2)], fill=255, width=3)
    ink = Image.new("L", (w, h), 0)
    for stroke in strokes:
        ImageDraw.Draw(ink).line(stroke, fill=255, width=pen, joint="curve")
    paper = 215.0 + 10.0 * np.linspace(-1, 1, w)[None, :] + rng.normal(0, 3, (h, w))
    paper -= 70.0 * np.asarray(lines, np.float32) / 255
    paper = paper * (1 - 0.75 * np.asarray(ink, np.float32) / 255)
    return Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L")


SEVEN = [[(620, 170), (750, 165), (670, 390)]]  # crossing a ruled line


def test_a_pen_digit_on_ruled_notebook_paper_is_no_blank():
    """Issue 67: a thin pen's digit joins the askew lines, and the picture was answered "the
    image is blank" (the lines ran off the picture). The lines are background now."""
    prepared = prepare(notebook_photo(SEVEN))
    assert prepared.has_ink and not prepared.several


def test_ruled_notebook_paper_alone_is_no_digit():
    assert not prepare(notebook_photo([])).has_ink
