"""MNIST test digits saved as 28x28 PNG files: `predict` against `evaluate` on the same digits.

The first thing a new user tries is a digit of MNIST saved as a picture. `predict` prepares each
file (`prepare_file`, exactly as for any picture) and answers; `evaluate` hands the model the
array itself. The two should agree: what preparation does to a digit that already looks like
MNIST is a loss, and so is a refusal ("no digit found", "several digits").

    python tests/generators/mnist_png.py --count 1000  # white on black, then black on white
    python tests/generators/mnist_png.py --model MNIST/models/mlp --count 10000

Prints, for each polarity, the share read right through `predict`'s path, through `evaluate`'s,
and how many were refused.
"""

from __future__ import annotations

import argparse
import gzip
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
MNIST = REPO / "MNIST"

from digitcli.inputs.sources import Source  # noqa: E402
from digitcli.models.runtimes import Runtime, load_runtime, resolve_model  # noqa: E402
from digitcli.predicting.answers import Prediction  # noqa: E402
from digitcli.predicting.predict import predict_sources  # noqa: E402


@dataclass(frozen=True)
class Agreement:
    count: int
    predict_right: int  # read right through predict's path (a refusal is not right)
    evaluate_right: int  # read right from the array itself
    refused: int  # "no digit found" or "several digits"

    @property
    def gap(self) -> float:
        """Points by which predict's path reads fewer right than evaluate's."""
        return 100.0 * (self.evaluate_right - self.predict_right) / self.count


def mnist_test(count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first `count` MNIST test digits (white on black) and their labels."""
    with gzip.open(MNIST / "t10k-images-idx3-ubyte.gz") as file:
        images = np.frombuffer(file.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(MNIST / "t10k-labels-idx1-ubyte.gz") as file:
        labels = np.frombuffer(file.read(), np.uint8, offset=8)
    return images[:count], labels[:count]


def digit_row(digits: np.ndarray, picked: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The MNIST digits `picked` side by side, each cut to its middle 20 columns, shrunk to
    `size` (width, height): ink coverage 0-1, float32."""
    row = np.hstack([digits[i][:, 4:24] for i in picked]) / 255.0
    return cv2.resize(row.astype(np.float32), size, interpolation=cv2.INTER_AREA)


def png_bytes(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels, "L").save(out, format="PNG")
    return out.getvalue()


def agreement(
    images: np.ndarray, labels: np.ndarray, model: str | Path | None, *, dark_ink: bool
) -> Agreement:
    """Each digit saved as a PNG (`dark_ink`: black on white) and answered as `predict`
    answers it, against the array as `evaluate` reads it."""
    runtime = load_runtime(resolve_model(model))
    evaluated = runtime.predict(images).argmax(axis=1)
    found = predicted(images, runtime, dark_ink=dark_ink)
    return Agreement(
        count=len(images),
        predict_right=sum(one.digit == label for one, label in zip(found, labels, strict=True)),
        evaluate_right=int(np.count_nonzero(evaluated == labels)),
        refused=sum(not one.answered for one in found),
    )


def predicted(images: np.ndarray, runtime: Runtime, *, dark_ink: bool) -> list[Prediction]:
    """`predict`'s answer (`predict_sources`, its own path) to each MNIST digit saved as a
    PNG file (`dark_ink`: black on white)."""
    sources = [
        Source(f"{i}.png", data=png_bytes(255 - image if dark_ink else image))
        for i, image in enumerate(images)
    ]
    return predict_sources(runtime, sources, top_k=1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="a model (default: the bundled one)")
    parser.add_argument("--count", type=int, default=1000, help="the first COUNT test digits")
    args = parser.parse_args()
    images, labels = mnist_test(args.count)
    for dark_ink in (False, True):
        result = agreement(images, labels, args.model, dark_ink=dark_ink)
        name = "black on white" if dark_ink else "white on black"
        print(
            f"{name}: predict {100 * result.predict_right / result.count:.2f}%  "
            f"evaluate {100 * result.evaluate_right / result.count:.2f}%  "
            f"gap {result.gap:.2f} points  refused {result.refused}"
        )


if __name__ == "__main__":
    main()
