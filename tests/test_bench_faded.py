"""bench/checks/faded.py: a built set written again with its ink faded, its manifest kept."""

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
from devsets import devset, needs_devsets

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / "checks")]

import faded  # noqa: E402
import real_numbers  # noqa: E402


def _set(folder: Path) -> None:
    (folder / "0").mkdir(parents=True)
    grey = np.full((30, 40), 200, np.uint8)
    grey[10:20, 15:25] = 80  # ink 120 levels darker than its paper
    cv2.imwrite(str(folder / "0" / "a.png"), grey)
    colour = np.full((30, 40, 3), (180, 190, 200), np.uint8)
    colour[5:25, 18:22] = (30, 40, 50)
    cv2.imwrite(str(folder / "0" / "b.jpg"), colour, [cv2.IMWRITE_JPEG_QUALITY, 100])
    (folder / "real_numbers.csv").write_text("repo,path,label\nx,y,12\n")


def test_the_ink_moves_towards_the_paper_by_the_share(tmp_path):
    _set(tmp_path / "set")
    assert faded.fade_set(tmp_path / "set", tmp_path / "out", 0.3) == 2
    grey = cv2.imread(str(tmp_path / "out" / "0" / "a.png"), cv2.IMREAD_UNCHANGED)
    assert grey.ndim == 2 and grey[0, 0] == 200 and grey[15, 20] == 164  # 200 - 0.3 * 120
    colour = cv2.imread(str(tmp_path / "out" / "0" / "b.jpg"))
    paper, ink = colour[0, 0].astype(int), colour[15, 20].astype(int)
    assert np.abs(paper - (180, 190, 200)).max() <= 2
    assert np.abs(ink - paper - 0.3 * np.subtract((30, 40, 50), (180, 190, 200))).max() <= 4
    manifest = tmp_path / "out" / "real_numbers.csv"
    assert manifest.read_bytes() == (tmp_path / "set" / "real_numbers.csv").read_bytes()


def test_a_picture_in_a_large_cell_keeps_its_writing_under_darker_rules():
    picture = np.full((30, 40), 200, np.uint8)
    picture[10:20, 15:25] = 160  # ink 40 levels darker than its paper
    for seed in range(8):
        cell = faded.in_large_cell(picture, np.random.default_rng(seed))
        high, wide = cell.shape
        assert 45 <= high <= 105 and 80 <= wide <= 264 and cell.dtype == np.uint8  # a lid too
        assert cell[high // 2, 0] <= 120  # the left rule, or a lid beyond it
        assert cell[0, wide // 2] <= 120  # the top rule: darker than the ink
        found = cv2.matchTemplate(cell, picture[8:22, 13:27], cv2.TM_SQDIFF)
        assert found.min() / picture[8:22, 13:27].size < 4  # the writing, whole, inside
    colour = np.dstack([picture] * 3)
    assert faded.in_large_cell(colour, np.random.default_rng(0)).shape[2] == 3


def test_a_photo_of_many_megapixels_makes_a_cell_digitcli_decodes():
    """A phone photo set in a cell 2-6 times as wide and 1.5-3 times as high was too large to
    decode (two of the 176 real numbers, refused "image too large"): the picture is shrunk
    first, to a cell of at most `largest` pixels; a smaller one is set as before."""
    picture = np.full((300, 400), 200, np.uint8)
    picture[100:200, 150:250] = 80
    for seed in range(6):
        cell = faded.in_large_cell(picture, np.random.default_rng(seed), largest=200_000)
        assert cell.shape[0] * cell.shape[1] <= 200_000 * 1.2  # (the lid's band beyond it)
        same = faded.in_large_cell(picture, np.random.default_rng(seed), largest=10**9)
        assert same.shape[0] * same.shape[1] > 200_000 * 1.2


def test_a_scanners_lid_lies_beyond_the_cell_never_over_its_writing():
    """A tight crop (a register cell's, its writing near its edges): the lid along a side
    of the cell covered part of its writing in 13 of the 176 real development numbers set so
    (`--seed 1`: `6600` lost its first 6 under it)."""
    picture = np.full((34, 60), 200, np.uint8)
    picture[8:26, 8:52] = 80
    writing = picture[6:28, 6:54]  # inside the fifth that blends into the cell's paper
    covered = []
    for seed in range(300):
        cell = faded.in_large_cell(picture, np.random.default_rng(seed))
        found = cv2.matchTemplate(cell, writing, cv2.TM_SQDIFF)
        if found.min() / writing.size >= 4:
            covered.append(seed)
    assert not covered


def test_in_cell_sets_are_drawn_again_alike(tmp_path):
    _set(tmp_path / "set")
    for out in ("one", "two"):
        faded.fade_set(tmp_path / "set", tmp_path / out, 0.5, np.random.default_rng(1))
    one = cv2.imread(str(tmp_path / "one" / "0" / "a.png"), cv2.IMREAD_UNCHANGED)
    two = cv2.imread(str(tmp_path / "two" / "0" / "a.png"), cv2.IMREAD_UNCHANGED)
    assert one.shape[1] > 40 and np.array_equal(one, two)


def test_the_command_refuses_a_share_out_of_range_and_its_own_folder(tmp_path):
    _set(tmp_path / "set")
    script = REPO / "bench" / "checks" / "faded.py"
    for args in (["--share", "0"], ["--share", "1.5"], ["--share", "0.5", "--out", "set"]):
        command = [sys.executable, str(script), "--set", "set", "--out", "out", *args]
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 2 and "--" in done.stderr.splitlines()[-1]
    assert not (tmp_path / "out").exists()


@needs_devsets
def test_real_numbers_faded_keep_most_of_their_readings(tmp_path):
    """The 176 real development numbers faded to 0.3 (`faded.py`): 44.9% read exactly before
    round 55, 63.6% after it, 80.1% after round 56 (faint ink on paper judged), 82.4% after
    round 57 (the writing under darker rules found again without them), 83.5% since round 58
    (two sure digits read where the judge says lines)."""
    faded.fade_set(devset("numbers"), tmp_path / "faded", 0.3)
    scores = real_numbers.score(tmp_path / "faded", None)
    assert scores["groups"]["all"]["exact_share"] >= 0.8


@needs_devsets
def test_real_numbers_in_large_ruled_cells_are_read(tmp_path):
    """The 176 real development numbers at half their contrast, each in a large cell ruled
    darker than its ink (`faded.py --in-cell --seed 1`): 50.0% read exactly before round 56,
    67.0% after it (the ink looked for again where the rules were all of it), 76.1% after
    round 57 (looked for again wherever rules were taken out), 78.4% after round 58 (a cell's
    two sides taken out, not read as 1s); 83.0% since round 59, the scanner's lid drawn
    beyond the cell, no longer over 13 of the numbers' writing."""
    cells = np.random.default_rng(1)
    faded.fade_set(devset("numbers"), tmp_path / "cells", 0.5, cells)
    scores = real_numbers.score(tmp_path / "cells", None)
    assert scores["groups"]["all"]["exact_share"] >= 0.82
