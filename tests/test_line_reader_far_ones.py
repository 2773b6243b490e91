"""The line reader keeps a plain 1 that stands far from its neighbours.

Real numbers written across a sheet with a fine pen (`0123456789`, `1234`, `3541`, a digit's
height or more apart) lost their 1s to round 15's line reader: a lone straight stroke was, to
it, a register cell's side, the only such stroke its training lines held. Round 29's reader
learnt digits far apart and 1s drawn as one stroke (docs/measurements/reading-numbers.md)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from digitcli.inputs.sources import Source
from digitcli.reading.picture import picture_lines
from digitcli.reading.segment import Line


def write_far_apart(digits: str, gap: float, pen: int, path: Path) -> None:
    """`digits` in a plain printed hand (OpenCV's Hershey simplex, its 1 one stroke and a
    flag), dark on light paper, `gap` of a digit's height (70 px) apart."""
    step = 60 + int(gap * 70)
    paper = np.full((160, 60 + step * len(digits)), 235, np.uint8)
    for place, digit in enumerate(digits):
        at = (30 + place * step, 115)
        cv2.putText(paper, digit, at, cv2.FONT_HERSHEY_SIMPLEX, 2.6, 30, pen, cv2.LINE_AA)
    cv2.imwrite(str(path), paper)


def test_a_one_far_from_its_neighbours_is_read_by_the_line_reader(tmp_path):
    rng = np.random.default_rng(0)
    read = []
    for index in range(60):
        digits = "".join(str(d) for d in rng.integers(0, 10, rng.integers(3, 7)))
        digits = digits if "1" in digits else digits[:1] + "1" + digits[1:]
        path = tmp_path / f"{index}.png"
        write_far_apart(digits, rng.uniform(0.7, 2.0), int(rng.integers(2, 5)), path)
        line = picture_lines(Source(path.name, path=path), "auto")
        assert isinstance(line, Line) and line.read is not None
        read.append("".join(str(digit) for digit, *_ in line.read) == digits)
    assert sum(read) >= 59
