"""A cold one-image `predict` imports what its picture needs and no more (issue 67: within 1.5x
the bare-import floor): no `numpy.ma` (which `np.median` and `np.percentile` import on their
first call), no Pillow plugin but the picture's own, and no garbage collection while it imports
its modules; `imaging.orderstats` gives NumPy's very numbers without `numpy.ma`."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitcli.core.startup import importing
from digitcli.imaging import orderstats

from conftest import subprocess_env

# Runs `python -m digitcli ARGS`, then writes on stderr the names of the modules it imported
# and how many garbage collections it ran.
RUN_AND_REPORT = """
import atexit, gc, json, runpy, sys
runs = []
gc.callbacks.append(lambda phase, info: runs.append(phase) if phase == "start" else None)
report = lambda: {"modules": sorted(sys.modules), "collections": len(runs)}
atexit.register(lambda: sys.stderr.write("\\nREPORT=" + json.dumps(report()) + "\\n"))
sys.argv = ["digitcli", *sys.argv[1:]]
runpy.run_module("digitcli", run_name="__main__", alter_sys=True)
"""


def _run_and_report(args: list[str], codes: tuple[int, ...]) -> tuple[str, dict]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_REPORT, *args],
        capture_output=True, text=True, env=subprocess_env(), timeout=120,
    )  # fmt: skip
    assert done.returncode in codes, done.stderr
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1].removeprefix("REPORT="))


def _canvas(path: Path) -> None:
    """A drawing app's picture: a card on a transparent canvas (its background is the median
    of the visible pixels), a dark stroke."""
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 280, 280), fill=(250, 250, 250, 255))
    draw.line([(150, 60), (150, 240)], fill=(10, 10, 10, 255), width=14)
    image.save(path)


def _paper(path: Path) -> None:
    """A photo of a pen's 7 on grey paper, lit unevenly (the fold test's percentiles)."""
    rng = np.random.default_rng(0)
    light = np.linspace(-20, 20, 800)[np.newaxis, :]
    paper = np.clip(200 + rng.normal(0, 4, (600, 800)) + light, 0, 255).astype(np.uint8)
    image = Image.fromarray(paper).convert("RGB")
    ImageDraw.Draw(image).line([(300, 200), (500, 200), (380, 450)], fill=(30, 30, 40), width=12)
    image.save(path, quality=90)


@pytest.mark.parametrize(
    ("name", "make", "plugin"),
    [("canvas.png", _canvas, "PIL.PngImagePlugin"), ("paper.jpg", _paper, "PIL.JpegImagePlugin")],
)
def test_a_cold_predict_imports_no_numpy_ma_and_one_image_plugin(
    tmp_path: Path, name: str, make, plugin: str
) -> None:
    picture = tmp_path / name
    make(picture)
    args = ["predict", str(picture), "--model", "bundled", "--format", "jsonl"]
    answer, report = _run_and_report(args, (0, 3))  # a digit, or none found
    assert json.loads(answer)["file"] == str(picture)
    modules = report["modules"]
    assert "numpy.ma" not in modules
    assert [m for m in modules if m.startswith("PIL.") and m.endswith("ImagePlugin")] == [plugin]


def test_a_cold_predict_collects_no_garbage_while_importing_its_modules(tmp_path: Path) -> None:
    """OpenCV's, the preparation's and the models' modules are imported with the collector
    paused: predict collects about as often as `--version`, which imports none of them."""
    picture = tmp_path / "canvas.png"
    _canvas(picture)
    _, version = _run_and_report(["--version"], (0,))
    _, predict = _run_and_report(["predict", str(picture), "--model", "bundled"], (0, 3))
    assert predict["collections"] <= version["collections"] + 10


def test_importing_pauses_the_collector_and_freezes_what_it_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a_module_never_imported.py").write_text("NAME = 'new'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    frozen = gc.get_freeze_count()  # an earlier in-process command may have frozen some
    try:
        with importing():
            assert not gc.isenabled()
            made = [[] for _ in range(10 * gc.get_threshold()[0])]
            for inner in made:
                inner.append(inner)  # a cycle: only the collector frees it
        assert gc.isenabled()
        assert gc.get_freeze_count() == frozen  # it imported nothing: nothing frozen
        with importing():
            import a_module_never_imported  # noqa: F401
        assert gc.get_freeze_count() >= frozen + len(made)
    finally:
        gc.unfreeze()
        sys.modules.pop("a_module_never_imported", None)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, np.float64])
def test_median_and_percentile_are_numpys_to_the_last_bit(dtype) -> None:
    rng = np.random.default_rng(7)
    for size in [*range(1, 12), *rng.integers(12, 3000, 200)]:
        values = (rng.random(size) * 255).astype(dtype)
        assert orderstats.median(values) == float(np.median(values))
        for q in (0, 5, 10, 25, 50, 90, 99, 100):
            assert orderstats.percentile(values, q) == float(np.percentile(values, q))
