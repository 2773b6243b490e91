"""Make the bundled model (`digitcli/models/pretrained/`): networks read as one
(`digitcli.training.ensemble`).

The MEMBERS are model directories trained on the same validation split (seed 0), the first
first (`train --init bundled` starts from it). `make models-mnist` makes the model of MNIST
alone: two CNNs trained for 60 epochs with long flags (~17 minutes each on 2 cores) and the
default `mlp`:

    for seed in 0 1; do digitcli train --arch cnn --epochs 60 --flags long \
        --seed $seed --validation-seed 0 --output cnn$seed; done
    digitcli train --output mlp
    python bench/build/make_bundled.py cnn0 cnn1 mlp       # writes digitcli/models/pretrained/
    python bench/build/make_bundled.py --stamp-only        # record a changed setting's new stamp

The bundled model is those CNNs fine-tuned with CVL's and USPS's writers in the mix
(`bench/build/cvl.py mix`): 4 epochs peaking at 0.001, then 1 more peaking at 0.0005, read as one
with the default `mlp` recipe trained on the same mix. `make models CVL=DIR USPS=FILE` runs
the whole of it; docs/measurements/other-writers.md ("Continental writers") has each figure.

Writes `model.keras`, `model.tflite` (float16 weights) and `metadata.json` into --output and
leaves its README (the model card) as it is.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from tempfile import TemporaryDirectory

from digitcli.core.fits import stamp
from digitcli.imaging.settings import DEFAULT

REPO = Path(__file__).resolve().parents[2]
WRITTEN = ("model.keras", "model.tflite", "metadata.json")
FITS = {"preparation": DEFAULT}  # the bundled model fits the default preparation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("members", type=Path, nargs="*", help="model directories, first first")
    parser.add_argument("--output", type=Path, default=REPO / "digitcli" / "models" / "pretrained")
    parser.add_argument("--data", default=str(REPO / "MNIST"))
    parser.add_argument(
        "--stamp-only", action="store_true",
        help="only record this digitcli's preparation version in --output's metadata.json "
        "(after a setting changed that the digits it was trained on do not depend on)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.stamp_only:
        stamp(args.output, ("preparation",), FITS)
        print(f"stamped {args.output}")
        return
    if not args.members:
        parser.error("the members are needed, unless --stamp-only")

    from digitcli.core.atomic import atomic_output
    from digitcli.training.ensemble import combine

    with TemporaryDirectory() as scratch:
        made = Path(scratch) / "ensemble"
        metadata = combine(args.members, made, data=args.data)
        for name in WRITTEN:  # each file whole or not at all
            if name == "metadata.json":
                stamp(made, ("preparation",), FITS)
            with atomic_output(args.output / name, force=True) as staging:
                shutil.copyfile(made / name, staging)
    metrics = metadata.metrics
    print(
        f"{args.output}: test accuracy {metrics['test_accuracy']:.2%}, ECE {metrics['test_ece']}, "
        f"temperature {metadata.calibration['temperature']}"
    )


if __name__ == "__main__":
    main()
