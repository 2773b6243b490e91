"""Make the bundled model (`digitcli/pretrained/`): two CNNs read as one (`digitcli.ensemble`).

FIRST and SECOND are model directories trained on the same validation split (seed 0). The
bundled model of this stop is the CNN bundled before (its files at commit 0696ba4) and a CNN
trained with long flags (and today's curled 9s and hollow strokes) for 30 epochs (~9-12
minutes on 2 cores):

    mkdir first && for f in model.keras metadata.json; do
        git show 0696ba4:digitcli/pretrained/$f > first/$f; done
    digitcli train --arch cnn --flags long --epochs 30 --output second
    python bench/make_bundled.py first second        # writes digitcli/pretrained/

Writes `model.keras`, `model.tflite` (float16 weights) and `metadata.json` into --output and
leaves its README (the model card) as it is.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from tempfile import TemporaryDirectory

REPO = Path(__file__).resolve().parent.parent
WRITTEN = ("model.keras", "model.tflite", "metadata.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("members", type=Path, nargs="+", help="model directories, first first")
    parser.add_argument("--output", type=Path, default=REPO / "digitcli" / "pretrained")
    parser.add_argument("--data", default=str(REPO / "MNIST"))
    args = parser.parse_args()

    from digitcli.atomic import atomic_output
    from digitcli.ensemble import combine

    with TemporaryDirectory() as scratch:
        made = Path(scratch) / "ensemble"
        metadata = combine(args.members, made, data=args.data)
        for name in WRITTEN:  # each file whole or not at all
            with atomic_output(args.output / name, force=True) as staging:
                shutil.copyfile(made / name, staging)
    metrics = metadata.metrics
    print(
        f"{args.output}: test accuracy {metrics['test_accuracy']:.2%}, ECE {metrics['test_ece']}, "
        f"temperature {metadata.calibration['temperature']}"
    )


if __name__ == "__main__":
    main()
