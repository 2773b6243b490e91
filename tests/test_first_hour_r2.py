"""What a new user hit in their first hour with 0.6.8 (issue "The first hour, round 2"): a blank
canvas crashing the int8 export, `--init bundled` without `--arch`, `predict DIR` on digit
folders, `evaluate` skipping pictures silently, fine-tuning on a few hundred pictures, which model
answers after `make train`, and `read`'s confidence in a number whose digits do not match."""

from __future__ import annotations

import importlib.util
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.core.errors import ExportError, UsageError
from digitcli.training.reporting import NullReporter

from mnist_files import one_stroke_test_digits, synthetic_digits

runner = CliRunner()


def _blank_inputs() -> np.ndarray:
    """An empty canvas and one with a single white pixel: what an app shows before drawing."""
    blank = np.zeros((2, 28, 28), np.uint8)
    blank[1, 14, 14] = 255
    return blank


# 1. Every export answers a blank canvas ----------------------------------------------------


@pytest.fixture(scope="module")
def deskewing_keras_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained deskewing mlp as a .keras file: the deskew's divisions are what crashed."""
    from digitcli.core.config import train_config
    from digitcli.models.model import build_model

    path = tmp_path_factory.mktemp("deskewing") / "deskewing.keras"
    build_model(train_config("mlp", layers=(16,))).save(path)
    return path


def test_the_int8_deskew_answers_an_empty_and_a_one_pixel_canvas(
    deskewing_keras_file: Path, tiny_data: Path
) -> None:
    from ai_edge_litert.interpreter import Interpreter

    from digitcli.datasets.data import load_dataset
    from digitcli.models.model import load_keras_model, tflite_int8_bytes

    representative = load_dataset(tiny_data).train.x[:100]
    flatbuffer = tflite_int8_bytes(load_keras_model(deskewing_keras_file), representative)
    interpreter = Interpreter(model_content=flatbuffer)
    interpreter.allocate_tensors()
    for image in _blank_inputs():
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image[None])
        interpreter.invoke()  # raised "DIV ... data[i] != zero_point" before
        output = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
        assert output.shape == (1, 10)


@pytest.mark.parametrize(
    "fmt", ["keras", "savedmodel", "tflite", "tflite-f16", "tflite-int8", "onnx"]
)
def test_every_export_answers_blank_inputs(
    fmt: str, deskewing_keras_file: Path, tiny_data: Path, tmp_path: Path
) -> None:
    from digitcli.exporting.export import export_model
    from digitcli.models.runtimes import load_runtime, resolve_model

    if fmt == "onnx" and importlib.util.find_spec("tf2onnx") is None:
        pytest.skip("the onnx extra is not installed")
    source = Path(shutil.copy(deskewing_keras_file, tmp_path / "model.keras"))
    exported = export_model(source, fmt, data=tiny_data, verify=False)
    probabilities = load_runtime(resolve_model(exported.path)).predict(_blank_inputs())
    assert probabilities.shape == (2, 10) and np.isfinite(probabilities).all()


def test_the_exports_own_verification_feeds_blank_inputs(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export that crashes on an empty canvas is refused, and nothing is written."""
    from digitcli.exporting import export
    from digitcli.models.runtimes.litert import LiteRTRuntime

    model = Path(shutil.copytree(tiny_model, tmp_path / "model"))
    assert export.export_model(model, "tflite-f16").verified  # the tiny model itself passes
    original = LiteRTRuntime.predict

    def crashes_on_blank(self, images):
        if not np.asarray(images).any(axis=(1, 2)).all():
            raise RuntimeError("tflite/kernels/div.cc:262 data[i] != zero_point was not true.")
        return original(self, images)

    monkeypatch.setattr(LiteRTRuntime, "predict", crashes_on_blank)
    target = tmp_path / "crashes.tflite"
    with pytest.raises(ExportError, match="empty canvas|blank"):
        export.export_model(model, "tflite-f16", output=target)
    assert not target.exists()


def test_the_int8_model_card_says_its_output_is_uint8_with_a_scale(tiny_model: Path) -> None:
    from digitcli.exporting.export import FORMATS, ExportResult
    from digitcli.models.model_card import model_card

    result = ExportResult(
        "tflite-int8", Path("model-int8.tflite"), 1, tiny_model, input=FORMATS["tflite-int8"].input
    )
    card = model_card(result, None)
    output = card.split("## Output", 1)[1].split("##", 1)[0]
    assert "uint8" in output and "1/256" in output and "float" not in output


# 2. --init bundled without --arch ----------------------------------------------------------


def _stop_before_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """`train` refuses at once, saying what it would have trained."""
    from digitcli.training import train

    def refuse(config, **_):
        raise UsageError(f"would train {config.arch} {list(config.layers)}")

    monkeypatch.setattr(train, "train", refuse)


def test_init_bundled_with_arch_cnn_trains_its_first_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stop_before_training(monkeypatch)  # without --arch: all of it (test_finetune_bundled.py)
    result = runner.invoke(app, ["train", "--init", "bundled", "--arch", "cnn"])
    assert "would train cnn [48, 96]" in result.stderr


def test_init_with_another_arch_names_the_arch_before_reading_data(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["train", "--init", "bundled", "--arch", "mlp", "--data", str(tmp_path / "nothing")]
    )
    assert result.exit_code == 2
    assert "--arch cnn" in result.stderr and "nothing" not in result.stderr


# 3. predict DIR on digit folders -----------------------------------------------------------


def _digit_folders(root: Path, per_digit: int = 1) -> Path:
    """Dark synthetic digits on light paper in root/0 .. root/9, nothing in root itself."""
    x, y = synthetic_digits(per_digit * 10, seed=5)
    for i, (pixels, digit) in enumerate(zip(x, y, strict=True)):
        folder = root / str(digit)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(255 - pixels, "L").resize((56, 56)).save(folder / f"{i:03d}.png")
    return root


@pytest.mark.parametrize("command", ["predict", "read"])
def test_a_folder_of_folders_says_its_sub_folders_were_not_searched(
    command: str, tiny_model: Path, tmp_path: Path
) -> None:
    root = _digit_folders(tmp_path / "mine")
    result = runner.invoke(app, [command, str(root), "--model", str(tiny_model)])
    assert result.exit_code == 2
    assert "sub-folders" in result.stderr and "--recursive" in result.stderr


@pytest.mark.parametrize("command", ["predict", "read"])
@pytest.mark.parametrize("flag", ["--recursive", "-r"])
def test_recursive_answers_every_image_in_the_sub_folders(
    command: str, flag: str, tiny_model: Path, tmp_path: Path
) -> None:
    root = _digit_folders(tmp_path / "mine")
    args = [command, flag, str(root), "--model", str(tiny_model), "--format", "jsonl"]
    result = runner.invoke(app, args)
    files = [json.loads(line)["file"] for line in result.stdout.splitlines()]
    assert files == sorted(str(p) for p in root.rglob("*.png"))


# 4. evaluate --data DIR names what it skipped ----------------------------------------------


def test_evaluate_names_each_skipped_image_and_why(tiny_model: Path, tmp_path: Path) -> None:
    root = _digit_folders(tmp_path / "mine", per_digit=2)
    Image.new("L", (40, 40), 255).save(root / "3" / "blank.png")
    (root / "5" / "broken.png").write_bytes(b"not a png")
    result = runner.invoke(app, ["evaluate", str(tiny_model), "--data", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert any(str(root / "3" / "blank.png") in line and "no ink" in line for line in lines)
    assert any(str(root / "5" / "broken.png") in line and "not an image" in line for line in lines)
    assert str(root / "3" / "blank.png") not in result.stdout


# 5. Fine-tuning on a few hundred pictures --------------------------------------------------


class _Notes(NullReporter):
    """A reporter that keeps the notes a run makes."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(text)


def test_training_says_how_many_images_validate_and_test_and_warns_when_few(
    tiny_data: Path, tmp_path: Path
) -> None:
    from digitcli.core.config import train_config
    from digitcli.training.train import train

    config = train_config(
        "mlp", epochs=1, layers=(16,), deskew=False, fonts=0.0, validation_split=0.05
    )
    reporter = _Notes()
    train(config, data=tiny_data, output=tmp_path / "few", reporter=reporter)
    said = "\n".join(reporter.notes)
    assert "images: 570 to fit, 30 to validate, 200 to test" in said
    assert "warning: only 30 validation images" in said and "test images" not in said


def test_a_perfect_score_has_a_loss_of_zero_not_minus_zero() -> None:
    from digitcli.reports.evaluate import score

    labels = np.arange(10)
    loss = score(np.eye(10, dtype=np.float32), labels).loss
    assert loss == 0 and math.copysign(1.0, loss) == 1.0


# 6. Which model answers: tests/test_default_choice.py


# 7. read: a number whose digits do not look written alike ----------------------------------


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
