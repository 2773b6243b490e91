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
