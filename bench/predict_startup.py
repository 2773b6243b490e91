"""One image, one cold process: `digitcli predict` on a model's .tflite (LiteRT) against its .keras.

Each run is a fresh process, as a user or a shell loop starts it: the figure is the whole
process, imports included. Reports the median and the fastest of --runs, the peak memory of the
process (max RSS), and the ratio keras / tflite.

    python bench/predict_startup.py                       # the latest trained model, or bundled
    python bench/predict_startup.py MNIST/models/mlp-512-64-lr0.001-e18 --runs 7
    python bench/predict_startup.py --api                 # load_runtime(...).predict, no CLI

`--api` times `digitcli.models.runtimes.load_runtime(...).predict(...)` on one image in a fresh
`python -c` instead of the `predict` command (for trees where `predict` does not exist yet).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DIGITCLI = (
    [str(BIN / "digitcli")] if (BIN / "digitcli").exists() else [sys.executable, "-m", "digitcli"]
)
sys.path.insert(0, str(REPO))

API = """
import sys
import numpy as np
from PIL import Image
from digitcli.models.runtimes import load_runtime, resolve_model
pixels = np.asarray(Image.open(sys.argv[2]).convert("L"), dtype=np.uint8)[np.newaxis]
probabilities = load_runtime(resolve_model(sys.argv[1])).predict(pixels)
print(int(probabilities.argmax()))
"""


def cold_run(command: list[str]) -> tuple[float, float]:
    """Seconds and peak MiB of one fresh process running `command` to the end."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 3):  # 3: answered "no digit" (a blank image)
            err.seek(0)
            message = err.read().decode(errors="replace")
            raise SystemExit(f"failed: {' '.join(command)}\n{message}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


def sample_image(folder: Path, data: str | None) -> Path:
    """The first test image of the data, as a PNG, like a file a user would pass.

    Made in a child process: a process's peak memory counts its parent's at the fork, so this
    one stays small and loads no data.
    """
    path = folder / "digit.png"
    code = (
        "import sys; from PIL import Image; from digitcli.datasets.data import load_dataset; "
        "x = load_dataset(sys.argv[1] or None, role='test').test.x[0]; "
        "Image.fromarray(x).save(sys.argv[2])"
    )
    subprocess.run([sys.executable, "-c", code, data or "", str(path)], check=True)
    return path


def command_for(model: Path, image: Path, api: bool) -> list[str]:
    if api:
        return [sys.executable, "-c", API, str(model), str(image)]
    return [*DIGITCLI, "predict", "--model", str(model), str(image)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="a model directory with model.keras and .tflite")
    parser.add_argument("--image", help="the image to predict; default: a test image as PNG")
    parser.add_argument("--data", help="where the default image comes from (default: ./MNIST)")
    parser.add_argument("--runs", type=int, default=5, help="cold processes per model (5)")
    parser.add_argument("--api", action="store_true", help="time the Python API, not the CLI")
    args = parser.parse_args()

    from digitcli.models.runtimes import resolve_model

    ref = resolve_model(args.model)
    models = {"tflite (LiteRT)": ref.tflite_file, "keras (TensorFlow)": ref.keras_file}
    missing = [name for name, path in models.items() if path is None]
    if missing:
        raise SystemExit(f"{ref.path}: no {' or '.join(missing)} model to time")

    with tempfile.TemporaryDirectory() as folder:
        image = Path(args.image) if args.image else sample_image(Path(folder), args.data)
        results = {}
        for name, path in models.items():
            command = command_for(path, image, args.api)
            cold_run(command)  # once untimed: the OS file cache warm, as for any later run
            runs = [cold_run(command) for _ in range(args.runs)]
            results[name] = (
                statistics.median(s for s, _ in runs),
                min(s for s, _ in runs),
                max(mib for _, mib in runs),
            )

    how = "load_runtime(...).predict" if args.api else "digitcli predict --model"
    print(f"{how}, one image, {args.runs} cold processes each, model {ref.path}")
    print(f"{'model':<20}{'median s':>10}{'fastest s':>11}{'peak MiB':>10}")
    for name, (median, fastest, mib) in results.items():
        print(f"{name:<20}{median:>10.3f}{fastest:>11.3f}{mib:>10.0f}")
    (lite, _, lite_mib), (heavy, _, heavy_mib) = results.values()
    print(f"keras / tflite: {heavy / lite:.1f}x the time, {heavy_mib / lite_mib:.1f}x the memory")


if __name__ == "__main__":
    main()
