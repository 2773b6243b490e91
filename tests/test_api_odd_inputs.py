"""The Python API's odd inputs: 16-bit PIL images, a str where a list belongs, values of other
types, and (h, w, 2) grey-and-alpha arrays; each answered, or refused with digitcli's own error."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import digitcli
from digitcli.core.errors import UsageError


def _seven16() -> np.ndarray:
    """A 7, dark ink on light paper, as a 16-bit scan holds it (0 to 65535)."""
    pixels = np.full((60, 60), 60000, np.uint16)
    pixels[10:16, 12:48] = 3000
    for row in range(16, 52):
        column = 46 - (row - 16) // 2
        pixels[row, column - 3 : column + 3] = 3000
    return pixels


@pytest.mark.parametrize("mode, dtype", [("I;16B", ">u2"), ("I;16L", "<u2"), ("I;16", "<u2")])
def test_a_16_bit_pil_image_reads_as_its_pixels(mode: str, dtype: str) -> None:
    model = digitcli.load("bundled")
    pixels = _seven16()
    image = Image.frombytes(mode, pixels.shape[::-1], pixels.astype(dtype).tobytes())
    [expected] = model.predict(pixels, processes=0)
    [found] = model.predict(image, processes=0)
    assert expected.digit is not None
    assert (found.digit, found.confidence) == (expected.digit, expected.confidence)


def test_a_grey_and_alpha_array_is_one_picture() -> None:
    """(h, w, 2): grey and alpha, as PIL's "LA" gives it, not h pictures 2 pixels wide."""
    model = digitcli.load("bundled")
    grey = np.zeros((28, 28), np.uint8)
    grey[6:22, 12:16] = 255
    [answer] = model.predict(np.stack([grey, np.full_like(grey, 255)], axis=-1), processes=0)
    assert answer.digit == model.predict(grey, processes=0)[0].digit == 1


@pytest.mark.parametrize("method", ["predict_files", "read_files"])
def test_one_path_as_a_str_is_that_file(tmp_path, method: str) -> None:
    """Not each of its characters (and "." the whole folder)."""
    picture = tmp_path / "x.png"
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(picture)
    (tmp_path / "other.png").write_bytes(picture.read_bytes())
    answers = list(getattr(digitcli.load("bundled"), method)(str(picture)))
    assert [answer.file for answer in answers] == [str(picture)]


def _closed() -> Image.Image:
    image = Image.new("L", (28, 28))
    image.close()
    return image


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.predict(np.zeros((28, 28), "timedelta64[s]"), processes=0),
        lambda m: m.predict(Image.new("L", (0, 0)), processes=0),
        lambda m: m.predict(_closed(), processes=0),
        lambda m: digitcli.load(5),
        lambda m: digitcli.load(b"bundled"),
        lambda m: m.evaluate(None, [1]),
        lambda m: m.evaluate(5, [1]),
        lambda m: m.evaluate(np.zeros((2, 28, 28), "timedelta64[s]"), [1, 2]),
        lambda m: list(m.predict_files(["x.png", 5])),
        lambda m: list(m.read_files([None])),
        lambda m: digitcli.distributed_predict(["x.png"], "out.jsonl", client=5),
        lambda m: m.evaluate(np.zeros((3, 28, 28)), "123"),
        lambda m: m.evaluate(np.zeros((3, 28, 28)), [1, [2], 3]),
    ],
    ids=[
        "timedelta", "empty-image", "closed-image", "load-int", "load-bytes", "evaluate-none",
        "evaluate-int", "evaluate-timedelta", "path-and-int", "read-none", "client-int",
        "labels-str", "labels-ragged",
    ],
)  # fmt: skip
def test_values_of_other_types_are_usage_errors(call) -> None:
    with pytest.raises(UsageError):
        call(digitcli.load("bundled"))


@pytest.mark.parametrize(
    "call",
    [
        lambda m: list(m.predict_files(["x.png"], save_preprocessed=5)),
        lambda m: list(m.read_files(["x.png"], save_preprocessed=5)),
        lambda m: list(m.predict_files(from_list=5)),
        lambda m: list(m.read_files(from_list=5)),
        lambda m: m.evaluate(data=5),
        lambda m: m.export(format="tflite", output=5),
        lambda m: m.export(format="tflite", output="out.tflite", data=5),
        lambda m: digitcli.predict("x.png", model=5),
        lambda m: digitcli.read("x.png", model=b"bundled"),
        lambda m: digitcli.evaluate(data="data", model=5),
        lambda m: digitcli.train(data=5),
        lambda m: digitcli.train(output=5),
        lambda m: digitcli.train(validation_data=5),
        lambda m: digitcli.train(tensorboard=5),
        lambda m: digitcli.train(init=5),
        lambda m: digitcli.train(teacher=5),
    ],
    ids=[
        "predict-save", "read-save", "predict-list", "read-list", "evaluate-data",
        "export-output", "export-data", "predict-model", "read-model", "evaluate-model",
        "train-data", "train-output", "train-validation", "train-tensorboard", "train-init",
        "train-teacher",
    ],
)  # fmt: skip
def test_paths_of_other_types_are_usage_errors(tmp_path, monkeypatch, call) -> None:
    """A file, folder or model named by a number (or bytes) is refused as the value it is,
    not a TypeError from deep inside; nothing is written."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="str or Path"):
        call(digitcli.load("bundled"))
    assert list(tmp_path.iterdir()) == []


def test_a_numpy_count_of_digits_is_a_count() -> None:
    """`digits=np.int64(1)` as `digits=1`, as `top_k` takes NumPy's whole numbers."""
    model = digitcli.load("bundled")
    one = np.zeros((28, 28), np.uint8)
    one[6:22, 13:15] = 255
    [expected] = model.read(one, digits=1)
    [found] = model.read(one, digits=np.int64(1))
    assert found.number == expected.number == "1"


@pytest.mark.parametrize("mode", ["La", "RGBa"])
def test_a_premultiplied_pil_image_reads_as_its_straight_twin(mode: str) -> None:
    """Pillow's premultiplied-alpha modes (La could not be converted at all: "cannot be read")."""
    model = digitcli.load("bundled")
    straight = Image.fromarray((_seven16() // 257).astype(np.uint8)).convert("LA")
    straight = straight.convert(mode.upper()) if mode == "RGBa" else straight
    [expected] = model.predict(straight, processes=0)
    [found] = model.predict(straight.convert(mode), processes=0)
    assert expected.digit == 7
    assert (found.digit, found.confidence) == (expected.digit, expected.confidence)


def test_evaluate_takes_a_generator_of_images() -> None:
    model = digitcli.load("bundled")
    images = np.zeros((2, 28, 28), np.uint8)
    images[:, 6:22, 12:16] = 255
    found = model.evaluate((image for image in images), (label for label in [1, 1]))
    assert found.accuracy == model.evaluate(images, [1, 1]).accuracy == 1.0


def test_a_trailing_slash_names_the_bundled_model_as_the_cli_does() -> None:
    """`--model bundled/` answers with the bundled model at its path; so does load."""
    from digitcli.models.modeldir import BUNDLED_DIR

    model = digitcli.load("bundled/")
    assert (model.name, model.path.resolve()) == ("bundled", BUNDLED_DIR.resolve())
