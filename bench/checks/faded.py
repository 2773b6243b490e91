"""A built set of real pictures with its ink faded: the same writing, fainter, as a pencil, a
worn pen or an old register's ink leaves it.

    python bench/checks/faded.py --set DIR --out DIR2 --share 0.3 [--in-cell --seed 1]
    python bench/checks/real_numbers.py score --set DIR2      # or real_pictures.py score

`--set` is a set `real_pictures.py build` or `real_numbers.py build` wrote. Each picture is
written again under the same name in `--out` with every pixel moved towards the picture's
paper (the median of each colour channel) until its difference from the paper is `--share` of
what it was: ink 120 levels darker than its paper is then 36 darker at 0.3. The noise of the
paper fades with it, so what stands out from the paper still stands out: at 0.3 a person still
reads the numbers of the real sets, some with effort. Each file is written again in its own
format (JPEG at quality 95). The manifest, any other file and pictures of 16 bits or with
transparency are copied as they are, so that `score` reads the faded set as the set itself.

`--in-cell` also sets each faded picture in a cell of a register as a scan cuts it
(`in_large_cell`): 2-6 times as wide and 1.5-3 times as high, of the picture's own paper,
ruled along its edges darker than the ink (printed rules do not fade), a scanner's dark lid
beyond one side of half of them (round 59: before, it lay over the cell's side, and over the
writing of 13 of the 176 real numbers set so). Any folder of pictures can be written so.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_pictures import write_file  # noqa: E402

from digitcli.imaging.opening import MAX_PIXELS  # noqa: E402

PICTURES = (".png", ".jpg", ".jpeg", ".bmp")
JPEG = (".jpg", ".jpeg")


def faded(pixels: np.ndarray, share: float) -> np.ndarray:
    """`pixels` (grey or colour, uint8) with each one's difference from the paper (the median
    of each channel) times `share`."""
    values = pixels.astype(np.float32)
    paper = np.median(values.reshape(-1, values.shape[-1] if values.ndim == 3 else 1), axis=0)
    moved = paper + (values - paper) * share
    return np.clip(np.rint(moved), 0, 255).astype(np.uint8)


def in_large_cell(
    pixels: np.ndarray, rng: np.random.Generator, largest: int = MAX_PIXELS // 2
) -> np.ndarray:
    """`pixels` (grey or colour, uint8) somewhere in a cell 2-6 times as wide and 1.5-3 times
    as high, of its own paper (each channel's 70th percentile, its noise), ruled along the
    cell's edges at 0.25-0.6 of the paper's level, with a scanner's lid (grey 5-40) beyond the
    left, right or bottom side of half of them. The picture's edges blend into the paper over
    a fifth of its shorter side: no seam. A cell of more than `largest` pixels (a phone photo
    set so was too large for digitcli to decode) is drawn of the picture shrunk to fit."""
    grey = pixels.ndim == 2
    values = (pixels[..., None] if grey else pixels).astype(np.float32)
    h, w, channels = values.shape
    paper = np.percentile(values.reshape(-1, channels), 70, axis=0)  # ink and rules lie under
    steps = np.abs(np.diff(values, axis=1)).reshape(-1, channels)  # noise, not ink: robust
    noise = 1.4826 * np.median(steps, axis=0) / np.sqrt(2)
    high, wide = int(h * rng.uniform(1.5, 3)), int(w * rng.uniform(2, 6))
    if high * wide > largest:
        scale = np.sqrt(largest / (high * wide))
        size = (max(1, int(w * scale)), max(1, int(h * scale)))
        values = cv2.resize(values, size, interpolation=cv2.INTER_AREA).reshape(*size[::-1], -1)
        h, w = values.shape[:2]
        high, wide = max(h, int(high * scale)), max(w, int(wide * scale))
    cell = paper + rng.normal(0, 1, (high, wide, 1)) * noise
    top, left = int(rng.integers(0, high - h + 1)), int(rng.integers(0, wide - w + 1))
    blend = max(2, min(h, w) // 5)
    rows = np.minimum(np.minimum(np.arange(h), np.arange(h)[::-1]), blend) / blend
    columns = np.minimum(np.minimum(np.arange(w), np.arange(w)[::-1]), blend) / blend
    alpha = np.minimum.outer(rows, columns)[..., None]
    inside = cell[top : top + h, left : left + w]
    cell[top : top + h, left : left + w] = alpha * values + (1 - alpha) * inside
    rule = paper * rng.uniform(0.25, 0.6)
    width = int(rng.integers(1, 3))
    cell[:width], cell[-width:], cell[:, :width], cell[:, -width:] = rule, rule, rule, rule
    if rng.random() < 0.5:  # beyond the cell's rule, as a scan's lid lies: never over its writing
        lid = rng.uniform(5, 40)
        side = rng.choice(["left", "right", "bottom"])
        if side == "bottom":
            band = np.full((int(rng.integers(2, max(3, high // 6))), wide, channels), lid)
            cell = np.concatenate([cell, band])
        else:
            band = np.full((high, int(rng.integers(2, max(3, wide // 10))), channels), lid)
            cell = np.concatenate([band, cell] if side == "left" else [cell, band], axis=1)
    made = np.clip(np.rint(cell), 0, 255).astype(np.uint8)
    return made[..., 0] if grey else made


def fade_set(
    folder: Path, out: Path, share: float, cells: np.random.Generator | None = None
) -> int:
    """Write `folder`'s set faded to `share` into `out` (`cells`: each set in a large cell
    drawn with this generator, `in_large_cell`); the number of pictures faded."""
    count = 0
    for source in sorted(folder.rglob("*")):
        if not source.is_file():
            continue
        target = out / source.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        pixels = None
        if source.suffix.lower() in PICTURES:
            pixels = cv2.imread(str(source), cv2.IMREAD_UNCHANGED)
        transparent = pixels is not None and pixels.ndim == 3 and pixels.shape[2] == 4
        if pixels is None or pixels.dtype != np.uint8 or transparent:
            shutil.copyfile(source, target)  # a manifest, or a picture this does not fade
            continue
        options = [cv2.IMWRITE_JPEG_QUALITY, 95] if source.suffix.lower() in JPEG else []
        made = faded(pixels, share)
        if cells is not None:
            made = in_large_cell(made, cells)
        ok, data = cv2.imencode(source.suffix.lower(), made, options)
        if not ok:
            raise SystemExit(f"{source}: could not be written again")
        write_file(target, data.tobytes())
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, required=True, dest="folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--share", type=float, required=True, help="of the ink's contrast kept")
    parser.add_argument("--in-cell", action="store_true", help="each in a large ruled cell too")
    parser.add_argument("--seed", type=int, default=0, help="of the cells drawn (`--in-cell`)")
    args = parser.parse_args(argv)
    if not 0 < args.share <= 1:
        parser.error("--share is above 0 and at most 1")
    if not args.folder.is_dir():
        parser.error(f"no such set: {args.folder}")
    if args.out.resolve() == args.folder.resolve():
        parser.error("--out must be another folder than --set")
    cells = np.random.default_rng(args.seed) if args.in_cell else None
    print(f"{fade_set(args.folder, args.out, args.share, cells)} pictures faded into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
