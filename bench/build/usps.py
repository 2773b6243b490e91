"""USPS handwriting (J. J. Hull, 1994) as users' files: ink on paper, one folder per digit.

    python bench/build/usps.py build --rdata zip.train.RData [--out bench/results/usps]
    python bench/build/usps.py mix --out bench/results/usps [--copies 1] [--mnist MNIST]

The source is `data/zip.train.RData` of the CRAN package ElemStatLearn (`fetch
github:cran/ElemStatLearn`): 7,291 digits scanned from US mail, 16x16, -1 (paper) .. 1 (ink), the
label in column 0. Only `zip.train`: its test split is part of a held-out set we never read.

`build` draws every digit as dark ink on uneven paper (a third at its own 16x16, the rest enlarged
smoothly to 28-200 px with margins and noise, half of those as JPEG, the way
`bench/checks/robustness.py` draws UCI's scans) into two ImageFolder trees (`train/0/` ..
`train/9/` and `held/0/` .. `held/9/`): a fixed, seeded 30% is `held`, never trained on. Each
file is then prepared by `digitcli.imaging.images.prepare_file`, as `predict` and
`train --data DIR` prepare a user's file, into `usps.npz` (x_train/y_train: the 70%,
x_test/y_test: the 30%).

`mix` writes `mnist-usps<k>.npz`: MNIST's training set with the prepared 70% added `--copies`
times, and MNIST's test set as its test set, for `digitcli train --data`.

`held_digits` gives the held 30% as MNIST-like 28x28 digits (`mnist_like`), from which
`tests/generators/make_numbers.py --digits-from usps` writes whole numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path[:0] = [str(ROOT / "bench" / kind) for kind in (".", "build", "checks", "perf")]

from digitcli.imaging.morphology import bounds  # noqa: E402

HELD_SHARE = 0.3  # of zip.train, never trained on
SPLIT_SEED = 51  # the held-back 30% is fixed: every run compares on the same digits
DRAW_SEED = 1994
MNIST_FRAME, MNIST_BOX = 28, 20  # MNIST fits each digit's ink in 20x20, centred in 28x28
HAZE = 0.05  # ink fainter than this (USPS's -0.9) is the scan's haze around the digit, not ink


def usps_digits(rdata: Path) -> tuple[np.ndarray, np.ndarray]:
    """zip.train's digits as ink in 0..1 (n, 16, 16) and their labels (uint8)."""
    import rdata as rdata_reader

    table = np.asarray(rdata_reader.read_rda(str(rdata))["zip.train"], dtype=np.float64)
    if table.ndim != 2 or table.shape[1] != 257:
        raise SystemExit(f"{rdata}: expected zip.train's n x 257 matrix, found {table.shape}")
    labels = table[:, 0].astype(np.uint8)
    ink = ((table[:, 1:] + 1) / 2).clip(0, 1).reshape(-1, 16, 16)
    return ink, labels


def held_back(n: int) -> np.ndarray:
    """A boolean mask: the fixed 30% of zip.train that is never trained on."""
    order = np.random.default_rng(SPLIT_SEED).permutation(n)
    mask = np.zeros(n, dtype=bool)
    mask[order[: round(n * HELD_SHARE)]] = True
    return mask


def mnist_like(ink: np.ndarray) -> np.ndarray:
    """USPS digits (n, 16, 16; ink 0..1) drawn as MNIST draws its digits: (n, 28, 28) uint8.

    USPS digits are size-normalised (the ink fills the 16 rows, its width follows the digit),
    their strokes grey at the edges. Each one's haze (ink under `HAZE`) is dropped, the ink's
    box is enlarged smoothly (bicubic, aspect kept) until its longer side is 20 px, as MNIST
    fits its writers' digits in a 20x20 box, and the result is placed in a 28x28 frame with its
    centre of mass at the frame's centre (moved back inside where that would cut it), ink 0..255.
    """
    out = np.zeros((len(ink), MNIST_FRAME, MNIST_FRAME), dtype=np.uint8)
    for i, digit in enumerate(ink):
        digit = np.where(digit < HAZE, 0.0, digit).astype(np.float32)
        box = bounds(digit > 0)
        if box is None:
            continue
        crop = digit[box]
        scale = MNIST_BOX / max(crop.shape)
        size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
        image = Image.fromarray(crop, "F").resize(size, Image.Resampling.BICUBIC)
        box = np.clip(np.asarray(image), 0, 1)
        out[i] = _centred_by_mass(np.round(box * 255).astype(np.uint8))
    return out


def _centred_by_mass(box: np.ndarray) -> np.ndarray:
    """`box` placed in MNIST's 28x28 frame, its centre of mass as near the centre as fits."""
    frame = np.zeros((MNIST_FRAME, MNIST_FRAME), dtype=np.uint8)
    h, w = box.shape
    mass = box.astype(np.float64)
    total = mass.sum() or 1.0
    cy = (mass.sum(axis=1) * np.arange(h)).sum() / total
    cx = (mass.sum(axis=0) * np.arange(w)).sum() / total
    middle = (MNIST_FRAME - 1) / 2
    top = min(max(round(middle - cy), 0), MNIST_FRAME - h)
    left = min(max(round(middle - cx), 0), MNIST_FRAME - w)
    frame[top : top + h, left : left + w] = box
    return frame


def held_as_mnist(ink: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The held 30% of these digits (`held_back`, never trained on) as MNIST-like digits."""
    held = held_back(len(labels))
    return mnist_like(ink[held]), labels[held]


def training_digits(rdata: Path) -> tuple[np.ndarray, np.ndarray]:
    """zip.train's other 70% (the part that may be trained on) as MNIST-like 28x28 digits."""
    ink, labels = usps_digits(rdata)
    held = held_back(len(labels))
    return mnist_like(ink[~held]), labels[~held]


def held_digits(rdata: Path) -> tuple[np.ndarray, np.ndarray]:
    """zip.train's held 30% as (n, 28, 28) uint8 MNIST-like digits and their labels."""
    return held_as_mnist(*usps_digits(rdata))


def drawn(ink: np.ndarray, rng: np.random.Generator) -> tuple[Image.Image, bool]:
    """One digit as a scan of ink on paper; whether it may be saved as JPEG."""
    from robustness import _enlarged_scan

    if rng.random() < 1 / 3:
        paper, dark = float(rng.uniform(180, 255)), float(rng.uniform(0, 80))
        pixels = np.clip(paper - (paper - dark) * ink, 0, 255).astype(np.uint8)
        return Image.fromarray(pixels, "L"), False
    return _enlarged_scan(ink, rng), True


def build(rdata: Path, out: Path) -> dict[str, int]:
    """The two ImageFolder trees and usps.npz (see the module's docstring)."""
    from digitcli.imaging.images import prepare_file

    ink, labels = usps_digits(rdata)
    held = held_back(len(labels))
    rng = np.random.default_rng(DRAW_SEED)
    prepared = np.zeros((len(labels), 28, 28), dtype=np.uint8)
    for i, (digit, image) in enumerate(zip(labels, ink, strict=True)):
        scan, lossy = drawn(image, rng)
        folder = out / ("held" if held[i] else "train") / str(digit)
        folder.mkdir(parents=True, exist_ok=True)
        if lossy and rng.random() < 0.5:
            path = folder / f"{i:05d}.jpg"
            scan.save(path, quality=int(rng.integers(60, 95)))
        else:
            path = folder / f"{i:05d}.png"
            scan.save(path)
        prepared[i] = prepare_file(path).pixels
    np.savez_compressed(
        out / "usps.npz",
        x_train=prepared[~held],
        y_train=labels[~held],
        x_test=prepared[held],
        y_test=labels[held],
    )
    counts = {"train": int((~held).sum()), "held": int(held.sum())}
    (out / "usps.json").write_text(json.dumps({"source": str(rdata.name), **counts}))
    return counts


def mix(out: Path, copies: int, mnist: Path) -> Path:
    """MNIST's training set with USPS's prepared 70% added `copies` times; MNIST's test set."""
    from digitcli.datasets.data import load_dataset

    usps = np.load(out / "usps.npz")
    data = load_dataset(mnist, role="train", download=False)
    x = np.concatenate([data.train.x] + [usps["x_train"]] * copies)
    y = np.concatenate([data.train.y] + [usps["y_train"]] * copies)
    target = out / f"mnist-usps{copies}.npz"
    np.savez(target, x_train=x, y_train=y, x_test=data.test.x, y_test=data.test.y)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="draw zip.train as files and prepare them")
    make.add_argument("--rdata", type=Path, required=True, help="ElemStatLearn's zip.train.RData")
    make.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "usps")
    mixed = commands.add_parser("mix", help="MNIST's training set with USPS's 70% added")
    mixed.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "usps")
    mixed.add_argument("--copies", type=int, default=1)
    mixed.add_argument("--mnist", type=Path, default=ROOT / "MNIST")
    args = parser.parse_args(argv)
    if args.command == "build":
        print(json.dumps(build(args.rdata, args.out)))
    else:
        print(mix(args.out, args.copies, args.mnist))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
