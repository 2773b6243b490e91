"""`make_line_reader.py --start lines.tflite` fine-tunes the shipped line reader: its weights are
read back from the LiteRT file, which was itself exported from a folded network."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "build"))

import make_line_reader  # noqa: E402

from digitcli.reading import lines  # noqa: E402

# TensorFlow's own tf.lite.Interpreter warns that it is going: the reader is read back with
# LiteRT's, as digitcli runs it.
pytestmark = pytest.mark.filterwarnings("error::UserWarning")


def test_the_shipped_line_reader_is_read_back_as_it_reads() -> None:
    # Its biases were sought under batch normalisation's names, which a folded export lacks.
    import keras

    strips = np.random.default_rng(0).integers(0, 256, (4, *lines.STRIP_SHAPE), dtype=np.uint8)
    strips[:, :, :40] = 0  # some blank columns too
    model = make_line_reader.from_litert(lines.MODEL)
    read_back = keras.ops.convert_to_numpy(
        keras.ops.softmax(model(strips[..., None], training=False))
    )
    assert np.abs(read_back - lines.read_strips(strips)).max() < 1e-4


def test_several_fine_tunes_are_exported_as_the_mean_of_their_weights(tmp_path: Path) -> None:
    import keras

    saved = []
    for seed in (1, 2):
        keras.utils.set_random_seed(seed)
        model = make_line_reader.network(lines.STRIP_SHAPE, folded=True)
        saved.append(tmp_path / f"tune{seed}.weights.h5")
        model.save_weights(saved[-1])
    one, other = (make_line_reader.trained([path], folded=True).get_weights() for path in saved)
    both = make_line_reader.trained(saved, folded=True).get_weights()
    assert not np.allclose(one[0], other[0])
    for a, b, mean in zip(one, other, both, strict=True):
        assert np.allclose(mean, (a + b) / 2)


def test_a_shipped_reader_is_averaged_with_a_fine_tune_of_it(tmp_path: Path) -> None:
    # `--weights digitcli/reading/lines.tflite TUNE.weights.h5 --folded`: the reader shipped now
    # read back as `--start` reads it, its weights averaged with a fine-tune's.
    import keras

    keras.utils.set_random_seed(3)
    tune = tmp_path / "tune.weights.h5"
    make_line_reader.network(lines.STRIP_SHAPE, folded=True).save_weights(tune)
    shipped = make_line_reader.from_litert(lines.MODEL).get_weights()
    tuned = make_line_reader.trained([tune], folded=True).get_weights()
    both = make_line_reader.trained([lines.MODEL, tune], folded=True).get_weights()
    for a, b, mean in zip(shipped, tuned, both, strict=True):
        assert np.allclose(mean, (a + b) / 2)


def _only_the_letters_learnt(before: list[np.ndarray], after: list[np.ndarray]) -> None:
    """Every weight of `after` is `before`'s but the output's last class (the letters)."""
    for a, b in zip(before[:-2], after[:-2], strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(before[-2][:, :-1], after[-2][:, :-1])
    assert np.array_equal(before[-1][:-1], after[-1][:-1])
    assert not np.allclose(before[-2][:, -1], after[-2][:, -1])


def test_a_reader_taught_only_its_grown_classes_keeps_every_other_weight() -> None:
    # `--grown-only`: the letters class learns; the digits and marks read exactly as before.
    import keras

    keras.utils.set_random_seed(4)
    model = make_line_reader.network(lines.STRIP_SHAPE, lines.CLASSES, folded=True)
    before = model.get_weights()
    grown = make_line_reader.GrownOnly(model, lines.CLASSES - 1)
    grown.model.compile(keras.optimizers.Adam(1e-2), keras.losses.CTC())
    strips = np.random.default_rng(4).integers(0, 256, (8, *lines.STRIP_SHAPE, 1), np.uint8)
    labels = np.zeros((8, make_line_reader.MAX_DIGITS), np.int32)
    labels[:, :3] = lines.CLASSES - 1  # a word of three letters
    grown.model.fit(strips, labels, epochs=2, batch_size=8, verbose=0)
    grown.merge()
    _only_the_letters_learnt(before, model.get_weights())


def test_a_readers_letters_are_taught_again_alone() -> None:
    # `--letters-only`: a reader that already has its letter class (a fine-tune learnt it
    # beside the digits) learns that class again, every other weight kept.
    strips = np.random.default_rng(5).integers(0, 256, (80, *lines.STRIP_SHAPE), np.uint8)
    labels = np.zeros((80, make_line_reader.MAX_DIGITS), np.int32)
    labels[:, :3] = lines.CLASSES - 1
    before = make_line_reader.from_litert(lines.MODEL).get_weights()
    after = make_line_reader.train(
        strips, labels, epochs=1, start=lines.MODEL, rate=1e-2, letters_only=True
    ).get_weights()
    _only_the_letters_learnt(before, after)


def test_words_are_written_with_letters_and_labelled_letter_by_letter(tmp_path: Path) -> None:
    glyphs = np.zeros((4, 28, 28), np.uint8)
    glyphs[:, 8:20, 10:18] = 255
    np.savez(tmp_path / "nist.npz", made=glyphs[:3], labels=np.array([1, 0, 1], np.uint8))
    np.savez(tmp_path / "omni.npz", train=glyphs[3:])
    x, y = make_line_reader.letter_glyphs((tmp_path / "nist.npz", tmp_path / "omni.npz"))
    assert len(x) == 3 and not y.any()  # the digit of the judge's set left out
    label = make_line_reader.label_of(make_line_reader.as_word("00.0"))
    assert list(label[:4]) == [lines.CLASSES - 1] * 2 + [11, lines.CLASSES - 1]
    assert list(make_line_reader.label_of("10.5")[:4]) == [2, 1, 11, 6]


@pytest.mark.parametrize("source", ["joined", "printed"])
def test_words_drawn_by_code_are_labelled_letter_by_letter(source: str) -> None:
    # `--sources joined`, `printed`: words drawn by code, joined up or printed by hand
    # (make_numbers' kinds of those names).
    writing = make_line_reader.Writing(kinds=("tight",), sources=(source,))
    x, y = make_line_reader.strips((7, 4), writing)
    assert len(x) >= 3 and x.shape[1:] == lines.STRIP_SHAPE
    for label in y:
        written = label[label > 0]
        assert 3 <= len(written) <= 8 and set(written) == {lines.CLASSES - 1}


def test_lines_are_restyled_in_finer_pens_as_well_as_thicker_ones() -> None:
    """A fine pen's plain 1 (`13579` photographed, read `3579`) was no digit to a reader whose
    lines were only ever drawn thicker: some restyled lines draw an upright stroke narrower
    than it was written, others wider, none lose it (none narrower than 2 px)."""
    strip = np.zeros(lines.STRIP_SHAPE, np.uint8)
    strip[6:26, 40:43] = 255  # an upright stroke 3 px wide
    rng = np.random.default_rng(0)
    widths = []
    for _ in range(200):
        restyled = make_line_reader.restyled(strip, rng)
        widths.append(int(np.count_nonzero(restyled[16] >= 128)))
    assert min(widths) == 2 and max(widths) >= 4
    assert 0.1 < widths.count(2) / len(widths) < 0.35
