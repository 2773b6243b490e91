"""The networks of an ensemble (the bundled model), each written as its own `.keras` file.

    python bench/build/members.py [--model bundled] --out DIR

`train --init bundled` starts from the first member; to fine-tune another, start from its file:
`digitcli train --arch cnn --init DIR/member_2.keras ...`. Each file is the member as it was
trained (its settings are in the ensemble's metadata.json under `members`), with its own
temperature, and gives the probabilities its calibrated logits give inside the ensemble.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def write_members(model: str, out: Path) -> list[Path]:
    """Every member of the ensemble `model` as `out/member_<n>.keras`."""
    from digitcli.core.config import TrainConfig
    from digitcli.models.model import MEMBER_PREFIX, build_model, load_keras_model
    from digitcli.models.modeldir import KERAS_FILE, named_model, read_metadata

    path = named_model(model)
    ensemble = load_keras_model(path / KERAS_FILE)
    written = []
    out.mkdir(parents=True, exist_ok=True)
    for number, record in enumerate(read_metadata(path).members, start=1):
        config = TrainConfig.from_dict(record["config"])
        network = build_model(config, temperature=record["calibration"]["temperature"])
        network.set_weights(ensemble.get_layer(f"{MEMBER_PREFIX}{number}").get_weights())
        target = out / f"{MEMBER_PREFIX}{number}.keras"
        network.save(target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bundled", help="an ensemble's model directory")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    for path in write_members(args.model, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
