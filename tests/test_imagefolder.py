"""`train --data DIR` where DIR holds one folder of image files per digit (0/ .. 9/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.core.errors import DataError
from digitcli.datasets.data import load_dataset
from digitcli.imaging import verdict
from digitcli.imaging.images import prepare_file

import nondigits
from conftest import subprocess_env
from mnist_files import real_digits


def image_folder(root: Path, per_digit: int = 6, seed: int = 7) -> Path:
    """Real MNIST digits as dark ink on light paper, enlarged, in root/0 .. root/9."""
    x, y = real_digits(per_digit, seed=seed)
    for i, (pixels, digit) in enumerate(zip(x, y, strict=True)):
        folder = root / str(digit)
        folder.mkdir(parents=True, exist_ok=True)
        scan = Image.fromarray(255 - pixels, "L").resize((56, 56), Image.BILINEAR)
        scan.save(folder / f"{i:03d}.png")
    return root


def test_an_image_folder_is_prepared_as_predict_prepares_each_file(tmp_path):
    root = image_folder(tmp_path / "mine")
    (root / "3" / "notes.txt").write_text("not an image: ignored")
    data = load_dataset(root, role="test")
    assert data.format == "images"
    assert len(data.test) == 60 and np.bincount(data.test.y).tolist() == [6] * 10
    one = root / "7" / sorted(p.name for p in (root / "7").iterdir())[0]
    expected = prepare_file(one).pixels
    assert any(np.array_equal(expected, x) for x in data.test.x[data.test.y == 7])
    assert "image folders" in data.source


def test_training_holds_out_every_digit_not_the_last_folder(tmp_path):
    data = load_dataset(image_folder(tmp_path / "mine", per_digit=14), role="train")
    assert len(data.test) == 20 and len(data.train) == 120
    assert len(set(data.test.y.tolist())) > 3  # shuffled: not only 9s at the end


def test_a_missing_digit_folder_is_named(tmp_path):
    root = image_folder(tmp_path / "mine")
    for path in (root / "4").iterdir():
        path.unlink()
    (root / "4").rmdir()
    with pytest.raises(DataError, match=r"no folder for digit 4 \("):
        load_dataset(root)


def test_a_digit_folder_without_images_is_an_error(tmp_path):
    root = image_folder(tmp_path / "mine")
    for path in (root / "5").iterdir():
        path.unlink()
    (root / "5" / "readme.txt").write_text("x")
    with pytest.raises(DataError, match="5: no image files"):
        load_dataset(root)


def test_unreadable_and_blank_images_are_skipped_and_counted(tmp_path):
    root = image_folder(tmp_path / "mine")
    (root / "2" / "broken.png").write_bytes(b"not a png at all")
    Image.new("L", (40, 40), 230).save(root / "8" / "blank.png")
    data = load_dataset(root, role="test")
    assert len(data.test) == 60
    assert f"2 skipped, unreadable or blank (first: {root / '2' / 'broken.png'}: not an" in (
        data.source
    )


def test_a_digit_whose_images_are_all_unreadable_is_an_error(tmp_path):
    root = image_folder(tmp_path / "mine")
    for path in (root / "6").iterdir():
        path.write_bytes(b"junk")
    with pytest.raises(DataError, match="6: no usable images"):
        load_dataset(root)


def test_a_digit_whose_pictures_are_all_refused_says_why(tmp_path):
    """A digit's folder of letters (a K drawn by hand, `nondigits`): the error names the
    first picture's reason, not a digit, where it said "unreadable or blank"."""
    root = image_folder(tmp_path / "mine")
    rng = np.random.default_rng([2086, 115, False])  # tests/test_not_a_digit.py's K
    letter = nondigits.picture(rng, "canvas", lambda side: nondigits.named(rng, "K", side))
    for path in (root / "4").iterdir():
        letter.save(path)
    with pytest.raises(DataError, match=r"4: no usable images \(first: .*not a digit"):
        load_dataset(root)


def test_a_folder_with_neither_mnist_nor_digit_folders_says_both(tmp_path):
    (tmp_path / "empty" / "cats").mkdir(parents=True)
    with pytest.raises(DataError, match=r"no image folders \(one sub-folder per digit"):
        load_dataset(tmp_path / "empty")


@pytest.mark.trains
def test_train_on_an_image_folder(tmp_path):
    root = image_folder(tmp_path / "mine", per_digit=10)
    (root / "1" / "broken.jpg").write_bytes(b"junk")
    args = ["train", "--epochs", "1", "--batch-size", "16", "--data", str(root)]
    args += ["--output", str(tmp_path / "model"), "--no-deskew", "--augment", "0"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "data: mine (image folders, 86 train / 14 test, its last 1/7 held out as test; " in (
        result.output
    )
    assert f"1 skipped, unreadable or blank (first: {root / '1' / 'broken.jpg'}: " in (
        result.output.replace("\n", "")
    )
    metadata = json.loads((tmp_path / "model" / "metadata.json").read_text())
    assert "image folders" in json.dumps(metadata)


def test_train_on_a_folder_missing_a_digit_exits_2_with_one_line(tmp_path):
    root = image_folder(tmp_path / "mine")
    for path in (root / "0").iterdir():
        path.unlink()
    (root / "0").rmdir()
    child = subprocess.run(
        [sys.executable, "-m", "digitcli", "train", "--epochs", "1", "--data", str(root)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=tmp_path,
    )
    assert child.returncode == 2
    assert child.stderr.strip().splitlines() == [
        f"Error: {root}: no folder for digit 0 (an image folder needs one sub-folder per "
        "digit, 0/ to 9/)"
    ]


def test_pictures_predict_would_not_answer_with_one_digit_are_skipped_and_named(tmp_path):
    """A number of five digits, or a blank sheet, in 3/ is not a 3: `predict` answers neither
    with a digit, so training does not learn either as one."""
    from digitcli.datasets.imagefolder import load_image_folder

    root = image_folder(tmp_path / "mine")
    threes = sorted((root / "3").iterdir())
    strip = Image.new("L", (56 * 5 + 40, 96), 255)
    for place, path in enumerate(threes[:5]):
        strip.paste(Image.open(path), (20 + 56 * place, 20))
    strip.save(root / "3" / "number.png")
    Image.new("L", (400, 300), 250).save(root / "3" / "sheet.png")
    images = load_image_folder(root)
    assert images.skipped == 2, images.skipped_files
    assert len(images.y) == 60
    said = "\n".join(images.skipped_files)
    assert "number.png: several digits" in said and f"sheet.png: {verdict.BLANK}" in said
