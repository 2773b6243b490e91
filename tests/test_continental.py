"""The continental shapes training draws: flagged 1s, crossed 7s, open 4s (continental.py)."""

import json

import numpy as np
import pytest

from digitcli.core.config import TrainConfig, train_config
from digitcli.training.augment import writers_augment
from digitcli.training.continental import continental_shapes as shapes


def one() -> np.ndarray:
    """A '1': a vertical bar 3 px wide, laid out as prepare() lays a digit out."""
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:16] = 255
    return image


def seven() -> np.ndarray:
    """A '7': a bar along the top and a stem down from its right end."""
    image = np.zeros((28, 28), np.float32)
    image[4:7, 7:21] = 255
    for row in range(7, 24):
        col = 20 - (row - 7) * 6 // 17
        image[row, col - 1 : col + 2] = 255
    return image


def closed_four() -> np.ndarray:
    """A '4' with a closed top: a diagonal, a bar and a stem."""
    image = np.zeros((28, 28), np.float32)
    for row in range(4, 17):
        col = 17 - (row - 4) * 9 // 13
        image[row, col - 1 : col + 2] = 255
    image[16:19, 7:22] = 255
    image[4:24, 16:19] = 255
    return image


def drawn(digit: int, image: np.ndarray, count: int = 50, seed: int = 0) -> np.ndarray:
    images = np.stack([image] * count)
    out, changed = shapes(
        images.copy(), np.full(count, digit), np.random.default_rng(seed), share=1.0
    )
    assert changed.all()
    return out


def test_a_flagged_one_has_ink_left_of_its_top_running_down_to_the_left_and_the_stem_kept():
    flagged = drawn(1, one())
    left = flagged[:, :, :11] > 128  # left of the stem
    assert left[:, 5:12].any(axis=(1, 2)).all()  # the flag leaves the stem near its top
    for image in left:
        rows = np.flatnonzero(image.any(axis=1))
        first, last = (np.argmax(image[row]) for row in (rows[0], rows[-1]))
        assert first >= last  # and runs down to the left
    assert (flagged[:, 4:24, 13:16] == 255).all()  # the stem is all still there


def test_a_crossed_seven_has_a_bar_across_its_stem_at_mid_height():
    crossed = drawn(7, seven())
    plain = seven()
    rows = slice(10, 19)
    added = (crossed[:, rows] > 128) & ~(plain[None, rows] > 128)
    # The bar reaches both sides of the stem, where the plain 7 has no ink.
    left = added[:, :, :15].any(axis=(1, 2))
    right = added[:, :, 19:].any(axis=(1, 2))
    assert left.all() and right.mean() > 0.8
    assert (crossed[:, 4:7, 7:21] == 255).all()  # the 7 itself kept


def test_an_open_four_leaves_a_gap_at_the_top_between_its_two_strokes():
    opened = drawn(4, closed_four())
    for image in opened:
        inked = image > 128
        rows = np.flatnonzero(inked.any(axis=1))
        assert inked[rows[0], :12].any()  # the top is the left arm's, not an apex at the stem
        top = inked[rows[0] : rows[0] + 3]
        columns = np.flatnonzero(top.any(axis=0))
        gaps = np.diff(columns)
        assert columns.max() < 14 or gaps.max() >= 4  # the arm alone, or apart from the stem
        assert longest_run(inked) >= 6  # the bar: a row inked across from the arm to the stem


def longest_run(inked: np.ndarray) -> int:
    """The longest run of inked pixels along any row."""
    best = 0
    for row in inked:
        run = 0
        for pixel in row:
            run = run + 1 if pixel else 0
            best = max(best, run)
    return best


def test_other_digits_are_left_as_they_were_and_labels_are_not_touched():
    images = np.stack([one(), seven(), closed_four()] * 20)
    digits = np.array([0, 2, 9] * 20)
    out, changed = shapes(images.copy(), digits, np.random.default_rng(0), 1.0)
    assert not changed.any() and np.array_equal(out, images)
    assert np.array_equal(digits, [0, 2, 9] * 20)


def test_the_same_seed_draws_the_same_shapes_and_another_seed_others():
    for digit, image in ((1, one()), (7, seven()), (4, closed_four())):
        assert np.array_equal(drawn(digit, image, seed=3), drawn(digit, image, seed=3))
        assert not np.array_equal(drawn(digit, image, seed=3), drawn(digit, image, seed=4))


def test_share_zero_draws_nothing_and_the_redraw_is_what_it_was_without_it():
    images = np.stack([one(), seven(), closed_four()] * 20)
    digits = np.array([1, 7, 4] * 20)
    out, changed = shapes(images.copy(), digits, np.random.default_rng(0), 0.0)
    assert not changed.any() and np.array_equal(out, images)
    uint8 = images.astype(np.uint8)
    half = writers_augment(uint8, np.random.default_rng(5), 1.0, digits, continental=0.5)
    off = writers_augment(uint8, np.random.default_rng(5), 1.0, digits, continental=0.0)
    assert not np.array_equal(half, off)


def test_the_share_drawn_is_about_the_share_asked_for():
    images = np.stack([seven()] * 400)
    _, changed = shapes(images.copy(), np.full(400, 7), np.random.default_rng(1), share=0.3)
    assert 0.2 < changed.mean() < 0.4


def test_the_mlps_draw_continental_shapes_by_default_and_old_models_did_not():
    assert train_config("mlp").continental > 0 and train_config("mlp512").continental > 0
    assert TrainConfig.from_dict({"arch": "mlp"}).continental == 0.0


@pytest.mark.trains
def test_train_continental_zero_switches_it_off_and_the_model_records_it(tmp_path):
    from typer.testing import CliRunner

    from digitcli.cli import app

    output = tmp_path / "m"
    args = ["train", "-q", "--epochs", "1", "--continental", "0", "-o", str(output)]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    config = json.loads((output / "metadata.json").read_text())["config"]
    assert config["continental"] == 0.0
    for wrong in (["--continental", "1.5"], ["--continental", "nan"]):
        refused = CliRunner().invoke(app, ["train", *wrong, "-o", str(tmp_path / "x")])
        assert refused.exit_code == 2 and not (tmp_path / "x").exists()
