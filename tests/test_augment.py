import json
import os

import numpy as np
import pytest
from PIL import Image
from threadpoolctl import threadpool_info

from digitcli.core.config import train_config
from digitcli.imaging.images import prepare
from digitcli.training import augment, continental
from digitcli.training.augment import EpochImages, _scanned, writers_augment

from mnist_files import synthetic_digits


def images_passed_to(monkeypatch, name: str) -> list[int]:
    """How many images each call of augment's function `name` is given, from now on."""
    counts: list[int] = []
    real = getattr(augment, name)

    def spy(ink, rng):
        counts.append(len(ink))
        return real(ink, rng)

    monkeypatch.setattr(augment, name, spy)
    return counts


def bar_digit() -> np.ndarray:
    """A thick '1': a vertical bar laid out as prepare() lays a digit out."""
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 12:16] = 255
    return image


def test_share_zero_changes_nothing_and_share_one_changes_every_image():
    images = np.stack([bar_digit()] * 50)
    same = writers_augment(images, np.random.default_rng(0), 0.0)
    assert np.array_equal(same, images)
    redrawn = writers_augment(images, np.random.default_rng(0), 1.0)
    assert redrawn.dtype == np.uint8 and redrawn.shape == images.shape
    changed = (redrawn != images).reshape(50, -1).any(axis=1)
    assert changed.all()


def test_redrawn_digits_keep_the_prepared_layout():
    # Whatever the slant, stretch or pen, a redrawn digit is laid out as prepare() lays one out:
    # its longest side about 20 px and its centre of mass near the centre.
    images = np.stack([bar_digit()] * 200)
    redrawn = writers_augment(images, np.random.default_rng(1), 1.0)
    rows = np.arange(28)
    extents, offsets = [], []
    for image in redrawn:
        mass = image.astype(float)
        assert mass.sum() > 0
        cy = (mass.sum(axis=1) * rows).sum() / mass.sum()
        cx = (mass.sum(axis=0) * rows).sum() / mass.sum()
        offsets.append(max(abs(cy - 14), abs(cx - 14)))
        inked = np.argwhere(image > 32)
        extents.append((inked.max(axis=0) - inked.min(axis=0) + 1).max())
    # 20, give or take the wobble, a thicker pen and the blur, which can add 3 px a side.
    assert 15 <= min(extents) and max(extents) <= 28
    assert np.mean([15 <= extent <= 24 for extent in extents]) > 0.95
    assert max(offsets) < 4 and np.mean(np.array(offsets) < 2.5) > 0.95
    # ... and prepare() leaves them about where they are.
    moved = [
        np.abs(prepare(Image.fromarray(image)).pixels.astype(int) - image).mean()
        for image in redrawn[:20]
    ]
    assert np.median(moved) < 16  # grey levels per pixel: a shifted or re-thickened copy


def test_epoch_images_are_the_same_for_the_same_seed_and_epoch():
    images = np.stack([bar_digit()] * 30)
    first = EpochImages(images, seed=3, share=0.5)
    second = EpochImages(images, seed=3, share=0.5)
    try:
        a = first.get(2, upcoming=3).images
        b = second.get(2).images
        assert np.array_equal(a, b)
        assert np.array_equal(
            first.get(3).images, second.get(3).images
        )  # prefetched or not, the same
        assert not np.array_equal(first.get(4).images, a)
    finally:
        first.close()
        second.close()


def test_a_draw_beside_training_runs_numpys_blas_on_one_thread(monkeypatch):
    # On 2+ cores NumPy's BLAS starts a thread per core; beside training, the second one spun
    # and cost each draw nearly twice its CPU time (4.1 s instead of 2.3 s for 27,000 digits).
    threads_seen = []
    real_redraw = augment.redraw_share

    def spy(*args, **kwargs):
        pools = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
        threads_seen.append([pool["num_threads"] for pool in pools])
        return real_redraw(*args, **kwargs)

    monkeypatch.setattr(augment, "redraw_share", spy)
    draws = EpochImages(np.stack([bar_digit()] * 20), seed=0, share=0.5)
    try:
        draws.get(0, upcoming=1)
        draws.get(1)
    finally:
        draws.close()
    assert [set(threads) for threads in threads_seen] == [{1}, {1}]  # NumPy's and SciPy's


def test_one_draw_serves_every_epochs():
    images = np.random.default_rng(2).integers(0, 256, (40, 28, 28)).astype(np.uint8)
    drawn = EpochImages(images, seed=0, share=1.0, every=2)
    try:
        epochs = [drawn.get(epoch, upcoming=epoch + 1).images for epoch in range(3)]
    finally:
        drawn.close()
    assert np.array_equal(epochs[0], epochs[1])  # epochs 0 and 1 share a draw
    assert not np.array_equal(epochs[1], epochs[2])  # epoch 2 starts the next
    again = EpochImages(images, seed=0, share=1.0, every=2)
    try:
        assert np.array_equal(again.get(2).images, epochs[2])  # a resumed run gets the same images
    finally:
        again.close()


def test_a_coarse_scan_keeps_the_shape_and_white_cores_but_loses_fine_detail():
    fine = np.zeros((1, 28, 28), np.float32)
    fine[0, 4:24, 8:20:2] = 255.0  # six one-pixel strokes a pixel apart
    scanned = _scanned(fine.copy(), cells=8)[0]
    assert scanned.max() == 255.0  # the levels stretched as prepare() stretches a scan
    columns = scanned[14, 8:20]
    assert columns.min() > 0.5 * columns.max()  # the gaps between strokes are gone
    assert scanned[:2].max() == 0 and scanned[:, :3].max() < 1  # no ink appears far away


def test_some_redrawn_ones_get_a_continental_flag_and_no_other_digit_does():
    images = np.stack([bar_digit()] * 200)
    rng = np.random.default_rng(4)
    as_ones = writers_augment(images, rng, 1.0, np.ones(200, int), fonts=0.0, continental=0.0)
    sevens = np.full(200, 7)
    as_sevens = writers_augment(
        images, np.random.default_rng(4), 1.0, sevens, fonts=0.0, continental=0.0
    )
    unlabelled = writers_augment(images, np.random.default_rng(4), 1.0, fonts=0.0, continental=0)
    assert np.array_equal(as_sevens, unlabelled)  # the flag is for 1s only

    def width_of_top_third(redrawn: np.ndarray) -> np.ndarray:
        inked = redrawn > 96
        columns = inked[:, 4:11].any(axis=1)  # which columns the top third reaches
        return columns.sum(axis=1)

    widened = width_of_top_third(as_ones) > width_of_top_third(as_sevens) + 2
    assert 0.2 < widened.mean() < 0.8  # FLAGGED of them, give or take the redraw


def test_a_draw_feeds_the_network_prepared_images_and_the_teacher_the_drawn_ones():
    class Recording:
        seen: list[np.ndarray] = []

        def targets(self, images, labels):
            self.seen.append(images.copy())
            return np.full((len(images), 10), 0.1, np.float32)

        def probabilities(self, images):
            self.seen.append(images.copy())
            return np.full((len(images), 10), 0.1, np.float32)

    images = np.stack([bar_digit()] * 40)
    inverted = EpochImages(
        images, seed=0, share=0.5, labels=np.zeros(40, np.uint8), teacher=Recording(),
        prepare=lambda batch: 255 - batch,
    )  # fmt: skip
    plain = EpochImages(images, seed=0, share=0.5, labels=np.zeros(40, np.uint8))
    try:
        drawn = plain.get(0).images
        fed = inverted.get(0).images
        assert np.array_equal(fed, 255 - drawn)  # every image, redrawn or not, prepared
        assert np.array_equal(inverted.get(1).images, 255 - plain.get(1).images)
        teacher_saw = np.concatenate(Recording.seen[:2])
        assert teacher_saw.min() == 0 and np.isin(teacher_saw, drawn).all()  # never prepared
    finally:
        inverted.close()
        plain.close()


def test_long_flags_reach_half_a_ones_height_as_uci_writers_flags_do_and_short_ones_do_not():
    # Short, steep flags alone left the mlp reading UCI's long-flagged 1s as 4 and 7; the cnn
    # read MNIST's test set less well with long ones, so each architecture has its style.
    bars = np.stack([bar_digit()] * 400).astype(np.float32)
    height = 20

    def reach(style: str) -> np.ndarray:
        flagged = continental.flag(bars, np.random.default_rng(0), style)
        leftmost = np.argmax((flagged[:, 4:14] > 128).any(axis=1), axis=1)  # first inked column
        return 12 - leftmost  # left of the bar's edge, in pixels

    long, short = reach("long"), reach("short")
    assert long.max() >= 0.45 * height and short.max() <= 0.4 * height
    assert min(long.min(), short.min()) >= 0.1 * height  # and every flag shows


def test_the_mlps_draw_long_flags_and_the_cnn_short_ones():
    assert train_config("mlp").flags == train_config("mlp512").flags == "long"
    assert train_config("cnn").flags == "short"


def test_an_epochs_draw_gives_its_ones_the_flags_asked_for():
    bars = np.stack([bar_digit()] * 40)
    draws = {}
    for style in ("long", "short"):
        drawn = EpochImages(bars, seed=0, share=1.0, labels=np.ones(40, int), flags=style)
        try:
            draws[style] = drawn.get(0).images
        finally:
            drawn.close()
        expected = writers_augment(bars, np.random.default_rng([0, 0, 7]), 1.0, np.ones(40), style)
        assert np.array_equal(draws[style], expected)
    assert not np.array_equal(draws["long"], draws["short"])


@pytest.mark.trains
def test_train_flags_and_hollow_choose_the_style_and_the_model_records_them(tmp_path):
    from typer.testing import CliRunner

    from digitcli.cli import app

    output = tmp_path / "m"
    args = [
        "train",
        "-q",
        "--epochs",
        "1",
        "--flags",
        "short",
        "--hollow",
        "0.3",
        "--fonts",
        "0.2",
        "-o",
        str(output),
    ]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    config = json.loads((output / "metadata.json").read_text())["config"]
    assert (config["flags"], config["hollow"], config["fonts"]) == ("short", 0.3, 0.2)
    wrongs = (["--flags", "sideways"], ["--hollow", "2"], ["--hollow", "nan"], ["--fonts", "-1"])
    for wrong in wrongs:
        refused = CliRunner().invoke(app, ["train", *wrong, "-o", str(tmp_path / "x")])
        assert refused.exit_code == 2 and not (tmp_path / "x").exists()


def test_an_epochs_draw_draws_the_share_of_hollow_strokes_asked_for(monkeypatch):
    outlined = images_passed_to(monkeypatch, "_outline")
    bars = np.stack([bar_digit()] * 400)
    for hollow in (0.0, 0.5):
        drawn = EpochImages(bars, seed=0, share=1.0, hollow=hollow)
        try:
            drawn.get(0)
        finally:
            drawn.close()
    assert outlined and 0.4 * 400 < sum(outlined) < 0.6 * 400  # none at 0, half at 0.5


def test_the_font_bank_holds_every_digit_in_every_font_laid_out_as_prepare_does():
    with np.load(augment.FONT_DIGITS) as bank:
        images, labels, fonts = bank["images"], bank["labels"], bank["fonts"]
        families = bank["families"]
    assert len(families) == 73 and images.shape == (len(labels), 28, 28)
    assert set(zip(fonts.tolist(), labels.tolist(), strict=True)) == {
        (font, digit) for font in range(73) for digit in range(10)
    }
    inked = images > 0
    tall = inked.any(axis=2).sum(axis=1)
    wide = inked.any(axis=1).sum(axis=1)
    assert (np.maximum(tall, wide) == 20).all()  # the longest side 20 px, as prepare() fits it


def test_a_digit_drawn_from_a_font_is_the_same_digit():
    with np.load(augment.FONT_DIGITS) as bank:
        images, labels = bank["images"], bank["labels"]
    digits = np.arange(500) % 10
    drawn = augment._font_digits(digits, np.random.default_rng(0))
    for digit, image in zip(digits, drawn, strict=True):
        same = (images == image.astype(np.uint8)).all(axis=(1, 2))
        assert same.any() and set(labels[same]) == {digit}
    assert len({image.tobytes() for image in drawn[digits == 4]}) > 20  # many fonts


def test_fonts_draw_the_share_asked_for_and_only_digits_with_a_label():
    # Blank images gain ink only by being drawn from a font (1s and 9s gain flags and curls).
    blank = np.zeros((400, 28, 28), np.uint8)
    labels = np.array([0, 2, 3, 4, 5, 6, 7, 8])[np.arange(400) % 8]
    inked = {}
    for fonts in (0.0, 0.5):
        drawn = writers_augment(
            blank, np.random.default_rng(1), 1.0, labels, fonts=fonts, continental=0.0
        )  # continental shapes draw an open 4 anew
        inked[fonts] = int((drawn.max(axis=(1, 2)) > 128).sum())
    unlabelled = writers_augment(blank, np.random.default_rng(1), 1.0, None, fonts=1.0)
    assert inked[0.0] == 0 and 0.4 * 400 < inked[0.5] < 0.6 * 400
    assert unlabelled.max() < 128


def test_a_hooked_nine_curls_left_below_its_tail_by_a_quarter_to_a_half_of_its_height():
    # UCI's writers end many 9s with a tail curled to the left; the models read them as 3.
    bars = np.stack([bar_digit()] * 300).astype(np.float32)  # a tail from row 4 to row 23
    hooked = continental.hook(bars.copy(), np.random.default_rng(0))
    inked = hooked > 128
    rows = inked.any(axis=2)
    bottom = 27 - np.argmax(rows[:, ::-1], axis=1)
    top = np.argmax(rows, axis=1)
    leftmost = np.argmax(inked.any(axis=1), axis=1)
    reach = 12 - leftmost  # left of the bar's edge, in pixels
    assert reach.min() >= 0.2 * 20 and reach.max() <= 0.55 * 20
    below = bottom - top + 1 > 20  # the curl dips below where the tail ended
    assert below.mean() > 0.9


def test_some_redrawn_nines_get_a_hooked_tail_and_no_other_digit_does(monkeypatch):
    hooked = images_passed_to(monkeypatch, "hook")
    images = np.stack([bar_digit()] * 400)
    sevens = np.full(400, 7)
    as_sevens = writers_augment(
        images, np.random.default_rng(4), 1.0, sevens, fonts=0.0, continental=0.0
    )
    unlabelled = writers_augment(images, np.random.default_rng(4), 1.0, fonts=0.0, continental=0)
    assert np.array_equal(as_sevens, unlabelled) and not hooked  # the curl is for 9s only
    nines = np.full(400, 9)
    writers_augment(images, np.random.default_rng(4), 1.0, nines, continental=0.0)
    assert 0.2 * 400 < sum(hooked) < 0.4 * 400  # HOOKED of them


def test_warping_in_cache_sized_pieces_gives_what_warping_the_whole_chunk_gives(monkeypatch):
    # The random draws are the chunk's; only the arithmetic is split, so a seed makes the
    # same digits (and the same model) whatever the piece size.
    x, y = synthetic_digits(300, seed=2)
    y = np.where(y % 2, 1, 9)  # digits with flags and hooks too

    def drawn(piece: int) -> np.ndarray:
        monkeypatch.setattr(augment, "WARP_PIECE", piece)
        return writers_augment(x, np.random.default_rng(4), 1.0, y)

    whole = drawn(10_000)
    assert np.array_equal(drawn(7), whole)
    assert np.array_equal(drawn(augment.CHUNK), whole)


def test_the_draw_runs_at_a_lower_priority_than_training():
    # On 2 cores the draw and training's threads compete; training should win (median epoch
    # 1.61-1.85 s against 1.69-2.06 s, five alternate runs each, the same model).
    images = np.stack([bar_digit()] * 30)
    epochs = EpochImages(images, seed=3, share=0.5)
    try:
        epochs.get(0, upcoming=1)
        own = os.getpriority(os.PRIO_PROCESS, 0)  # Linux: this thread's niceness
        drawing = epochs.pool.submit(os.getpriority, os.PRIO_PROCESS, 0).result()
        assert drawing >= min(own + augment.DRAW_NICENESS, 19)
        assert os.getpriority(os.PRIO_PROCESS, 0) == own  # training's own is left alone
    finally:
        epochs.close()


def test_an_outlined_pen_draws_a_strokes_edges_and_leaves_its_middle_dark():
    # Hollow strokes (an outline pen, a felt tip whose middle ran dry): the bar's outline grows
    # by a pixel or two a side and its middle, where the ink was, is dark.
    bars = np.stack([bar_digit()] * 40).astype(np.float32)  # columns 12-15 inked
    outlined = augment._outline(bars.copy(), np.random.default_rng(0))
    middle = outlined[:, 8:20, 13:15]
    assert middle.max() < 64
    edges = outlined[:, 14]  # one row across the bar
    left = np.argmax(edges > 128, axis=1)
    right = 27 - np.argmax(edges[:, ::-1] > 128, axis=1)
    assert (left <= 11).all() and (left >= 10).all() and (right >= 16).all() and (right <= 17).all()
    assert (left == 10).any() and (left == 11).any()  # both widths of OUTLINE_GROWTH


def test_some_redrawn_digits_are_drawn_with_an_outlined_pen(monkeypatch):
    outlined = images_passed_to(monkeypatch, "_outline")
    writers_augment(np.stack([bar_digit()] * 1000), np.random.default_rng(4), 1.0)
    assert 0.07 * 1000 < sum(outlined) < 0.13 * 1000  # HOLLOW of them


def test_a_scans_blur_and_the_elastic_wobble_are_each_images_matrix_products():
    # Both are computed for all the images at once (matrix @ image @ matrix.T); each image
    # must get its own product, neither transposed nor mixed with its neighbours'.
    images = np.random.default_rng(0).random((5, 28, 28)).astype(np.float32)
    blur = np.random.default_rng(1).random((28, 28)).astype(np.float32)
    one_by_one = np.stack([blur @ image @ blur.T for image in images])
    assert np.allclose(augment._both_sides(images, blur), one_by_one, rtol=1e-5)
    fields = augment._elastic(3, np.random.default_rng(2))
    coarse = np.random.default_rng(2).normal(0, augment.ELASTIC, (6, 4, 4)).astype(np.float32)
    spread = augment._spread(4, 28)
    expected = np.stack([spread @ field @ spread.T for field in coarse]).reshape(3, 2, -1)
    assert np.allclose(fields, expected, atol=1e-5)
