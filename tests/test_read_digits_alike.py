"""`read`: a number whose digits do not look written alike (another size, another ink) is
answered with less confidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from mnist_files import one_stroke_test_digits

runner = CliRunner()


@pytest.fixture(scope="module")
def mnist_digits() -> dict[int, list[np.ndarray]]:
    return one_stroke_test_digits()


def _on_a_grey_tile(path: Path, box: tuple[int, int, int, int], out: Path) -> Path:
    """The picture at `path` with the digit in `box` on a light grey photo tile: paper 170, its
    ink 130 where the rest is paper 235 and ink 25."""
    paper = np.asarray(Image.open(path), float).copy()
    left, top, right, bottom = box
    tile = paper[top - 18 : bottom + 18, left - 18 : right + 18]
    ink = np.clip((235 - tile) / 210, 0, 1)
    paper[top - 18 : bottom + 18, left - 18 : right + 18] = 170 - 40 * ink
    Image.fromarray(paper.astype(np.uint8), "L").save(out)
    return out


def test_a_digit_on_a_grey_tile_lowers_the_numbers_confidence(
    mnist_digits: dict[int, list[np.ndarray]], tmp_path: Path
) -> None:
    from test_read import write_number

    from digitcli.reading.read import read

    truth = write_number(mnist_digits, "2026", tmp_path / "plain.png")
    tiled = _on_a_grey_tile(tmp_path / "plain.png", truth[1], tmp_path / "tiled.png")
    plain, odd = read([str(tmp_path / "plain.png"), str(tiled)])
    assert plain.number == "2026"
    assert plain.confidence == round(float(np.prod([d.confidence for d in plain.digits])), 6)
    assert odd.confidence < 0.6  # was "226" at 0.99996: the tile's 0 missed


def test_digits_of_other_sizes_or_ink_are_not_alike() -> None:
    from digitcli.reading.consistency import SmallCopy, alike

    def zeros(ink: tuple[int, ...], heights: tuple[int, ...]) -> SmallCopy:
        """Rings 20 px wide, 4 px strokes, of the given ink levels and heights, on paper 235."""
        paper = np.full((100, 300), 235, np.uint8)
        for index, (level, height) in enumerate(zip(ink, heights, strict=True)):
            left, top = 20 + 100 * index, 50 - height // 2
            paper[top : top + height, left : left + 20] = level
            paper[top + 4 : top + height - 4, left + 4 : left + 16] = 235
        return SmallCopy(paper, (1.0, 1.0))

    def boxes(heights: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
        return [(20 + 100 * i, 50 - h // 2, 40 + 100 * i, 50 - h // 2 + h) for i, h in
                enumerate(heights)]  # fmt: skip

    same = (40, 40, 40)
    assert alike(zeros((30, 30, 30), same), boxes(same)) == 1.0
    assert alike(zeros((30, 40, 20), (40, 36, 44)), boxes((40, 36, 44))) == 1.0
    assert alike(zeros((30, 30, 200), same), boxes(same)) < 0.5  # one faint digit
    assert alike(zeros((30, 30, 30), (40, 40, 16)), boxes((40, 40, 16))) < 0.7  # one small
