"""bench/checks/nondigit_checks.py's count of photos of things refused."""

import shutil
import sys
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import nondigit_checks  # noqa: E402
import picture_checks  # noqa: E402
from picture_checks import bundled_runtime  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_a_refused_picture_counts_and_a_digit_does_not(tmp_path: Path) -> None:
    """A blank sheet is refused, a photo of a written digit answered; `read`'s several digits
    would not count as refused either, and other files are not photos."""
    Image.fromarray(np.full((120, 160), 235, np.uint8)).save(tmp_path / "blank.png")
    shutil.copy(FIXTURES / "one-digit-43.jpg", tmp_path / "digit.jpg")
    (tmp_path / "notes.txt").write_text("not a photo")
    counts = nondigit_checks.score_things(tmp_path, bundled_runtime())
    assert counts == {"nondigit": 2, "nondigit refused": 1}


def test_ink_taken_for_lines_standing_in_a_row_is_several_digits() -> None:
    """The verdict counts ink the judge takes for lines, standing as digits side by side on
    one line, as several digits (`verdict.kind`): `predict` says so and `read` reads a number.
    The benchmark counted such a photo refused: 12 of 200 ImageNet photos."""
    from digitcli.imaging.images import Prepared
    from digitcli.imaging.verdict import Kind, note
    from digitcli.predicting.answers import Prediction

    on_lines = Prepared(np.zeros((28, 28), np.uint8), False, False, groups=3, refused=Kind.LINES)
    lines = Prepared(np.zeros((28, 28), np.uint8), False, False, groups=1, refused=Kind.LINES)
    for prepared, word in ((on_lines, "several"), (lines, "blank")):
        assert picture_checks.said(Prediction("photo.jpg", note=note(prepared)), prepared) == word


def test_a_picture_is_answered_on_predicts_own_path(tmp_path: Path) -> None:
    """`picture_checks.answer` is `predict`'s answer: a written digit's, and an unreadable
    file an error."""
    from digitcli.predicting.predict import predict

    shutil.copy(FIXTURES / "one-digit-43.jpg", tmp_path / "digit.jpg")
    (tmp_path / "broken.png").write_bytes(b"not a picture")
    runtime = bundled_runtime()
    [digit] = predict([str(tmp_path / "digit.jpg")], model="bundled")
    assert picture_checks.answer(tmp_path / "digit.jpg", runtime) == str(digit.digit)
    assert picture_checks.answer(tmp_path / "broken.png", runtime) == "error"


def test_the_bundled_runtime_leaves_the_environment_alone() -> None:
    """It pointed DIGITCLI_MODELS at a new empty folder for the rest of the process."""
    import os

    before = dict(os.environ)
    runtime = bundled_runtime()
    assert runtime.predict(np.zeros((1, 28, 28), np.uint8)).shape == (1, 10)
    assert dict(os.environ) == before
